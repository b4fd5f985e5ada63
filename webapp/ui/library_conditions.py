"""Eligibility conditions as reviewers read and write them: in words, and as five widgets
(字段, 运算, 取值, 原文依据, 必要条件) whose values become a condition dict for ``documents.decide``."""

from __future__ import annotations

import math
from typing import Any

import streamlit as st

from recommender.corpus_models import Condition
from recommender.eligibility.conditions import requirement
from recommender.eligibility.facts import RULE_FIELDS, RULE_OPS, fact_label
from recommender.quantities import QuantityError, read_money
from recommender.registry.documents import allowed_values

from .markup import md

FIELDS = list(RULE_FIELDS)
OP_LABELS = {
    "in": "属于",
    "not_in": "不属于",
    "contains_any": "包含其中任一词",
    "any_of": "具备其中之一",
    "all_of": "全部具备",
    "none_of": "均不具备",
    "is": "是 / 否",
    "gte": "≥ 不低于",
    "gt": "> 高于",
    "lte": "≤ 不超过",
    "lt": "< 低于",
    "declared": "由企业确认属于",
}
_ORDER = list(OP_LABELS)
PARTS = ("field", "op", "value", "quote", "hard")
YES, NO = ("是", "true", "yes", "对"), ("否", "false", "no", "不")


def ops_for(field: str) -> list[str]:
    """The operators a condition on ``field`` may use, in a fixed order."""
    kind = RULE_FIELDS[field].rule
    assert kind is not None
    return sorted(RULE_OPS[kind], key=_ORDER.index)


def field_label(field: str) -> str:
    """字段 as people read it, with its unit where it has a number."""
    unit, label = RULE_FIELDS[field].unit, fact_label(field)
    shown = unit in ("万元", "人", "项", "年", "比例") and f"（{unit}）" not in label and "比例" not in label
    return f"{label}（{unit}）" if shown else label


def words(condition: dict[str, Any]) -> str:
    """A stored condition in words: 已有资质具备高新技术企业, 最近一年研发费用 ≥ 1000万元 …"""
    try:
        cond = Condition.model_validate(condition)
    except ValueError:
        return f"{condition.get('field')} {condition.get('op')} {condition.get('value')}"
    hard = "" if cond.is_hard else "（非必要条件）"
    return f"{fact_label(cond.field)}{requirement(cond)}{hard}"


def value_text(field: str, value: Any) -> str:
    """A condition's value as it goes into the 取值 box: lists joined by 、, shares as percentages."""
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)) and RULE_FIELDS[field].unit == "比例":
        return f"{value * 100:g}%"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def parse_value(field: str, text: str) -> tuple[Any, str | None]:
    """The 取值 box's text as a condition value for ``field``: (value, None) or (None, what is wrong)."""
    text = (text or "").strip()
    kind = RULE_FIELDS[field].rule
    if not text:
        return None, "请填写取值"
    if kind == "bool":
        low = text.lower()
        if low in YES or low in NO:
            return low in YES, None
        return None, "取值应为“是”或“否”"
    if kind == "number" and RULE_FIELDS[field].unit == "万元":  # as a roster's cell: 1亿, 1200万, 1,000（万元）
        try:
            wan = read_money(text).value
            return (int(wan) if wan.is_integer() else wan), None
        except QuantityError as exc:
            return None, f"{fact_label(field)}（万元）的取值{exc}"
    if kind == "number":
        share = RULE_FIELDS[field].unit == "比例"
        raw = text.rstrip("%％").replace(",", "").replace("，", "")
        try:
            number = float(raw)
        except ValueError:
            number = math.nan
        if not math.isfinite(number) or number < 0:
            return None, f"{fact_label(field)}的取值应为不小于 0 的数字（如 {'3%' if share else '1000'}）"
        if share and (text.endswith(("%", "％")) or number > 1):
            number /= 100
        return (int(number) if number.is_integer() and not share else number), None
    return [w.strip() for w in text.replace("，", "、").replace(",", "、").split("、") if w.strip()], None


def state(condition: dict[str, Any] | None) -> dict[str, Any]:
    """The five widgets' values for a condition (an empty one for a new condition: a hard one)."""
    if not condition:
        return {"field": "qualifications", "op": "any_of", "value": "", "quote": "", "hard": True}
    field = condition["field"]
    hard = condition.get("hard")
    return {
        "field": field,
        "op": condition["op"],
        "value": value_text(field, condition["value"]),
        "quote": condition["quote"],
        "hard": RULE_FIELDS[field].hard if hard is None else bool(hard),
    }


def built(values: dict[str, Any], base: dict[str, Any] | None) -> tuple[dict[str, Any] | None, str | None]:
    """The widgets' values as a condition dict (keeping ``base``'s ``otherwise``), or what is wrong."""
    field, op = values["field"], values["op"]
    if field not in RULE_FIELDS:
        return None, "请选择条件字段"
    if op not in ops_for(field):
        return None, f"{fact_label(field)}不能用“{OP_LABELS.get(op, op)}”，请重新选择运算"
    value, problem = parse_value(field, values["value"])
    if problem:
        return None, problem
    quote = (values["quote"] or "").strip()
    if len(quote) < 2:
        return None, "请填写该条件依据的原文（至少两个字）"
    extra = {k: base[k] for k in ("otherwise",) if base and k in base and base["field"] == field}
    return {"field": field, "op": op, "value": value, "quote": quote, "hard": bool(values["hard"]), **extra}, None


def _field_changed(op_key: str, field_key: str) -> None:
    """A new field keeps the operator when it still applies, else takes the field's first one."""
    ops = ops_for(st.session_state[field_key])
    if st.session_state.get(op_key) not in ops:
        st.session_state[op_key] = ops[0]


def editor(keys: dict[str, str]) -> None:
    """The five widgets of one condition; ``keys``: part (``PARTS``) → widget key. 取值 names the values
    a listed field may take."""
    a, b, c = st.columns([2, 1.3, 2])
    a.selectbox(
        "条件字段", FIELDS, format_func=field_label, key=keys["field"], on_change=_field_changed,
        args=(keys["op"], keys["field"]), placeholder="请选择",
    )  # fmt: skip
    b.selectbox(
        "运算",
        ops_for(st.session_state[keys["field"]]),
        format_func=OP_LABELS.get,
        key=keys["op"],
        placeholder="请选择",
    )
    allowed = allowed_values(st.session_state[keys["field"]])
    hint = f"可选：{'、'.join(allowed)}" if allowed else "数字不带单位；比例可写 3%"
    c.text_input("取值", key=keys["value"], placeholder="多个用“、”分隔", help=hint)
    if allowed:
        st.caption(f"取值可选：{'、'.join(allowed)}")
    st.text_input("原文依据", key=keys["quote"], placeholder="从条款原文中复制这一条件所依据的话")
    st.checkbox(
        "必要条件",
        key=keys["hard"],
        help="勾选：不满足即不符合（如“职工人数不超过300人”）；不勾选：不满足时列为“需补充条件”",
    )


def quote_line(condition: dict[str, Any]) -> str:
    """The words a condition rests on, for a caption."""
    return f"依据：“{md(condition.get('quote') or '')}”"
