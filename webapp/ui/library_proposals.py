"""The proposals of one clause, each with its status and 采纳 / 修改 / 驳回, and a condition to add."""

from __future__ import annotations

from typing import Any

import streamlit as st

from recommender.registry import documents
from recommender.vocab import BENEFITS, KIND_LABELS, KINDS

from . import library_conditions, library_decide, store
from .library_data import ClauseView, decided_at
from .markup import md

STATUS = {"accepted": ("已采纳", "green"), "edited": ("已修改", "blue"), "rejected": ("已驳回", "gray")}
BUTTONS = {"accepted": "采纳", "edited": "修改", "rejected": "驳回"}
ICONS = {"accepted": ":material/check:", "edited": ":material/edit:", "rejected": ":material/close:"}


def key_label(key: str, proposed: int | None = None) -> str:
    """A proposal key as people read it: 类别 … 条件 2, or 新增条件 3 past the ``proposed`` conditions."""
    if key in documents.KEY_LABELS:
        return documents.KEY_LABELS[key]
    i = documents.condition_index(key)
    assert i is not None
    return f"{'新增条件' if proposed is not None and i >= proposed else '条件'} {i + 1}"


def status(decision: dict[str, Any] | None) -> str:
    """待审核, or 已采纳 / 已修改 / 已驳回 with who and when (markdown)."""
    if decision is None:
        return ":orange-badge[待审核]"
    label, color = STATUS[decision["action"]]
    return f":{color}-badge[{label}] {md(decision['by'])} · {store.local_time(decided_at(decision))}"


def shown(key: str, value: Any) -> str:
    """A proposal's value in words."""
    if key == "kind":
        return KIND_LABELS.get(value, str(value))
    if key in library_decide.LISTS:
        return "、".join(value) or "（无）"
    return library_conditions.words(value) if value else "（无）"


def _buttons(cv: ClauseView, key: str, label: str, actions: tuple[str, ...]) -> None:
    tag = key.replace(".", "_")
    row = st.container(horizontal=True)
    for action in actions:
        row.button(
            BUTTONS[action],
            key=f"lib_do_{action}_{tag}",
            icon=ICONS[action],
            on_click=library_decide.decide,
            args=(cv, key, action, label),
        )


def _field(cv: ClauseView, key: str) -> None:
    label = key_label(key)
    decision = cv.decisions.get(key)
    st.markdown(f"**{label}**　{status(decision)}")
    st.caption(f"建议：{md(shown(key, cv.proposal[key]))}")
    if decision and decision["action"] == "edited":
        st.caption(f"现为：{md(shown(key, decision['value']))}")
    widget = library_decide.widget_key(cv, key)
    if key == "kind":
        st.selectbox(
            label, KINDS, format_func=KIND_LABELS.get, key=widget, label_visibility="collapsed", placeholder="请选择"
        )
    elif key == "benefits":
        st.multiselect(label, BENEFITS, key=widget, label_visibility="collapsed", placeholder="无")
    else:
        st.text_input(label, key=widget, label_visibility="collapsed", placeholder="多个用“、”分隔")
    _buttons(cv, key, label, ("accepted", "edited") if key == "kind" else tuple(BUTTONS))
    if key == "kind":
        st.caption("类别不能驳回，只能采纳或改为其他类别。")


def _condition(cv: ClauseView, key: str) -> None:
    proposed = len(cv.proposal["eligibility"])
    label = key_label(key, proposed)
    decision = cv.decisions.get(key)
    i = documents.condition_index(key)
    assert i is not None
    st.markdown(f"**{label}**　{status(decision)}")
    if i < proposed:
        original = cv.proposal["eligibility"][i]
        st.caption(f"建议：{md(shown(key, original))}　{library_conditions.quote_line(original)}")
    if decision and decision["action"] == "edited":
        value = decision["value"]
        st.caption(f"现为：{md(shown(key, value))}　{library_conditions.quote_line(value)}")
    with st.expander("修改此条件"):
        library_conditions.editor({p: library_decide.widget_key(cv, key, p) for p in library_conditions.PARTS})
    _buttons(cv, key, label, tuple(BUTTONS) if i < proposed else ("edited", "rejected"))
    if i >= proposed:
        st.caption("人工添加的条件：可修改，驳回即撤回。")


def _no_conditions(cv: ClauseView, key: str) -> None:
    """A measure with no condition in force: confirmed for this clause alone, never by "全部采纳"."""
    label = key_label(key)
    st.markdown(f"**{label}**　{status(cv.decisions.get(key))}")
    st.caption(
        "本条是措施，但系统未从原文中读出任何条件，也没有人添加。请对照原文：确未列申报条件的，点“确认原文未列条件”；"
        "列有条件的，请在下方“添加条件”。确认之前，企业看到的是“待审核·自动提取”，不会是“可申请”；"
        "“全部采纳”不代为确认。"
    )
    if key in cv.pending:
        st.button(
            "确认原文未列条件",
            key="lib_do_no_conditions",
            icon=ICONS["accepted"],
            on_click=library_decide.decide,
            args=(cv, key, "accepted", label),
        )


def _new_condition(cv: ClauseView) -> None:
    st.markdown("**添加条件**（原文有、系统未提出的条件）")
    library_conditions.editor({p: library_decide.widget_key(cv, "new", p) for p in library_conditions.PARTS})
    st.button(
        "添加条件",
        key="lib_do_add",
        icon=":material/add:",
        on_click=library_decide.decide,
        args=(cv, "new", "edited", "新增条件"),
    )


def render(cv: ClauseView) -> None:
    """Every proposal of the clause, the refusal of the last save if any, and a condition to add."""
    opened = library_decide.open_clause(cv)
    left, right = st.columns([3, 2], vertical_alignment="center")
    left.markdown(
        f"共 {len(cv.keys)} 项建议，**待审核 {len(cv.pending)} 项**（打开时为第 {opened} 版，"
        f"最近由 {md(cv.updated_by)} 于 {store.local_time(cv.updated_at)} 修改）"
    )
    if cv.bulk:
        right.button(
            f"其余 {len(cv.bulk)} 项全部采纳",
            key="lib_do_accept_rest",
            icon=":material/done_all:",
            on_click=library_decide.accept_rest,
            args=(cv,),
        )
    store.save_error(
        library_decide.name(cv), "载入最新版本（保留我填写的内容）", "lib_refresh", library_decide.refresh, (cv,)
    )
    for key in cv.keys:
        with st.container(border=True):
            if key == documents.NO_CONDITIONS:
                _no_conditions(cv, key)
            else:
                (_field if key in documents.FIELD_KEYS else _condition)(cv, key)
    with st.container(border=True):
        _new_condition(cv)
