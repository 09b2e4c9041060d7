"""The labelled question sets of `make eval-kb` stay consistent and stay out of training.

A renamed or removed article would otherwise turn right answers into wrong ones in the
evaluation without anyone noticing, a question listed twice would count twice, and a labelled
question copied into an article's examples or the NLU's training data would be measured on
what the system was taught.
"""

from __future__ import annotations

import pytest
import yaml

from knowledge.store import load_articles
from scripts.eval_kb import QUESTION_SETS
from settings import get_settings
from tests.conftest import nlu_examples

MIN_LENGTH = 6


def questions_of(name: str) -> list[dict]:
    return yaml.safe_load(QUESTION_SETS[name].read_text(encoding="utf-8"))["questions"]


@pytest.mark.parametrize("name", sorted(QUESTION_SETS))
def test_labels_name_existing_articles_once(name: str) -> None:
    ids = {article.id for article in load_articles(get_settings().knowledge_dir)}
    rows = questions_of(name)
    named = {row["article"] for row in rows if row.get("article")}
    named |= {also for row in rows for also in row.get("also") or []}
    assert named - ids == set()
    questions = [row["q"] for row in rows]
    assert len(questions) == len(set(questions))


def test_no_question_is_in_two_sets_or_in_what_the_system_learns() -> None:
    seen: dict[str, str] = {}
    for name in QUESTION_SETS:
        for row in questions_of(name):
            assert row["q"] not in seen, (row["q"], seen.get(row["q"]), name)
            seen[row["q"]] = name
    taught = set()
    for article in load_articles(get_settings().knowledge_dir):
        taught |= {article.title, *article.questions}
    taught |= {text for _, text in nlu_examples("bot/data/nlu*.yml")}
    # Greetings and keyword queries of a few characters (你好, 交强险限额) coincide by nature.
    assert sorted(q for q in set(seen) & taught if len(q) >= MIN_LENGTH) == []
