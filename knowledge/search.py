"""Ranking articles for a question, and deciding whether the best one is good enough.

BM25 (bm25s) over Jieba-segmented words and concept tags ranks the articles; the NLU's
intent (the question family) and product line nudge the ranking. The confidence that the
top article answers the question is the share of the question's meaning (IDF-weighted terms)
that the article's title, example questions and short answer cover; below the calibrated
threshold (KB_THRESHOLD, see `make eval-kb`) the assistant declines instead of guessing.
"""

from __future__ import annotations

import functools
import logging
import math
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import bm25s

from knowledge.analyzer import Analysis, Analyzer
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
    confidence: float  # 0–1: how much of the question the article covers


def _line_family(lines: set[str]) -> set[str]:
    """Expands 车险 to the motor lines and the motor lines to 车险, so either matches."""
    expanded = set(lines)
    if expanded & MOTOR_LINES or "车险" in expanded:
        expanded |= MOTOR_LINES | {"车险"}
    return expanded


class KnowledgeBase:
    """An index over the articles of one folder."""

    def __init__(self, articles: list[Article], analyzer: Analyzer) -> None:
        """Indexes the articles (a fraction of a second for a few hundred)."""
        self.articles = articles
        self.by_id = {a.id: a for a in articles}
        self.analyzer = analyzer
        corpus: list[list[str]] = []
        self._heads: list[set[str]] = []
        self._lines: list[set[str]] = []
        for article in articles:
            head = analyzer.analyze(
                " ".join((article.title, *article.questions, article.answer))
            )
            body = analyzer.analyze(article.details)
            # The head (title, example questions, short answer) counts twice.
            corpus.append(head.terms * 2 + body.terms)
            self._heads.append(set(head.terms) | {f"#{c}" for c in body.concepts})
            self._lines.append(_line_family(set(article.lines) - {"通用"}))
        self.retriever = bm25s.BM25()
        self.retriever.index(corpus, show_progress=False)
        frequencies: Counter[str] = Counter()
        for doc in corpus:
            frequencies.update(set(doc))
        n = len(corpus)
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in frequencies.items()}
        self._unknown_idf = math.log(1 + (n + 0.5) / 0.5)

    def _confidence(self, query: Analysis, index: int) -> float:
        terms = set(query.terms)
        if not terms:
            return 0.0
        weights = {t: self._idf.get(t, self._unknown_idf) for t in terms}
        covered = sum(w for t, w in weights.items() if t in self._heads[index])
        return covered / sum(weights.values())

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
        query = self.analyzer.analyze(question)
        if not query.terms:
            return []
        scores = self.retriever.get_scores(query.terms)
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
            Hit(self.articles[i], score, self._confidence(query, i)) for score, i in ranked[:k]
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
