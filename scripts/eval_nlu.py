"""Evaluates the NLU (`make eval-nlu`): held-out sets, real questions, parse latency.

Loads the newest model in models/ in-process and parses:
- tests/nlu/test_plain.yml, test_typos.yml, test_traditional.yml (written independently of
  the training data, never trained on): intent accuracy and macro-F1, entity precision,
  recall and F1 (exact span, type and value), the most frequent confusions;
- the real development questions in ../shared/eval/dev_questions.jsonl (not in the repo):
  the share routed to the right place (route) and to the right question family (topic);
- parse latency per message (p50/p95) over all of the above.
Writes docs/eval/nlu.md and prints it. `--cross-validation` adds 5-fold cross-validation of
the training data through `rasa test nlu` (slow: five trainings).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TEST_SETS = ("test_plain", "test_typos", "test_traditional")
DEV_QUESTIONS = ROOT.parent / "shared" / "eval" / "dev_questions.jsonl"
# The question families, answered by a search of the knowledge base (bot/data/rules.yml).
QUESTION_INTENTS = {
    "ask_coverage", "ask_procedure", "ask_documents", "ask_timeline", "ask_payment",
    "ask_dispute", "ask_general",
}
# Messages the knowledge base searches: the question families, and what the classifier was
# unsure of (nlu_fallback) or took for information (inform), which the fallback actions
# search first (bot/actions/fallback.py).
SENT_TO_KB = QUESTION_INTENTS | {"nlu_fallback", "inform"}
# Where each route of the development set should go (ask_details shows more of an answer).
ROUTE_INTENTS = {
    "faq": SENT_TO_KB | {"ask_details"},
    "status": {"claim_status", "list_claims"},
    "complaint": {"complain", "ask_dispute"},
    "handoff": {"request_human", "complain"},
}
# The question family (intent) each topic tag expects.
TOPIC_INTENTS = {
    "coverage": {"ask_coverage"},
    "procedure": {"ask_procedure"},
    "documents": {"ask_documents"},
    "timeline": {"ask_timeline"},
    "payment": {"ask_payment"},
    "status": {"claim_status", "list_claims"},
    "complaint": {"complain", "ask_dispute"},
    "other": {"ask_general"},
}


@dataclass
class Scores:
    """Counts for one test set."""

    gold: list[str] = field(default_factory=list)
    predicted: list[str] = field(default_factory=list)
    entity_true: int = 0
    entity_predicted: int = 0
    entity_gold: int = 0


def macro_f1(gold: list[str], predicted: list[str]) -> float:
    """Averages the per-intent F1 over the intents in the gold labels."""
    scores = []
    for label in sorted(set(gold)):
        tp = sum(g == p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(p == label != g for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label != p for g, p in zip(gold, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * precision * recall / (precision + recall) if tp else 0.0)
    return statistics.mean(scores) if scores else 0.0


def entity_key(entity: dict[str, Any]) -> tuple[str, int, int, str]:
    """Identifies an entity by type, span and value (compared in Simplified, upper case).

    The pipeline reads Traditional text as Simplified, so 粵B·F67890 is found as 粤B·F67890:
    the same entity.
    """
    from bot.nlu.text import normalize

    return (
        str(entity["entity"]), int(entity["start"]), int(entity["end"]),
        normalize(str(entity.get("value", ""))).upper(),
    )


async def parse_all(agent: Any, texts: list[str]) -> tuple[list[dict[str, Any]], list[float]]:
    """Parses each text, timing every call."""
    results, timings = [], []
    for text in texts:
        start = time.perf_counter()
        results.append(await agent.parse_message(text))
        timings.append((time.perf_counter() - start) * 1000)
    return results, timings


def percentile(values: list[float], share: float) -> float:
    """Returns a percentile by the nearest-rank method."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def evaluate_sets(agent: Any, timings: list[float]) -> tuple[dict[str, Scores], list[str]]:
    """Scores the held-out sets; returns the scores and the errors for the report."""
    from rasa.shared.nlu.training_data.loading import load_data

    results: dict[str, Scores] = {}
    errors = []
    for name in TEST_SETS:
        data = load_data(str(ROOT / "tests" / "nlu" / f"{name}.yml"))
        examples = data.intent_examples
        parsed, took = asyncio.run(parse_all(agent, [e.get("text") for e in examples]))
        timings += took
        scores = Scores()
        for example, result in zip(examples, parsed, strict=True):
            gold_intent = example.get("intent")
            predicted = result["intent"]["name"]
            scores.gold.append(gold_intent)
            scores.predicted.append(predicted)
            if gold_intent != predicted:
                errors.append(f"{name}: 「{example.get('text')}」 {gold_intent} → {predicted}")
            gold_entities = {entity_key(e) for e in example.get("entities") or []}
            found = {entity_key(e) for e in result.get("entities") or []}
            scores.entity_gold += len(gold_entities)
            scores.entity_predicted += len(found)
            scores.entity_true += len(gold_entities & found)
            for missing in gold_entities - found:
                errors.append(f"{name}: 「{example.get('text')}」 missed entity {missing}")
            for extra in found - gold_entities:
                errors.append(f"{name}: 「{example.get('text')}」 extra entity {extra}")
        results[name] = scores
    return results, errors


