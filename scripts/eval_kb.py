"""Evaluates knowledge-base retrieval (`make eval-kb`) and calibrates its threshold.

Runs every question of tests/kb/questions.yml (written independently of the articles'
example questions; `article: null` marks questions the knowledge base should decline)
through the same search the assistant uses. Reports top-1 accuracy and MRR@3 on the
answerable questions, the share declined (below the threshold), what happens to the
questions that should be declined, and a sweep of thresholds: for each, the share of all
questions answered right, answered wrong and declined. Writes docs/eval/kb.md.
"""

from __future__ import annotations

import argparse
import collections
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.actions.complaint import has_content
from bot.actions.report_answers import asks_a_question
from knowledge.analyzer import Analyzer
from knowledge.search import Hit, KnowledgeBase, is_sure
from knowledge.store import load_articles
from scripts.eval_nlu import SENT_TO_KB
from settings import get_settings

# Messages the NLU calls a complaint, out of scope, or a stop with nothing to stop also reach
# the knowledge base, searched without an intent (bot/actions/complaint.py, fallback.py): a
# complaint is answered at the usual threshold, the other two at KB_STRICT_THRESHOLD.
STRICT_INTENTS = {"out_of_scope", "stop"}
SEARCHED_WITHOUT_INTENT = STRICT_INTENTS | {"complain"}
REACHES_KB = SENT_TO_KB | SEARCHED_WITHOUT_INTENT
# A report that also asks a question is answered first when the answer clears the stricter bar;
# otherwise the report form starts (bot/actions/claim_report.py): it goes elsewhere.
ANSWERED_BEFORE_FORM = {"report_claim"}
# Wrong answers we accept on the labelled set when choosing a threshold (the issue allows 5%).
WRONG_BUDGET = 0.03

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "kb" / "questions.yml"


@dataclass(frozen=True)
class Case:
    """One labelled question and what the search returned."""

    question: str
    accepted: frozenset[str]  # empty: the knowledge base should decline
    hits: tuple[Hit, ...]
    routed_away: bool = False  # the NLU sends it elsewhere: the knowledge base never sees it
    strict: bool = False  # the NLU sent it elsewhere (STRICT_INTENTS, …): the stricter bar applies
    answered_first: bool = False  # a report with a question: answered if sure, else the form

    @property
    def top(self) -> Hit | None:
        """Returns the best hit, if any."""
        return self.hits[0] if self.hits else None

    def rank(self) -> int | None:
        """Returns the 1-based rank of the first acceptable article among the hits."""
        for i, hit in enumerate(self.hits, 1):
            if hit.article.id in self.accepted:
                return i
        return None


def nlu_of(questions: list[str]) -> dict[str, tuple[str, set[str]]]:
    """Parses the questions with the newest model: intent and product lines, as in use."""
    import asyncio
    import logging

    import structlog
    from rasa.core.agent import Agent

    from scripts.launch import newest_model

    logging.basicConfig(level=logging.WARNING)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    agent = Agent.load(str(newest_model()))

    async def parse() -> dict[str, tuple[str, set[str]]]:
        found = {}
        for question in questions:
            result = await agent.parse_message(question)
            lines = {str(e["value"]) for e in result["entities"] if e["entity"] == "product_line"}
            found[question] = (result["intent"]["name"], lines)
        return found

    return asyncio.run(parse())


def load_cases(kb: KnowledgeBase, with_nlu: bool) -> list[Case]:
    """Searches every labelled question (with the NLU's intent and product lines)."""
    rows = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))["questions"]
    parsed = nlu_of([row["q"] for row in rows]) if with_nlu else {}
    cases = []
    for row in rows:
        accepted = frozenset(
            [row["article"]] + list(row.get("also") or []) if row.get("article") else []
        )
        intent, lines = parsed.get(row["q"], (None, set()))
        first = intent in ANSWERED_BEFORE_FORM and asks_a_question(row["q"])
        search_intent = None if intent in SEARCHED_WITHOUT_INTENT or first else intent
        hits = kb.search(row["q"], intent=search_intent, product_lines=lines, k=3)
        if intent == "complain" and not has_content(row["q"]):
            hits = []  # the complaint action answers only a complaint with content
        away = intent is not None and intent not in REACHES_KB and not first
        cases.append(
            Case(row["q"], accepted, tuple(hits), away, intent in STRICT_INTENTS or first, first)
        )
    return cases


def outcome(case: Case, threshold: float, covered: float, strict: float) -> str:
    """Classifies a case at the bars (threshold, lower bar for full cover, strict bar)."""
    top = case.top
    if case.routed_away:
        return "elsewhere"
    if top is None or not is_sure(
        top.confidence, top.covers_concepts, threshold, covered, strict if case.strict else None
    ):
        return "elsewhere" if case.answered_first else "declined"
    return "right" if top.article.id in case.accepted else "wrong"


def tally(cases: list[Case], threshold: float, covered: float) -> collections.Counter[str]:
    """How many cases end right, wrong, declined or elsewhere at the bars."""
    strict = get_settings().kb_strict_threshold
    return collections.Counter(outcome(case, threshold, covered, strict) for case in cases)


