"""Answers coverage and procedure questions from the knowledge base.

The NLU's intent (question family) and product-line entities narrow the search; when the
best article is below the confidence threshold the assistant says it is not sure, offers
the closest topics and a human, and records the question (masked) for the gap report.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import messages as m
from bot.actions.database import run_in_db
from bot.actions.follow_up import follow_up_line, named_lines, read_in_conversation
from claims import feedback
from claims.db import DatabaseUnavailable
from claims.privacy import mask_text
from knowledge.scope import not_ours
from knowledge.search import Hit, is_sure, library
from knowledge.store import Article
from settings import get_settings

logger = logging.getLogger(__name__)


def article_button(article: Article) -> dict[str, str]:
    """A quick reply that opens an article directly, whatever the NLU makes of it."""
    return {
        "title": article.title,
        "payload": f'/ask_general{{"article_id":"{article.id}"}}',
    }


def related_articles(article: Article, limit: int = 3) -> list[Article]:
    """Returns the existing related articles that customers may see."""
    kb = library().get()
    found = [kb.by_id[i] for i in article.related if i in kb.by_id]
    return [a for a in found if a.for_customers][:limit]


def answer_text(article: Article) -> str:
    """The short answer first, then the legal basis."""
    parts = [article.answer]
    if article.legal_basis:
        parts.append(m.KB_LEGAL.format(basis="；".join(article.legal_basis)))
    return "\n".join(parts)


def answer_payload(article: Article, hit: Hit | None) -> dict[str, Any]:
    """The knowledge card for the web page and the agents' console."""
    return {
        "type": "knowledge_answer",
        "article_id": article.id,
        "title": article.title,
        "answer": article.answer,
        "details": article.details,
        "legal_basis": list(article.legal_basis),
        "score": round(hit.score, 3) if hit else None,
        "confidence": round(hit.confidence, 3) if hit else None,
        "covers_concepts": hit.covers_concepts if hit else None,
        "related": [{"id": a.id, "title": a.title} for a in related_articles(article)],
        "text": answer_text(article),
    }


def send_answer(
    dispatcher: CollectingDispatcher, article: Article, hit: Hit | None
) -> list[EventType]:
    """Sends the answer with related questions as quick replies; remembers the article."""
    buttons = [article_button(a) for a in related_articles(article)]
    dispatcher.utter_message(
        text=answer_text(article), buttons=buttons, json_message=answer_payload(article, hit)
    )
    return [SlotSet("last_article", article.id)]


async def search(
    tracker: Tracker, intent: str | None, context_line: str | None = None
) -> list[Hit]:
    """Searches off the event loop with the message, intent and product lines.

    With `context_line` (follow_up.py), the message is searched as if it named that product.
    """
    text = tracker.latest_message.get("text") or ""
    lines = named_lines(tracker.latest_message)
    if context_line:
        text, lines = context_line + text, {context_line}
    return await asyncio.to_thread(
        lambda: library().get().search(text, intent=intent, product_lines=lines)
    )


async def record_gap(tracker: Tracker, intent: str, hits: list[Hit]) -> None:
    """Stores an unanswered question, masked, for `make kb-gaps`; never fails the reply."""
    question = mask_text(tracker.latest_message.get("text") or "")[:500]
    best = hits[0] if hits else None
    try:
        await run_in_db(
            lambda s: feedback.record_gap(
                s,
                question=question,
                intent=intent,
                best_article=best.article.id if best else None,
                score=best.confidence if best else None,
            )
        )
    except DatabaseUnavailable:
        logger.warning("knowledge gap not recorded: database unavailable")


