"""Complaints: listen, confirm in the customer's own words, offer concrete next steps.

The wording follows the training deck's communication chapter: acknowledge the feeling,
confirm the problem, offer a solution (a recorded complaint with a ticket number, a human,
the regulator's hotline). It never argues and never promises an outcome. A complaint often
carries a question an article answers well (对方不肯报他的保险, 定损比报价低); that answer
comes between the acknowledgement and the offer.
"""

from __future__ import annotations

import re

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import messages as m
from bot.actions.database import conversation_key, run_in_db
from bot.actions.knowledge_answer import answer_if_sure
from claims import tickets
from claims.db import DatabaseUnavailable
from claims.privacy import mask_text
from settings import get_settings

_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("被拒赔", r"拒赔|不赔|不给赔|拒绝赔|不予赔|拒付"),
    ("处理太慢", r"慢|拖|太久|几个月|好几天|一直没|还没|等了|没人管|没动静"),
    ("赔付金额", r"太少|太低|不够|少赔|金额|定损|压价|只赔"),
    ("服务态度", r"态度|不理|敷衍|踢皮球|挂电话|推诿|骂|不耐烦|没人接"),
)
# Words and signs of strong anger: the reply acknowledges it more strongly.
ANGER_RE = re.compile(
    r"垃圾|骗子|骗人|气死|太过分|忍无可忍|曝光|媒体|起诉|告你们|无耻|混蛋|破公司|坑人|"
    r"流氓|什么玩意|去死|滚|[!！]{2,}|12378|银保监|监管局"
)


def classify(text: str) -> str:
    """Names what the complaint is about (被拒赔, 处理太慢, …) or "" if unclear."""
    for category, pattern in _CATEGORIES:
        if re.search(pattern, text):
            return category
    return ""


def is_angry(text: str) -> bool:
    """Tells whether the message shows strong anger."""
    return ANGER_RE.search(text) is not None


def has_content(text: str) -> bool:
    """Tells whether a complaint says what it is about (not a bare 我要投诉 or a button)."""
    return len(text) >= 6 and not text.startswith("/")


def excerpt(text: str, limit: int = 40) -> str:
    """Quotes the customer's words, masked and shortened."""
    words = mask_text(" ".join(text.split()))
    return words if len(words) <= limit else words[: limit - 1] + "…"


class ActionComplaintAck(Action):
    """Acknowledges a complaint with empathy and offers to record it."""

    def name(self) -> str:
        """Names the action for the complain intent."""
        return "action_complaint_ack"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Replies with empathy, the problem in the customer's words, and the options."""
        text = str(tracker.latest_message.get("text") or "")
        category = classify(text)
        calm, strong = m.COMPLAINT_EMPATHY[category]
        lines = [strong if is_angry(text) else calm]
        if has_content(text):
            lines.append(
                m.COMPLAINT_CONFIRM.format(
                    category=f"{category}，" if category else "", excerpt=excerpt(text)
                )
            )
        buttons = [m.BUTTON_COMPLAIN, m.BUTTON_HUMAN, m.BUTTON_NOT_NOW]
        answer = CollectingDispatcher()
        answered = await answer_if_sure(answer, tracker) if has_content(text) else None
        if answered is None:
            dispatcher.utter_message(text="\n".join([*lines, m.COMPLAINT_OFFER]), buttons=buttons)
        else:
            dispatcher.utter_message(text="\n".join(lines))
            dispatcher.messages.extend(answer.messages)
            dispatcher.utter_message(text=m.COMPLAINT_OFFER_AFTER_ANSWER, buttons=buttons)
        return [
            SlotSet("complaint_pending", True),
            SlotSet("complaint_text", mask_text(text)[:1000]),
            SlotSet("complaint_category", category),
            *(answered or []),
        ]


class ActionRegisterComplaint(Action):
    """Records the complaint with a ticket number."""

    def name(self) -> str:
        """Names the action run when the customer agrees to record the complaint."""
        return "action_register_complaint"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Stores the complaint (masked) with the claim if known; gives the ticket number."""
        settings = get_settings()
        claim = tracker.get_slot("last_claim")
        try:
            ticket = await run_in_db(
                lambda s: tickets.record_complaint(
                    s,
                    text=str(tracker.get_slot("complaint_text") or ""),
                    category=str(tracker.get_slot("complaint_category") or ""),
                    channel=tracker.get_latest_input_channel() or "",
                    conversation_hash=conversation_key(tracker.sender_id),
                    claim_number=claim,
                )
            )
        except DatabaseUnavailable:
            dispatcher.utter_message(
                text=m.COMPLAINT_FAILED.format(hotline=settings.service_hotline),
                buttons=[m.BUTTON_HUMAN],
            )
            return [SlotSet("complaint_pending", None)]
        dispatcher.utter_message(
            text=m.COMPLAINT_REGISTERED.format(ticket=ticket),
            json_message={"type": "complaint", "ticket": ticket},
        )
        return [SlotSet("complaint_pending", None), SlotSet("complaint_text", None)]


class ActionComplaintDeclined(Action):
    """Leaves the complaint unrecorded, with the channels for later."""

    def name(self) -> str:
        """Names the action run when the customer does not want a complaint recorded."""
        return "action_complaint_declined"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Says how to complain later; forgets the complaint text."""
        dispatcher.utter_message(
            text=m.COMPLAINT_DECLINED.format(hotline=get_settings().service_hotline)
        )
        return [SlotSet("complaint_pending", None), SlotSet("complaint_text", None)]
