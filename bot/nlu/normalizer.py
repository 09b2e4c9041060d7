"""A Rasa pipeline component that normalizes text before Jieba sees it.

It runs first in `config.yml`, on training data and on every incoming message, so a
customer writing 理賠進度 or ＲＤＡＡ２０２６… is understood exactly like 理赔进度 or RDAA2026….
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.stateless import StatelessComponent
from bot.nlu.text import normalize


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False
)
class ChineseNormalizer(StatelessComponent):
    """Converts Traditional to Simplified, full-width to half-width, and fixes typos."""

    @staticmethod
    def _normalize(message: Message) -> None:
        text = message.get(TEXT)
        if isinstance(text, str) and text:
            message.set(TEXT, normalize(text))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Normalizes the training examples the same way as live messages."""
        for example in training_data.training_examples:
            self._normalize(example)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Normalizes incoming messages in place."""
        for message in messages:
            self._normalize(message)
        return messages
