"""政策工作人员：覆盖分析 — which enterprises the measures serve, which clauses match nobody, what a change does.

Thin: every number comes from ``recommender.coverage``; the parts live in webapp/ui/coverage/. The page is a few
views a person can find their way in: the population and the settings in a closed box, one line saying what the
figures are about, then the results as views (概览 first), each a few screens tall. A run reads the population and
its coverage from caches shared by every session (``data``: built once per population, date and corpus); only the
open view is drawn, and a widget inside a view reruns only that view's fragment. Timings:
benchmarks/coverage_page.py.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from recommender import coverage as cv
from webapp.ui import push_view, settings
from webapp.ui.coverage import choices, data, heatmap, overview, population, sections, whatif
from webapp.ui.style import page_header

PAGE_TABS = ["覆盖分析", "谁该知道这条措施", "政策变化推送"]
PAGE_TAB = "cov_page_tab"  # st.session_state key: the open one of PAGE_TABS
VIEWS = ["概览", "覆盖热力图", "无措施的细分", "无人匹配的条款", "近似重复条款", "假设分析", "诉求满足情况"]
RESULT_TAB = "cov_tab"  # st.session_state key: the open one of VIEWS
SETUP = "企业样本与分析设置"


def _views(cov: cv.Coverage, setup: choices.Settings, table: pd.DataFrame) -> None:
    """The views of the results, one open at a time (switching reruns the page from the caches; a hidden view's
    widgets keep their values meanwhile, data.KEEP); a widget inside a view reruns only that view's fragment."""
    dims, partial = setup.dims, setup.include_partial
    empty = cv.uncovered_segments(table)
    unmatched = cv.unmatched_measures(cov, partial)
    draw = {
        "概览": lambda: overview.overview(cov, table, empty, unmatched, partial, dims),
        "覆盖热力图": lambda: heatmap.heatmap(table, dims),
        "无措施的细分": lambda: sections.empty_segments(empty, dims),
        "无人匹配的条款": lambda: sections.unmatched(cov, partial, unmatched),
        "近似重复条款": sections.near_duplicates,
        "假设分析": lambda: whatif.whatif_section(cov, partial),
        "诉求满足情况": lambda: sections.needs(cov, partial),
    }
    for name, tab in zip(VIEWS, st.tabs(VIEWS, key=RESULT_TAB, on_change="rerun"), strict=True):
        if tab.open:
            with tab:
                draw[name]()


def coverage_analysis(as_of: dt.date) -> None:
    """覆盖分析 over a population at ``as_of``: the settings (in a box, closed), a line saying what the figures are
    about, then the views of the results."""
    view = data.corpus()
    with st.expander(SETUP, icon=":material/tune:"):
        source = population.choose_source()
        setup = choices.analysis_settings()
    if source is None:
        st.info(f"请在“{SETUP}”中选择合成企业样本或上传企业名单，并改正其中标红的设置。", icon=":material/info:")
        return
    chosen = population.load(source)
    if chosen is None:
        return
    if not setup.dims:
        st.warning(f"请在“{SETUP}”中至少选择一个细分维度。", icon=":material/warning:")
        return
    key, profiles = chosen
    cov = data.coverage(key, as_of, not setup.include_ended, profiles)
    described = population.describe(source, profiles)
    choices.summary(described, as_of, setup, cv.out_of_force(view, as_of), len(cov.measures))
    population.population_download(source, profiles)
    _views(cov, setup, cv.segment_table(cov, setup.dims, setup.include_partial))
    area = view.area_only()
    said = f"（其中 {area} 条只限注册地或园区、不问企业其他条件：此处按规则计为可申请，企业页面显示为“可关注”）"
    st.caption(f"政策库：{len(view.documents)} 份文件，{len(view.measures)} 条企业可用措施{said if area else ''}。")


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
