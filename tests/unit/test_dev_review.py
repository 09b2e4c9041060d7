"""The kept verdicts of the development-set review stay usable and carry no question text.

`make eval-dev` matches a verdict to an answer by the question's row and the article given: a
renamed article would silently turn its verdicts into "unreviewed". The development questions may
not be copied into the project, so a verdict names the row and the article, nothing else: no
note, which would end up retelling the question (the reviewers' notes stay in results/).
"""

from __future__ import annotations

import json

from knowledge.store import load_articles
from scripts.eval_dev import REVIEW
from settings import get_settings

VERDICTS = {"correct", "incomplete", "wrong"}


def verdict_rows() -> list[dict]:
    return [json.loads(line) for line in REVIEW.read_text(encoding="utf-8").splitlines() if line]


def test_each_verdict_names_a_row_an_existing_article_and_a_known_verdict() -> None:
    ids = {article.id for article in load_articles(get_settings().knowledge_dir)}
    rows = verdict_rows()
    assert len(rows) >= 100
    for row in rows:
        assert set(row) == {"source_row", "article", "verdict"}, row
        assert isinstance(row["source_row"], int)
        assert row["article"] in ids, row
        assert row["verdict"] in VERDICTS, row


def test_one_verdict_per_answer() -> None:
    keys = [(row["source_row"], row["article"]) for row in verdict_rows()]
    assert len(keys) == len(set(keys))
