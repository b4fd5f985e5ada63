"""What the address of a page the acting account may not open shows: who may use it, and to log in.

Streamlit serves a page missing from the navigation with an English "Page not found" box, then 企业自测: a
reload, which logs staff out, or a bookmark of 辅导员工作台 met that (a break-it trial).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import streamlit as st

from recommender.registry.access import ROLE_LABELS

from . import nav


def closed_text(title: str, roles: Sequence[str], logged_in: bool) -> str:
    """The one line a closed page says: the page, who may use it, and what to do ("…请在左侧“工作人员登录”中
    登录。" for the public; for an account of another role, that it has no access)."""
    who = "、".join(ROLE_LABELS[r] for r in roles)
    if logged_in:
        return f"“{title}”仅供{who}使用，当前账号无权打开。"
    return f"“{title}”仅供{who}使用，请在左侧“工作人员登录”中登录（刷新页面或重新打开浏览器后需重新登录）。"


def closed_page(script: str, title: str, roles: Sequence[str], logged_in: bool) -> Any:
    """A hidden page at ``script``'s address (its file name, as Streamlit names a page) that says
    ``closed_text`` and links to 企业自测."""

    def draw() -> None:
        st.title(title)
        st.warning(closed_text(title, roles, logged_in), icon=":material/lock:")
        st.page_link(nav.SELF_CHECK, label="前往企业自测", icon=":material/fact_check:")

    return st.Page(draw, title=title, url_path=Path(script).stem, visibility="hidden")
