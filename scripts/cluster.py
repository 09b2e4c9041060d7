"""A local cluster on Rasa's own scale-out mechanisms (`make run-cluster`, cluster tests).

- PostgreSQL (Debian's server): the SQL tracker store (database rasa_tracker) and the claims
  database (claims_cluster), so every replica sees every conversation and claim;
- Redis (Debian's server, a private instance on its own port): Rasa's lock store, so two
  replicas never process messages of one conversation at the same time, and the WeChat
  channel's shared state;
- N Rasa server replicas and N stateless action servers, each group behind nginx (Debian's
  server, a private configuration): customers talk to one address.

Needs the Debian packages postgresql, redis-server and nginx (`scripts/servers.sh install`)
and a PostgreSQL admin URL in TEST_POSTGRES_URL or CLUSTER_POSTGRES_URL
(`scripts/servers.sh postgres` starts Debian's cluster and prints one).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import create_engine, text

from scripts.launch import (
    ACTIONS_SERVER,
    BIN,
    ROOT,
    free_port,
    newest_model,
    start,
    stop,
    wait_until_up,
)

NGINX_CONF = """
worker_processes 2;
pid {var}/nginx.pid;
error_log {var}/nginx_error.log warn;
{user}
events {{ worker_connections 4096; }}
http {{
  access_log off;
  # Rasa sends the whole tracker and domain to the action server (over 16 KB). A body larger
  # than the buffer goes to a temporary file and reached the action server 40 ms late
  # (measured: 44 ms per action call through nginx, 1 ms with this buffer).
  client_body_buffer_size 1m;
  client_body_temp_path {var}/nginx_tmp/body;
  proxy_temp_path {var}/nginx_tmp/proxy;
  fastcgi_temp_path {var}/nginx_tmp/fastcgi;
  uwsgi_temp_path {var}/nginx_tmp/uwsgi;
  scgi_temp_path {var}/nginx_tmp/scgi;
  upstream rasa {{ {rasa_servers} keepalive 64; }}
  upstream actions {{ {action_servers} keepalive 64; }}
  server {{
    listen 127.0.0.1:{front_port};
    location / {{
      proxy_pass http://rasa;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_read_timeout 60s;
      # A replica that is down (restarting) is skipped; the message goes to another one.
      proxy_next_upstream error timeout http_502 http_503;
    }}
  }}
  server {{
    listen 127.0.0.1:{actions_port};
    location / {{
      proxy_pass http://actions;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream error timeout http_502 http_503;
    }}
  }}
}}
"""


def admin_url() -> str:
    """Returns the PostgreSQL admin URL the cluster creates its databases with."""
    url = os.environ.get("CLUSTER_POSTGRES_URL") or os.environ.get("TEST_POSTGRES_URL")
    if not url:
        raise RuntimeError(
            "set CLUSTER_POSTGRES_URL (or TEST_POSTGRES_URL) to a PostgreSQL admin URL; "
            "`scripts/servers.sh postgres` starts Debian's server and prints one"
        )
    return url


def ensure_database(admin: str, name: str, fresh: bool) -> str:
    """Creates a database (dropping it first if fresh) and returns its URL."""
    engine = create_engine(admin, future=True, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if fresh:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                            {"n": name}).first():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return admin.rsplit("/", 1)[0] + "/" + name


@dataclass
class Replica:
    """One Rasa server (and the action server started with it)."""

    port: int
    log: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """Returns the replica's own address (bypassing nginx)."""
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Cluster:
    """A running cluster and its parts."""

    url: str  # nginx in front of the Rasa replicas
    var: Path
    env: dict[str, str]
    replicas: list[Replica]
    action_servers: list[subprocess.Popen] = field(default_factory=list)
    redis_port: int = 0
    model: Path = field(default_factory=newest_model)

    def launch_replica(self, replica: Replica) -> None:
        """Starts one Rasa replica without waiting for it."""
        replica.process = start(
            [str(BIN / "rasa"), "run", "-m", str(self.model), "--endpoints",
             "bot/endpoints.cluster.yml", "--credentials", "bot/credentials.yml",
             "--port", str(replica.port)],
            self.env, replica.log,
        )

    def start_replica(self, replica: Replica) -> float:
        """Starts (or restarts) one Rasa replica; returns its start-up seconds."""
        self.launch_replica(replica)
        assert replica.process is not None
        return wait_until_up(replica.url + "/", replica.process, replica.log)

    def stop_replica(self, replica: Replica) -> None:
        """Stops one Rasa replica."""
        if replica.process is not None:
            stop(replica.process)
            replica.process = None

    def redis(self, *args: str) -> subprocess.CompletedProcess:
        """Runs redis-cli against the cluster's Redis."""
        return subprocess.run(["redis-cli", "-p", str(self.redis_port), *args],
                              capture_output=True, text=True)

    def start_redis(self) -> None:
        """Starts the private Redis instance (no persistence: locks are short-lived)."""
        subprocess.run(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--daemonize", "yes",
             "--pidfile", str(self.var / "redis.pid"), "--logfile",
             str(self.var / "redis.log"), "--dir", str(self.var)],
            check=True,
        )
        for _ in range(50):
            if self.redis("ping").stdout.strip() == "PONG":
                return
            time.sleep(0.1)
        raise RuntimeError("redis did not start")

    def stop_redis(self) -> None:
        """Stops the private Redis instance."""
        self.redis("shutdown", "nosave")


