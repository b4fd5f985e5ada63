"""The registry page's parts: filters, the enterprise table, one record's profile and history."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from recommender.consultation import profile_rows
from recommender.registry import enterprises
from recommender.registry.access import Actor, may_write
from recommender.registry.states import POOL_STAGES, counsellor_text
from recommender.safe_output import csv_bytes

from . import assignable, editing, nav, store
from .labels import distinct
from .markup import md
from .registry_data import Record, Revision, Snapshot

ROW_PX = 35  # st.dataframe's row height


# --- the list ----------------------------------------------------------------------------------


def filters(counsellors: list[str]) -> tuple[str | None, str | None, str]:
    """The 专员, 培育库阶段 and 企业名称 filters: (counsellor or None, stage or None, name text or "")."""
    a, b, c = st.columns(3)
    counsellor = a.selectbox(
        "专员", counsellors, index=None, placeholder="全部", key="reg_f_counsellor", persist_state="session"
    )
    stage = b.selectbox(
        "培育库阶段", POOL_STAGES, index=None, placeholder="全部", key="reg_f_stage", persist_state="session"
    )
    text = c.text_input("企业名称", placeholder="输入名称中的字词", key="reg_f_text", persist_state="session")
    return counsellor, stage, text or ""


def table(records: list[Record]) -> pd.DataFrame:
    """One row per record, columns 企业名称, 注册地, 所属行业, 培育库阶段, 专员, 版本, 最近修改人, 最近修改时间."""
    return pd.DataFrame(
        [
            {
                "企业名称": r.name,
                "注册地": r.profile.region,
                "所属行业": r.profile.industry or "",
                "培育库阶段": r.stage,
                "专员": counsellor_text(r.counsellor),
                "版本": r.version,
                "最近修改人": r.updated_by,
                "最近修改时间": store.local_time(r.updated_at),
            }
            for r in records
        ],
        columns=["企业名称", "注册地", "所属行业", "培育库阶段", "专员", "版本", "最近修改人", "最近修改时间"],
    )


def listing(records: list[Record]) -> None:
    """The enterprise table and its CSV download (UTF-8 with BOM; disabled when the table is empty)."""
    frame = table(records)
    st.dataframe(frame, hide_index=True, width="stretch")
    st.download_button(
        "下载企业名单（CSV）",
        csv_bytes(frame),
        file_name="企业档案库.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        disabled=frame.empty,
        key="reg_csv",
    )


def pick(records: list[Record]) -> int | None:
    """The 查看企业档案 select box: the chosen enterprise's id, or None while none is chosen."""
    names = distinct({r.id: f"{r.name}（{r.profile.region}）" for r in records}, lambda i: f"档案编号 {i}")
    return st.selectbox(
        "查看企业档案",
        list(names),
        index=None,
        format_func=names.get,
        placeholder="选择一家企业",
        key="reg_pick",
        persist_state="session",
    )


# --- 档案: the profile, 专员 and 阶段 with optimistic versioning --------------------------------------


def _keys(enterprise_id: int) -> tuple[str, str, str]:
    return f"reg_{enterprise_id}", f"reg_counsellor_{enterprise_id}", f"reg_stage_{enterprise_id}"


def _values(enterprise_id: int, counsellor: str | None, stage: str) -> dict[str, str]:
    _, ck, sk = _keys(enterprise_id)
    return {ck: counsellor or "", sk: stage}


def _save(enterprise_id: int, by: Actor) -> None:
    """Form callback: save 专员 and 阶段 against the version the user opened."""
    ss = st.session_state
    name, ck, sk = _keys(enterprise_id)
    expected = ss[f"{name}__opened"]
    saved = store.save_opened(
        name,
        lambda s, opened: (
            enterprises.update(
                s, enterprise_id, expected_version=opened, by=by, counsellor=ss[ck], stage=ss[sk]
            ).version
        ),
    )
    if saved is not None:
        ss[f"{name}__saved"] = "没有改动。" if saved == expected else f"已保存（第 {saved} 版）。"


def _refresh(enterprise_id: int, by: Actor) -> None:
    """Button callback: take the latest 专员 and 阶段 and their version."""
    name = _keys(enterprise_id)[0]
    latest, exc = store.attempt(lambda s: Record.of(enterprises.get(s, enterprise_id, by)))
    if latest is None:
        st.session_state[f"{name}__error"] = (str(exc), False)
        return
    store.reopen(name, latest.version, _values(enterprise_id, latest.counsellor, latest.stage))
    st.session_state.pop(f"{name}__error", None)


