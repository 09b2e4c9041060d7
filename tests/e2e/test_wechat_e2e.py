"""The WeChat channel of the running assistant, driven the way WeChat's servers drive it.

See wechat_server.py for how a message is signed, encrypted and posted.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Assistant, custom_of, text_of
from tests.e2e.wechat_server import WeChatServer, new_openid

pytestmark = pytest.mark.e2e

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
