"""What the policy library covers, where results are shown: the districts and documents, each document's
validity, and a plain word when an enterprise's district is not covered (``recommender.library_scope``)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable

import pandas as pd
import streamlit as st

from recommender.library_scope import DocumentScope, covered_districts, district_note, library_scope

from . import resources
from .markup import md


def note_for(region: str, as_of: dt.date, park: str | None = None) -> str | None:
    """What an enterprise of ``region`` (in ``park``) must know about the library's reach at ``as_of`` (None:
    nothing)."""
    return district_note(region, resources.recommender().documents.values(), as_of, park)


def district_notice(region: str, as_of: dt.date, park: str | None = None) -> str | None:
    """Warn, above the results, when the library has no document in force for ``region``; return the words."""
    note = note_for(region, as_of, park)
    if note:
        st.warning(md(note), icon=":material/location_off:")
    return note


def roster_notice(regions: Iterable[str], as_of: dt.date) -> None:
    """For a roster: one warning per district the library does not cover (or covers only with documents out
    of force), with how many of the roster's enterprises are registered there."""
    for region, n in Counter(regions).items():
        if note := note_for(region, as_of):
            st.warning(f"名单中注册地为{md(region)}的 {n} 家：{md(note)}", icon=":material/location_off:")


def _table(rows: list[DocumentScope], as_of: dt.date) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "文件": f"《{r.title}》",
                "适用范围": r.area,
                "发文单位": r.issuer,
                "文号": r.doc_number or "（无文号）",
                "有效期": r.period,
                f"{as_of.isoformat()} 时": r.validity_label,
                "措施和线索": r.measures,
            }
            for r in rows
        ]
    )


def library_panel(as_of: dt.date, expanded: bool = False) -> None:
    """本库收录的政策文件: the districts and parks covered, and each document with its validity at ``as_of``."""
    engine = resources.recommender()
    rows = library_scope(engine.policies, as_of)
    in_force = sum(r.validity == "in_force" for r in rows)
    title = f"本库收录的政策文件：{len(rows)} 份，{as_of.isoformat()} 时有效 {in_force} 份"
    with st.expander(title, expanded=expanded, icon=":material/library_books:"):
        districts = "、".join(covered_districts(engine.documents.values())) or "无"
        zones = sorted({r.area for r in rows if "按所在园区" in r.area})
        parks = f"；按所在园区适用：{'、'.join(zones)}" if zones else ""
        st.caption(f"覆盖的区：{md(districts)}{md(parks)}。其他区的政策文件暂未收录，那里的企业看不到本区的措施。")
        st.dataframe(_table(rows, as_of), hide_index=True, width="stretch")
