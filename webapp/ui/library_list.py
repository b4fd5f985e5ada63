"""文件列表: every added document with its state, clause and pending counts, who added it and when."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from recommender.registry import documents
from webapp.ui.markup import md

from . import auth, library_data, library_review, store
from .library_data import DocumentView

COLUMNS = [
    "标题",
    "状态",
    "条款",
    "已审核条款",
    "待审核项",
    "上传文件",
    "创建人",
    "创建时间",
    "最近修改",
    "发布",
    "文件编号",  # what the exports and the command line use: last, a person reads the title
]


def frame(docs: list[DocumentView]) -> pd.DataFrame:
    """One row per document, newest first (its 文件编号 last)."""
    rows = [
        {
            "文件编号": d.policy_id,
            "标题": d.title,
            "状态": d.state_label,
            "条款": len(d.clauses),
            "已审核条款": sum(not c.pending for c in d.clauses),
            "待审核项": d.pending,
            "上传文件": d.source_name,
            "创建人": d.created_by,
            "创建时间": store.local_time(d.created_at),
            "最近修改": f"{d.updated_by} {store.local_time(d.updated_at)}",
            "发布": f"{d.published_by} {store.local_time(d.published_at)}" if d.published_at else "",
        }
        for d in docs
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def section(docs: list[DocumentView]) -> None:
    """The 文件列表 step."""
    if not docs:
        st.info("还没有新增的政策文件。请在“上传文件”中上传一份。", icon=":material/info:")
        return
    published = sum(d.state == "published" for d in docs)
    st.caption(
        f"共 {len(docs)} 个新增文件：已发布 {published} 个，草稿 {len(docs) - published} 个。内置政策库的文件不在此列。"
    )
    st.dataframe(frame(docs), hide_index=True, width="stretch")
    _delete(docs)


def _delete(docs: list[DocumentView]) -> None:
    """删除草稿: a draft uploaded by mistake (twice, or the wrong file); a published document stays."""
    drafts = [d for d in docs if d.state != "published"]
    if not drafts:
        return
    with st.expander("删除草稿"):
        by_id = {d.policy_id: d for d in drafts}
        labels = library_review.document_labels(drafts)  # never two alike
        picked = st.selectbox("草稿", list(by_id), format_func=labels.__getitem__, key="lib_delete_pick")
        chosen = by_id[picked]
        sure = st.checkbox("确认删除该草稿及其全部审核记录（不可恢复）", key="lib_delete_sure")
        if st.button("删除草稿", key="lib_delete", icon=":material/delete:", disabled=not sure):
            by = auth.acting()
            _, exc = store.attempt(lambda s: documents.delete_draft(s, chosen.policy_id, chosen.version, by))
            if exc is not None:
                st.error(md(str(exc)), icon=":material/error:")
                return
            library_data.flash("success", f"已删除草稿《{md(chosen.title)}》。")
            st.session_state.pop("lib_delete_sure", None)
            st.rerun()
