"""The stages a claim moves through, each explained in plain Chinese for customers.

The order follows the training deck's process: 接收申请与登记 → 查勘/调查与审核 →
理赔决定与通知 → 赔付执行与跟进. The statutory times come from 保险法第二十二至二十五条.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Stage(str, enum.Enum):
    """Stage codes stored in the database (stable; the labels may be reworded)."""

    REPORTED = "reported"
    ACCEPTED = "accepted"
    INVESTIGATING = "investigating"
    PENDING_DOCS = "pending_docs"
    REVIEWING = "reviewing"
    APPROVED = "approved"
    REJECTED = "rejected"
    PAYING = "paying"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class StageInfo:
    """What a customer is told about a stage."""

    label: str  # short name shown on the timeline card
    meaning: str  # what the stage means, in plain words
    next_step: str  # what happens next and who acts
    time_limit: str  # the statutory or promised time, with its basis ("" if none)


STAGES: dict[Stage, StageInfo] = {
    Stage.REPORTED: StageInfo(
        "已报案",
        "我们已经收到您的报案，案件已登记。",
        "理赔人员会尽快与您联系，安排查勘或告诉您需要准备的材料。",
        "",
    ),
    Stage.ACCEPTED: StageInfo(
        "已受理",
        "您的索赔申请已受理，理赔人员正在核对案件信息。",
        "接下来会进行查勘定损或事故调查；如材料不全，会一次性告诉您还缺什么。",
        "材料不完整的，保险公司应当一次性通知补充（保险法第二十二条）。",
    ),
    Stage.INVESTIGATING: StageInfo(
        "查勘定损/调查中",
        "理赔人员正在查勘现场、核定损失或调查事故经过。",
        "查勘或调查结束后进入审核；如需要您配合，理赔人员会直接联系您。",
        "",
    ),
    Stage.PENDING_DOCS: StageInfo(
        "待补充材料",
        "案件还缺少部分材料，补齐后才能继续审核。",
        "请尽快补齐所列材料，提交后案件会回到审核环节。",
        "保险公司应当一次性通知需要补充的材料（保险法第二十二条）。",
    ),
    Stage.REVIEWING: StageInfo(
        "审核中",
        "材料已经齐全，理赔人员正在审核并核定赔付金额。",
        "审核完成后会把核定结果通知您。",
        "收到完整材料后应当及时核定，情形复杂的应在30日内作出核定，"
        "合同另有约定的除外（保险法第二十三条）。",
    ),
    Stage.APPROVED: StageInfo(
        "已核定（赔付）",
        "审核已完成，案件属于保险责任，赔付金额已核定。",
        "双方确认赔付金额后，赔款会支付到您登记的账户。",
        "达成赔付协议后10日内支付赔款，合同另有约定的从其约定（保险法第二十三条）。",
    ),
    Stage.REJECTED: StageInfo(
        "已核定（拒赔）",
        "审核已完成，本次索赔不属于保险责任范围，未能获得赔付。",
        "您会收到书面的拒赔通知书并写明理由；如有异议，可以补充证据申请复核，"
        "也可以投诉或依法起诉。",
        "不属于保险责任的，保险公司应自作出核定之日起3日内发出拒赔通知书并说明理由"
        "（保险法第二十四条）。",
    ),
    Stage.PAYING: StageInfo(
        "支付中",
        "赔款正在支付，银行处理需要一点时间。",
        "到账后案件会结案；一般1至3个工作日到账，以银行处理为准。",
        "达成赔付协议后10日内支付赔款（保险法第二十三条）。",
    ),
    Stage.CLOSED: StageInfo(
        "已结案",
        "案件已经处理完毕并结案。",
        "如对结果有疑问，可以申请复核或联系人工客服。",
        "",
    ),
    Stage.WITHDRAWN: StageInfo(
        "已撤案",
        "案件已按您的要求撤销（或因长期未提交材料而注销）。",
        "如需重新索赔，请在诉讼时效内重新报案或联系人工客服。",
        "",
    ),
}


def info(stage: Stage | str) -> StageInfo:
    """Returns the customer-facing explanation of a stage."""
    return STAGES[Stage(stage)]
