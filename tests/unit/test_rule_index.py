"""The rule index finds exactly the rules Rasa's RulePolicy finds, on the trained model's rules."""

from __future__ import annotations

import copy
import json
import random
import tarfile
from collections.abc import Iterator
from typing import Any

import pytest
from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.constants import PREVIOUS_ACTION, USER
from rasa.shared.core.domain import State

from bot.rasa_speedups.rule_index import RASAS_OWN, get_possible_keys
from scripts.launch import newest_model


@pytest.fixture(scope="module")
def lookups() -> dict[str, dict[str, Any]]:
    """The rule lookups of the trained model (rules, and the forms' unhappy paths)."""
    with tarfile.open(newest_model()) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("/rule_policy.json"))
        file = tar.extractfile(member)
        assert file is not None
        lookup = json.load(file)["lookup"]
    return {name: lookup[name] for name in ("rules", "rules_for_loop_unhappy_path")}


def _as_in_a_conversation(state: State) -> State:
    """A rule's state as a tracker has it: slot values and entities are tuples, not lists."""
    return {
        kind: {k: tuple(v) if isinstance(v, list) else v for k, v in sub_state.items()}
        for kind, sub_state in state.items()
    }


def _conversations(lookup: dict[str, Any], rng: random.Random) -> Iterator[list[State]]:
    """Every rule's own states, then random mixes and variations of the states rules use."""
    rules = [
        [_as_in_a_conversation(s) for s in RulePolicy._rule_key_to_state(key)] for key in lookup
    ]
    pool = [state for states in rules for state in states]
    actions = sorted({s[PREVIOUS_ACTION]["action_name"] for s in pool if PREVIOUS_ACTION in s})
    intents = sorted({s[USER]["intent"] for s in pool if "intent" in s.get(USER, {})})
    for states in rules:
        yield copy.deepcopy(states)
    for _ in range(3000):
        conversation = []
        for _ in range(rng.randint(1, 6)):
            state = copy.deepcopy(rng.choice(pool))
            roll = rng.random()
            if roll < 0.2:
                state[PREVIOUS_ACTION] = {"action_name": rng.choice(actions)}
            elif roll < 0.35:
                state[USER] = {"intent": rng.choice(intents)}
            elif roll < 0.45:
                state.pop(USER, None)
            elif roll < 0.5:
                state.pop(PREVIOUS_ACTION, None)  # a conversation's first state
            elif roll < 0.55:
                state[PREVIOUS_ACTION] = {"action_text": "你好"}
            conversation.append(state)
        yield conversation


@pytest.mark.parametrize("name", ["rules", "rules_for_loop_unhappy_path"])
def test_the_index_finds_the_same_rules_as_rasa(
    lookups: dict[str, dict[str, Any]], name: str
) -> None:
    lookup = lookups[name]
    policy: Any = object.__new__(RulePolicy)
    matched: set[str] = set()
    for states in _conversations(lookup, random.Random(7)):
        expected = RASAS_OWN(policy, lookup, copy.deepcopy(states))
        assert get_possible_keys(policy, lookup, states) == expected, states
        matched |= expected
    assert matched == set(lookup)  # every rule matched at least once, slot conditions included


def test_the_index_follows_a_lookup_that_changes(lookups: dict[str, dict[str, Any]]) -> None:
    lookup = dict(lookups["rules"])
    policy: Any = object.__new__(RulePolicy)
    first_rule = next(iter(lookup))
    states = RulePolicy._rule_key_to_state(first_rule)
    assert first_rule in get_possible_keys(policy, lookup, copy.deepcopy(states))
    del lookup[first_rule]  # as RulePolicy's training removes rules in place
    assert first_rule not in get_possible_keys(policy, lookup, copy.deepcopy(states))
    assert get_possible_keys(policy, lookup, []) == set(lookup)


def test_rules_without_a_previous_action_are_always_candidates() -> None:
    # Our model has none (a rule starting a conversation would be one): Rasa's test decides.
    start = json.dumps([{"user": {"intent": "greet"}}])
    after_listen = json.dumps([{"prev_action": {"action_name": "action_listen"},
                                "user": {"intent": "greet"}}])
    unset = json.dumps([{"prev_action": {"action_name": "should_not_be_set"}}])
    any_action = json.dumps([{"prev_action": {"action_name": ""}, "user": {"intent": "greet"}}])
    lookup = {start: "utter_greet", after_listen: "utter_greet", unset: "action_listen",
              any_action: "utter_greet"}
    policy: Any = object.__new__(RulePolicy)
    found: set[str] = set()
    for states in (
        [{"user": {"intent": "greet"}}],
        [{"prev_action": {"action_name": "action_listen"}, "user": {"intent": "greet"}}],
        [{"prev_action": {"action_name": "utter_greet"}}],
        [{"prev_action": {"action_text": "你好"}}],
        [{"prev_action": {"action_name": "utter_greet"}, "user": {"intent": "greet"}}],
    ):
        expected = RASAS_OWN(policy, lookup, copy.deepcopy(states))
        assert get_possible_keys(policy, lookup, states) == expected
        found |= expected
    assert found == {start, after_listen, unset, any_action}
