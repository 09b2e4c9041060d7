"""Claim and policy numbers: their format, and finding them in what customers type.

A claim number is R + three letters of the product line + year + eight digits
(RDAA202600001234); a policy number starts with P instead. Customers type them in
full-width characters, lower case, with spaces or dashes, or inside a sentence.
"""

from __future__ import annotations

import re
import unicodedata

CLAIM_RE = re.compile(r"R[A-Z]{3}20\d{10}")
POLICY_RE = re.compile(r"P[A-Z]{3}20\d{10}")
_REF_RE = re.compile(r"[RP][A-Z]{3}20\d{10}")
_DIGITS_RE = re.compile(r"(?<![0-9A-Z])(\d{6}|\d{5}X|\d{4})(?![0-9A-Z])")


def squash(text: str) -> str:
    """Folds full-width forms, upper-cases, and drops spaces and dashes between characters."""
    text = unicodedata.normalize("NFKC", text).upper()
    return re.sub(r"(?<=[0-9A-Z])[\s\-_—]+(?=[0-9A-Z])", "", text)


def find_reference(text: str) -> str | None:
    """Returns the first claim or policy number in the text, normalized, or None."""
    match = _REF_RE.search(squash(text))
    return match.group(0) if match else None


def is_claim_number(ref: str) -> bool:
    """Tells whether a normalized reference is a claim number (not a policy number)."""
    return CLAIM_RE.fullmatch(ref) is not None


def is_policy_number(ref: str) -> bool:
    """Tells whether a normalized reference is a policy number."""
    return POLICY_RE.fullmatch(ref) is not None


def find_verification_digits(text: str) -> str | None:
    """Returns 4 digits (phone) or 6 characters (ID, may end in X) typed alone, or None.

    Numbers inside a claim number, a full phone or an ID number do not count: the customer
    is asked for the last digits only, and a longer number is not guessed at.
    """
    squashed = unicodedata.normalize("NFKC", text).upper()
    squashed = re.sub(r"(?<=\d)\s+(?=\d)", "", squashed)
    without_refs = _REF_RE.sub(" ", squashed)
    match = _DIGITS_RE.search(without_refs)
    return match.group(1) if match else None
