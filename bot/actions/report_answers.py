"""Reading the answers of the claim-reporting form out of what customers type.

Pure functions, no Rasa: yes/no answers in words (没人受伤, 有两个人受伤了), plates, mobile
numbers, urgency, which field a correction is about, and the cause of an accident.
"""

from __future__ import annotations

import re
import unicodedata

from bot.nlu.text import normalize

PLATE_RE = re.compile(
    r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领]"
    r"\s*[A-Z]\s*[·.・\s]?\s*[A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警港澳]"
)
MOBILE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")

# Yes/no answers per question: (what means no, what means yes). "No" is checked first, as
# "没有人受伤" contains the words of "yes" too.
_YES_NO: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "report_injuries": (
        re.compile(r"没有?人?受?伤|无人受?伤|没事|无伤亡|都好|没有人|人都没事|不用"),
        re.compile(r"受伤|伤了|流血|骨折|住院|送医|120|伤者|撞伤|有人"),
    ),
    "report_third_party": (
        re.compile(r"没有?(对方|第三方|别人|其他车|撞到人)|单方|自己撞|就我自己|只有我|不涉及"),
        re.compile(r"对方|别人|另一辆|三者|行人|撞了人|撞到人|电动车|骑车|有的|涉及"),
    ),
    "report_police": (
        re.compile(r"没有?报警|交警没来|没有?交警|未报警|自行协商|私了|快处"),
        re.compile(r"交警(来了|到场|处理|认定)|报警了|报了警|出警|警察来了|有交警"),
    ),
}
_GENERIC_NO = re.compile(r"^(没有|没|无|不是|否|不对|没有的|木有)[。！!.啊呢]*$")
_GENERIC_YES = re.compile(r"^(有|有的|是|是的|对|对的|嗯|嗯嗯|好|确认)[。！!.啊呢]*$")
URGENT_RE = re.compile(
    r"受伤|流血|出血|昏迷|晕倒|骨折|救护车|120|起火|着火|冒烟|困在|卡在|高速上|还在路上|"
    r"现场|刚撞|刚出事|刚刚出|人伤"
)

# A report that also asks something (要报意外险的医疗费，需要交哪些东西 / 撞车三天后才报，还能赔吗)
# deserves the answer before the form. Asking how to report is not such a question: the form
# itself answers it. Nor is a plain request (我要报案，…) whatever follows: the form starts, and
# questions asked during it are answered there (rules.yml).
QUESTION_RE = re.compile(
    r"哪些|什么|啥|怎么|怎样|如何|吗|么|嘛|多久|多长|多少|谁|该|几[天个]|[?？]|能不能|可不可以|"
    r"是否|要不要|有没有"
)
HOW_TO_REPORT_RE = re.compile(
    r"(怎么|怎样|如何|在哪|哪里)(报案|报险|登记)|报个案|要报案|我要报"
)

# Which reporting field a correction talks about.
FIELD_WORDS: dict[str, tuple[str, ...]] = {
    "report_policy": ("保单",),
    "report_time": ("时间", "日期", "几点", "哪天", "昨天", "前天", "今天", "号", "点"),
    "report_place": ("地点", "地址", "位置", "在哪", "路"),
    "report_description": ("经过", "情况", "怎么回事", "原因"),
    "report_injuries": ("受伤", "伤"),
    "report_third_party": ("对方", "第三方", "三者"),
    "report_plate": ("车牌",),
    "report_police": ("交警", "警察", "报警"),
    "report_phone": ("电话", "手机", "号码"),
}

# Causes used for the document checklist, by the words that reveal them.
_CAUSES: tuple[tuple[str, str], ...] = (
    ("追尾", "追尾碰撞"),
    ("水淹|泡水|淹了|进水|涉水|暴雨", "水淹"),
    ("被偷|被盗|盗抢|偷走|抢", "盗抢"),
    ("着火|起火|自燃|火灾|烧", "火灾"),
    ("玻璃", "玻璃破碎"),
    ("刮|蹭|划", "刮擦"),
    ("撞|碰", "碰撞"),
    ("身故|去世|死亡|过世", "身故"),
    ("骨折", "意外骨折"),
    ("住院", "住院治疗"),
    ("确诊|癌|肿瘤|重疾", "确诊重大疾病"),
    ("延误|取消", "航班延误"),
    ("漏水|水管|爆裂", "水管爆裂"),
)


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKC", text).upper()


def yes_or_no(text: str, field: str) -> bool | None:
    """Reads the answer to one yes/no question given in words; None if it says neither."""
    plain = _plain(text).strip()
    no, yes = _YES_NO.get(field, (_GENERIC_NO, _GENERIC_YES))
    if no.search(plain) or _GENERIC_NO.search(plain):
        return False
    if yes.search(plain) or _GENERIC_YES.search(plain):
        return True
    return None


def find_plate(text: str) -> str | None:
    """Returns a licence plate such as 京A12345 (separators removed), or None."""
    match = PLATE_RE.search(_plain(text))
    return re.sub(r"[\s·.・]", "", match.group(0)) if match else None


def find_mobile(text: str) -> str | None:
    """Returns an 11-digit mainland mobile number typed with or without spaces."""
    digits = re.sub(r"(?<=\d)[\s-]+(?=\d)", "", _plain(text))
    match = MOBILE_RE.search(digits)
    return match.group(0) if match else None


def is_urgent(text: str) -> bool:
    """Tells whether the message describes people hurt or a scene still unsafe."""
    return URGENT_RE.search(text) is not None


def asks_a_question(text: str) -> bool:
    """Tells whether a report also asks a question other than how to report."""
    plain = normalize(text)
    return QUESTION_RE.search(plain) is not None and HOW_TO_REPORT_RE.search(plain) is None


def fields_mentioned(text: str) -> list[str]:
    """Lists the reporting fields a correction mentions, most specific first."""
    found = [field for field, words in FIELD_WORDS.items() if any(w in text for w in words)]
    # "时间" words are broad (号, 点): prefer any other field that is also named.
    if len(found) > 1 and "report_time" in found:
        found.remove("report_time")
        found.append("report_time")
    return found


def cause_of(description: str) -> str:
    """Classifies an accident description into a cause, or 其他 if none fits."""
    for pattern, cause in _CAUSES:
        if re.search(pattern, description):
            return cause
    return "其他"
