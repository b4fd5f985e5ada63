"""谁该知道: the registered enterprises a published document's measures make eligible or nearly so.

Computed for all measures at once with ``registry.push.audiences`` (each clause as its rule stands now, so
a review after publishing shows at once); the ``push`` command's list of changes since a date names them too.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from recommender.corpus import is_valid
from recommender.eligibility.status import UNREVIEWED_LABEL
from recommender.locator import cited
from recommender.proposals.metadata import document_meta
from recommender.registry import enterprises, push
from recommender.registry.access import Actor
from recommender.registry.states import counsellor_text
from recommender.safe_output import csv_bytes
from webapp.ui.markup import md

from . import auth, store
from .hints import EMPTY_REGISTRY
from .library_data import DocumentView

COLUMNS = ["企业", "专员", "措施", "状态", "审核", "依据", "尚缺", "条款编号"]
CACHE = "lib_push"  # (document, version, clause versions, as_of) → (enterprises, rows)
EMPTY = EMPTY_REGISTRY + "之后这里会列出该知道这些措施的企业。"


def audience(session: Session, doc: DocumentView, as_of: dt.date, by: Actor) -> tuple[int, list[dict]]:
    """How many enterprises the registry holds that ``by`` may read, and one row per enterprise × measure
    it concerns."""
    meta = document_meta(doc.meta)
    measures = [c for c in (cv.effective for cv in doc.clauses) if c.kind == "measure"]
    rows = []
    for clause, found in zip(measures, push.audiences(session, measures, meta, as_of, by), strict=True):
        labels = push.audience_labels(clause, meta)
        for a in found:
            rows.append(
                {
                    "企业": a.enterprise.name,
                    "专员": counsellor_text(a.enterprise.counsellor),
                    "措施": cited(clause),
                    "条款编号": clause.id,
                    "状态": labels[a.verdict.status],
                    "审核": "已审核" if clause.curated else UNREVIEWED_LABEL,
                    "依据": "；".join(a.verdict.reasons),
                    "尚缺": "；".join(g.message for g in a.verdict.gaps),
                }
            )
    return enterprises.count(session, by), rows


def _computed(doc: DocumentView, as_of: dt.date) -> tuple[int, list[dict]] | None:
    key = (doc.policy_id, doc.version, tuple(c.version for c in doc.clauses), as_of)
    cached = st.session_state.get(CACHE)
    if cached is not None and cached[0] == key:
        return cached[1]
    by = auth.acting()
    found, exc = store.attempt(lambda s: audience(s, doc, as_of, by))
    if found is None:
        st.error(md(str(exc)), icon=":material/error:")
        return None
    st.session_state[CACHE] = (key, found)
    return found


def section(doc: DocumentView, as_of: dt.date) -> None:
    """The push list of a published document at ``as_of``, with its CSV."""
    st.markdown("##### 谁该知道")
    st.caption(f"档案库中按 {as_of} 可申请或只差部分条件的企业：发布后请先通知这些企业。")
    meta = document_meta(doc.meta)
    if not is_valid(meta, as_of):
        when = "尚未生效" if meta.valid_from > as_of else "已不在有效期内"
        st.warning(f"本文件在 {as_of} {when}，下表仅按条件列出企业。", icon=":material/schedule:")
    found = _computed(doc, as_of)
    if found is None:
        return
    total, rows = found
    if not total:
        st.info(EMPTY, icon=":material/info:")
        return
    frame = pd.DataFrame(rows, columns=COLUMNS)
    names = frame["企业"].nunique()
    st.markdown(f"档案库 {total} 家企业中，**{names}** 家与本文件的措施有关（共 {len(frame)} 条企业 × 措施）。")
    if frame.empty:
        st.info("档案库中没有企业符合或接近本文件措施的条件。", icon=":material/info:")
    else:
        st.dataframe(frame, hide_index=True, width="stretch")
    a, b = st.columns([1, 1])
    b.button(
        "重新生成名单",
        key="lib_push_again",
        icon=":material/refresh:",
        on_click=st.session_state.pop,
        args=(CACHE, None),
    )
    a.download_button(
        "下载推送名单（CSV）",
        csv_bytes(frame),
        file_name=f"推送名单-{doc.policy_id}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        disabled=frame.empty,
        key="lib_push_csv",
    )
