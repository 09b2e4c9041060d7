"""Rasa's model graph run node by node in plain Python instead of through dask's scheduler.

Every message runs the model's graph several times: once to parse it, once per next-action
prediction. Rasa hands each run to `dask.get`, whose synchronous scheduler orders the tasks,
tracks their states and wraps every call: with our 15-node parse graph and 6-node prediction
graph that bookkeeping cost about a tenth of the server's CPU, more than some of the nodes
themselves. A graph run is a chain of pure calls, so here each node is called once, after the
nodes it needs, with their outputs, exactly as the dask graph Rasa builds would call it:
- a node's arguments are the outputs of its `needs`, in their order, as `(name, value)` pairs;
- an input placeholder is the pair `(name, value)` from `inputs`;
- a needed name that is neither stays the plain string, as dask passes unknown keys (Rasa's
  GraphNode then reports the missing input); an unknown target raises KeyError, as in dask;
- a node's exception propagates unchanged, and a RuntimeError becomes GraphRunError as in
  Rasa; inputs whose value names a node are refused with Rasa's own check.
Two differences, neither reachable from Rasa's own calls (its inputs are placeholders, not node
names): an input named like a node replaces it without running that node's ancestors (dask
still ran them), and nodes run depth-first along their needs rather than in dask's order.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner

logger = logging.getLogger(__name__)
_run_with_dask = DaskGraphRunner.run


def run(
    self: DaskGraphRunner, inputs: dict[str, Any] | None = None,
    targets: list[str] | None = None,
) -> dict[str, Any]:
    """DaskGraphRunner.run without dask: the same nodes called with the same arguments."""
    run_targets = targets if targets else self._graph_schema.target_names
    schema_nodes = self._graph_schema.minimal_graph_schema(run_targets).nodes
    given = dict(inputs or {})
    DaskGraphRunner._add_inputs_to_graph(given, dict.fromkeys(schema_nodes))  # Rasa's check
    logger.debug("Running graph with targets %s and %s.", targets, self._execution_context)
    outputs: dict[str, Any] = {}

    def output(name: str) -> Any:
        if name not in outputs:
            if name in given:
                outputs[name] = (name, given[name])
            elif name in schema_nodes:
                needed = [output(need) for need in schema_nodes[name].needs.values()]
                outputs[name] = self._instantiated_nodes[name](*needed)
            else:
                outputs[name] = name
        return outputs[name]

    unknown = [t for t in run_targets if t not in given and t not in schema_nodes]
    if unknown:
        raise KeyError(unknown[0])
    try:
        return dict(output(target) for target in run_targets)
    except RuntimeError as error:
        raise GraphRunError("Error running runner.") from error


def install() -> None:
    """Runs model graphs without dask."""
    DaskGraphRunner.run = run
