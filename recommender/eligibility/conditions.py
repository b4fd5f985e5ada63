"""What one clause condition means: its test, its wording, and its state for a profile.

A condition (``corpus_models.Condition``) tests one fact of ``facts.RULE_FIELDS`` with one
operator of ``facts.RULE_OPS``; ``check`` gives met / not met / unknown. The vectorised
evaluator (``matrix``) calls ``check`` for every non-numeric condition, so a condition's meaning
is defined here only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..corpus_models import Clause, Condition, DocumentMeta
from ..text_clean import fold
from .facts import FACTS, Facts
from .status import State

# the numeric operators, as numpy ufuncs: the same on one value (``check``) and on arrays (``matrix``)
NUMERIC_OPS = {"gte": np.greater_equal, "gt": np.greater, "lte": np.less_equal, "lt": np.less}


def display(field: str, value: Any) -> str:
    """A fact's value as people read it: 未填写 (unknown), 无 (empty set), 3.5%, 1200万元, 是/否."""
    if value is None or value == set():
        return "未填写" if value is None else "无"
    unit = FACTS[field].unit if field in FACTS else ""
    if unit == "比例":
        return f"{value * 100:.1f}%"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (set, list, tuple)):
        return "、".join(sorted(value))
    if isinstance(value, float):
        text = f"{value:.1f}".rstrip("0").rstrip(".")
        return text + ("万元" if unit == "万元" else "")
    if unit == "万元":
        return f"{value}万元"
    return str(value)


def requirement(cond: Condition) -> str:
    """What a condition asks, in words a person reads (为浦东新区, ≥ 3.0%, 具备高新技术企业之一 …)."""
    values = cond.value if isinstance(cond.value, list) else [cond.value]
    shown = "、".join(display(cond.field, v) if not isinstance(v, str) else v for v in values)
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
    if op == "contains_any":  # park names, compared folded: 張江科學城 is in 张江
        return any(fold(word) in fold(actual) for word in expected)
    if op == "any_of":
        return bool(actual & set(expected))
    if op == "all_of":
        return set(expected) <= actual
    if op == "none_of":
        return not actual & set(expected)
    if op == "is":
        return actual is expected
    return bool(NUMERIC_OPS[op](actual, expected))


def check(cond: Condition, facts: Facts) -> tuple[State, str]:
    """One condition's state for a profile, and the enterprise's value as shown to people.

    Unknown when the fact is unknown; a failed test is not met, or unknown when the condition says
    ``otherwise: unknown`` (e.g. a park name that may be written differently).
    """
    actual = facts.get(cond.field)
    shown = display(cond.field, actual)
    if actual is None:
        return "unknown", shown
    if cond.field == "qualifications" and cond.op in {"any_of", "all_of"} and not actual:
        return "not_met", shown
    if _test(cond.op, actual, cond.value):
        return "met", shown
    return ("unknown" if cond.otherwise == "unknown" else "not_met"), shown


def area_conditions(doc: DocumentMeta) -> list[Condition]:
    """The document's own area (districts, parks) as conditions quoting the document's title."""
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
    """Every condition of a clause's rule: the document's area (unless the clause states its own) + its own."""
    own_area = any(c.field in {"region", "park"} for c in clause.eligibility)
    return ([] if own_area else area_conditions(doc)) + list(clause.eligibility)


def is_area(cond: Condition) -> bool:
    """A condition on where the enterprise is (not counted as a specific condition met)."""
    return cond.field in {"region", "park"}
