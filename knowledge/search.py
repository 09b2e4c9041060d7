"""Ranking articles for a question, and deciding whether the best one is good enough.

BM25 (bm25s) over the analyzer's terms (Jieba words, concept tags, character 1- and 2-grams)
ranks the articles, the title, example questions and short answer counting twice; the NLU's
intent (the question family) and product line nudge the ranking. The confidence is the
ranking score squashed into 0–1; below the threshold (KB_THRESHOLD, calibrated with
`make eval-kb` on labelled questions) the assistant declines instead of guessing. Of the
signals tried (score, share of the question covered, margin over the runner-up), the score
separated right from wrong answers best.
"""

from __future__ import annotations

import functools
import logging
import math
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import bm25s

from knowledge.analyzer import Analyzer
from knowledge.store import MOTOR_LINES, Article, ArticleError, load_articles, signature
from settings import get_settings

logger = logging.getLogger(__name__)

# Which article topics each question intent prefers.
INTENT_TOPICS: dict[str, set[str]] = {
    "ask_coverage": {"coverage"},
    "ask_procedure": {"procedure"},
    "ask_documents": {"documents"},
    "ask_timeline": {"timeline"},
    "ask_payment": {"payment"},
    "ask_dispute": {"dispute"},
    "ask_general": {"general"},
    "complain": {"dispute"},
}
TOPIC_BOOST = 1.25
LINE_MATCH_BOOST = 1.3
LINE_MISMATCH_PENALTY = 0.55


@dataclass(frozen=True)
class Hit:
    """An article found for a question."""

    article: Article
    score: float  # ranking score (BM25 with boosts), only comparable within one query
    confidence: float  # 0–1, from the score: compared with KB_THRESHOLD


def _line_family(lines: set[str]) -> set[str]:
    """Expands 车险 to the motor lines and the motor lines to 车险, so either matches."""
    expanded = set(lines)
    if expanded & MOTOR_LINES or "车险" in expanded:
        expanded |= MOTOR_LINES | {"车险"}
    return expanded


# Squashes a score into 0–1: confidence = 1 - exp(-score / SCORE_SCALE).
SCORE_SCALE = 20.0


class KnowledgeBase:
    """An index over the articles of one folder."""

    def __init__(self, articles: list[Article], analyzer: Analyzer) -> None:
        """Indexes the articles (about a second for a few hundred)."""
        self.articles = articles
        self.by_id = {a.id: a for a in articles}
        self.analyzer = analyzer
        corpus: list[list[str]] = []
        self._lines: list[set[str]] = []
        for article in articles:
            head = analyzer.analyze(
                " ".join((article.title, *article.questions, article.answer))
            )
            body = analyzer.analyze(article.details)
            corpus.append(head.terms * 2 + body.terms)
            self._lines.append(_line_family(set(article.lines) - {"通用"}))
        self.retriever = bm25s.BM25()
        self.retriever.index(corpus, show_progress=False)

    def search(
        self,
        question: str,
        *,
        intent: str | None = None,
        product_lines: set[str] | None = None,
        audience: str = "customer",
        k: int = 3,
    ) -> list[Hit]:
        """Returns up to k articles for a question, best first."""
        terms = self.analyzer.analyze(question).terms
        if not terms:
            return []
        scores = self.retriever.get_scores(terms)
        topics = INTENT_TOPICS.get(intent or "", set())
        wanted = _line_family(set(product_lines or ()) - {"通用"})
        ranked: list[tuple[float, int]] = []
        for i, article in enumerate(self.articles):
            if audience == "customer" and not article.for_customers:
                continue
            score = float(scores[i])
            if score <= 0:
                continue
            if article.topic in topics:
                score *= TOPIC_BOOST
            if wanted and self._lines[i]:
                score *= LINE_MATCH_BOOST if wanted & self._lines[i] else LINE_MISMATCH_PENALTY
            ranked.append((score, i))
        ranked.sort(reverse=True)
        return [
            Hit(self.articles[i], score, 1 - math.exp(-score / SCORE_SCALE))
            for score, i in ranked[:k]
        ]


class Library:
    """Keeps a knowledge base up to date with its folder (reloads edited articles)."""

    def __init__(self, folder: Path, check_every: float = 3.0) -> None:
        """Prepares to load lazily: nothing is read until the first search."""
        self.folder = folder
        self.check_every = check_every
        self._lock = threading.Lock()
        self._analyzer: Analyzer | None = None
        self._kb: KnowledgeBase | None = None
        self._signature: tuple[tuple[str, float], ...] = ()
        self._checked = 0.0

    def get(self) -> KnowledgeBase:
        """Returns the index, rebuilding it if article files changed since the last check."""
        now = time.monotonic()
        if self._kb is not None and now - self._checked < self.check_every:
            return self._kb
        with self._lock:
            self._checked = now
            current = signature(self.folder)
            if self._kb is None or current != self._signature:
                if self._analyzer is None:
                    self._analyzer = Analyzer()
                try:
                    articles = load_articles(self.folder)
                except ArticleError:
                    if self._kb is None:
                        raise
                    # A half-edited article must not take the assistant down: keep the
                    # previous index and say why in the log.
                    logger.exception("knowledge base not reloaded; keeping the old index")
                    self._signature = current
                    return self._kb
                self._kb = KnowledgeBase(articles, self._analyzer)
                self._signature = current
                logger.info("knowledge base loaded: %d articles", len(articles))
            return self._kb

    def reload(self) -> KnowledgeBase:
        """Forces a rebuild on the next call (the reload command)."""
        with self._lock:
            self._signature = ()
            self._checked = 0.0
        return self.get()


@functools.lru_cache(maxsize=1)
def library() -> Library:
    """Returns the process-wide library of the configured folder (KNOWLEDGE_DIR)."""
    return Library(get_settings().knowledge_dir)
