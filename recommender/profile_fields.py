"""What each profile field holds, read from the Profile model, so that forms, rosters and sheets
follow the model when it grows (e.g. the optional readiness facts) without a second list of types.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import Any

from .profile import LABELS, Profile, annotation_kind, is_ratio

# The fields of ../shared/spec/profile.md, in its order; the model may add optional ones after them.
SPEC_FIELDS = (
    "name",
    "region",
    "park",
    "industry",
    "stage",
    "founded",
    "employees",
    "rd_staff",
    "revenue",
    "rd_expense",
    "high_tech_revenue",
    "total_assets",
    "invention_patents",
    "other_ip",
    "qualifications",
    "qualification_dates",
    "foreign_invested",
    "needs",
    "description",
)


_UNIT = re.compile(r"（(?:万元|年|%)）$")


def form_name(field: str, title: str | None = None) -> str:
    """How a sentence names the 企业自测 form's field for a profile field: its label without the unit
    ("营业收入", "职工总数"); a title's date (``qualification_dates``) as the form shows it once the title is
    chosen, "“高新技术企业 取得日期”（在“已有资质”中选高新技术企业后填写）"."""
    if field == "qualification_dates":
        if title is None:
            return "资质取得日期（在“已有资质”中选定资质后填写）"
        return f"“{title} 取得日期”（在“已有资质”中选{title}后填写）"
    return _UNIT.sub("", LABELS.get(field, field))


def extra_fields() -> list[str]:
    """Optional fields the model has beyond the spec's."""
    return [f for f in Profile.model_fields if f not in SPEC_FIELDS]


@cache  # the model's fields are fixed: a roster asks once per cell
def field_kind(name: str) -> str:
    """int, float, bool, date, list, dict or text. KeyError for a name the profile model does not have."""
    return annotation_kind(Profile.model_fields[name].annotation)


def shown(name: str, value: Any) -> str:
    """A field's value as a person reads it; 未填写 when unknown, 无 for a list stated empty."""
    if value is None or value == {}:
        return "未填写"
    if value == []:
        return "无"
    if isinstance(value, bool):
        return "是" if value else "否"
    if is_ratio(name) and isinstance(value, (int, float)):
        return f"{value * 100:.1f}".rstrip("0").rstrip(".") + "%"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, (list, tuple)):
        return "、".join(map(str, value))
    if isinstance(value, dict):
        return "；".join(f"{k} {v.isoformat() if isinstance(v, dt.date) else v}" for k, v in value.items())
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def shown_fields(profile: Profile) -> dict[str, str]:
    """The fields a profile gives, as a person reads them: {Chinese label: ``shown`` value}, in model order."""
    return {LABELS[name]: shown(name, getattr(profile, name)) for name in profile.public_dict()}
