"""Checks every article (`make kb-check`): format, unique ids, links, citations; prints coverage."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from knowledge.citations import unknown_citations
from knowledge.store import ArticleError, load_articles, problems
from settings import get_settings

# The full texts of the laws cited, beside the project (../shared/reference).
REFERENCE_DIR = Path(__file__).resolve().parents[2] / "shared" / "reference"


def main() -> int:
    """Prints problems and counts; exits 1 if any article must be fixed."""
    folder = get_settings().knowledge_dir
    try:
        articles = load_articles(folder)
    except ArticleError as error:
        print(f"error: {error}")
        return 1
    found = problems(articles)
    if REFERENCE_DIR.is_dir():
        found += unknown_citations(articles, REFERENCE_DIR)
    else:
        print(f"note: {REFERENCE_DIR} not found, citations not checked")
    for problem in found:
        print(f"error: {problem}")
    topics = Counter(a.topic for a in articles)
    lines = Counter(line for a in articles for line in a.lines)
    print(f"{len(articles)} articles in {folder}")
    print("by topic:", ", ".join(f"{t} {n}" for t, n in topics.most_common()))
    print("by line: ", ", ".join(f"{t} {n}" for t, n in lines.most_common()))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
