"""Length-preserving text normalization: Traditional → Simplified, full-width → half-width.

Every function maps one character to one character, so entity offsets computed on the
normalized text are valid on the original text too.
"""

from __future__ import annotations

import functools

import opencc

# Common misspellings in claims questions, each replaced by a word of the same length.
TYPOS: dict[str, str] = {
    "理培": "理赔",
    "理陪": "理赔",
    "陪不陪": "赔不赔",
    "陪不赔": "赔不赔",
    "赔不陪": "赔不赔",
    "能陪吗": "能赔吗",
    "陪付": "赔付",
    "陪偿": "赔偿",
    "培偿": "赔偿",
    "赔尝": "赔偿",
    "陪钱": "赔钱",
    "陪多少": "赔多少",
    "给陪": "给赔",
    "不陪": "不赔",
    "出陷": "出险",
    "保陷": "保险",
    "事古": "事故",
    "定顺": "定损",
    "定陨": "定损",
    "报按": "报案",
    "暴案": "报案",
    "材科": "材料",
    "进渡": "进度",
    "进读": "进度",
}


@functools.lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_halfwidth(text: str) -> str:
    """Maps full-width ASCII forms (Ａ１！) and the ideographic space to half-width."""
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:
            out.append(chr(code - 0xFEE0))
        elif code == 0x3000:
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def to_simplified(text: str) -> str:
    """Converts Traditional characters to Simplified, keeping the length unchanged."""
    converted = _converter().convert(text)
    if len(converted) == len(text):
        return converted
    # A phrase-level conversion changed the length: fall back to character by character.
    return "".join(c2 if len(c2 := _converter().convert(ch)) == 1 else ch for ch in text)


def fix_typos(text: str) -> str:
    """Corrects common same-length misspellings of claims vocabulary."""
    for wrong, right in TYPOS.items():
        if wrong in text:
            text = text.replace(wrong, right)
    return text


def normalize(text: str) -> str:
    """Applies all normalizations; the result has the same length as the input."""
    return fix_typos(to_simplified(to_halfwidth(text)))
