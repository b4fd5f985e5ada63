"""辅导员工作台: a roster of enterprises → bad rows listed, the rest matched; Word sheets and an Excel summary."""

import itertools

import streamlit as st

from recommender.consultation import SHEET_TOP, consult
from webapp.ui import auth, checked, profile_form, resources, roster_import, roster_view, scope_view, settings, style
from webapp.ui.markup import md

TOP, TOP_RANGE = "每家企业列出措施数", (3, 30)
TOP_HELP = f"{TOP_RANGE[0]} 至 {TOP_RANGE[1]} 条"

style.page_header("辅导员工作台", "上传走访企业名单，批量匹配政策，生成每家企业的政策咨询单和名单汇总表")

as_of = settings.as_of()
by = auth.acting()
shown_steps = itertools.count(1)  # the steps are numbered as shown: one left out leaves no gap


def step(title: str) -> None:
    """The next step's heading: "##### N　title"."""
    st.markdown(f"##### {next(shown_steps)}　{title}")


with st.container(border=True):
    step("上传企业名单")
    uploaded = roster_view.upload()
    with st.columns([1, 3])[0]:
        # no bounds (Streamlit refuses a value out of them in English): checked here, a Chinese line if wrong
        top = checked.whole_number_box(TOP, "roster_top", SHEET_TOP, TOP_RANGE, help=TOP_HELP)

if uploaded is not None:
    roster, file_name = uploaded
    roster_view.bad_rows(roster)
    roster_view.read_preview(roster)
    result = roster_view.match(roster, as_of, top) if roster.rows and top is not None else None
    if result is not None:
        with st.container(border=True):
            step("匹配结果")
            scope_view.roster_notice([r.profile.region for r in roster.rows], as_of)
            roster_view.overview(result)
            roster_view.roster_downloads(roster, result)
        with st.container(border=True):
            step("单个企业咨询单")
            roster_view.one_enterprise(roster, result)
    if roster.rows:
        with st.container(border=True):
            step("加入企业档案库")
            roster_import.box(roster, file_name, by)

submitted = profile_form.submitted()
if submitted and top is not None:
    with st.expander(f"“企业自测”页已提交的企业：{md(submitted.name)}", icon=":material/person:"):
        scope_view.district_notice(submitted.region, as_of, submitted.park)
        roster_view.sheet_preview(
            consult(resources.recommender(), submitted, as_of=as_of, top=top), key="self_check_sheet"
        )

scope_view.library_panel(as_of)  # which districts and documents the matches draw on, and their validity
