"""Which messages the knowledge base must not answer: buying, policy service, medical advice."""

from __future__ import annotations

import pytest

from bot.actions import messages as m
from knowledge.scope import BUYING, KINDS, MEDICAL, POLICY_SERVICE, not_ours


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("三者险到底买200万还是300万够用", BUYING),
        ("三者險到底買200萬還是300萬夠用", BUYING),  # Traditional input
        ("30岁男的买百万医疗一年大概多少钱", BUYING),
        ("重疾险和百万医疗哪个更值得买", BUYING),
        ("有高血压还能买百万医疗吗", BUYING),
        ("平安和人保哪家好", BUYING),
        ("交了三年的重疾险不想要了，现在退掉能拿回多少", POLICY_SERVICE),
        ("犹豫期内退保钱能全退吗", POLICY_SERVICE),
        ("车险快到期了，怎么在网上自己续保", POLICY_SERVICE),
        ("孩子被狗咬了，狂犬疫苗要打几针", MEDICAL),
        ("体检查出甲状腺结节，要不要做手术", MEDICAL),
    ],
)
def test_buying_and_medical_advice_are_not_ours(text: str, kind: str) -> None:
    assert not_ours(text) == kind


@pytest.mark.parametrize(
    "text",
    [
        "买了意外险，骨折住院能赔吗",  # a claim on a policy bought
        "我买了三者险100万，够赔吗",
        "定损是找4S店还是保险公司的定损员，哪个好",
        "做手术的医疗费能报销吗",
        "被狗咬了打狂犬疫苗的钱意外险能报吗",
        "网上买的车险出了事故找谁理赔",
        "等待期内确诊了重疾，是不是只退保费不给赔",  # a claim outcome, not a surrender
        "就掉了块漆，走保险的话明年续保还有折扣吗",
        # Claims questions that share the words of the three kinds.
        "狂犬疫苗打几针能报销吗",
        "投保两年内自杀，是不是只退现金价值",
        "出险一次，明年保费要多少",
        "三者险买100万够吗，我撞了人医药费已经80万了",
        "猶豫期內出險能賠嗎",
        "保险公司让我加保费才理赔",
        "车险在哪买的就找哪家理赔吗",
        "住院期间吃什么药能报销",
    ],
)
def test_claims_questions_are_ours(text: str) -> None:
    assert not_ours(text) is None


def test_every_kind_has_its_reply() -> None:
    assert set(m.KB_NOT_OURS) == set(KINDS) == {BUYING, POLICY_SERVICE, MEDICAL}
