"""Handing a conversation to a human agent, and going quiet until it is released.

The ticket carries a short masked summary (why, what the customer asked, the verified claim,
the last messages). The conversation is then paused with Rasa's own ConversationPaused
event, so the bot does not answer until the agents' console resumes it.
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import messages as m
from bot.actions.database import run_in_db
from claims import tickets
from claims.db import DatabaseUnavailable
from claims.privacy import mask_text
from settings import get_settings

SUMMARY_MESSAGES = 5


def handoff_reason(tracker: Tracker) -> str:
    """Tells why the customer is handed over: complaint, lock-out, fallback or request."""
    if tracker.get_slot("complaint_pending"):
        return "complaint"
    if int(tracker.get_slot("verify_failures") or 0) >= get_settings().verify_max_attempts:
        return "lockout"
    for event in reversed(tracker.events[:-1]):
        if event.get("event") == "action" and event.get("name") not in (
            "action_listen", "action_handoff"
        ):
            return "fallback" if event.get("name") == "action_fallback" else "requested"
    return "requested"


def summary(tracker: Tracker) -> str:
    """Writes what an agent needs to pick up the conversation, with personal data masked."""
    user_events = [e for e in tracker.events if e.get("event") == "user"]
    intents = [
        str((e.get("parse_data") or {}).get("intent", {}).get("name") or "")
        for e in user_events
    ]
    texts = [
        mask_text(str(e.get("text") or ""))[:120]
        for e in user_events
        if str(e.get("text") or "") and not str(e.get("text")).startswith("/")
    ]
    claim = tracker.get_slot("last_claim")
    lines = [
        f"原因：{handoff_reason(tracker)}",
        "意图：" + " → ".join(i for i in intents[-10:] if i),
        f"已验证案件：{claim}" if claim and tracker.get_slot("verified_customer") else
        "已验证案件：无",
    ]
    if tracker.get_slot("complaint_text"):
        lines.append(f"投诉内容：{tracker.get_slot('complaint_text')}")
    lines.append("最近消息：")
    lines += [f"- {t}" for t in texts[-SUMMARY_MESSAGES:]]
    return "\n".join(lines)


class ActionHandoff(Action):
    """Opens a handoff ticket, tells the customer what happens next, pauses the bot."""

    def name(self) -> str:
        """Names the action for request_human (and the 转人工 buttons)."""
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Creates the ticket; the bot stays quiet until an agent releases it."""
        settings = get_settings()
        # Leaves any form (a no-op outside one): the rules expect it in every case.
        stop_form: list[EventType] = [ActiveLoop(None), SlotSet("requested_slot", None)]
        try:
            ticket = await run_in_db(
                lambda s: tickets.open_handoff(
                    s,
                    conversation_id=tracker.sender_id,
                    channel=tracker.get_latest_input_channel() or "",
                    reason=handoff_reason(tracker),
                    summary=summary(tracker),
                )
            )
        except DatabaseUnavailable:
            dispatcher.utter_message(
                text=m.HANDOFF_FAILED.format(hotline=settings.service_hotline)
            )
            return stop_form
        dispatcher.utter_message(
            text=m.HANDOFF_DONE.format(
                ticket=ticket, hours=settings.service_hours, hotline=settings.service_hotline
            ),
            json_message={"type": "handoff", "ticket": ticket},
        )
        return [
            *stop_form,
            SlotSet("handoff_ticket", ticket),
            ConversationPaused(),
        ]
