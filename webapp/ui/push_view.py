"""For policy staff: who in the registry should hear about a measure, and whom policy changes concern."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from recommender.clock import SHANGHAI, today
from recommender.corpus import is_valid
from recommender.corpus_models import Clause, DocumentMeta
from recommender.dates import date_problem
from recommender.eligibility.conditions import asks_the_enterprise
from recommender.eligibility.status import UNREVIEWED_LABEL
from recommender.locator import locator
from recommender.registry import enterprises, push
from recommender.registry.access import Actor
from recommender.registry.models import now
from recommender.registry.states import counsellor_text
from recommender.safe_output import csv_bytes
from recommender.services.push_list import PushReport, push_report
from webapp.ui.markup import md

from . import auth, resources, store
from .checked import ANY_DAY
from .hints import EMPTY_REGISTRY
from .labels import distinct

EMPTY = EMPTY_REGISTRY + "之后这里会列出该知道每条措施的企业。"
PUSH_COLUMNS = {
    "enterprise": "企业",
    "counsellor": "专员",
    "direction": "变化对企业",
    "title": "措施",
    "policy": "文件",
    "change": "条款变化",
    "changed_on": "变化日期",
    "before": "变化前",
    "after": "变化后",
    "reasons": "说明",
    "clause_id": "条款编号",
}

FIRST_SINCE = dt.date(2000, 1, 1)  # the earliest 起始日期 of a push list


def _csv(frame: pd.DataFrame, label: str, filename: str, key: str) -> None:
    st.download_button(
        f"下载{label}（CSV）",
        csv_bytes(frame),
        file_name=filename,
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        disabled=frame.empty,
        key=key,
    )


# --- 谁该知道这条措施 --------------------------------------------------------------------------------


def _audience(
    session: Session, clause: Clause, document: DocumentMeta, as_of: dt.date, by: Actor
) -> tuple[int, list[dict]]:
    """How many enterprises the registry holds that ``by`` may read, and those the measure reaches (status
    as a code)."""
    rows = [
        {
            "企业": a.enterprise.name,
            "专员": counsellor_text(a.enterprise.counsellor),
            "status": a.verdict.status,
            "依据": "；".join(a.verdict.reasons),
            "尚缺": "；".join(g.message for g in a.verdict.gaps),
        }
        for a in push.audience(session, clause, document, as_of, by)
    ]
    return enterprises.count(session, by), rows


def _audience_frame(rows: list[dict], clause: Clause, document: DocumentMeta) -> pd.DataFrame:
    """The audience as people read it: the status code becomes its label (状态: ``push.audience_labels``)."""
    labels = push.audience_labels(clause, document)
    shown = [{**r, "status": labels[r["status"]]} for r in rows]
    return pd.DataFrame(shown, columns=["企业", "专员", "status", "依据", "尚缺"]).rename(columns={"status": "状态"})


def audience_section(as_of: dt.date) -> None:
    """谁该知道这条措施: the registered enterprises a chosen measure makes eligible (or nearly) at ``as_of``."""
    rec = resources.recommender()
    in_force = {pid for pid, d in rec.documents.items() if is_valid(d, as_of)}
    # the measures of documents in force first (the list opens on one), the others marked
    ordered = sorted((c for c in rec.clauses if c.kind == "measure"), key=lambda c: c.policy_id not in in_force)
    measures = {c.id: c for c in ordered}

    def label(cid: str) -> str:
        clause = measures[cid]
        ended = "" if clause.policy_id in in_force else "（不在有效期内）"
        return locator(clause, rec.documents[clause.policy_id]) + ended

    labels = distinct({cid: label(cid) for cid in measures}, str)

    st.caption("选一条措施，列出档案库中可申请或只差部分条件的企业：政策发布或解读时，先通知这些企业。")
    cid = st.selectbox("措施", list(measures), format_func=labels.__getitem__, key="push_clause", persist_state="page")
    clause, document = measures[cid], rec.documents[measures[cid].policy_id]
    with st.expander("措施原文"):
        st.write(clause.text)
    if not is_valid(document, as_of):
        expired = f"《{document.short_title}》在 {as_of} 不在有效期内，下表仅按条件列出企业。"
        st.warning(expired, icon=":material/history:")
    by = auth.acting()
    found, exc = store.attempt(lambda s: _audience(s, clause, document, as_of, by))
    if found is None:
        st.error(md(str(exc)), icon=":material/error:")
        return
    total, rows = found
    if not total:
        st.info(EMPTY, icon=":material/info:")
        return
    specific = asks_the_enterprise(clause, document)
    frame = _audience_frame(rows, clause, document)
    eligible = sum(r["status"] == "eligible" for r in rows)
    reached = "家可申请" if specific else "家在适用范围内（本措施除注册地、园区外未列出企业条件，显示为可关注）"
    if not clause.curated:  # never 可申请 on conditions no one has reviewed
        said = f"**{len(frame)}** 家符合或接近其条件；这些条件是自动提取的，尚未审核，状态显示为{UNREVIEWED_LABEL}。"
        st.markdown(f"档案库 {total} 家企业中，{said}")
    else:
        st.markdown(f"档案库 {total} 家企业中，**{eligible}** {reached}，**{len(frame) - eligible}** 家需补充条件。")
    if frame.empty:
        st.info("档案库中没有企业符合或接近这条措施的条件。", icon=":material/info:")
    else:
        st.dataframe(frame, hide_index=True, width="stretch")
    _csv(frame, "该知道这条措施的企业", f"措施受众-{cid.replace('/', '_')}.csv", "push_audience_csv")


# --- 政策变化推送 -------------------------------------------------------------------------------------


class _Progress:
    """``push_report``'s progress in ``slot`` (an ``st.empty``): drawn only once the job has run ``delay``
    seconds (a push list over a few thousand enterprises is done before a bar would help), then at most five
    times a second."""

    def __init__(self, slot: Any, delay: float = 1.0) -> None:
        self.slot, self.delay = slot, delay
        self.start = self.drawn = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        """``done`` enterprises judged of ``total``."""
        now = time.monotonic()
        if now - self.start >= self.delay and (now - self.drawn >= 0.2 or done == total):
            self.slot.progress(done / total, text=f"正在判断档案库企业（{done}/{total}）…")
            self.drawn = now


def _file_part(since: push.Since) -> str:
    """``since`` in a file name: 2026-12-01, or 2026-12-01-1430 for a moment (Beijing time)."""
    return since.astimezone(SHANGHAI).strftime("%Y-%m-%d-%H%M") if isinstance(since, dt.datetime) else since.isoformat()


def _run_push(since: push.Since, as_of: dt.date) -> None:
    """Sync and list with the dates the widgets hold now, a progress bar under the button while it runs."""
    slot = st.empty()
    by = auth.acting()
    report, exc = store.attempt(lambda s: push_report(s, since, as_of, by, progress=_Progress(slot)))
    slot.empty()
    st.session_state["push_result"] = ((since, as_of), report, None if exc is None else str(exc))


def push_section(as_of: dt.date) -> None:
    """政策变化推送: sync the corpus, then whom the clauses changed since a date concern, judged at ``as_of``."""
    st.caption("记录政策库的最新版本，列出某日以来新增、修改或删除的条款使哪些档案库企业新符合或不再符合条件。")
    day_box, time_box = st.columns(2)
    day = day_box.date_input(
        "列出这一天以来有变化的条款",
        value=today() - dt.timedelta(days=30),
        **ANY_DAY,  # checked here: Streamlit refuses a date out of its bounds in English
        format="YYYY-MM-DD",
        key="push_since",
        persist_state="page",
    )
    moment = time_box.time_input(
        "从当天几点起（北京时间，选填）",
        value=None,
        step=60,
        key="push_since_time",
        persist_state="page",
        help="同一天里政策先发布、后更正时：填上次生成推送名单的时间，只列此后的变化（更正后不再符合的企业也会列出）",
    )
    if problem := date_problem(day, FIRST_SINCE, today()):
        st.markdown(f":red[:material/error: 起始日期{problem}]")
        return
    since: push.Since = day if moment is None else dt.datetime.combine(day, moment, SHANGHAI)
    if isinstance(since, dt.datetime) and since > now():
        st.markdown(f":red[:material/error: 起始时间 {md(push.since_text(since))} 晚于现在]")
        return
    if st.button("同步政策库并生成推送名单", type="primary", icon=":material/campaign:", key="push_go"):
        _run_push(since, as_of)
    key, report, error = st.session_state.get("push_result") or (None, None, None)
    if key != (since, as_of):
        return
    if report is None:
        st.error(md(error), icon=":material/error:")
        return
    _push_report(report)


def _push_report(report: PushReport) -> None:
    synced = report.synced
    if synced.added or synced.changed or synced.removed:
        counts = f"新增 {len(synced.added)} 条，修改 {len(synced.changed)} 条，删除 {len(synced.removed)} 条"
        st.caption(f"政策库已同步：{counts}。")
    items = [i.as_dict() for i in report.items]  # the command line's JSON lines: labels under the first keys
    cols = st.columns(4)
    cols[0].metric("有变化的条款", len(report.changes))
    cols[1].metric("档案库企业数", report.enterprises)
    for col, direction in zip(cols[2:], (push.GAINED, push.LOST), strict=True):
        col.metric(push.direction_label(direction), sum(i.direction == direction for i in report.items))
    if not report.enterprises:
        st.info(EMPTY, icon=":material/info:")
        return
    shown = [{**i, "reasons": "；".join(i["reasons"]), "counsellor": counsellor_text(i["counsellor"])} for i in items]
    frame = pd.DataFrame(shown, columns=list(PUSH_COLUMNS))  # no 专员: 未分配, as the registry pages say
    frame = frame.rename(columns=PUSH_COLUMNS)
    if frame.empty:
        since = md(push.since_text(report.since))
        st.info(f"{since} 以来的条款变化没有使档案库中的企业新符合或不再符合条件。", icon=":material/info:")
    else:
        st.dataframe(frame, hide_index=True, width="stretch")
    _csv(frame, "推送名单", f"政策变化推送-{_file_part(report.since)}.csv", "push_list_csv")
