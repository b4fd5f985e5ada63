"""分析设置 and the line under the settings box that says what the figures are about."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from recommender import coverage as cv

INCLUDE_ENDED = "包括评估日已过期或尚未生效的文件"


@dataclass(frozen=True)
class Settings:
    """How the population's coverage is counted."""

    include_ended: bool  # measures of documents not in force at the as-of date count too
    include_partial: bool  # 需补充条件 counts as usable
    dims: list[str]  # the segment dimensions (keys of cv.DIMENSIONS)


def analysis_settings() -> Settings:
    """分析设置: documents not in force left out unless ticked, 需补充条件 counted as usable, the segment dimensions."""
    st.session_state.setdefault("cov_include_ended", False)
    st.session_state.setdefault("cov_partial", False)
    st.session_state.setdefault("cov_dims", ["region", "industry", "stage"])
    c1, c2 = st.columns(2)
    include_ended = c1.checkbox(
        INCLUDE_ENDED,
        key="cov_include_ended",
        help="默认只统计评估日有效的文件：已过期文件中的措施企业已不能申请，尚未生效的还不能申请",
    )
    include_partial = c2.checkbox("“需补充条件”也算可用", key="cov_partial", help="默认只把“可申请”算作可用")
    dims = st.multiselect(
        "细分维度",
        list(cv.DIMENSIONS),
        key="cov_dims",
        format_func=cv.DIMENSIONS.get,
        help="细分 = 所选维度的组合",
        placeholder="请选择细分维度",
    )
    return Settings(include_ended, include_partial, list(dims))


def _documents_left_out(out: cv.OutOfForce, include_ended: bool) -> str:
    parts = []
    if out.ended_measures:
        parts.append(f"已过期的 {out.ended_documents} 份文件中的 {out.ended_measures} 条措施")
    if out.pending_measures:
        parts.append(f"尚未生效的 {out.pending_documents} 份文件中的 {out.pending_measures} 条措施")
    if not parts:
        return "政策库中的文件在评估日都有效"
    if include_ended:
        return f"已按设置计入{'、'.join(parts)}（措施表“{cv.VALID}”列未勾选）"
    return f"只统计评估日有效的文件，{'、'.join(parts)}未计入（可在设置中勾选“{INCLUDE_ENDED}”）"


def summary(population: str, as_of: dt.date, setup: Settings, out: cv.OutOfForce, measures: int) -> None:
    """What the figures below are about: the population, the date, the measures counted (and those left out),
    what counts as usable, the segments."""
    usable = "可申请或需补充条件" if setup.include_partial else "可申请"
    segments = " × ".join(cv.DIMENSIONS[d] for d in setup.dims)
    st.markdown(
        f"**分析对象**：{population}；评估日 {as_of.isoformat()}；参与统计的措施 {measures} 条"
        f"（{_documents_left_out(out, setup.include_ended)}）；“可用”指{usable}；细分维度：{segments}。"
    )
