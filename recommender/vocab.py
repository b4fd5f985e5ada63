"""Controlled vocabularies from ../shared/spec/profile.md (the interchange format)."""

from typing import Literal, get_args

Region = Literal[
    "浦东新区",
    "黄浦区",
    "静安区",
    "徐汇区",
    "长宁区",
    "普陀区",
    "虹口区",
    "杨浦区",
    "闵行区",
    "宝山区",
    "嘉定区",
    "金山区",
    "松江区",
    "青浦区",
    "奉贤区",
    "崇明区",
    "上海市外",
]
REGIONS: tuple[str, ...] = get_args(Region)

Stage = Literal["初创期", "成长期", "成熟期", "拟上市", "已上市"]
STAGES: tuple[str, ...] = get_args(Stage)

Qualification = Literal[
    "高新技术企业",
    "科技型中小企业",
    "创新型中小企业",
    "专精特新中小企业",
    '专精特新"小巨人"',
    "科技小巨人",
    "科技小巨人培育",
    "技术先进型服务企业",
    "GOI",
    "GOI赋能企业",
    "外资研发中心",
    "在孵企业",
    "孵化载体",
]
QUALIFICATIONS: tuple[str, ...] = get_args(Qualification)

# Benefit types of a measure are named like the needs an enterprise states, so that a need
# matches a benefit by name.
Benefit = Literal[
    "资金补贴",
    "税收优惠",
    "融资贷款",
    "股权投资",
    "人才引进",
    "住房落户",
    "场地空间",
    "知识产权",
    "资质认定",
    "技术合作",
    "市场拓展",
    "培训辅导",
    "政务服务",
    "法律服务",
    "上市辅导",
]
BENEFITS: tuple[str, ...] = get_args(Benefit)

INDUSTRIES: tuple[str, ...] = (
    "集成电路",
    "生物医药",
    "人工智能",
    "软件和信息服务",
    "高端装备",
    "新材料",
    "新能源",
    "智能网联汽车",
    "数字内容",
    "生命健康",
    "现代农业",
    "金融服务",
    "商贸服务",
    "节能环保",
    "航空航天",
    "科技服务",
    "文化创意",
    "其他",
)

KINDS = ("measure", "lead", "internal")
# measure: apply for or use; lead: an industry priority, programme, service, platform or contact
# point an enterprise can act on by contacting the named department; internal: government housekeeping
KIND_LABELS = {"measure": "企业可用措施", "lead": "可关注线索", "internal": "非措施（内部工作、总则附则等）"}
Kind = Literal["measure", "lead", "internal"]
SHOWN_KINDS = ("measure", "lead")  # what a recommendation may list
# the note of a clause whose kind, benefits, audience, departments and rule are proposals nobody reviewed yet
PROPOSED_NOTE = "自动提取（待审核）：类别、受益类型、对象、部门和条件均为系统建议，尚无人审核"
