"""Reporting a claim (报案) by chat: the form, its read-back, and registering the claim.

`claim_report_form` collects what an adjuster needs: the policy (checked in the database),
when, where, what happened, injuries, third parties, for motor the plate and whether police
attended, and a contact phone. The customer can correct any field at any time ("时间说错了，
是前天"), ask a question in between, or stop. Nothing is stored until they confirm the
read-back; then the claim is created with its first timeline entry and document checklist.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import messages as m
from bot.actions.chinese_time import parse_accident_time
from bot.actions.claim_card import when
from bot.actions.database import run_in_db
from bot.actions.knowledge_answer import answer_if_sure
from bot.actions.report_answers import (
    asks_a_question,
    cause_of,
    fields_mentioned,
    find_mobile,
    find_plate,
    is_urgent,
    yes_or_no,
)
from claims import clock, repository
from claims.db import DatabaseUnavailable
from claims.numbers import find_reference, is_claim_number
from claims.privacy import encrypt, mask_phone, mask_text
from claims.repository import NewClaim, PolicyCheck
from settings import get_settings

logger = logging.getLogger(__name__)

FORM = "claim_report_form"
MOTOR_ONLY = ("report_plate", "report_police")
YES_NO = ("report_injuries", "report_third_party", "report_police")
# Every slot the form fills or derives; cleared after submitting or cancelling.
REPORT_SLOTS = (
    "report_policy", "report_time", "report_place", "report_description", "report_injuries",
    "report_third_party", "report_plate", "report_police", "report_phone", "report_confirmed",
    "report_is_motor", "report_product", "report_policy_start", "report_policy_end",
    "report_policy_plate", "report_cause", "report_attempts",
)
MAX_POLICY_ATTEMPTS = 3


def _intent(tracker: Tracker) -> str:
    return str((tracker.latest_message.get("intent") or {}).get("name") or "")


def _text(tracker: Tracker) -> str:
    return str(tracker.latest_message.get("text") or "")


def _asked(tracker: Tracker, slot: str) -> bool:
    """Tells whether this message answers the slot: it was asked, or it is being corrected."""
    if tracker.get_slot("requested_slot") == slot:
        return True
    return _intent(tracker) == "correct" and slot in fields_mentioned(_text(tracker))


class ActionReportStart(Action):
    """Opens a report: safety first when people are hurt, then any question asked with it.

    "车卖了没过户，买家开着撞了人，我要担责吗" is a report and a question at once. The answer
    comes before the form when the knowledge base is very sure of it (KB_STRICT_THRESHOLD, as
    for other messages the NLU did not send to the knowledge base); the form then starts as
    usual, and the customer can go on reporting or cancel.
    """

    def name(self) -> str:
        """Names the action run before claim_report_form."""
        return "action_report_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Sends the safety advice if urgent, the answer if asked, then the form's introduction."""
        text = _text(tracker)
        if is_urgent(text):
            dispatcher.utter_message(
                text=m.REPORT_URGENT.format(hotline=get_settings().service_hotline)
            )
        answered = None
        if asks_a_question(text):
            answered = await answer_if_sure(dispatcher, tracker, strict=True)
        dispatcher.utter_message(text=m.REPORT_START_AFTER_ANSWER if answered else m.REPORT_START)
        return [*(answered or []), *(SlotSet(slot, None) for slot in REPORT_SLOTS)]


