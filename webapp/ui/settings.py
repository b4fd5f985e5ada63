"""The page settings every page shares, shown in the sidebar and kept across pages."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from recommender.clock import today
from recommender.dates import AS_OF_RANGE, date_problem

from .checked import ANY_DAY

AS_OF = "as_of"  # st.session_state key of the 政策有效性判断日期 in force
APPLY = "应用日期"
IN_FORCE = "as_of_in_force"  # the last date applied that was in AS_OF_RANGE


def in_force_line(day: dt.date, now: dt.date) -> str:
    """The sidebar's line saying which date is in force: "正在按 2026-11-30（今天）判断政策是否有效"."""
    when = "今天" if day == now else f"今天是 {now.isoformat()}"
    return f"正在按 **{day.isoformat()}**（{when}）判断政策是否有效"


def as_of() -> dt.date:
    """The 政策有效性判断日期 (default today in Shanghai), one form in the sidebar of every page: the date at
    which every page judges whether a document is in force. Pages pass it to every library call.

    A date typed or picked takes effect when 应用日期 is pressed (the field commits a typed date only when it
    loses focus, so an explicit button is the one way that always works); the line under it says which date
    is in force."""
    st.session_state.setdefault(AS_OF, today())
    with st.sidebar.form("as_of_form", border=False):
        st.date_input(
            "政策有效性判断日期",
            format="YYYY-MM-DD",
            help="按这一天判断政策是否在有效期内，默认今天；输入或选择日期后点“应用日期”，各页面共用",
            key=AS_OF,
            persist_state="session",
            **ANY_DAY,  # AS_OF_RANGE is checked below: Streamlit refuses a date out of its bounds in English
        )
        st.form_submit_button(APPLY, icon=":material/event_available:", width="stretch")
    day: dt.date | None = st.session_state[AS_OF]
    if problem := "不能为空" if day is None else date_problem(day, *AS_OF_RANGE):
        day = st.session_state.get(IN_FORCE) or today()
        st.sidebar.markdown(f":red[:material/error: 判断日期{problem}，未应用]")
    st.session_state[IN_FORCE] = day
    st.sidebar.caption(in_force_line(day, today()))
    return day
