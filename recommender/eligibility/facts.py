"""The one fact registry: every value a clause rule or a qualification criterion may test.

In the manner of OpenFisca's variables, each fact has a name, the label people read, a unit, how
it is derived from a profile at a date, and what evidence settles it when the profile cannot.
Clause rules (``policies/annotations``), criteria (``policies/criteria``), pages and sheets all
read facts from here, so a fact's meaning and wording change in one place.

A fact is unknown (value None) when a profile field it needs is missing; ``FactValue.missing``
names those fields and ``FactValue.field`` is the profile field a gap points to (the one the
enterprise would change). Facts a clause condition may test carry a ``rule`` kind (see
``RULE_OPS``) and whether a condition on them is hard by default.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..profile import LABELS, Profile
from .size import sectors_of, size_class

TITLE_AGE_FIELDS = {"hnte_age_years": "高新技术企业"}  # facts that exist once a title is held (and its title)

# what a clause condition on a fact of each rule kind may ask
RULE_OPS: dict[str, set[str]] = {
    "choice": {"in", "not_in"},
    "text": {"contains_any"},
    "set": {"any_of", "all_of", "none_of"},
    "bool": {"is"},
    "number": {"gte", "gt", "lte", "lt"},
    "confirm": {"declared"},  # what a profile cannot show: always unknown, for the enterprise to confirm
}


@dataclass(frozen=True)
class FactValue:
    """A fact's value for one profile at one date; ``value`` None means unknown."""

    name: str
    value: Any
    missing: tuple[str, ...] = ()
    field: str = ""
    note: str = ""  # e.g. how an estimate was made
    shown: str | None = None  # the enterprise's own words for the value, when they differ from it
    said: str | None = None  # the value as people say it when the number is not how they do ("11 年 5 个月")
    at_least: float | None = None  # unknown, but no less than this (a sum of non-negative parts, one known)


Derive = Callable[[Profile, dt.date], FactValue]


@dataclass(frozen=True)
class FactDef:
    """One fact: its label, unit (万元 人 项 年 天 分 比例 是否 文字 资质), derivation and evidence."""

    name: str
    label: str
    unit: str
    evidence: str  # what settles it when the profile cannot
    derive: Derive
    rule: str | None = None  # the RULE_OPS kind when a clause condition may test it
    hard: bool = False  # a clause condition on it excludes (hard) unless the annotation says otherwise


# A fact's value is frozen: the unknown ones, the same for every profile a derivation gives them, are made once.


def _field(name: str) -> Derive:
    unknown = FactValue(name, None, (name,), name)

    def derive(p: Profile, as_of: dt.date) -> FactValue:
        value = getattr(p, name)
        return unknown if value is None else FactValue(name, value, (), name)

    return derive


def _ratio(num: str, den: str, name: str) -> Derive:
    unknown = {
        missing: FactValue(name, None, missing, missing[0] if num in missing else num)
        for missing in ((num,), (den,), (num, den))
    }  # by the fields missing

    def derive(p: Profile, as_of: dt.date) -> FactValue:
        a, b = getattr(p, num), getattr(p, den)
        if a is None or b is None:
            return unknown[(num, den) if a is None and b is None else (num,) if a is None else (den,)]
        if not b or not math.isfinite(a / b):  # 0, or so small the ratio overflows
            return FactValue(name, None, (den,), den, f"{LABELS[den]}为 0，无法计算比例")
        return FactValue(name, a / b, (), num)

    return derive


_rd_ratio_last = _ratio("rd_expense", "revenue", "rd_ratio_3y")  # the one-year ratio ``_rd_ratio_3y`` hints at


def years_and_months(start: dt.date, end: dt.date) -> str:
    """How long from ``start`` to ``end`` as people say it, in whole calendar months (never rounded up):
    "11 年 5 个月", "3 年", "8 个月", "不满 1 个月"."""
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    years, months = divmod(max(months, 0), 12)
    if not years:
        return f"{months} 个月" if months else "不满 1 个月"
    return f"{years} 年" + (f" {months} 个月" if months else "")


def _years_since(name: str, title: str | None) -> Derive:
    """Years (365.25 days) from founding, or from first winning ``title``, to the as-of date."""

    source = "founded" if title is None else "qualification_dates"
    not_given = FactValue(name, None, (source,), source)

    def derive(p: Profile, as_of: dt.date) -> FactValue:
        start = p.founded if title is None else p.qualification_dates.get(title)
        if start is None:
            return not_given
        if start > as_of:  # not yet founded, or the title not yet won, at the as-of date
            return FactValue(name, None, (), source, f"日期 {start.isoformat()} 晚于判断日期 {as_of.isoformat()}")
        return FactValue(name, (as_of - start).days / 365.25, (), source, said=years_and_months(start, as_of))

    return derive


