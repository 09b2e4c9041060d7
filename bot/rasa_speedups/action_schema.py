"""Action-server responses validated as Rasa does, without re-checking the schema each time.

Rasa validates every action-server response with `jsonschema.validate`, which also
re-validates the (constant) schema on every call: profiled under load it took more than half of
the Rasa server's CPU. Here the response is validated against the same schema with a validator
compiled once. Even so, each event was checked against all 23 event schemas of a `oneOf` (0.25
ms per event, 5% of the server's CPU under load), although its `event` name picks the only one
that can match: an event is now checked against that one, and anything that fails is validated
again the full way, so errors are Rasa's own.
"""

from __future__ import annotations

import functools
from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


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


def install() -> None:
    """Validates action-server responses with the split validator."""
    RemoteAction._validate_action_result = _validate_action_result
