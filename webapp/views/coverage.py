"""政策工作人员：覆盖分析 — which enterprises the measures serve, which clauses match nobody, what a change does.

Thin: every number comes from ``recommender.coverage``; the parts live in webapp/ui/coverage/. A run reads the
population and its coverage from caches shared by every session (``data``: built once per population, date and
corpus); only the open tab of the results is drawn, and a widget inside a tab reruns only that tab's fragment.
Timings: benchmarks/coverage_page.py.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from recommender import coverage as cv
from webapp.ui import push_view, settings
from webapp.ui.coverage import data, heatmap, population, sections, whatif
from webapp.ui.style import page_header

PAGE_TABS = ["覆盖分析", "谁该知道这条措施", "政策变化推送"]
PAGE_TAB = "cov_page_tab"  # st.session_state key: the open one of PAGE_TABS
TABS = ["覆盖热力图", "无措施的细分", "无人匹配的条款", "近似重复条款", "假设分析", "诉求满足情况"]
RESULT_TAB = "cov_tab"  # st.session_state key: the open one of TABS


def _settings() -> tuple[bool, bool, list[str]]:
    """② 分析设置: only documents in force, 需补充条件 counted as usable, the segment dimensions."""
    st.session_state.setdefault("cov_valid_only", False)
    st.session_state.setdefault("cov_partial", False)
    st.session_state.setdefault("cov_dims", ["region", "industry", "stage"])
    c1, c2 = st.columns(2)
    valid_only = c1.checkbox("只统计评估日有效的文件", key="cov_valid_only")
    include_partial = c2.checkbox("“需补充条件”也算可用", key="cov_partial", help="默认只把“可申请”算作可用")
    dims = st.multiselect(
        "细分维度", list(cv.DIMENSIONS), key="cov_dims", format_func=cv.DIMENSIONS.get, help="细分 = 所选维度的组合"
    )
    return valid_only, include_partial, dims


def _metrics(cov: cv.Coverage, n: int, table: pd.DataFrame, empty: pd.DataFrame, unmatched: list) -> None:
    m = st.columns(5)
    m[0].metric("企业数", n)
    m[1].metric("参与统计的措施", len(cov.measures))
    m[2].metric("细分数", len(table))
    m[3].metric("无措施的细分", len(empty))
    m[4].metric("无人匹配的措施", len(unmatched))


def coverage_analysis(as_of: dt.date) -> None:
    """覆盖分析 over a population at ``as_of``: settings, headline numbers and the six result tabs."""
    view = data.corpus()
    st.subheader("① 企业样本")
    chosen = population.choose_population()
    if chosen is None:
        return
    key, profiles = chosen

    st.subheader("② 分析设置")
    valid_only, include_partial, dims = _settings()
    if not dims:
        st.warning("请至少选择一个细分维度。", icon=":material/warning:")
        return

    cov = data.coverage(key, as_of, valid_only, profiles)
    table = cv.segment_table(cov, dims, include_partial)
    empty = cv.uncovered_segments(table)
    unmatched = cv.unmatched_measures(cov, include_partial)
    expired = int((~cov.valid).sum())
    if expired:
        st.info(
            f"评估日 {as_of.isoformat()} 有 {expired} 条措施所在文件已过期，仍计入统计（在措施表“有效”列标为 False）；"
            "勾选“只统计评估日有效的文件”可排除。",
            icon=":material/info:",
        )
    st.subheader("③ 结果")
    _metrics(cov, len(profiles), table, empty, unmatched)
    # only the open tab runs (switching reruns the page from the caches; its widgets keep their values meanwhile,
    # data.KEEP); a widget inside a tab reruns only that tab's fragment
    tabs = st.tabs(TABS, key=RESULT_TAB, on_change="rerun")
    sections_of = [
        lambda: heatmap.heatmap(table, dims),
        lambda: sections.empty_segments(empty, dims),
        lambda: sections.unmatched(cov, include_partial, unmatched),
        sections.near_duplicates,
        lambda: whatif.whatif_section(cov, include_partial),
        lambda: sections.needs(cov, include_partial),
    ]
    for tab, draw in zip(tabs, sections_of, strict=True):
        if tab.open:
            with tab:
                draw()
    st.caption(f"政策库：{len(view.documents)} 份文件，{len(view.measures)} 条企业可用措施。")


page_header(
    "政策覆盖分析",
    "面向政策工作人员：哪些类型的企业没有措施可用、哪些条款无人匹配、哪些条款彼此重复、改一个门槛会怎样、"
    "一条措施该通知档案库中的哪些企业",
)
as_of = settings.as_of()
# the registry's tabs run only when open (the audience judges every registered enterprise); the analysis always
# runs, from its caches, so that its uploaded roster and edited weights (widgets that cannot be kept while
# hidden) stay as they are
analysis, audience, changes = st.tabs(PAGE_TABS, key=PAGE_TAB, on_change="rerun")
if audience.open:
    with audience:
        push_view.audience_section(as_of)
if changes.open:
    with changes:
        push_view.push_section(as_of)
with analysis:
    coverage_analysis(as_of)
