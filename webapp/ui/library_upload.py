"""上传文件: a policy document read, its metadata and clauses proposed, saved as a draft to review.

The uploader's callback keeps the file (``PENDING``); the page then reads it under a spinner with
``accept`` (bytes and file name → ``Draft``). The draft stays in the session (``DRAFT``) until it is
saved or dropped, whatever the uploader shows meanwhile.

The proposals need the kind tagger, trained on the shipped corpus once per process (about half a
minute on two cores): ``warm`` starts that in the background when the page is first opened.
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from recommender.ingest.readers import DocumentReadError, SourceText, read_document
from recommender.locator import place
from recommender.proposals.document import DocumentProposal, base_tagger, propose_document
from recommender.registry import documents
from recommender.vocab import KIND_LABELS
from recommender.yamlio import DataError

from . import auth, library_data, library_meta, store
from .markup import md

DRAFT = "lib_draft"  # the Draft being prepared
PENDING = "lib_pending"  # (file name, bytes) uploaded, not read yet
UPLOADS = "lib_uploads"  # how many drafts were saved or dropped: part of the uploader's key (a fresh one each time)
PREFIX = "lib_up"  # the metadata form's widget keys
POLICY_ID = "lib_up_policy_id"
FOR = "lib_up__for"  # the digest of the draft the form was filled from
ERROR = "lib_up__error"
ID_PATTERN = re.compile(r"[a-z0-9-]+")
READING = "正在读取文件并提出建议……（服务启动后的第一份文件需多等约半分钟：系统要先训练自动标注模型）"
_TAGGER = threading.Lock()  # one training at a time: an upload waits for the background one
_WARMING = threading.Event()


def _tagger() -> None:
    with _TAGGER:
        base_tagger()


def warm() -> None:
    """Train the kind tagger in the background, once per process, so that the first upload is quick."""
    if not _WARMING.is_set():
        _WARMING.set()
        threading.Thread(target=_tagger, name="library-tagger", daemon=True).start()


@dataclass(frozen=True)
class Draft:
    """An uploaded file: its text and proposals, or the one line saying why it cannot be read."""

    name: str
    digest: str
    source: SourceText | None = None
    proposal: DocumentProposal | None = None
    error: str | None = None


def accept(data: bytes, name: str) -> Draft:
    """Read the file and propose its metadata and clauses (nothing is stored)."""
    digest = hashlib.sha256(data).hexdigest()[:16]
    try:
        source = read_document(data, name)
        _tagger()
        return Draft(name, digest, source, propose_document(source))
    except (DocumentReadError, DataError) as exc:  # unreadable, or no clause at all: one line naming the file
        return Draft(name, digest, error=str(exc))


def _uploaded(key: str) -> None:
    """Uploader callback: a new file is kept to be read; a removed one leaves the draft as it was."""
    file = st.session_state.get(key)
    if file is not None:
        st.session_state[PENDING] = (file.name, file.getvalue())
        st.session_state.pop(ERROR, None)


def _drop() -> None:
    st.session_state.pop(DRAFT, None)
    st.session_state.pop(ERROR, None)
    st.session_state[UPLOADS] = st.session_state.get(UPLOADS, 0) + 1


def preview(proposal: DocumentProposal) -> pd.DataFrame:
    """One row per clause: 条款 (第2条 …), 标题/开头, 类别建议, 受益类型建议, 条件建议数, 原文行号, 提示."""
    rows = []
    for clause, p in zip(proposal.clauses, proposal.proposals, strict=True):
        first, last = clause.provenance.lines
        rows.append(
            {
                "条款": place(clause),
                "标题/开头": clause.heading,
                "类别建议": KIND_LABELS[p.kind],
                "受益类型建议": "、".join(p.benefits),
                "条件建议数": len(p.eligibility),
                "原文行号": f"第 {first} 行" if first == last else f"第 {first}–{last} 行",
                "提示": "；".join(clause.flags),
            }
        )
    return pd.DataFrame(
        rows, columns=["条款", "标题/开头", "类别建议", "受益类型建议", "条件建议数", "原文行号", "提示"]
    )


def _save() -> None:
    """保存为草稿: the proposals made again under the edited metadata (clause ids follow the policy id)."""
    ss, by = st.session_state, auth.acting()
    draft: Draft = ss[DRAFT]
    assert draft.source is not None and draft.proposal is not None
    policy_id = (ss.get(POLICY_ID) or "").strip()
    if not ID_PATTERN.fullmatch(policy_id):
        ss[ERROR] = "文件编号只能由英文小写字母、数字和连字符组成（如 hp-tech-2026）"
        return
    if problem := library_meta.date_problems(PREFIX):
        ss[ERROR] = problem
        return
    meta = {**library_meta.collect(PREFIX, draft.proposal.meta), "policy_id": policy_id}
    try:
        proposal = propose_document(draft.source, meta)
    except DataError as exc:
        ss[ERROR] = str(exc)
        return
    stored, exc = store.attempt(
        lambda s: documents.add_document(s, proposal, by, documents.shipped_numbers()).policy_id
    )
    if exc is not None:
        ss[ERROR] = str(exc)
        return
    _drop()
    ss["lib_doc"] = stored  # the review step opens on it
    ss["lib_step"] = "审核"
    n = len(proposal.clauses)
    library_data.flash(
        "success", f"已保存草稿“{meta['title'] or stored}”：{n} 条条款，所有建议均待审核。请逐条审核后发布。"
    )


def _fill(draft: Draft) -> None:
    """Put the draft's proposed metadata into the form, once per draft."""
    assert draft.proposal is not None
    if st.session_state.get(FOR) != draft.digest or not library_meta.loaded(PREFIX):
        library_meta.load(PREFIX, draft.proposal.meta)
        st.session_state[POLICY_ID] = draft.proposal.meta["policy_id"]
        st.session_state[FOR] = draft.digest