def suggest_bars(cases: list[Case]) -> tuple[float, float]:
    """KB_THRESHOLD and KB_COVERED_THRESHOLD together, in steps of 0.01.

    The pair with the most right answers whose wrong answers stay within WRONG_BUDGET; of
    equals, the fewest wrong, then the lowest threshold, then the lowest lower bar. Searched
    jointly: fixing one bar and tuning the other can stop at a worse pair.
    """
    best: tuple[int, int, float, float] = (-1, 0, 1.0, 1.0)
    for t_step in range(0, 101):
        for c_step in range(0, t_step + 1):
            t, c = t_step / 100, c_step / 100
            counts = tally(cases, t, c)
            key = (counts["right"], -counts["wrong"])
            if counts["wrong"] <= WRONG_BUDGET * len(cases) and key > best[:2]:
                best = (*key, t, c)
    return best[2], best[3]


def report(cases: list[Case], threshold: float, covered: float, with_nlu: bool) -> str:
    """Writes the Markdown report."""
    answerable = [c for c in cases if c.accepted]
    unanswerable = [c for c in cases if not c.accepted]
    top1 = sum(c.rank() == 1 for c in answerable) / len(answerable)
    mrr = sum(1 / r for c in answerable if (r := c.rank())) / len(answerable)
    strict = get_settings().kb_strict_threshold
    now = [outcome(c, threshold, covered, strict) for c in cases]
    pairs = list(zip(now, cases, strict=True))
    below = sum(o == "declined" for o, c in pairs if c.accepted) / len(answerable)
    declined_right = sum(o in ("declined", "elsewhere") for o, c in pairs if not c.accepted)

    def row(label: str, counts: collections.Counter[str]) -> str:
        return (f"| {label} | {counts['right'] / len(cases):.1%} | "
                f"{counts['wrong'] / len(cases):.1%} | {counts['declined'] / len(cases):.1%} | "
                f"{counts['elsewhere'] / len(cases):.1%} |")

    header = ["| right | wrong | declined | sent elsewhere |", "|---|---|---|---|---|"]
    lines = [
        "# Knowledge-base retrieval evaluation", "",
        f"{len(answerable)} answerable questions and {len(unanswerable)} the knowledge base "
        f"should decline (`tests/kb/questions.yml`), threshold {threshold:.2f} "
        f"({covered:.2f} when the article covers every concept the question names), "
        + ("searched with the NLU's intent and product lines, as in use."
           if with_nlu else "searched without the NLU (no model)."), "",
        f"- top-1 accuracy: **{top1:.1%}** (the search's ranking, before the threshold)",
        f"- MRR@3: **{mrr:.3f}**",
        f"- answerable questions below the threshold (declined): {below:.1%}",
        f"- questions to decline that were declined or sent elsewhere: "
        f"{declined_right}/{len(unanswerable)}",
        f"- questions the NLU sends elsewhere (status, reporting, chitchat …), never "
        f"reaching the knowledge base: {sum(c.routed_away for c in cases)}/{len(cases)}",
        "", f"End to end, by threshold, with the lower bar for full concept cover at "
        f"{covered:.2f} (or the threshold, if lower); share of all questions:", "",
        "| threshold " + header[0], header[1],
    ]
    for t in sorted({step / 20 for step in range(0, 21)} | {threshold}):
        mark = " ←" if abs(t - threshold) < 1e-9 else ""
        lines.append(row(f"{t:.2f}{mark}", tally(cases, t, min(covered, t))))
    lines += ["", f"By the lower bar for full concept cover, threshold {threshold:.2f}:", "",
              "| covered bar " + header[0], header[1]]
    for c in sorted({step / 100 for step in range(0, round(threshold * 100) + 1, 2)} | {covered}):
        mark = " ←" if abs(c - covered) < 1e-9 else ""
        lines.append(row(f"{c:.2f}{mark}", tally(cases, threshold, c)))
    suggested, suggested_covered = suggest_bars(cases)
    lines += ["", f"Suggested bars: threshold **{suggested:.2f}**, lower bar for full concept "
              f"cover **{suggested_covered:.2f}** (searched together: the pair with the most "
              f"right answers among those keeping wrong answers at or under {WRONG_BUDGET:.0%} "
              f"of all questions, then the fewest wrong, then the lowest, in steps of 0.01). "
              f"Articles added or edited move every confidence a little: recalibrate "
              f"`KB_THRESHOLD` and `KB_COVERED_THRESHOLD` with this, and check dev."]
    lines += ["", "## Misses at the threshold", ""]
    for case, result in zip(cases, now, strict=True):
        if (result == "wrong") or (result == "declined" and case.accepted):
            top = case.top
            found = f"{top.article.id} ({top.confidence:.2f})" if top else "nothing"
            want = "/".join(sorted(case.accepted)) or "decline"
            lines.append(f"- {result}: 「{case.question}」 want {want}, got {found}")
    return "\n".join(lines) + "\n"


def main() -> int:
    """Runs the evaluation and writes docs/eval/kb.md."""
    parser = argparse.ArgumentParser(description="Evaluate knowledge-base retrieval.")
    parser.add_argument("--threshold", type=float, default=get_settings().kb_threshold)
    parser.add_argument("--covered", type=float, default=get_settings().kb_covered_threshold,
                        help="the lower bar when the article covers every concept named")
    parser.add_argument("--without-nlu", action="store_true", help="search text only")
    args = parser.parse_args()
    with_nlu = not args.without_nlu and any((ROOT / "models").glob("*.tar.gz"))
    kb = KnowledgeBase(load_articles(get_settings().knowledge_dir), Analyzer())
    text = report(load_cases(kb, with_nlu), args.threshold, args.covered, with_nlu)
    out = ROOT / "docs" / "eval" / "kb.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(text.split("## Misses")[0])
    print(f"full report: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
