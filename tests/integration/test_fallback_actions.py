"""The fallback action with real trackers, the real knowledge base and a real database."""

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import messages as m
from bot.actions.fallback import (
    ActionAffirmWithoutContext,
    ActionDenyWithoutContext,
    ActionFallback,
    ActionOutOfScope,
    ActionStopWithoutForm,
    previous_turn_fell_back,
)
from settings import reset_settings
from tests.conftest import make_tracker, run_action


def said(dispatcher: CollectingDispatcher) -> str:
    return "\n".join(msg.get("text") or "" for msg in dispatcher.messages)


def cards(dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
    """The knowledge cards (structured answers) among the messages sent."""
    return [msg["custom"] for msg in dispatcher.messages if msg.get("custom")]


def fell_back_once(text: str) -> list[dict[str, Any]]:
    """History where the bot's reply to the previous message was the fallback."""
    return [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": {"intent": {"name": "nlu_fallback"}}},
        {"event": "action", "name": "action_fallback"},
        {"event": "bot", "text": m.FALLBACK_FIRST},
        {"event": "action", "name": "action_listen"},
    ]


def test_a_fallback_is_recognised_only_in_the_previous_turn() -> None:
    again = make_tracker("再说一遍", events=fell_back_once("啊"))
    assert previous_turn_fell_back(again, "action_fallback")
    older = [*fell_back_once("啊"), {"event": "user", "text": "你好"},
             {"event": "action", "name": "utter_greet"}]
    assert not previous_turn_fell_back(make_tracker("嗯", events=older), "action_fallback")
    assert not previous_turn_fell_back(make_tracker("嗯"), "action_fallback")


@pytest.mark.asyncio
async def test_a_question_the_classifier_missed_is_answered_from_the_knowledge_base(
    db_url: str, domain: dict
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("车被水淹了发动机进水能赔吗", intent="nlu_fallback")
    await ActionFallback().run(dispatcher, tracker, domain)
    assert [c["type"] for c in cards(dispatcher)] == ["knowledge_answer"], said(dispatcher)


@pytest.mark.asyncio
@pytest.mark.parametrize("text", ["", "啊啊啊啊", "🚗💥", "'; DROP TABLE claims; --"])
async def test_first_miss_asks_to_rephrase_and_second_offers_a_human(
    db_url: str, domain: dict, text: str
) -> None:
    first = CollectingDispatcher()
    await ActionFallback().run(first, make_tracker(text, intent="nlu_fallback"), domain)
    assert m.FALLBACK_FIRST in said(first)
    assert m.BUTTON_HUMAN in first.messages[0]["buttons"]

    second = CollectingDispatcher()
    tracker = make_tracker(text, intent="nlu_fallback", events=fell_back_once(text))
    await ActionFallback().run(second, tracker, domain)
    assert said(second) == m.FALLBACK_SECOND
    assert second.messages[0]["buttons"] == [m.BUTTON_HUMAN]


@pytest.mark.asyncio
async def test_a_claims_question_taken_for_out_of_scope_is_still_answered(
    db_url: str, domain: dict
) -> None:
    dispatcher, events = await run_action(
        ActionOutOfScope(), "新华保险的车被水淹了，发动机进水能赔吗", "out_of_scope", domain
    )
    assert [c["article_id"] for c in cards(dispatcher)] == ["motor-flood-engine"], said(dispatcher)
    assert m.OUT_OF_SCOPE not in said(dispatcher)
    assert events and events[0]["name"] == "last_article"


@pytest.mark.asyncio
@pytest.mark.parametrize("text", ["今天股票涨了吗", "帮我订一张去北京的机票", "推荐一款理财产品"])
async def test_a_real_out_of_scope_message_gets_the_polite_list(
    db_url: str, domain: dict, text: str
) -> None:
    dispatcher, events = await run_action(ActionOutOfScope(), text, "out_of_scope", domain)
    assert said(dispatcher) == m.OUT_OF_SCOPE
    assert dispatcher.messages[0]["buttons"] == [m.BUTTON_STATUS, m.BUTTON_REPORT, m.BUTTON_HUMAN]
    assert events == []


@pytest.mark.asyncio
async def test_a_question_taken_for_stop_is_answered_when_nothing_runs(
    db_url: str, domain: dict
) -> None:
    dispatcher, _ = await run_action(
        ActionStopWithoutForm(), "车停在地下车库被水淹了，发动机进水能赔吗", "stop", domain
    )
    assert [c["article_id"] for c in cards(dispatcher)] == ["motor-flood-engine"]


@pytest.mark.asyncio
@pytest.mark.parametrize("text", ["算了不查了", "取消吧", "停"])
async def test_a_real_stop_without_a_form_gets_the_usual_confirmation(
    db_url: str, domain: dict, text: str
) -> None:
    dispatcher, events = await run_action(ActionStopWithoutForm(), text, "stop", domain)
    assert [msg.get("response") for msg in dispatcher.messages] == ["utter_stop_ok"]
    assert events == []


@pytest.mark.asyncio
async def test_the_strict_bar_is_never_below_the_usual_one(
    db_url: str, domain: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KB_THRESHOLD", "0.99")  # stricter than KB_STRICT_THRESHOLD (0.4)
    reset_settings()
    dispatcher, _ = await run_action(
        ActionOutOfScope(), "新华保险的车被水淹了，发动机进水能赔吗", "out_of_scope", domain
    )
    assert said(dispatcher) == m.OUT_OF_SCOPE and not cards(dispatcher)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("action", "intent"),
    [(ActionAffirmWithoutContext(), "affirm"), (ActionDenyWithoutContext(), "deny")],
)
async def test_a_claims_question_taken_for_yes_or_no_is_answered(
    db_url: str, domain: dict, action: Any, intent: str
) -> None:
    # Also in Traditional characters: the action normalizes before judging the message.
    for text in (
        "是的，车停在地下车库被水淹了，发动机进水能赔吗",
        "車停在地下車庫被水淹了，發動機進水能賠嗎",
    ):
        dispatcher, events = await run_action(action, text, intent, domain)
        assert [c["article_id"] for c in cards(dispatcher)] == ["motor-flood-engine"], text
        assert events and events[0]["name"] == "last_article"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("action", "intent", "reply"),
    [
        (ActionAffirmWithoutContext(), "affirm", m.AFFIRM_WITHOUT_CONTEXT),
        (ActionDenyWithoutContext(), "deny", m.DENY_WITHOUT_CONTEXT),
    ],
)
@pytest.mark.parametrize(
    "text",
    ["好的", "不用了", "是的，车是在高速上被撞的", "不用了，我还是等保险公司联系我吧"],
)
async def test_a_plain_yes_or_no_gets_the_usual_reply(
    db_url: str, domain: dict, action: Any, intent: str, reply: str, text: str
) -> None:
    dispatcher, events = await run_action(action, text, intent, domain)
    assert said(dispatcher) == reply and not cards(dispatcher)
    assert events == []
