"""The self-check results: what the library covers, filters, counts, the measures in force, the ended round's
measures apart, unlockable measures, readiness, Word sheet."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace

import streamlit as st

from recommender.consultation import (
    EXPIRED,
    LEAD,
    LEAD_HINT,
    LISTED,
    STATUS_ORDER,
    Consultation,
    MeasureView,
    consult,
    state_label,
)
from recommender.eligibility.status import NOT_YET, UNREVIEWED
from recommender.library_scope import ENDED_SECTION
from recommender.profile import Profile
from recommender.services.sheet import consultation_sheet
from recommender.sheets import sheet_filename
from recommender.vocab import BENEFITS
from webapp.ui.markup import md

from . import feedback, resources, scope_view, tabs
from .cards import measure_card, readiness_panel, unlock_list

PAGE = 10
NOT_YET_SECTION = "尚未生效"
TABS = "results_tab"  # st.session_state key of the open results tab


@dataclass
class Listed:
    """The measures listed under the filters, numbered in one sequence: in force, ended, not yet in force."""

    in_force: list[MeasureView]
    ended: list[MeasureView]
    not_yet: list[MeasureView]

    @property
    def all(self) -> list[MeasureView]:
        """Every listed measure, in the order they are numbered."""
        return self.in_force + self.ended + self.not_yet


@dataclass(frozen=True)
class Filters:
    """What the user chose to see: leads or not, support types, display states (empty: all)."""

    leads: bool
    benefits: list[str]
    statuses: list[str]

    def keep(self, m: MeasureView) -> bool:
        """Whether ``m`` passes the filters."""
        return (
            (self.leads or m.state != LEAD)  # a measure asking nothing but where the enterprise is, too
            and (not self.benefits or bool(set(m.benefits) & set(self.benefits)))
            and (not self.statuses or m.state in self.statuses)
        )

    def said(self) -> str:
        """The filters in force in words ("" when none narrows the list)."""
        parts = [f"支持方式：{'、'.join(self.benefits)}"] if self.benefits else []
        parts += [f"匹配状态：{'、'.join(state_label(s) for s in self.statuses)}"] if self.statuses else []
        return "；".join(parts + ([] if self.leads else ["不含可关注线索"]))


def _controls() -> Filters:
    b, c, d = st.columns([2, 2, 1])
    benefits = b.multiselect("支持方式", BENEFITS, placeholder="全部", key="filter_benefits")
    statuses = c.multiselect("匹配状态", STATUS_ORDER, format_func=state_label, placeholder="全部", key="filter_status")
    with d:
        leads = st.toggle("显示可关注线索", value=True, key="show_leads", help=LEAD_HINT)
    return Filters(leads, benefits, statuses)


def _by_document(measures: list[MeasureView]) -> list[MeasureView]:
    """The measures of each document together (documents in the order their best measure ranks)."""
    order = {doc: k for k, doc in reversed(list(enumerate(m.document for m in measures)))}
    return sorted(measures, key=lambda m: order[m.document])


def listed(c: Consultation, filters: Filters) -> Listed:
    """The measures the page lists under ``filters``: in force, ended (已过期) and not yet in force, each list in
    its own section, numbered 1..n across them as listed."""
    parts = [
        [m for m in c.measures if filters.keep(m)],
        _by_document([m for m in c.expired if m.state == EXPIRED and filters.keep(m)]),
        _by_document([m for m in c.expired if m.state == NOT_YET and filters.keep(m)]),
    ]
    start = 1
    numbered = []
    for part in parts:
        numbered.append([replace(m, rank=k) for k, m in enumerate(part, start)])
        start += len(part)
    return Listed(*numbered)


def unlockable(c: Consultation, filters: Filters) -> dict[str, list[MeasureView]]:
    """The measures each title would unlock (``c.unlocks``) that pass ``filters``, as the other tabs' measures do;
    titles with none left out, the one unlocking most first (as ``pathways.by_unlocking_title`` orders them)."""
    kept = {title: [m for m in measures if filters.keep(m)] for title, measures in c.unlocks.items()}
    return dict(sorted(((t, ms) for t, ms in kept.items() if ms), key=lambda kv: (-len(kv[1]), kv[0])))


def unlock_count(unlocks: dict[str, list[MeasureView]]) -> int:
    """How many measures ``unlocks`` lists (one unlocked by two titles counts once): the tab label's count."""
    return len({m.clause_id for measures in unlocks.values() for m in measures})


