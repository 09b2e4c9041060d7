"""The labelled question sets of `make eval-kb` stay consistent with the articles.

A renamed or removed article would otherwise turn right answers into wrong ones in the
evaluation without anyone noticing, and a question listed twice would count twice.
"""

from __future__ import annotations

import pytest
import yaml

from knowledge.store import load_articles
from scripts.eval_kb import QUESTION_SETS
from settings import get_settings


@pytest.mark.parametrize("name", sorted(QUESTION_SETS))
def test_labels_name_existing_articles_once(name: str) -> None:
    ids = {article.id for article in load_articles(get_settings().knowledge_dir)}
    rows = yaml.safe_load(QUESTION_SETS[name].read_text(encoding="utf-8"))["questions"]
    named = {row["article"] for row in rows if row.get("article")}
    named |= {also for row in rows for also in row.get("also") or []}
    assert named - ids == set()
    questions = [row["q"] for row in rows]
    assert len(questions) == len(set(questions))

