"""When the NLU is unsure: try the knowledge base, then ask to rephrase, then offer a human.

A question the classifier could not place may still match an article well; if it does, it
is answered. Otherwise the first miss asks the customer to rephrase, with suggestions, and a
second miss in a row offers a human agent.
"""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, UserUttered
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import messages as m
from bot.actions.knowledge_answer import article_button, record_gap, search, send_answer
from settings import get_settings

logger = logging.getLogger(__name__)


def previous_turn_fell_back(tracker: Tracker, action_name: str) -> bool:
    """Tells whether the bot's reply to the previous user message was this fallback."""
    users_seen = 0
    for event in reversed(tracker.events):
        if event.get("event") == UserUttered.type_name:
            users_seen += 1
            if users_seen == 2:
                return False
        elif users_seen == 1 and event.get("event") == ActionExecuted.type_name:
            if event.get("name") == action_name:
                return True
    return False


class ActionFallback(Action):
    """Two-stage fallback with a knowledge-base attempt first."""

    def name(self) -> str:
        """Names the action the nlu_fallback rule runs."""
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Answers from the knowledge base if sure, else asks to rephrase or offers a human."""
        try:
            hits = await search(tracker, None)
        except Exception:
            logger.exception("knowledge base search failed in fallback")
            hits = []
        if hits and hits[0].confidence >= get_settings().kb_threshold:
            return send_answer(dispatcher, hits[0].article, hits[0])
        if previous_turn_fell_back(tracker, self.name()):
            dispatcher.utter_message(text=m.FALLBACK_SECOND, buttons=[m.BUTTON_HUMAN])
            return []
        suggestions = [article_button(h.article) for h in hits[:2]]
        dispatcher.utter_message(
            text=m.FALLBACK_FIRST,
            buttons=[*suggestions, m.BUTTON_STATUS, m.BUTTON_REPORT, m.BUTTON_HUMAN],
        )
        if hits:
            await record_gap(tracker, "nlu_fallback", hits)
        return []
