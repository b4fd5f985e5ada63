"""The look shared by every page: a service banner and a few CSS touches."""

from __future__ import annotations

import html

import streamlit as st

_CSS = """
<style>
.pb-banner {background: linear-gradient(100deg, #0b3d91 0%, #1f5fbf 65%, #2f7be0 100%);
  color: #fff; padding: 18px 26px 16px; border-radius: 10px; margin-bottom: 6px;}
.pb-banner .pb-org {font-size: 0.82rem; letter-spacing: 0.12em; opacity: 0.85;}
.pb-banner h1 {color: #fff; font-size: 1.65rem; margin: 2px 0 4px; padding: 0;}
.pb-banner p {margin: 0; opacity: 0.92; font-size: 0.95rem;}
</style>
"""


def page_header(title: str, subtitle: str) -> None:
    """The banner at the top of a page (styles included)."""
    st.html(
        _CSS + f'<div class="pb-banner"><div class="pb-org">政策北斗 · 上海企业政策匹配服务</div>'
        f"<h1>{html.escape(title)}</h1><p>{html.escape(subtitle)}</p></div>"
    )
