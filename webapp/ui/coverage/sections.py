"""The coverage tables: segments without measures, measures nobody matches, near-duplicates, needs."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from recommender import coverage as cv
from webapp.ui.markup import md

from .data import KEEP, clause_labels, download, duplicates


def empty_segments(empty: pd.DataFrame, dims: list[str]) -> None:
    """无措施的细分: the segments where no enterprise has a measure to use."""
    if empty.empty:
        st.success("每个细分都至少有一家企业有可用措施。", icon=":material/check_circle:")
    else:
        where = " × ".join(cv.DIMENSIONS[d] for d in dims)
        st.markdown(f"以下 **{len(empty)}** 个细分（{where}）中没有任何企业有可用措施：")
    st.dataframe(empty, hide_index=True)
    download(empty, "无措施的细分", "无措施细分.csv")


@st.fragment
def _inspect(cov: cv.Coverage, measures: pd.DataFrame) -> None:
    """One measure's conditions with the enterprises meeting each (a fragment: choosing reruns only this)."""
    view = cov.corpus
    labels = clause_labels(view, measures[cv.CLAUSE_ID])
    clause_id = st.selectbox(
        "查看一条措施的各条件有多少企业满足",
        list(labels),
        key="cov_inspect",
        persist_state=KEEP,
        format_func=labels.__getitem__,
    )
    clause = view.clause(clause_id)
    counts = cv.condition_counts(cov, clause, view.documents[clause.policy_id])
    if counts:
        st.dataframe(cv.conditions_table([(clause, counts)]), hide_index=True)
    else:
        st.caption("该措施没有任何条件（也不限区域）：所有企业都可申请。")


def unmatched(cov: cv.Coverage, include_partial: bool, items: list[cv.Unmatched]) -> None:
    """无人匹配的条款: why each measure serves nobody (``items``: ``unmatched_measures(cov, include_partial)``),
    every measure's counts, one measure's conditions."""
    if items:
        st.markdown(
            f"**{len(items)} 条措施在样本中没有企业可用**，原因如下（条件逐条统计满足/不满足/无法判断的企业数）："
        )
        if unjudged := sum(u.unjudged for u in items):
            st.caption(
                f"其中 {unjudged} 条是因为样本中没有企业有判断所需的信息（如须企业自行确认的企业类型），"
                "无从判断，并不说明没有企业符合：可上传带有这些信息的企业名单再看。"
            )
        summary = cv.unmatched_table(items)
        st.dataframe(summary, hide_index=True)
        download(summary, "无人匹配条款", "无人匹配条款.csv")
        with st.expander("这些措施的每个条件各有多少企业满足"):
            detail = cv.unmatched_conditions_table(items)
            st.dataframe(detail, hide_index=True)
            download(detail, "无人匹配条款的条件统计", "无人匹配条款条件.csv")
    else:
        st.success(
            "样本中每条措施都至少有一家企业可用。下表按可申请企业数从少到多列出全部措施。",
            icon=":material/check_circle:",
        )
    measures = cv.measure_table(cov).sort_values(["可申请", "需补充条件"], kind="stable")
    with st.expander("全部措施的匹配企业数", expanded=not items):
        st.dataframe(measures, hide_index=True)
        download(measures, "措施匹配统计", "措施匹配统计.csv")
    _inspect(cov, measures)


@st.fragment
def near_duplicates() -> None:
    """近似重复条款: pairs of clauses of different documents alike above a threshold (a fragment: its widgets
    rerun only this)."""
    st.session_state.setdefault("cov_threshold", cv.DEFAULT_DUPLICATE_THRESHOLD)
    st.session_state.setdefault("cov_dup_measures", True)
    c1, c2 = st.columns([2, 1])
    threshold = c1.slider("相似度阈值（TF-IDF 余弦）", 0.2, 0.95, step=0.05, key="cov_threshold", persist_state=KEEP)
    measures_only = c2.checkbox("只比较企业可用措施", key="cov_dup_measures", persist_state=KEEP)
    pairs = duplicates(float(threshold), bool(measures_only))
    st.caption(f"不同文件之间文字相近的条款共 {len(pairs)} 对，可考虑合并或统一口径。")
    st.dataframe(pairs, hide_index=True)
    download(pairs, "近似重复条款", "近似重复条款.csv")
    for row in pairs.head(5).to_dict("records"):
        with st.expander(f"相似度 {row['相似度']:.2f}：{md(row['文件A'])} ↔ {md(row['文件B'])}"):
            for column, side in zip(st.columns(2), "AB", strict=True):
                column.markdown(f"**{md(row[f'文件{side}'])}** {md(row[f'条款{side}'])}")
                column.caption(f"编号 {md(row[f'条款{side}编号'])}")
                column.write(row[f"条款{side}原文"])


def needs(cov: cv.Coverage, include_partial: bool) -> None:
    """诉求满足情况: per need, how many enterprises stating it have a measure of that kind."""
    table = cv.needs_table(cov, include_partial)
    st.dataframe(
        table,
        hide_index=True,
        column_config={"满足率": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)},
    )
    download(table, "诉求满足情况", "诉求满足情况.csv")
