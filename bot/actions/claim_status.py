"""Claim status: ask for the claim number, verify identity, then answer from the database.

The form `claim_status_form` asks for `claim_ref` (a claim or policy number) and
`verification_code` (last 4 digits of the registered phone or last 6 of the ID number).
Nothing about a claim is said before verification, and a wrong number and a claim that does
not exist get the same answer. A verified customer can look at other claims of theirs
without verifying again.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import messages as m
from bot.actions.claim_card import pick_buttons, status_payload, status_text, when
from bot.actions.database import conversation_key, run_in_db
from claims import repository
from claims.db import DatabaseUnavailable
from claims.numbers import (
    find_reference,
    find_verification_digits,
    is_claim_number,
    squash,
)
from claims.repository import ClaimSummary, ClaimView
from claims.verification import Outcome, Verification, verify
from settings import get_settings

logger = logging.getLogger(__name__)

VERIFIED = "verified"  # what verification_code holds once checked: never the digits
# Intents after which a message without a number deserves a hint rather than a shrug.
ANSWER_INTENTS = {"inform", "claim_status", "list_claims", "affirm", "deny", "nlu_fallback"}


def _unavailable(dispatcher: CollectingDispatcher) -> list[EventType]:
    dispatcher.utter_message(
        text=m.DB_UNAVAILABLE.format(hotline=get_settings().service_hotline),
        buttons=[m.BUTTON_HUMAN],
    )
    return [
        SlotSet("claim_ref", None),
        SlotSet("verification_code", None),
        SlotSet("requested_slot", None),
    ]


class ValidateClaimStatusForm(FormValidationAction):
    """Extracts and checks the claim reference and the verification digits."""

    def name(self) -> str:
        """Names the validation action of claim_status_form."""
        return "validate_claim_status_form"

    async def extract_claim_ref(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Finds a claim or policy number however it was typed (spaces, 全角, lower case)."""
        if tracker.get_slot("requested_slot") != "claim_ref":
            return {}
        text = tracker.latest_message.get("text") or ""
        ref = find_reference(text)
        if ref:
            return {"claim_ref": ref}
        if tracker.latest_message.get("intent", {}).get("name") in ANSWER_INTENTS:
            dispatcher.utter_message(text=m.ASK_REFERENCE_HINT, buttons=[m.BUTTON_HUMAN])
            return {"claim_ref": None}
        return {}

    async def validate_claim_ref(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Normalizes the reference; skips verification for a verified owner."""
        ref = find_reference(str(value or "")) or squash(str(value or ""))
        if not find_reference(ref):
            dispatcher.utter_message(text=m.ASK_REFERENCE_HINT, buttons=[m.BUTTON_HUMAN])
            return {"claim_ref": None}
        if int(tracker.get_slot("verify_failures") or 0) >= get_settings().verify_max_attempts:
            return {"claim_ref": ref, "verification_locked": True, "requested_slot": None}
        customer = tracker.get_slot("verified_customer")
        if customer and is_claim_number(ref):
            try:
                owned = await run_in_db(
                    lambda s: repository.customer_owns_claim(
                        s, customer_id=int(customer), claim_number=ref
                    )
                )
            except DatabaseUnavailable:
                return {"claim_ref": ref}
            if owned:
                return {"claim_ref": ref, "verification_code": VERIFIED}
        return {"claim_ref": ref, "verification_code": None}

    async def extract_verification_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Finds 4 or 6 verification characters, also when typed with spaces."""
        if tracker.get_slot("requested_slot") != "verification_code":
            return {}
        digits = find_verification_digits(tracker.latest_message.get("text") or "")
        if digits:
            return {"verification_code": digits}
        if tracker.latest_message.get("intent", {}).get("name") in ANSWER_INTENTS:
            dispatcher.utter_message(text=m.VERIFY_HINT)
            return {"verification_code": None}
        return {}

    async def validate_verification_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Checks the digits in the database; counts failures; locks after too many."""
        if value == VERIFIED:
            return {"verification_code": VERIFIED}
        digits = find_verification_digits(str(value or ""))
        ref = tracker.get_slot("claim_ref")
        if not digits or not ref:
            dispatcher.utter_message(text=m.VERIFY_HINT)
            return {"verification_code": None}
        settings = get_settings()
        failures = int(tracker.get_slot("verify_failures") or 0)
        if failures >= settings.verify_max_attempts:
            return {"verification_code": None, "verification_locked": True, "requested_slot": None}
        try:
            result: Verification = await run_in_db(
                lambda s: verify(s, ref=ref, digits=digits)
            )
        except DatabaseUnavailable:
            dispatcher.utter_message(
                text=m.DB_UNAVAILABLE.format(hotline=settings.service_hotline),
                buttons=[m.BUTTON_HUMAN],
            )
            return {"verification_code": None, "claim_ref": None, "requested_slot": None}
        if result.outcome is Outcome.VERIFIED:
            return {
                "verification_code": VERIFIED,
                "verified_customer": str(result.customer_id),
                "verify_failures": 0,
            }
        failures += 1
        if result.outcome is Outcome.LOCKED or failures >= settings.verify_max_attempts:
            until = when(result.locked_until) if result.locked_until else ""
            return {
                "verification_code": None,
                "verify_failures": failures,
                "verification_locked": True,
                "locked_until": until,
                "requested_slot": None,
            }
        dispatcher.utter_message(
            text=m.VERIFY_WRONG.format(
                left=min(result.attempts_left, settings.verify_max_attempts - failures)
            )
        )
        return {"verification_code": None, "verify_failures": failures}


class ActionClaimStatus(Action):
    """Answers once the form is done: the claim, a list to pick from, or the lock-out."""

    def name(self) -> str:
        """Names the action run after claim_status_form."""
        return "action_claim_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Discloses the claim (or claims) only after verification."""
        settings = get_settings()
        reset = [SlotSet("claim_ref", None), SlotSet("verification_code", None)]
        if tracker.get_slot("verification_locked"):
            until = tracker.get_slot("locked_until")
            text = (
                m.VERIFY_LOCKED.format(until=until, hotline=settings.service_hotline)
                if until
                else m.VERIFY_LOCKED_CONVERSATION.format(hotline=settings.service_hotline)
            )
            dispatcher.utter_message(text=text, buttons=[m.BUTTON_HUMAN])
            return [*reset, SlotSet("verification_locked", None)]
        ref = tracker.get_slot("claim_ref")
        customer = tracker.get_slot("verified_customer")
        if tracker.get_slot("verification_code") != VERIFIED or not ref or not customer:
            return reset
        actor = conversation_key(tracker.sender_id)
        list_all = bool(tracker.get_slot("list_all"))
        try:
            claim, choices = await run_in_db(
                lambda s: _look_up(s, ref=ref, customer_id=int(customer), actor=actor,
                                   list_all=list_all)
            )
        except DatabaseUnavailable:
            return _unavailable(dispatcher)
        if claim is not None:
            dispatcher.utter_message(text=status_text(claim), json_message=status_payload(claim))
            reset.append(SlotSet("last_claim", claim.claim_number))
        elif choices:
            dispatcher.utter_message(
                text=m.PICK_CLAIM.format(count=len(choices)), buttons=pick_buttons(choices)
            )
        else:
            dispatcher.utter_message(text=m.NO_CLAIMS)
        return [*reset, SlotSet("list_all", None)]


def _look_up(
    session: Any, *, ref: str, customer_id: int, actor: str, list_all: bool
) -> tuple[ClaimView | None, list[ClaimSummary]]:
    """Finds what a verified customer asked for and writes the audit log."""
    if list_all:
        choices = repository.claims_of_customer(session, customer_id=customer_id)
    elif is_claim_number(ref):
        claim = repository.get_claim(session, claim_number=ref)
        if claim is not None:
            repository.log_access(
                session, actor_type="customer", actor=actor, action="status_view",
                claim_number=ref,
            )
        return claim, []
    else:
        choices = repository.claims_of_policy(session, policy_number=ref)
    if len(choices) == 1:
        return _look_up(
            session, ref=choices[0].claim_number, customer_id=customer_id, actor=actor,
            list_all=False,
        )
    repository.log_access(
        session, actor_type="customer", actor=actor, action="status_list",
        claim_number=None, detail=f"{len(choices)} claims",
    )
    return None, choices


class ActionListClaims(Action):
    """Lists all claims of a verified customer, or starts verification first."""

    def name(self) -> str:
        """Names the action for the list_claims intent."""
        return "action_list_claims"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Shows the list at once if verified; otherwise remembers the wish and verifies."""
        customer = tracker.get_slot("verified_customer")
        if not customer:
            dispatcher.utter_message(text=m.LIST_NEEDS_VERIFY)
            return [SlotSet("list_all", True)]
        try:
            choices = await run_in_db(
                lambda s: repository.claims_of_customer(s, customer_id=int(customer))
            )
        except DatabaseUnavailable:
            return _unavailable(dispatcher)
        if choices:
            dispatcher.utter_message(
                text=m.PICK_CLAIM.format(count=len(choices)), buttons=pick_buttons(choices)
            )
        else:
            dispatcher.utter_message(text=m.NO_CLAIMS)
        return []
