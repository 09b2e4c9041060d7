"""WeChat's developer-server protocol: is a request WeChat's, what it says, how to answer.

wechatpy does the cryptography and the XML: signatures (SHA-1 over the token, timestamp,
nonce and, in safe mode, the ciphertext), AES in safe mode (安全模式), message parsing and
reply rendering. Its XML parser (xmltodict on expat) refuses entity declarations, so a
billion-laughs or external-entity document is a parse error, never an expansion or a file read.

Everything that is not clearly WeChat's is refused before the body is read: no token
configured, a wrong signature, a timestamp more than five minutes off (so a captured request
cannot be replayed later), an oversized body.
"""

from __future__ import annotations

import binascii
import struct
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from xml.parsers.expat import ExpatError

from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.replies import BaseReply
from wechatpy.utils import check_signature

from settings import Settings

# How far a request's timestamp may be from our clock, in seconds.
MAX_CLOCK_SKEW = 300
# WeChat's messages are a few hundred bytes; anything this large is not one.
MAX_BODY = 64 * 1024
# What WeChat takes as "received, no reply" (an empty body works too).
SUCCESS = "success"


class Rejected(Exception):
    """A request refused with an HTTP status: 403 not WeChat's, 400 not a message, 413 too big."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def verify_origin(settings: Settings, args: Mapping[str, Any]) -> None:
    """Checks the signature over token, timestamp and nonce, and that the timestamp is fresh."""
    if not settings.wechat_token:
        # With an empty token anyone could compute the signature.
        raise Rejected(403, "WECHAT_TOKEN is not set")
    signature = str(args.get("signature") or "")
    timestamp = str(args.get("timestamp") or "")
    nonce = str(args.get("nonce") or "")
    try:
        check_signature(settings.wechat_token, signature, timestamp, nonce)
    except InvalidSignatureException:
        raise Rejected(403, "bad signature") from None
    try:
        skew = abs(time.time() - int(timestamp))
    except ValueError:
        raise Rejected(403, "bad timestamp") from None
    if skew > MAX_CLOCK_SKEW:
        raise Rejected(403, "stale timestamp")


@dataclass(frozen=True)
class Envelope:
    """A message WeChat sent, and what answering it needs."""

    # The parsed wechatpy message or event (TextMessage, SubscribeEvent, UnknownMessage, ...).
    message: Any
    # The crypto of safe mode, or None in plain mode.
    crypto: WeChatCrypto | None
    # The request's nonce, reused for an encrypted reply.
    nonce: str

    def answer(self, reply: BaseReply) -> str:
        """Renders a passive reply, encrypted when the message was."""
        xml = reply.render()
        if self.crypto is None:
            return str(xml)
        return str(self.crypto.encrypt_message(xml, self.nonce, str(int(time.time()))))

    def dedup_key(self) -> str:
        """Names the message for deduplication: MsgId, or sender+time+event for events."""
        message = self.message
        if message.id:
            return f"msg:{message.id}"
        event = getattr(message, "event", "") or message.type
        return f"event:{message.source}:{message.time}:{event}"


def crypto_for(settings: Settings) -> WeChatCrypto:
    """Builds the safe-mode crypto from the token, EncodingAESKey and AppID."""
    try:
        return WeChatCrypto(settings.wechat_token, settings.wechat_aes_key, settings.wechat_app_id)
    except (AssertionError, ValueError, binascii.Error):
        raise Rejected(403, "WECHAT_AES_KEY is not a valid 43-character EncodingAESKey") from None


def open_message(settings: Settings, args: Mapping[str, Any], body: bytes) -> Envelope:
    """Decrypts (safe mode) and parses a POSTed message; call verify_origin first."""
    if len(body) > MAX_BODY:
        raise Rejected(413, "body too large")
    crypto = None
    xml: str | bytes = body
    try:
        if args.get("encrypt_type") == "aes":
            if not settings.wechat_aes_key:
                raise Rejected(403, "safe mode message but WECHAT_AES_KEY is not set")
            crypto = crypto_for(settings)
            xml = crypto.decrypt_message(
                body,
                str(args.get("msg_signature") or ""),
                str(args.get("timestamp") or ""),
                str(args.get("nonce") or ""),
            )
        message = parse_message(xml)
        if message is None or not message.source:
            raise Rejected(400, "not a WeChat message")
    except (InvalidSignatureException, InvalidAppIdException):
        raise Rejected(403, "bad message signature") from None
    except (ExpatError, ValueError, KeyError, TypeError, AttributeError, IndexError, struct.error):
        # Malformed XML, entity declarations (xmltodict refuses them with ValueError), a
        # missing <xml> root or field, ciphertext that does not decrypt to a message.
        raise Rejected(400, "malformed message") from None
    return Envelope(message=message, crypto=crypto, nonce=str(args.get("nonce") or ""))
