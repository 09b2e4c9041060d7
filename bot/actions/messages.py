"""Every sentence the custom actions say, in one place so wording can be reviewed.

Fixed replies that need no data live in bot/domain.yml (responses); the templates here are
filled in by the actions. Keep them short, polite and in plain Simplified Chinese.
"""

from __future__ import annotations

# --- claim status --------------------------------------------------------------------------
ASK_REFERENCE_HINT = (
    "没有识别到报案号。报案号以 R 开头，共16位（例如 RDZA202600000101），"
    "可以在报案成功的短信或理赔通知里找到；也可以提供以 P 开头的保单号。"
)
VERIFY_HINT = "请只输入手机号后4位数字（例如 1234），或身份证号后6位（例如 01123X）。"
VERIFY_WRONG = (
    "抱歉，信息核对未通过。请再核对一下报案号（或保单号）和验证号码，"
    "还可以再试 {left} 次。"
)
VERIFY_LOCKED = (
    "为保护您的信息安全，这个案件的在线查询已暂时锁定，请在 {until} 之后再试。"
    "如需马上处理，可以转人工客服，或拨打客服热线 {hotline}。"
)
VERIFY_LOCKED_CONVERSATION = (
    "为保护您的信息安全，本次对话的在线查询已暂停。"
    "您可以转人工客服核实身份，或拨打客服热线 {hotline}。"
)
NOT_OWNED = "这个案件与您刚才验证的身份不一致，需要重新核对身份。"
STATUS_HEADER = (
    "您的案件 {claim_number}（{product}，{cause}）目前处于「{stage}」阶段，"
    "{since}进入该阶段。"
)
STATUS_MISSING = "还需要补充：{documents}。"
STATUS_NEXT = "下一步：{next_step}"
STATUS_LIMIT = "时限：{time_limit}"
STATUS_APPROVED = "核定赔付金额：{amount} 元。"
STATUS_PAYMENT = "赔款 {amount} 元{when}通过{method}支付至 {account}（{status}）。"
STATUS_REJECTED = "拒赔原因：{reason}"
STATUS_CONTACT = "被保险人：{name}。"
PICK_CLAIM = "查到 {count} 个案件，请选择要查看的一个："
NO_CLAIMS = "您名下暂时没有查到理赔案件。如刚报案，系统登记可能需要一点时间。"
LIST_NEEDS_VERIFY = (
    "为保护您的信息，请先提供任意一个报案号或保单号并完成身份验证，"
    "我再列出您名下的全部案件。"
)
DB_UNAVAILABLE = (
    "非常抱歉，理赔系统暂时无法查询，请稍后再试。"
    "着急的话可以拨打客服热线 {hotline}，或转人工客服为您处理。"
)

# --- knowledge answers ---------------------------------------------------------------------
KB_LEGAL = "依据：{basis}"
KB_MORE = "您还可以问："
KB_NOT_SURE = (
    "这个问题我没有把握准确回答，不想给您错误的信息。"
    "您可以换个说法再问一次，或者转人工客服为您解答。"
)
KB_CLOSEST = "和您的问题比较接近的有："
# Questions the knowledge base does not serve (knowledge/scope.py), by why.
KB_NOT_OURS: dict[str, str] = {
    "buying": (
        "抱歉，我是理赔服务助手，选购保险、保费报价和产品推荐方面的问题我没法准确回答。"
        "建议咨询您的保险公司或保险代理人，也可以转人工客服。"
    ),
    "policy_service": (
        "抱歉，退保、加保、续保这类保单服务需要由您的保险公司办理，我这里没法准确答复。"
        "建议联系保险公司客服或您的保险代理人；理赔方面的问题可以直接问我，也可以转人工客服。"
    ),
    "medical": (
        "抱歉，诊断、治疗和用药的问题需要医生来判断，请以医生的意见为准。"
        "如果想了解相关费用能否理赔、要准备哪些材料，可以直接问我，也可以转人工客服。"
    ),
}
KB_WHAT_DETAILS = "您想了解哪方面的详细说明呢？可以直接把问题告诉我。"
KB_UNAVAILABLE = "抱歉，知识库暂时无法使用，请稍后再试，或转人工客服。"

