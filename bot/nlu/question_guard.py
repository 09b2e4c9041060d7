"""A Rasa pipeline component that keeps claims questions out of small talk.

The intent classifier learns greetings, thanks and chitchat from short messages, and a long
story it cannot place sometimes lands on one of them: a question about return-shipping cover
taken for a bot challenge, a story about a chauffeur's accident for goodbye. The assistant then
says goodbye to a customer who asked a question. A message that long which names an insurance
matter and asks something is not small talk whatever the classifier says, so this component
hands it to nlu_fallback, whose action searches the knowledge base and otherwise asks to
rephrase. It runs after FallbackClassifier in config.yml and learns nothing. A yes or a no is
left alone here (it may confirm a step of a flow); the actions for a yes or no when nothing
was asked look at it again (bot/actions/fallback.py).
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.claims_question import is_claims_question
from bot.nlu.stateless import StatelessComponent

# Intents a claims question is never. Not affirm and deny: they confirm steps of the flows
# (recording a complaint, the report's read-back), where "是的，…多久能赔下来" must stay a yes.
SMALL_TALK = frozenset({"greet", "goodbye", "thank", "bot_challenge", "chitchat"})
FALLBACK = "nlu_fallback"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class QuestionGuard(StatelessComponent):
    """Turns small talk that is really a claims question into nlu_fallback."""

    def process(self, messages: list[Message]) -> list[Message]:
        """Overrides the intent in place and puts the fallback first in the ranking.

        As FallbackClassifier does, the classifier's own ranking stays below it for the logs.
        """
        for message in messages:
            intent = message.get(INTENT) or {}
            text = message.get(TEXT)
            if (
                intent.get(INTENT_NAME_KEY) in SMALL_TALK
                and isinstance(text, str)
                and is_claims_question(text)
            ):
                fallback = {
                    INTENT_NAME_KEY: FALLBACK,
                    PREDICTED_CONFIDENCE_KEY: intent.get(PREDICTED_CONFIDENCE_KEY),
                }
                message.set(INTENT, fallback, add_to_output=True)
                ranking = message.get(INTENT_RANKING_KEY) or []
                message.set(INTENT_RANKING_KEY, [dict(fallback), *ranking], add_to_output=True)
        return messages
