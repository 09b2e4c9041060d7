"""Word lists the demo-data generator draws from: names, places, causes and amounts."""

from __future__ import annotations

from claims.products import ProductLine

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志文斌宇浩凯健俊帆帅旭"
    "宁欣怡梓涵子轩晨阳雨欣思远佳琪嘉怡浩然一鸣晓东春梅海燕丹丹立新振华德明淑珍秀兰国强"
)

CITIES = (
    ("北京市", ("朝阳区", "海淀区", "丰台区", "通州区")),
    ("上海市", ("浦东新区", "闵行区", "徐汇区", "宝山区")),
    ("广州市", ("天河区", "白云区", "番禺区", "海珠区")),
    ("深圳市", ("南山区", "福田区", "宝安区", "龙岗区")),
    ("杭州市", ("西湖区", "余杭区", "萧山区", "拱墅区")),
    ("成都市", ("武侯区", "锦江区", "高新区", "双流区")),
    ("武汉市", ("江汉区", "洪山区", "武昌区", "东西湖区")),
    ("西安市", ("雁塔区", "未央区", "长安区", "碑林区")),
    ("南京市", ("鼓楼区", "江宁区", "玄武区", "建邺区")),
    ("郑州市", ("金水区", "二七区", "中原区", "郑东新区")),
)
ROADS = (
    "人民路", "建设路", "解放大道", "中山路", "长江路", "文化路", "科技路", "滨江大道",
    "环城北路", "光明街", "和平路", "新华路", "幸福大街", "朝阳路", "东风路",
)
PLATE_PREFIXES = ("京A", "沪B", "粤A", "粤B", "浙A", "川A", "鄂A", "陕A", "苏A", "豫A")
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
BANKS = ("中国工商银行", "中国建设银行", "中国农业银行", "中国银行", "招商银行", "交通银行")

PRODUCT_NAMES: dict[ProductLine, tuple[str, ...]] = {
    ProductLine.MOTOR_COMPULSORY: ("机动车交通事故责任强制保险",),
    ProductLine.MOTOR_COMMERCIAL: (
        "机动车商业保险（车损+三者+车上人员）", "机动车商业保险（车损+三者）",
    ),
    ProductLine.MEDICAL: ("安康百万医疗保险", "住院医疗费用补偿保险"),
    ProductLine.CRITICAL_ILLNESS: ("守护终身重大疾病保险", "康宁重大疾病保险"),
    ProductLine.ACCIDENT: ("综合意外伤害保险", "团体意外伤害保险"),
    ProductLine.HOME_PROPERTY: ("家庭财产综合保险",),
    ProductLine.LIFE: ("定期寿险", "终身寿险"),
    ProductLine.TRAVEL: ("境内旅行意外保险", "境外旅行综合保险", "航班延误保险"),
}

# Causes per line with the range of amounts claimed, in yuan.
CAUSES: dict[ProductLine, tuple[tuple[str, int, int], ...]] = {
    ProductLine.MOTOR_COMPULSORY: (
        ("追尾碰撞", 800, 6000), ("刮擦", 300, 2000), ("人员受伤", 2000, 18000),
    ),
    ProductLine.MOTOR_COMMERCIAL: (
        ("追尾碰撞", 1500, 30000), ("单方事故", 800, 20000), ("刮擦", 500, 5000),
        ("水淹", 5000, 80000), ("玻璃破碎", 600, 4000), ("盗抢", 30000, 200000),
        ("人员受伤", 5000, 150000),
    ),
    ProductLine.MEDICAL: (("住院治疗", 3000, 80000), ("门诊手术", 1000, 15000)),
    ProductLine.CRITICAL_ILLNESS: (("确诊重大疾病", 100000, 500000),),
    ProductLine.ACCIDENT: (
        ("意外骨折", 2000, 30000), ("意外烧伤", 3000, 50000), ("伤残", 20000, 200000),
        ("身故", 100000, 500000),
    ),
    ProductLine.HOME_PROPERTY: (
        ("水管爆裂", 2000, 30000), ("火灾", 10000, 200000), ("盗窃", 3000, 50000),
    ),
    ProductLine.LIFE: (("身故", 100000, 1000000),),
    ProductLine.TRAVEL: (
        ("航班延误", 200, 1500), ("境外就医", 3000, 60000), ("行李延误", 300, 2000),
    ),
}

LINE_WEIGHTS: dict[ProductLine, int] = {
    ProductLine.MOTOR_COMPULSORY: 20,
    ProductLine.MOTOR_COMMERCIAL: 35,
    ProductLine.MEDICAL: 15,
    ProductLine.CRITICAL_ILLNESS: 5,
    ProductLine.ACCIDENT: 12,
    ProductLine.HOME_PROPERTY: 5,
    ProductLine.LIFE: 3,
    ProductLine.TRAVEL: 5,
}

REJECTION_REASONS: dict[ProductLine, tuple[str, ...]] = {
    ProductLine.MOTOR_COMPULSORY: (
        "本车及本车车上人员的损失不在交强险赔偿范围内，请改按商业车险申请。",
    ),
    ProductLine.MOTOR_COMMERCIAL: (
        "驾驶人无有效驾驶证，属于保险条款约定的责任免除情形。",
        "车辆在水中熄火后再次启动导致发动机损坏，该扩大损失不属于保险责任。",
        "事故发生后未及时报案，导致事故原因和损失程度无法核实。",
    ),
    ProductLine.MEDICAL: (
        "本次住院治疗的疾病在等待期内确诊，属于条款约定的责任免除。",
        "投保前已患有的疾病未如实告知，属于既往症责任免除。",
    ),
    ProductLine.CRITICAL_ILLNESS: ("所患疾病不符合条款中重大疾病的定义标准。",),
    ProductLine.ACCIDENT: (
        "经鉴定本次损伤由疾病引起，不属于意外伤害。",
        "事故发生时被保险人从事高风险运动，属于责任免除。",
    ),
    ProductLine.HOME_PROPERTY: ("损失财产不在保险标的范围内（现金、首饰等未特别约定）。",),
    ProductLine.LIFE: ("身故发生在合同生效两年内且属于自杀，按条款退还现金价值。",),
    ProductLine.TRAVEL: ("航班延误时间未达到条款约定的赔付标准。",),
}

# Customer-facing notes written on the timeline when a claim enters a stage.
STAGE_NOTES: dict[str, tuple[str, ...]] = {
    "reported": ("已接到报案并登记。", "报案已登记，系统已发送报案短信。"),
    "accepted": ("索赔申请已受理。", "材料已收到，案件已受理。"),
    "investigating": ("查勘员已完成现场查勘。", "已安排理赔人员核实事故经过。", "定损进行中。"),
    "pending_docs": ("已一次性通知需补充的材料。",),
    "reviewing": ("材料齐全，进入审核。", "补充材料已收到，继续审核。"),
    "approved": ("核定完成，同意赔付。",),
    "rejected": ("核定完成，已发出拒赔通知书。",),
    "paying": ("赔款已提交银行支付。",),
    "closed": ("赔款已到账，案件结案。", "案件已结案。"),
    "withdrawn": ("应客户要求撤案。", "长期未提交材料，案件注销。"),
}
