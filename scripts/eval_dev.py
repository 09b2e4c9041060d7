"""Runs the real development questions end to end (`make eval-dev`) and records the answers.

Each question of ../shared/eval/dev_questions.jsonl goes to a fresh conversation of a
running assistant (started here on free ports). The answers land in results/dev_answers.jsonl
(outside git: the questions may not be copied into the project) with what the assistant did:
answered from an article, declined honestly, started the status look-up, took a complaint,
handed over. The key-term proxy of ../shared/eval/score.py is computed too; the verdicts of
the manual review (right / declined / wrong) are read from results/dev_review.jsonl when it
exists, and the summary is printed for the README.
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

from scripts.launch import running_assistant

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT.parent / "shared" / "eval" / "dev_questions.jsonl"
ANSWERS = ROOT / "results" / "dev_answers.jsonl"
REVIEW = ROOT / "results" / "dev_review.jsonl"


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


def reply_text(messages: list[dict[str, Any]]) -> str:
    """Everything a user would read (as score.py counts it)."""
    parts = []
    for m in messages:
        parts.append(m.get("text") or "")
        parts += [b.get("title", "") for b in m.get("buttons") or []]
        if m.get("custom") is not None:
            parts.append(json.dumps(m["custom"], ensure_ascii=False))
    return "\n".join(parts)


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
            said = reply_text(messages)
            hit = any(t in said for t in row["must_mention_any"])
            bad = any(t in said for t in row.get("must_not_claim") or [])
            proxy_right += hit and not bad
            proxy_wrong += bad
            did[kind] += 1
            out.write(json.dumps({
                "source_row": row["source_row"], "route": row["route"], "kind": kind,
                "article": article, "proxy_right": hit and not bad, "answer": said,
            }, ensure_ascii=False) + "\n")
    n = len(rows)
    print(f"{n} real questions: " + ", ".join(f"{k} {v} ({v / n:.0%})" for k, v in
                                              did.most_common()))
    print(f"key-term proxy (score.py): right {proxy_right}/{n} ({proxy_right / n:.0%}), "
          f"claims to avoid {proxy_wrong}")
    if REVIEW.exists():
        verdicts = collections.Counter(
            json.loads(line)["verdict"]
            for line in REVIEW.read_text(encoding="utf-8").splitlines() if line.strip()
        )
        total = sum(verdicts.values())
        print("manual review: " + ", ".join(f"{k} {v} ({v / total:.0%})" for k, v in
                                             verdicts.most_common()))
    print(f"answers: {ANSWERS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
