"""Starting the assistant's servers from Python: for evaluations, benchmarks and e2e tests.

`running_assistant()` seeds a demo database in a folder of its own, starts the action server
and the Rasa server (newest model, bot/credentials.yml) on free ports, waits until both
answer, and stops them on exit.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
# The action server, started with the knowledge base already built (bot/action_server.py).
ACTIONS_SERVER = [str(BIN / "python"), "-m", "bot.action_server"]


def free_port() -> int:
    """Returns a TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def newest_model() -> Path:
    """Returns the newest trained model in models/."""
    models = sorted((ROOT / "models").glob("*.tar.gz"), key=os.path.getmtime)
    if not models:
        raise FileNotFoundError("no trained model in models/: run `make train`")
    return models[-1]


def wait_until_up(url: str, process: subprocess.Popen, log: Path, seconds: float = 180,
                  since: float | None = None) -> float:
    """Waits until a URL answers and returns the seconds it took; fails if the process dies.

    `since` is the time.monotonic() at which the process started (default: now).
    """
    start = time.monotonic() if since is None else since
    while time.monotonic() - start < seconds:
        if process.poll() is not None:
            raise RuntimeError(f"server exited:\n{log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return time.monotonic() - start
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server not up after {seconds} s:\n{log.read_text()[-3000:]}")


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Starts a server process in its own session, logging to a file."""
    return subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(*processes: subprocess.Popen) -> None:
    """Stops processes politely, then firmly."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@dataclass
class Servers:
    """A running assistant."""

    url: str
    actions_url: str
    var_dir: Path
    env: dict[str, str]
    rasa: subprocess.Popen
    actions: subprocess.Popen
    startup_seconds: dict[str, float]


def base_env(var_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment the servers run with: demo data under var_dir, no telemetry."""
    env = {
        **os.environ,
        "VAR_DIR": str(var_dir),
        "RASA_TELEMETRY_ENABLED": "false",
        "PYTHONPATH": str(ROOT),
        "TQDM_DISABLE": "1",
        **(extra or {}),
    }
    if "CLAIMS_DB_URL" not in (extra or {}):
        env.pop("CLAIMS_DB_URL", None)  # the demo database under var_dir
    return env


@contextlib.contextmanager
def running_assistant(
    var_dir: Path, extra_env: dict[str, str] | None = None, claims: int = 100
) -> Iterator[Servers]:
    """Seeds demo data, starts both servers, yields them, stops them."""
    var_dir.mkdir(parents=True, exist_ok=True)
    env = base_env(var_dir, extra_env)
    subprocess.run(
        [str(BIN / "python"), "-m", "claims.seed", "--claims", str(claims), "--if-empty"],
        cwd=ROOT, env=env, check=True, capture_output=True,
    )
    rasa_port, actions_port = free_port(), free_port()
    env["ACTION_ENDPOINT_URL"] = f"http://127.0.0.1:{actions_port}/webhook"
    launched = time.monotonic()  # both start together: each one's cold start counts from here
    running: Servers | None = None
    actions = start(
        [*ACTIONS_SERVER, "--port", str(actions_port)],
        env, var_dir / "actions.log",
    )
    rasa = start(
        [str(BIN / "rasa"), "run", "-m", str(newest_model()), "--endpoints",
         "bot/endpoints.yml", "--credentials", "bot/credentials.yml", "--port", str(rasa_port)],
        env, var_dir / "rasa.log",
    )
    try:
        startup = {
            "actions": wait_until_up(f"http://127.0.0.1:{actions_port}/health", actions,
                                     var_dir / "actions.log", since=launched),
            "rasa": wait_until_up(f"http://127.0.0.1:{rasa_port}/", rasa, var_dir / "rasa.log",
                                  since=launched),
        }
        running = Servers(
            f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{actions_port}", var_dir, env,
            rasa, actions, startup,
        )
        yield running
    finally:
        # A test may have replaced a server (restarted it): stop whatever runs now too.
        stop(*{rasa, actions, *((running.rasa, running.actions) if running else ())})
