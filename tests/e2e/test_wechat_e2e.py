"""The WeChat channel of the running assistant, driven the way WeChat's servers drive it.

Each message is signed and encrypted with wechatpy (safe mode, 安全模式) and posted to
/webhooks/wechat/; the passive reply is decrypted. An answer that takes longer than
WECHAT_REPLY_SECONDS arrives at the fake WeChat API instead, so `say` accepts both.
"""

from __future__ import annotations

import itertools
import time
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
import requests
import xmltodict
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

from tests.e2e.conftest import Assistant, FakeWeChatApi, custom_of, text_of

pytestmark = pytest.mark.e2e

ACCOUNT = "gh_e2e_account"
# MsgIds are unique across the session: the channel ignores a MsgId it has seen (a retry).
MSG_IDS = itertools.count(int(time.time() * 1000))


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
        """Sends a text message in safe mode, signed and encrypted as WeChat does."""
        timestamp, nonce = str(int(time.time())), uuid.uuid4().hex[:10]
        xml = (
            f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{text}]]></Content><MsgId>{next(MSG_IDS)}</MsgId></xml>"
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
        response = requests.post(
            f"{self.assistant.url}/webhooks/wechat/",
            params=params,
            data=body.encode(),
            timeout=10,  # WeChat gives up after 5 s
        )
        response.raise_for_status()
        return response

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


@pytest.fixture
def wechat(assistant: Assistant, wechat_api: FakeWeChatApi) -> WeChatServer:
    return WeChatServer(assistant, wechat_api)


def new_openid() -> str:
    return "oE2E" + uuid.uuid4().hex[:24]


def test_a_greeting_in_safe_mode_gets_an_encrypted_passive_reply(wechat: WeChatServer) -> None:
    response = wechat.post(new_openid(), "你好")
    assert "<Encrypt>" in response.text and "理赔" not in response.text
    reply = wechat.passive(response)
    assert reply["MsgType"] == "text" and "理赔" in reply["Content"]


def test_the_status_flow_works_over_wechat(wechat: WeChatServer) -> None:
    openid = new_openid()
    assert "报案号" in wechat.say(openid, "查一下我的理赔进度")
    assert "后4位" in wechat.say(openid, "RDZA202600000101")
    reply = wechat.say(openid, "8000")
    assert "RDZA202600000101" in reply and "待补充材料" in reply
    assert "维修发票" in reply and "张*明" in reply and "8000" not in reply
    assert "{" not in reply  # the timeline card is not shown as JSON


def test_the_openid_is_the_conversation_id(assistant: Assistant, wechat: WeChatServer) -> None:
    # The look-up starts on WeChat and finishes through the REST channel under the OpenID:
    # only one conversation, keyed by the OpenID, can hold the claim number in between.
    openid = new_openid()
    wechat.say(openid, "查一下我的理赔进度")
    wechat.say(openid, "RDZA202600000101")
    messages = assistant.say(openid, "8000")
    card = custom_of(messages, "claim_status")
    assert card is not None, text_of(messages)
    assert card["claim_number"] == "RDZA202600000101"
