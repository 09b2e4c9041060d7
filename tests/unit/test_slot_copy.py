"""Slots copied by the fast path are the copies `copy.copy` made through the pickle protocol."""

from __future__ import annotations

import copy
import copyreg

import pytest
from rasa.shared.core.events import SlotSet
from rasa.shared.core.slots import (
    AnySlot,
    BooleanSlot,
    CategoricalSlot,
    FloatSlot,
    ListSlot,
    Slot,
    TextSlot,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_speedups import slot_copy

MAPPINGS = [{"type": "from_text"}]


def _protocol_copy(slot: Slot) -> Slot:
    """What copy.copy did before: the object's __reduce_ex__, rebuilt as copy does."""
    reducer, args, state, *_ = slot.__reduce_ex__(4)
    assert reducer is copyreg.__newobj__
    new = reducer(*args)
    new.__dict__.update(state)
    return new


def _slots() -> list[Slot]:
    return [
        TextSlot("t", MAPPINGS, initial_value="文本"),
        BooleanSlot("b", MAPPINGS, initial_value=True, influence_conversation=False),
        FloatSlot("f", MAPPINGS, max_value=5.0, initial_value=2.5),
        ListSlot("l", MAPPINGS, initial_value=["a", "b"]),
        CategoricalSlot("c", MAPPINGS, values=["车险", "医疗险"], initial_value="车险"),
        AnySlot("a", MAPPINGS, initial_value={"k": 1}),
    ]


@pytest.fixture(autouse=True)
def installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Slot, "__copy__", None, raising=False)  # removed again afterwards
    slot_copy.install()


def test_a_copy_is_a_new_slot_with_the_same_state() -> None:
    assert Slot.__copy__ is slot_copy.copy_slot  # type: ignore[attr-defined]
    for slot in _slots():
        fast, slow = copy.copy(slot), _protocol_copy(slot)
        assert type(fast) is type(slot) is type(slow) and fast is not slot
        assert fast.__dict__ == slow.__dict__ == slot.__dict__
        for name, value in slot.__dict__.items():  # shallow, as copy.copy is
            assert getattr(fast, name) is value
        fast.value = "changed"
        assert slot.value != "changed"


def test_trackers_still_keep_their_own_slots() -> None:
    slots = _slots()
    first = DialogueStateTracker.from_events("a", [SlotSet("c", "医疗险")], slots)
    second = DialogueStateTracker("b", slots)
    assert first.get_slot("c") == "医疗险" and second.get_slot("c") == "车险"
    assert slots[4].value == "车险"  # the domain's slot is untouched
    copied = first.copy()
    copied.update(SlotSet("t", "改了"))
    assert first.get_slot("t") == "文本" and copied.get_slot("t") == "改了"