# --- fallback ------------------------------------------------------------------------------
FALLBACK_FIRST = (
    "抱歉，我没太明白您的意思。可以换个说法吗？"
    "我能帮您查询理赔进度、解答理赔问题、在线报案或转人工客服。"
)
FALLBACK_SECOND = "还是没能理解您的问题，很抱歉。为了不耽误您的时间，建议转人工客服为您处理。"

INFORM_REFERENCE = "收到您的{kind} {ref}。需要查询这个案件的进度吗？"
INFORM_WITHOUT_CONTEXT = "收到。请问您是想查询理赔进度，还是要报案呢？也可以直接把问题告诉我。"
# A yes or a no when nothing was asked.
AFFIRM_WITHOUT_CONTEXT = "好的。请问还有什么可以帮您？您可以查询理赔进度、咨询理赔问题或在线报案。"
DENY_WITHOUT_CONTEXT = "好的，明白了。还有其他需要帮忙的吗？"

# --- buttons -------------------------------------------------------------------------------
BUTTON_HUMAN = {"title": "转人工", "payload": "/request_human"}
BUTTON_STATUS = {"title": "查询理赔进度", "payload": "/claim_status"}
BUTTON_REPORT = {"title": "我要报案", "payload": "/report_claim"}
OUT_OF_SCOPE = (
    "抱歉，这个问题超出了我的服务范围。我可以帮您查询理赔进度、解答理赔相关问题、"
    "在线报案或转接人工客服。"
)

# --- claim reporting -----------------------------------------------------------------------
REPORT_URGENT = (
    "请先确保安全：开启危险报警闪光灯，在车后方放置警示标志，人员撤到护栏外等安全地带。"
    "有人受伤请立即拨打 120，交通事故请报警 122，起火请拨打 119。"
    "紧急情况也可以直接拨打客服热线 {hotline}，我们会第一时间协助您。"
    "\n等您安全了，我们再在线登记报案。"
)
REPORT_START = (
    "好的，我来帮您在线报案，大约需要两三分钟。"
    "过程中随时可以说“取消”，或者先问别的问题。"
)
REPORT_START_AFTER_ANSWER = (
    "如果需要报案，我现在就可以帮您在线登记，大约需要两三分钟；"
    "暂时不报的话，说“取消”就好。"
)
REPORT_POLICY_HINT = "没有识别到保单号。保单号以 P 开头，共16位，可以在电子保单或保险卡上找到。"
REPORT_POLICY_IS_CLAIM = "这是报案号（以 R 开头）。报新案件需要保单号（以 P 开头），请再提供一下。"
REPORT_POLICY_NOT_FOUND = "没有查到这个保单号，请核对后再输入一次。"
REPORT_POLICY_TOO_MANY = (
    "保单号多次核对未通过。为了不耽误您，建议转人工客服或拨打客服热线 {hotline} 报案。"
)
REPORT_POLICY_NOT_ACTIVE = "这张保单目前不在有效状态，无法在线报案。请转人工客服为您核实。"
REPORT_TIME_HINT = "没有听明白事故时间，可以这样说：“昨天下午三点”、“3月5日上午”或“刚刚”。"
REPORT_TIME_FUTURE = "事故时间不能晚于现在，请再确认一下事故发生的时间。"
REPORT_TIME_OUTSIDE = (
    "按您说的时间（{when}），事故不在这张保单的保险期间内（{start} 至 {end}）。"
    "请再核对一下事故时间；如确认无误，可以转人工客服为您处理。"
)
REPORT_TIME_OK = "事故时间记为 {when}。"
REPORT_PLACE_SHORT = "请说得具体一点，例如“北京市朝阳区建国路88号附近”。"
REPORT_DESCRIPTION_SHORT = "请简单描述一下经过，例如“等红灯时被后车追尾，后保险杠撞坏了”。"
REPORT_PLATE_HINT = "没有识别到车牌号，请按“京A12345”的格式输入。"
REPORT_PLATE_ASK = "出险车辆的车牌号是多少？"
REPORT_PLATE_ASK_KNOWN = "出险车辆是保单上登记的 {plate} 吗？是的话回复“是”，不是请输入车牌号。"
REPORT_PHONE_HINT = "请输入11位手机号码，方便理赔人员联系您。"
REPORT_SUMMARY = (
    "请核对报案信息：\n{lines}\n"
    "信息无误请回复“确认”，需要修改请直接说，例如“时间是前天下午”。"
)
REPORT_FIX_WHAT = "好的，请告诉我哪一项需要修改，例如“地点改成人民路8号”。"
REPORT_CHANGED = "已更新。"
REPORT_DONE = (
    "报案成功！您的报案号是 {claim_number}，请妥善保存。\n"
    "请提前准备这些材料：{documents}。\n"
    "下一步：理赔人员会尽快与您联系（一般在1个工作日内，服务时间{hours}），"
    "需要查勘的会和您约定时间；材料不齐时会一次性告诉您还缺什么。"
    "之后可以随时用报案号查询进度。"
)
REPORT_INJURY_REMINDER = "有人受伤的，请先送医救治并保留病历和费用票据。"
REPORT_CANCELLED = "好的，已取消本次报案，刚才的信息没有提交。需要时可以随时重新报案。"
REPORT_FAILED = "非常抱歉，报案暂时没能提交成功。请稍后再试，或拨打客服热线 {hotline} 报案。"

