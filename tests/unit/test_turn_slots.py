"""Turn slots: at most TURN_SLOTS turns at once, in arrival order, never stuck, never leaked."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from rasa.core.processor import MessageProcessor

from bot.rasa_speedups import turn_slots
from bot.rasa_speedups.turn_slots import turn_slot
from settings import reset_settings


@pytest.fixture()
def configure(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str, str], None]]:
    """Sets TURN_SLOTS and TURN_SLOT_WAIT; the settings are re-read afterwards."""

    def set_slots(slots: str, wait: str) -> None:
        monkeypatch.setenv("TURN_SLOTS", slots)
        monkeypatch.setenv("TURN_SLOT_WAIT", wait)
        reset_settings()

    yield set_slots
    reset_settings()


@pytest.fixture()
def slots(configure: Callable[[str, str], None]) -> None:
    """Two slots, a short wait."""
    configure("2", "0.2")


class Turns:
    """Turns that enter a slot, record it, and hold it until released."""

    def __init__(self) -> None:
        self.running = 0
        self.most = 0
        self.started: list[int] = []
        self.got_slot: dict[int, bool] = {}
        self.release = asyncio.Event()

    async def turn(self, number: int) -> None:
        async with turn_slot() as got:
            self.got_slot[number] = got
            self.started.append(number)
            self.running += 1
            self.most = max(self.most, self.running)
            await self.release.wait()
            self.running -= 1


async def _settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def _turns_that_get_a_slot_now() -> list[int]:
    """Starts three turns and tells which got a slot without waiting (how many are free)."""
    turns = Turns()
    tasks = [asyncio.create_task(turns.turn(i)) for i in range(3)]
    await _settle()
    started = [n for n in turns.started if turns.got_slot[n]]
    turns.release.set()
    await asyncio.gather(*tasks)
    return started


async def _started(turns: Turns, number: int) -> None:
    while number not in turns.started:
        await asyncio.sleep(0.01)


@pytest.mark.asyncio
async def test_at_most_the_slots_run_and_the_others_wait_in_arrival_order(slots: None) -> None:
    turns = Turns()
    tasks = [asyncio.create_task(turns.turn(i)) for i in range(5)]
    await _settle()
    assert turns.started == [0, 1] and turns.running == 2
    turns.release.set()
    await asyncio.gather(*tasks)
    assert turns.started == [0, 1, 2, 3, 4]
    assert turns.most == 2 and all(turns.got_slot.values())


@pytest.mark.asyncio
async def test_a_turn_that_waits_too_long_runs_without_a_slot(slots: None) -> None:
    turns = Turns()
    holders = [asyncio.create_task(turns.turn(i)) for i in range(2)]
    await _settle()
    late = asyncio.create_task(turns.turn(2))
    await asyncio.wait_for(_started(turns, 2), 5)  # after TURN_SLOT_WAIT (0.2 s)
    assert turns.started == [0, 1, 2] and turns.got_slot[2] is False
    turns.release.set()
    await asyncio.gather(*holders, late)
    # The late turn gave back no slot it did not take: exactly two are free again.
    assert await _turns_that_get_a_slot_now() == [0, 1]


@pytest.mark.asyncio
async def test_a_turn_cancelled_while_waiting_leaks_no_slot(slots: None) -> None:
    turns = Turns()
    holders = [asyncio.create_task(turns.turn(i)) for i in range(2)]
    await _settle()
    waiting = asyncio.create_task(turns.turn(2))
    await _settle()
    waiting.cancel()  # the client went away
    turns.release.set()
    await asyncio.gather(*holders)
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert await _turns_that_get_a_slot_now() == [0, 1]


@pytest.mark.asyncio
async def test_zero_slots_means_no_limit(configure: Callable[[str, str], None]) -> None:
    configure("0", "2")
    turns = Turns()
    tasks = [asyncio.create_task(turns.turn(i)) for i in range(5)]
    await _settle()
    assert turns.running == 5 and not any(turns.got_slot.values())
    turns.release.set()
    await asyncio.gather(*tasks)


@pytest.mark.asyncio
async def test_no_wait_takes_a_free_slot_and_never_waits_for_one(
    configure: Callable[[str, str], None],
) -> None:
    configure("2", "0")
    turns = Turns()
    tasks = [asyncio.create_task(turns.turn(i)) for i in range(3)]
    await _settle()
    assert turns.running == 3 and turns.got_slot == {0: True, 1: True, 2: False}
    turns.release.set()
    await asyncio.gather(*tasks)


@pytest.mark.asyncio
async def test_the_processor_handles_messages_in_slots(
    slots: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    running: list[str] = []
    most = 0
    release = asyncio.Event()

    async def handle_message(self: Any, message: str) -> str:
        nonlocal most
        running.append(message)
        most = max(most, len(running))
        await release.wait()
        running.remove(message)
        return f"handled {message}"

    monkeypatch.setattr(MessageProcessor, "handle_message", handle_message)
    turn_slots.install()
    turn_slots.install()  # idempotent: one slot per turn, not two
    processor: Any = object.__new__(MessageProcessor)
    tasks = [asyncio.create_task(processor.handle_message(f"m{i}")) for i in range(4)]
    await _settle()
    assert running == ["m0", "m1"]
    release.set()
    assert await asyncio.gather(*tasks) == ["handled m0", "handled m1", "handled m2", "handled m3"]
    assert most == 2