@contextlib.contextmanager
def running_cluster(replicas: int = 2, var: Path | None = None,
                    fresh: bool = True) -> Iterator[Cluster]:
    """Starts PostgreSQL databases, Redis, action servers, Rasa replicas and nginx."""
    for binary in ("redis-server", "redis-cli", "nginx"):
        if not shutil.which(binary) and not Path(f"/usr/sbin/{binary}").exists():
            raise RuntimeError(f"{binary} not found: run `scripts/servers.sh install`")
    var = var or ROOT / "var" / "cluster"
    var.mkdir(parents=True, exist_ok=True)
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (var / "nginx_tmp" / sub).mkdir(parents=True, exist_ok=True)
    admin = admin_url()
    tracker_url = urlsplit(ensure_database(admin, "rasa_tracker", fresh))
    claims_url = ensure_database(admin, "claims_cluster", fresh)
    cluster = Cluster(
        url="", var=var, env={}, replicas=[], redis_port=free_port(),
    )
    env = {
        **os.environ, "RASA_TELEMETRY_ENABLED": "false", "PYTHONPATH": str(ROOT),
        "TQDM_DISABLE": "1", "VAR_DIR": str(var), "CLAIMS_DB_URL": claims_url,
        "TRACKER_DB_HOST": tracker_url.hostname or "localhost",
        "TRACKER_DB_PORT": str(tracker_url.port or 5432),
        "TRACKER_DB_NAME": "rasa_tracker",
        "TRACKER_DB_USER": tracker_url.username or "postgres",
        "TRACKER_DB_PASSWORD": tracker_url.password or "",
        "REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(cluster.redis_port),
        "REDIS_URL": f"redis://127.0.0.1:{cluster.redis_port}/0",
    }
    subprocess.run([str(BIN / "python"), "-m", "claims.seed", "--claims", "1000", "--if-empty"],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    cluster.env = env
    cluster.start_redis()
    front, actions_front = free_port(), free_port()
    env["ACTION_ENDPOINT_URL"] = f"http://127.0.0.1:{actions_front}/webhook"
    action_ports = [free_port() for _ in range(replicas)]
    cluster.replicas = [Replica(free_port(), var / f"rasa{i}.log") for i in range(replicas)]
    nginx_conf = var / "nginx.conf"
    nginx_conf.write_text(NGINX_CONF.format(
        var=var, user="user root root;" if os.geteuid() == 0 else "",
        front_port=front, actions_port=actions_front,
        rasa_servers=" ".join(f"server 127.0.0.1:{r.port};" for r in cluster.replicas),
        action_servers=" ".join(f"server 127.0.0.1:{p};" for p in action_ports),
    ))
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    try:
        # Everything starts at once; then each is waited for.
        for i, port in enumerate(action_ports):
            cluster.action_servers.append(start(
                [*ACTIONS_SERVER, "--port", str(port)], env, var / f"actions{i}.log"))
        for replica in cluster.replicas:
            cluster.launch_replica(replica)
        for i, (port, process) in enumerate(zip(action_ports, cluster.action_servers,
                                                strict=True)):
            wait_until_up(f"http://127.0.0.1:{port}/health", process, var / f"actions{i}.log")
        for replica in cluster.replicas:
            assert replica.process is not None
            wait_until_up(replica.url + "/", replica.process, replica.log)
        subprocess.run([nginx, "-c", str(nginx_conf), "-p", str(var)], check=True)
        cluster.url = f"http://127.0.0.1:{front}"
        yield cluster
    finally:
        subprocess.run([nginx, "-c", str(nginx_conf), "-p", str(var), "-s", "quit"],
                       capture_output=True)
        stop(*[r.process for r in cluster.replicas if r.process], *cluster.action_servers)
        cluster.stop_redis()


def main() -> int:
    """Runs the cluster until Ctrl-C (`make run-cluster`)."""
    parser = argparse.ArgumentParser(description="Run the assistant as a local cluster.")
    parser.add_argument("--replicas", type=int, default=2)
    args = parser.parse_args()
    with running_cluster(args.replicas, fresh=False) as cluster:
        print(f"\n  Cluster running: {args.replicas} Rasa replicas and {args.replicas} action "
              f"servers behind nginx.\n    REST channel: {cluster.url}/webhooks/rest/webhook\n"
              f"    Web chat:     {cluster.url}/webhooks/web/\n"
              f"    Replicas:     {', '.join(r.url for r in cluster.replicas)}\n"
              f"    Logs:         {cluster.var}/\n  Press Ctrl-C to stop.")
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()
    return 0


if __name__ == "__main__":
    sys.exit(main())
