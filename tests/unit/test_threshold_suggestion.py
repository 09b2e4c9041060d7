"""eval-kb: the suggested bars, and the topics a declined question is offered.

The bars buy the most right answers for the wrong ones, at WRONG_COST each.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from scripts.eval_kb import (
    WRONG_CAP,
    WRONG_COST,
    Case,
    decline_buttons,
    suggest_bars,
    topics_offered,
)


def _case(want: str | None, got: str, confidence: float, covers: bool = False) -> Case:
    hit: Any = SimpleNamespace(
        article=SimpleNamespace(id=got), confidence=confidence, covers_concepts=covers
    )
    return Case("q", frozenset([want] if want else []), (hit,))


def test_a_wrong_answer_is_worth_taking_only_with_more_than_four_right_ones() -> None:
    assert WRONG_COST == 4
    above = [_case("a", "a", 0.99)] * 100 + [_case("a", "a", c) for c in (0.3, 0.29, 0.28, 0.27)]
    wrong = [_case("a", "b", 0.25), _case("a", "b", 0.05)]  # the one at 0.05 is never worth it
    five_below = [_case("a", "a", c) for c in (0.24, 0.23, 0.22, 0.21, 0.2)]
    # Going under the wrong answer at 0.25 pays with five right ones below it (gain 5 - 4 = 1);
    # of the equal bars down to the next wrong answer, the lowest (0.06).
    assert suggest_bars(above + wrong + five_below) == (0.06, 0.0)
    # With four it does not (gain 0): the bar stays above it, the lowest such (0.26).
    assert suggest_bars(above + wrong + five_below[:4]) == (0.26, 0.0)


def test_wrong_answers_never_exceed_the_cap() -> None:
    assert WRONG_CAP == 0.05
    # Bands of five right answers and one wrong: each pays for itself at a cost of four. 108
    # questions allow 5.4 wrong answers: the bar takes the sixth band's right answers (0.40 to
    # 0.36) but stops above its wrong one (0.34); of the equal bars, the lowest (0.35).
    cases = [_case("a", "a", 0.99)] * 60
    for step in range(8):
        high = round(0.9 - step * 0.1, 2)
        cases += [_case("a", "a", round(high - i / 100, 2)) for i in range(5)]
        cases.append(_case("a", "b", round(high - 0.06, 2)))
    assert suggest_bars(cases) == (0.35, 0.0)


def test_nothing_is_answered_when_every_answer_is_wrong() -> None:
    assert suggest_bars([_case("a", "b", 1.0)] * 3) == (1.0, 1.0)


def test_both_bars_are_chosen_together() -> None:
    covered_right = [_case("a", "a", c, covers=True) for c in (0.2, 0.15, 0.12, 0.09)]
    covered_wrong = [_case("a", "b", c, covers=True) for c in (0.14, 0.11, 0.10)]
    uncovered = [_case("a", "b", c) for c in (0.23, 0.2, 0.1)]  # never under the lower bar
    filler = [_case("a", "a", 0.99)] * 60
    # With the threshold above every uncovered wrong answer (0.24 and up), a lower bar of 0.15
    # answers two covered right answers for none wrong; down to 0.12 adds one right for one
    # wrong (a loss at a cost of four), and further down only more wrong ones and one right.
    assert suggest_bars(covered_right + covered_wrong + uncovered + filler) == (0.24, 0.15)


def _declined(want: str | None, offered: tuple[str, ...], buttons: int = 3) -> Case:
    hits: Any = tuple(
        SimpleNamespace(article=SimpleNamespace(id=got), confidence=0.05, covers_concepts=False)
        for got in offered
    )
    return Case("q", frozenset([want] if want else []), hits, buttons=buttons)


def test_topics_offered_counts_answerable_declines_with_the_right_button() -> None:
    group = [
        (_declined("a", ("b", "c", "a")), "declined"),  # third button: one click away
        (_declined("a", ("b", "c")), "declined"),  # not among the buttons
        (_declined("a", ("b", "c", "a"), buttons=2), "declined"),  # an unsure parse shows two
        (_declined(None, ("b",)), "declined"),  # to decline: nothing to offer
        (_declined("a", ("a",), buttons=0), "declined"),  # a complaint's reply: no buttons
        (_declined("a", ("a",)), "right"),  # answered, not declined
    ]
    assert topics_offered(group) == (1, 3)


def test_only_a_question_familys_decline_offers_three_articles() -> None:
    assert decline_buttons("ask_documents") == 3
    assert decline_buttons(None) == 3  # no NLU
    assert decline_buttons("nlu_fallback") == 2
    for intent in ("complain", "inform", "out_of_scope", "affirm", "report_claim"):
        assert decline_buttons(intent) == 0
