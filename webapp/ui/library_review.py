"""审核: choose a document and a clause, read it with its source lines, decide its proposals, see the log."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from recommender.locator import place
from recommender.registry import documents
from recommender.vocab import KIND_LABELS

from . import library_data, library_proposals, store
from .labels import distinct
from .library_data import ClauseView, DocumentView, ReviewView
from .markup import md

DOC = "lib_doc"  # the chosen document (shared by 审核 and 发布)
CLAUSE = "lib_clause"


def pick_document(docs: list[DocumentView]) -> DocumentView | None:
    """The 选择文件 box (kept across the steps): the chosen document, or None."""
    by_id = {d.policy_id: d for d in docs}
    if st.session_state.get(DOC) not in by_id:
        st.session_state.pop(DOC, None)
    labels = document_labels(docs)
    chosen = st.selectbox(
        "选择文件",
        list(by_id),
        index=0,
        format_func=labels.__getitem__,  # fixed labels: a shown choice keeps its first
        placeholder="选择一个新增文件",
        key=DOC,
        persist_state="session",
    )
    return by_id.get(chosen) if chosen else None


def document_labels(docs: list[DocumentView]) -> dict[str, str]:
    """Each document as one of the choices ``docs`` (policy id → label), never labelled as another is
    (``labels.distinct``: two drafts of one title had decisions and a deletion land on the other, a break-it
    trial). Its title; with its file, uploader and upload time where another has the same title; and its id
    (``doc-3bb29511``, which means nothing to a person) only when even those are the same."""
    by_id = {d.policy_id: d for d in docs}
    uploaded = distinct({pid: d.title for pid, d in by_id.items()}, lambda pid: _uploaded(by_id[pid]))
    return distinct(uploaded, str)


def _uploaded(doc: DocumentView) -> str:
    return f"{doc.source_name}，{doc.created_by} {store.local_time(doc.created_at)} 上传"


def clause_labels(doc: DocumentView) -> dict[str, str]:
    """Each clause of ``doc`` as a choice (clause id → label), no two alike (``labels.distinct``): where it stands
    (第3条); with its heading where another stands there too (an article split in two); with its id where even
    that is shared."""
    by_id = {c.clause_id: c for c in doc.clauses}
    cited = distinct({cid: c.cited for cid, c in by_id.items()}, lambda cid: by_id[cid].effective.heading)
    return distinct(cited, str)


def _pick_clause(doc: DocumentView) -> ClauseView | None:
    by_id = {c.clause_id: c for c in doc.clauses}
    if st.session_state.get(CLAUSE) not in by_id:
        first = next((c for c in doc.clauses if c.pending), doc.clauses[0] if doc.clauses else None)
        st.session_state[CLAUSE] = first.clause_id if first else None
    labels = clause_labels(doc)
    chosen = st.selectbox("选择条款", list(by_id), format_func=labels.__getitem__, key=CLAUSE, placeholder="请选择")
    return by_id.get(chosen)


PROGRESS = ["条款", "标题", "类别", "待审核项", "状态", "条款编号"]


def progress(doc: DocumentView) -> pd.DataFrame:
    """One row per clause: 条款 (第2条 …), 标题, 类别 (as it stands), 待审核项, 状态 (已审核 / 待审核), and last the
    条款编号 the exports use."""
    rows = [
        {
            "条款": place(c.effective),
            "标题": c.effective.heading,
            "类别": KIND_LABELS[c.effective.kind],
            "待审核项": len(c.pending),
            "状态": "已审核" if not c.pending else "待审核",
            "条款编号": c.clause_id,
        }
        for c in doc.clauses
    ]
    return pd.DataFrame(rows, columns=PROGRESS)


def source_lines(doc: DocumentView, cv: ClauseView) -> None:
    """The clause's text and where it stands in the uploaded file, with those lines themselves."""
    first, last = cv.lines
    where = f"原文第 {first} 行" if first == last else f"原文第 {first}–{last} 行"
    st.markdown(f"**{md(cv.cited)}**")  # the heading on its line, the text under it: never glued together
    st.markdown(md(cv.effective.text))
    st.caption(f"{where}（{md(doc.source_name)}） · 编号 {md(cv.clause_id)}（导出文件中使用）")
    for flag in cv.effective.flags:
        st.caption(f":material/warning: {md(flag)}")
    with st.expander(f"{where}（上传文件中的原文）"):
        numbered = [f"{n:>4}  {doc.lines[n - 1]}" for n in range(first, last + 1) if 0 < n <= len(doc.lines)]
        st.code("\n".join(numbered), language=None, wrap_lines=True)


def _log_frame(log: list[ReviewView], proposed: dict[str, int], names: dict[str, str]) -> pd.DataFrame:
    rows = [
        {
            "时间": store.local_time(r.at),
            "审核人": r.by,
            "条款": names.get(r.clause_id, r.clause_id),
            "项目": library_proposals.key_label(r.key, proposed.get(r.clause_id)),
            "动作": documents.ACTIONS[r.action],
            "修改为": library_proposals.shown(r.key, r.value) if r.action == "edited" else "",
        }
        for r in reversed(log)
    ]
    return pd.DataFrame(rows, columns=["时间", "审核人", "条款", "项目", "动作", "修改为"])


def review_log(doc: DocumentView) -> None:
    """谁在何时审核了什么: every decision on the document, newest first."""
    log, exc = store.attempt(lambda s: library_data.review_log(s, doc.policy_id))
    if log is None:
        st.error(md(str(exc)), icon=":material/error:")
        return
    st.markdown(f"##### 审核记录（{len(log)} 条）")
    if not log:
        st.caption("还没有人审核过这个文件的建议。")
        return
    proposed = {c.clause_id: len(c.proposal["eligibility"]) for c in doc.clauses}
    names = {c.clause_id: c.cited for c in doc.clauses}
    st.dataframe(_log_frame(log, proposed, names), hide_index=True, width="stretch")


def section(docs: list[DocumentView]) -> None:
    """The 审核 step."""
    doc = pick_document(docs)
    if doc is None:
        return
    reviewed = sum(not c.pending for c in doc.clauses)
    st.caption(
        f"{doc.state_label}；{len(doc.clauses)} 条条款，已审核完 {reviewed} 条，共 {doc.pending} 项建议待审核。"
        "每条的所有建议都审核后，该条对企业显示正常的匹配状态，此前显示“待审核·自动提取”。"
    )
    with st.expander("各条款的审核进度"):
        st.dataframe(progress(doc), hide_index=True, width="stretch")
    cv = _pick_clause(doc)
    if cv is None:
        st.info("这个文件没有条款。", icon=":material/info:")
        return
    with st.container(border=True):
        source_lines(doc, cv)
    library_proposals.render(cv)
    review_log(doc)
