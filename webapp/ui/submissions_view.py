"""企业提交的档案 on the registry page: what the public sent from 企业自测, taken in or declined by a 辅导员."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from recommender.consultation import profile_rows
from recommender.profile import parse_profile
from recommender.registry import submissions
from recommender.registry.access import Actor, may_write
from recommender.registry.models import Submission

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
    rows: list[tuple[str, ...]]  # (项目, 内容) of a new enterprise; (项目, 档案中, 提交的) of what would change
    registered: str | None  # the registered enterprise's name, None for a new one
    conflict: str | None  # why it cannot be taken in (name and code point at two enterprises)
    writable: bool  # whether the acting account may take it in (or decline it)


def _changes(registered: dict[str, Any], sent: dict[str, Any]) -> list[tuple[str, ...]]:
    """(项目, 档案中, 提交的) for each field the submission would change (the name never changes)."""
    before = dict(profile_rows(parse_profile(registered)))
    after = profile_rows(parse_profile({**registered, **sent, "name": registered["name"]}))
    return [(label, before.get(label, "未填写"), new) for label, new in after if before.get(label, "未填写") != new]


def _item(session: Session, s: Submission, by: Actor) -> Item:
    enterprise, conflict = submissions.registered(session, s)
    if enterprise is None:
        rows = profile_rows(parse_profile(s.profile))
        return Item(s.id, s.name, s.contact, s.submitted_at, rows, None, conflict, may_write(by, None))
    rows = _changes(enterprise.profile, s.profile)
    writable = may_write(by, enterprise.counsellor)
    return Item(s.id, s.name, s.contact, s.submitted_at, rows, enterprise.name, None, writable)


def _items(session: Session, by: Actor) -> tuple[int, list[Item]]:
    total, shown = submissions.pending(session, by)
    return total, [_item(session, s, by) for s in shown]


def _accept(item_id: int, by: Actor) -> None:
    name, exc = store.attempt(lambda s: submissions.accept(s, item_id, by).name)
    st.session_state[DONE] = ("error", md(str(exc))) if exc else ("success", md(f"已采纳，“{name}”的档案已更新。"))


def _decline(item_id: int, by: Actor) -> None:
    reason = st.session_state.get(f"sub_reason_{item_id}", "")
    _, exc = store.attempt(lambda s: submissions.decline(s, item_id, by, reason).id)
    st.session_state[DONE] = ("error", md(str(exc))) if exc else ("success", "已标为不予采纳。")


def _one(item: Item, by: Actor) -> None:
    where = f"档案库中的“{md(item.registered)}”" if item.registered else "新企业"
    st.markdown(f"**{md(item.name)}** · {where} · {store.local_time(item.at)}")
    st.text(f"联系：{item.contact or '未留联系方式'}")  # as typed, never a link
    if item.conflict:
        st.warning(md(item.conflict), icon=":material/warning:")
    elif item.registered and item.registered != item.name:
        st.warning(f"提交的名称与档案不同：采纳后档案仍名为“{md(item.registered)}”", icon=":material/warning:")
    if item.registered:
        st.caption("采纳后会改变的项目（提交中未填写的项目保持不变）：" if item.rows else "提交的内容与档案相同。")
    columns = ["项目", "档案中", "提交的"] if item.registered else ["项目", "内容"]
    if item.rows:
        st.dataframe(pd.DataFrame(item.rows, columns=columns), hide_index=True, width="stretch")
    if not item.writable:
        return
    a, b, c = st.columns([1, 2, 1], vertical_alignment="bottom")
    if item.conflict is None:
        a.button("采纳", key=f"sub_accept_{item.id}", type="primary", on_click=_accept, args=(item.id, by))
    b.text_input("不予采纳的原因", key=f"sub_reason_{item.id}", max_chars=500)
    c.button("不予采纳", key=f"sub_decline_{item.id}", on_click=_decline, args=(item.id, by))


def section(by: Actor) -> None:
    """The pending submissions ``by`` may see, each with 采纳 / 不予采纳 when ``by`` may act on it."""
    found, exc = store.read(lambda s: _items(s, by))
    if found is None:
        st.error(md(str(exc)), icon=":material/error:")
        return
    if done := st.session_state.pop(DONE, None):
        (st.success if done[0] == "success" else st.error)(done[1])
    total, items = found
    if not items:
        return
    more = f"，先列出最早的 {len(items)} 份" if total > len(items) else ""
    with st.expander(f"企业提交的档案（{total} 份待处理{more}）", icon=":material/inbox:"):
        for item in items:
            with st.container(border=True):
                _one(item, by)
