"""Identity verification before a claim is disclosed, with a lock-out that survives restarts.

The customer gives a claim or policy number and the last 4 digits of the registered phone
(or the last 6 characters of the ID number). Failures are counted per reference in the
database, whether or not the reference exists, so the answers never reveal which claim
numbers are real.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from claims import clock
from claims.models import Claim, Customer, Policy, VerificationLock
from claims.numbers import is_claim_number
from claims.privacy import digits_match, keyed_hash
from settings import get_settings


class Outcome(str, enum.Enum):
    """How a verification attempt ended."""

    VERIFIED = "verified"
    WRONG = "wrong"  # wrong digits, or a reference that does not exist: same answer
    LOCKED = "locked"  # too many failures; try again after `locked_until`


@dataclass(frozen=True)
class Verification:
    """The result of one attempt."""

    outcome: Outcome
    customer_id: int | None = None
    attempts_left: int = 0
    locked_until: datetime | None = None


def _candidates(session: Session, ref: str) -> list[Customer]:
    """The people who may verify for a reference: claimant, policyholder and insured."""
    if is_claim_number(ref):
        row = session.execute(
            select(Claim.claimant_id, Policy.holder_id, Policy.insured_id)
            .join(Policy, Claim.policy_id == Policy.id)
            .where(Claim.claim_number == ref)
        ).one_or_none()
    else:
        row = session.execute(
            select(Policy.holder_id, Policy.insured_id).where(Policy.policy_number == ref)
        ).one_or_none()
    if row is None:
        return []
    ids = list(dict.fromkeys(tuple(row)))
    found = session.execute(select(Customer).where(Customer.id.in_(ids))).scalars().all()
    return sorted(found, key=lambda c: ids.index(c.id))


def _matches(customer: Customer, digits: str) -> bool:
    if len(digits) == 4:
        return digits_match(digits, customer.phone_last4_hash, customer.salt)
    return digits_match(digits, customer.id_last6_hash, customer.salt)


def lock_state(session: Session, *, ref: str) -> datetime | None:
    """Returns when a reference's lock-out ends, or None if it is not locked."""
    lock = session.execute(
        select(VerificationLock).where(VerificationLock.ref_hash == keyed_hash("ref:" + ref))
    ).scalar_one_or_none()
    now = clock.now()
    if lock and lock.locked_until and lock.locked_until > now:
        return lock.locked_until
    return None


def verify(session: Session, *, ref: str, digits: str) -> Verification:
    """Checks the digits against a claim or policy number and counts failures."""
    settings = get_settings()
    now = clock.now()
    ref_hash = keyed_hash("ref:" + ref)
    lock = session.execute(
        select(VerificationLock).where(VerificationLock.ref_hash == ref_hash).with_for_update()
    ).scalar_one_or_none()
    if lock and lock.locked_until and lock.locked_until > now:
        return Verification(Outcome.LOCKED, locked_until=lock.locked_until)
    if lock and lock.locked_until and lock.locked_until <= now:
        lock.failures, lock.locked_until = 0, None

    customer = next((c for c in _candidates(session, ref) if _matches(c, digits)), None)
    if customer is not None:
        if lock:
            lock.failures, lock.updated_at = 0, now
        return Verification(Outcome.VERIFIED, customer_id=customer.id)

    if lock is None:
        lock = VerificationLock(ref_hash=ref_hash, failures=0, updated_at=now)
        session.add(lock)
    lock.failures += 1
    lock.updated_at = now
    if lock.failures >= settings.verify_max_attempts:
        lock.locked_until = now + timedelta(minutes=settings.verify_lock_minutes)
        return Verification(Outcome.LOCKED, locked_until=lock.locked_until)
    return Verification(
        Outcome.WRONG, attempts_left=settings.verify_max_attempts - lock.failures
    )
