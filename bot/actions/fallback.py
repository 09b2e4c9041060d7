"""When the NLU is unsure, or its intent does not fit the moment: try the knowledge base first.

A question the classifier could not place, took for something we do not serve, or took for
"stop" with nothing to stop, may still match an article well; if it does, it is answered.
Otherwise an unsure first miss asks the customer to rephrase, with suggestions, and a second
miss in a row offers a human agent; an out-of-scope message gets the polite list of what the
assistant can do, and a stop its usual confirmation.
"""

from __future__ import annotations

import abc
import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import messages as m
from bot.actions.knowledge_answer import answer_if_sure, article_button, record_gap, search
from bot.nlu.claims_question import is_claims_question
from bot.nlu.text import normalize
from claims.numbers import find_reference, is_claim_number

logger = logging.getLogger(__name__)


def previous_turn_fell_back(tracker: Tracker, action_name: str) -> bool:
    """Tells whether the bot's reply to the previous user message was this fallback."""
    users_seen = 0
    for event in reversed(tracker.events):
        # Event names as they appear in the tracker's JSON (rasa_sdk's event helpers are
        # plain functions, without Rasa's `type_name`).
        if event.get("event") == "user":
            users_seen += 1
            if users_seen == 2:
                return False
        elif users_seen == 1 and event.get("event") == "action":
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
        answered = await answer_if_sure(dispatcher, tracker, hits)
        if answered is not None:
            return answered
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


class ActionInformWithoutContext(Action):
    """Makes sense of information given when nothing was asked.

    A claim or policy number is probably a status question; a message the classifier took
    for information may still be a question the knowledge base answers well.
    """

    def name(self) -> str:
        """Names the action for `inform` outside a form."""
        return "action_inform_without_context"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Offers the status look-up, answers from the knowledge base, or asks what for."""
        ref = find_reference(str(tracker.latest_message.get("text") or ""))
        if ref:
            kind = "报案号" if is_claim_number(ref) else "保单号"
            entity = "claim_number" if is_claim_number(ref) else "policy_number"
            dispatcher.utter_message(
                text=m.INFORM_REFERENCE.format(kind=kind, ref=ref),
                buttons=[
                    {"title": "查询进度", "payload": f'/claim_status{{"{entity}":"{ref}"}}'},
                    m.BUTTON_REPORT,
                ],
            )
            return []
        answered = await answer_if_sure(dispatcher, tracker)
        if answered is not None:
            return answered
        dispatcher.utter_message(
            text=m.INFORM_WITHOUT_CONTEXT, buttons=[m.BUTTON_STATUS, m.BUTTON_REPORT]
        )
        return []


class KnowledgeAnswerOrReply(Action, abc.ABC):
    """Answers from the knowledge base when an article clears the bar, else the usual reply.

    For intents that may hide a question the classifier did not see.
    """

    # Whether the bar is KB_STRICT_THRESHOLD rather than KB_THRESHOLD.
    strict = False

    def worth_searching(self, text: str) -> bool:
        """Whether the message may be a question at all."""
        return True

    @abc.abstractmethod
    def usual_reply(self, dispatcher: CollectingDispatcher) -> None:
        """Sends what the intent gets when no article matches well enough."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Answers from the knowledge base if sure, else sends the usual reply."""
        if self.worth_searching(str(tracker.latest_message.get("text") or "")):
            answered = await answer_if_sure(dispatcher, tracker, strict=self.strict)
            if answered is not None:
                return answered
        self.usual_reply(dispatcher)
        return []


class StrictKnowledgeAnswer(KnowledgeAnswerOrReply, abc.ABC):
    """For intents that say the message is not a question for us: a higher bar.

    The classifier's judgement counts against the article: KB_STRICT_THRESHOLD.
    """

    strict = True


class YesOrNoWithoutContext(KnowledgeAnswerOrReply, abc.ABC):
    """A yes or a no when nothing was asked, which may be a claims question taken for one.

    The NLU turns small talk that is really a claims question into the fallback
    (bot/nlu/question_guard.py) but cannot do so for a yes or a no, which inside a flow confirms
    a step. Here no flow is waiting: a long claims question (bot/nlu/claims_question.py) is
    answered when an article clears the usual bar; a plain yes or no gets the usual reply.
    """

    def worth_searching(self, text: str) -> bool:
        """Only a long message that names insurance and asks something."""
        return is_claims_question(normalize(text))


class ActionAffirmWithoutContext(YesOrNoWithoutContext):
    """A yes when nothing was asked."""

    def name(self) -> str:
        """Names the action the "yes without a question" rule runs."""
        return "action_affirm_without_context"

    def usual_reply(self, dispatcher: CollectingDispatcher) -> None:
        """Says what the assistant can do."""
        dispatcher.utter_message(text=m.AFFIRM_WITHOUT_CONTEXT)


class ActionDenyWithoutContext(YesOrNoWithoutContext):
    """A no when nothing was asked."""

    def name(self) -> str:
        """Names the action the "no without a question" rule runs."""
        return "action_deny_without_context"

    def usual_reply(self, dispatcher: CollectingDispatcher) -> None:
        """Acknowledges and offers further help."""
        dispatcher.utter_message(text=m.DENY_WITHOUT_CONTEXT)


class ActionOutOfScope(StrictKnowledgeAnswer):
    """Answers an insurance question the classifier took for out of scope, else says so.

    Customers often open with the insurer's name or how they bought the policy (新华保险…,
    在商场买的财产险…), which pulls a claims question towards out_of_scope; a strong
    article match overrules that. Buying advice or a translation request can still resemble
    an article, hence the stricter bar (README, "Knowledge base").
    """

    def name(self) -> str:
        """Names the action the out_of_scope rule runs."""
        return "action_out_of_scope"

    def usual_reply(self, dispatcher: CollectingDispatcher) -> None:
        """Lists what the assistant can do."""
        dispatcher.utter_message(
            text=m.OUT_OF_SCOPE, buttons=[m.BUTTON_STATUS, m.BUTTON_REPORT, m.BUTTON_HUMAN]
        )


class ActionStopWithoutForm(StrictKnowledgeAnswer):
    """Answers a question the classifier took for "stop" while no form was running.

    停 and 取消 inside a question (车停在车库里着火了…, 航班取消了…) pull it to stop; with
    nothing to stop, a strong article match is the better reply.
    """

    def name(self) -> str:
        """Names the action the "stop without a form" rule runs."""
        return "action_stop_without_form"

    def usual_reply(self, dispatcher: CollectingDispatcher) -> None:
        """Confirms, as utter_stop_ok does."""
        dispatcher.utter_message(response="utter_stop_ok")
