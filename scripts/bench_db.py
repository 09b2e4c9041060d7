"""Benchmarks status look-ups at the repository level (`make bench-db`).

Fills a database with N generated claims (1,000,000 by default) unless it already holds
them, then times, on one connection pool: the full status read of a claim (claim, policy,
customer, timeline, documents, payments), a verification attempt, and the claims of one
customer. SQLite goes to var/bench/claims.db; PostgreSQL to BENCH_POSTGRES_URL (or
TEST_POSTGRES_URL's server, database claims_bench) when one is reachable.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from claims.db import engine_for, new_session
from claims.migrate import upgrade
from claims.models import Claim
from claims.repository import claims_of_customer, get_claim
from claims.seed import seed
from claims.verification import verify
from settings import get_settings, reset_settings

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], share: float) -> float:
    """Returns a percentile by the nearest-rank method."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def prepare(url: str, claims: int) -> None:
    """Creates the schema and seeds `claims` generated claims if not done already."""
    os.environ["CLAIMS_DB_URL"] = url
    reset_settings()
    upgrade(url)
    engine = engine_for(url, get_settings().claims_db_timeout)
    with engine.connect() as conn:
        present = conn.execute(select(func.count()).select_from(Claim.__table__)).scalar_one()
    if present >= claims:
        print(f"  {present:,} claims already there")
        return
    if present:
        sys.exit(f"{url} holds {present:,} claims, fewer than {claims:,}: drop it first")
    start = time.perf_counter()
    seed(engine, claims)
    print(f"  seeded {claims:,} claims in {time.perf_counter() - start:.0f} s")
    if url.startswith("postgresql"):
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def timed(label: str, runs: int, work: Callable[[Session, int], object]) -> str:
    """Runs work(session, i) `runs` times, one session each, and formats the latencies."""
    latencies = []
    for i in range(runs):
        start = time.perf_counter()
        with new_session() as session, session.begin():
            work(session, i)
        latencies.append((time.perf_counter() - start) * 1000)
    return (f"| {label} | {statistics.median(latencies):.2f} | "
            f"{percentile(latencies, 0.95):.2f} | {percentile(latencies, 0.99):.2f} |")


def bench(url: str, claims: int, runs: int) -> list[str]:
    """Times the three look-ups on one database."""
    prepare(url, claims)
    engine = engine_for(url, get_settings().claims_db_timeout)
    with engine.connect() as conn:
        numbers = conn.execute(
            select(Claim.claim_number, Claim.claimant_id).order_by(func.random()).limit(runs)
        ).all()
    rng = random.Random(7)
    rows = [
        # Random claims of a million: the first read of each touches pages no query has
        # touched yet (as a claim nobody asked about for months); the second finds them in
        # memory (as the claims customers are chasing this week).
        timed("status read (get_claim), first read of each claim", runs,
              lambda s, i: get_claim(s, claim_number=numbers[i % len(numbers)][0])),
        timed("status read (get_claim), read again", runs,
              lambda s, i: get_claim(s, claim_number=numbers[i % len(numbers)][0])),
        timed("verification attempt", runs,
              lambda s, i: verify(s, ref=numbers[i % len(numbers)][0],
                                  digits=f"{rng.randrange(10000):04d}")),
        timed("claims of a customer", runs,
              lambda s, i: claims_of_customer(s, customer_id=numbers[i % len(numbers)][1])),
    ]
    return rows


def postgres_url() -> str | None:
    """Returns the benchmark database on the configured PostgreSQL server, creating it."""
    url = os.environ.get("BENCH_POSTGRES_URL")
    if url:
        return url
    admin = os.environ.get("TEST_POSTGRES_URL")
    if not admin:
        return None
    engine = create_engine(admin, future=True, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = 'claims_bench'")
        ).first()
        if not exists:
            conn.execute(text("CREATE DATABASE claims_bench"))
    engine.dispose()
    return admin.rsplit("/", 1)[0] + "/claims_bench"


def main() -> int:
    """Benchmarks SQLite and, if available, PostgreSQL; prints a Markdown table."""
    parser = argparse.ArgumentParser(description="Benchmark status look-ups.")
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args()
    targets = [("SQLite", f"sqlite:///{ROOT / 'var' / 'bench' / 'claims.db'}")]
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    pg = postgres_url()
    if pg:
        targets.append(("PostgreSQL", pg))
    lines = []
    for name, url in targets:
        print(f"{name}: {url.split('@')[-1]}")
        lines += [f"\n{name}, {args.claims:,} claims, {args.runs} look-ups each:", "",
                  "| look-up | p50 ms | p95 ms | p99 ms |", "|---|---|---|---|",
                  *bench(url, args.claims, args.runs)]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
