"""RulePolicy tests only the rules that can match the latest state, not all of them.

For every prediction (two or three per message) RulePolicy tested each of its rules (117
here, and 19 for the forms' unhappy paths) against the latest state of the conversation, in
Python, before going back through the earlier states: about 7% of the server's CPU. A rule
whose last state names a previous action (and a user intent) can only match a conversation
whose latest state names the same. The rules are indexed by those two names once; only the
candidates go through Rasa's own test, then Rasa's own loop over the earlier states. The
result is the same set of rules (tests compare with Rasa's method on real rules and states).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET, USER
from rasa.shared.core.domain import State
from rasa.shared.nlu.constants import ACTION_NAME, INTENT

ANY_INTENT = None
# Rasa's own method (the tests compare with it, even after install()).
RASAS_OWN = RulePolicy._get_possible_keys


def _required(sub_state: Any, key: str) -> str | None:
    """The value a rule state requires for `key`, if it requires one (as Rasa tests it)."""
    value = sub_state.get(key) if isinstance(sub_state, dict) else None
    if isinstance(value, str) and value and value != SHOULD_NOT_BE_SET:
        return value
    return None


@dataclass(frozen=True)
class RuleIndex:
    """The rule keys of one lookup by the previous action and intent their last state needs."""

    keys: frozenset[str]
    always: tuple[str, ...]  # rules whose last state names no previous action
    by_names: dict[tuple[str, str | None], tuple[str, ...]]

    @classmethod
    def build(cls, lookup: dict[str, Any]) -> RuleIndex:
        """Indexes every key of a RulePolicy lookup."""
        always: list[str] = []
        by_names: defaultdict[tuple[str, str | None], list[str]] = defaultdict(list)
        for key in lookup:
            states = RulePolicy._rule_key_to_state(key)
            last = states[-1] if states else {}
            action = _required(last.get(PREVIOUS_ACTION), ACTION_NAME)
            if action is None:
                always.append(key)
            else:
                by_names[(action, _required(last.get(USER), INTENT))].append(key)
        return cls(
            frozenset(lookup), tuple(always), {k: tuple(v) for k, v in by_names.items()}
        )

    def candidates(self, latest: State) -> list[str]:
        """The keys that may match a conversation whose latest state is `latest`."""
        action = (latest.get(PREVIOUS_ACTION) or {}).get(ACTION_NAME)
        if not isinstance(action, str):
            return list(self.always)
        intent = (latest.get(USER) or {}).get(INTENT)
        found = [*self.always, *self.by_names.get((action, ANY_INTENT), ())]
        if isinstance(intent, str):
            found += self.by_names.get((action, intent), ())
        return found


def _index(policy: RulePolicy, lookup: dict[str, Any]) -> RuleIndex:
    """The policy's index of `lookup`, rebuilt if the lookup's keys changed (training)."""
    indexes: dict[int, RuleIndex] = policy.__dict__.setdefault("_rule_indexes", {})
    index = indexes.get(id(lookup))
    if index is None or lookup.keys() != index.keys:
        index = indexes[id(lookup)] = RuleIndex.build(lookup)
    return index


def get_possible_keys(self: RulePolicy, lookup: dict[str, Any], states: list[State]) -> set[str]:
    """RulePolicy._get_possible_keys, testing only the candidates against the latest state."""
    if not states:
        return set(lookup.keys())
    latest = states[-1]
    possible = {
        key for key in _index(self, lookup).candidates(latest)
        if self._is_rule_applicable(key, 0, latest)
    }
    for i, state in enumerate(reversed(states[:-1]), start=1):
        possible = {key for key in possible if self._is_rule_applicable(key, i, state)}
    return possible


def install() -> None:
    """Makes RulePolicy use the index."""
    RulePolicy._get_possible_keys = get_possible_keys
