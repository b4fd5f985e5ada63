"""假设分析: change one condition of a clause, or a document's districts, and see who gains or loses."""

from __future__ import annotations

import streamlit as st
from pydantic import ValidationError

from recommender import coverage as cv
from recommender.corpus_models import Clause, Condition
from recommender.eligibility.conditions import requirement
from recommender.eligibility.facts import RULE_FIELDS, RULE_OPS, fact_label
from recommender.vocab import REGIONS
from webapp.ui import checked
from webapp.ui.markup import md

from .data import KEEP, clause_labels, download

NEW = -1  # "add a condition" among a clause's conditions
OP_LABELS = {  # in the order offered
    "gte": "≥",
    "gt": ">",
    "lte": "≤",
    "lt": "<",
    "in": "为其中之一",
    "not_in": "不为其中任何一个",
    "contains_any": "包含其中任一词",
    "any_of": "具备其中之一",
    "all_of": "同时具备",
    "none_of": "均不具备",
    "is": "是/否",
}
NUMBER_MAX = 1e12  # far above any count or amount (万元) a rule tests; keeps 1e309 from becoming inf
SUMMARY = ["获得资格企业数", "失去资格企业数", "新覆盖企业数", "不再被覆盖企业数"]


def condition_text(cond: Condition) -> str:
    """A condition as people read it: the field's label and the requirement."""
    return f"{fact_label(cond.field)}{requirement(cond)}"


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def _words(text: str) -> list[str]:
    return [w.strip() for w in text.replace("，", "、").replace(",", "、").split("、") if w.strip()]


def value_widget(field_name: str, current: object, key: str) -> object:
    """A widget for a condition's value, of the field's kind, starting at ``current``."""
    kind = cv.editable_value_kind(field_name)
    label = f"新的取值（{fact_label(field_name)}）"
    if kind == "number":  # every number a rule tests is a count, an amount, an age or a share: never negative
        start = min(max(float(current), 0.0), NUMBER_MAX) if current is not None else 0.0
        # no bounds (Streamlit refuses a value out of them in English): checked here, in Chinese
        number = st.number_input(label, value=start, key=key, persist_state=KEEP)
        if problem := checked.number_problem(number, 0, NUMBER_MAX, whole=False):
            checked.said(f"新的取值{problem}")
            return None
        return number
    if kind == "bool":
        index = 0 if current in (True, None) else 1
        return st.radio(
            label, [True, False], index=index, key=key, persist_state=KEEP, format_func=_yes_no, horizontal=True
        )
    options = cv.value_options(field_name)
    current_list = list(current) if isinstance(current, list) else []
    if options is not None:
        return st.multiselect(
            label,
            options,
            default=[v for v in current_list if v in options],
            key=key,
            persist_state=KEEP,
            placeholder="请选择一个或多个",
        )
    return _words(st.text_input(label + "，多个用顿号分隔", value="、".join(current_list), key=key, persist_state=KEEP))


def _region_change(cov: cv.Coverage) -> cv.Change | None:
    view = cov.corpus
    ids = sorted({c.policy_id for c in cov.measures})
    names = {p: view.documents[p].short_title for p in ids}
    twice = {n for n in names.values() if list(names.values()).count(n) > 1}  # told apart by their ids only
    policy_id = st.selectbox(
        "文件",
        ids,
        key="cov_wi_doc",
        persist_state=KEEP,
        format_func=lambda p: names[p] + (f"（{p}）" if names[p] in twice else ""),
    )
    doc = view.documents[policy_id]
    regions = st.multiselect(
        "适用的区",
        list(REGIONS),
        default=list(doc.applies_to.regions),
        key=f"cov_wi_regions_{policy_id}",
        persist_state=KEEP,
        placeholder="不选表示不限区域",
    )
    if not regions and not doc.applies_to.parks:
        st.warning("不选任何区表示不限区域：全市企业都会满足该文件的区域条件。", icon=":material/warning:")
    if doc.applies_to.parks:
        st.caption(f"该文件另按园区限定：{'、'.join(doc.applies_to.parks)}（{doc.applies_to.zone or ''}）")
    return cv.RegionEdit(policy_id, tuple(regions)) if list(regions) != list(doc.applies_to.regions) else None


