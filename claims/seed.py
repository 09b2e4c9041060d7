"""Deterministic demo data: a few fixed demo claims plus N generated ones.

Usage: python -m claims.seed [--claims N] [--reset] [--if-empty]

The same seed gives the same rows on SQLite and PostgreSQL. Rows are written in bulk
(Core inserts with explicit ids, 5,000 claims per transaction) so a million claims take
minutes. The fixed demo claims are listed in the README for people to try.
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Iterator

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Engine
from tqdm import tqdm

from claims import demo_data as words
from claims.db import get_engine
from claims.migrate import reset_schema, upgrade
from claims.models import (
    Claim,
    ClaimDocument,
    ClaimEvent,
    Customer,
    Payment,
    Policy,
)
from claims.privacy import keyed_hash, mask_account, mask_name, mask_phone
from claims.products import LINES, ProductLine, required_documents
from claims.stages import Stage

ANCHOR = datetime(2026, 11, 20, 10, 0)  # "today" of the demo data
CHUNK = 5_000


@dataclass(frozen=True)
class DemoClaim:
    """A fixed demo claim: its number, stage and how to verify for it."""

    claim_number: str
    policy_number: str
    line: ProductLine
    cause: str
    stage: Stage
    phone_last4: str
    id_last6: str
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoPerson:
    """A fixed demo customer (the only people whose digits are known)."""

    name: str
    phone: str
    id_number: str
    claims: tuple[DemoClaim, ...] = field(default_factory=tuple)


def _person(name: str, phone: str, id_number: str, *claims: tuple[Any, ...]) -> DemoPerson:
    made = tuple(
        DemoClaim(number, policy, line, cause, stage, phone[-4:], id_number[-6:], missing)
        for number, policy, line, cause, stage, missing in claims
    )
    return DemoPerson(name, phone, id_number, made)


DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    _person(
        "张伟明", "13800138000", "110101198801011234",
        ("RDZA202600000101", "PDZA202600000101", ProductLine.MOTOR_COMMERCIAL, "追尾碰撞",
         Stage.PENDING_DOCS, ("交通事故认定书或事故协议书", "维修发票")),
        ("RDAA202600000102", "PDAA202600000102", ProductLine.MOTOR_COMPULSORY, "刮擦",
         Stage.CLOSED, ()),
    ),
    _person(
        "李秀兰", "13600136000", "310104197505203322",
        ("RYAA202600000201", "PYAA202600000201", ProductLine.MEDICAL, "住院治疗",
         Stage.PAYING, ()),
    ),
    _person(
        "王建国", "13700137000", "440106198212125518",
        ("REAA202600000301", "PEAA202600000301", ProductLine.ACCIDENT, "意外骨折",
         Stage.REJECTED, ()),
    ),
    _person(
        "刘芳", "13500135000", "510107199003036647",
        ("RZJA202600000401", "PZJA202600000401", ProductLine.CRITICAL_ILLNESS, "确诊重大疾病",
         Stage.REVIEWING, ()),
    ),
)

# The stage path leading to each final stage (the timeline a claim has walked).
_PATHS: dict[Stage, tuple[Stage, ...]] = {
    Stage.REPORTED: (Stage.REPORTED,),
    Stage.ACCEPTED: (Stage.REPORTED, Stage.ACCEPTED),
    Stage.INVESTIGATING: (Stage.REPORTED, Stage.ACCEPTED, Stage.INVESTIGATING),
    Stage.PENDING_DOCS: (Stage.REPORTED, Stage.ACCEPTED, Stage.INVESTIGATING, Stage.PENDING_DOCS),
    Stage.REVIEWING: (Stage.REPORTED, Stage.ACCEPTED, Stage.INVESTIGATING, Stage.REVIEWING),
    Stage.APPROVED: (
        Stage.REPORTED, Stage.ACCEPTED, Stage.INVESTIGATING, Stage.REVIEWING, Stage.APPROVED,
    ),
    Stage.REJECTED: (
        Stage.REPORTED, Stage.ACCEPTED, Stage.INVESTIGATING, Stage.REVIEWING, Stage.REJECTED,
    ),
    Stage.PAYING: (
        Stage.REPORTED, Stage.ACCEPTED, Stage.INVESTIGATING, Stage.REVIEWING, Stage.APPROVED,
        Stage.PAYING,
    ),
    Stage.CLOSED: (
        Stage.REPORTED, Stage.ACCEPTED, Stage.INVESTIGATING, Stage.REVIEWING, Stage.APPROVED,
        Stage.PAYING, Stage.CLOSED,
    ),
    Stage.WITHDRAWN: (Stage.REPORTED, Stage.ACCEPTED, Stage.WITHDRAWN),
}

_STAGE_WEIGHTS: dict[Stage, int] = {
    Stage.REPORTED: 4, Stage.ACCEPTED: 5, Stage.INVESTIGATING: 7, Stage.PENDING_DOCS: 8,
    Stage.REVIEWING: 8, Stage.APPROVED: 3, Stage.REJECTED: 5, Stage.PAYING: 3,
    Stage.CLOSED: 55, Stage.WITHDRAWN: 2,
}


class Generator:
    """Makes rows for customers, policies and claims from one random seed."""

    def __init__(self, seed: int) -> None:
        """Starts a generator whose output depends only on the seed."""
        self.rng = random.Random(seed)
        self.ids: dict[str, int] = {
            "customers": 0, "policies": 0, "claims": 0, "events": 0, "documents": 0,
            "payments": 0,
        }
        self._lines = list(words.LINE_WEIGHTS)
        self._line_weights = list(words.LINE_WEIGHTS.values())
        self._stages = list(_STAGE_WEIGHTS)
        self._stage_weights = list(_STAGE_WEIGHTS.values())

    def _next(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    # --- people -------------------------------------------------------------------
    def name(self) -> str:
        """Draws a Chinese full name of two or three characters."""
        given_len = 1 if self.rng.random() < 0.3 else 2
        return self.rng.choice(words.SURNAMES) + "".join(
            self.rng.choice(words.GIVEN) for _ in range(given_len)
        )

    def phone(self) -> str:
        """Draws a mainland mobile number."""
        return self.rng.choice(("13", "15", "17", "18", "19")) + "".join(
            str(self.rng.randrange(10)) for _ in range(9)
        )

    def id_number(self) -> str:
        """Draws an 18-character ID number (checksum not computed: demo only)."""
        birth = date(1950, 1, 1) + timedelta(days=self.rng.randrange(365 * 55))
        tail = "".join(str(self.rng.randrange(10)) for _ in range(3))
        return f"{self.rng.randrange(110000, 660000)}{birth:%Y%m%d}{tail}" + self.rng.choice(
            "0123456789X"
        )

    def customer_row(self, name: str, phone: str, id_number: str) -> dict[str, Any]:
        """Returns a customer row holding only masked and hashed personal data."""
        salt = "%016x" % self.rng.getrandbits(64)
        return {
            "id": self._next("customers"),
            "name_masked": mask_name(name),
            "phone_masked": mask_phone(phone),
            "phone_hash": keyed_hash("phone:" + phone),
            "salt": salt,
            "phone_last4_hash": keyed_hash(phone[-4:], salt),
            "id_last6_hash": keyed_hash(id_number[-6:].upper(), salt),
        }

    # --- policies and claims ------------------------------------------------------
    def plate(self) -> str:
        """Draws a licence plate such as 粤B3K7Q9."""
        chars = "".join(
            self.rng.choice(words.PLATE_LETTERS + "0123456789") for _ in range(4)
        )
        return self.rng.choice(words.PLATE_PREFIXES) + str(self.rng.randrange(10)) + chars

    def place(self) -> str:
        """Draws a street address."""
        city, districts = self.rng.choice(words.CITIES)
        return (
            f"{city}{self.rng.choice(districts)}{self.rng.choice(words.ROADS)}"
            f"{self.rng.randrange(1, 800)}号附近"
        )

    def policy_row(
        self, line: ProductLine, holder: int, insured: int, number: str | None = None,
        start: date | None = None,
    ) -> dict[str, Any]:
        """Returns a policy row of a line; motor policies get a plate."""
        pid = self._next("policies")
        years = 1 if LINES[line].is_motor or line == ProductLine.TRAVEL else 20
        back = self.rng.randrange(120, 360 if years == 1 else 2000)
        start = start or (ANCHOR.date() - timedelta(days=back))
        code = LINES[line].code
        return {
            "id": pid,
            "policy_number": number or f"P{code}{start.year}{10_000_000 + pid:08d}",
            "product_line": line.value,
            "product_name": self.rng.choice(words.PRODUCT_NAMES[line]),
            "holder_id": holder,
            "insured_id": insured,
            "start_date": start,
            "end_date": start.replace(year=start.year + years) - timedelta(days=1),
            "status": "有效",
            "sum_insured": Decimal(self.rng.choice((50, 100, 200, 300, 500)) * 10_000),
            "plate_number": self.plate() if LINES[line].is_motor else None,
        }

    def claim_rows(
        self,
        policy: dict[str, Any],
        claimant: int,
        stage: Stage,
        number: str | None = None,
        cause: str | None = None,
        missing: tuple[str, ...] = (),
    ) -> Iterator[tuple[Any, dict[str, Any]]]:
        """Yields (table, row) pairs for one claim with its timeline, documents, payment."""
        line = ProductLine(policy["product_line"])
        rng = self.rng
        choices = words.CAUSES[line]
        picked = next((c for c in choices if c[0] == cause), None) or rng.choice(choices)
        cause, low, high = picked
        cid = self._next("claims")
        path = _PATHS[stage]
        # Walk back from the last stage change so every time is before the anchor.
        times = [ANCHOR - timedelta(minutes=rng.randrange(120, 60 * 24 * 20))]
        for _ in path[1:]:
            times.append(times[-1] - timedelta(minutes=rng.randrange(240, 60 * 24 * 12)))
        times.reverse()
        reported = times[0]
        accident = reported - timedelta(minutes=rng.randrange(20, 60 * 40))
        claimed = Decimal(rng.randrange(low, high + 1)).quantize(Decimal("1"))
        approved = paid = None
        if stage in (Stage.APPROVED, Stage.PAYING, Stage.CLOSED):
            approved = (claimed * Decimal(rng.uniform(0.75, 1.0))).quantize(Decimal("0.01"))
        rejection = None
        if stage == Stage.REJECTED or (stage == Stage.CLOSED and rng.random() < 0.1):
            rejection = rng.choice(words.REJECTION_REASONS[line])
            approved = Decimal("0.00") if stage == Stage.CLOSED else None
        if stage == Stage.CLOSED and approved:
            paid = approved
        motor = LINES[line].is_motor
        yield Claim, {
            "id": cid,
            "claim_number": number or f"R{LINES[line].code}{reported.year}{10_000_000 + cid:08d}",
            "policy_id": policy["id"],
            "claimant_id": claimant,
            "reported_at": reported,
            "accident_at": accident,
            "cause": cause,
            "place": self.place(),
            "description": "",
            "stage": stage.value,
            "stage_since": times[-1],
            "amount_claimed": claimed,
            "amount_approved": approved,
            "amount_paid": paid,
            "rejection_reason": rejection,
            "channel": rng.choice(("电话", "电话", "微信", "网页", "柜面")),
            "injuries": "受伤" in cause or "伤残" in cause,
            "third_party": motor and cause in ("追尾碰撞", "刮擦", "人员受伤"),
            "police_attended": (rng.random() < 0.5) if motor else None,
            "plate_number": policy["plate_number"],
            "contact_phone_masked": None,
            "contact_phone_enc": None,
        }
        for step, at in zip(path, times, strict=True):
            yield ClaimEvent, {
                "id": self._next("events"),
                "claim_id": cid,
                "stage": step.value,
                "at": at,
                "note": rng.choice(words.STAGE_NOTES[step.value]),
            }
        docs = required_documents(line, cause)
        if stage == Stage.PENDING_DOCS and not missing:
            missing = tuple(rng.sample(docs[3:], k=min(2, len(docs) - 3)))
        early = stage in (Stage.REPORTED, Stage.ACCEPTED, Stage.INVESTIGATING)
        for name in docs:
            received = None
            if name not in missing and not (early and rng.random() < 0.5):
                received = times[min(1, len(times) - 1)]
            yield ClaimDocument, {
                "id": self._next("documents"),
                "claim_id": cid,
                "name": name,
                "required": True,
                "received_at": received,
            }
        if stage in (Stage.PAYING, Stage.CLOSED) and approved:
            direct = motor and rng.random() < 0.4
            account = "".join(str(rng.randrange(10)) for _ in range(16))
            payee = "合作维修企业" if direct else rng.choice(words.BANKS)
            yield Payment, {
                "id": self._next("payments"),
                "claim_id": cid,
                "amount": approved,
                "method": "直付修理厂" if direct else "银行转账",
                "account_masked": mask_account(payee, account),
                "status": "支付中" if stage == Stage.PAYING else "已到账",
                "paid_at": None if stage == Stage.PAYING else times[-1],
            }

    # --- whole data sets ----------------------------------------------------------
    def demo_rows(self) -> Iterator[tuple[Any, dict[str, Any]]]:
        """Yields the fixed demo customers, policies and claims."""
        for person in DEMO_PEOPLE:
            customer = self.customer_row(person.name, person.phone, person.id_number)
            yield Customer, customer
            for demo in person.claims:
                policy = self.policy_row(
                    demo.line, customer["id"], customer["id"], demo.policy_number,
                    start=date(2026, 3, 1),
                )
                yield Policy, policy
                yield from self.claim_rows(
                    policy, customer["id"], demo.stage, demo.claim_number, demo.cause,
                    demo.missing,
                )

    def random_rows(self, claims: int) -> Iterator[tuple[Any, dict[str, Any]]]:
        """Yields about 0.6 customers and 0.8 policies per claim, then the claims."""
        rng = self.rng
        policies: list[dict[str, Any]] = []
        customers: list[int] = []
        for _ in range(claims):
            if not customers or rng.random() < 0.6:
                row = self.customer_row(self.name(), self.phone(), self.id_number())
                customers.append(row["id"])
                yield Customer, row
            if not policies or rng.random() < 0.8:
                holder = rng.choice(customers[-50:])
                insured = holder if rng.random() < 0.8 else rng.choice(customers[-50:])
                line = rng.choices(self._lines, self._line_weights)[0]
                policy = self.policy_row(line, holder, insured)
                policies.append(policy)
                policies = policies[-200:]
                yield Policy, policy
            policy = rng.choice(policies[-20:])
            stage = rng.choices(self._stages, self._stage_weights)[0]
            yield from self.claim_rows(policy, policy["insured_id"], stage)


_ORDER = (Customer, Policy, Claim, ClaimEvent, ClaimDocument, Payment)


def _write(engine: Engine, rows: Iterator[tuple[Any, dict[str, Any]]], total: int) -> None:
    buffers: dict[Any, list[dict[str, Any]]] = {model: [] for model in _ORDER}
    bar = tqdm(total=total, unit="claims", disable=total < 1000 or not sys.stderr.isatty())

    def flush() -> None:
        with engine.begin() as conn:
            for model in _ORDER:
                if buffers[model]:
                    conn.execute(insert(model.__table__), buffers[model])
                    buffers[model].clear()

    pending = 0
    for model, row in rows:
        buffers[model].append(row)
        if model is Claim:
            pending += 1
            bar.update(1)
            if pending >= CHUNK:
                flush()
                pending = 0
    flush()
    bar.close()
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            for model in _ORDER:
                table = model.__tablename__
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                    )
                )


def is_empty(engine: Engine) -> bool:
    """Tells whether the claims table has no rows yet."""
    with engine.connect() as conn:
        return not conn.execute(select(func.count()).select_from(Claim.__table__)).scalar()


def seed(engine: Engine, claims: int, seed_value: int = 20261120) -> None:
    """Writes the demo claims and `claims` generated ones into an empty database."""
    gen = Generator(seed_value)

    def rows() -> Iterator[tuple[Any, dict[str, Any]]]:
        yield from gen.demo_rows()
        yield from gen.random_rows(claims)

    _write(engine, rows(), claims)


def main(argv: list[str] | None = None) -> int:
    """Creates the schema if needed and fills the database with demo data."""
    parser = argparse.ArgumentParser(description="Fill the claims database with demo data.")
    parser.add_argument("--claims", type=int, default=2000, help="generated claims (default 2000)")
    parser.add_argument("--seed", type=int, default=20261120)
    parser.add_argument("--reset", action="store_true", help="drop all data first")
    parser.add_argument("--if-empty", action="store_true", help="do nothing if data exists")
    args = parser.parse_args(argv)
    engine = get_engine()
    if args.reset:
        reset_schema()
    else:
        upgrade()
    if not is_empty(engine):
        if args.if_empty:
            print("claims database already has data; left as it is")
            return 0
        print("claims database is not empty: use --reset to start over", file=sys.stderr)
        return 1
    seed(engine, args.claims, args.seed)
    print(f"claims database ready: {args.claims} generated claims plus the demo claims")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
