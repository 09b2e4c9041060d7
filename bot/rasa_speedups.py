"""A fix for a hot spot of Rasa 3.6's server, installed when the channels are built.

Rasa validates every action-server response with `jsonschema.validate`, which also
re-validates the (constant) schema on every call: profiled under load it took more than half
of the Rasa server's CPU. Here the response is validated the same way, against the same
schema, with a validator compiled once. Nothing else changes.
"""

from __future__ import annotations

import functools
from typing import Any

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    try:
        _validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            f"from the Action endpoint is valid. For more information about the format "
            f"visit {DOCS_BASE_URL}/custom-actions"
        )
        raise


def install() -> None:
    """Replaces RemoteAction's response validation with the cached one (idempotent)."""
    RemoteAction._validate_action_result = _validate_action_result
