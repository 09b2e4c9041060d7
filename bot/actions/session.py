"""Session start: carries the service hotline and hours from settings into the slots."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from settings import get_settings


class ActionSessionStart(Action):
    """Starts a session with the configured hotline and service hours in slots."""

    def name(self) -> str:
        """Overrides Rasa's default session start."""
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Emits the session start, the service slots, then listens."""
        settings = get_settings()
        return [
            SessionStarted(),
            SlotSet("service_hotline", settings.service_hotline),
            SlotSet("service_hours", settings.service_hours),
            ActionExecuted("action_listen"),
        ]
