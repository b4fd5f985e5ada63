"""What one clause condition means: its test, its wording, and its state for a profile.

A condition (``corpus_models.Condition``) tests one fact of ``facts.RULE_FIELDS`` with one
operator of ``facts.RULE_OPS``; ``check`` gives met / not met / unknown. The vectorised
evaluator (``matrix``) calls ``check`` for every non-numeric condition, so a condition's meaning
is defined here only.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from ..corpus_models import Clause, Condition, DocumentMeta
from ..text_clean import fold
from .facts import FACTS, Facts, fact_label
from .status import State

# the numeric operators, as numpy ufuncs: the same on one value (``check``) and on arrays (``matrix``)
NUMERIC_OPS = {"gte": np.greater_equal, "gt": np.greater, "lte": np.less_equal, "lt": np.less}


_UNITS = {"万元", "人", "项", "年"}  # units a number is said with: "1200万元", "500人", "3年"


def display(field: str, value: Any, units: bool = True) -> str:
    """A fact's value as people read it: 未填写 (unknown), 无 (empty set), 3.5%, 1200万元, 500人, 是/否;
    without ``units`` a count or age is the bare number (the staff pages' compact ``requirement``: ≥ 500)."""
    if value is None or value == set():
        return "未填写" if value is None else "无"
    unit = FACTS[field].unit if field in FACTS else ""
    if unit == "比例":
        return f"{value * 100:.1f}%"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (set, list, tuple)):
        return "、".join(sorted(value))
    text = f"{value:.1f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    return text + (unit if unit == "万元" or (units and unit in _UNITS) else "")


def _said(facts: Facts, field: str, value: Any) -> str:
    """The enterprise's value as people say it: an age in years and months ("11 年 5 个月"), else ``display``."""
    return facts.fact(field).said or display(field, value)


def requirement(cond: Condition) -> str:
    """What a condition asks, in words a person reads (为浦东新区, ≥ 3.0%, 具备高新技术企业之一 …)."""
    values = cond.value if isinstance(cond.value, list) else [cond.value]
    shown = "、".join(display(cond.field, v, units=False) if not isinstance(v, str) else v for v in values)
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


# how a title is obtained, as a sentence says it ("已取得高新技术企业认定"); the others are 认定
_TITLE_WORD = {"科技型中小企业": "入库登记编号", "创新型中小企业": "资格", "在孵企业": "身份", "孵化载体": "资格"}
# comparison words by unit: a count is 不少于 500 人, an age 满 3 年, an amount or share 不低于 3%
_COMPARED = {
    "count": {"gte": "不少于", "gt": "多于", "lte": "不超过", "lt": "少于"},
    "age": {"gte": "满", "gt": "超过", "lte": "不超过", "lt": "不满"},
    "amount": {"gte": "不低于", "gt": "高于", "lte": "不超过", "lt": "低于"},
}
_NOUN = {"age_years": "成立", "hnte_age_years": "首次认定高新技术企业"}  # ages said as "成立满 3 年"


def _either(items: list[str]) -> str:
    """ "A", "A或B", "A、B或C"."""
    return items[0] if len(items) == 1 else "、".join(items[:-1]) + "或" + items[-1]


def _titles(values: list[str], both: bool = False) -> str:
    """Titles as obtained: "高新技术企业认定", "专精特新中小企业或专精特新"小巨人"认定", "A认定和B资格"."""
    words = {_TITLE_WORD.get(t, "认定") for t in values}
    if len(words) == 1:  # one word for all: "A或B认定"
        return ("和".join(values) if both else _either(values)) + words.pop()
    named = [t + _TITLE_WORD.get(t, "认定") for t in values]
    return "和".join(named) if both else _either(named)


def _spoken_label(field: str) -> str:
    """A fact's label inside a sentence: without its unit ("成立年限（年）" → "成立年限") or 是否 ("外资企业")."""
    label = re.sub(r"（[^（）]*）$", "", fact_label(field))
    return label.removeprefix("是否")


def has(field: str, shown: str) -> str:
    """What the enterprise has, as the words after 企业 ("企业…"): "注册地为黄浦区", "现有资质为高新技术企业",
    "尚无资质", "是外资企业", "成立年限为11 年 5 个月"."""
    if field == "qualifications":
        return "尚无资质" if shown == "无" else f"现有资质为{shown}"
    label = fact_label(field)
    if label.startswith("是否") and shown in {"是", "否"}:
        return ("是" if shown == "是" else "不是") + label.removeprefix("是否")
    return f"{_spoken_label(field)}为{shown}"


def enterprise_has(field: str, shown: str) -> str:
    """``has`` with its subject: "企业注册地为黄浦区", "企业尚无资质", "企业规模为小型" (not 企业企业规模)."""
    said = has(field, shown)
    return said if said.startswith("企业") else f"企业{said}"


def need(cond: Condition, zone: str | None = None) -> str:
    """What a condition asks of the enterprise, as the words after 需 ("本措施需…"): "注册地在浦东新区",
    "已取得高新技术企业认定", "职工总数不超过500人", "成立满3年", "为外资企业", "所在园区属于张江高新区（如张江）"."""
    values = cond.value if isinstance(cond.value, list) else [cond.value]
    names = [display(cond.field, v) if not isinstance(v, str) else v for v in values]
    label = _spoken_label(cond.field)
    if cond.field == "qualifications":
        return {
            "any_of": f"已取得{_titles(names)}",
            "all_of": f"同时取得{_titles(names, both=True)}",
            "none_of": f"尚未取得{_titles(names)}",
        }[cond.op]
    if cond.field == "park":
        return f"所在园区属于{zone}（如{'、'.join(names)}）" if zone else f"所在园区为{_either(names)}"
    if cond.field == "region":
        return f"注册地{'在' if cond.op == 'in' else '不在'}{_either(names)}"
    if cond.field == "size_class":
        return f"为{_either(names)}企业" if cond.op == "in" else f"不是{_either(names)}企业"
    if cond.field == "stage":
        return f"处于{_either(names)}" if cond.op == "in" else f"不处于{_either(names)}"
    if cond.op in {"in", "not_in"}:
        return f"{label}{'为' if cond.op == 'in' else '不为'}{_either(names)}"
    if cond.op == "is":
        return f"{'为' if cond.value else '不是'}{label}"
    if cond.op == "declared":
        return f"属于{_either(names)}"
    if cond.op == "contains_any":
        return f"{label}为{_either(names)}"
    unit = FACTS[cond.field].unit
    kind = "age" if cond.field in _NOUN else "count" if unit in {"人", "项"} else "amount"
    return f"{_NOUN.get(cond.field, label)}{_COMPARED[kind][cond.op]}{names[0]}"


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
    shown = display(cond.field, actual) if actual is None else _said(facts, cond.field, actual)
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


def asks_the_enterprise(clause: Clause, doc: DocumentMeta) -> bool:
    """Whether the clause's rule has a condition beyond where the enterprise is (``is_area``): only then can it
    be 可申请 (``status.display_state``)."""
    return any(not is_area(c) for c in conditions_for(clause, doc))
