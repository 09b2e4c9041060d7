"""The status actions against a real seeded database, with real rasa-sdk trackers."""

import json
from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from bot.actions.claim_status import ActionClaimStatus, ActionListClaims, ValidateClaimStatusForm
from claims.db import new_session
from claims.models import AccessLog
from tests.conftest import make_tracker

FORM = "claim_status_form"


def slots_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def validate(text: str, domain: dict, **slots: Any) -> tuple[dict, CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, slots=slots, active_loop=FORM)
    events = await ValidateClaimStatusForm().run(dispatcher, tracker, domain)
    return slots_of(events), dispatcher


async def answer(domain: dict, **slots: Any) -> tuple[dict, CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = await ActionClaimStatus().run(dispatcher, make_tracker("", slots=slots), domain)
    return slots_of(events), dispatcher


def said(dispatcher: CollectingDispatcher) -> str:
    return "\n".join(
        (m.get("text") or "") + json.dumps(m.get("custom") or {}, ensure_ascii=False)
        for m in dispatcher.messages
    )


@pytest.mark.asyncio
async def test_claim_number_typed_messily_is_accepted(seeded_db: str, domain: dict) -> None:
    slots, _ = await validate(
        "我的报案号是 rdza 2026 0000 0101", domain, requested_slot="claim_ref"
    )
    assert slots["claim_ref"] == "RDZA202600000101"


@pytest.mark.asyncio
async def test_right_digits_verify_without_keeping_them(seeded_db: str, domain: dict) -> None:
    slots, _ = await validate(
        "8000", domain, requested_slot="verification_code", claim_ref="RDZA202600000101"
    )
    assert slots["verification_code"] == "verified"
    assert slots["verified_customer"] == "1"
    assert "8000" not in json.dumps(slots)


@pytest.mark.asyncio
async def test_status_answer_is_masked_and_carries_a_timeline_card(
    seeded_db: str, domain: dict
) -> None:
    slots, dispatcher = await answer(
        domain, claim_ref="RDZA202600000101", verification_code="verified", verified_customer="1"
    )
    text = dispatcher.messages[0]["text"]
    assert "待补充材料" in text and "维修发票" in text and "张*明" in text
    assert "张伟明" not in text and "13800138000" not in text and "8000" not in text
    card = dispatcher.messages[0]["custom"]
    assert card["type"] == "claim_status" and card["missing_documents"]
    assert [e["label"] for e in card["timeline"]][0] == "已报案"
    assert slots["claim_ref"] is None and slots["verification_code"] is None
    with new_session() as s:
        log = s.execute(select(AccessLog)).scalar_one()
    assert log.claim_number == "RDZA202600000101" and log.actor.startswith("conv:")


@pytest.mark.asyncio
async def test_payment_and_rejection_details(seeded_db: str, domain: dict) -> None:
    _, paying = await answer(
        domain, claim_ref="RYAA202600000201", verification_code="verified", verified_customer="2"
    )
    assert "支付中" in said(paying) and "尾号" in said(paying) and "第二十三条" in said(paying)
    _, rejected = await answer(
        domain, claim_ref="REAA202600000301", verification_code="verified", verified_customer="3"
    )
    assert "复核" in said(rejected) and "第二十四条" in said(rejected)


@pytest.mark.asyncio
async def test_nothing_is_disclosed_without_verification(seeded_db: str, domain: dict) -> None:
    _, dispatcher = await answer(domain, claim_ref="RDZA202600000101", verification_code=None)
    assert dispatcher.messages == []


@pytest.mark.asyncio
async def test_wrong_digits_and_unknown_claims_get_the_same_reply(
    seeded_db: str, domain: dict
) -> None:
    real, real_said = await validate(
        "1111", domain, requested_slot="verification_code", claim_ref="RDZA202600000101"
    )
    fake, fake_said = await validate(
        "1111", domain, requested_slot="verification_code", claim_ref="RDZA202688888888"
    )
    assert real == fake
    assert said(real_said) == said(fake_said) and "还可以再试 2 次" in said(real_said)


@pytest.mark.asyncio
async def test_third_wrong_answer_locks_and_offers_a_human(seeded_db: str, domain: dict) -> None:
    failures = 0
    for digits in ("1111", "2222", "3333"):
        slots, _ = await validate(
            digits, domain, requested_slot="verification_code",
            claim_ref="RDZA202600000101", verify_failures=failures,
        )
        failures = slots["verify_failures"]
    assert slots["verification_locked"] is True and slots["requested_slot"] is None
    _, dispatcher = await answer(
        domain, verification_locked=True, locked_until=slots["locked_until"]
    )
    assert "锁定" in said(dispatcher) and "转人工" in said(dispatcher)
    # The same conversation cannot start over with another claim number.
    slots, _ = await validate(
        "RYAA202600000201", domain, requested_slot="claim_ref", verify_failures=3
    )
    assert slots["verification_locked"] is True


@pytest.mark.asyncio
async def test_verified_customer_skips_verification_for_own_claims_only(
    seeded_db: str, domain: dict
) -> None:
    own, _ = await validate(
        "RDAA202600000102", domain, requested_slot="claim_ref", verified_customer="1"
    )
    assert own["verification_code"] == "verified"
    other, _ = await validate(
        "RYAA202600000201", domain, requested_slot="claim_ref", verified_customer="1"
    )
    assert other["verification_code"] is None


@pytest.mark.asyncio
async def test_policy_number_lists_or_answers(seeded_db: str, domain: dict) -> None:
    _, dispatcher = await answer(
        domain, claim_ref="PDZA202600000101", verification_code="verified", verified_customer="1"
    )
    assert dispatcher.messages[0]["custom"]["claim_number"] == "RDZA202600000101"


@pytest.mark.asyncio
async def test_all_my_claims_after_verification(seeded_db: str, domain: dict) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "我名下所有的理赔", intent="list_claims", slots={"verified_customer": "1"}
    )
    await ActionListClaims().run(dispatcher, tracker, domain)
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert len(titles) == 2 and any("RDAA202600000102" in t for t in titles)
    before = CollectingDispatcher()
    events = await ActionListClaims().run(before, make_tracker("我名下所有的理赔"), domain)
    assert SlotSet("list_all", True) in events and "验证" in said(before)


@pytest.mark.asyncio
async def test_database_down_gives_an_apology_and_the_hotline(
    settings_env, domain: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    from settings import reset_settings

    monkeypatch.setenv("CLAIMS_DB_URL", "postgresql+psycopg2://nobody@127.0.0.1:9/none")
    monkeypatch.setenv("CLAIMS_DB_TIMEOUT", "1")
    reset_settings()
    slots, dispatcher = await validate(
        "8000", domain, requested_slot="verification_code", claim_ref="RDZA202600000101"
    )
    assert "95518" in said(dispatcher) and "Traceback" not in said(dispatcher)
    assert slots["requested_slot"] is None
