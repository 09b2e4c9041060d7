"""The whole path, through the REST channel of a running server with the trained model."""

import pytest

from tests.e2e.conftest import Assistant, custom_of, text_of

pytestmark = pytest.mark.e2e


def test_greeting_says_what_the_assistant_can_do(assistant: Assistant) -> None:
    reply = text_of(assistant.say(assistant.new_sender(), "你好"))
    assert "理赔客服助手" in reply
    for service in ("查询理赔进度", "报案", "人工"):
        assert service in reply


def test_a_procedure_question_is_answered_from_the_knowledge_base(assistant: Assistant) -> None:
    messages = assistant.say(assistant.new_sender(), "车险理赔需要哪些材料")
    card = custom_of(messages, "knowledge_answer")
    assert card is not None, text_of(messages)
    assert card["article_id"].startswith(("doc-motor", "motor-claim-documents"))
    assert "驾驶证" in text_of(messages) or "行驶证" in text_of(messages)


def test_a_short_follow_up_is_read_in_the_product_just_talked_about(assistant: Assistant) -> None:
    """Alone, "要准备什么材料" gets a motor documents list; after 重疾险, the 重疾险 one."""
    sender = assistant.new_sender()
    assert custom_of(assistant.say(sender, "重疾险等待期多长"), "knowledge_answer")
    messages = assistant.say(sender, "要准备什么材料")
    card = custom_of(messages, "knowledge_answer")
    assert card is not None, text_of(messages)
    assert card["article_id"] == "doc-critical-illness"
    alone = custom_of(assistant.say(assistant.new_sender(), "要准备什么材料"), "knowledge_answer")
    assert alone is None or alone["article_id"] != "doc-critical-illness"


def test_status_look_up_asks_for_number_then_digits_then_answers(assistant: Assistant) -> None:
    sender = assistant.new_sender()
    assert "报案号" in text_of(assistant.say(sender, "查一下我的理赔进度"))
    assert "后4位" in text_of(assistant.say(sender, "RDZA202600000101"))
    messages = assistant.say(sender, "8000")
    card = custom_of(messages, "claim_status")
    assert card is not None, text_of(messages)
    assert card["claim_number"] == "RDZA202600000101" and card["stage_label"] == "待补充材料"
    reply = text_of(messages)
    assert "维修发票" in reply and "张*明" in reply
    # Neither the phone nor its last four digits (the verification answer) are repeated.
    assert "13800138000" not in reply and "8000" not in reply


def test_wrong_digits_do_not_reveal_the_claim(assistant: Assistant) -> None:
    sender = assistant.new_sender()
    assistant.say(sender, "查一下我的理赔进度")
    assistant.say(sender, "RDZA202600000101")
    reply = text_of(assistant.say(sender, "1234"))
    assert "核对未通过" in reply and "待补充材料" not in reply and "张" not in reply


def test_nonsense_gets_a_polite_fallback_that_says_what_it_can_do(assistant: Assistant) -> None:
    reply = text_of(assistant.say(assistant.new_sender(), "今天股票涨了吗"))
    assert "抱歉" in reply and "理赔进度" in reply