def section() -> None:
    """The 上传文件 step."""
    ss = st.session_state
    key = f"lib_file_{ss.get(UPLOADS, 0)}"
    st.file_uploader(
        "上传政策文件（网页 .html/.htm、Word .docx、PDF、文本 .txt/.md）",
        # no type=: Streamlit refuses another type in English ("… files are not allowed."); ``read_document``
        # refuses it in Chinese, naming the file and the types it reads
        key=key,
        on_change=_uploaded,
        args=(key,),
        help="扫描版 PDF 或旧版 .doc 无法读取，请另存为 .docx 或可复制文字的 PDF",
    )
    if PENDING in ss:
        with st.spinner(READING):
            name, data = ss[PENDING]
            ss[DRAFT] = accept(data, name)
            del ss[PENDING]  # after: a run stopped while reading reads it again
    draft: Draft | None = ss.get(DRAFT)
    if draft is None:
        st.caption("上传后，系统会提出文件信息和逐条的类别、受益类型、对象、部门和条件建议，均需人工审核。")
        return
    if draft.error:
        st.error(draft.error, icon=":material/error:")
        st.button("换一个文件", key="lib_up_drop", on_click=_drop)
        return
    assert draft.proposal is not None
    _fill(draft)
    st.markdown(f"**{md(draft.name)}**：读出 {len(draft.source.lines)} 行，分出 {len(draft.proposal.clauses)} 条条款。")
    with st.form("lib_up_form", border=True):
        st.markdown("##### 文件信息（系统建议，请核对）")
        st.text_input("文件编号 *", key=POLICY_ID, help="英文小写字母、数字和连字符；条款编号以它开头，保存后不能再改")
        library_meta.form_fields(PREFIX, draft.proposal.found.as_dict())
        st.markdown("##### 条款预览（类别和条件均为自动建议）")
        st.dataframe(preview(draft.proposal), hide_index=True, width="stretch")
        st.form_submit_button("保存为草稿（待审核）", type="primary", icon=":material/save:", on_click=_save)
    if error := ss.get(ERROR):
        st.error(md(error), icon=":material/error:")
    st.button("放弃此文件", key="lib_up_drop", on_click=_drop)
