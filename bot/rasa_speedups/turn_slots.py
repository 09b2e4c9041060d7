"""Turns served a few at a time, in arrival order, instead of all at once.

Rasa starts every incoming message at once. With 20 conversations waiting, every step of a
turn (the parse, each prediction, each call to the action server) queues behind the steps of
all the others, and a turn that calls the action server twice, such as a verified status
look-up, joins the back of that queue three times. Serving at most TURN_SLOTS turns at once,
the others waiting in line, lets a started turn finish and gives every turn about the same
wait: the slow tail shrinks (README, "Speed and scale-out"). The limit is per process: each
replica has its own.

The slot is taken inside the conversation lock (in MessageProcessor.handle_message), so a
message waiting for its own conversation's previous turn holds none. A turn waits at most
TURN_SLOT_WAIT seconds for a slot (0: not at all) and then runs without one. So a dependency
that hangs (an action server that accepts calls but never answers) cannot stop the server:
while it holds every slot, each other turn waits TURN_SLOT_WAIT and then runs, unlimited.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from rasa.core.processor import MessageProcessor

from settings import get_settings

logger = logging.getLogger(__name__)
# Seconds between two warnings that turns ran without a slot (under overload, every turn would).
WARN_EVERY = 60.0
_slots: tuple[asyncio.AbstractEventLoop, int, asyncio.Semaphore] | None = None
_last_warning = -WARN_EVERY


def _semaphore(size: int) -> asyncio.Semaphore:
    """The slots of the running loop (a semaphore belongs to one loop)."""
    global _slots
    loop = asyncio.get_running_loop()
    if _slots is None or _slots[0] is not loop or _slots[1] != size:
        _slots = (loop, size, asyncio.Semaphore(size))
    return _slots[2]


def _warn_ran_without_slot(wait: float) -> None:
    """Says so in the log, at most every WARN_EVERY seconds."""
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= WARN_EVERY:
        _last_warning = now
        logger.warning("a turn waited %.1f s for a slot and ran without one (overload?)", wait)


async def _acquire(slots: asyncio.Semaphore, wait: float) -> bool:
    """Takes a slot, waiting at most `wait` seconds; tells whether it got one."""
    if not slots.locked():
        await slots.acquire()  # a free slot: no waiting (and no task for wait_for)
        return True
    try:
        await asyncio.wait_for(slots.acquire(), wait)  # wait <= 0: gives up at once
    except asyncio.TimeoutError:
        _warn_ran_without_slot(wait)
        return False
    return True


@contextlib.asynccontextmanager
async def turn_slot() -> AsyncIterator[bool]:
    """Holds one of TURN_SLOTS slots while the turn runs; yields whether it got one."""
    settings = get_settings()
    if settings.turn_slots <= 0:
        yield False
        return
    slots = _semaphore(settings.turn_slots)
    got = await _acquire(slots, settings.turn_slot_wait)
    try:
        yield got
    finally:
        if got:
            slots.release()


def install() -> None:
    """Runs every MessageProcessor.handle_message in a slot (idempotent)."""
    original: Any = MessageProcessor.handle_message
    if getattr(original, "in_turn_slots", False):
        return

    @functools.wraps(original)
    async def handle_message(self: MessageProcessor, message: Any) -> Any:
        async with turn_slot():
            return await original(self, message)

    handle_message.in_turn_slots = True  # type: ignore[attr-defined]
    MessageProcessor.handle_message = handle_message