def counts(shown: Listed) -> dict[str, int]:
    """How many listed measures have each display state: those of measures in force (待审核 only when any), then
    已过期, then 尚未生效 (only when any): the count cards, equal to what the lists show."""
    found = {state: 0 for state in STATUS_ORDER[:LISTED]}
    for m in shown.all:
        found[m.state] = found.get(m.state, 0) + 1
    found.setdefault(EXPIRED, 0)
    return {s: n for s, n in found.items() if n or s not in (UNREVIEWED, NOT_YET)}


def _counts(shown: Listed, filters: Filters) -> None:
    numbers = counts(shown)
    for col, (state, n) in zip(st.columns(len(numbers)), numbers.items(), strict=True):
        col.metric(state_label(state), f"{n} 条", border=True)
    said = filters.said()
    scope = f"按当前筛选（{md(said)}）" if said else "全部相关措施"
    st.caption(f"以上为{scope}的条数，与下方各栏列出的一致：共 {len(shown.all)} 条。")


def _cards(measures: list[MeasureView], c: Consultation, key: str, target: feedback.Target | None) -> None:
    """The cards, ``PAGE`` at a time (a 再显示 button for more), documents of out-of-force measures as headings."""
    signature = json.dumps([c.profile.public_dict(), str(c.as_of), len(measures)], ensure_ascii=False)
    if st.session_state.get(f"{key}_for") != signature:
        st.session_state[f"{key}_for"] = signature
        st.session_state[key] = PAGE
    limit = st.session_state[key]
    footer = (lambda m: feedback.control(m, c.profile, c.as_of, target)) if target is not None else None
    heading = None
    for m in measures[:limit]:
        if not m.valid and m.document != heading:
            heading = m.document
            _document_heading(m, c.as_of)
        ended = f"{ENDED_SECTION}，可向{ask_about(m)}咨询是否延续" if m.state == EXPIRED else None
        measure_card(m, footer, note=ended)
    more = min(PAGE, len(measures) - limit)
    label = f"再显示 {more} 条（共 {len(measures)} 条）"
    if more > 0 and st.button(label, icon=":material/expand_more:", key=f"{key}_more"):
        st.session_state[key] = limit + PAGE
        st.rerun()


def ask_about(m: MeasureView) -> str:
    """Whom to ask whether an ended measure goes on: its lead departments, else those named, else the issuer."""
    return "、".join(m.lead_departments or m.other_departments or [m.issuer])


def _document_heading(m: MeasureView, as_of: dt.date) -> None:
    doc = m.result.document
    number = f"（{m.doc_number}）" if m.doc_number else ""
    st.markdown(f"**《{md(m.document)}》**{md(number)}")
    if m.state == EXPIRED and doc.valid_to is not None:
        st.caption(
            f":material/event_busy: 有效期 {doc.valid_from} 至 {doc.valid_to}，已于 {doc.valid_to} 到期。"
            f"{ENDED_SECTION}，可向发文单位{md(m.issuer)}咨询是否延续或有新一轮政策。"
        )
    else:
        st.caption(f":material/event_upcoming: 自 {doc.valid_from} 起施行，{as_of} 时尚未生效。")


