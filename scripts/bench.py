"""End-to-end benchmark through the REST channel (`make bench`); results in docs/bench.md.

Starts the assistant (action server + Rasa server, newest model) and measures:
1. cold start of each server, and (with --train) the training time;
2. single-user latency per route (greeting, knowledge answer, verified status look-up,
   fallback) as a turn of a conversation under way, and of the first message of a new
   conversation, next to the model's own NLU parse of the same messages in-process (the
   floor), and the ratio between them;
3. closed loop: 1, 10, 20, 50 and 100 concurrent conversations, each sending its next
   message as soon as the previous answer arrives: throughput and latency;
4. open loop: messages arrive at a fixed rate spread over many conversations (customers with
   think time), stepped up until p95 passes 300 ms or errors appear; the highest rate that
   held is reported; with --cluster also through two replicas behind nginx;
5. soak: 50 concurrent conversations for a few minutes, errors and memory over time;
6. peak memory (VmHWM) of each server process.
The load generator runs on the same machine (asyncio, one process), so it takes some of the
CPU the servers would otherwise have: the numbers are a lower bound for a dedicated server.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from scripts.launch import BIN, ROOT, Servers, newest_model, running_assistant

SLO_MS = 300.0
ROUTES = {
    "greeting": ["你好"],
    "knowledge": [
        "车被水淹了能赔吗", "医疗险理赔要什么材料", "交强险最多赔多少", "理赔被拒了怎么申诉",
    ],
    "status": ["8000"],  # the verification code, after STATUS_OPENING
    "fallback": ["今天股票涨了吗"],
}
STATUS_OPENING = ["查一下我的理赔进度", "RDZA202600000101"]  # untimed: asks, gives the claim
FIRST = "first message"  # the opening 你好 of a new conversation (starts the session)
# What a customer conversation looks like under load (one message at a time).
SCRIPTS = [
    ["你好", "车被水淹了能赔吗", "谢谢"],
    ["查一下我的理赔进度", "RDZA202600000101", "8000", "谢谢"],
    ["医疗险理赔要什么材料", "多久能赔下来", "再见"],
    ["你好", "今天股票涨了吗", "理赔被拒了怎么申诉"],
]


def percentile(values: list[float], share: float) -> float:
    """Returns a percentile by the nearest-rank method (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def summary(values: list[float]) -> str:
    """Formats p50 / p95 / p99 in milliseconds."""
    return (f"{percentile(values, 0.5):.0f} / {percentile(values, 0.95):.0f} / "
            f"{percentile(values, 0.99):.0f}")


def peak_memory_mb(pid: int) -> float:
    """Returns the peak resident memory (VmHWM) of a process and its children, in MB."""
    total = 0.0
    pids = [pid]
    with contextlib.suppress(OSError, ValueError):
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
        pids += [int(p) for p in children.stdout.split()]
    for p in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) / 1024
    return total


def resident_mb(pid: int) -> float:
    """Returns the current resident memory of a process, in MB."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Load:
    """Latencies and errors of one load run."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        """Returns the answered messages per second."""
        return len(self.latencies) / self.seconds if self.seconds else 0.0


async def send(session: aiohttp.ClientSession, url: str, sender: str, text: str,
               load: Load | None = None) -> list[dict]:
    """Sends one message; records its latency (or an error) in `load`."""
    start = time.perf_counter()
    try:
        async with session.post(f"{url}/webhooks/rest/webhook",
                                json={"sender": sender, "message": text},
                                timeout=aiohttp.ClientTimeout(total=30)) as response:
            body = await response.json()
            ok = response.status == 200 and bool(body)
    except (aiohttp.ClientError, asyncio.TimeoutError):
        body, ok = [], False
    if load is not None:
        if ok:
            load.latencies.append((time.perf_counter() - start) * 1000)
        else:
            load.errors += 1
    return body if isinstance(body, list) else []


async def single_user(url: str, runs: int) -> dict[str, list[float]]:
    """Times each route for one user at a time.

    Every run is a new conversation. Its opening 你好 is timed as "first message" (it also
    starts the session, which calls the action server); then one of the route's messages is
    timed (for status after STATUS_OPENING), as a turn of a conversation already under way.
    """
    results: dict[str, list[float]] = {FIRST: []}
    async with aiohttp.ClientSession() as session:
        for route, messages in ROUTES.items():
            load, first = Load(), Load()
            for i in range(runs):
                sender = f"bench-{route}-{uuid.uuid4().hex[:8]}"
                await send(session, url, sender, "你好", first)
                for text in STATUS_OPENING if route == "status" else []:
                    await send(session, url, sender, text)
                await send(session, url, sender, messages[i % len(messages)], load)
            results[route] = load.latencies
            results[FIRST] += first.latencies
    return results


def nlu_floor(runs: int) -> dict[str, list[float]]:
    """Times the trained model's own NLU parse of the same messages, in-process."""
    import logging

    import structlog
    from rasa.core.agent import Agent

    from bot import rasa_speedups

    logging.basicConfig(level=logging.WARNING)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    rasa_speedups.install()  # the same speed-ups as the server: the floor is not held back
    agent = Agent.load(str(newest_model()))

    async def parse_all() -> dict[str, list[float]]:
        results: dict[str, list[float]] = {}
        for route, messages in ROUTES.items():
            text = messages[-1]
            await agent.parse_message(text)  # warm-up
            timings = []
            for _ in range(runs):
                start = time.perf_counter()
                await agent.parse_message(text)
                timings.append((time.perf_counter() - start) * 1000)
            results[route] = timings
        return results

    return asyncio.run(parse_all())


