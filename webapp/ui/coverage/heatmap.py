"""覆盖热力图: segments × support types, coloured by the measures a segment's enterprise can use."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from recommender import coverage as cv
from recommender.vocab import BENEFITS
from webapp.ui import checked

from .data import KEEP, download

ROW_HEIGHT = 18  # heatmap pixels per segment: every label readable
BOX_HEIGHT = 640  # a taller heatmap scrolls inside a box of this height (the page stays a few screens tall)
CHART_MARGIN = 140  # pixels of the chart outside its rows: the support types' labels on top, the padding


def _chart(shown: pd.DataFrame, dims: list[str]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The heatmap's data (one row per segment × support type) and its Vega-Lite spec (written as Vega-Lite's
    own JSON: st.vega_lite_chart draws it without importing altair, a third of a second on a fresh server)."""
    shown = shown.assign(segment=cv.segment_label(shown, dims).to_numpy())
    long = shown.melt(
        id_vars=["segment", "企业数", "人均可用措施数"],
        value_vars=list(BENEFITS),
        var_name="benefit",
        value_name="value",
    ).rename(columns={"企业数": "n", "人均可用措施数": "total"})
    order = list(shown["segment"])
    spec = {
        "mark": {"type": "rect", "stroke": "white", "strokeWidth": 0.5},
        "height": max(120, ROW_HEIGHT * len(order)),
        "encoding": {
            "x": {
                "field": "benefit",
                "type": "nominal",
                "sort": list(BENEFITS),
                "title": "支持类型",
                "axis": {"orient": "top", "labelAngle": -45, "labelOverlap": False},
            },
            "y": {
                "field": "segment",
                "type": "nominal",
                "sort": order,
                "title": " × ".join(cv.DIMENSIONS[d] for d in dims),
                "axis": {"labelLimit": 320, "labelOverlap": False, "labelFontSize": 11},
            },
            "color": {
                "condition": {"test": "datum.value == 0", "value": "#f4c7c3"},
                "field": "value",
                "type": "quantitative",
                "title": "人均可用措施数",
                "scale": {"scheme": "blues", "domainMin": 0},
            },
            "tooltip": [
                {"field": "segment", "type": "nominal", "title": "细分"},
                {"field": "benefit", "type": "nominal", "title": "支持类型"},
                {"field": "value", "type": "quantitative", "title": "人均可用该类措施数", "format": ".2f"},
                {"field": "total", "type": "quantitative", "title": "人均可用措施总数", "format": ".2f"},
                {"field": "n", "type": "quantitative", "title": "企业数"},
            ],
        },
    }
    return long, spec


@st.fragment
def heatmap(table: pd.DataFrame, dims: list[str]) -> None:
    """The heatmap of the segments with enough enterprises (scrolling in a box when taller than a screen), then the
    full table and its CSV (a fragment: the minimum reruns only this)."""
    st.session_state.setdefault("cov_min_n", 5)
    label = "热力图只显示企业数不少于"
    # no min_value (Streamlit refuses a value under it in English): checked here, in Chinese
    asked = checked.whole_number(st.number_input(label, step=1, key="cov_min_n", persist_state=KEEP), label, 1, None)
    min_n = 1 if asked is None else asked
    shown = table[table["企业数"] >= min_n]
    st.caption(
        f"颜色为细分内每家企业平均可用的该类措施数（白色至深蓝），红色为 0。显示 {len(shown)} 个细分，"
        f"共 {len(table)} 个（细分较多时图可在框内上下滚动）；完整数据见下表及下载。"
    )
    if shown.empty:
        st.info("没有达到该企业数的细分，请调低上面的数字。", icon=":material/info:")
    else:
        long, spec = _chart(shown, dims)
        tall = spec["height"] + CHART_MARGIN > BOX_HEIGHT
        with st.container(height=BOX_HEIGHT if tall else "content", border=False):
            st.vega_lite_chart(long, spec, width="stretch")
    means = {name: st.column_config.NumberColumn(format="%.2f") for name in ["人均可用措施数", *BENEFITS]}
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            **means,
            "无可用措施企业占比": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1),
        },
    )
    download(table, "细分×支持类型表", "细分覆盖表.csv")