def _in_force(c: Consultation, shown: Listed, note: str | None, target: feedback.Target | None) -> None:
    if shown.ended:
        st.caption(f":material/history: 另有 {len(shown.ended)} 条上一轮已到期的措施，见“{ENDED_SECTION}”。")
    if shown.in_force:
        _cards(shown.in_force, c, "shown", target)
        return
    if c.measures:  # measures in force, all filtered out: the filters, not the district, left the list empty
        st.info("没有符合筛选条件的现行措施，可以放宽筛选条件或补充企业信息。", icon=":material/info:")
    elif note:  # the district is not covered, or only by documents out of force: say so, not "nothing found"
        st.info(f"现行有效的政策中没有可列出的措施：{md(note)}", icon=":material/location_off:")
    else:
        st.info(f"{c.as_of} 时现行有效的政策中，没有与本企业相关的措施。", icon=":material/info:")


def _ended(c: Consultation, shown: Listed, target: feedback.Target | None) -> None:
    st.caption(
        f"以下措施所在的文件在 {c.as_of} 时已到期（上一轮政策），现在不能按原文申请；"
        "每条措施下列有联系部门，可咨询是否延续或有新一轮政策。"
    )
    if not shown.ended:
        st.info("没有符合筛选条件的已到期措施。", icon=":material/info:")
    _cards(shown.ended, c, "shown_ended", target)


def _not_yet(c: Consultation, shown: Listed, target: feedback.Target | None) -> None:
    if not shown.not_yet:
        st.info("没有符合筛选条件的尚未生效措施。", icon=":material/info:")
    _cards(shown.not_yet, c, "shown_not_yet", target)


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


def _unlocks(c: Consultation, unlocks: dict[str, list[MeasureView]], filters: Filters) -> None:
    if c.unlocks and not unlocks:
        st.info("没有符合筛选条件的、取得资质即可解锁的措施，可以放宽筛选条件。", icon=":material/info:")
        return
    if said := filters.said():
        st.caption(f"按当前筛选（{md(said)}）列出。")
    unlock_list(unlocks, c.readiness)


def _labels(c: Consultation, shown: Listed, unlocks: dict[str, list[MeasureView]]) -> list[str]:
    labels = [f"推荐措施（{len(shown.in_force)}）"]
    if any(m.state == EXPIRED for m in c.expired):
        labels.append(f"{ENDED_SECTION}（{len(shown.ended)}）")
    if any(m.state == NOT_YET for m in c.expired):
        labels.append(f"{NOT_YET_SECTION}（{len(shown.not_yet)}）")
    labels.append(f"取得资质可解锁（{unlock_count(unlocks)}）")
    return labels + (["资质准备度"] if c.readiness is not None else [])


def render(profile: Profile, as_of: dt.date, target: feedback.Target | None = None) -> None:
    """The results at ``as_of``; with ``target``, every measure card takes 有用 / 不适用 feedback."""
    st.subheader(f"匹配结果：{md(profile.name)}")
    note = scope_view.district_notice(profile.region, as_of, profile.park)
    scope_view.library_panel(as_of)
    filters = _controls()
    c = consult(resources.recommender(), profile, as_of=as_of, top=None)
    shown, unlocks = listed(c, filters), unlockable(c, filters)
    _counts(shown, filters)
    left, right = st.columns([3, 1])
    left.caption(f"按匹配程度排序，政策有效性按 {as_of} 判断。结果依据公开政策文件自动生成，仅供参考。")
    with right:
        _sheet_button(profile, as_of)
    labels = _labels(c, shown, unlocks)
    drawn = dict(zip([tabs.stem(label) for label in labels], tabs.kept(labels, TABS), strict=True))
    with drawn["推荐措施"]:
        _in_force(c, shown, note, target)
    if ENDED_SECTION in drawn:
        with drawn[ENDED_SECTION]:
            _ended(c, shown, target)
    if NOT_YET_SECTION in drawn:
        with drawn[NOT_YET_SECTION]:
            _not_yet(c, shown, target)
    with drawn["取得资质可解锁"]:
        _unlocks(c, unlocks, filters)
    if "资质准备度" in drawn:
        with drawn["资质准备度"]:
            readiness_panel(c.readiness or [])
