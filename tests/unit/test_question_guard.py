"""The question guard hands long claims questions taken for small talk to the fallback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.question_guard import FALLBACK, SMALL_TALK, QuestionGuard, is_claims_question
from bot.nlu.text import normalize

ROOT = Path(__file__).resolve().parents[2]
# [text](entity) and [text]{"entity": ...} annotations in the training data
ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


@pytest.mark.parametrize(
    "text",
    [
        "家里水管爆了把楼下泡了，这种情况家财险管不管",
        "交强险条例对保险公司赔付的时间是怎么规定的",
        "您好，请问车辆碰撞后要换仪表台，车损险是否赔偿？",
        "退货时勾了运费险，是系统自动赔还是要我自己去申请",
    ],
)
def test_long_insurance_questions_are_claims_questions(text: str) -> None:
    assert is_claims_question(text)


@pytest.mark.parametrize(
    "text",
    [
        "好的，谢谢你，保险的事我明白了",  # thanks
        "谢谢你，之前不知道理赔要怎么跑，现在清楚了",  # thanks that mentions a claim
        "您好，我想咨询一下理赔方面的事情，现在有人在吗",  # a greeting before the question
        "你是机器人吗，能不能帮我查保险理赔",  # about the assistant
        "今天天气怎么样，你们那边下雨了吗",  # no insurance
        "保险理赔",  # too short
        "我的保险已经赔下来了，钱也到账了",  # asks nothing
    ],
)
def test_small_talk_and_statements_are_not(text: str) -> None:
    assert not is_claims_question(text)


def parsed(text: str, intent: str) -> Message:
    message = Message(data={TEXT: text})
    message.set(INTENT, {INTENT_NAME_KEY: intent, "confidence": 0.9}, add_to_output=True)
    return message


def test_only_small_talk_intents_are_overridden() -> None:
    question = "交强险条例对保险公司赔付的时间是怎么规定的"
    guard = QuestionGuard()
    goodbye, timeline = guard.process(
        [parsed(question, "goodbye"), parsed(question, "ask_timeline")]
    )
    assert goodbye.get(INTENT) == {INTENT_NAME_KEY: FALLBACK, "confidence": 0.9}
    assert timeline.get(INTENT)[INTENT_NAME_KEY] == "ask_timeline"
    (thanks,) = guard.process([parsed("谢谢", "thank")])
    assert thanks.get(INTENT)[INTENT_NAME_KEY] == "thank"


def test_no_small_talk_of_the_training_or_held_out_data_is_overridden() -> None:
    """The guard never contradicts what the classifier was taught or is tested on."""
    overridden = []
    files = sorted(ROOT.glob("bot/data/nlu*.yml")) + sorted(ROOT.glob("tests/nlu/*.yml"))
    for path in files:
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if block.get("intent") not in SMALL_TALK:
                continue
            for line in block["examples"].splitlines():
                text = normalize(ANNOTATION.sub(r"\1", line.strip().removeprefix("- ")))
                if text and is_claims_question(text):
                    overridden.append((path.name, text))
    assert overridden == []
