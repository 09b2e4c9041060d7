"""Masking, hashing and encryption of personal data.

Customers' phones and ID numbers never enter the database or a reply in clear: digits used
for verification are stored as salted HMACs (CLAIMS_SECRET), names and phones are masked for
display, and free text is masked before it is stored or logged.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from settings import get_settings


def keyed_hash(value: str, salt: str = "") -> str:
    """Returns the hex HMAC-SHA256 of a value under the server's secret."""
    key = get_settings().claims_secret.encode()
    return hmac.new(key, (salt + value).encode(), hashlib.sha256).hexdigest()


def digits_match(candidate: str, stored_hash: str, salt: str) -> bool:
    """Compares verification digits with a stored hash in constant time."""
    return hmac.compare_digest(keyed_hash(candidate.upper(), salt), stored_hash)


def mask_name(name: str) -> str:
    """Keeps the family name and the last character: 张三丰 → 张*丰, 李四 → 李*."""
    name = name.strip()
    if len(name) <= 1:
        return name + "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str) -> str:
    """Keeps the first three and last four digits of a mobile number: 138****5678."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_account(bank: str, account: str) -> str:
    """Shows only the bank and the last four digits of an account."""
    return f"{bank} 尾号{account[-4:]}"


def _last_four(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return "****" + digits[-4:]


_PATTERNS: list[tuple[re.Pattern[str], Any]] = [
    # ID card numbers (18 characters, last may be X) before phones, which they contain.
    (re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9A-Za-z])"), r"\1********\2"),
    # Bank cards: 16–19 digits, possibly grouped by spaces or dashes.
    (re.compile(r"(?<!\d)\d(?:[ -]?\d){15,18}(?!\d)"), _last_four),
    # Mainland mobile numbers.
    (re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)"), r"\1****\2"),
    # E-mail addresses.
    (re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+)"), r"\1***@\2"),
]


def mask_text(text: str) -> str:
    """Masks ID numbers, bank cards, phones and e-mails inside free text."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _fernet() -> Fernet:
    return Fernet(get_settings().claims_data_key.encode())


def encrypt(value: str) -> str:
    """Encrypts a value (a contact phone) for storage."""
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str | None:
    """Decrypts a stored value; None when the key has changed or the token is damaged."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return None