def _new_condition(clause_id: str) -> cv.Change | None:
    c1, c2 = st.columns(2)
    field_name = c1.selectbox(
        "字段", list(RULE_FIELDS), key=f"cov_wi_newfield_{clause_id}", persist_state=KEEP, format_func=fact_label
    )
    op = c2.selectbox(
        "运算",
        [o for o in OP_LABELS if o in RULE_OPS[cv.editable_value_kind(field_name)]],
        key=f"cov_wi_newop_{clause_id}_{field_name}",
        persist_state=KEEP,
        format_func=lambda o: OP_LABELS[o],
    )
    value = value_widget(field_name, None, f"cov_wi_newvalue_{clause_id}_{field_name}")
    return None if value in (None, []) else cv.ConditionEdit(clause_id, None, cv.new_condition(field_name, op, value))


def _edited_condition(clause: Clause, picked: int) -> cv.Change | None:
    cond = clause.eligibility[picked]
    st.caption(f"原文：“{md(cond.quote)}”")
    if st.checkbox("删除这个条件", key=f"cov_wi_remove_{clause.id}_{picked}", persist_state=KEEP):
        return cv.ConditionEdit(clause.id, picked, None)
    value = value_widget(cond.field, cond.value, f"cov_wi_value_{clause.id}_{picked}")
    if value == cond.value or value in (None, []):
        return None
    return cv.ConditionEdit(clause.id, picked, cv.with_value(cond, value))


def _condition_change(cov: cv.Coverage) -> cv.Change | None:
    view = cov.corpus
    labels = clause_labels(view, (c.id for c in cov.measures))
    clause_id = st.selectbox(
        "条款", list(labels), key="cov_wi_clause", persist_state=KEEP, format_func=labels.__getitem__
    )
    clause = view.clause(clause_id)
    st.caption(clause.text)
    doc = view.documents[clause.policy_id]
    area = "、".join(doc.applies_to.regions) or doc.applies_to.zone or "不限"
    st.caption(f"文件适用区域：{area}（在“文件的适用区域”中修改）")
    picked = st.selectbox(
        "条件",
        [*range(len(clause.eligibility)), NEW],
        key=f"cov_wi_cond_{clause_id}",
        persist_state=KEEP,
        format_func=lambda i: "＋ 新增一个条件" if i == NEW else condition_text(clause.eligibility[i]),
    )
    return _new_condition(clause_id) if picked == NEW else _edited_condition(clause, picked)


def _result(cov: cv.Coverage, change: cv.Change, include_partial: bool) -> None:
    result = cv.what_if(cov, change, include_partial)
    st.markdown(f"**假设：** {md(result.description)}")
    summary = result.summary()
    for col, name in zip(st.columns(4), SUMMARY, strict=True):
        col.metric(name, summary[name])
    st.caption(
        f"涉及 {summary['涉及措施数']} 条措施；企业×措施：获得 {summary['获得资格（企业×措施）']}，"
        f"失去 {summary['失去资格（企业×措施）']}。“新覆盖”指原本没有任何可用措施、改变后有了的企业。"
    )
    who = cv.what_if_table(cov, result)
    st.dataframe(who, hide_index=True)
    download(who, "假设分析企业名单", "假设分析.csv")


@st.fragment
def whatif_section(cov: cv.Coverage, include_partial: bool) -> None:
    """Choose a change; then its effect: counts, description and the enterprises concerned (a fragment: the
    hypothesis's widgets rerun only this; the coverage is judged once, the change only where it differs)."""
    kind = st.radio(
        "改变什么", ["条款的一个条件", "文件的适用区域"], horizontal=True, key="cov_wi_kind", persist_state=KEEP
    )
    try:
        change = _region_change(cov) if kind == "文件的适用区域" else _condition_change(cov)
    except ValidationError as exc:  # the condition's own checks, in Chinese; pydantic's framing is not
        reasons = "；".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        st.error(f"取值无效：{reasons}", icon=":material/error:")
        return
    except ValueError as exc:
        st.error(f"取值无效：{exc}", icon=":material/error:")
        return
    if change is None:
        st.info("改变上面的取值，即可看到哪些企业获得或失去资格。", icon=":material/info:")
        return
    _result(cov, change, include_partial)