def _record_form(record: Record, by: Actor) -> None:
    name, ck, sk = _keys(record.id)
    version = store.opened(name, record.version, _values(record.id, record.counsellor, record.stage))
    with st.form(f"reg_form_{record.id}"):
        st.markdown(f"**专员与培育库阶段**（打开时为第 {version} 版）")
        st.selectbox("专员", assignable.counsellors(by, record.counsellor), key=ck, format_func=counsellor_text)
        st.selectbox("培育库阶段", POOL_STAGES, key=sk)
        st.form_submit_button(
            "保存",
            type="primary",
            icon=":material/save:",
            key=f"reg_save_{record.id}",
            on_click=_save,
            args=(record.id, by),
        )
    store.save_error(name, "刷新为最新内容（放弃上面的修改）", f"reg_refresh_{record.id}", _refresh, (record.id, by))
    if saved := st.session_state.pop(f"{name}__saved", None):
        st.success(saved, icon=":material/check_circle:")


def _edit_on_self_check(record: Record) -> None:
    """Put the record into the self-check form and go there; its 保存修改 updates this record."""
    editing.open_record(record)
    st.switch_page(nav.SELF_CHECK)


def profile_tab(record: Record, by: Actor) -> None:
    """The 档案 tab: the profile as a table, the 专员/阶段 form saved as ``by``, and a button to edit it on 企业自测."""
    st.caption(f"第 {record.version} 版 · 最近修改：{md(record.updated_by)}，{store.local_time(record.updated_at)}")
    left, right = st.columns([3, 2])
    with left:
        rows = profile_rows(record.profile)
        frame = pd.DataFrame(rows, columns=["项目", "内容"])
        st.dataframe(frame, hide_index=True, width="stretch", height=ROW_PX * (len(frame) + 1) + 3)  # every row
    with right:
        if not may_write(by, record.counsellor):
            st.caption(
                f"专员：{md(counsellor_text(record.counsellor))}；培育库阶段：{record.stage}。{md(by.label)}只能查看。"
            )
            return
        _record_form(record, by)
        if st.button("在企业自测页修改档案", icon=":material/edit:", key=f"reg_to_self_check_{record.id}"):
            _edit_on_self_check(record)


# --- 修改历史 ---------------------------------------------------------------------------------------


def _change_line(field: str, label: str, before: object, after: object, first: bool) -> str:
    new = md(store.field_value(field, after))
    return f"- {md(label)}：{new}" if first else f"- {md(label)}：{md(store.field_value(field, before))} → {new}"


def _restore(record: Record, version: int, by: Actor) -> None:
    """Button callback: make ``version``'s profile and stage current again, as a new version; the 专员/阶段
    form goes on from that version, and a toast says it happened (the history tab may be out of sight)."""
    restored, exc = store.attempt(
        lambda s: (lambda e: (e.version, e.pool_stage))(enterprises.restore(s, record.id, version, record.version, by))
    )
    if restored is None:
        st.session_state[f"reg_restored_{record.id}"] = ("error", md(str(exc)))
        return
    done = f"已恢复为第 {version} 版的内容（现为第 {restored[0]} 版）。"
    store.reopen(_keys(record.id)[0], restored[0], _values(record.id, record.counsellor, restored[1]))
    st.session_state[f"reg_restored_{record.id}"] = ("success", done)
    st.toast(done, icon=":material/history:")


def history_tab(history: list[Revision], record: Record, by: Actor) -> None:
    """The 修改历史 tab: one box per revision (newest first) listing its field changes, the oldest 建档; an
    earlier version can be restored (as a new version) by whoever may change the record."""
    if said := st.session_state.pop(f"reg_restored_{record.id}", None):
        (st.success if said[0] == "success" else st.error)(said[1])
    writable = may_write(by, record.counsellor)
    for i, rev in enumerate(history):
        first = i == len(history) - 1
        with st.container(border=True):
            st.markdown(
                f"**第 {rev.version} 版** · {md(rev.by)} · {store.local_time(rev.at)} · 来源：{md(rev.source)}"
                + ("（建档）" if first else "")
            )
            lines = [_change_line(*c, first=first) for c in rev.changes]
            st.markdown("\n".join(lines) if lines else "（无字段变化）")
            if writable and rev.version != record.version:
                st.button(
                    f"恢复为第 {rev.version} 版",
                    key=f"reg_restore_{record.id}_{rev.version}",
                    icon=":material/history:",
                    on_click=_restore,
                    args=(record, rev.version, by),
                )


def header(snap: Snapshot) -> None:
    """The chosen enterprise's name, 专员, 培育库阶段 and version."""
    r = snap.record
    st.markdown(f"#### {md(r.name)}")
    st.caption(f"专员：{md(counsellor_text(r.counsellor))} · 培育库阶段：{r.stage} · 第 {r.version} 版")
