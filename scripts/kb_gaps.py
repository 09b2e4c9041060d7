"""Prints the knowledge-gap report (`make kb-gaps`) from the assistant's database.

Lists the questions the knowledge base declined (masked before they were stored), the most
frequent first, with the closest article and its confidence, then the 👍/👎 feedback per
article, the most disliked first. Writers use it to decide which articles to add or fix.
"""

from __future__ import annotations

import sys

from sqlalchemy.exc import SQLAlchemyError

from claims import feedback
from claims.db import new_session
from settings import get_settings


def main() -> int:
    """Prints the report as Markdown."""
    try:
        with new_session() as session:
            gaps = feedback.gaps(session)
            thumbs = feedback.feedback_by_article(session)
    except SQLAlchemyError as error:
        print(f"cannot read {get_settings().claims_db_url}: {type(error).__name__}")
        return 1
    print(f"# Knowledge gaps ({len(gaps)} distinct questions declined)\n")
    print("| times | question | intent | closest article | confidence |")
    print("|---|---|---|---|---|")
    for gap in gaps:
        score = f"{gap.score:.2f}" if gap.score is not None else "–"
        print(f"| {gap.count} | {gap.question} | {gap.intent} | {gap.best_article or '–'} | "
              f"{score} |")
    print("\n# Answer feedback\n")
    print("| article | 👍 | 👎 |")
    print("|---|---|---|")
    for row in thumbs:
        print(f"| {row.article_id} | {row.helpful} | {row.unhelpful} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