class ValidateClaimReportForm(FormValidationAction):
    """Extracts, checks and corrects the answers of claim_report_form."""

    def name(self) -> str:
        """Names the validation action of claim_report_form."""
        return "validate_claim_report_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """Asks for the plate and the police only when the policy is motor insurance."""
        if tracker.get_slot("report_is_motor"):
            return domain_slots
        return [s for s in domain_slots if s not in MOTOR_ONLY]

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Handles corrections, then extracts and validates as usual.

        A correction clears the field it names (and the read-back confirmation); if the same
        message carries the new value, the extraction below fills it in again, otherwise
        the form asks for that field next.
        """
        events: list[EventType] = []
        if _intent(tracker) == "correct":
            named = fields_mentioned(_text(tracker))
            if not named:
                dispatcher.utter_message(text=m.REPORT_FIX_WHAT)
                return [SlotSet("report_confirmed", None)]
            events += [SlotSet(named[0], None), SlotSet("report_confirmed", None)]
        return events + await super().run(dispatcher, tracker, domain)

    # --- policy -------------------------------------------------------------------------
    async def extract_report_policy(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Finds the policy number in the message."""
        if not _asked(tracker, "report_policy"):
            return {}
        ref = find_reference(_text(tracker))
        if ref:
            return {"report_policy": ref}
        if tracker.get_slot("requested_slot") == "report_policy" and _intent(tracker) in (
            "inform", "report_claim", "nlu_fallback", "correct"
        ):
            dispatcher.utter_message(text=m.REPORT_POLICY_HINT)
            return {"report_policy": None}
        return {}

    async def validate_report_policy(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Checks the policy exists and is in force; remembers its line and period."""
        ref = find_reference(str(value or ""))
        if ref is None:
            return {"report_policy": None}
        if is_claim_number(ref):
            dispatcher.utter_message(text=m.REPORT_POLICY_IS_CLAIM)
            return {"report_policy": None}
        accident = _accident_date(tracker)
        on = accident or clock.now().date()
        try:
            policy = await run_in_db(
                lambda s: repository.check_policy(s, policy_number=ref, on=on)
            )
        except DatabaseUnavailable:
            dispatcher.utter_message(
                text=m.DB_UNAVAILABLE.format(hotline=get_settings().service_hotline),
                buttons=[m.BUTTON_HUMAN],
            )
            return {"report_policy": None, "requested_slot": None}
        if policy is None:
            return self._policy_refused(dispatcher, tracker, m.REPORT_POLICY_NOT_FOUND)
        if policy.status != "有效":
            return self._policy_refused(dispatcher, tracker, m.REPORT_POLICY_NOT_ACTIVE)
        result = {"report_policy": ref, "report_attempts": 0, **_policy_slots(policy)}
        if accident and not policy.in_force:
            # The time was given before this (corrected) policy: ask for it again.
            dispatcher.utter_message(
                text=m.REPORT_TIME_OUTSIDE.format(
                    when=_day(accident.isoformat()),
                    start=_day(policy.start_date.isoformat()),
                    end=_day(policy.end_date.isoformat()),
                )
            )
            result["report_time"] = None
        return result

    def _policy_refused(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, text: str
    ) -> dict[str, Any]:
        attempts = int(tracker.get_slot("report_attempts") or 0) + 1
        if attempts >= MAX_POLICY_ATTEMPTS:
            dispatcher.utter_message(
                text=m.REPORT_POLICY_TOO_MANY.format(hotline=get_settings().service_hotline),
                buttons=[m.BUTTON_HUMAN],
            )
            return {"report_policy": None, "report_attempts": 0, "requested_slot": None}
        dispatcher.utter_message(text=text)
        return {"report_policy": None, "report_attempts": attempts}

    # --- time ---------------------------------------------------------------------------
    async def extract_report_time(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Reads the accident time from Chinese expressions (昨天下午三点, 3月5日, 刚刚)."""
        if not _asked(tracker, "report_time"):
            return {}
        found = parse_accident_time(_text(tracker), clock.now())
        if found is not None:
            return {"report_time": found.isoformat(timespec="minutes")}
        if tracker.get_slot("requested_slot") == "report_time" and _intent(tracker) not in (
            "stop", "request_human"
        ) and not _intent(tracker).startswith("ask_"):
            dispatcher.utter_message(text=m.REPORT_TIME_HINT)
            return {"report_time": None}
        return {}

    async def validate_report_time(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Refuses future times and times outside the policy period."""
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            return {"report_time": None}
        if moment > clock.now():
            dispatcher.utter_message(text=m.REPORT_TIME_FUTURE)
            return {"report_time": None}
        start, end = tracker.get_slot("report_policy_start"), tracker.get_slot("report_policy_end")
        if start and end and not (start <= moment.date().isoformat() <= end):
            dispatcher.utter_message(
                text=m.REPORT_TIME_OUTSIDE.format(
                    when=when(moment), start=_day(start), end=_day(end)
                )
            )
            return {"report_time": None}
        return {"report_time": moment.isoformat(timespec="minutes")}

    # --- free text ----------------------------------------------------------------------
    async def validate_report_place(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Keeps a masked, bounded place description of at least a few characters."""
        place = mask_text(str(value or "").strip())[:100]
        if len(place) < 2:
            dispatcher.utter_message(text=m.REPORT_PLACE_SHORT)
            return {"report_place": None}
        return {"report_place": place}

    async def validate_report_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Keeps a masked description and derives the cause for the checklist."""
        text = mask_text(str(value or "").strip())[:500]
        if len(text) < 4:
            dispatcher.utter_message(text=m.REPORT_DESCRIPTION_SHORT)
            return {"report_description": None}
        result: dict[str, Any] = {"report_description": text, "report_cause": cause_of(text)}
        if tracker.get_slot("report_injuries") is None and is_urgent(text):
            result["report_injuries"] = yes_or_no(text, "report_injuries")
        return result

    # --- yes/no questions ---------------------------------------------------------------
    def _yes_no(self, tracker: Tracker, slot: str) -> dict[str, Any]:
        if not _asked(tracker, slot):
            return {}
        answer = yes_or_no(_text(tracker), slot)
        if answer is None and tracker.get_slot("requested_slot") == slot:
            answer = {"affirm": True, "deny": False}.get(_intent(tracker))
        return {slot: answer} if answer is not None else {}

    async def extract_report_injuries(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Reads whether anyone was hurt."""
        return self._yes_no(tracker, "report_injuries")

    async def validate_report_injuries(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Reminds the customer to get the injured treated and keep the receipts."""
        if value:
            dispatcher.utter_message(text=m.REPORT_INJURY_REMINDER)
        return {"report_injuries": bool(value)}

    async def extract_report_third_party(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Reads whether another party (vehicle, pedestrian, property) is involved."""
        return self._yes_no(tracker, "report_third_party")

    async def validate_report_third_party(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Keeps the answer as a boolean."""
        return {"report_third_party": bool(value)}

    async def validate_report_police(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Keeps the answer as a boolean."""
        return {"report_police": bool(value)}

    async def extract_report_police(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Reads whether the traffic police attended (motor only)."""
        return self._yes_no(tracker, "report_police")

    # --- plate and phone ----------------------------------------------------------------
    async def extract_report_plate(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Reads a plate, or takes the policy's plate when the customer says it is that car."""
        if not _asked(tracker, "report_plate"):
            return {}
        plate = find_plate(_text(tracker))
        if plate:
            return {"report_plate": plate}
        known = tracker.get_slot("report_policy_plate")
        if known and (_intent(tracker) == "affirm" or yes_or_no(_text(tracker), "") is True):
            return {"report_plate": known}
        if tracker.get_slot("requested_slot") == "report_plate" and _intent(tracker) in (
            "inform", "deny", "nlu_fallback", "affirm"
        ):
            dispatcher.utter_message(text=m.REPORT_PLATE_HINT)
            return {"report_plate": None}
        return {}

    async def extract_report_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Reads an 11-digit mobile number."""
        if not _asked(tracker, "report_phone"):
            return {}
        phone = find_mobile(_text(tracker))
        if phone:
            return {"report_phone": phone}
        if tracker.get_slot("requested_slot") == "report_phone" and _intent(tracker) in (
            "inform", "nlu_fallback", "affirm", "deny"
        ):
            dispatcher.utter_message(text=m.REPORT_PHONE_HINT)
            return {"report_phone": None}
        return {}

    # --- read-back ----------------------------------------------------------------------
    async def extract_report_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Reads the answer to the read-back: confirm, or something to change."""
        if tracker.get_slot("requested_slot") != "report_confirmed":
            return {}
        intent = _intent(tracker)
        if intent == "affirm" or "确认" in _text(tracker) or "提交" in _text(tracker):
            return {"report_confirmed": True}
        if intent == "deny":
            dispatcher.utter_message(text=m.REPORT_FIX_WHAT)
            return {"report_confirmed": None}
        return {}


def _policy_slots(policy: PolicyCheck) -> dict[str, Any]:
    return {
        "report_is_motor": policy.is_motor,
        "report_product": policy.product_name,
        "report_policy_start": policy.start_date.isoformat(),
        "report_policy_end": policy.end_date.isoformat(),
        "report_policy_plate": policy.plate_number,
    }


def _accident_date(tracker: Tracker) -> date | None:
    value = tracker.get_slot("report_time")
    try:
        return datetime.fromisoformat(value).date() if value else None
    except ValueError:
        return None


def _day(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day.year}年{day.month}月{day.day}日"


def _yes(value: Any) -> str:
    return "是" if value else "否"


def summary_lines(tracker: Tracker) -> list[str]:
    """Writes the read-back of everything collected (phone masked)."""
    slot = tracker.get_slot
    lines = [
        f"保单号：{slot('report_policy')}（{slot('report_product') or ''}）",
        f"事故时间：{when(datetime.fromisoformat(slot('report_time')))}"
        if slot("report_time") else "事故时间：",
        f"事故地点：{slot('report_place')}",
        f"事故经过：{slot('report_description')}",
        f"有无人员受伤：{_yes(slot('report_injuries'))}",
        f"是否涉及第三方：{_yes(slot('report_third_party'))}",
    ]
    if slot("report_is_motor"):
        lines.append(f"车牌号：{slot('report_plate')}")
        lines.append(f"交警是否到场：{_yes(slot('report_police'))}")
    lines.append(f"联系电话：{mask_phone(slot('report_phone') or '')}")
    return lines


class ActionAskReportConfirmed(Action):
    """Reads everything back and asks the customer to confirm."""

    def name(self) -> str:
        """Names the action that asks for report_confirmed."""
        return "action_ask_report_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Sends the summary with confirm / change buttons."""
        dispatcher.utter_message(
            text=m.REPORT_SUMMARY.format(lines="\n".join(summary_lines(tracker))),
            buttons=[
                {"title": "确认提交", "payload": "/affirm"},
                {"title": "需要修改", "payload": "/deny"},
            ],
        )
        return []


class ActionAskReportPlate(Action):
    """Asks for the plate, offering the one on the policy."""

    def name(self) -> str:
        """Names the action that asks for report_plate."""
        return "action_ask_report_plate"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Asks with the policy's plate when there is one."""
        plate = tracker.get_slot("report_policy_plate")
        if plate:
            dispatcher.utter_message(
                text=m.REPORT_PLATE_ASK_KNOWN.format(plate=plate),
                buttons=[{"title": f"是，{plate}", "payload": "/affirm"}],
            )
        else:
            dispatcher.utter_message(text=m.REPORT_PLATE_ASK)
        return []


class ActionSubmitReport(Action):
    """Registers the confirmed report and tells the customer what happens next."""

    def name(self) -> str:
        """Names the action run when claim_report_form is done."""
        return "action_submit_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Creates the claim (stage 已报案, timeline, checklist) and clears the form."""
        settings = get_settings()
        clear = [SlotSet(slot, None) for slot in REPORT_SLOTS]
        if tracker.get_slot("report_confirmed") is not True:
            return clear
        slot = tracker.get_slot
        phone = str(slot("report_phone") or "")
        new = NewClaim(
            policy_number=str(slot("report_policy")),
            accident_at=datetime.fromisoformat(str(slot("report_time"))),
            cause=str(slot("report_cause") or "其他"),
            place=str(slot("report_place") or ""),
            description=str(slot("report_description") or ""),
            injuries=bool(slot("report_injuries")),
            third_party=bool(slot("report_third_party")),
            contact_phone_masked=mask_phone(phone),
            contact_phone_enc=encrypt(phone),
            plate_number=slot("report_plate"),
            police_attended=slot("report_police") if slot("report_is_motor") else None,
            channel=tracker.get_latest_input_channel() or "在线",
        )
        try:
            claim = await run_in_db(lambda s: repository.create_claim(s, new=new))
        except DatabaseUnavailable:
            dispatcher.utter_message(
                text=m.REPORT_FAILED.format(hotline=settings.service_hotline),
                buttons=[m.BUTTON_HUMAN],
            )
            return clear
        dispatcher.utter_message(
            text=m.REPORT_DONE.format(
                claim_number=claim.claim_number,
                documents="、".join(claim.missing_documents),
                hours=settings.service_hours,
            ),
            json_message={
                "type": "claim_reported",
                "claim_number": claim.claim_number,
                "documents": claim.missing_documents,
            },
        )
        return [*clear, SlotSet("last_claim", claim.claim_number)]


class ActionCancelReport(Action):
    """Stops the report without storing anything."""

    def name(self) -> str:
        """Names the action run when the customer stops claim_report_form."""
        return "action_cancel_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Says nothing was submitted and clears what was collected."""
        dispatcher.utter_message(text=m.REPORT_CANCELLED)
        return [SlotSet(slot, None) for slot in REPORT_SLOTS]
