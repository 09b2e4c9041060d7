"""The knowledge base's text analyzer: spaCy's Chinese pipeline segmented by Jieba.

It uses the NLU's insurance dictionary (bot/dictionary) plus the concept phrases, in a Jieba
tokenizer of its own so that loading words here never changes how the Rasa NLU (which uses
Jieba's global tokenizer) segments messages in the same process. A PhraseMatcher tags text
with the concepts of concepts.yml, and stop words are dropped.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jieba
import spacy
import yaml
from spacy.language import Language
from spacy.matcher import PhraseMatcher

from bot.nlu.text import normalize

HERE = Path(__file__).resolve().parent
DICTIONARY_DIR = HERE.parent / "bot" / "dictionary"
CONCEPTS_FILE = HERE / "concepts.yml"
STOPWORDS_FILE = HERE / "stopwords.txt"
CONCEPT_PREFIX = "#"
BIGRAM_PREFIX = "~"
CHAR_PREFIX = "!"


@dataclass(frozen=True)
class Analysis:
    """Content words of a text, the concepts it mentions, and its characters."""

    words: tuple[str, ...]
    concepts: frozenset[str]
    chars: str  # normalized text without spaces and punctuation

    @property
    def terms(self) -> list[str]:
        """The terms retrieval matches on: words, concept tags, character 1- and 2-grams.

        Characters make up for segmentation differences and typos between a customer's
        wording and an article's (泡水了 vs 泡了水, 理陪 vs 理赔); they are prefixed so a
        character never collides with a one-character word.
        """
        return [
            *self.words,
            *(CONCEPT_PREFIX + c for c in sorted(self.concepts)),
            *(BIGRAM_PREFIX + self.chars[i : i + 2] for i in range(len(self.chars) - 1)),
            *(CHAR_PREFIX + c for c in self.chars),
        ]


def _is_punctuation(token: str) -> bool:
    return all(unicodedata.category(ch)[0] in "PZS" for ch in token)


class Analyzer:
    """Segments, filters and concept-tags Chinese text."""

    def __init__(
        self,
        dictionary_dir: Path = DICTIONARY_DIR,
        concepts_file: Path = CONCEPTS_FILE,
        stopwords_file: Path = STOPWORDS_FILE,
    ) -> None:
        """Builds the spaCy pipeline (a few seconds: do it once per process)."""
        self.concepts: dict[str, list[str]] = yaml.safe_load(
            concepts_file.read_text(encoding="utf-8")
        )
        self.stopwords = {
            word
            for line in stopwords_file.read_text(encoding="utf-8").splitlines()
            if not line.startswith("#")
            for word in line.split()
        }
        segmenter = jieba.Tokenizer()
        for path in sorted(dictionary_dir.glob("*")):
            segmenter.load_userdict(str(path))
        # Stop words stay whole, so that 中国人寿 is dropped as a name and leaves no 人寿 behind.
        for word in self.stopwords:
            segmenter.add_word(word)
        for phrases in self.concepts.values():
            for phrase in phrases:
                segmenter.add_word(str(phrase), freq=2000)
        self.nlp: Language = spacy.blank(
            "zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}}
        )
        # spaCy's Chinese tokenizer calls `.cut()` on this object: give it ours.
        tokenizer: Any = self.nlp.tokenizer
        tokenizer.jieba_seg = segmenter
        for word in self.stopwords:
            self.nlp.vocab[word].is_stop = True
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        for concept, phrases in self.concepts.items():
            self.matcher.add(concept, [self.nlp.make_doc(str(p)) for p in phrases])

    def analyze(self, text: str) -> Analysis:
        """Returns the content words and concepts of a text."""
        doc = self.nlp.make_doc(normalize(text).lower())
        concepts = frozenset(
            self.nlp.vocab.strings[match_id] for match_id, _, _ in self.matcher(doc)
        )
        words = tuple(
            t.text for t in doc if not t.is_stop and not t.is_space and not _is_punctuation(t.text)
        )
        chars = "".join(ch for ch in doc.text if not _is_punctuation(ch))
        return Analysis(words, concepts, chars)
