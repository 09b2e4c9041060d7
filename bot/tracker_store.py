"""Rasa's SQL tracker store with its database calls moved off the server's event loop.

Rasa 3.6's SQLTrackerStore is declared async but queries and commits synchronously, so each
message's reads and its commit (which waits for PostgreSQL to flush to disk) stop the whole
Rasa server: no other conversation moves meanwhile. This store runs the same code, unchanged,
in a worker thread. Rasa's lock store still lets only one message of a conversation be
processed at a time, so two threads never work on the same conversation.

Configured in bot/endpoints.cluster.yml as `type: bot.tracker_store.ThreadedSQLTrackerStore`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

T = TypeVar("T")


async def _off_the_loop(work: Coroutine[Any, Any, T]) -> T:
    """Runs a coroutine that never really awaits (blocking I/O inside) in a worker thread."""
    return await asyncio.to_thread(asyncio.run, work)


class ThreadedSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose reads and writes do not block the event loop."""

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """Reads the conversation's current session in a worker thread."""
        return await _off_the_loop(super().retrieve(sender_id))

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        """Reads every session of the conversation in a worker thread."""
        return await _off_the_loop(super().retrieve_full_tracker(conversation_id))

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Writes the new events in a worker thread."""
        if self.event_broker is not None:
            # A broker may be bound to the server's loop: keep Rasa's own behaviour.
            return await super().save(tracker)
        await _off_the_loop(super().save(tracker))
