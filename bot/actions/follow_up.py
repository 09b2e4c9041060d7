"""A short follow-up question takes its product from the conversation.

After "交强险最多赔多少", a customer asks "那需要什么材料" and means 交强险, as an agent would
understand. Alone, the message names no product: the search spreads over every product's
document list and declines. So a short message (FOLLOW_UP_MAX_CHARS) that names no product
line is read in the product of the conversation (the one the customer last named, or else the
single product line of the last answer): searched as if it named that product, the answer is
taken when it clears the usual bar, applies to that product and is of the kind asked
(ANSWER_TOPICS). With the product's name in front, "被拒了怎么办" finds the product's coverage
article rather than how to appeal, and "车被撞了怎么办" after a 交强险 answer finds its payment
deadlines: those are not taken. Otherwise the message's own answer stands, unless it belongs to
another product: alone, "要准备什么材料" finds the documents for damage to a third party's car,
and "最多赔多少" the 交强险 limits, which a 重疾险 or 医疗险 customer must not be given. A long
message tells its own story and is never read in an earlier product.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from rasa_sdk import Tracker

from bot.nlu.text import normalize
from knowledge.search import INTENT_TOPICS, Hit, KnowledgeBase
from knowledge.store import LINES, MOTOR_LINES, Article

# "那需要什么材料", "能赔多少", "要带哪些证件去办": follow-ups are short; a longer message tells
# its own story, and the customer's earlier product may no longer be what it is about.
FOLLOW_UP_MAX_CHARS = 12
PRODUCT_LINES = LINES - {"通用"}
# The kinds of article that answer a question family. "能赔多少" is a payment question, and
# what a product pays at most is in its coverage article (the 交强险 limits, 三者险's amounts).
ANSWER_TOPICS = {**INTENT_TOPICS, "ask_payment": {"payment", "coverage"}}


def named_lines(message: dict[str, Any]) -> set[str]:
    """The product lines a message names itself (its product_line entities)."""
    return {
        str(e.get("value"))
        for e in message.get("entities", [])
        if e.get("entity") == "product_line"
    }


def conversation_line(tracker: Tracker, kb: KnowledgeBase) -> str | None:
    """The product the conversation is about now: the latest named or answered.

    The `product_line` slot keeps a product named long ago; an answer since then (a medical
    question without the product's name, a button) is newer evidence, if it is about one product
    (the waiting-period article, for 医疗险, 重疾险 and 寿险, does not undo 重疾险 named before it).
    So the events are read backwards, to the start of the session; a tracker without them falls
    back to the slots.
    """
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            return None
        if event.get("event") != "slot":
            continue
        if event.get("name") == "product_line":
            return _product(event.get("value"))
        if event.get("name") == "last_article":
            line = _article_line(kb, event.get("value"))
            if line:  # an answer for several products (or all) says nothing: read on
                return line
    return _product(tracker.get_slot("product_line")) or _article_line(
        kb, tracker.get_slot("last_article")
    )


def _product(value: Any) -> str | None:
    return value if isinstance(value, str) and value in PRODUCT_LINES else None


def _article_line(kb: KnowledgeBase, article_id: Any) -> str | None:
    """The product of an article about exactly one product; none for general ones."""
    article = kb.by_id.get(article_id) if isinstance(article_id, str) else None
    lines = set(article.lines) & PRODUCT_LINES if article is not None else set()
    return lines.pop() if len(lines) == 1 else None


def follow_up_line(tracker: Tracker, kb: KnowledgeBase) -> str | None:
    """The product to complete the latest message with, if it reads as a follow-up."""
    message = tracker.latest_message
    text = normalize(message.get("text") or "").strip()
    if not text or len(text) > FOLLOW_UP_MAX_CHARS or named_lines(message):
        return None
    return conversation_line(tracker, kb)


def same_product(article: Article, line: str) -> bool:
    """Whether an article applies to the product: its own, a general one, or all of motor.

    车险 stands for every motor cover, so it matches any motor article and vice versa; the
    交强险 limits do not answer "how much does 车损险 pay".
    """
    lines = set(article.lines)
    if "通用" in lines or line in lines:
        return True
    if line == "车险":
        return bool(lines & MOTOR_LINES)
    return "车险" in lines and line in MOTOR_LINES


def read_in_conversation(
    own: list[Hit],
    completed: list[Hit],
    intent: str | None,
    line: str,
    names_a_concept: bool,
    clears_bar: Callable[[Hit, bool], bool],
) -> tuple[Hit | None, list[Hit]]:
    """The hit to answer a follow-up with, if any, and the closest hits to offer otherwise.

    `own` were searched for the message as it is, `completed` with `line` in front;
    `clears_bar(hit, strict)` is the assistant's bar. A completed answer must apply to the
    product, be of the kind asked and clear the full threshold (the lower bar for an article
    that covers every concept named means nothing when the only concept is the product we
    added), the strict one when the message names no concept at all (能赔吗: the product alone
    chose the article), and cover what the message itself names (after 车损险, "自杀赔吗" finds
    the 车损险 cover, which says nothing of suicide). It wins over an own answer for the product
    only if it is surer: "发票丢了怎么办" keeps the lost-invoice article rather than the travel
    documents list. An own answer for another product stands only when the message has a subject
    of its own, and the product did not move the search or pulled it away from that subject:
    "等待期多久" after a 交强险 answer is a new topic, while "最多赔多少" after a 医疗险 one names
    nothing and must not get the 交强险 limits.
    """
    completed_covers = bool(completed) and completed[0].covers_concepts
    completed = [replace(hit, covers_concepts=False) for hit in completed]
    kind = ANSWER_TOPICS.get(intent or "", set())
    own_clears = bool(own) and clears_bar(own[0], False)
    own_fits = bool(own) and same_product(own[0].article, line)
    if (
        completed
        and completed[0].article.topic in kind
        and same_product(completed[0].article, line)
        and clears_bar(completed[0], not names_a_concept)
        and (completed_covers or not names_a_concept)
        and not (own_clears and own_fits and own[0].confidence >= completed[0].confidence)
    ):
        return completed[0], completed
    if own_clears:
        unmoved = bool(completed) and completed[0].article.id == own[0].article.id
        pulled_away = own[0].covers_concepts and not completed_covers
        if own_fits or (names_a_concept and (unmoved or pulled_away)):
            return own[0], own
    return None, completed or own
