"""Turning the bot's messages into WeChat text: no cards, no buttons, 2048 bytes at most.

Buttons become a numbered list (回复序号选择： then "1. …" lines) whose payloads the
channel remembers, so a reply of "1" picks the first. `custom` payloads are cards for the web
page and the agents' console; the knowledge and status cards repeat a text the bot also sent
as a text message, so a card adds text only when that text was not sent already. A `handoff`
card means the customer was handed to a human agent: the channel answers with WeChat's
transfer to its customer-service system.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.channels import wechat_messages as m

# WeChat's limit for one text message, in UTF-8 bytes (a Chinese character takes 3).
TEXT_LIMIT = 2048


@dataclass
class Reply:
    """What the bot said, as WeChat can show it."""

    # One readable text per bot message, in order.
    texts: list[str] = field(default_factory=list)
    # Payloads of the numbered choices: payloads[0] is what "1" sends.
    payloads: list[str] = field(default_factory=list)
    # The bot handed the customer to a human agent.
    handoff: bool = False

    @property
    def text(self) -> str:
        """Returns all texts as one message, a blank line between them."""
        return "\n\n".join(self.texts)


def _already_sent(text: str, sent: set[str]) -> bool:
    """Tells whether every paragraph of a card's text was sent (Rasa splits at blank lines)."""
    parts = [p.strip() for p in text.strip().split("\n\n") if p.strip()]
    return all(p in sent for p in parts)


def _choices(buttons: Iterable[dict[str, Any]], payloads: list[str]) -> list[str]:
    """Writes buttons as numbered lines, numbering on from the choices already listed."""
    lines = []
    numbered_before = len(payloads)
    for button in buttons:
        title = str(button.get("title") or "").strip()
        if button.get("payload"):
            payloads.append(str(button["payload"]))
            lines.append(f"{len(payloads)}. {title}")
        elif button.get("url"):  # a link button cannot be chosen by number
            lines.append(f"{title}：{button['url']}")
    return [m.CHOOSE, *lines] if len(payloads) > numbered_before else lines


def render(messages: list[dict[str, Any]]) -> Reply:
    """Turns the messages a CollectingOutputChannel collected into readable text."""
    reply = Reply()
    sent: set[str] = set()
    for message in messages:
        custom = message.get("custom")
        if isinstance(custom, dict):
            if custom.get("type") == "handoff":
                reply.handoff = True
            card_text = custom.get("text")
            if isinstance(card_text, str) and card_text.strip():
                if not _already_sent(card_text, sent):
                    reply.texts.append(card_text.strip())
                    sent.add(card_text.strip())
            continue
        parts = [str(message.get(key) or "").strip() for key in ("text", "image", "attachment")]
        text = "\n".join(p for p in parts if p)
        lines = [text] if text else []
        lines += _choices(message.get("buttons") or [], reply.payloads)
        if lines:
            reply.texts.append("\n".join(lines))
            sent.add(text)
    return reply


_CHOICE = re.compile(r"[1-9][0-9]?")


def chosen_payload(text: str, payloads: list[str]) -> str | None:
    """Returns the payload of the numbered choice `text` names ("1", "２", " 3 "), if any."""
    number = unicodedata.normalize("NFKC", text).strip()
    if not _CHOICE.fullmatch(number) or int(number) > len(payloads):
        return None
    return payloads[int(number) - 1]


def size(text: str) -> int:
    """Counts the UTF-8 bytes WeChat counts."""
    return len(text.encode("utf-8"))


def _cut(text: str, limit: int) -> tuple[str, str]:
    """Splits text into the longest head of at most `limit` bytes and the rest."""
    head = text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")
    return head, text[len(head) :]


def split(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Splits text into messages of at most `limit` bytes, at line ends where possible."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        pieces = []
        while size(line) > limit:
            head, line = _cut(line, limit)
            pieces.append(head)
        pieces.append(line)
        for piece in pieces:
            joined = f"{current}\n{piece}" if current else piece
            if size(joined) <= limit:
                current = joined
            else:
                chunks.append(current)
                current = piece
    chunks.append(current)
    return [c.strip("\n") for c in chunks if c.strip()]


def truncate(text: str, note: str, limit: int = TEXT_LIMIT) -> str:
    """Shortens text to `limit` bytes with a polite note, cutting at a line end if one is near."""
    if size(text) <= limit:
        return text
    head, _ = _cut(text, limit - size(note))
    line_end = head.rfind("\n")
    if line_end > len(head) // 2:
        head = head[:line_end]
    return head + note
