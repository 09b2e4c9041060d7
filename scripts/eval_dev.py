"""Runs the real development questions end to end (`make eval-dev`) and records the answers.

Each question of ../shared/eval/dev_questions.jsonl goes to a fresh conversation of a
running assistant (started here on free ports). The answers land in results/dev_answers.jsonl
(outside git: the questions may not be copied into the project) with what the assistant did:
answered from an article, declined honestly, started the status look-up, took a complaint,
handed over. The key-term proxy of ../shared/eval/score.py is computed too; the verdicts of
the manual review (correct / incomplete / wrong) are read from docs/eval/dev_review.jsonl, and
the summary is printed for the README. The verdicts name only a question's row in the source
data and the article given, never the question, so they are kept in git: a review is hours of
reading, and one kept outside git was lost with its machine.
"""

from __future__ import annotations

import collections
import json
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

import requests

from knowledge.search import is_sure
from scripts.launch import running_assistant
from settings import DEFAULT_KB_THRESHOLD, get_settings

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT.parent / "shared" / "eval" / "dev_questions.jsonl"
ANSWERS = ROOT / "results" / "dev_answers.jsonl"
REVIEW = ROOT / "docs" / "eval" / "dev_review.jsonl"


def knowledge_card(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """Returns the knowledge answer's payload (confidence, concept cover …), if the reply is one."""
    for m in messages:
        custom = m.get("custom") or {}
        if custom.get("type") == "knowledge_answer":
            return dict(custom)
    return {}


def what_it_did(messages: list[dict[str, Any]]) -> tuple[str, str | None]:
    """Classifies a reply: answered (with the article), declined, status, complaint, …."""
    kinds = {(m.get("custom") or {}).get("type"): m.get("custom") for m in messages}
    if "knowledge_answer" in kinds:
        return "answered", kinds["knowledge_answer"]["article_id"]  # type: ignore[index]
    if "handoff" in kinds:
        return "handoff", None
    text = "".join(m.get("text") or "" for m in messages)
    if "报案号" in text and "查询" in text:
        return "status", None
    if "投诉" in text and "登记" in text:
        return "complaint", None
    if "报案" in text and "保单号" in text:
        return "report", None
    return "declined", None


def kind_without_answer(messages: list[dict[str, Any]]) -> str:
    """What the reply is without its knowledge answer: a complaint keeps its offer."""
    rest = [m for m in messages if (m.get("custom") or {}).get("type") != "knowledge_answer"]
    return what_it_did(rest)[0] if rest else "declined"


def reply_text(messages: list[dict[str, Any]]) -> str:
    """Everything a user would read (as score.py counts it)."""
    parts = []
    for m in messages:
        parts.append(m.get("text") or "")
        parts += [b.get("title", "") for b in m.get("buttons") or []]
        if m.get("custom") is not None:
            parts.append(json.dumps(m["custom"], ensure_ascii=False))
    return "\n".join(parts)


# The right thing to do for each route of the development set, when it is not an answer.
RIGHT_ROUTING = {"status": {"status"}, "complaint": {"complaint", "handoff"},
                 "handoff": {"handoff", "complaint"}}


def reviewed_summary() -> str:
    """Combines the last answers with the manual verdicts, for a sweep of thresholds.

    A verdict belongs to a question and the article given (docs/eval/dev_review.jsonl): an
    answer below a threshold counts as declined (below KB_COVERED_THRESHOLD, or the
    threshold if lower, when the article covers every concept the question names); an
    answer whose article was never reviewed is counted as unreviewed rather than guessed. A
    question's decline offers the closest articles as buttons: "best article right" counts the
    declines whose best article, the first button, is a correct answer.
    """
    verdicts = {}
    for line in REVIEW.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            verdicts[(row["source_row"], row["article"])] = row["verdict"]
    records = [json.loads(line) for line in ANSWERS.read_text(encoding="utf-8").splitlines()]
    lines = ["| threshold | correct | incomplete | wrong | declined | (best article right) | "
             "routed right | routed elsewhere | unreviewed |",
             "|---|---|---|---|---|---|---|---|---|"]
    configured = get_settings().kb_threshold
    covered = get_settings().kb_covered_threshold
    sweep = {0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, DEFAULT_KB_THRESHOLD, configured}
    for threshold in sorted(sweep):
        counts: collections.Counter[str] = collections.Counter()
        for r in records:
            if r["kind"] == "answered":
                if not is_sure(r["confidence"] or 0, r.get("covers_concepts", False), threshold,
                               min(threshold, covered)):
                    # Below the threshold the bot sends what it sends without an answer.
                    otherwise = r.get("otherwise", "declined")
                    if otherwise == "declined":
                        counts["declined"] += 1
                        # A question's decline offers the closest articles as buttons, this
                        # one first (information without a question gets no buttons).
                        if verdicts.get((r["source_row"], r["article"])) == "correct":
                            counts["best article right"] += 1
                    elif otherwise in RIGHT_ROUTING.get(r["route"], set()):
                        counts["routed right"] += 1
                    else:
                        counts["routed elsewhere"] += 1
                else:
                    counts[verdicts.get((r["source_row"], r["article"]), "unreviewed")] += 1
            elif r["kind"] == "declined":
                counts["declined"] += 1
            elif r["kind"] in RIGHT_ROUTING.get(r["route"], set()):
                counts["routed right"] += 1
            else:
                counts["routed elsewhere"] += 1
        n = len(records)
        mark = " ← default" if threshold == DEFAULT_KB_THRESHOLD else ""
        columns = ("correct", "incomplete", "wrong", "declined", "best article right",
                   "routed right", "routed elsewhere", "unreviewed")
        lines.append(f"| {threshold:.2f}{mark} | " + " | ".join(
            f"{counts[k]} ({counts[k] / n:.0%})" for k in columns
        ) + " |")
    return (f"manual review (run with KB_THRESHOLD=0 so every answer is seen; full concept "
            f"cover answered from {covered:.2f}):\n" + "\n".join(lines))


def main() -> int:
    """Asks every question, writes the answers, prints the summary."""
    if not QUESTIONS.exists():
        print(f"{QUESTIONS} not found: the development set lives in ../shared/eval")
        return 1
    rows = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines()]
    ANSWERS.parent.mkdir(exist_ok=True)
    did: collections.Counter[str] = collections.Counter()
    proxy_right = proxy_wrong = 0
    with tempfile.TemporaryDirectory() as tmp, running_assistant(Path(tmp)) as servers, \
            ANSWERS.open("w", encoding="utf-8") as out:
        for row in rows:
            messages = requests.post(
                f"{servers.url}/webhooks/rest/webhook",
                json={"sender": "dev-" + uuid.uuid4().hex[:8], "message": row["question"]},
                timeout=60,
            ).json()
            kind, article = what_it_did(messages)
            card = knowledge_card(messages)
            said = reply_text(messages)
            hit = any(t in said for t in row["must_mention_any"])
            bad = any(t in said for t in row.get("must_not_claim") or [])
            proxy_right += hit and not bad
            proxy_wrong += bad
            did[kind] += 1
            out.write(json.dumps({
                "source_row": row["source_row"], "route": row["route"], "kind": kind,
                "article": article, "confidence": card.get("confidence"),
                "covers_concepts": bool(card.get("covers_concepts")),
                "otherwise": kind_without_answer(messages),
                "proxy_right": hit and not bad, "answer": said,
            }, ensure_ascii=False) + "\n")
    n = len(rows)
    print(f"{n} real questions: " + ", ".join(f"{k} {v} ({v / n:.0%})" for k, v in
                                              did.most_common()))
    print(f"key-term proxy (score.py): right {proxy_right}/{n} ({proxy_right / n:.0%}), "
          f"claims to avoid {proxy_wrong}")
    if REVIEW.exists():
        print(reviewed_summary())
    print(f"answers: {ANSWERS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
