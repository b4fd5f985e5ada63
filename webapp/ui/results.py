"""The self-check results: date and filters, counts, cards, unlockable measures, readiness, Word sheet."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import streamlit as st

from recommender.consultation import (
    EXPIRED,
    LEAD,
    LEAD_HINT,
    STATUS_ORDER,
    Consultation,
    MeasureView,
    consult,
    state_label,
)
from recommender.eligibility.status import OUT_OF_FORCE, UNREVIEWED
from recommender.profile import Profile
from recommender.services.sheet import consultation_sheet
from recommender.sheets import sheet_filename
from recommender.vocab import BENEFITS
from webapp.ui.markup import md

from . import feedback, resources
from .cards import measure_card, readiness_panel, unlock_list

PAGE = 10
OUT_OF_FORCE_LABEL = "不在有效期内"  # 已过期 or 尚未生效
OUT_OF_FORCE_TOGGLE = "显示已过期或尚未生效的措施"


def _controls() -> tuple[bool, bool, list[str], list[str]]:
    b, c, d = st.columns([2, 2, 1])
    benefits = b.multiselect("支持方式", BENEFITS, placeholder="全部", key="filter_benefits")
    statuses = c.multiselect("匹配状态", STATUS_ORDER, format_func=state_label, placeholder="全部", key="filter_status")
    with d:
        expired = st.toggle(OUT_OF_FORCE_TOGGLE, key="show_expired")
        leads = st.toggle(
            "显示可关注线索",
            value=True,
            key="show_leads",
            help=LEAD_HINT,
        )
    return expired, leads, benefits, statuses


def _counts(c: Consultation) -> None:
    counts = {state: n for state, n in c.counts().items() if n or state != UNREVIEWED}
    cols = st.columns(len(counts) + 1)
    for col, (state, n) in zip(cols, counts.items(), strict=False):
        col.metric(state_label(state), f"{n} 条", border=True)
    cols[-1].metric(OUT_OF_FORCE_LABEL, f"{len(c.expired)} 条", border=True)


def _filtered(
    c: Consultation, shown_kinds: tuple[bool, bool], benefits: list[str], statuses: list[str]
) -> list[MeasureView]:
    """The listed measures under the filters, numbered 1..n; ``shown_kinds``: (expired shown, leads shown)."""
    expired, leads = shown_kinds
    shown = c.measures + (c.expired if expired or set(OUT_OF_FORCE) & set(statuses) else [])
    if not leads:
        shown = [m for m in shown if m.kind != LEAD]
    if benefits:
        shown = [m for m in shown if set(m.benefits) & set(benefits)]
    if statuses:
        shown = [m for m in shown if m.state in statuses]
    return [replace(m, rank=k) for k, m in enumerate(shown, 1)]  # numbered as listed


def _measures(c: Consultation, shown: list[MeasureView], expired: bool, target: feedback.Target | None) -> None:
    if not expired and c.expired:
        ended = sum(m.state == EXPIRED for m in c.expired)
        words = "、".join(
            f"{n} 条{label}" for n, label in ((ended, "已过期"), (len(c.expired) - ended, "尚未生效")) if n
        )
        st.caption(f":material/history: 另有 {words}的相关措施（以 {c.as_of} 计），打开“{OUT_OF_FORCE_TOGGLE}”可查看。")
    if not shown:
        st.info("没有符合筛选条件的措施，可以放宽筛选条件或补充企业信息。", icon=":material/info:")
        return
    signature = json.dumps([c.profile.public_dict(), str(c.as_of), len(shown)], ensure_ascii=False)
    if st.session_state.get("shown_for") != signature:
        st.session_state["shown_for"] = signature
        st.session_state["shown"] = PAGE
    limit = st.session_state["shown"]
    footer = (lambda m: feedback.control(m, c.profile, c.as_of, target)) if target is not None else None
    for m in shown[:limit]:
        measure_card(m, footer)
    more = min(PAGE, len(shown) - limit)
    if more > 0 and st.button(f"再显示 {more} 条（共 {len(shown)} 条）", icon=":material/expand_more:"):
        st.session_state["shown"] = limit + PAGE
        st.rerun()


def _sheet_button(profile: Profile, as_of: dt.date) -> None:
    recommender = resources.recommender()
    st.download_button(
        "下载政策咨询单（Word）",
        data=lambda: consultation_sheet(recommender, profile, as_of).docx,
        file_name=sheet_filename(profile),
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        icon=":material/description:",
        type="primary",
        on_click="ignore",
    )


def render(profile: Profile, as_of: dt.date, target: feedback.Target | None = None) -> None:
    """The results at ``as_of``; with ``target``, every measure card takes 有用 / 不适用 feedback."""
    st.subheader(f"匹配结果：{md(profile.name)}")
    expired, leads, benefits, statuses = _controls()
    c = consult(resources.recommender(), profile, as_of=as_of, top=None)
    _counts(c)
    left, right = st.columns([3, 1])
    left.caption(f"按匹配程度排序，政策有效性按 {as_of} 判断。结果依据公开政策文件自动生成，仅供参考。")
    with right:
        _sheet_button(profile, as_of)
    shown = _filtered(c, (expired, leads), benefits, statuses)
    labels = [f"推荐措施（{len(shown)}）", f"取得资质可解锁（{len(c.unlocks)}）"]
    if c.readiness is not None:
        labels.append("资质准备度")
    tabs = st.tabs(labels)
    with tabs[0]:
        _measures(c, shown, expired, target)
    with tabs[1]:
        unlock_list(c.unlocks, c.readiness)
    if c.readiness is not None:
        with tabs[2]:
            readiness_panel(c.readiness)
