"""Evaluate a clause's declarative eligibility rule against a profile: met / not met / unknown."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from .corpus_models import Clause, Condition, DocumentMeta
from .profile import LABELS, Profile

State = Literal["met", "not_met", "unknown"]
Status = Literal["eligible", "partial", "unknown", "ineligible"]
STATUS_LABELS: dict[str, str] = {
    "eligible": "可申请",
    "partial": "需补充条件",
    "unknown": "信息不足",
    "ineligible": "不符合",
}
RATIO_FIELDS = {"rd_ratio", "rd_staff_ratio"}
TITLE_AGE_FIELDS = {"hnte_age_years": "高新技术企业"}  # facts that exist once a title is held
MONEY_FIELDS = {"revenue", "rd_expense", "high_tech_revenue", "total_assets"}


@dataclass(frozen=True)
class Gap:
    field: str
    required: str
    actual: str
    message: str
    qualification: str | None = None  # a title the enterprise could still win (see readiness)

    def as_dict(self) -> dict[str, Any]:
        data = {"field": self.field, "required": self.required, "actual": self.actual, "message": self.message}
        if self.qualification:
            data["qualification"] = self.qualification
        return data


@dataclass
class Verdict:
    status: Status
    reasons: list[str] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    met_specific: int = 0  # conditions met beyond the document's own area

    @property
    def unlocks_with(self) -> list[str]:
        """Titles that would turn this measure eligible, when titles are all that is missing."""
        if self.status != "partial" or not self.gaps or any(g.qualification is None for g in self.gaps):
            return []
        return sorted({g.qualification for g in self.gaps if g.qualification})


class Facts:
    """The values a rule may test, derived once from a profile at a date."""

    def __init__(self, profile: Profile, as_of: dt.date) -> None:
        from .criteria.size import size_class

        self.profile = profile
        self._values: dict[str, Any] = {
            "region": profile.region,
            "park": profile.park,
            "industry": profile.industry_category,
            "stage": profile.stage,
            "qualifications": set(profile.qualifications),
            "foreign_invested": profile.foreign_invested,
            "age_years": profile.age_years(as_of),
            "hnte_age_years": profile.title_age_years("高新技术企业", as_of),
            "confirm": None,  # never known from a profile: the enterprise confirms it
            "rd_ratio": profile.rd_ratio,
            "rd_staff_ratio": profile.rd_staff_ratio,
            "size_class": size_class(profile),
        }

    def get(self, name: str) -> Any:
        if name in self._values:
            return self._values[name]
        return getattr(self.profile, name)


def _display(field: str, value: Any) -> str:
    if value is None or value == set():
        return "未填写" if value is None else "无"
    if field in RATIO_FIELDS:
        return f"{value * 100:.1f}%"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (set, list, tuple)):
        return "、".join(sorted(value))
    if isinstance(value, float):
        text = f"{value:.1f}".rstrip("0").rstrip(".")
        return text + ("万元" if field in MONEY_FIELDS else "")
    if field in MONEY_FIELDS:
        return f"{value}万元"
    return str(value)


def requirement(cond: Condition) -> str:
    """What a condition asks, in words a person reads."""
    values = cond.value if isinstance(cond.value, list) else [cond.value]
    shown = "、".join(_display(cond.field, v) if not isinstance(v, str) else v for v in values)
    return {
        "in": f"为{shown}",
        "not_in": f"不为{shown}",
        "contains_any": f"位于{shown}",
        "any_of": f"具备{shown}" if len(values) == 1 else f"具备{shown}之一",
        "all_of": f"同时具备{shown}",
        "none_of": f"不具备{shown}",
        "is": "是" if cond.value else "否",
        "gte": f"≥ {shown}",
        "gt": f"> {shown}",
        "lte": f"≤ {shown}",
        "lt": f"< {shown}",
        "declared": f"属于{shown}",
    }[cond.op]


def _test(op: str, actual: Any, expected: Any) -> bool:
    if op == "in":
        return actual in expected
    if op == "not_in":
        return actual not in expected
    if op == "contains_any":
        return any(word in actual for word in expected)
    if op == "any_of":
        return bool(actual & set(expected))
    if op == "all_of":
        return set(expected) <= actual
    if op == "none_of":
        return not actual & set(expected)
    if op == "is":
        return actual is expected
    return {"gte": actual >= expected, "gt": actual > expected, "lte": actual <= expected, "lt": actual < expected}[op]


def check(cond: Condition, facts: Facts) -> tuple[State, str]:
    """One condition: its state and the enterprise's value as shown to people."""
    actual = facts.get(cond.field)
    shown = _display(cond.field, actual)
    if actual is None:
        return "unknown", shown
    if cond.field == "qualifications" and cond.op in {"any_of", "all_of"} and not actual:
        return "not_met", shown
    if _test(cond.op, actual, cond.value):
        return "met", shown
    return ("unknown" if cond.otherwise == "unknown" else "not_met"), shown


