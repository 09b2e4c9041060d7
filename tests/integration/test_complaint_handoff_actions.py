"""Complaints and handoff against a real database: replies and the rows they create."""

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from bot.actions import messages as m
from bot.actions.complaint import (
    ActionComplaintAck,
    ActionComplaintDeclined,
    ActionRegisterComplaint,
    classify,
    is_angry,
)
from bot.actions.handoff import ActionHandoff
from claims import tickets
from claims.db import new_session
from claims.models import Complaint, Handoff
from tests.conftest import make_tracker, run_action


def slots_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def said(dispatcher: CollectingDispatcher) -> str:
    return "\n".join(m.get("text") or "" for m in dispatcher.messages)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("我的车险拖了两个月还没赔", "处理太慢"),
        ("凭什么拒赔，我要投诉", "被拒赔"),
        ("定损金额太低了根本不够修车", "赔付金额"),
        ("你们客服态度太差了", "服务态度"),
        ("我要投诉", ""),
    ],
)
def test_complaints_are_understood_by_topic(text: str, category: str) -> None:
    assert classify(text) == category


def test_anger_is_recognized() -> None:
    assert is_angry("什么垃圾公司！！") and is_angry("再不赔我就打12378投诉你们")
    assert not is_angry("我想投诉一下理赔太慢")


@pytest.mark.asyncio
async def test_acknowledgement_confirms_in_the_customers_words_and_offers_steps(
    db_url: str, domain: dict
) -> None:
    text = "你们太过分了！！拖了两个月还没赔，电话13800138000打了十几次"
    dispatcher = CollectingDispatcher()
    events = await ActionComplaintAck().run(
        dispatcher, make_tracker(text, intent="complain"), domain
    )
    reply = said(dispatcher)
    assert "换成谁都会生气" in reply  # the angry variant of "too slow"
    assert "拖了两个月还没赔" in reply and "13800138000" not in reply
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert titles == ["登记投诉", "转人工", "先不用"]
    for promise in ("保证", "一定赔", "肯定能赔"):
        assert promise not in reply
    slots = slots_of(events)
    assert slots["complaint_pending"] is True and "138****8000" in slots["complaint_text"]


@pytest.mark.asyncio
async def test_registered_complaint_is_stored_with_ticket_and_claim(
    db_url: str, domain: dict
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "好的", intent="affirm",
        slots={"complaint_pending": True, "complaint_text": "拖了两个月还没赔",
               "complaint_category": "处理太慢", "last_claim": "RDZA202600000101"},
    )
    events = await ActionRegisterComplaint().run(dispatcher, tracker, domain)
    ticket = dispatcher.messages[0]["custom"]["ticket"]
    assert ticket in said(dispatcher) and "15日" in said(dispatcher) and "12378" in said(dispatcher)
    with new_session() as s:
        row = s.execute(select(Complaint)).scalar_one()
    assert (row.ticket_number, row.claim_number, row.category) == (
        ticket, "RDZA202600000101", "处理太慢"
    )
    assert row.conversation_hash.startswith("conv:") and row.text == "拖了两个月还没赔"
    assert slots_of(events)["complaint_pending"] is None


@pytest.mark.asyncio
async def test_declined_complaint_stores_nothing(db_url: str, domain: dict) -> None:
    dispatcher = CollectingDispatcher()
    await ActionComplaintDeclined().run(
        dispatcher, make_tracker("不用了", intent="deny", slots={"complaint_pending": True}),
        domain,
    )
    assert "12378" in said(dispatcher)
    with new_session() as s:
        assert s.execute(select(Complaint)).first() is None


@pytest.mark.asyncio
async def test_handoff_creates_a_masked_summary_and_pauses(db_url: str, domain: dict) -> None:
    history = [
        {"event": "user", "text": "查一下理赔进度",
         "parse_data": {"intent": {"name": "claim_status"}}},
        {"event": "action", "name": "claim_status_form"},
        {"event": "user", "text": "我电话是13800138000",
         "parse_data": {"intent": {"name": "inform"}}},
        {"event": "action", "name": "action_fallback"},
    ]
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "转人工", intent="request_human", events=history, sender_id="wx-openid-1",
        slots={"last_claim": "RDZA202600000101", "verified_customer": "1"},
        active_loop="claim_status_form",
    )
    events = await ActionHandoff().run(dispatcher, tracker, domain)
    kinds = [e["event"] for e in events]
    assert "pause" in kinds and "active_loop" in kinds
    assert dispatcher.messages[0]["custom"]["type"] == "handoff"
    reply = said(dispatcher)
    assert "8:00" in reply and "95518" in reply
    with new_session() as s:
        row = s.execute(select(Handoff)).scalar_one()
    assert row.conversation_id == "wx-openid-1" and row.reason == "fallback"
    assert "RDZA202600000101" in row.summary and "claim_status" in row.summary
    assert "13800138000" not in row.summary and "138****8000" in row.summary
    with new_session() as s, s.begin():
        assert tickets.release_handoffs(s, conversation_id="wx-openid-1", agent_id="a1") == 1
    with new_session() as s:
        assert s.execute(select(Handoff.status)).scalar_one() == "released"


@pytest.mark.asyncio
async def test_handoff_without_database_gives_the_hotline_and_does_not_pause(
    settings_env, domain: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    from settings import reset_settings

    monkeypatch.setenv("CLAIMS_DB_URL", "postgresql+psycopg2://nobody@127.0.0.1:9/none")
    monkeypatch.setenv("CLAIMS_DB_TIMEOUT", "1")
    reset_settings()
    dispatcher = CollectingDispatcher()
    events = await ActionHandoff().run(
        dispatcher, make_tracker("转人工", intent="request_human"), domain
    )
    assert "95518" in said(dispatcher)
    assert all(e["event"] != "pause" for e in events)


@pytest.mark.asyncio
async def test_a_complaint_with_a_question_gets_the_answer_before_the_offer(
    db_url: str, domain: dict
) -> None:
    text = "对方全责却一直拖着不肯报他那边的保险，太气人了"
    dispatcher, events = await run_action(ActionComplaintAck(), text, "complain", domain)
    first, card, offer = dispatcher.messages
    assert "拖着不肯报他那边的保险" in first["text"] and not first.get("buttons")
    assert card["custom"]["article_id"] == "dispute-other-party-insurer"
    assert offer["text"] == m.COMPLAINT_OFFER_AFTER_ANSWER
    assert [b["title"] for b in offer["buttons"]] == ["登记投诉", "转人工", "先不用"]
    slots = slots_of(events)
    assert slots["complaint_pending"] is True
    assert slots["last_article"] == "dispute-other-party-insurer"


@pytest.mark.asyncio
@pytest.mark.parametrize("text", ["我的车险拖了两个月还没赔", "我要投诉"])
async def test_a_complaint_without_a_strong_match_gets_only_the_acknowledgement(
    db_url: str, domain: dict, text: str
) -> None:
    dispatcher, events = await run_action(ActionComplaintAck(), text, "complain", domain)
    [message] = dispatcher.messages
    assert message["text"].endswith(m.COMPLAINT_OFFER) and not message.get("custom")
    assert "last_article" not in slots_of(events)
