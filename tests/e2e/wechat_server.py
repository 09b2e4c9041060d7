"""Plays WeChat's servers against the assistant's WeChat channel (safe mode, 安全模式).

Each message is signed and encrypted with wechatpy and posted to /webhooks/wechat/; the
passive reply is decrypted. An answer that takes longer than WECHAT_REPLY_SECONDS arrives at
the fake WeChat API instead, so `say` accepts both.
"""

from __future__ import annotations

import itertools
import time
import uuid
from dataclasses import dataclass
from typing import Any

import requests
import xmltodict
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

from tests.e2e.conftest import Assistant, FakeWeChatApi

ACCOUNT = "gh_e2e_account"
# MsgIds are unique across the session: the channel ignores a MsgId it has seen (a retry).
MSG_IDS = itertools.count(int(time.time() * 1000))


def cdata(text: str) -> str:
    """Text safe inside CDATA: a literal "]]>" is split across two sections, as WeChat does."""
    return text.replace("]]>", "]]]]><![CDATA[>")


@dataclass
class WeChatServer:
    """Plays WeChat's servers against the assistant's WeChat channel."""

    assistant: Assistant
    api: FakeWeChatApi

    @property
    def crypto(self) -> WeChatCrypto:
        env = self.assistant.env
        return WeChatCrypto(env["WECHAT_TOKEN"], env["WECHAT_AES_KEY"], env["WECHAT_APP_ID"])

    def post(self, openid: str, text: str) -> requests.Response:
        """Sends a text message and checks it was accepted."""
        response = self.post_raw(openid, text)
        response.raise_for_status()
        return response

    def post_raw(self, openid: str, text: str) -> requests.Response:
        """Sends a text message in safe mode, signed and encrypted as WeChat does."""
        timestamp, nonce = str(int(time.time())), uuid.uuid4().hex[:10]
        xml = (
            f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{cdata(text)}]]></Content><MsgId>{next(MSG_IDS)}</MsgId></xml>"
        )
        envelope = xmltodict.parse(self.crypto.encrypt_message(xml, nonce, timestamp))["xml"]
        signer = WeChatSigner()
        signer.add_data(self.assistant.env["WECHAT_TOKEN"], timestamp, nonce)
        body = (
            f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt></xml>"
        )
        params = {
            "signature": signer.signature,
            "timestamp": timestamp,
            "nonce": nonce,
            "openid": openid,
            "encrypt_type": "aes",
            "msg_signature": envelope["MsgSignature"],
        }
        return requests.post(
            f"{self.assistant.url}/webhooks/wechat/",
            params=params,
            data=body.encode(),
            timeout=10,  # WeChat gives up after 5 s
        )

    def passive(self, response: requests.Response) -> dict[str, Any]:
        """Decrypts a passive reply (checking its signature) with wechatpy."""
        doc = xmltodict.parse(response.text)["xml"]
        plain = self.crypto.decrypt_message(
            response.text, doc["MsgSignature"], doc["TimeStamp"], doc["Nonce"]
        )
        return dict(xmltodict.parse(plain)["xml"])

    def say(self, openid: str, text: str) -> str:
        """Sends a message and returns what the follower reads, passive or sent later."""
        already = len(self.api.texts_to(openid))
        response = self.post(openid, text)
        if response.text != "success":
            return str(self.passive(response)["Content"])
        deadline = time.monotonic() + 60
        while len(self.api.texts_to(openid)) == already:
            assert time.monotonic() < deadline, "no customer-service message arrived"
            time.sleep(0.2)
        time.sleep(0.5)  # a long answer comes in several messages
        return "\n".join(self.api.texts_to(openid)[already:])


def new_openid() -> str:
    return "oE2E" + uuid.uuid4().hex[:24]
