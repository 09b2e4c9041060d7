"""Debug-log arguments are copied only when debug messages are logged, and nothing else changes."""

from __future__ import annotations

import ast
import importlib
import inspect
import logging
from collections.abc import Iterator

import pytest
import structlog

from bot.rasa_speedups import debug_copies
from bot.rasa_speedups.debug_copies import MODULES, DebugOnlyCopies


@pytest.fixture()
def structlog_config() -> Iterator[None]:
    saved = structlog.get_config()
    yield
    structlog.configure(**saved)


def _debug_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "debug"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "structlogger"
    )


@pytest.mark.parametrize("name", MODULES)
def test_every_use_of_copy_is_a_debug_log_argument(name: str) -> None:
    tree = ast.parse(inspect.getsource(importlib.import_module(name)))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    uses = [
        node for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
        and node.value.id == "copy"
    ]
    assert uses, f"{name} no longer uses copy: drop it from MODULES"
    for use in uses:
        assert use.attr == "deepcopy", f"{name}:{use.lineno} uses copy.{use.attr}"
        call = parents[use]
        assert isinstance(call, ast.Call) and call.func is use
        argument_of = parents[parents[call]] if isinstance(parents[call], ast.keyword) else None
        assert argument_of is not None and _debug_call(argument_of), f"{name}:{use.lineno}"


def test_copies_only_when_debug_is_logged(structlog_config: None) -> None:
    states = [{"prev_action": {"action_name": "action_listen"}}]
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.INFO))
    assert DebugOnlyCopies().deepcopy(states) is states
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG))
    copied = DebugOnlyCopies().deepcopy(states)
    assert copied == states and copied is not states and copied[0] is not states[0]
    structlog.configure(wrapper_class=structlog.stdlib.BoundLogger)  # unknown: copy
    assert DebugOnlyCopies().deepcopy(states) is not states
    assert DebugOnlyCopies().copy(states) is not states  # the rest is the copy module's


def test_install_gives_the_modules_the_stand_in(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in MODULES:
        module = importlib.import_module(name)
        monkeypatch.setattr(module, "copy", module.copy)
    debug_copies.install()
    assert all(isinstance(importlib.import_module(n).copy, DebugOnlyCopies) for n in MODULES)
