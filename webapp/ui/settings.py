"""The page settings every page shares, shown in the sidebar and kept across pages."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from recommender.clock import today

AS_OF = "as_of"  # st.session_state key of the 政策有效性判断日期


def as_of() -> dt.date:
    """The 政策有效性判断日期 (default today), one widget in the sidebar of every page: the date at which
    every page judges whether a document is in force. Pages pass it to every library call."""
    st.session_state.setdefault(AS_OF, today())
    return st.sidebar.date_input(
        "政策有效性判断日期",
        format="YYYY-MM-DD",
        help="按这一天判断政策是否在有效期内，默认今天；各页面共用",
        key=AS_OF,
        persist_state="session",
    )