_NO_FOUNDED = FactValue("registered_days", None, ("founded",), "founded")


def _registered_days(p: Profile, as_of: dt.date) -> FactValue:
    if p.founded is None:
        return _NO_FOUNDED
    if p.founded > as_of:
        note = f"成立日期 {p.founded.isoformat()} 晚于判断日期 {as_of.isoformat()}"
        return FactValue("registered_days", None, (), "founded", note)
    days = (as_of - p.founded).days
    said = years_and_months(p.founded, as_of) if days >= 365 else None  # under a year the days say it better
    return FactValue("registered_days", days, (), "founded", said=said)


def _rd_ratio_3y(p: Profile, as_of: dt.date) -> FactValue:
    if p.rd_expense_3y is not None and p.revenue_3y and math.isfinite(p.rd_expense_3y / p.revenue_3y):
        return FactValue("rd_ratio_3y", p.rd_expense_3y / p.revenue_3y, (), "rd_expense_3y")
    last = _rd_ratio_last(p, as_of)
    if last.value is None:
        return last
    # one year is no three-year ratio: unknown, the one-year figure given only as a hint
    note = f"最近一年为 {last.value:.1%}，认定按近三年合计计算"
    return FactValue("rd_ratio_3y", None, ("rd_expense_3y", "revenue_3y"), "rd_expense_3y", note)


def _sum(first: str, second: str, name: str, field: str) -> Derive:
    """The sum of two profile fields (each ≥ 0); unknown when either is missing, with the other as its lower
    bound (``at_least``) when that one is known. ``field`` is the one a gap names."""
    neither = FactValue(name, None, (first, second), first)

    def derive(p: Profile, as_of: dt.date) -> FactValue:
        a, b = getattr(p, first), getattr(p, second)
        if a is None and b is None:
            return neither
        missing = tuple(f for f, v in ((first, a), (second, b)) if v is None)
        if missing:
            known = b if a is None else a  # the fields are ≥ 0 (Profile): the sum is at least the part known
            return FactValue(name, None, missing, missing[0], at_least=known if len(missing) == 1 else None)
        return FactValue(name, a + b, (), field)

    return derive


def _size_class(p: Profile, as_of: dt.date) -> FactValue:
    value = size_class(p)
    if value is not None:
        return FactValue("size_class", value, (), "employees")
    missing = tuple(f for f in ("employees", "revenue") if getattr(p, f) is None)
    if p.industry is None:
        missing = ("industry", *missing)
    elif not sectors_of(p.industry_category):
        return FactValue("size_class", None, (), "industry", "所属行业未能对应划型标准中已收录的行业门类")
    elif not missing:
        sectors = "或".join(sectors_of(p.industry_category))
        note = f"所属行业可能属于{sectors}，按各门类划型结果不同，请确认所属行业门类"
        return FactValue("size_class", None, (), "industry", note)
    return FactValue("size_class", None, missing, missing[0] if missing else "industry")


_NO_INDUSTRY = FactValue("industry", None, ("industry",), "industry")
_NO_QUALIFICATIONS = FactValue("qualifications", None, ("qualifications",), "qualifications")


def _industry(p: Profile, as_of: dt.date) -> FactValue:
    """The controlled-list industry (``shown``: the enterprise's own words for it)."""
    if p.industry is None:
        return _NO_INDUSTRY
    return FactValue("industry", p.industry_category, (), "industry", shown=p.industry)


def _qualifications(p: Profile, as_of: dt.date) -> FactValue:
    """The titles held at ``as_of``; unknown (None) when the profile does not say, the empty set when it says none."""
    held = held_at(p, as_of)
    if held is None:
        return _NO_QUALIFICATIONS
    return FactValue("qualifications", set(held), (), "qualifications")


def held_at(p: Profile, as_of: dt.date) -> list[str] | None:
    """The titles the profile holds at ``as_of``: those without a date, or first won on or before it.

    None when the profile does not say which titles it holds (unknown, never "none").
    """
    if p.qualifications is None:
        return None
    return [t for t in p.qualifications if (won := p.qualification_dates.get(t)) is None or won <= as_of]


def _not_in_profile(name: str, field: str) -> Derive:
    """A fact no profile field gives (e.g. a ratio to 成本费用总额): always unknown, its gap naming ``field``."""

    unknown = FactValue(name, None, (), field)

    def derive(p: Profile, as_of: dt.date) -> FactValue:
        return unknown

    return derive


_CONFIRM = FactValue("confirm", None, (), "confirm")


