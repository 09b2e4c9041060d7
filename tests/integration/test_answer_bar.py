"""When the assistant is sure enough to answer: the threshold, and the lower bar for an
article that covers every concept the question names (real knowledge base and actions)."""

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from bot.actions import messages as m
from bot.actions.complaint import ActionComplaintAck
from bot.actions.fallback import ActionOutOfScope, ActionStopWithoutForm
from bot.actions.knowledge_answer import ActionAnswerQuestion
from claims.db import new_session
from claims.models import KnowledgeGap
from knowledge.search import Hit, is_sure, library
from settings import reset_settings
from tests.conftest import run_action

COVERED = "车被水淹了发动机进水能赔吗"  # 水淹 and 发动机: both in the flood article
NOT_COVERED = "车被水淹了，我也受伤住院了"  # 人伤 is not: the flood article says nothing of it


def cards(dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
    return [msg["custom"] for msg in dispatcher.messages if msg.get("custom")]


def declined(dispatcher: CollectingDispatcher) -> bool:
    """The honest "not sure" with the closest topics, and no knowledge card."""
    return not cards(dispatcher) and m.KB_NOT_SURE in (dispatcher.messages[0].get("text") or "")


def best(text: str, intent: str | None = "ask_coverage") -> Hit:
    return library().get().search(text, intent=intent)[0]


def bars(monkeypatch: pytest.MonkeyPatch, threshold: float, covered: float) -> None:
    monkeypatch.setenv("KB_THRESHOLD", f"{threshold:.4f}")
    monkeypatch.setenv("KB_COVERED_THRESHOLD", f"{covered:.4f}")
    reset_settings()


def test_the_lower_bar_needs_full_cover() -> None:
    assert is_sure(0.30, False, 0.24, 0.18)
    assert is_sure(0.20, True, 0.24, 0.18)
    assert not is_sure(0.20, False, 0.24, 0.18)
    assert not is_sure(0.17, True, 0.24, 0.18)
    assert is_sure(0.18, True, 0.24, 0.18)


def test_cover_means_every_concept_named_is_in_the_article() -> None:
    covered, partly = best(COVERED), best(NOT_COVERED)
    assert covered.article.id == partly.article.id == "motor-flood-engine"
    assert covered.covers_concepts and not partly.covers_concepts
    assert not best("你好", None).covers_concepts  # nothing named, nothing covered


@pytest.mark.asyncio
async def test_a_fully_covered_answer_is_given_between_the_bars(
    db_url: str, domain: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    confidence = best(COVERED).confidence
    bars(monkeypatch, threshold=confidence + 0.05, covered=confidence - 0.05)
    dispatcher, _ = await run_action(ActionAnswerQuestion(), COVERED, "ask_coverage", domain)
    card = cards(dispatcher)
    assert [c["article_id"] for c in card] == ["motor-flood-engine"]
    assert card[0]["covers_concepts"] is True

    bars(monkeypatch, threshold=confidence + 0.05, covered=confidence + 0.01)
    dispatcher, _ = await run_action(ActionAnswerQuestion(), COVERED, "ask_coverage", domain)
    assert declined(dispatcher)


@pytest.mark.asyncio
async def test_an_answer_missing_a_concept_needs_the_full_threshold(
    db_url: str, domain: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    confidence = best(NOT_COVERED).confidence
    bars(monkeypatch, threshold=confidence + 0.05, covered=0.0)
    dispatcher, _ = await run_action(ActionAnswerQuestion(), NOT_COVERED, "ask_coverage", domain)
    assert declined(dispatcher)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("action", "intent"), [(ActionOutOfScope(), "out_of_scope"), (ActionStopWithoutForm(), "stop")]
)
async def test_the_strict_bar_gets_no_lower_bar(
    db_url: str, domain: dict, monkeypatch: pytest.MonkeyPatch, action: Any, intent: str
) -> None:
    text = "新华保险的车被水淹了，发动机进水能赔吗"
    hit = best(text, None)
    assert hit.covers_concepts
    monkeypatch.setenv("KB_STRICT_THRESHOLD", f"{hit.confidence + 0.05:.4f}")
    bars(monkeypatch, threshold=0.1, covered=0.0)
    dispatcher, _ = await run_action(action, text, intent, domain)
    assert dispatcher.messages and not cards(dispatcher)  # its usual reply, no answer


@pytest.mark.asyncio
async def test_a_complaint_answers_a_fully_covered_question_between_the_bars(
    db_url: str, domain: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The complaint action searches without an intent and uses the usual bars, lower one too."""
    text = "太气人了，我的车被水淹了发动机进水，保险公司说不赔"
    hit = best(text, None)
    assert hit.article.id == "motor-flood-engine" and hit.covers_concepts
    bars(monkeypatch, threshold=hit.confidence + 0.05, covered=hit.confidence - 0.05)
    dispatcher, _ = await run_action(ActionComplaintAck(), text, "complain", domain)
    assert [c["article_id"] for c in cards(dispatcher)] == ["motor-flood-engine"]

    bars(monkeypatch, threshold=hit.confidence + 0.05, covered=hit.confidence + 0.01)
    dispatcher, _ = await run_action(ActionComplaintAck(), text, "complain", domain)
    assert not cards(dispatcher) and dispatcher.messages  # the complaint reply, no answer


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("三者险到底买200万还是300万够用", "buying"),
        ("交了三年的重疾险不想要了，现在退掉能拿回多少", "policy_service"),
        ("孩子被狗咬了，狂犬疫苗要打几针", "medical"),
    ],
)
async def test_a_question_we_do_not_serve_gets_no_answer_and_no_gap(
    db_url: str, domain: dict, text: str, kind: str
) -> None:
    """A confident match on the product's name is still not an answer to which one to buy."""
    assert library().get().search(text, intent="ask_coverage", audience="agent")
    assert not library().get().search(text, intent="ask_coverage")
    dispatcher, _ = await run_action(ActionAnswerQuestion(), text, "ask_coverage", domain)
    assert not cards(dispatcher)
    assert dispatcher.messages[0]["text"] == m.KB_NOT_OURS[kind]
    with new_session() as session:
        assert session.scalars(select(KnowledgeGap)).all() == []
