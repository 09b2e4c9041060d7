"""Questions the knowledge base must not answer although they share its words.

A claims knowledge base has nothing on which policy to buy, what it costs or which insurer is
better, on surrendering, topping up or renewing a policy, nor on how to treat an illness; yet
such questions name the same products and injuries (三者险, 百万医疗, 狂犬疫苗) and got
confident wrong answers: on the customer-style labelled set (tests/kb/questions_customer_style.yml)
they were 6 of the 17 wrong answers at the bars. The search returns nothing for them, so every
path declines; the answer action says who can answer instead. A message that also speaks of a
claim (赔, 报销, 出险, 事故 …) is left to the search: 狂犬疫苗打几针能报销吗 is a claims question.
"""

from __future__ import annotations

import re
from typing import Final

from bot.nlu.text import normalize

BUYING: Final = "buying"
POLICY_SERVICE: Final = "policy_service"
MEDICAL: Final = "medical"

# Specific on purpose: "买了意外险…能赔吗" (a claim on a bought policy), "在哪买的就找哪家" and
# "让4S店定还是让保险公司定，哪个好" must not match.
_PATTERNS: Final[dict[str, re.Pattern[str]]] = {
    # Choosing, pricing, or being allowed to buy a policy.
    BUYING: re.compile(
        r"值得买|值不值得|买哪(个|种|家|一)|哪家(好|便宜|宽松|核保|更好|划算|靠谱)|要不要买|"
        r"该不该买|买多少(合适|够)|买.{0,12}够(吗|不够|用)|够用吗|够不够用|"
        r"(一年|每年|一个月|每月)(大概|大约)?(要)?(交)?多少钱|多少钱一年|保费(是|要)?多少|"
        r"怎么买(?!的)|在哪(里|儿)?买(?!的)|推荐.{0,4}(保险|产品|一款|一个)|求推荐|"
        r"核保(最)?(宽松|能过)|还能买|能买吗|能不能买|可以买吗|还能投保|能投保吗"
    ),
    # Changing or ending a policy: surrender values, top-ups, renewal, the cooling-off period.
    POLICY_SERVICE: re.compile(
        r"(现在|想|要|如果)退保|退掉.{0,8}(拿回|能拿|亏)|退保.{0,6}(拿回|能拿|能退)|"
        r"犹豫期|加保(?!费)|怎么.{0,6}续保|续保.{0,8}多少钱"
    ),
    # Diagnosis and treatment: a doctor's question, not a claims one.
    MEDICAL: re.compile(
        r"(要不要|该不该|需不需要|用不用)(做|动)?手术|打几针|怎么治|如何治疗|吃什么药|挂什么科|"
        r"哪(个|家)医院(好|看得好|最好)|能治好吗"
    ),
}
KINDS: Final = tuple(_PATTERNS)
# Words of a claim: a message with one of them is a claims question whatever else it asks.
_CLAIM_WORDS: Final = re.compile(r"赔|报销|出险|报案|垫付|给付|事故|撞|受伤|医药费|医疗费")


def not_ours(text: str) -> str | None:
    """Names why a message is not a claims question (one of KINDS), or None if it may be."""
    simplified = normalize(text)
    if _CLAIM_WORDS.search(simplified):
        return None
    return next((kind for kind, pattern in _PATTERNS.items() if pattern.search(simplified)), None)
