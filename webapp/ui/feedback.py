"""有用 / 不适用 on one recommended measure, with a reason, stored in the registry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from recommender.consultation import MeasureView
from recommender.profile import Profile
from recommender.registry import feedback
from recommender.registry.access import Actor
from recommender.registry.states import FEEDBACK_VERDICTS

from . import store
from .markup import md

GIVEN = "feedback_given"  # {(profile name, as_of, clause id): (verdict, reason)} for this session


@dataclass(frozen=True)
class Target:
    """Who gives feedback, from which page, about which registered enterprise (if any)."""

    by: Actor
    enterprise_id: int | None = None
    page: str = "企业自测"


def control(m: MeasureView, profile: Profile, as_of: dt.date, target: Target) -> None:
    """A 反馈 popover on a measure card; widget keys are unique per clause."""
    cid = m.clause_id
    given: dict[tuple[str, str, str], tuple[str, str]] = st.session_state.setdefault(GIVEN, {})
    with st.popover("反馈", icon=":material/thumbs_up_down:", key=f"fb_open_{cid}"):
        with st.form(f"fb_form_{cid}", border=False):
            verdict = st.radio("这条措施对本企业", FEEDBACK_VERDICTS, horizontal=True, key=f"fb_verdict_{cid}")
            reason = st.text_input(
                "原因（选“不适用”时必填）",
                key=f"fb_reason_{cid}",
                placeholder="如：不在适用区域、已享受过、条件理解有误",
            )
            sent = st.form_submit_button("提交反馈", type="primary", key=f"fb_send_{cid}")
        if sent:
            _, exc = store.attempt(
                lambda s: (
                    feedback.record(
                        s,
                        profile,
                        as_of,
                        cid,
                        verdict,
                        shown_status=m.state,
                        page=target.page,
                        by=target.by,
                        reason=reason,
                        rank=m.rank,
                        enterprise_id=target.enterprise_id,
                    ).id
                )
            )
            if exc is not None:  # what was chosen and typed stays in the form
                st.error(md(str(exc)), icon=":material/error:")
            else:
                given[(profile.name, as_of.isoformat(), cid)] = (verdict, (reason or "").strip())
                st.toast("已记录您的反馈，谢谢！", icon=":material/check_circle:")
    said = given.get((profile.name, as_of.isoformat(), cid))
    if said:
        st.caption(f":material/rate_review: 已反馈：{said[0]}" + (f"（{md(said[1])}）" if said[1] else ""))