# --- complaints ----------------------------------------------------------------------------
COMPLAINT_EMPATHY: dict[str, tuple[str, str]] = {
    # category: (calm wording, wording when the customer is clearly angry)
    "处理太慢": (
        "让您等了这么久还没有结果，确实着急，这是我们做得不够好。",
        "等了这么久还没结果，换成谁都会生气，真的非常抱歉让您这样着急。",
    ),
    "赔付金额": (
        "对赔付金额有疑问很正常，钱的事情一定要弄清楚。",
        "您觉得赔的钱和实际损失差得太多，这种心情我完全理解，非常抱歉。",
    ),
    "被拒赔": (
        "被拒赔一定很失望，尤其是您觉得自己的情况应该赔。",
        "遇到拒赔又觉得不合理，生气是完全可以理解的，非常抱歉给您带来这样的感受。",
    ),
    "服务态度": (
        "没有得到应有的耐心和尊重，是我们服务上的问题，向您道歉。",
        "受到这样的对待，您生气完全有理由，我代表公司郑重向您道歉。",
    ),
    "": (
        "很抱歉这次给您带来了不好的体验。",
        "非常抱歉让您这么生气，您的不满我们一定认真对待。",
    ),
}
COMPLAINT_CONFIRM = "我确认一下，您反映的是：{category}“{excerpt}”。"
COMPLAINT_OFFER = (
    "我可以现在为您登记投诉，会有专人跟进，并在15日内答复处理结果；"
    "也可以马上为您转接人工客服。"
)
COMPLAINT_OFFER_AFTER_ANSWER = "如果以上说明还解决不了您的问题，" + COMPLAINT_OFFER
COMPLAINT_REGISTERED = (
    "已为您登记投诉，投诉编号 {ticket}，请保存好。专人会联系您核实情况，"
    "并在15日内答复处理结果（情况复杂需要延长时，会提前告诉您）。"
    "如果对处理结果仍不满意，还可以拨打金融监管投诉热线 12378。"
)
COMPLAINT_DECLINED = (
    "好的，尊重您的决定。之后需要的话，随时说“我要投诉”即可，也可以拨打客服热线 {hotline}；"
    "对处理结果不满意时，还可以拨打金融监管投诉热线 12378。"
)
COMPLAINT_FAILED = "抱歉，投诉暂时没能登记成功。请拨打客服热线 {hotline}，或转人工客服为您登记。"
BUTTON_COMPLAIN = {"title": "登记投诉", "payload": "/affirm"}
BUTTON_NOT_NOW = {"title": "先不用", "payload": "/deny"}

# --- human handoff -------------------------------------------------------------------------
HANDOFF_DONE = (
    "已为您转接人工客服，工单号 {ticket}。坐席接入后会在这里直接回复您，请稍候。"
    "服务时间{hours}，非服务时间的留言会在下一个服务时段优先处理。"
    "着急的话也可以拨打客服热线 {hotline}。"
)
HANDOFF_FAILED = "抱歉，暂时没能转接人工客服。请直接拨打客服热线 {hotline}，我们会尽快为您处理。"
