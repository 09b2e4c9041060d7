"""Checks that the articles of law the knowledge base cites exist in the reference texts.

A wrong article number in a legal basis is the kind of error a reviewer misses and a customer
or regulator notices. The laws we keep the full text of (`../shared/reference/`) are checked:
each cited 第N条 must be an article of that law.
"""

from __future__ import annotations

import re
from pathlib import Path

import cn2an

from knowledge.store import Article

# The title as cited in a legal basis → the file holding the law's full text.
REFERENCE_FILES = {
    "《中华人民共和国保险法》": "insurance-law-2015.md",
    "《机动车交通事故责任强制保险条例》": "compulsory-motor-insurance-regulations.md",
}
_NUMBER = r"第([零一二三四五六七八九十百]+)条"
_ARTICLE_LINE = re.compile("^" + _NUMBER, re.MULTILINE)  # an article in the law's text


def article_numbers(text: str) -> set[int]:
    """The numbers of the articles (第N条 at the start of a line) in a law's text."""
    return {int(cn2an.cn2an(n, "strict")) for n in _ARTICLE_LINE.findall(text)}


def unknown_citations(articles: list[Article], reference_dir: Path) -> list[str]:
    """Lists citations of a referenced law whose article number the law does not have."""
    laws = {
        title: article_numbers((reference_dir / name).read_text(encoding="utf-8"))
        for title, name in REFERENCE_FILES.items()
        if (reference_dir / name).exists()
    }
    found = []
    for article in articles:
        for basis in article.legal_basis:
            for title, numbers in laws.items():
                if not basis.startswith(title):
                    continue
                cited = re.match(_NUMBER, basis[len(title):])
                if not cited:
                    found.append(f"{article.path}: no article number in {basis!r}")
                elif int(cn2an.cn2an(cited.group(1), "strict")) not in numbers:
                    found.append(f"{article.path}: {basis!r} is not an article of that law")
    return found