def area_conditions(doc: DocumentMeta) -> list[Condition]:
    """The document's own area as conditions, unless a clause states its own."""
    conditions = []
    if doc.applies_to.regions:
        conditions.append(Condition(field="region", op="in", value=list(doc.applies_to.regions), quote=doc.title))
    if doc.applies_to.parks:
        conditions.append(
            Condition(
                field="park", op="contains_any", value=list(doc.applies_to.parks), otherwise="unknown", quote=doc.title
            )
        )
    return conditions


def conditions_for(clause: Clause, doc: DocumentMeta) -> list[Condition]:
    own_area = any(c.field in {"region", "park"} for c in clause.eligibility)
    return ([] if own_area else area_conditions(doc)) + list(clause.eligibility)


def _gap(cond: Condition, state: State, shown: str, doc: DocumentMeta) -> Gap:
    label = LABELS.get(cond.field, cond.field)
    need = requirement(cond)
    if cond.field == "park":
        need = f"位于{doc.applies_to.zone or '、'.join(cond.value)}所属园区"
    if cond.field == "confirm":
        message = f"请确认企业是否属于{'、'.join(cond.value)}（原文：“{cond.quote}”）"
    elif state == "unknown" and shown == "未填写":
        message = f"请补充{label}：本措施要求{label}{need}（原文：“{cond.quote}”）"
    elif state == "unknown":
        message = f"请确认{label}是否{need}：现为{shown}（原文：“{cond.quote}”）"
    else:
        message = f"本措施要求{label}{need}，企业现为{shown}（原文：“{cond.quote}”）"
    title = None
    if cond.field == "qualifications" and cond.op == "any_of" and not cond.is_hard:
        title = cond.value[0]
    return Gap(field=cond.field, required=need, actual=shown, message=message, qualification=title)


def evaluate(clause: Clause, doc: DocumentMeta, facts: Facts) -> Verdict:
    reasons: list[str] = []
    gaps: list[Gap] = []
    hard_fail = hard_unknown = soft_open = False
    met_specific = 0
    for cond in conditions_for(clause, doc):
        state, shown = check(cond, facts)
        label = LABELS.get(cond.field, cond.field)
        if state == "met":
            if cond.quote == doc.title:  # the document's own area: its scope, not a quotation
                reasons.append(f"{label}{shown}，在《{doc.short_title}》的适用范围内")
            else:
                reasons.append(f"{label}{shown}，符合“{cond.quote}”")
            met_specific += cond.field not in {"region", "park"}
            continue
        gap = _gap(cond, state, shown, doc)
        title = TITLE_AGE_FIELDS.get(cond.field)
        if title and title not in facts.get("qualifications"):  # settled by winning the title first
            gap = replace(gap, qualification=title)
        gaps.append(gap)
        if cond.is_hard:
            hard_fail |= state == "not_met"
            hard_unknown |= state == "unknown"
        else:
            soft_open = True
    status: Status = (
        "ineligible" if hard_fail else "unknown" if hard_unknown else "partial" if soft_open else "eligible"
    )
    return Verdict(status=status, reasons=reasons, gaps=gaps, met_specific=met_specific)
