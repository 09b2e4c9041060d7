"""Short follow-up questions take their product from the conversation (real knowledge base).

"交强险最多赔多少" → "那需要什么材料": the second message names no product and alone is declined;
in the conversation it means the product just talked about.
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import messages as m
from bot.actions.follow_up import FOLLOW_UP_MAX_CHARS, conversation_line, follow_up_line
from bot.actions.knowledge_answer import ActionAnswerQuestion, clears_bar
from knowledge.search import library
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
async def test_an_answer_of_another_kind_is_not_given(db_url: str) -> None:
    """With 车损险 in front, "被拒了怎么办" finds the cover's article, not how to appeal."""
    hits = library().get().search(
        "车损险被拒了怎么办", intent="ask_dispute", product_lines={"车损险"}
    )
    assert hits and hits[0].article.topic != "dispute"
    dispatcher = await answer("被拒了怎么办", "ask_dispute", {"product_line": "车损险"})
    assert answered(dispatcher) is None


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
async def test_a_general_answer_stands_when_the_product_adds_nothing(db_url: str) -> None:
    """"怎么报案" is answered for every product; 交强险 in front finds nothing better."""
    dispatcher = await answer("怎么报案", "ask_procedure", {"product_line": "交强险"})
    assert answered(dispatcher) == "process-report-channels"


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