async def closed_loop(url: str, users: int, seconds: float) -> Load:
    """Runs `users` conversations back to back for `seconds`."""
    load = Load()
    deadline = time.perf_counter() + seconds

    async def user(session: aiohttp.ClientSession, n: int) -> None:
        for script in itertools.cycle(SCRIPTS[n % len(SCRIPTS):] + SCRIPTS[:n % len(SCRIPTS)]):
            sender = f"closed-{n}-{uuid.uuid4().hex[:8]}"
            for text in script:
                if time.perf_counter() > deadline:
                    return
                await send(session, url, sender, text, load)

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.perf_counter()
        await asyncio.gather(*(user(session, n) for n in range(users)))
        load.seconds = time.perf_counter() - start
    return load


async def open_loop(url: str, rate: float, seconds: float) -> Load:
    """Sends `rate` messages per second, each the next turn of one of many conversations."""
    load = Load()
    conversations = [
        {"sender": f"open-{uuid.uuid4().hex[:10]}", "script": random.choice(SCRIPTS), "turn": 0,
         "busy": False}
        for _ in range(max(50, int(rate * 10)))
    ]
    tasks: list[asyncio.Task] = []

    async def turn(session: aiohttp.ClientSession, conv: dict) -> None:
        conv["busy"] = True
        text = conv["script"][conv["turn"] % len(conv["script"])]
        conv["turn"] += 1
        await send(session, url, conv["sender"], text, load)
        conv["busy"] = False

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.perf_counter()
        for i in range(int(rate * seconds)):
            due = start + i / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            idle = [c for c in conversations if not c["busy"]]
            tasks.append(asyncio.create_task(turn(session, random.choice(idle or conversations))))
        await asyncio.gather(*tasks)
        load.seconds = time.perf_counter() - start
    return load


def step_up(url: str, rates: list[float], seconds: float) -> tuple[float, list[str]]:
    """Steps the open-loop rate up; returns the best rate within the SLO and the table."""
    best = 0.0
    rows = []
    for rate in rates:
        load = asyncio.run(open_loop(url, rate, seconds))
        p95 = percentile(load.latencies, 0.95)
        held = p95 <= SLO_MS and load.errors == 0
        rows.append(f"| {rate:.0f} | {load.rate:.1f} | {summary(load.latencies)} | "
                    f"{load.errors} | {'yes' if held else 'no'} |")
        if not held:
            break
        best = rate
    return best, rows


def train_seconds() -> float:
    """Times a full `rasa train --force` into a temporary folder."""
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run([str(BIN / "rasa"), "train", "--force", "--domain", "bot/domain.yml",
                        "--data", "bot/data", "--config", "config.yml", "--out", out],
                       cwd=ROOT, env=env, check=True, capture_output=True)
        return time.perf_counter() - start


@contextlib.contextmanager
def assistant() -> Iterator[Servers]:
    """A fresh assistant in a temporary folder."""
    with tempfile.TemporaryDirectory() as tmp, running_assistant(Path(tmp)) as servers:
        yield servers


