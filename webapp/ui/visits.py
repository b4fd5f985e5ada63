"""咨询记录 on the registry page: past consultations with each application's follow-up, and a new one."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from recommender.clock import today
from recommender.consultation import SHEET_TOP, consult, state_label
from recommender.dates import date_problem
from recommender.registry import consultations
from recommender.registry.access import Actor
from recommender.registry.consultations import Discussed
from recommender.registry.states import NEEDS_REASON, follow_ups
from recommender.services.sheet import consultation_sheet
from recommender.sheets import sheet_filename

from . import resources, scope_view, store
from .badges import recorded_badge
from .checked import ANY_DAY
from .labels import distinct
from .markup import md
from .registry_data import FollowUp, Record, Visit
from .roster_view import DOCX

FIRST_VISIT = dt.date(2000, 1, 1)  # a consultation date from this day to today (a later one is a slip)

# --- follow-up of one measure, saved against the version shown ------------------------------------


def _keys(measure_id: int) -> tuple[str, str, str]:
    return f"fu_{measure_id}", f"fu_state_{measure_id}", f"fu_reason_{measure_id}"


def _save_follow_up(measure_id: int, by: Actor) -> None:
    ss = st.session_state
    name, sk, rk = _keys(measure_id)
    store.save_opened(
        name,
        lambda s, expected: consultations.set_follow_up(s, measure_id, expected, ss[sk], by=by, reason=ss[rk]).version,
    )


def _refresh_follow_up(measure_id: int, latest: FollowUp) -> None:
    name, sk, rk = _keys(measure_id)
    store.reopen(name, latest.version, {sk: latest.state, rk: latest.reason or ""})
    st.session_state.pop(f"{name}__error", None)


def _follow_up(m: FollowUp, by: Actor) -> None:
    name, sk, rk = _keys(m.id)
    version = store.opened(name, m.version, {sk: m.state, rk: m.reason or ""})
    with st.form(f"fu_form_{m.id}", border=False):
        a, b, c, d = st.columns([3, 1.3, 2, 0.8], vertical_alignment="bottom")
        a.markdown(f"{recorded_badge(m.match_status)} {md(m.title)}")
        states = follow_ups(m.match_status)  # a lead's (待了解 …) or an application's (待申报 …)
        b.selectbox("跟进状态", states, key=sk)
        needed = "、".join(f"“{state}”" for state in states if state in NEEDS_REASON)
        c.text_input("原因或说明", key=rk, placeholder=f"标记{needed}时必填")
        d.form_submit_button("保存", key=f"fu_save_{m.id}", on_click=_save_follow_up, args=(m.id, by))
    st.caption(f"第 {version} 版 · {md(m.updated_by)} 于 {store.local_time(m.updated_at)} 标为“{m.state}”")
    store.save_error(name, "刷新为最新状态", f"fu_refresh_{m.id}", _refresh_follow_up, (m.id, m))


def past(visits: list[Visit], by: Actor, writable: bool) -> None:
    """The past consultations, each with a follow-up form per measure saved as ``by`` (read only unless
    ``writable``); an info note if none."""
    if not visits:
        st.info("还没有咨询记录。走访或电话咨询后，可在下面新建一条。", icon=":material/info:")
    for v in visits:
        with st.container(border=True):
            st.markdown(f"**{v.held_on.isoformat()}** · 辅导员：{md(v.counsellor)} · 依据第 {v.profile_version} 版档案")
            sheet = f" · 咨询单：{md(v.sheet_file)}" if v.sheet_file else ""
            st.caption(f"政策有效性判断日期：{v.as_of.isoformat()}{sheet}")
            if v.note:
                st.markdown(f"备注：{md(v.note)}")
            for m in v.measures:
                if writable:
                    _follow_up(m, by)
                else:
                    st.markdown(f"{recorded_badge(m.match_status)} {md(m.title)}：{m.state}")


# --- a new consultation ------------------------------------------------------------------------------


def _record(
    record: Record, by: Actor, as_of: dt.date, options: dict[str, tuple[str, str]], keys: dict[str, str]
) -> None:
    """Form callback: store the consultation; the Word sheet is offered afterwards."""
    ss = st.session_state
    if problem := date_problem(ss[keys["date"]], FIRST_VISIT, today()):
        ss[keys["error"]] = f"咨询日期{problem}"
        return
    chosen = [Discussed(cid, *options[cid]) for cid in ss.get(keys["measures"]) or [] if cid in options]
    profile = record.profile
    _, exc = store.attempt(
        lambda s: (
            consultations.record(
                s,
                record.id,
                held_on=ss[keys["date"]],
                counsellor=by.name,  # who is logged in held it: nobody types another's name
                measures=chosen,
                as_of=as_of,
                by=by,
                sheet_file=sheet_filename(profile),
                note=ss[keys["note"]],
            ).id
        )
    )
    if exc is not None:
        ss[keys["error"]] = str(exc)
        return
    ss.pop(keys["error"], None)
    ss[keys["done"]] = {"as_of": as_of, "count": len(chosen), "held_on": ss[keys["date"]]}
    ss[keys["measures"]], ss[keys["note"]] = [], ""


def new_visit(record: Record, by: Actor, as_of: dt.date) -> None:
    """The 新建咨询记录 form: the measures matched at ``as_of`` to choose from; then its Word sheet."""
    eid = record.id
    c = consult(resources.recommender(), record.profile, as_of=as_of, top=SHEET_TOP)
    options = {m.clause_id: (m.title, m.state) for m in c.measures}  # the state stored as its code
    keys = {
        "date": f"cr_date_{eid}",
        "measures": f"cr_measures_{eid}_{as_of}",  # the choices depend on the date
        "note": f"cr_note_{eid}",
        "error": f"cr_error_{eid}",
        "done": f"cr_done_{eid}",
    }
    ss = st.session_state
    ss.setdefault(keys["date"], today())
    scope_view.district_notice(record.profile.region, as_of, record.profile.park)  # why few or none are listed
    with st.form(f"cr_form_{eid}"):
        a, b = st.columns(2)
        a.date_input("咨询日期", format="YYYY-MM-DD", key=keys["date"], **ANY_DAY)  # checked by ``_record``
        b.text_input("辅导员", value=by.name, disabled=True, key=f"cr_by_{eid}")
        st.multiselect(
            f"讨论的措施（按 {as_of} 匹配的前 {SHEET_TOP} 条）",
            list(options),
            format_func=distinct({cid: f"{t}（{state_label(s)}）" for cid, (t, s) in options.items()}, str).__getitem__,
            placeholder="选择咨询中讨论过的措施",
            key=keys["measures"],
        )
        st.text_area("备注", key=keys["note"], height=70, placeholder="企业的想法、约定的下一步")
        st.form_submit_button(
            "保存咨询记录",
            type="primary",
            icon=":material/save:",
            key=f"cr_save_{eid}",
            on_click=_record,
            args=(record, by, as_of, options, keys),
        )
    if error := ss.get(keys["error"]):
        st.error(md(error), icon=":material/error:")
    if done := ss.get(keys["done"]):
        st.success(f"已保存 {done['held_on']} 的咨询记录（{done['count']} 条措施）。", icon=":material/check_circle:")
        profile, sheet_as_of = record.profile, done["as_of"]
        st.download_button(
            "下载本次咨询单（Word）",
            data=lambda: consultation_sheet(resources.recommender(), profile, sheet_as_of).docx,
            file_name=sheet_filename(profile),
            mime=DOCX,
            icon=":material/description:",
            on_click="ignore",
            key=f"cr_sheet_{eid}",
        )
