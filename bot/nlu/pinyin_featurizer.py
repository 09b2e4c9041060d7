"""A Rasa featurizer of how words sound: their pinyin.

Customers type with pinyin input methods, so their typos are homophones: 发漂 for 发票,
蟹蟹 for 谢谢, 申述 for 申诉, 布是 for 不是. Characters differ, pinyin does not. For every
token this adds its syllables (fa, piao), the whole word's sound (fapiao) and its initials
(fp), and for the sentence the syllable pairs across tokens; Latin tokens are kept as typed,
so an abbreviation like "kf" meets the initials of 客服 and "lipei" the sound of 理赔.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import scipy.sparse
from pypinyin import Style, lazy_pinyin
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.utils.io import dump_obj_as_json_to_file, read_json_file

VOCABULARY_FILE = "pinyin_vocabulary.json"
_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[a-z]+")


def _syllables(text: str) -> list[str]:
    return [s for s in lazy_pinyin(text, style=Style.NORMAL, errors="ignore") if s]


def token_features(text: str) -> set[str]:
    """Returns the sound features of one token."""
    lowered = text.lower()
    if not _HAN.search(lowered):
        latin = "".join(_LATIN.findall(lowered))
        return {f"w:{latin}", f"i:{latin}"} if latin else set()
    syllables = _syllables(lowered)
    if not syllables:
        return set()
    features = {f"s:{s}" for s in syllables}
    features.add("w:" + "".join(syllables))
    features.add("i:" + "".join(s[0] for s in syllables))
    return features


def sentence_features(tokens: list[Token]) -> set[str]:
    """Returns the features of the whole message: tokens' features and syllable pairs."""
    features: set[str] = set()
    syllables: list[str] = []
    for token in tokens:
        features |= token_features(token.text)
        syllables += _syllables(token.text.lower())
    features |= {f"b:{a}_{b}" for a, b in zip(syllables, syllables[1:], strict=False)}
    return features


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True
)
class PinyinFeaturizer(SparseFeaturizer, GraphComponent):
    """Adds sparse pinyin features to every token and to the whole message."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Returns the default configuration (only the featurizer alias)."""
        return SparseFeaturizer.get_default_config()

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vocabulary: dict[str, int] | None = None,
    ) -> None:
        """Keeps the vocabulary learned from the training data."""
        SparseFeaturizer.__init__(self, "PinyinFeaturizer", config)
        self._model_storage = model_storage
        self._resource = resource
        self.vocabulary = vocabulary or {}

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Accepts any configuration: the component has no options of its own."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PinyinFeaturizer:
        """Creates an untrained featurizer."""
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> PinyinFeaturizer:
        """Loads the vocabulary saved with the model."""
        try:
            with model_storage.read_from(resource) as path:
                vocabulary = read_json_file(path / VOCABULARY_FILE)
        except ValueError:
            vocabulary = {}
        return cls(config, model_storage, resource, vocabulary)

    def train(self, training_data: TrainingData) -> Resource:
        """Learns which pinyin features occur in the training examples."""
        seen: set[str] = set()
        for example in training_data.training_examples:
            tokens = example.get(TOKENS_NAMES[TEXT])
            if tokens:
                seen |= sentence_features(tokens)
        self.vocabulary = {feature: i for i, feature in enumerate(sorted(seen))}
        with self._model_storage.write_to(self._resource) as path:
            dump_obj_as_json_to_file(path / VOCABULARY_FILE, self.vocabulary)
        return self._resource

    def _featurize(self, message: Message) -> None:
        tokens = message.get(TOKENS_NAMES[TEXT])
        if not tokens or not self.vocabulary:
            return
        size = len(self.vocabulary)
        rows, cols = [], []
        for row, token in enumerate(tokens):
            for feature in token_features(token.text):
                if feature in self.vocabulary:
                    rows.append(row)
                    cols.append(self.vocabulary[feature])
        sequence = scipy.sparse.coo_matrix(
            (np.ones(len(rows)), (np.array(rows, dtype=int), np.array(cols, dtype=int))),
            shape=(len(tokens), size),
        )
        indices = sorted(self.vocabulary[f] for f in sentence_features(tokens)
                         if f in self.vocabulary)
        sentence = scipy.sparse.coo_matrix(
            (np.ones(len(indices)), (np.zeros(len(indices), dtype=int),
                                     np.array(indices, dtype=int))),
            shape=(1, size),
        )
        self.add_features_to_message(sequence, sentence, TEXT, message)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Featurizes the training examples."""
        for example in training_data.training_examples:
            self._featurize(example)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Featurizes incoming messages."""
        for message in messages:
            self._featurize(message)
        return messages
