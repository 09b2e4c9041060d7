"""Whether a message is a claims question, whatever the intent classifier made of it.

The classifier learns greetings, thanks and yes/no answers from short messages, and a long
story it cannot place sometimes lands on one of them. A message of 14 characters or more that
names insurance and asks something is a question for the knowledge base; the NLU pipeline
(question_guard.py) and the yes/no actions (bot/actions/fallback.py) ask this module. Plain
regular expressions: the action server uses it without loading Rasa.
"""

from __future__ import annotations

import re

# The longest small talk in the training data and held-out sets is about a dozen characters
# ("好的谢谢你，没有别的问题了"); a claims question told as a story is longer.
MIN_LENGTH = 14
# 险 alone, but not in 危险, 风险, 冒险, 惊险.
INSURANCE = re.compile(r"保险|(?<![危风冒惊])险|赔|报销|出险|报案|定损|事故|受益人|保单")
# A question mark or particle, a question word, or an A-not-A question (赔不赔, 管不管);
# not 什么都 ("什么都行").
ASKS = re.compile(r"[?？]|吗|怎么|如何|是否|多少|多久|什么(?!都)|哪|谁|有没有|(\w)不\1")
# A greeting or thanks that goes on about a claim without asking yet ("您好…想问问理赔的事，
# 有人在吗", "谢谢你…不知道理赔要怎么跑…"), or a message about the assistant, stays what it was.
CONVERSATIONAL = re.compile(
    r"你好|您好|在吗|有人在|有专人|谢谢|谢了|多谢|感谢|感恩|再见|拜拜"
    r"|机器人|真人|转人工|人工客服|找人工|人工智能|自动回复|AI|你是谁|你们客服|客服在线|在线吗"
    r"|方便吗|招呼"
    r"|咨询一下|了解一下|想问问|请教"
)
# "您好，请问…是否赔偿？" is a question with manners: the greeting in front does not count.
LEADING_GREETING = re.compile(r"^(您好|你好|hi|hello|在吗)[\s,，.。!！~]*", re.IGNORECASE)


def is_claims_question(text: str) -> bool:
    """Tells whether a message is long, names insurance, asks something and is not chat."""
    text = LEADING_GREETING.sub("", text)
    return (
        len(text) >= MIN_LENGTH
        and INSURANCE.search(text) is not None
        and ASKS.search(text) is not None
        and CONVERSATIONAL.search(text) is None
    )
