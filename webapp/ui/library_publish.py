"""发布: confirm a document's metadata, publish it (live at once), then see who should hear of it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from recommender.registry import documents
from recommender.yamlio import DataError

from . import auth, library_data, library_meta, library_push, library_review, store
from .library_data import DocumentView
from .markup import md

PUBLISHED = "已发布，企业自测等页面即刻可见。"


def _name(doc: DocumentView) -> str:
    return f"lib_docv_{doc.policy_id}"


def _prefix(doc: DocumentView) -> str:
    return f"lib_pub_{doc.policy_id}"


def refusal_lines(message: str) -> str:
    """A refusal listing several problems ("文件信息不完整：缺少标题；缺少生效日期…") one per line."""
    head, sep, rest = message.partition("：")
    items = [i for i in rest.split("；") if i]
    if not sep or len(items) < 2:
        return message
    return head + "：\n" + "\n".join(f"- {i}" for i in items)


def _save(doc: DocumentView, publish: bool) -> None:
    """Form callback: the metadata as typed (only when changed), then, with ``publish``, make it live."""
    ss, by = st.session_state, auth.acting()
    if problem := library_meta.date_problems(_prefix(doc)):
        ss[f"{_name(doc)}__error"] = (problem, False)
        return
    meta = library_meta.collect(_prefix(doc), doc.meta)

    def act(session, expected: int) -> int:
        version = expected
        if meta != doc.meta:
            version = documents.update_meta(session, doc.policy_id, meta, version, by).version
        if publish:
            version = documents.publish(session, doc.policy_id, version, by).version
        return version

    try:
        saved = store.save_opened(_name(doc), act)
    except DataError as exc:  # incomplete or wrong metadata: nothing written, what was typed stays
        ss[f"{_name(doc)}__error"] = (refusal_lines(str(exc)), False)
        return
    if saved is not None and not publish:  # a publish shows as the document's state
        library_data.flash("success", f"《{md(meta['title'] or doc.title)}》已保存文件信息（第 {saved} 版）。")


def _refresh(doc: DocumentView) -> None:
    """After a conflict: take the document's newest version; the form keeps what was typed."""
    latest, exc = store.attempt(lambda s: library_data.one_document(s, doc.policy_id))
    if latest is None:
        st.session_state[f"{_name(doc)}__error"] = (str(exc or "找不到该文件"), False)
        return
    store.reopen(_name(doc), latest.version, {})
    st.session_state.pop(f"{_name(doc)}__error", None)


def _opened(doc: DocumentView) -> int:
    ss = st.session_state
    if f"{_name(doc)}__opened" not in ss or not library_meta.loaded(_prefix(doc)):
        store.reopen(_name(doc), doc.version, {})
        library_meta.load(_prefix(doc), doc.meta)
    return ss[f"{_name(doc)}__opened"]


def _state(doc: DocumentView) -> None:
    open_clauses = sum(bool(c.pending) for c in doc.clauses)
    if doc.state == "published" and doc.published_at is not None:
        when = store.local_time(doc.published_at)
        st.success(f"{PUBLISHED}（{md(doc.published_by or '')} 于 {when} 发布）", icon=":material/public:")
    else:
        st.caption(f"草稿：由 {md(doc.created_by)} 于 {store.local_time(doc.created_at)} 上传。")
    if doc.pending:
        when = "这些条款现" if doc.state == "published" else "发布后这些条款"
        st.warning(
            f"还有 {open_clauses} 条条款的 {doc.pending} 项建议待审核：{when}对企业显示为“待审核·自动提取”，"
            "审核完的条款显示正常的匹配状态。可在“审核”中继续审核，无需重新发布。",
            icon=":material/rate_review:",
        )


def _form(doc: DocumentView, found: dict[str, Any]) -> None:
    opened = _opened(doc)
    with st.form(f"lib_pub_form_{doc.policy_id}", border=True):
        st.markdown(f"##### 文件信息（打开时为第 {opened} 版）")
        st.caption(f"文件编号 {md(doc.policy_id)}（导出文件和命令行中使用）")
        library_meta.form_fields(_prefix(doc), found)
        row = st.container(horizontal=True)
        row.form_submit_button("保存文件信息", icon=":material/save:", on_click=_save, args=(doc, False))
        if doc.state == "draft":
            row.form_submit_button("发布", type="primary", icon=":material/publish:", on_click=_save, args=(doc, True))
    store.save_error(_name(doc), "载入最新版本（保留我填写的内容）", "lib_pub_refresh", _refresh, (doc,))


def section(docs: list[DocumentView], as_of: dt.date) -> None:
    """The 发布 step."""
    doc = library_review.pick_document(docs)
    if doc is None:
        return
    _state(doc)
    _form(doc, doc.meta_proposal)
    if doc.state == "published":
        library_push.section(doc, as_of)
