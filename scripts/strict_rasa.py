"""Runs a Rasa command and fails on any warning it prints (`make validate`, `make train`).

Usage: python scripts/strict_rasa.py data validate ... | train ...

The command's output is passed through; afterwards every `UserWarning` counts as an error,
except two that Rasa 3.6 raises wrongly for this project:
- "The utterance 'utter_ask_<slot>' is not used in any story or rule" for a slot that a form
  asks for: the validator does not know that forms use these responses;
- "You have an overlap between the 'RegexEntityExtractor' and the statistical entity
  extractors DIETClassifier" while DIET runs with `entity_recognition: false`: the check
  looks at the component type only, so there is no competition to warn about.
A warning this script has never seen fails the run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WARNING = re.compile(r"UserWarning: (.*)")
UNUSED_QUESTION = re.compile(r"The utterance 'utter_ask_(\w+)' is not used in any story or rule\.")
REGEX_OVERLAP = re.compile(r"You have an overlap between the 'RegexEntityExtractor' and the "
                           r"statistical entity extractors DIETClassifier in")


def form_slots() -> set[str]:
    """Returns every slot some form asks for."""
    domain = yaml.safe_load((ROOT / "bot" / "domain.yml").read_text(encoding="utf-8"))
    return {
        slot
        for form in (domain.get("forms") or {}).values()
        for slot in form.get("required_slots") or []
    }


def diet_extracts_entities() -> bool:
    """Tells whether DIET is configured to extract entities (the default)."""
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    return any(
        c.get("name") == "DIETClassifier" and c.get("entity_recognition", True)
        for c in config.get("pipeline") or []
    )


def is_known_false_positive(message: str) -> bool:
    """Tells whether a warning is one of the two Rasa gets wrong here."""
    unused = UNUSED_QUESTION.search(message)
    if unused:
        return unused.group(1) in form_slots()
    return REGEX_OVERLAP.search(message) is not None and not diet_extracts_entities()


def main(argv: list[str]) -> int:
    """Runs `rasa <argv>`, streams its output, then judges the warnings."""
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "PYTHONPATH": str(ROOT),
           "TQDM_DISABLE": "1"}
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "rasa"), *argv], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    assert process.stdout is not None
    problems = []
    for line in process.stdout:
        sys.stdout.write(line)
        match = WARNING.search(line)
        if match and not is_known_false_positive(match.group(1)):
            problems.append(match.group(1))
    code = process.wait()
    for problem in problems:
        print(f"warning treated as error: {problem}")
    if code != 0:
        print(f"rasa {' '.join(argv[:2])} failed with exit code {code}")
        return code
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
