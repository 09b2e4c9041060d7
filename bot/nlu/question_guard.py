"""A Rasa pipeline component that keeps claims questions out of small talk.

The intent classifier learns greetings, thanks and yes/no answers from short messages, and a
long story it cannot place sometimes lands on one of them: a question about the rules for the
交强险 payment time taken for "yes", one about return-shipping cover for a bot challenge, a
story about a chauffeur's accident for goodbye. The assistant then says goodbye to a customer
who asked a question. A message that long which names an insurance matter and
asks something is not small talk whatever the classifier says, so this component hands it to
nlu_fallback, whose action searches the knowledge base and otherwise asks to rephrase.
It runs after FallbackClassifier in config.yml and learns nothing.
"""

from __future__ import annotations

import re

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.stateless import StatelessComponent

# Intents a claims question is never: the short conversational ones.
SMALL_TALK = frozenset(
    {"greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "chitchat"}
)
# The longest small talk in the training data and held-out sets is about a dozen characters
# ("好的谢谢你，没有别的问题了"); a claims question told as a story is longer.
MIN_LENGTH = 14
INSURANCE = re.compile(r"保险|险|赔|报销|出险|报案|定损|事故|受益人|保单")
# A question mark or particle, a question word, or an A-not-A question (赔不赔, 管不管).
ASKS = re.compile(r"[?？]|吗|怎么|如何|是否|多少|多久|什么|哪|谁|有没有|还是|(\w)不\1")
# A greeting or thanks that goes on about a claim without asking yet ("您好…想问问理赔的事，
# 有人在吗", "谢谢你…不知道理赔要怎么跑…"), or a message about the assistant, stays what it was.
CONVERSATIONAL = re.compile(
    r"你好|您好|在吗|有人在|有专人|谢谢|谢了|多谢|感谢|感恩|再见|拜拜"
    r"|机器人|真人|人工|AI|你是|你们客服|在线|方便吗|招呼|咨询一下|了解一下|想问问|请教"
)
# "您好，请问…是否赔偿？" is a question with manners: the greeting in front does not count.
LEADING_GREETING = re.compile(r"^(您好|你好|hi|hello|在吗)[\s,，.。!！~]*", re.IGNORECASE)
FALLBACK = "nlu_fallback"


def is_claims_question(text: str) -> bool:
    """Tells whether a message is long, names insurance, asks something and is not chat."""
    text = LEADING_GREETING.sub("", text)
    return (
        len(text) >= MIN_LENGTH
        and INSURANCE.search(text) is not None
        and ASKS.search(text) is not None
        and CONVERSATIONAL.search(text) is None
    )


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class QuestionGuard(StatelessComponent):
    """Turns small talk that is really a claims question into nlu_fallback."""

    def process(self, messages: list[Message]) -> list[Message]:
        """Overrides the intent in place; the classifier's ranking is kept for the logs."""
        for message in messages:
            intent = message.get(INTENT) or {}
            text = message.get(TEXT)
            if (
                intent.get(INTENT_NAME_KEY) in SMALL_TALK
                and isinstance(text, str)
                and is_claims_question(text)
            ):
                message.set(INTENT, {**intent, INTENT_NAME_KEY: FALLBACK}, add_to_output=True)
        return messages