def main() -> int:
    """Runs the benchmark and writes docs/bench.md."""
    parser = argparse.ArgumentParser(description="End-to-end benchmark.")
    parser.add_argument("--runs", type=int, default=200, help="messages per route, 1 user")
    parser.add_argument("--seconds", type=float, default=20, help="length of each load step")
    parser.add_argument("--soak", type=float, default=180, help="soak test length (s)")
    parser.add_argument("--train", action="store_true", help="also time a full training")
    parser.add_argument("--cluster", action="store_true",
                        help="also step the open-loop rate through the two-replica cluster")
    args = parser.parse_args()
    if args.cluster:
        from scripts.cluster import admin_url

        admin_url()  # no PostgreSQL for the cluster: say so now, not after the other steps
    out = [f"# Benchmark\n\nMachine: {os.cpu_count()} cores, {platform.python_version()}, "
           f"model `{newest_model().name}`. Latencies in ms as p50 / p95 / p99.\n"]
    if args.train:
        out.append(f"Training (`rasa train --force`, NLU and dialogue): {train_seconds():.0f} s\n")
    floor = nlu_floor(args.runs)
    with assistant() as servers:
        startup = servers.startup_seconds
        out.append(f"Cold start to ready (both started together): action server "
                   f"{startup['actions']:.1f} s (it builds the knowledge base first), "
                   f"Rasa server {startup['rasa']:.1f} s.\n")
        single = asyncio.run(single_user(servers.url, args.runs))
        out += ["## One user at a time\n",
                "| route | end to end | NLU parse in-process | ratio of p50 |",
                "|---|---|---|---|"]
        floor[FIRST] = floor["greeting"]
        for route in (FIRST, *ROUTES):
            ratio = percentile(single[route], 0.5) / max(percentile(floor[route], 0.5), 1e-9)
            out.append(f"| {route} | {summary(single[route])} | {summary(floor[route])} | "
                       f"{ratio:.1f} |")
        out += ["\n## Closed loop (each conversation waits for its answer)\n",
                "| conversations | messages/s | latency | errors |", "|---|---|---|---|"]
        for users in (1, 10, 20, 50, 100):
            load = asyncio.run(closed_loop(servers.url, users, args.seconds))
            out.append(f"| {users} | {load.rate:.1f} | {summary(load.latencies)} | "
                       f"{load.errors} |")
        rates: list[float] = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 120, 150, 200]
        best, rows = step_up(servers.url, rates, args.seconds)
        out += [f"\n## Open loop, one replica (SLO: p95 ≤ {SLO_MS:.0f} ms, no errors)\n",
                "| offered msg/s | answered msg/s | latency | errors | held |",
                "|---|---|---|---|---|", *rows,
                f"\nHighest rate within the SLO on one replica: **{best:.0f} messages/s**.\n"]
        samples = []
        load = Load()

        async def soak() -> None:
            task = asyncio.create_task(closed_loop(servers.url, 50, args.soak))
            while not task.done():
                samples.append((resident_mb(servers.rasa.pid), resident_mb(servers.actions.pid)))
                await asyncio.sleep(min(10.0, args.soak / 10))
            result = await task
            load.latencies, load.errors, load.seconds = (
                result.latencies, result.errors, result.seconds)

        asyncio.run(soak())
        out += [f"## Soak: 50 conversations for {args.soak:.0f} s\n",
                f"{len(load.latencies)} messages, {load.errors} errors, latency "
                f"{summary(load.latencies)}; resident memory of the Rasa server "
                f"{samples[0][0]:.0f} → {samples[-1][0]:.0f} MB, action server "
                f"{samples[0][1]:.0f} → {samples[-1][1]:.0f} MB.\n",
                f"Peak memory: Rasa server {peak_memory_mb(servers.rasa.pid):.0f} MB, "
                f"action server {peak_memory_mb(servers.actions.pid):.0f} MB.\n"]
    if args.cluster:
        from scripts.cluster import running_cluster

        for replicas in (1, 2):
            with tempfile.TemporaryDirectory() as tmp, running_cluster(
                replicas, var=Path(tmp)
            ) as cluster:
                best, rows = step_up(cluster.url, rates, args.seconds)
                out += [f"## Open loop through nginx, {replicas} replica(s) "
                        f"(SQL tracker store, Redis lock store)\n",
                        "| offered msg/s | answered msg/s | latency | errors | held |",
                        "|---|---|---|---|---|", *rows,
                        f"\nHighest rate within the SLO: **{best:.0f} messages/s**.\n"]
    text = "\n".join(out)
    (ROOT / "docs" / "bench.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
