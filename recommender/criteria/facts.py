"""The facts criteria test, derived from a profile at a date, with what settles each one when unknown.

A fact is unknown (value None) when a profile field it needs is missing; ``missing`` names those
fields, and ``field`` is the profile field a gap points to (the one the enterprise would change).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..profile import LABELS, Profile
from .size import sector_of, size_class


@dataclass(frozen=True)
class FactValue:
    """A fact of a profile at a date: its value (None: unknown), the profile fields that would settle it,
    the field a gap names, and a note on how it was estimated.
    """

    name: str
    value: Any  # None: unknown
    missing: tuple[str, ...] = ()
    field: str = ""
    note: str = ""  # e.g. how an estimate was made


@dataclass(frozen=True)
class FactDef:
    """How a fact is named (label, unit), what evidence settles it, and how it is computed from a profile."""

    label: str
    unit: str  # 万元 人 项 年 天 分 比例 是否 文字 资质
    evidence: str  # what settles it when the profile cannot
    compute: Callable[[Profile, dt.date], FactValue]


def _field(name: str) -> Callable[[Profile, dt.date], FactValue]:
    def compute(p: Profile, as_of: dt.date) -> FactValue:
        value = getattr(p, name)
        return FactValue(name, value, () if value is not None else (name,), name)

    return compute


def _ratio(num: str, den: str, name: str) -> Callable[[Profile, dt.date], FactValue]:
    def compute(p: Profile, as_of: dt.date) -> FactValue:
        a, b = getattr(p, num), getattr(p, den)
        missing = tuple(f for f, v in ((num, a), (den, b)) if v is None)
        if missing:
            return FactValue(name, None, missing, missing[0] if num in missing else num)
        if not b:
            return FactValue(name, None, (den,), den, f"{LABELS[den]}为 0，无法计算比例")
        return FactValue(name, a / b, (), num)

    return compute


def _registered_days(p: Profile, as_of: dt.date) -> FactValue:
    if p.founded is None:
        return FactValue("registered_days", None, ("founded",), "founded")
    return FactValue("registered_days", (as_of - p.founded).days, (), "founded")


def _rd_ratio_3y(p: Profile, as_of: dt.date) -> FactValue:
    if p.rd_expense_3y is not None and p.revenue_3y:
        return FactValue("rd_ratio_3y", p.rd_expense_3y / p.revenue_3y, (), "rd_expense_3y")
    last = _ratio("rd_expense", "revenue", "rd_ratio_3y")(p, as_of)
    if last.value is None:
        return last
    note = "按最近一年数据估算；认定时按近三年合计计算，可补充近三年合计"
    return FactValue("rd_ratio_3y", last.value, (), "rd_expense", note)


def _rd_expense_2y(p: Profile, as_of: dt.date) -> FactValue:
    missing = tuple(f for f in ("rd_expense", "rd_expense_prev") if getattr(p, f) is None)
    if missing:
        return FactValue("rd_expense_2y", None, missing, missing[0])
    assert p.rd_expense is not None and p.rd_expense_prev is not None
    return FactValue("rd_expense_2y", p.rd_expense + p.rd_expense_prev, (), "rd_expense")


def _size_class(p: Profile, as_of: dt.date) -> FactValue:
    value = size_class(p)
    if value is not None:
        return FactValue("size_class", value, (), "employees")
    missing = tuple(f for f in ("employees", "revenue") if getattr(p, f) is None)
    if p.industry is None:
        missing = ("industry", *missing)
    elif sector_of(p.industry_category) is None:
        return FactValue("size_class", None, ("industry",), "industry", "所属行业未能对应划型标准中的行业门类")
    return FactValue("size_class", None, missing, missing[0] if missing else "industry")


def _industry(p: Profile, as_of: dt.date) -> FactValue:
    if p.industry is None:
        return FactValue("industry", None, ("industry",), "industry")
    return FactValue("industry", (p.industry, p.industry_category), (), "industry")


def _qualifications(p: Profile, as_of: dt.date) -> FactValue:
    return FactValue("qualifications", set(p.qualifications), (), "qualifications")


_F = FactDef
FACTS: dict[str, FactDef] = {
    "registered_days": _F("注册成立时间", "天", "请填写成立日期（营业执照所载）", _registered_days),
    "employees": _F("职工总数", "人", "以社保缴纳或劳动合同人数为准", _field("employees")),
    "rd_staff": _F("科技人员数", "人", "以直接从事研发和相关技术创新活动的人员计", _field("rd_staff")),
    "revenue": _F("最近一年营业收入", "万元", "以上年度财务报表为准", _field("revenue")),
    "rd_expense": _F("最近一年研发费用", "万元", "以研发费用专项审计或辅助账为准", _field("rd_expense")),
    "rd_expense_prev": _F("前一年度研发费用", "万元", "以前一年度研发费用辅助账为准", _field("rd_expense_prev")),
    "rd_expense_2y": _F("近两年研发费用合计", "万元", "以近两年研发费用辅助账为准", _rd_expense_2y),
    "total_assets": _F("资产总额", "万元", "以上年度资产负债表为准", _field("total_assets")),
    "invention_patents": _F("一类知识产权（有效发明专利等）", "项", "以有效专利证书为准", _field("invention_patents")),
    "other_ip": _F("二类知识产权（实用新型、软件著作权等）", "项", "以有效证书为准", _field("other_ip")),
    "rd_ratio": _F(
        "最近一年研发费用占营业收入比例",
        "比例",
        "以上年度研发费用和营业收入计算",
        _ratio("rd_expense", "revenue", "rd_ratio"),
    ),
    "rd_ratio_prev": _F(
        "前一年度研发费用占营业收入比例",
        "比例",
        "请填写前一年度的研发费用和营业收入",
        _ratio("rd_expense_prev", "revenue_prev", "rd_ratio_prev"),
    ),
    "rd_ratio_3y": _F("近三年研发费用占销售收入比例", "比例", "以近三个会计年度研发费用专项审计报告为准", _rd_ratio_3y),
    "rd_staff_ratio": _F(
        "科技人员占职工总数比例",
        "比例",
        "以当年科技人员名册和职工总数计算",
        _ratio("rd_staff", "employees", "rd_staff_ratio"),
    ),
    "high_tech_share": _F(
        "高新技术产品（服务）收入占总收入比例",
        "比例",
        "以近一年高新技术产品（服务）收入专项审计报告为准",
        _ratio("high_tech_revenue", "revenue", "high_tech_share"),
    ),
    "rd_domestic_share": _F(
        "境内研发费用占全部研发费用比例",
        "比例",
        "档案无法推算：以研发费用专项审计中境内、境外研发费用的归集为准",
        _field("rd_domestic_share"),
    ),
    "innovation_score": _F(
        "企业创新能力评价得分",
        "分",
        "档案无法推算：由评审专家按知识产权、科技成果转化能力、研究开发组织管理水平、"
        "企业成长性四项打分，可按《工作指引》自评后填写",
        _field("innovation_score"),
    ),
    "major_accident": _F(
        "近一年发生重大安全、重大质量事故或严重环境违法行为",
        "是否",
        "档案无法显示：以应急、市场监管、生态环境部门的记录或企业承诺为准",
        _field("major_accident"),
    ),
    "main_business_share": _F(
        "主营业务收入占营业收入比例",
        "比例",
        "档案无法显示：以上年度财务报表中主营业务收入计算",
        _field("main_business_share"),
    ),
    "debt_ratio": _F(
        "资产负债率", "比例", "档案无法显示：以上年度资产负债表（负债总额 ÷ 资产总额）计算", _field("debt_ratio")
    ),
    "niche_years": _F(
        "从事特定细分市场年限", "年", "档案无法显示：以主导产品首次销售的合同、发票等为准", _field("niche_years")
    ),
    "equity_financing_2y": _F(
        "近两年新增股权融资",
        "万元",
        "档案无法显示：以合格机构投资者实缴出资的验资报告或银行回单为准",
        _field("equity_financing_2y"),
    ),
    "equity_financing_3y": _F(
        "近三年新增股权融资",
        "万元",
        "档案无法显示：以合格机构投资者实缴出资的验资报告或银行回单为准",
        _field("equity_financing_3y"),
    ),
    "provincial_rd_institution": _F(
        "拥有省部级以上研发机构",
        "是否",
        "档案无法显示：以省部级以上主管部门的认定文件为准",
        _field("provincial_rd_institution"),
    ),
    "national_award_5y": _F(
        "近五年获得国家级科技奖励", "是否", "档案无法显示：以获奖证书为准", _field("national_award_5y")
    ),
    "st_award_3y": _F("近三年获得国家级或省级科技奖励", "是否", "档案无法显示：以获奖证书为准", _field("st_award_3y")),
    "taxable_income": _F(
        "年度应纳税所得额", "万元", "档案无法显示：以企业所得税年度汇算清缴申报表为准", _field("taxable_income")
    ),
    "size_class": _F(
        "企业规模", "文字", "请按《统计上大中小微型企业划分办法（2017）》确认企业属于中型、小型或微型企业", _size_class
    ),
    "industry": _F("所属行业", "文字", "请填写所属行业（主营业务）", _industry),
    "qualifications": _F("已有资质", "资质", "请填写已有资质", _qualifications),
}


def fact(name: str, profile: Profile, as_of: dt.date) -> FactValue:
    """The fact ``name`` of ``profile`` at ``as_of``; KeyError for a name not in ``FACTS``."""
    return FACTS[name].compute(profile, as_of)


def label(name: str) -> str:
    """The Chinese label of a fact or profile field; the name itself when neither knows it."""
    return FACTS[name].label if name in FACTS else LABELS.get(name, name)
