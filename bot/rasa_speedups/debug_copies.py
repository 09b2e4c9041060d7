"""No deep copies of Rasa's debug-log arguments while debug logging is off.

Rasa 3.6's message processor, memoization and rule policies and forms write
`structlogger.debug("...", states=copy.deepcopy(states))`: the copy is made before structlog
drops the message, several times per turn (the states of every prediction, the events of
every action), about 3% of the server's CPU. In those modules the name `copy` now stands for
an object whose `deepcopy` copies only when structlog lets debug messages through (and returns
its argument otherwise); its other attributes are the `copy` module's. Every use of `copy`
in those modules is such a debug-log argument: a test reads their source to keep it so.
"""

from __future__ import annotations

import copy
import functools
import importlib
import logging
from typing import Any

import structlog

MODULES = (
    "rasa.core.processor",
    "rasa.core.policies.memoization",
    "rasa.core.policies.rule_policy",
    "rasa.core.actions.forms",
)


@functools.lru_cache(maxsize=1)
def _quiet_loggers() -> frozenset[type]:
    """The bound-logger classes of structlog that drop debug messages (Rasa uses one)."""
    levels = (logging.INFO, logging.WARNING, logging.ERROR, logging.CRITICAL)
    return frozenset(structlog.make_filtering_bound_logger(level) for level in levels)


def debug_logged() -> bool:
    """Tells whether structlog passes debug messages on (unknown configurations: yes)."""
    return structlog.get_config()["wrapper_class"] not in _quiet_loggers()


class DebugOnlyCopies:
    """Stands in for the `copy` module where it only copies debug-log arguments."""

    def deepcopy(self, value: Any, memo: dict[int, Any] | None = None) -> Any:
        """copy.deepcopy when debug messages are logged; the value itself when not."""
        return copy.deepcopy(value, memo) if debug_logged() else value

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


def install() -> None:
    """Gives the modules the stand-in."""
    for name in MODULES:
        importlib.import_module(name).copy = DebugOnlyCopies()  # type: ignore[attr-defined]
