"""Starts the action server with the knowledge base already built.

`python -m bot.action_server --port 5055` is `rasa run actions --actions bot.actions` plus
one step first: building the knowledge-base index (5–20 s depending on load: the matcher
is fitted on every article). Built lazily instead, the first customers after a start or a
scale-out waited for it, and under load every request queued behind it. The server's /health
answers only once answers are fast, so launchers and load balancers can trust it.
"""

from __future__ import annotations

import sys
import time

from rasa_sdk.__main__ import main_from_args
from rasa_sdk.endpoint import create_argument_parser

from knowledge.search import library


def main() -> None:
    """Builds the knowledge base, then runs rasa-sdk's server with our actions package."""
    args = create_argument_parser().parse_args(["--actions", "bot.actions", *sys.argv[1:]])
    start = time.perf_counter()
    articles = len(library().get().articles)
    # Logging is configured by rasa-sdk below; this one line goes straight to the log file.
    print(f"knowledge base ready: {articles} articles in {time.perf_counter() - start:.1f} s",
          file=sys.stderr, flush=True)
    main_from_args(args)


if __name__ == "__main__":
    main()
