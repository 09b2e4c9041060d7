"""Product lines, their number prefixes and the documents a claim on each needs."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ProductLine(str, enum.Enum):
    """Product-line codes stored in the database."""

    MOTOR_COMPULSORY = "motor_compulsory"
    MOTOR_COMMERCIAL = "motor_commercial"
    MEDICAL = "medical"
    CRITICAL_ILLNESS = "critical_illness"
    ACCIDENT = "accident"
    HOME_PROPERTY = "home_property"
    LIFE = "life"
    TRAVEL = "travel"


@dataclass(frozen=True)
class LineInfo:
    """Display name and the three letters used in policy and claim numbers."""

    name: str
    code: str
    is_motor: bool = False


LINES: dict[ProductLine, LineInfo] = {
    ProductLine.MOTOR_COMPULSORY: LineInfo("交强险", "DAA", is_motor=True),
    ProductLine.MOTOR_COMMERCIAL: LineInfo("商业车险", "DZA", is_motor=True),
    ProductLine.MEDICAL: LineInfo("医疗险", "YAA"),
    ProductLine.CRITICAL_ILLNESS: LineInfo("重疾险", "ZJA"),
    ProductLine.ACCIDENT: LineInfo("意外险", "EAA"),
    ProductLine.HOME_PROPERTY: LineInfo("家财险", "QJA"),
    ProductLine.LIFE: LineInfo("寿险", "SXA"),
    ProductLine.TRAVEL: LineInfo("旅行险", "LXA"),
}

# Documents common to every claim, then those of each line. The names are what customers
# see on the checklist, so they use the words on the actual paperwork.
COMMON_DOCUMENTS = ("索赔申请书", "被保险人身份证明", "收款银行账户信息")

LINE_DOCUMENTS: dict[ProductLine, tuple[str, ...]] = {
    ProductLine.MOTOR_COMPULSORY: (
        "机动车行驶证", "驾驶人驾驶证", "交通事故认定书或事故协议书", "定损单",
        "维修发票",
    ),
    ProductLine.MOTOR_COMMERCIAL: (
        "机动车行驶证", "驾驶人驾驶证", "交通事故认定书或事故协议书", "定损单",
        "维修发票",
    ),
    ProductLine.MEDICAL: ("门诊或住院病历", "出院小结", "医疗费用发票", "费用明细清单"),
    ProductLine.CRITICAL_ILLNESS: (
        "二级及以上医院的诊断证明", "病理或检查报告", "门诊或住院病历",
    ),
    ProductLine.ACCIDENT: ("意外事故证明", "门诊或住院病历", "医疗费用发票"),
    ProductLine.HOME_PROPERTY: ("财产损失清单", "损失现场照片", "相关部门出具的事故证明"),
    ProductLine.LIFE: ("死亡证明", "户籍注销证明", "受益人身份证明及关系证明"),
    ProductLine.TRAVEL: ("行程证明（机票、登机牌或护照签证页）", "事故或延误证明", "费用单据"),
}

# Extra documents by cause, added on top of the line's list.
CAUSE_DOCUMENTS: dict[str, tuple[str, ...]] = {
    "人员受伤": ("伤者病历及医疗费用发票", "伤者身份证明"),
    "伤残": ("伤残鉴定报告",),
    "身故": ("死亡证明", "户籍注销证明", "受益人身份证明及关系证明"),
    "盗抢": ("公安机关出具的立案证明", "车辆登记证书", "全套车钥匙"),
    "水淹": ("气象部门或相关部门的灾害证明",),
    "火灾": ("消防部门出具的火灾事故认定书",),
    "航班延误": ("航空公司出具的延误证明",),
}


def line_info(line: ProductLine | str) -> LineInfo:
    """Returns the display name and number code of a product line."""
    return LINES[ProductLine(line)]


def required_documents(line: ProductLine | str, cause: str = "") -> list[str]:
    """Lists the documents a claim of this line and cause needs, without repeats."""
    names = [*COMMON_DOCUMENTS, *LINE_DOCUMENTS[ProductLine(line)]]
    for key, extra in CAUSE_DOCUMENTS.items():
        if key in cause:
            names.extend(extra)
    return list(dict.fromkeys(names))
