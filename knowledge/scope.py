"""Questions the knowledge base must not answer although they share its words.

A claims knowledge base has nothing on which policy to buy, what it costs or which insurer is
better, on surrendering, topping up or renewing a policy, nor on how to treat an illness; yet
such questions name the same products and injuries (三者险, 百万医疗, 狂犬疫苗) and got
confident wrong answers: on the customer-style labelled set (tests/kb/questions_customer_style.yml)
they were 6 of the 17 wrong answers at the bars. The search returns nothing for them, so every
path declines; the answer action says who can answer instead.
"""

from __future__ import annotations

import re

from bot.nlu.text import normalize

BUYING = "buying"
POLICY_SERVICE = "policy_service"
MEDICAL = "medical"

# Specific on purpose: "买了意外险…能赔吗" (a claim on a bought policy), "医疗费能报吗" and
# "4S店定损和保险公司定损哪个好" must not match.
_PATTERNS = {
    # Choosing, pricing, or being allowed to buy a policy.
    BUYING: re.compile(
        r"值得买|值不值得|买哪(个|种|家|一)|哪家(好|便宜|宽松|核保|更好|划算|靠谱)|要不要买|"
        r"该不该买|买多少(合适|够)|买.{0,12}够(吗|不够|用)|够用吗|够不够用|"
        r"(一年|每年|一个月|每月)(大概|大约)?(要)?(交)?多少钱|多少钱一年|保费(是|要)?多少|"
        r"怎么买|在哪(里|儿)?买|推荐.{0,4}(保险|产品|一款|一个)|求推荐|核保(最)?(宽松|能过)|"
        r"还能买|能买吗|能不能买|可以买吗|还能投保|能投保吗"
    ),
    # Changing or ending a policy: surrender values, top-ups, renewal, the cooling-off period.
    # "等待期内只退保费" (a claim outcome) must not match.
    POLICY_SERVICE: re.compile(
        r"(现在|想|要|如果)退保|退掉.{0,8}(拿回|能拿|亏)|退保.{0,6}(拿回|能拿|能退)|现金价值|"
        r"犹豫期|加保|怎么.{0,6}续保|续保.{0,8}多少钱"
    ),
    # Diagnosis and treatment: a doctor's question, not a claims one.
    MEDICAL: re.compile(
        r"(要不要|该不该|需不需要|用不用)(做|动)?手术|打几针|怎么治|如何治疗|吃什么药|挂什么科|"
        r"哪(个|家)医院(好|看得好|最好)|能治好吗"
    ),
}


def not_ours(text: str) -> str | None:
    """Names why a message is not a claims question (BUYING, …), or None if it may be."""
    simplified = normalize(text)
    return next((kind for kind, pattern in _PATTERNS.items() if pattern.search(simplified)), None)
