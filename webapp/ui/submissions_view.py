"""企业提交的档案 on the registry page: what the public sent from 企业自测, taken in or declined by a 辅导员."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from recommender.consultation import profile_rows
from recommender.profile import parse_profile
from recommender.registry import submissions
from recommender.registry.access import Actor, may_write

from . import store
from .markup import md

DONE = "sub_done"  # the last action's (kind, text), shown once


@dataclass(frozen=True)
class Item:
    """One pending submission as the page shows it."""

    id: int
    name: str
    contact: str | None
    at: dt.datetime
    rows: list[tuple[str, str]]  # (项目, 内容) of the profile sent
    registered: str | None  # the registered enterprise's name, None for a new one
    writable: bool  # whether the acting account may take it in


def _items(session: Session, by: Actor) -> list[Item]:
    found = []
    for s in submissions.pending(session, by):
        enterprise = submissions.registered(session, s)
        counsellor = enterprise.counsellor if enterprise is not None else None
        found.append(
            Item(
                s.id,
                s.name,
                s.contact,
                s.submitted_at,
                profile_rows(parse_profile(s.profile)),
                enterprise.name if enterprise is not None else None,
                may_write(by, counsellor),
            )
        )
    return found


def _accept(item_id: int, by: Actor) -> None:
    name, exc = store.attempt(lambda s: submissions.accept(s, item_id, by).name)
    st.session_state[DONE] = ("error", str(exc)) if exc else ("success", f"已采纳，“{name}”的档案已更新。")


def _decline(item_id: int, by: Actor) -> None:
    reason = st.session_state.get(f"sub_reason_{item_id}", "")
    _, exc = store.attempt(lambda s: submissions.decline(s, item_id, by, reason).id)
    st.session_state[DONE] = ("error", str(exc)) if exc else ("success", "已标为不予采纳。")


def _one(item: Item, by: Actor) -> None:
    where = f"档案库中的“{md(item.registered)}”" if item.registered else "新企业"
    contact = md(item.contact or "未留联系方式")
    st.markdown(f"**{md(item.name)}** · {where} · {store.local_time(item.at)} · 联系：{contact}")
    frame = pd.DataFrame(item.rows, columns=["项目", "内容"])
    st.dataframe(frame, hide_index=True, width="stretch")
    if not item.writable:
        return
    st.caption("采纳：新企业入库（专员为您）；已入库的企业用提交中填写的项目更新档案，未填写的项目保持不变。")
    a, b, c = st.columns([1, 2, 1], vertical_alignment="bottom")
    a.button("采纳", key=f"sub_accept_{item.id}", type="primary", on_click=_accept, args=(item.id, by))
    b.text_input("不予采纳的原因", key=f"sub_reason_{item.id}", max_chars=500)
    c.button("不予采纳", key=f"sub_decline_{item.id}", on_click=_decline, args=(item.id, by))


def section(by: Actor) -> None:
    """The pending submissions ``by`` may see, each with 采纳 / 不予采纳 when ``by`` may act on it."""
    items, exc = store.read(lambda s: _items(s, by))
    if items is None:
        st.error(str(exc), icon=":material/error:")
        return
    if done := st.session_state.pop(DONE, None):
        (st.success if done[0] == "success" else st.error)(done[1])
    if not items:
        return
    with st.expander(f"企业提交的档案（{len(items)} 份待处理）", icon=":material/inbox:"):
        for item in items:
            with st.container(border=True):
                _one(item, by)
