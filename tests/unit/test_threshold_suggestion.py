"""eval-kb's suggested threshold: most right answers with wrong answers within the budget."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from scripts.eval_kb import WRONG_BUDGET, Case, suggest_threshold


def _case(want: str | None, got: str, confidence: float) -> Case:
    hit: Any = SimpleNamespace(article=SimpleNamespace(id=got), confidence=confidence)
    return Case("q", frozenset([want] if want else []), (hit,))


def test_the_lowest_threshold_within_the_wrong_budget_is_suggested() -> None:
    right = [_case("a", "a", c) for c in (0.9, 0.6, 0.35, 0.3, 0.22, 0.21)]
    wrong = [_case("a", "b", c) for c in (0.33, 0.28)] + [_case(None, "b", 0.25)]
    filler = [_case("a", "a", 0.99)] * 60  # 69 cases: 3% allows two wrong answers
    assert WRONG_BUDGET == 0.03
    # Up to 0.25 three answers are wrong (one of them should have been declined); from 0.26 two
    # are, within the budget, and 0.26 keeps the most right answers (the lowest such threshold).
    assert suggest_threshold(right + wrong + filler) == 0.26


def test_nothing_is_answered_when_no_threshold_keeps_the_budget() -> None:
    assert suggest_threshold([_case("a", "b", 1.0)] * 3) == 1.0
