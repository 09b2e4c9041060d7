"""Fixes for hot spots of Rasa 3.6's server, found by profiling it under load.

Each module fixes one hot spot without changing what Rasa does (its tests compare with Rasa's
own code), except `turn_slots`, which changes the order turns are served in (and, when every
slot is taken, makes a turn wait up to TURN_SLOT_WAIT). `install()` applies them all when the
channels are built, and the benchmark's in-process NLU floor runs with them too.
"""

from __future__ import annotations

from bot.rasa_speedups import (
    action_schema,
    debug_copies,
    event_classes,
    graph_runner,
    kept_connections,
    rule_index,
    slot_copy,
    sparse_features,
    tf_predict,
    turn_slots,
)


def install() -> None:
    """Installs every fix (idempotent)."""
    for fix in (action_schema, event_classes, sparse_features, graph_runner, slot_copy,
                tf_predict, kept_connections, rule_index, debug_copies, turn_slots):
        fix.install()