def _confirm(p: Profile, as_of: dt.date) -> FactValue:
    return _CONFIRM


_DEFS: tuple[FactDef, ...] = (
    # what a profile states
    FactDef("region", "注册地", "文字", "以营业执照所载注册地为准", _field("region"), "choice", True),
    FactDef("park", "所在园区", "文字", "以实际经营地址所在园区为准", _field("park"), "text", True),
    FactDef("industry", "所属行业", "文字", "请填写所属行业（主营业务）", _industry, "choice", True),
    FactDef("stage", "发展阶段", "文字", "请选择发展阶段", _field("stage"), "choice"),
    # a title the enterprise does not hold rules a measure out for now (hard); the measure is then
    # listed among those the title would unlock (Verdict.unlocks_with), not as 需补充条件
    FactDef("qualifications", "已有资质", "资质", "请填写已有资质", _qualifications, "set", True),
    FactDef(
        "foreign_invested", "是否外资企业", "是否", "以营业执照企业类型为准", _field("foreign_invested"), "bool", True
    ),
    FactDef("employees", "职工总数", "人", "以社保缴纳或劳动合同人数为准", _field("employees"), "number"),
    FactDef("rd_staff", "科技人员数", "人", "以直接从事研发和相关技术创新活动的人员计", _field("rd_staff"), "number"),
    FactDef("revenue", "最近一年营业收入", "万元", "以上年度财务报表为准", _field("revenue"), "number"),
    FactDef("rd_expense", "最近一年研发费用", "万元", "以研发费用专项审计或辅助账为准", _field("rd_expense"), "number"),
    FactDef(
        "high_tech_revenue",
        "高新技术产品（服务）收入",
        "万元",
        "以近一年高新技术产品（服务）收入专项审计报告为准",
        _field("high_tech_revenue"),
        "number",
    ),
    FactDef("total_assets", "资产总额", "万元", "以上年度资产负债表为准", _field("total_assets"), "number"),
    FactDef("invention_patents", "有效发明专利数", "项", "以有效专利证书为准", _field("invention_patents"), "number"),
    FactDef(
        "other_ip", "其他知识产权数（实用新型、软件著作权等）", "项", "以有效证书为准", _field("other_ip"), "number"
    ),
    FactDef("rd_expense_prev", "前一年度研发费用", "万元", "以前一年度研发费用辅助账为准", _field("rd_expense_prev")),
    # derived from the profile at the as-of date
    FactDef(
        "age_years", "成立年限（年）", "年", "请填写成立日期（营业执照所载）", _years_since("age_years", None), "number"
    ),
    FactDef(
        "hnte_age_years",
        "高新技术企业首次认定至今年限（年）",
        "年",
        "请填写首次认定为高新技术企业的日期（证书所载）",
        _years_since("hnte_age_years", "高新技术企业"),
        "number",
    ),
    FactDef("registered_days", "注册成立时间", "天", "请填写成立日期（营业执照所载）", _registered_days),
    FactDef(
        "rd_expense_2y",
        "近两年研发费用合计",
        "万元",
        "以近两年研发费用辅助账为准",
        _sum("rd_expense", "rd_expense_prev", "rd_expense_2y", "rd_expense"),
    ),
    FactDef(
        "rd_ratio",
        "最近一年研发费用占营业收入比例",
        "比例",
        "以上年度研发费用和营业收入计算",
        _ratio("rd_expense", "revenue", "rd_ratio"),
        "number",
    ),
    FactDef(
        "rd_ratio_prev",
        "前一年度研发费用占营业收入比例",
        "比例",
        "请填写前一年度的研发费用和营业收入",
        _ratio("rd_expense_prev", "revenue_prev", "rd_ratio_prev"),
    ),
    FactDef(
        "ip_total",
        "知识产权总数（发明专利与其他知识产权）",
        "项",
        "以有效的专利证书、集成电路布图设计登记证书等为准",
        # other_ip includes 集成电路布图设计, a class I right: the sum is the most class I IP there can be
        _sum("invention_patents", "other_ip", "ip_total", "other_ip"),
    ),
    FactDef(
        "rd_cost_ratio",
        "研发费用占成本费用支出总额比例",
        "比例",
        "以上年度成本费用支出总额（财务报表）计算；档案不收录成本费用总额",
        _not_in_profile("rd_cost_ratio", "rd_expense"),
    ),
    FactDef(
        "rd_ratio_3y",
        "近三年研发费用占销售收入比例",
        "比例",
        "以近三个会计年度研发费用专项审计报告为准",
        _rd_ratio_3y,
    ),
    FactDef(
        "rd_staff_ratio",
        "科技人员占职工总数比例",
        "比例",
        "以当年科技人员名册和职工总数计算",
        _ratio("rd_staff", "employees", "rd_staff_ratio"),
        "number",
    ),
    FactDef(
        "high_tech_share",
        "高新技术产品（服务）收入占总收入比例",
        "比例",
        "以近一年高新技术产品（服务）收入专项审计报告为准",
        _ratio("high_tech_revenue", "revenue", "high_tech_share"),
    ),
    FactDef(
        "size_class",
        "企业规模",
        "文字",
        "请按《统计上大中小微型企业划分办法（2017）》确认企业属于中型、小型或微型企业",
        _size_class,
        "choice",
    ),
    FactDef("confirm", "企业类型", "文字", "请企业自行确认", _confirm, "confirm"),
    # what only the enterprise's own records show (optional profile fields)
    FactDef(
        "rd_domestic_share",
        "境内研发费用占全部研发费用比例",
        "比例",
        "档案无法推算：以研发费用专项审计中境内、境外研发费用的归集为准",
        _field("rd_domestic_share"),
    ),
    FactDef(
        "innovation_score",
        "企业创新能力评价得分",
        "分",
        "档案无法推算：由评审专家按知识产权、科技成果转化能力、研究开发组织管理水平、"
        "企业成长性四项打分，可按《工作指引》自评后填写",
        _field("innovation_score"),
    ),
    FactDef(
        "major_accident",
        "近三年发生重大安全、重大质量事故或严重环境违法行为",
        "是否",
        "证明材料：以应急、市场监管、生态环境部门的记录或企业承诺为准",
        _field("major_accident"),
    ),
    FactDef(
        "main_business_share",
        "主营业务收入占营业收入比例",
        "比例",
        "证明材料：以上年度财务报表中主营业务收入计算",
        _field("main_business_share"),
    ),
    FactDef(
        "debt_ratio",
        "资产负债率",
        "比例",
        "证明材料：以上年度资产负债表（负债总额 ÷ 资产总额）计算",
        _field("debt_ratio"),
    ),
    FactDef(
        "niche_years",
        "从事特定细分市场年限",
        "年",
        "证明材料：以主导产品首次销售的合同、发票等为准",
        _field("niche_years"),
    ),
    FactDef(
        "equity_financing_2y",
        "近两年新增股权融资",
        "万元",
        "证明材料：以合格机构投资者实缴出资的验资报告或银行回单为准",
        _field("equity_financing_2y"),
    ),
    FactDef(
        "equity_financing_3y",
        "近三年新增股权融资",
        "万元",
        "证明材料：以合格机构投资者实缴出资的验资报告或银行回单为准",
        _field("equity_financing_3y"),
    ),
    FactDef(
        "provincial_rd_institution",
        "拥有省部级以上研发机构",
        "是否",
        "证明材料：以省部级以上主管部门的认定文件为准",
        _field("provincial_rd_institution"),
    ),
    FactDef(
        "national_award_5y",
        "近五年获得国家级科技奖励",
        "是否",
        "证明材料：以获奖证书为准",
        _field("national_award_5y"),
    ),
    FactDef("st_award_3y", "近三年获得国家级或省级科技奖励", "是否", "证明材料：以获奖证书为准", _field("st_award_3y")),
    FactDef(
        "taxable_income",
        "年度应纳税所得额",
        "万元",
        "证明材料：以企业所得税年度汇算清缴申报表为准",
        _field("taxable_income"),
    ),
)
FACTS: dict[str, FactDef] = {d.name: d for d in _DEFS}
RULE_FIELDS: dict[str, FactDef] = {d.name: d for d in _DEFS if d.rule is not None}


def fact(name: str, profile: Profile, as_of: dt.date) -> FactValue:
    """Derive one fact; KeyError for a name not in ``FACTS``."""
    return FACTS[name].derive(profile, as_of)


def fact_label(name: str) -> str:
    """The label people read for a fact, or for a plain profile field, or the name itself."""
    return FACTS[name].label if name in FACTS else LABELS.get(name, name)


class Facts:
    """The facts of one profile at one date, each derived once when first asked for."""

    __slots__ = ("_values", "as_of", "profile")

    def __init__(self, profile: Profile, as_of: dt.date) -> None:
        self.profile = profile
        self.as_of = as_of
        self._values: dict[str, FactValue] = {}

    def fact(self, name: str) -> FactValue:
        """The fact with what settles it when unknown; KeyError for an unregistered name."""
        known = self._values.get(name)
        if known is None:
            known = self._values[name] = FACTS[name].derive(self.profile, self.as_of)
        return known

    def get(self, name: str) -> Any:
        """The fact's value (None: unknown)."""
        return self.fact(name).value
