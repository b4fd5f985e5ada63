"""Saving a reviewer's decisions on one clause against the version it was opened at.

The widgets of a clause (one per proposal, and those of a new condition) are filled from what is
in force when the clause is opened; a refused save (someone saved the clause in between, or a bad
value) leaves every widget as the reviewer typed it, and ``refresh`` takes the newer version without
touching them, so the same decision can be made again.
"""

from __future__ import annotations

from typing import Any

import streamlit as st
from sqlalchemy import select

from recommender.registry import documents
from recommender.registry.models import StaffClause

from . import auth, library_conditions, library_data, store
from .library_data import ClauseView

LISTS = ("benefits", "audience", "departments")
TEXT_LISTS = ("audience", "departments")


def name(cv: ClauseView) -> str:
    """The clause's name for ``store``'s opened version and refusal keys."""
    return f"lib_{cv.slug}"


def widget_key(cv: ClauseView, key: str, part: str | None = None) -> str:
    """The widget key of one proposal (``part`` of a condition: field, op, value, quote); key "new": a new condition."""
    if key == "new" or (i := documents.condition_index(key)) is not None:
        tag = "new" if key == "new" else f"e{i}"
        return f"lib_{cv.slug}_{tag}_{part}"
    return f"lib_{cv.slug}_{key}"


def in_force(cv: ClauseView, key: str) -> Any:
    """The value a proposal has now: an edited value, else the proposed one (also when rejected)."""
    decision = cv.decisions.get(key)
    if decision is not None and decision["action"] == "edited":
        return decision["value"]
    if (i := documents.condition_index(key)) is not None:
        return cv.proposal["eligibility"][i] if i < len(cv.proposal["eligibility"]) else None
    return cv.proposal[key]


def _values(cv: ClauseView, key: str) -> dict[str, Any]:
    """Widget key → value for one proposal (or for "new", an empty condition); none for ``NO_CONDITIONS``, which
    is confirmed with a button alone."""
    if key == documents.NO_CONDITIONS:
        return {}
    if key == "new" or key.startswith("eligibility."):
        condition = library_conditions.state(None if key == "new" else in_force(cv, key))
        return {widget_key(cv, key, part): condition[part] for part in library_conditions.PARTS}
    value = in_force(cv, key)
    return {widget_key(cv, key): "、".join(value) if key in TEXT_LISTS else value}


def open_clause(cv: ClauseView) -> int:
    """The version the clause was opened at; its widgets filled (only those not holding a value yet)."""
    ss = st.session_state
    values: dict[str, Any] = {}
    for key in [*cv.keys, "new"]:
        values.update(_values(cv, key))
    if f"{name(cv)}__opened" not in ss or not any(k in ss for k in values):
        store.reopen(name(cv), cv.version, values)
    for k, v in values.items():
        ss.setdefault(k, v)
    return ss[f"{name(cv)}__opened"]


def _edited(cv: ClauseView, key: str) -> tuple[Any, str | None]:
    """The value the widgets hold for ``key``, as ``decide`` takes it, or what is wrong with it."""
    ss = st.session_state
    if key == "kind":
        return ss[widget_key(cv, key)], None
    if key == "benefits":
        return list(ss[widget_key(cv, key)] or []), None
    if key in TEXT_LISTS:
        text = ss[widget_key(cv, key)] or ""
        return [w.strip() for w in text.replace("，", "、").replace(",", "、").split("、") if w.strip()], None
    parts = {part: ss[widget_key(cv, key, part)] for part in library_conditions.PARTS}
    return library_conditions.built(parts, None if key == "new" else in_force(cv, key))


def _forget(cv: ClauseView, key: str) -> None:
    """Empty a proposal's widgets: the next run fills them with what is in force."""
    for k in _values(cv, key):
        st.session_state.pop(k, None)


def decide(cv: ClauseView, key: str, action: str, label: str) -> None:
    """Button callback: accept, edit or reject one proposal (``key`` "new": add a condition)."""
    ss, by = st.session_state, auth.acting()
    target = key
    if key == "new":
        target = f"eligibility.{next_condition(cv)}"
    value = None
    if action == "edited":
        value, problem = _edited(cv, key)
        if problem:
            ss[f"{name(cv)}__error"] = (problem, False)
            return
    saved = store.save_opened(
        name(cv), lambda s, expected: documents.decide(s, cv.clause_id, target, action, value, expected, by).version
    )
    if saved is None:
        return
    if key == "new" or action != "edited":
        _forget(cv, key)
    verb = "添加了条件" if key == "new" else f"{documents.ACTIONS[action]}了“{label}”"
    library_data.flash("success", f"已{verb}（{cv.cited}，第 {saved} 版）。")


def accept_rest(cv: ClauseView) -> None:
    """Button callback: accept every proposal still pending, in one transaction; a measure left without any
    condition still waits for someone to confirm that its text states none (``documents.NO_CONDITIONS``)."""
    by = auth.acting()
    left: list[str] = []  # what the clause still waits for once saved

    def save(session, expected: int) -> int:
        row = documents.accept_pending(session, cv.clause_id, expected, by)
        left[:] = documents.pending(row)
        return row.version

    version = store.save_opened(name(cv), save)
    if version is None:
        return
    for key in cv.bulk:
        _forget(cv, key)
    done = f"已采纳“{cv.cited}”其余 {len(cv.bulk)} 项建议（第 {version} 版）"
    if left:
        library_data.flash("success", f"{done}。{UNCONFIRMED}")
    else:
        library_data.flash("success", f"{done}，本条审核完毕。")


UNCONFIRMED = (
    "本条是措施，但没有任何条件：请对照原文确认确未列条件（点“确认原文未列条件”），或添加原文的条件；"
    "此前企业看到的仍是“待审核·自动提取”。"
)


def next_condition(cv: ClauseView) -> int:
    """The index a new condition takes: past the proposed ones and those already added."""
    return max([i + 1 for k in cv.keys if (i := documents.condition_index(k)) is not None], default=0)


def refresh(cv: ClauseView) -> None:
    """After a conflict: take the clause's newest version; what the reviewer typed stays in the widgets."""
    version, exc = store.attempt(
        lambda s: s.scalar(select(StaffClause.version).where(StaffClause.clause_id == cv.clause_id))
    )
    if exc is not None:
        st.session_state[f"{name(cv)}__error"] = (str(exc), False)
        return
    store.reopen(name(cv), version, {})
    st.session_state.pop(f"{name(cv)}__error", None)
    library_data.flash(
        "success", f"已载入“{cv.cited}”的最新版本（第 {version} 版）；您填写的内容仍保留，可以再次保存。"
    )
