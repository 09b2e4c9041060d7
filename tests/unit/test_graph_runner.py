"""The graph runner without dask calls the same nodes with the same arguments as Rasa's."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rasa.engine.exceptions import GraphComponentException, GraphRunError
from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage

from bot.rasa_speedups import graph_runner

CALLS: list[str] = []


class Node(GraphComponent):
    """A toy component: records its call, combines its inputs."""

    @classmethod
    def create(cls, config: dict[str, Any], *args: Any, **kwargs: Any) -> Node:
        return cls()

    def provide(self) -> int:
        CALLS.append("provide")
        return 2

    def add(self, left: Any, right: Any) -> Any:
        CALLS.append(f"add {left} {right}")
        return left + right

    def double(self, value: Any) -> Any:
        CALLS.append(f"double {value}")
        return value * 2

    def fail(self, value: Any) -> Any:
        raise ValueError("broken")


def _schema() -> GraphSchema:
    def node(fn: str, target: bool = False, **needs: str) -> SchemaNode:
        return SchemaNode(needs=needs, uses=Node, constructor_name="create", fn=fn, config={},
                          is_target=target)

    return GraphSchema({
        "provide": node("provide"),
        "sum": node("add", left="provide", right="__message__"),
        "twice": node("double", value="sum", target=True),
        "again": node("add", left="sum", right="twice", target=True),  # `sum` is needed twice
        "broken": node("fail", value="provide"),
        "unused": node("double", value="provide"),
    })


def _runner(tmp_path: Path) -> DaskGraphRunner:
    schema = _schema()
    return DaskGraphRunner(schema, LocalModelStorage(tmp_path), ExecutionContext(schema, "test"))


def _both(tmp_path: Path, call: Callable[[DaskGraphRunner], Any]) -> list[tuple[Any, list[str]]]:
    """The result (or exception type) and the calls made, with dask and without."""
    results = []
    for run in (graph_runner._run_with_dask, graph_runner.run):
        CALLS.clear()
        runner = _runner(tmp_path)
        runner.run = run.__get__(runner)  # type: ignore[method-assign]
        try:
            result: Any = call(runner)
        except Exception as error:  # noqa: BLE001 - the exception is what is compared
            result = (type(error), str(error))
        results.append((result, sorted(CALLS)))
    return results


@pytest.mark.parametrize(("call", "expected"), [
    (lambda r: r.run(inputs={"__message__": 3}, targets=["twice", "again"]),
     {"twice": 10, "again": 15}),
    (lambda r: r.run(inputs={"__message__": 3}), {"twice": 10, "again": 15}),  # the targets
    (lambda r: r.run(inputs={"__message__": "a", "provide": "b"}, targets=["sum"]),
     {"sum": "ba"}),  # an input replaces the node of its name
    (lambda r: r.run(inputs={"__message__": 1}, targets=["__message__"]), {"__message__": 1}),
    (lambda r: r.run(inputs={"__message__": 1}, targets=["broken"]), GraphComponentException),
    (lambda r: r.run(inputs={"__message__": "provide"}, targets=["sum"]),
     GraphRunError),  # an input's value clashes with a node's name
    (lambda r: r.run(targets=["sum"]), GraphRunError),  # a missing input
    (lambda r: r.run(inputs={"__message__": 1}, targets=["nowhere"]), KeyError),
])
def test_same_results_and_calls_as_with_dask(
    tmp_path: Path, call: Callable[..., Any], expected: Any
) -> None:
    with_dask, without = _both(tmp_path, call)
    assert without == with_dask
    result = without[0]
    assert result == expected if isinstance(expected, dict) else result[0] is expected


def test_each_node_runs_once_after_what_it_needs(tmp_path: Path) -> None:
    CALLS.clear()
    runner = _runner(tmp_path)
    result = graph_runner.run(runner, inputs={"__message__": 3}, targets=["twice", "again"])
    assert result == {"twice": 10, "again": 15}
    assert CALLS == ["provide", "add 2 3", "double 5", "add 5 10"]


def test_errors_are_rasas(tmp_path: Path) -> None:
    runner = _runner(tmp_path)
    with pytest.raises(GraphComponentException):
        graph_runner.run(runner, inputs={"__message__": 1}, targets=["broken"])
    with pytest.raises(GraphRunError, match="clashes with a node name"):
        graph_runner.run(runner, inputs={"__message__": "provide"}, targets=["sum"])


def test_install_replaces_the_run_method(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(DaskGraphRunner, "run", DaskGraphRunner.run)  # undone after the test
    graph_runner.install()
    assert DaskGraphRunner.run is graph_runner.run
