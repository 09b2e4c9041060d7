"""The speed-ups must not change what Rasa does: same event classes, same errors."""

import pytest
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.utils.common import all_subclasses

from bot import rasa_speedups


@pytest.fixture(scope="module", autouse=True)
def installed() -> None:
    rasa_speedups.install()


def test_every_event_type_resolves_to_the_class_rasas_walk_finds() -> None:
    names = {cls.type_name for cls in all_subclasses(Event)}
    assert {"user", "action", "slot", "session_started"} <= names
    for name in names:
        assert Event.resolve_by_type(name) is rasa_speedups._resolve_by_walking(name)


def test_unknown_event_types_behave_as_in_rasa() -> None:
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")
    assert Event.resolve_by_type("no_such_event", SlotSet) is SlotSet
    assert Event.resolve_by_type("topic") is None


def test_events_survive_a_round_trip() -> None:
    events = [
        UserUttered("你好", {"name": "greet", "confidence": 0.9}),
        ActionExecuted("utter_greet"),
        SlotSet("product_line", "车险"),
    ]
    assert [Event.from_parameters(e.as_dict()) for e in events] == events
