"""A document's metadata as an editable form: each field with the words of the text it rests on.

Used when a file is uploaded (the proposal) and before it is published (what is stored). Unknown
dates stay empty: nothing is defaulted. The widgets are filled by ``load`` and read back by ``collect``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from recommender.dates import date_problem
from recommender.proposals.metadata import META_LABELS, short_title, unlisted_parks
from recommender.vocab import REGIONS

from .checked import ANY_DAY
from .markup import md

DISTRICTS = [r for r in REGIONS if r != "上海市外"]
TEXTS = ("title", "issuer", "doc_number")
DATES = ("issued", "valid_from", "valid_to")
EARLIEST, LATEST = dt.date(1990, 1, 1), dt.date(2100, 12, 31)
NOT_FOUND = "未在文中找到"
HELP = {
    "valid_from": "必填：文件自哪一天起施行；文中未写明时请按文件填写，系统不会猜测",
    "valid_to": "文件写明的有效期截止日；未规定有效期的留空",
    "regions": "文件适用的区；不选表示全市适用",
}


def _key(prefix: str, field: str) -> str:
    return f"{prefix}_{field}"


def _split(text: str) -> list[str]:
    """The names of a list typed with 、，, or ；; between them, each once, in order."""
    for mark in "，,；;":
        text = text.replace(mark, "、")
    return list(dict.fromkeys(w.strip() for w in text.split("、") if w.strip()))


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value) if value else None


def load(prefix: str, meta: dict[str, Any]) -> None:
    """Put ``meta`` (DocumentMeta fields as JSON) into the form's widgets (before they are drawn)."""
    ss = st.session_state
    for field in TEXTS:
        ss[_key(prefix, field)] = meta.get(field) or ""
    for field in DATES:
        ss[_key(prefix, field)] = _date(meta.get(field))
    applies = meta.get("applies_to") or {}
    ss[_key(prefix, "regions")] = [r for r in applies.get("regions") or [] if r in DISTRICTS]
    ss[_key(prefix, "parks")] = "、".join(applies.get("parks") or [])


def loaded(prefix: str) -> bool:
    """Whether the form's widgets hold values (else ``load`` first)."""
    return all(_key(prefix, f) in st.session_state for f in (*TEXTS, *DATES, "regions", "parks"))


def collect(prefix: str, meta: dict[str, Any]) -> dict[str, Any]:
    """``meta`` with the form's values in place (the fields the form does not show kept)."""
    ss = st.session_state
    out = dict(meta)
    for field in TEXTS:
        out[field] = (ss.get(_key(prefix, field)) or "").strip() or None
    out["title"], out["issuer"] = out["title"] or "", out["issuer"] or ""
    out["short_title"] = short_title(out["title"])
    for field in DATES:
        value = ss.get(_key(prefix, field))
        out[field] = value.isoformat() if isinstance(value, dt.date) else None
    applies = dict(meta.get("applies_to") or {})
    applies["regions"] = list(ss.get(_key(prefix, "regions")) or [])
    applies["parks"] = _split(ss.get(_key(prefix, "parks")) or "")
    out["applies_to"] = applies
    return out


def date_problems(prefix: str) -> str | None:
    """The form's dates out of EARLIEST to LATEST, in one Chinese line; None when all are in it."""
    ss = st.session_state
    said = [
        f"{META_LABELS[field]}{problem}"
        for field in DATES
        if (problem := date_problem(ss.get(_key(prefix, field)), EARLIEST, LATEST)) is not None
    ]
    return "；".join(said) or None


def _basis(found: dict[str, Any] | None, field: str) -> None:
    """The caption under a field: the words it rests on, or that the text does not say."""
    item = (found or {}).get(field) or {}
    if item.get("value") in (None, "", []) or not item.get("quote"):
        st.caption(f":gray[{NOT_FOUND}]")
        return
    line = f"（第 {item['line']} 行）" if item.get("line") else ""
    st.caption(f"依据：“{md(item['quote'])}”{line}")


def form_fields(prefix: str, found: dict[str, Any] | None) -> None:
    """The metadata widgets (inside the caller's form), each with its basis in the text."""
    a, b = st.columns([2, 1])
    with a:
        st.text_input(f"{META_LABELS['title']} *", key=_key(prefix, "title"))
        _basis(found, "title")
    with b:
        st.text_input(META_LABELS["doc_number"], key=_key(prefix, "doc_number"), placeholder="如 黄科规〔2026〕3号")
        _basis(found, "doc_number")
    st.text_input(f"{META_LABELS['issuer']} *", key=_key(prefix, "issuer"))
    _basis(found, "issuer")
    for col, field in zip(st.columns(3), DATES, strict=True):
        with col:
            label = f"{META_LABELS[field]}{' *' if field == 'valid_from' else ''}"
            st.date_input(
                label,
                **ANY_DAY,  # EARLIEST to LATEST is checked by ``date_problems``: Streamlit refuses in English
                format="YYYY-MM-DD",
                key=_key(prefix, field),
                help=HELP.get(field),
            )
            _basis(found, field)
    c, d = st.columns([2, 1])
    with c:
        st.multiselect(
            META_LABELS["applies_to"],
            DISTRICTS,
            key=_key(prefix, "regions"),
            placeholder="全市适用",
            help=HELP["regions"],
        )
        _basis(found, "regions")
    with d:
        st.text_input("适用园区", key=_key(prefix, "parks"), placeholder="多个用“、”分隔，可不填")
        _basis(found, "parks")
        if note := unlisted_parks({"applies_to": {"parks": _split(st.session_state.get(_key(prefix, "parks")) or "")}}):
            st.caption(f":orange[{md(note)}]")
