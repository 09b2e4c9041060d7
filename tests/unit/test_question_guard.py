"""The question guard hands long claims questions taken for small talk to the fallback."""

from __future__ import annotations

import pytest
import yaml
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.claims_question import is_claims_question
from bot.nlu.question_guard import FALLBACK, SMALL_TALK, QuestionGuard
from bot.nlu.text import normalize
from tests.conftest import ROOT, nlu_examples


@pytest.mark.parametrize(
    "text",
    [
        "家里水管爆了把楼下泡了，这种情况家财险管不管",
        "交强险条例对保险公司赔付的时间是怎么规定的",
        "您好，请问车辆碰撞后要换仪表台，车损险是否赔偿？",
        "修车的人工费保险公司赔不赔，4S店说要另算",  # 人工 is not asking for a human
        "在线报案以后多久有人联系定损",
        "你是说这个事故保险公司不赔吗",
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
        "当时真的很危险，差点撞到人，现在想想都怕",  # 危险 is not insurance
        "好好好，都行，理赔的事你们看着办吧，什么都行",  # 什么都 asks nothing
        "不用了，我还是等保险公司联系我吧",  # 还是 asks nothing
        "保险理赔",  # too short
        "我的保险已经赔下来了，钱也到账了",  # asks nothing
    ],
)
def test_small_talk_and_statements_are_not(text: str) -> None:
    assert not is_claims_question(text)


def parsed(text: str, intent: str) -> Message:
    message = Message(data={TEXT: text})
    prediction = {INTENT_NAME_KEY: intent, "confidence": 0.9}
    message.set(INTENT, prediction, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [dict(prediction)], add_to_output=True)
    return message


def test_only_small_talk_intents_are_overridden() -> None:
    question = "交强险条例对保险公司赔付的时间是怎么规定的"
    guard = QuestionGuard()
    goodbye, timeline, yes = guard.process(
        [parsed(question, "goodbye"), parsed(question, "ask_timeline"), parsed(question, "affirm")]
    )
    assert goodbye.get(INTENT) == {INTENT_NAME_KEY: FALLBACK, "confidence": 0.9}
    assert [i[INTENT_NAME_KEY] for i in goodbye.get(INTENT_RANKING_KEY)] == [FALLBACK, "goodbye"]
    assert timeline.get(INTENT)[INTENT_NAME_KEY] == "ask_timeline"
    # A yes confirms a step of a flow (a complaint, the report's read-back): it stays a yes.
    assert yes.get(INTENT)[INTENT_NAME_KEY] == "affirm"
    (thanks,) = guard.process([parsed("谢谢", "thank")])
    assert thanks.get(INTENT)[INTENT_NAME_KEY] == "thank"


def test_the_guard_runs_after_the_fallback_classifier() -> None:
    """Before it, FallbackClassifier could turn the guard's nlu_fallback back into nothing new;
    without it in the pipeline, nothing of this file would reach a customer."""
    names = [c["name"] for c in yaml.safe_load((ROOT / "config.yml").read_text())["pipeline"]]
    guard = "bot.nlu.question_guard.QuestionGuard"
    assert guard in names
    assert names.index(guard) > names.index("FallbackClassifier")


def test_no_small_talk_of_the_training_or_held_out_data_is_overridden() -> None:
    """The guard never contradicts what the classifier was taught or is tested on."""
    examples = nlu_examples("bot/data/nlu*.yml") + nlu_examples("tests/nlu/*.yml")
    assert {intent for intent, _ in examples} >= SMALL_TALK  # the files were read
    small_talk = [text for intent, text in examples if intent in SMALL_TALK]
    assert [text for text in small_talk if is_claims_question(normalize(text))] == []
