"""Short follow-up questions take their product from the conversation (real knowledge base).

"交强险最多赔多少" → "那需要什么材料": the second message names no product and alone is declined;
in the conversation it means the product just talked about.
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import messages as m
from bot.actions.follow_up import (
    FOLLOW_UP_MAX_CHARS,
    conversation_line,
    follow_up_line,
    read_in_conversation,
)
from bot.actions.knowledge_answer import ActionAnswerQuestion, clears_bar
from knowledge.search import Hit, library
from tests.conftest import make_tracker

DOCUMENTS = "那需要什么材料"


async def answer(
    text: str, intent: str, slots: dict[str, Any], entities: list[dict[str, Any]] | None = None
) -> CollectingDispatcher:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, intent=intent, slots=slots, entities=entities)
    await ActionAnswerQuestion().run(dispatcher, tracker, {})
    return dispatcher


def answered(dispatcher: CollectingDispatcher) -> str | None:
    """The article of the knowledge card, or None when the assistant declined."""
    for message in dispatcher.messages:
        card = message.get("custom") or {}
        if card.get("type") == "knowledge_answer":
            return str(card["article_id"])
    assert m.KB_NOT_SURE in (dispatcher.messages[0].get("text") or "")
    return None


@pytest.mark.asyncio
async def test_alone_the_follow_up_is_declined(db_url: str) -> None:
    assert answered(await answer(DOCUMENTS, "ask_documents", {})) is None


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("line", "article"),
    [("医疗险", "doc-medical"), ("重疾险", "doc-critical-illness"), ("旅行险", "doc-travel")],
)
async def test_it_asks_about_the_product_the_customer_named(
    db_url: str, line: str, article: str
) -> None:
    dispatcher = await answer(DOCUMENTS, "ask_documents", {"product_line": line})
    assert answered(dispatcher) == article


@pytest.mark.asyncio
async def test_without_a_named_product_the_last_answers_product_counts(db_url: str) -> None:
    """After the 交强险 limits, the documents for damage to others (交强险 among its lines)."""
    slots = {"last_article": "motor-compulsory-limits"}
    found = answered(await answer(DOCUMENTS, "ask_documents", slots))
    assert found is not None
    article = library().get().by_id[found]
    assert article.topic == "documents" and "交强险" in article.lines


@pytest.mark.asyncio
async def test_another_products_answer_is_not_given(db_url: str) -> None:
    """Alone, "最多赔多少" clears the bar with the 交强险 limits: right for 交强险 (and 车险), not
    for 医疗险, nor for 车损险 (another motor cover, which pays the car's value)."""
    own = library().get().search("最多赔多少", intent="ask_payment")
    assert own[0].article.id == "motor-compulsory-limits" and clears_bar(own[0])
    for line in ("交强险", "车险"):
        dispatcher = await answer("最多赔多少", "ask_payment", {"product_line": line})
        assert answered(dispatcher) == "motor-compulsory-limits"
    for line in ("医疗险", "车损险"):
        assert answered(await answer("最多赔多少", "ask_payment", {"product_line": line})) is None


@pytest.mark.asyncio
async def test_the_conversations_product_replaces_an_answer_for_another(db_url: str) -> None:
    """Alone, "要准备什么材料" gets a motor article; after 重疾险, the 重疾险 documents."""
    own = library().get().search("要准备什么材料", intent="ask_documents")
    assert own[0].article.id.startswith("doc-motor") and clears_bar(own[0])
    dispatcher = await answer("要准备什么材料", "ask_documents", {"product_line": "重疾险"})
    assert answered(dispatcher) == "doc-critical-illness"


@pytest.mark.asyncio
async def test_a_new_subject_is_answered_whatever_the_product_before(db_url: str) -> None:
    """"等待期多久" after 交强险 asks about health cover: its own, sure answer stands."""
    dispatcher = await answer("等待期多久", "ask_coverage", {"product_line": "交强险"})
    assert answered(dispatcher) == "health-waiting-period"


def test_the_latest_of_a_named_product_and_an_answer_counts() -> None:
    """交强险 named, then a 医疗险 answer (a question without the name, or a button): 医疗险."""
    kb = library().get()
    named_then_answered = [
        {"event": "slot", "name": "product_line", "value": "交强险"},
        {"event": "slot", "name": "last_article", "value": "doc-medical"},
    ]
    tracker = make_tracker(DOCUMENTS, events=named_then_answered)
    assert conversation_line(tracker, kb) == "医疗险"
    tracker = make_tracker(DOCUMENTS, events=named_then_answered[::-1])
    assert conversation_line(tracker, kb) == "交强险"
    several = [named_then_answered[0], {"event": "slot", "name": "last_article",
                                         "value": "health-waiting-period"}]
    assert conversation_line(make_tracker(DOCUMENTS, events=several), kb) == "交强险"
    new_session = [named_then_answered[0], {"event": "session_started"}]
    assert conversation_line(make_tracker(DOCUMENTS, events=new_session), kb) is None


def hit(article_id: str, confidence: float, covers: bool = True) -> Hit:
    return Hit(library().get().by_id[article_id], confidence, confidence, covers)


def bar(found: Hit, strict: bool) -> bool:
    return found.confidence >= (0.4 if strict else 0.24)


@pytest.mark.parametrize(
    ("own", "completed", "intent", "line", "names", "answer"),
    [
        # the product's own article, of the kind asked and sure enough
        ([hit("doc-motor-third-party", 0.21)], [hit("doc-critical-illness", 0.5)],
         "ask_documents", "重疾险", True, "doc-critical-illness"),
        # ... but not of another kind (a coverage article for how to appeal)
        ([], [hit("motor-own-damage-coverage", 0.5)], "ask_dispute", "车损险", False, None),
        # ... nor one that leaves out what the message names (自杀 in the 车损险 cover)
        ([hit("life-suicide-exclusion", 0.6)], [hit("motor-own-damage-coverage", 0.5, False)],
         "ask_coverage", "车损险", True, "life-suicide-exclusion"),
        # ... nor, when the message names nothing, one under the strict bar
        ([], [hit("travel-baggage-delay-loss", 0.3)], "ask_coverage", "旅行险", False, None),
        ([], [hit("property-home-coverage", 0.5)], "ask_coverage", "家财险", False,
         "property-home-coverage"),
        # a surer own answer for the product stays
        ([hit("doc-lost-invoice", 0.6)], [hit("doc-travel", 0.4)], "ask_documents", "旅行险",
         True, "doc-lost-invoice"),
        # another product's answer to a message that names nothing is not given
        ([hit("motor-compulsory-limits", 0.47, False)], [hit("motor-compulsory-limits", 0.3)],
         "ask_payment", "医疗险", False, None),
        # nothing found for the message itself
        ([], [hit("doc-travel", 0.2)], "ask_documents", "旅行险", True, None),
        # ... but a new subject, unmoved by the product, is answered
        ([hit("health-waiting-period", 0.6)], [hit("health-waiting-period", 0.6)],
         "ask_coverage", "交强险", True, "health-waiting-period"),
    ],
)
def test_which_answer_a_follow_up_gets(
    own: list[Hit], completed: list[Hit], intent: str, line: str, names: bool, answer: str | None
) -> None:
    best, closest = read_in_conversation(own, completed, intent, line, names, bar)
    assert (best.article.id if best else None) == answer
    assert closest  # a decline still offers the closest topics


def test_only_short_messages_without_a_product_of_their_own_are_follow_ups() -> None:
    kb = library().get()
    slots = {"product_line": "医疗险"}
    assert follow_up_line(make_tracker(DOCUMENTS, slots=slots), kb) == "医疗险"
    long_one = "我上个月在外地出差的时候摔伤了需要什么材料"
    assert len(long_one) > FOLLOW_UP_MAX_CHARS
    assert follow_up_line(make_tracker(long_one, slots=slots), kb) is None
    own = [{"entity": "product_line", "value": "意外险"}]
    assert follow_up_line(make_tracker("意外险要什么材料", slots=slots, entities=own), kb) is None


def test_the_named_product_wins_over_the_last_answers_and_several_lines_say_nothing() -> None:
    kb = library().get()
    both = {"product_line": "重疾险", "last_article": "motor-compulsory-limits"}
    assert conversation_line(make_tracker(DOCUMENTS, slots=both), kb) == "重疾险"
    assert len(set(kb.by_id["health-waiting-period"].lines) - {"通用"}) > 1
    several = {"last_article": "health-waiting-period"}
    assert conversation_line(make_tracker(DOCUMENTS, slots=several), kb) is None
    assert conversation_line(make_tracker(DOCUMENTS, slots={"product_line": "通用"}), kb) is None
    odd = {"product_line": ["重疾险", "医疗险"]}  # a text slot should never hold a list
    assert conversation_line(make_tracker(DOCUMENTS, slots=odd), kb) is None
