"""The speed-ups must not change what Rasa does: same event classes, same errors."""

from collections.abc import Iterator

import jsonschema
import numpy as np
import pytest
import scipy.sparse
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.utils.common import all_subclasses

from bot.rasa_speedups import action_schema, event_classes, sparse_features


@pytest.fixture(scope="module", autouse=True)
def installed() -> Iterator[None]:
    """The three fixes under test, undone after this module (other tests see Rasa's own)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(RemoteAction, "_validate_action_result",
                      RemoteAction._validate_action_result)
        patch.setattr(Event, "resolve_by_type", Event.resolve_by_type)
        patch.setattr(Message, "_combine_features", Message._combine_features)
        for fix in (action_schema, event_classes, sparse_features):
            fix.install()
        yield


def test_every_event_type_resolves_to_the_class_rasas_walk_finds() -> None:
    names = {cls.type_name for cls in all_subclasses(Event)}
    assert {"user", "action", "slot", "session_started"} <= names
    for name in names:
        assert Event.resolve_by_type(name) is event_classes._resolve_by_walking(name)


def test_unknown_event_types_behave_as_in_rasa() -> None:
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")
    assert Event.resolve_by_type("no_such_event", SlotSet) is SlotSet
    assert Event.resolve_by_type("topic") is None


def test_events_survive_a_round_trip() -> None:
    events = [
        UserUttered("你好", {"name": "greet", "confidence": 0.9}),
        ActionExecuted("utter_greet"),
        SlotSet("product_line", "车险"),
    ]
    assert [Event.from_parameters(e.as_dict()) for e in events] == events


VALID_RESPONSES = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "last_article", "value": "motor-flood-engine"}],
     "responses": [{"text": "可以赔", "buttons": [{"title": "转人工", "payload": "/request_human"}],
                    "custom": {"type": "knowledge_answer"}}]},
    {"events": [{"event": "active_loop", "name": None, "timestamp": None},
                {"event": "slot", "name": "claim_ref", "value": None},
                {"event": "followup", "name": "action_listen"},
                {"event": "user", "text": "你好", "parse_data": {"intent": {"name": "greet"}}},
                {"event": "bot", "text": "您好", "data": {}, "metadata": {}},
                {"event": "session_started"}]},
    {"responses": [{"text": "只有回复"}]},
]
INVALID_RESPONSES = [
    {"events": [{"event": "no_such_event"}]},  # no branch matches
    {"events": [{"event": "slot", "value": 1}]},  # the slot branch requires a name
    {"events": [{"event": "action", "name": 5}]},  # wrong type inside a branch
    {"events": [{"name": "x"}]},  # no event name at all
    {"events": [{"event": "slot", "name": "x", "timestamp": "today"}]},  # outer property type
    {"events": "slot"},
    {"responses": [3]},
]


@pytest.mark.parametrize("response", VALID_RESPONSES)
def test_valid_action_responses_pass_both_ways(response: dict) -> None:
    action_schema._validator().validate(response)
    action_schema.EventSchemaValidator(RemoteAction.action_response_format_spec()).validate(
        response
    )
    assert RemoteAction("action_x", None)._validate_action_result(response)


@pytest.mark.parametrize("response", INVALID_RESPONSES)
def test_invalid_action_responses_raise_rasas_own_error(response: dict) -> None:
    schema = RemoteAction.action_response_format_spec()
    with pytest.raises(ValidationError) as rasas:
        jsonschema.validate(response, schema)  # what Rasa 3.6 itself calls
    for ours in (action_schema.EventSchemaValidator(schema), action_schema.FullSchemaValidator()):
        with pytest.raises(ValidationError) as raised:
            ours.validate(response)
        assert raised.value.message == rasas.value.message
        assert list(raised.value.path) == list(rasas.value.path)


def test_the_split_validator_is_used_and_refuses_a_schema_it_cannot_split() -> None:
    assert isinstance(action_schema._response_validator(), action_schema.EventSchemaValidator)
    schema = RemoteAction.action_response_format_spec()
    branches = schema["properties"]["events"]["items"]["oneOf"]
    unkeyed = {**schema, "properties": {**schema["properties"], "events": {
        "type": "array", "items": {"oneOf": [*branches, {"type": "object"}]}}}}
    with pytest.raises(ValueError):
        action_schema.EventSchemaValidator(unkeyed)


def _features(*matrices: object, kind: str = "sequence") -> list[Features]:
    return [Features(m, kind, "text", f"featurizer{i}") for i, m in enumerate(matrices)]


def test_sparse_features_are_stacked_as_rasa_would() -> None:
    parts = [scipy.sparse.random(4, n, density=0.3, format="coo", random_state=n)
             for n in (7, 3, 11)]
    mine = sparse_features._combine_features(_features(*parts), ["a", "b", "c"])
    rasas = sparse_features._combine_pairwise(_features(*parts), ["a", "b", "c"])
    assert mine is not None and rasas is not None
    assert (mine.features != rasas.features).nnz == 0 and mine.features.shape == (4, 21)
    assert (mine.type, mine.attribute, mine.origin) == (rasas.type, rasas.attribute, rasas.origin)
    assert Message._combine_features is sparse_features._combine_features
    assert parts[0].shape == (4, 7)  # the inputs are left alone


def test_unusual_features_take_rasas_own_path() -> None:
    one = _features(scipy.sparse.eye(3, format="coo"))
    assert sparse_features._combine_features(one, ["a"]).features.shape == (3, 3)
    dense = _features(np.ones((2, 4)), np.zeros((2, 1)), kind="sentence")
    assert sparse_features._combine_features(dense, ["a", "b"]).features.shape == (2, 5)
    assert sparse_features._combine_features([], []) is None
    ragged = _features(scipy.sparse.eye(3, format="coo"), scipy.sparse.eye(2, format="coo"))
    with pytest.raises(ValueError, match="sequence dimensions do not match"):
        sparse_features._combine_features(ragged, ["a", "b"])
