"""What customers' questions tell us about the knowledge base: gaps and 👍/👎 feedback."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from claims import clock
from claims.models import AnswerFeedback, KnowledgeGap


def record_gap(
    session: Session,
    *,
    question: str,
    intent: str,
    best_article: str | None,
    score: float | None,
) -> None:
    """Stores a question the knowledge base could not answer (already masked)."""
    session.add(
        KnowledgeGap(
            at=clock.now(),
            question=question,
            intent=intent,
            best_article=best_article,
            score=score,
        )
    )


def record_feedback(
    session: Session, *, article_id: str | None, helpful: bool, question: str
) -> None:
    """Stores a 👍 or 👎 on an answer (question already masked)."""
    session.add(
        AnswerFeedback(
            at=clock.now(), article_id=article_id, helpful=helpful, question=question
        )
    )


@dataclass(frozen=True)
class GapRow:
    """One unanswered question in the report."""

    question: str
    intent: str
    best_article: str | None
    score: float | None
    count: int


@dataclass(frozen=True)
class FeedbackRow:
    """Thumbs per article."""

    article_id: str
    helpful: int
    unhelpful: int


def gaps(session: Session, *, limit: int = 200) -> list[GapRow]:
    """Lists unanswered questions, the most frequent first."""
    rows = session.execute(
        select(
            KnowledgeGap.question,
            func.max(KnowledgeGap.intent),
            func.max(KnowledgeGap.best_article),
            func.max(KnowledgeGap.score),
            func.count(),
        )
        .group_by(KnowledgeGap.question)
        .order_by(func.count().desc(), KnowledgeGap.question)
        .limit(limit)
    ).all()
    return [GapRow(*row) for row in rows]


def feedback_by_article(session: Session) -> list[FeedbackRow]:
    """Counts 👍 and 👎 per article, the most disliked first."""
    helpful = func.sum(case((AnswerFeedback.helpful, 1), else_=0))
    unhelpful = func.sum(case((AnswerFeedback.helpful, 0), else_=1))
    rows = session.execute(
        select(AnswerFeedback.article_id, helpful, unhelpful)
        .group_by(AnswerFeedback.article_id)
        .order_by(unhelpful.desc())
    ).all()
    return [FeedbackRow(a or "(none)", int(h or 0), int(u or 0)) for a, h, u in rows]
