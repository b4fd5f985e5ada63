"""概览: the headline numbers and what needs attention first, each pointing to the view with the details."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from recommender import coverage as cv
from webapp.ui.markup import md

SHOWN = 5  # items listed per finding


def metrics(cov: cv.Coverage, table: pd.DataFrame, empty: pd.DataFrame, unmatched: list[cv.Unmatched]) -> None:
    """The five headline numbers."""
    m = st.columns(5)
    m[0].metric("企业数", len(cov.profiles))
    m[1].metric("参与统计的措施", len(cov.measures))
    m[2].metric("细分数", len(table))
    m[3].metric("无措施的细分", len(empty))
    m[4].metric("无人匹配的措施", len(unmatched))


def _more(total: int, view: str) -> str:
    more = f"另有 {total - SHOWN} 个，" if total > SHOWN else ""
    return f"{more}详见“{view}”。"


def _empty_segments(empty: pd.DataFrame, dims: list[str]) -> None:
    st.markdown("**没有任何可用措施的细分**（企业最多的几个）")
    if empty.empty:
        st.success("每个细分都至少有一家企业有可用措施。", icon=":material/check_circle:")
        return
    first = empty.head(SHOWN)
    lines = [f"- {md(label)}：{n} 家" for label, n in zip(cv.segment_label(first, dims), first["企业数"], strict=True)]
    st.markdown("\n".join(lines))
    st.caption(_more(len(empty), "无措施的细分"))


def _why(item: cv.Unmatched) -> str:
    if item.blocking:
        return "；".join(c.why() for c in item.blocking)
    if item.undecided:
        return "每个条件都有企业满足，但没有企业能确认同时满足全部条件"
    return "每个条件都有企业满足，但没有企业同时满足全部条件"


def _unmatched(items: list[cv.Unmatched]) -> None:
    st.markdown("**样本中没有企业可用的措施**")
    if not items:
        st.success("每条措施都至少有一家企业可用。", icon=":material/check_circle:")
        return
    lines = []
    for item in items[:SHOWN]:
        text = item.clause.title or item.clause.text
        short = text[:24] + ("…" if len(text) > 24 else "")
        lines.append(f"- {md(item.document.short_title)}：{md(short)} —— {md(_why(item))}")
    st.markdown("\n".join(lines))
    st.caption(_more(len(items), "无人匹配的条款"))


def _needs(cov: cv.Coverage, include_partial: bool) -> None:
    st.markdown("**满足率最低的诉求**")
    table = cv.needs_table(cov, include_partial).dropna(subset=["满足率"]).sort_values("满足率", kind="stable")
    lines = [
        f"- {row['诉求']}：提出该诉求的 {row['提出该诉求的企业数']} 家中 {row['有对应可用措施的企业数']} 家"
        f"有对应措施（{row['满足率']:.0%}）"
        for row in table.head(3).to_dict("records")
    ]
    st.markdown("\n".join(lines) or "样本中没有企业提出诉求。")
    st.caption("详见“诉求满足情况”。")


def overview(
    cov: cv.Coverage,
    table: pd.DataFrame,
    empty: pd.DataFrame,
    unmatched: list[cv.Unmatched],
    include_partial: bool,
    dims: list[str],
) -> None:
    """概览: the headline numbers, then the segments without measures, the measures nobody can use and the needs
    least served (a few of each), and what each other view shows."""
    metrics(cov, table, empty, unmatched)
    left, right = st.columns(2, gap="large")
    with left:
        _empty_segments(empty, dims)
        _needs(cov, include_partial)
    with right:
        _unmatched(unmatched)
    st.caption(
        "其他视图：覆盖热力图——各细分每类支持平均有几条可用措施；无措施的细分——完整名单；无人匹配的条款——"
        "每条措施卡在哪个条件；近似重复条款——不同文件之间文字相近的条款；假设分析——改一个门槛或文件的适用区域，"
        "谁获得、谁失去资格；诉求满足情况——每类诉求有多少企业有对应措施。每张表都可下载为 CSV。"
    )
