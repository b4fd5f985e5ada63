"""Result cards, the unlock list and the readiness panel."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from recommender.consultation import LEAD, LEAD_HINT, UNREVIEWED_HINT, MeasureView, ReadinessItem
from recommender.criteria.readiness import RECHECK_NOTE

from .badges import badge, measure_badge, readiness_badge
from .markup import highlight, md

GAPS_SHOWN = 4
_CLAUSE_STYLE = "line-height:1.85;font-size:0.97rem;color:#1f2937;text-align:justify;"


# a gap's mark by its state: not met ✗, not known ?, not said (a gap written over the result's) a plain mark
GAP_ICONS = {"not_met": ":orange[:material/close:]", "unknown": ":orange[:material/help:]"}
UNSAID_ICON = ":orange[:material/chevron_right:]"


def _points(title: str, lines: list[str], empty: str) -> None:
    """A titled list of markdown ``lines`` (each led by its icon), or ``empty`` when there is none."""
    st.markdown(f"**{title}**")
    for line in lines:
        st.markdown(line)
    if not lines:
        st.markdown(empty)


def gap_marks(gaps: list[str], states: list[str | None]) -> list[str]:
    """Each gap as a markdown line led by the mark of its state (``GAP_ICONS``): ✗ only for a condition not
    met, never for one not known (a break-it trial found every gap marked ✗, 请补充… among them)."""
    if len(states) != len(gaps):
        states = [None] * len(gaps)
    return [f"{GAP_ICONS.get(state or '', UNSAID_ICON)} {md(gap)}" for gap, state in zip(gaps, states, strict=True)]


def measure_card(m: MeasureView, footer: Callable[[MeasureView], None] | None = None, note: str | None = None) -> None:
    """One measure; ``note`` is said under its title (e.g. whom to ask whether an ended measure goes on);
    ``footer`` draws extra controls at its foot (e.g. feedback)."""
    with st.container(border=True):
        benefits = " ".join(badge(b, "violet") for b in m.benefits)
        st.markdown(f"{measure_badge(m)}&nbsp; **{m.rank}. {md(m.title)}** &nbsp; {benefits}")
        st.html(f'<div class="pb-clause" style="{_CLAUSE_STYLE}">{highlight(m.text, m.matched_terms)}</div>')
        if note:
            st.caption(f":material/history: {md(note)}")
        if m.state == LEAD:
            st.caption(f":material/campaign: {md(LEAD_HINT)}")
        if not m.reviewed:
            st.caption(f":material/rate_review: {md(UNREVIEWED_HINT)}")
        for flag in m.flags:
            st.caption(f":material/warning: {md(flag)}")
        explained = m.explanations  # why it was listed besides its conditions, as the sheet and `recommend` say
        if m.reasons or explained or m.gaps:
            left, right = st.columns(2)
            with left:
                met = [f":green[:material/check:] {md(r)}" for r in m.reasons]
                _points("符合依据", met + [f":blue[:material/info:] {md(e)}" for e in explained], "—")
            with right:
                _points("尚缺条件", gap_marks(m.gaps, m.gap_states), "无")
        st.caption(f":material/description: 出处：{md(m.source)}")
        st.caption(f":material/account_balance: 联系部门：{md(m.contact)}")
        terms = f"　匹配词：{md('、'.join(m.matched_terms))}" if m.matched_terms else ""
        st.caption(f":material/event: 有效期：{md(m.validity)}{terms}")
        if footer is not None:
            footer(m)


def unlock_list(unlocks: dict[str, list[MeasureView]], readiness: list[ReadinessItem] | None) -> None:
    """One expander per qualification title → the measures it would unlock, with that title's readiness gaps if known.

    Shows an info note instead when ``unlocks`` is empty.
    """
    if not unlocks:
        st.info("目前没有“只差一项资质”即可申请的措施。", icon=":material/info:")
        return
    st.caption("下列措施的其他条件已满足，只差取得相应资质；资质培育可以与辅导员一起规划。")
    ready = {item.name: item for item in readiness or []}
    for i, (title, measures) in enumerate(unlocks.items()):
        with st.expander(
            f"成为“{title}”后，可申请 {len(measures)} 条措施", expanded=i == 0, icon=":material/lock_open:"
        ):
            item = ready.get(title)
            if item:
                st.markdown(f"认定准备度：{readiness_badge(item)}")
                for line in _gap_lines(item):
                    st.markdown(line)
            for m in measures:
                st.markdown(f"- **{md(m.title)}** —— {md(m.source)}  \n  联系部门：{md(m.contact)}")


def _lines(lines: list[str], more: str) -> None:
    """The first ``GAPS_SHOWN`` markdown lines, the rest behind an expander titled ``more`` ({n}: how many)."""
    for line in lines[:GAPS_SHOWN]:
        st.markdown(line)
    if len(lines) > GAPS_SHOWN:
        with st.expander(more.format(n=len(lines) - GAPS_SHOWN)):
            for line in lines[GAPS_SHOWN:]:
                st.markdown(line)


def _gap_lines(item: ReadinessItem) -> list[str]:
    """The gaps as lines, those not met (✗) before those unknown (?)."""
    states = item.gap_states if len(item.gap_states) == len(item.gaps) else ["unknown"] * len(item.gaps)
    failed = [g for g, s in zip(item.gaps, states, strict=True) if s == "not_met"]
    open_ = [g for g, s in zip(item.gaps, states, strict=True) if s != "not_met"]
    lines = [f":red[:material/close:] {md(g)}" for g in failed]
    return lines + [f":orange[:material/help:] 待补充：{md(g)}" for g in open_]


def reason_marks(item: ReadinessItem) -> list[str]:
    """The reasons as markdown lines: ✓ for a condition met (and for the title held), ⓘ for a note that is none
    (a held title's term); the note that re-recognition gaps follow is left to their expander's title."""
    notes = set(item.notes)
    return [
        f":blue[:material/info:] {md(r)}" if r in notes else f":green[:material/check:] {md(r)}"
        for r in item.reasons
        if r != RECHECK_NOTE
    ]


def _readiness_card(item: ReadinessItem) -> None:
    with st.container(border=True):
        st.markdown(f"{readiness_badge(item)}&nbsp; **{md(item.name)}**")
        if item.summary:
            st.caption(md(item.summary))
        _lines(reason_marks(item), "另有 {n} 项符合")
        if item.held and item.gaps:  # the title is held: its gaps matter only for re-recognition
            with st.expander(f"重新认定（复审）参考：{len(item.gaps)} 项"):
                for line in gap_marks(item.gaps, item.gap_states):
                    st.markdown(line)
        elif item.gaps:
            _lines(_gap_lines(item), "另有 {n} 项")
        for benefit in item.benefits:
            st.markdown(f":blue[:material/savings:] {md(benefit)}")
        if item.basis or item.source:
            st.caption(f"依据：{md(item.basis or item.source or '')}")


def readiness_panel(items: list[ReadinessItem]) -> None:
    """Readiness cards in three columns, grouped 资质认定 then 税收优惠 (``kind == "tax"``); an info note if empty."""
    if not items:
        st.info("暂无可核对的资质认定条件。")
        return
    st.caption("对照资质认定和税收优惠的条件，看看已经具备什么、还差什么；数据不全时显示为“信息不足”。")
    groups = {"资质认定": [i for i in items if i.kind != "tax"], "税收优惠": [i for i in items if i.kind == "tax"]}
    for title, group in groups.items():
        if not group:
            continue
        st.markdown(f"**{title}**")
        cols = st.columns(3)
        for i, item in enumerate(group):
            with cols[i % 3]:
                _readiness_card(item)
