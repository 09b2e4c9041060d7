"""Fixes for hot spots of Rasa 3.6's server, installed when the channels are built.

- Rasa validates every action-server response with `jsonschema.validate`, which also
  re-validates the (constant) schema on every call: profiled under load it took more than half
  of the Rasa server's CPU. Here the response is validated against the same schema with a
  validator compiled once. Even so, each event was checked against all 23 event schemas of a
  `oneOf` (0.25 ms per event, 5% of the server's CPU under load), although its `event` name
  picks the only one that can match: an event is now checked against that one, and anything
  that fails is validated again the full way, so errors are Rasa's own.
- The tracker store deserializes every event of a conversation on every message, and Rasa
  finds each event's class by walking all ~30 Event subclasses recursively (`all_subclasses`)
  for every event: 90 µs per event, 40% of a turn's time at 100 events. Here the class is
  looked up in a table built from the same walk, in the same order.
- DIET combines the sparse features of the five featurizers one pair at a time, deep-copying
  the first matrix and building a new one at each step; they are now stacked in one go, the
  same columns in the same order (an NLU parse 5.7 → 5.3 ms).
Nothing else changes.
"""

from __future__ import annotations

import functools
from typing import Any

import scipy.sparse
from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.utils.common import all_subclasses

_resolve_by_walking = Event.resolve_by_type
_combine_pairwise = Message._combine_features
_event_classes: dict[str, type[Event]] = {}


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


class EventSchemaValidator:
    """Validates like the full schema, checking each event only against its own branch.

    `oneOf` holds when exactly one branch matches. Every branch fixes `event` to a different
    constant, so the branch named by the event is the only candidate: the response is valid
    exactly when it passes the schema without the `oneOf` and each event passes its branch.
    """

    def __init__(self, schema: dict[str, Any]) -> None:
        """Splits the schema; raises ValueError if its branches are not keyed by event name."""
        items = schema["properties"]["events"]["items"]
        names = [
            branch.get("properties", {}).get("event", {}).get("const") for branch in items["oneOf"]
        ]
        if None in names or len(set(names)) != len(names):
            raise ValueError("event branches are not distinguished by their event name")
        cls = validator_for(schema)
        events = {**schema["properties"]["events"],
                  "items": {k: v for k, v in items.items() if k != "oneOf"}}
        self.full = cls(schema)
        self.outer = cls({**schema, "properties": {**schema["properties"], "events": events}})
        self.branches = {name: cls(b) for name, b in zip(names, items["oneOf"], strict=True)}

    def validate(self, result: Any) -> None:
        """Raises the error `jsonschema.validate` raises (its best match) if it is invalid."""
        if self.outer.is_valid(result) and all(
            event["event"] in self.branches and self.branches[event["event"]].is_valid(event)
            for event in (result.get("events") or [])
        ):
            return
        _raise_best_match(self.full, result)


def _raise_best_match(validator: Any, result: Any) -> None:
    """Raises what `jsonschema.validate` would: the best match among the errors, if any."""
    error = best_match(validator.iter_errors(result))
    if error is not None:
        raise error


class FullSchemaValidator:
    """The whole schema, compiled once: for a Rasa whose schema cannot be split."""

    def validate(self, result: Any) -> None:
        """Raises the error `jsonschema.validate` raises if the result is invalid."""
        _raise_best_match(_validator(), result)


@functools.lru_cache(maxsize=1)
def _response_validator() -> Any:
    try:
        return EventSchemaValidator(RemoteAction.action_response_format_spec())
    except (AttributeError, KeyError, TypeError, ValueError):  # another Rasa's schema: full way
        return FullSchemaValidator()


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    try:
        _response_validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            f"from the Action endpoint is valid. For more information about the format "
            f"visit {DOCS_BASE_URL}/custom-actions"
        )
        raise


def _resolve_by_type(
    type_name: str, default: type[Event] | None = None
) -> type[Event] | None:
    """Event.resolve_by_type from a table; an unknown name rebuilds it, then asks Rasa's own."""
    found = _event_classes.get(type_name)
    if found is None:
        for cls in all_subclasses(Event):
            _event_classes.setdefault(cls.type_name, cls)  # the walk's first match wins
        found = _event_classes.get(type_name)
    return found if found is not None else _resolve_by_walking(type_name, default)


def _combine_features(features: list[Features], featurizers: list[str]) -> Features | None:
    """Message._combine_features with one hstack; anything unusual takes Rasa's own path."""
    if (
        len(features) > 1
        and all(f.is_sparse() for f in features)
        and len({f.features.shape[0] for f in features}) == 1
    ):
        stacked = scipy.sparse.hstack([f.features for f in features])
        return Features(stacked, features[0].type, features[0].attribute, featurizers)
    return _combine_pairwise(features, featurizers)


def install() -> None:
    """Installs the fixes (idempotent)."""
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(_resolve_by_type)
    Message._combine_features = staticmethod(_combine_features)
