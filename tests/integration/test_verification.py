from datetime import timedelta

import pytest

from claims import clock
from claims.db import new_session
from claims.verification import Outcome, lock_state, verify


def _verify(ref: str, digits: str):
    with new_session() as s, s.begin():
        return verify(s, ref=ref, digits=digits)


def test_phone_or_id_digits_verify_the_claimant(seeded_db: str) -> None:
    assert _verify("RDZA202600000101", "8000").outcome is Outcome.VERIFIED
    assert _verify("RDZA202600000101", "011234").outcome is Outcome.VERIFIED
    assert _verify("PDZA202600000101", "8000").outcome is Outcome.VERIFIED
    assert _verify("RDZA202600000101", "6000").outcome is Outcome.WRONG


def test_three_failures_lock_the_reference_and_the_lock_survives_restart(seeded_db: str) -> None:
    results = [_verify("RDZA202600000101", d) for d in ("1111", "2222", "3333")]
    assert [r.outcome for r in results] == [Outcome.WRONG, Outcome.WRONG, Outcome.LOCKED]
    assert [r.attempts_left for r in results[:2]] == [2, 1]
    # Even the right digits are refused while locked; the lock is in the database.
    assert _verify("RDZA202600000101", "8000").outcome is Outcome.LOCKED
    with new_session() as s:
        until = lock_state(s, ref="RDZA202600000101")
    assert until is not None and until > clock.now() + timedelta(minutes=25)


def test_lock_expires_after_the_cool_down(seeded_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for digits in ("1111", "2222", "3333"):
        _verify("RDZA202600000101", digits)
    later = clock.now() + timedelta(minutes=31)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert _verify("RDZA202600000101", "8000").outcome is Outcome.VERIFIED


def test_unknown_claim_numbers_behave_exactly_like_wrong_digits(seeded_db: str) -> None:
    real = [_verify("RDZA202600000101", d) for d in ("1111", "2222", "3333")]
    fake = [_verify("RDZA202699999999", d) for d in ("1111", "2222", "3333")]
    assert [(r.outcome, r.attempts_left) for r in real] == [
        (f.outcome, f.attempts_left) for f in fake
    ]


def test_success_resets_the_failure_count(seeded_db: str) -> None:
    _verify("RYAA202600000201", "1111")
    _verify("RYAA202600000201", "2222")
    assert _verify("RYAA202600000201", "6000").outcome is Outcome.VERIFIED
    assert _verify("RYAA202600000201", "1111").attempts_left == 2
