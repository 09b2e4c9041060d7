from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select

from claims import repository
from claims.db import engine_for, new_session
from claims.models import AccessLog, Claim, ClaimDocument, ClaimEvent, Payment
from claims.repository import NewClaim
from claims.seed import DEMO_PEOPLE, Generator
from claims.stages import Stage


def test_demo_claim_has_timeline_missing_documents_and_masked_people(seeded_db: str) -> None:
    with new_session() as s, s.begin():
        claim = repository.get_claim(s, claim_number="RDZA202600000101")
    assert claim is not None
    assert claim.stage == Stage.PENDING_DOCS.value and claim.stage_label == "待补充材料"
    assert [e.stage for e in claim.timeline][-1] == Stage.PENDING_DOCS.value
    assert [e.at for e in claim.timeline] == sorted(e.at for e in claim.timeline)
    assert claim.missing_documents == ["交通事故认定书或事故协议书", "维修发票"]
    assert claim.claimant_masked == "张*明" and claim.phone_masked == "138****8000"


def test_paying_claim_shows_payment_to_masked_account(seeded_db: str) -> None:
    with new_session() as s, s.begin():
        claim = repository.get_claim(s, claim_number="RYAA202600000201")
    assert claim is not None and claim.stage == Stage.PAYING.value
    (payment,) = claim.payments
    assert payment.status == "支付中" and "尾号" in payment.account_masked
    assert isinstance(payment.amount, Decimal) and payment.amount == claim.amount_approved


def test_rejected_claim_has_a_reason(seeded_db: str) -> None:
    with new_session() as s, s.begin():
        claim = repository.get_claim(s, claim_number="REAA202600000301")
    assert claim is not None and claim.rejection_reason


def test_unknown_claim_is_none(seeded_db: str) -> None:
    with new_session() as s, s.begin():
        assert repository.get_claim(s, claim_number="RDZA209900000000") is None


def test_lists_of_claims_by_customer_policy_and_phone(seeded_db: str) -> None:
    from claims.privacy import keyed_hash

    with new_session() as s, s.begin():
        mine = repository.claims_of_customer(s, customer_id=1)
        on_policy = repository.claims_of_policy(s, policy_number="PDZA202600000101")
        by_phone = repository.claims_of_phone(s, phone_hash=keyed_hash("phone:13800138000"))
    assert {c.claim_number for c in mine} == {"RDZA202600000101", "RDAA202600000102"}
    assert [c.claim_number for c in on_policy] == ["RDZA202600000101"]
    assert {c.claim_number for c in by_phone} == {c.claim_number for c in mine}


def test_access_is_logged(seeded_db: str) -> None:
    with new_session() as s, s.begin():
        repository.log_access(
            s, actor_type="agent", actor="agent01", action="lookup", claim_number="RDZA202600000101"
        )
    with new_session() as s:
        row = s.execute(select(AccessLog)).scalar_one()
    assert (row.actor, row.claim_number, row.action) == ("agent01", "RDZA202600000101", "lookup")


def test_policy_check_knows_the_period(seeded_db: str) -> None:
    with new_session() as s, s.begin():
        inside = repository.check_policy(s, policy_number="PDZA202600000101", on=date(2026, 11, 1))
        before = repository.check_policy(s, policy_number="PDZA202600000101", on=date(2026, 1, 1))
        missing = repository.check_policy(s, policy_number="PDZA209900000000", on=date(2026, 11, 1))
    assert inside and inside.in_force and inside.is_motor
    assert before and not before.in_force
    assert missing is None


def test_create_claim_registers_stage_timeline_and_checklist(seeded_db: str) -> None:
    new = NewClaim(
        policy_number="PDZA202600000101",
        accident_at=datetime(2026, 11, 20, 15, 0),
        cause="追尾碰撞",
        place="北京市朝阳区建国路",
        description="等红灯时被后车追尾",
        injuries=True,
        third_party=True,
        contact_phone_masked="138****8000",
        contact_phone_enc="token",
        plate_number="京A12345",
        police_attended=True,
    )
    with new_session() as s, s.begin():
        view = repository.create_claim(s, new=new)
    assert view.claim_number.startswith("RDZA2026") and view.stage == Stage.REPORTED.value
    assert [e.label for e in view.timeline] == ["已报案"]
    assert "伤者病历及医疗费用发票" in view.missing_documents
    with new_session() as s:
        claim_id = s.execute(
            select(Claim.id).where(Claim.claim_number == view.claim_number)
        ).scalar_one()
        docs = s.execute(
            select(func.count()).where(ClaimDocument.claim_id == claim_id)
        ).scalar_one()
        events = s.execute(select(func.count()).where(ClaimEvent.claim_id == claim_id)).scalar_one()
    assert docs == len(view.missing_documents) and events == 1
    # A second claim gets the next number.
    with new_session() as s, s.begin():
        second = repository.create_claim(s, new=new)
    assert int(second.claim_number[-8:]) == int(view.claim_number[-8:]) + 1


def test_seed_is_deterministic_and_covers_every_line_and_stage(db_url: str) -> None:
    first = [row for row in Generator(7).random_rows(300)]
    second = [row for row in Generator(7).random_rows(300)]
    assert first == second
    claims = [row for model, row in first if model is Claim]
    assert {c["stage"] for c in claims} == {s.value for s in Stage}
    policies = [row for model, row in first if model.__name__ == "Policy"]
    assert len({p["product_line"] for p in policies}) == 8


def test_seeded_rows_are_consistent(seeded_db: str) -> None:
    with engine_for(seeded_db).connect() as conn:
        claims = conn.execute(select(func.count()).select_from(Claim.__table__)).scalar_one()
        paid = conn.execute(select(func.count()).select_from(Payment.__table__)).scalar_one()
    demo = sum(len(p.claims) for p in DEMO_PEOPLE)
    assert claims == 200 + demo and paid > 0