async def answer_if_sure(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    hits: list[Hit] | None = None,
    strict: bool = False,
) -> list[EventType] | None:
    """Answers from the best article if it clears the threshold; None when it does not.

    For messages the classifier did not send to the knowledge base (unsure, information
    without a question, out of scope): a good article match still deserves its answer.
    `hits` are searched here (without an intent) when not given. The bar is that of
    `clears_bar`; `strict` when the classifier's judgement counts against the article.
    """
    if hits is None:
        try:
            hits = await search(tracker, None)
        except Exception:  # the knowledge base must never take the conversation down
            logger.exception("knowledge base search failed")
            return None
    if hits and clears_bar(hits[0], strict):
        return send_answer(dispatcher, hits[0].article, hits[0])
    return None


def clears_bar(hit: Hit, strict: bool = False) -> bool:
    """Whether the assistant is sure enough of an article to answer with it.

    KB_THRESHOLD, or KB_COVERED_THRESHOLD when the article covers every concept the question
    names; with `strict`, the higher of KB_THRESHOLD and KB_STRICT_THRESHOLD and no lower bar.
    """
    settings = get_settings()
    return is_sure(
        hit.confidence,
        hit.covers_concepts,
        settings.kb_threshold,
        settings.kb_covered_threshold,
        settings.kb_strict_threshold if strict else None,
    )


def decline(dispatcher: CollectingDispatcher, hits: list[Hit]) -> None:
    """Says honestly that it is not sure, offering the closest topics and a human."""
    buttons = [article_button(h.article) for h in hits[:3]]
    text = m.KB_NOT_SURE + ("\n" + m.KB_CLOSEST if buttons else "")
    dispatcher.utter_message(text=text, buttons=[*buttons, m.BUTTON_HUMAN])


class ActionAnswerQuestion(Action):
    """Finds the best article for a question and answers, or declines honestly."""

    def name(self) -> str:
        """Names the action behind every knowledge-base intent."""
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Answers from an article chosen by button, or from the search."""
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        try:
            kb = await asyncio.to_thread(library().get)
            chosen = next(
                (
                    kb.by_id.get(str(e.get("value")))
                    for e in tracker.latest_message.get("entities", [])
                    if e.get("entity") == "article_id"
                ),
                None,
            )
            if chosen is not None and chosen.for_customers:
                return send_answer(dispatcher, chosen, None)
            reason = not_ours(tracker.latest_message.get("text") or "")
            if reason:  # not a gap in the knowledge base: a question for someone else
                logger.info("not a claims question (%s): no answer, no gap recorded", reason)
                dispatcher.utter_message(text=m.KB_NOT_OURS[reason], buttons=[m.BUTTON_HUMAN])
                return []
            hits = await search(tracker, intent)
            best = hits[0] if hits and clears_bar(hits[0]) else None
            line = follow_up_line(tracker, kb)
            if line:  # a short follow-up: read it in the conversation's product
                completed = await search(tracker, intent, context_line=line)
                text = tracker.latest_message.get("text") or ""
                named = bool(kb.analyzer.analyze(text).concepts)
                best, hits = read_in_conversation(
                    hits, completed, intent, line, named, clears_bar
                )
        except Exception:  # the knowledge base must never take the conversation down
            logger.exception("knowledge base search failed")
            dispatcher.utter_message(text=m.KB_UNAVAILABLE, buttons=[m.BUTTON_HUMAN])
            return []
        if best is not None:
            return send_answer(dispatcher, best.article, best)
        decline(dispatcher, hits)
        await record_gap(tracker, intent, hits)
        return []


class ActionAnswerDetails(Action):
    """Gives the details of the last answer ("详细说说")."""

    def name(self) -> str:
        """Names the action for ask_details."""
        return "action_answer_details"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Sends the details of the last article, or asks what the customer wants to know."""
        article_id = tracker.get_slot("last_article")
        kb = await asyncio.to_thread(library().get)
        article = kb.by_id.get(article_id or "")
        if article is None:
            dispatcher.utter_message(text=m.KB_WHAT_DETAILS)
            return []
        dispatcher.utter_message(text=f"{article.title}\n{article.details}")
        return []
