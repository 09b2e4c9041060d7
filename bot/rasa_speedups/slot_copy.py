"""Slots copied by copying their attributes, not through the pickle protocol.

Every tracker Rasa builds copies all of its slots (our 33 and Rasa's own), and the policies build a
tracker for every past turn of the conversation on every prediction: `copy.copy` of a slot went
through `__reduce_ex__` and `copyreg`, 5 µs a slot, about 8% of the server's CPU. A slot's state
is its `__dict__`, and `copy.copy` without `__copy__` makes a new instance of the same class and
updates its `__dict__` with a shallow copy of the state: that is what `__copy__` does here,
directly. Deep copies are untouched.
"""

from __future__ import annotations

from typing import TypeVar

from rasa.shared.core.slots import Slot

S = TypeVar("S", bound=Slot)


def copy_slot(slot: S) -> S:
    """A new slot of the same class whose attributes are the same objects."""
    new = slot.__class__.__new__(slot.__class__)
    new.__dict__.update(slot.__dict__)
    return new


def install() -> None:
    """Copies slots with copy_slot."""
    Slot.__copy__ = copy_slot
