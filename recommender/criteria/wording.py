"""How values and distances read in Chinese: "2.8%", "220 万元", "按当前收入还差约 220 万元研发投入"."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from ..eligibility.facts import FactValue, fact_label
from ..profile import Profile

OP_SIGNS = {"gte": "≥", "lte": "≤"}


_EXACT = 2**53  # integers up to this size are floats exactly: ``num`` says them as they are


def num(x: float) -> str:
    """220, 2.5, 12000 — integers without decimals, small numbers to one decimal, under 0.1 to two significant
    digits (0.04, never 0 for what is not: 研发费用 400 元 read "0 万元", a break-it trial)."""
    if type(x) is int and -_EXACT <= x <= _EXACT:
        return str(x)  # what rounding it as a float gives, without the rounding (which is slow)
    x = round(float(x), 6)
    if x == int(x):
        return str(int(x))
    if abs(x) >= 100:
        return str(round(x))
    places = 1 if abs(x) >= 0.1 else 1 - math.floor(math.log10(abs(x)))
    return f"{x:.{places}f}".rstrip("0").rstrip(".")


def up(x: float, step: float = 0.1) -> float:
    """A shortfall rounded up, so that adding it is enough (float noise removed first)."""
    x = round(x, 6)
    return math.ceil(x / step - 1e-9) * step if x > 0 else 0.0


def pct(x: float) -> str:
    """A fraction as a percentage, one decimal at most: 0.06 → "6%", 0.125 → "12.5%"."""
    return f"{x * 100:.1f}".rstrip("0").rstrip(".") + "%"


def show(value: Any, unit: str) -> str:
    """A value in its unit as people read it."""
    if value is None:
        return "未填写"
    if unit == "比例":
        return pct(value)
    if unit == "是否" or isinstance(value, bool):
        return "是" if value else "否"
    if unit == "资质":
        return "、".join(sorted(value)) or "无"
    if unit == "文字":
        return value if isinstance(value, str) else str(value[0])
    if unit in {"万元", "人", "项", "年", "天", "分"}:
        return f"{num(value)} {unit}"
    return str(value)


def _money(x: float) -> str:
    """An amount of 万元 to add or cut, with its unit, rounded up so that adding it is enough: "1300 万元",
    "2.5 万元"; under 1 万元 in 元 ("94 元": 0.1 万元 said 94 元 and 341 元 alike, a break-it trial)."""
    yuan = up(x * 10_000, 1)
    if yuan < 10_000:
        return f"{num(yuan)} 元"
    return f"{num(up(x, 1 if x >= 100 else 0.1))} 万元"


# share facts whose gap is money: fact → (the profile field the share is of, what the gap is of)
_SHARE_BASES = {
    "high_tech_share": ("revenue", "按当前营业收入，高新技术产品（服务）收入"),
    "main_business_share": ("revenue", "按当前营业收入，主营业务收入"),
    "rd_domestic_share": ("rd_expense", "按当前研发费用，境内研发费用"),
}


def distance(fv: FactValue, op: str, required: float, profile: Profile, as_of: dt.date, unit: str) -> str:
    """How far the enterprise is from ``op required``, in its own numbers (万元, 人, 天, 百分点 …).

    ``fv.value`` must be known; ``op`` is "gte" or "lte". A fact with a natural base (R&D ratio of
    revenue, staff share of employees, …) is put as what to add or cut; any other by its ``unit``.
    """
    return _fact_distance(fv, op, required, profile) or _unit_distance(fv.value, op, required, unit)


def _fact_distance(fv: FactValue, op: str, required: float, p: Profile) -> str | None:
    """The gap of a fact with a base in the profile, or None when the fact has none or it is unknown."""
    v = fv.value
    if fv.name in {"rd_ratio", "rd_ratio_3y", "rd_ratio_prev"} and op == "gte":
        base, where = _rd_base(fv, p)
        return f"{where}还差约 {_money(required * base - v * base)}研发投入"
    if fv.name == "rd_staff_ratio" and op == "gte" and p.employees is not None and p.rd_staff is not None:
        hires = math.ceil(round((required * p.employees - p.rd_staff) / (1 - required), 6))
        return f"还需新增约 {hires} 名科技人员（新增人员计入职工总数）"
    if fv.name in _SHARE_BASES and op == "gte":
        field, what = _SHARE_BASES[fv.name]
        base = getattr(p, field)
        if base is not None:
            return f"{what}还差约 {_money((required - v) * base)}"
    if fv.name == "debt_ratio" and op == "lte" and p.total_assets is not None:
        return f"按当前资产总额，需减少负债约 {_money((v - required) * p.total_assets)}"
    if fv.name == "registered_days" and p.founded is not None:
        days = math.ceil(required)
        if (dt.date.max - p.founded).days < days:
            return f"还需 {num(required - v)} 天"
        return f"还需 {num(required - v)} 天（{(p.founded + dt.timedelta(days=days)).isoformat()} 起满足）"
    return None


def _rd_base(fv: FactValue, p: Profile) -> tuple[float, str]:
    """The revenue (万元) an R&D ratio is of, and how the message names it."""
    if fv.field == "rd_expense_3y":
        base, where = p.revenue_3y, "按近三年销售收入合计"
    elif fv.field == "rd_expense_prev":
        base, where = p.revenue_prev, "按前一年度收入"
    else:
        base, where = p.revenue, "按当前收入"
    assert base is not None
    return base, where


def _unit_distance(v: float, op: str, required: float, unit: str) -> str:
    """The gap by unit: 百分点 for a share, whole 人 / 项, 万元 rounded up, 年, else the number and unit."""
    if unit == "比例":
        return f"{'还差' if op == 'gte' else '超出'} {num(abs(required - v) * 100)} 个百分点"
    gap = required - v if op == "gte" else v - required
    word = "还差" if op == "gte" else "超出"
    if unit == "万元":
        return f"{word} {_money(gap)}"
    shown = num(math.ceil(round(gap, 6)) if unit in {"人", "项"} else gap)
    if unit == "年":
        return f"还需约 {shown} 年"
    return f"{word} {shown} {unit}".rstrip()


def brief(value: Any, unit: str) -> str:
    """A parameter's value in one line: a number, a list, a mapping or a table of bands."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return show(value, unit) if unit != "比例" else pct(value)
    if isinstance(value, dict):
        return "；".join(f"{k} → {'、'.join(v) if isinstance(v, list) else v}" for k, v in value.items())
    if isinstance(value, list) and value and isinstance(value[0], dict):
        rows = []
        for band in value:
            if "points" in band:
                when = "，".join(
                    f"{fact_label(k)} ≥ {pct(v) if isinstance(v, float) and v < 1 else num(v)}"
                    for k, v in band.items()
                    if k not in {"points", "label"}
                )
                rows.append(f"{when or '其他'}：{num(band['points'])} 分")
            else:
                rows.append(f"{band.get('label', '')}：{pct(band['value'])}")
        return "；".join(rows)
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return "无" if value is None else str(value)