def evaluate_dev(agent: Any, timings: list[float]) -> dict[str, Any]:
    """Routes the real development questions (kept outside the repo) and scores them."""
    if not DEV_QUESTIONS.exists():
        return {}
    rows = [json.loads(line) for line in DEV_QUESTIONS.read_text(encoding="utf-8").splitlines()]
    parsed, took = asyncio.run(parse_all(agent, [r["question"] for r in rows]))
    timings += took
    route_right = topic_right = 0
    by_intent: collections.Counter[str] = collections.Counter()
    for row, result in zip(rows, parsed, strict=True):
        intent = result["intent"]["name"]
        by_intent[intent] += 1
        route_right += intent in ROUTE_INTENTS[row["route"]]
        topic_right += intent in TOPIC_INTENTS.get(row["topic"], set())
    return {
        "n": len(rows),
        "route": route_right / len(rows),
        "topic": topic_right / len(rows),
        "by_intent": by_intent.most_common(),
    }


def cross_validate() -> str:
    """Runs 5-fold cross-validation of the training data and summarizes it."""
    out = ROOT / "results" / "nlu_cv"
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "rasa"), "test", "nlu", "--nlu", "bot/data",
         "--config", "config.yml", "--cross-validation", "--folds", "5", "--out", str(out)],
        cwd=ROOT, env=env, check=True, capture_output=True,
    )
    report = json.loads((out / "intent_report.json").read_text())
    return (f"5-fold cross-validation of the training data: intent accuracy "
            f"{report['accuracy']:.3f}, macro-F1 {report['macro avg']['f1-score']:.3f}")


def report(results: dict[str, Scores], dev: dict[str, Any], timings: list[float],
           errors: list[str], cv: str) -> str:
    """Writes the Markdown report."""
    lines = ["# NLU evaluation", "", f"Model: `{newest_model().name}`", "",
             "| set | examples | intent accuracy | intent macro-F1 | entity P | entity R | "
             "entity F1 |", "|---|---|---|---|---|---|---|"]
    for name, s in results.items():
        accuracy = sum(g == p for g, p in zip(s.gold, s.predicted, strict=True)) / len(s.gold)
        precision = s.entity_true / s.entity_predicted if s.entity_predicted else 1.0
        recall = s.entity_true / s.entity_gold if s.entity_gold else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        lines.append(f"| {name} | {len(s.gold)} | {accuracy:.3f} | "
                     f"{macro_f1(s.gold, s.predicted):.3f} | {precision:.3f} | {recall:.3f} | "
                     f"{f1:.3f} |")
    confusions: collections.Counter[tuple[str, str]] = collections.Counter()
    for s in results.values():
        confusions.update((g, p) for g, p in zip(s.gold, s.predicted, strict=True) if g != p)
    lines += ["", "Most frequent confusions (gold → predicted): " + ", ".join(
        f"{g} → {p} ({n})" for (g, p), n in confusions.most_common(8)) or "none"]
    if dev:
        lines += ["", f"Real development questions ({dev['n']}, never trained on): "
                  f"routed to the right place {dev['route']:.1%}, to the right question "
                  f"family {dev['topic']:.1%}.", "Intents given: " + ", ".join(
                      f"{i} {n}" for i, n in dev["by_intent"])]
    lines += ["", f"Parse latency in-process ({len(timings)} messages): "
              f"p50 {percentile(timings, 0.5):.1f} ms, p95 {percentile(timings, 0.95):.1f} ms, "
              f"p99 {percentile(timings, 0.99):.1f} ms."]
    if cv:
        lines += ["", cv]
    lines += ["", "## Errors on the held-out sets", ""] + [f"- {e}" for e in errors]
    return "\n".join(lines) + "\n"


def quiet() -> None:
    """Silences Rasa's per-message debug lines (structlog prints every level by default)."""
    import logging

    import structlog

    logging.basicConfig(level=logging.WARNING)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))


def newest_model() -> Path:
    """Returns the newest trained model."""
    models = sorted((ROOT / "models").glob("*.tar.gz"), key=os.path.getmtime)
    if not models:
        sys.exit("no model in models/: run `make train`")
    return models[-1]


def main() -> int:
    """Runs the evaluation and writes docs/eval/nlu.md."""
    parser = argparse.ArgumentParser(description="Evaluate the NLU.")
    parser.add_argument("--cross-validation", action="store_true")
    args = parser.parse_args()
    quiet()
    from rasa.core.agent import Agent

    agent = Agent.load(str(newest_model()))
    timings: list[float] = []
    results, errors = evaluate_sets(agent, timings)
    dev = evaluate_dev(agent, timings)
    cv = cross_validate() if args.cross_validation else ""
    text = report(results, dev, timings, errors, cv)
    out = ROOT / "docs" / "eval" / "nlu.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(text.split("## Errors")[0])
    print(f"full report with every error: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
