"""Evaluates knowledge-base retrieval (`make eval-kb`) and calibrates its threshold.

Runs every question of three labelled sets through the same search the assistant uses:
tests/kb/questions.yml (written independently of the articles' example questions),
tests/kb/questions_customer_style.yml (written the way customers type: long situations,
keywords, typos) and tests/kb/questions_held_out.yml (written like the second, later, by other
hands). `article: null` marks questions the knowledge base should decline. Reports, for each
set, top-1 accuracy and MRR@3 on the answerable questions and what happens end to end at the
bars; sweeps both bars on the first two sets together and suggests them. The third set is held
out: it is measured, but neither chooses the bars nor has its misses listed, so that it keeps
telling how questions nobody tuned for fare. Writes docs/eval/kb.md.
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
from bot.nlu.claims_question import is_claims_question
from bot.nlu.text import normalize
from knowledge.analyzer import Analyzer
from knowledge.search import Hit, KnowledgeBase, is_sure
from knowledge.store import load_articles
from scripts.eval_nlu import QUESTION_INTENTS, SENT_TO_KB
from settings import get_settings

# Messages the NLU calls a complaint, out of scope, or a stop with nothing to stop also reach
# the knowledge base, searched without an intent (bot/actions/complaint.py, fallback.py): a
# complaint is answered at the usual threshold, the other two at KB_STRICT_THRESHOLD.
STRICT_INTENTS = {"out_of_scope", "stop"}
SEARCHED_WITHOUT_INTENT = STRICT_INTENTS | {"complain"}
REACHES_KB = SENT_TO_KB | SEARCHED_WITHOUT_INTENT
# A yes or a no when nothing was asked that is really a long claims question is searched
# without an intent, at KB_THRESHOLD (bot/actions/fallback.py, YesOrNoWithoutContext).
YES_NO = {"affirm", "deny"}
# A report that also asks a question is answered first when the answer clears the stricter bar;
# otherwise the report form starts (bot/actions/claim_report.py): it goes elsewhere.
ANSWERED_BEFORE_FORM = {"report_claim"}
# Choosing the bars: a wrong answer costs as much as WRONG_COST right answers gain, so a band of
# confidence is answered only where its right answers outnumber its wrong ones that much. A
# budget of wrong answers (3% until now) was consumed by confident wrong answers that no bar
# can separate, and then made the bars drop many right answers to avoid a few wrong ones.
WRONG_COST = 4
# Never more wrong answers than the issue allows, whatever the gain.
WRONG_CAP = 0.05

ROOT = Path(__file__).resolve().parent.parent
QUESTION_SETS = {
    "labelled": ROOT / "tests" / "kb" / "questions.yml",
    "customer-style": ROOT / "tests" / "kb" / "questions_customer_style.yml",
    "held-out": ROOT / "tests" / "kb" / "questions_held_out.yml",
}
# Sets that are measured only: the bars are chosen on the others, and their misses stay unlisted.
HELD_OUT = {"held-out"}


@dataclass(frozen=True)
class Case:
    """One labelled question and what the search returned."""

    question: str
    accepted: frozenset[str]  # empty: the knowledge base should decline
    hits: tuple[Hit, ...]
    routed_away: bool = False  # the NLU sends it elsewhere: the knowledge base never sees it
    strict: bool = False  # the NLU sent it elsewhere (STRICT_INTENTS, …): the stricter bar applies
    answered_first: bool = False  # a report with a question: answered if sure, else the form
    source: str = "labelled"  # the question set (QUESTION_SETS)
    buttons: int = 3  # closest articles a decline offers (knowledge_answer.py, fallback.py)

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


def decline_buttons(intent: str | None) -> int:
    """How many closest articles a decline offers as buttons, by where the NLU sent it.

    A question family's decline offers three (bot/actions/knowledge_answer.py, `decline`), an
    unsure parse two (bot/actions/fallback.py); a complaint, information, a yes or no, a report
    and the strict cases give their own reply without articles. No NLU: a question family.
    """
    if intent is None or intent in QUESTION_INTENTS:
        return 3
    return 2 if intent == "nlu_fallback" else 0


def load_cases(kb: KnowledgeBase, with_nlu: bool) -> list[Case]:
    """Searches every labelled question of every set (with the NLU's intent and product lines)."""
    rows = [
        (name, row)
        for name, path in QUESTION_SETS.items()
        for row in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    ]
    parsed = nlu_of([row["q"] for _, row in rows]) if with_nlu else {}
    cases = []
    for source, row in rows:
        accepted = frozenset(
            [row["article"]] + list(row.get("also") or []) if row.get("article") else []
        )
        intent, lines = parsed.get(row["q"], (None, set()))
        first = intent in ANSWERED_BEFORE_FORM and asks_a_question(row["q"])
        yes_no = intent in YES_NO and is_claims_question(normalize(row["q"]))
        search_intent = None if intent in SEARCHED_WITHOUT_INTENT or first or yes_no else intent
        hits = kb.search(row["q"], intent=search_intent, product_lines=lines, k=3)
        if intent == "complain" and not has_content(row["q"]):
            hits = []  # the complaint action answers only a complaint with content
        away = intent is not None and intent not in REACHES_KB and not first and not yes_no
        strict = intent in STRICT_INTENTS or first
        cases.append(Case(row["q"], accepted, tuple(hits), away, strict, first, source,
                          decline_buttons(intent)))
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


def gain(counts: collections.Counter[str]) -> int:
    """Right answers minus WRONG_COST times wrong ones: what suggest_bars maximises."""
    return counts["right"] - WRONG_COST * counts["wrong"]


def suggest_bars(cases: list[Case]) -> tuple[float, float]:
    """KB_THRESHOLD and KB_COVERED_THRESHOLD together, in steps of 0.01.

    The pair with the highest gain, right answers minus WRONG_COST times wrong ones, among
    those within WRONG_CAP; of equals, the fewest wrong, then the lowest threshold, then the
    lowest lower bar. Searched jointly: fixing one bar and tuning the other can stop at a
    worse pair. Answering nothing (1.0, 1.0) gains 0.
    """
    best: tuple[int, int, float, float] = (0, 0, 1.0, 1.0)
    for t_step in range(0, 101):
        for c_step in range(0, t_step + 1):
            t, c = t_step / 100, c_step / 100
            counts = tally(cases, t, c)
            key = (gain(counts), -counts["wrong"])
            if counts["wrong"] <= WRONG_CAP * len(cases) and key > best[:2]:
                best = (*key, t, c)
    return best[2], best[3]


def ranking(cases: list[Case]) -> tuple[float, float]:
    """Top-1 accuracy and MRR@3 of the search's ranking on the answerable questions."""
    answerable = [c for c in cases if c.accepted]
    top1 = sum(c.rank() == 1 for c in answerable) / len(answerable)
    mrr = sum(1 / r for c in answerable if (r := c.rank())) / len(answerable)
    return top1, mrr


def topics_offered(group: list[tuple[Case, str]]) -> tuple[int, int]:
    """Answerable questions declined with buttons, and how many offer an acceptable article.

    A decline offers the closest articles as buttons (`Case.buttons`: three for a question
    family, two for an unsure parse, none where the NLU sent the message to another reply).
    """
    declined = [c for c, result in group if result == "declined" and c.accepted and c.buttons]
    return sum((r := c.rank()) is not None and r <= c.buttons for c in declined), len(declined)


def report(cases: list[Case], threshold: float, covered: float, with_nlu: bool) -> str:
    """Writes the Markdown report."""
    strict = get_settings().kb_strict_threshold
    now = [outcome(c, threshold, covered, strict) for c in cases]
    pairs = list(zip(cases, now, strict=True))
    sets = {name: [p for p in pairs if p[0].source == name] for name in QUESTION_SETS}
    tuning = [p for p in pairs if p[0].source not in HELD_OUT]
    sets["both"] = tuning
    tuning_cases = [c for c, _ in tuning]

    def row(label: str, counts: collections.Counter[str], n: int) -> str:
        return (f"| {label} | {counts['right'] / n:.1%} | {counts['wrong'] / n:.1%} | "
                f"{counts['declined'] / n:.1%} | {counts['elsewhere'] / n:.1%} |")

    header = ["| right | wrong | declined | sent elsewhere |", "|---|---|---|---|---|"]
    lines = [
        "# Knowledge-base retrieval evaluation", "",
        "Three labelled sets: `tests/kb/questions.yml` (labelled), "
        "`tests/kb/questions_customer_style.yml` (customer-style) and "
        "`tests/kb/questions_held_out.yml` (held-out: measured only, see below); "
        f"threshold {threshold:.2f} "
        f"({covered:.2f} when the article covers every concept the question names), "
        + ("searched with the NLU's intent and product lines, as in use."
           if with_nlu else "searched without the NLU (no model)."), "",
        "| set | answerable | to decline (not answered) | top-1 | MRR@3 | right | wrong | declined "
        "| sent elsewhere | right topic offered |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, group in sets.items():
        top1, mrr = ranking([c for c, _ in group])
        counts = collections.Counter(result for _, result in group)
        n = len(group)
        to_decline = [result for c, result in group if not c.accepted]
        kept_out = sum(result != "wrong" for result in to_decline)
        offered, declined = topics_offered(group)
        lines.append(
            f"| {name} | {n - len(to_decline)} | "
            f"{len(to_decline)} ({kept_out}) | {top1:.1%} | {mrr:.3f} | "
            f"{counts['right'] / n:.1%} | {counts['wrong'] / n:.1%} | "
            f"{counts['declined'] / n:.1%} | {counts['elsewhere'] / n:.1%} | "
            f"{offered}/{declined} |"
        )
    lines += [
        "", "Top-1 and MRR@3 rank the answerable questions before any bar; the other columns "
        "are shares of all the set's questions at the bars. Sent elsewhere: the NLU routes "
        "the question to another flow (status, reporting, chitchat …) or a report's form. "
        "Right topic offered: of the answerable questions declined with the closest topics as "
        "buttons, how many have an acceptable article among them (one click away). "
        "Both: labelled and customer-style, the sets the bars are chosen on; the held-out set "
        "takes no part in the sweeps below, and its misses are not listed.",
        "", f"Both sets, by threshold, with the lower bar for full concept cover at "
        f"{covered:.2f} (or the threshold, if lower):", "",
        "| threshold " + header[0], header[1],
    ]
    for t in sorted({step / 20 for step in range(0, 21)} | {threshold}):
        mark = " ←" if abs(t - threshold) < 1e-9 else ""
        counts = tally(tuning_cases, t, min(covered, t))
        lines.append(row(f"{t:.2f}{mark}", counts, len(tuning_cases)))
    lines += ["", f"Both sets, by the lower bar for full concept cover, threshold "
              f"{threshold:.2f}:", "", "| covered bar " + header[0], header[1]]
    for c in sorted({step / 100 for step in range(0, round(threshold * 100) + 1, 2)} | {covered}):
        mark = " ←" if abs(c - covered) < 1e-9 else ""
        lines.append(row(f"{c:.2f}{mark}", tally(tuning_cases, threshold, c), len(tuning_cases)))
    suggested, suggested_covered = suggest_bars(tuning_cases)
    lines += ["", f"Suggested bars: threshold **{suggested:.2f}**, lower bar for full concept "
              f"cover **{suggested_covered:.2f}** (both sets; searched together in steps of "
              f"0.01: the pair with the most right answers minus {WRONG_COST} times the wrong "
              f"ones, wrong answers at most {WRONG_CAP:.0%}; then the fewest wrong, then the "
              f"lowest). Articles added or edited move every confidence a little: recalibrate "
              f"`KB_THRESHOLD` and `KB_COVERED_THRESHOLD` with this, and check dev.",
              "", f"Gain (right − {WRONG_COST} × wrong, both sets) at the bars in use: "
              f"{gain(tally(tuning_cases, threshold, covered))}; at the suggested bars: "
              f"{gain(tally(tuning_cases, suggested, suggested_covered))}. Retraining the NLU with "
              f"another random seed sends a few dozen of these questions elsewhere or back, and "
              f"moved this gain by more than ten points when measured (README): a difference "
              f"of a few points is no reason to move the bars."]
    lines += ["", "## Misses at the threshold", ""]
    for case, result in tuning:
        if (result == "wrong") or (result == "declined" and case.accepted):
            top = case.top
            found = f"{top.article.id} ({top.confidence:.2f})" if top else "nothing"
            want = "/".join(sorted(case.accepted)) or "decline"
            lines.append(f"- {result} ({case.source}): 「{case.question}」 want {want}, "
                         f"got {found}")
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
