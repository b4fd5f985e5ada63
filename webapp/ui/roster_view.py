"""The counsellor's roster: upload, bad rows, matching with a progress bar, tables and downloads."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from recommender.consultation import Consultation, consult, state_label
from recommender.leftovers import owned_temporary_file
from recommender.os_reasons import os_reason
from recommender.profile_fields import shown_fields
from recommender.roster import BadRow, Roster, RosterError, read_roster, template_csv
from recommender.safe_output import csv_bytes
from recommender.services.batch import consultations
from recommender.services.sheet import sheet_of
from recommender.sheets import RosterWorkbook, SheetsZip, sheet_filename

from . import resources
from .badges import measure_badge, readiness_badge
from .markup import md

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


TEMPORARY = "beidou-roster-"  # the prefix of the page's result files in the system's temp folder
TEMPORARY_SUFFIXES = (".xlsx", ".zip")  # the Excel summary, the zip of Word sheets
KEPT = "roster_file"  # (file name, bytes) of the roster last uploaded: it outlives a visit to another page


def _remember() -> None:
    """Keep the uploaded file across pages (Streamlit drops an uploader's file on leaving the page); the
    uploader's own ✕ forgets it."""
    uploaded = st.session_state.get("roster_upload")
    if uploaded is None:
        st.session_state.pop(KEPT, None)
    else:
        st.session_state[KEPT] = (uploaded.name, uploaded.getvalue())


def upload() -> tuple[Roster, str] | None:
    """The uploader and the file-level outcome; the roster and its file name when a file could be read
    (the one uploaded now, or the one uploaded before a visit to another page)."""
    a, b = st.columns([3, 1])
    with a:
        st.file_uploader(
            "上传企业名单（CSV 或 Excel）",
            # no type=: Streamlit refuses another type in English ("… files are not allowed."); ``read_roster``
            # refuses it in Chinese, naming the file and the types it reads
            help="CSV 可为 UTF-8 或 GBK 编码（Excel 默认另存的格式）；表头用档案字段名或中文名，"
            "如 企业名称、注册地、所属行业、职工总数；资质、诉求等多项用“、”或“,”分隔。",
            key="roster_upload",
            on_change=_remember,
        )
    with b:
        st.markdown("&nbsp;")
        st.download_button(
            "下载名单模板",
            template_csv(),
            file_name="企业名单模板.csv",
            mime="text/csv",
            icon=":material/table:",
            on_click="ignore",
            width="stretch",
        )
    if st.session_state.get("roster_upload") is not None:
        _remember()  # also a file set without a change event
    if KEPT not in st.session_state:
        return None
    name, data = st.session_state[KEPT]
    if st.session_state.get("roster_upload") is None:
        st.caption(f":material/history: 正在使用之前上传的“{md(name)}”；重新上传可替换。")
    try:
        return read_roster(data, name), name
    except RosterError as exc:
        st.error(md(f"无法读取“{name}”：{exc}"), icon=":material/error:")
        return None


def bad_frame(bad: list[BadRow]) -> pd.DataFrame:
    """The rows that cannot be used: 行号, 企业名称 and 原因 (each field named by its label)."""
    return pd.DataFrame(
        [{"行号": b.row, "企业名称": b.name or "", "原因": "；".join(e.for_people() for e in b.errors)} for b in bad],
        columns=["行号", "企业名称", "原因"],
    )


def bad_rows(roster: Roster) -> None:
    """How many rows were read and can be matched, the ignored columns, and a table of the rows skipped as bad."""
    good, bad = len(roster.rows), len(roster.bad)
    message = f"共读取 {good + bad} 家企业：{good} 家可以匹配" + (
        f"，{bad} 行有误已跳过（见下表，改正后可重新上传）" if bad else ""
    )
    (st.warning if bad else st.success)(message, icon=":material/warning:" if bad else ":material/check_circle:")
    for note in roster.file_notes():
        st.caption(f":material/info: {md(note)}")
    if bad:
        frame = bad_frame(roster.bad)
        st.dataframe(
            frame,
            hide_index=True,
            width="stretch",
            column_config={
                "行号": st.column_config.NumberColumn(width="small"),
                "原因": st.column_config.TextColumn(width="large"),
            },
        )
        st.download_button(
            "下载有误的行及原因（CSV）",
            csv_bytes(frame),
            file_name="名单有误的行.csv",
            mime="text/csv",
            icon=":material/download:",
            on_click="ignore",
        )


def read_frame(roster: Roster) -> pd.DataFrame:
    """The good rows as read: 行号, each given profile field under its Chinese label, and 换算 (the
    conversions applied to the row, e.g. "营业收入（元） 18,500,000.00 元 → 1,850 万元")."""
    rows = [{"行号": r.row, **shown_fields(r.profile), "换算": "；".join(r.notes)} for r in roster.rows]
    return pd.DataFrame(rows).fillna("未填写")


def read_preview(roster: Roster) -> None:
    """How each usable row was read, before anything is matched or stored (the page's ``read-roster``)."""
    if not roster.rows:
        return
    header = f"表头在第 {roster.header_row} 行，" if roster.header_row else ""
    with st.expander(f"逐行查看读入结果（{header}{len(roster.rows)} 行可用）", icon=":material/visibility:"):
        st.dataframe(read_frame(roster), hide_index=True, width="stretch")


@dataclass
class Matched:
    """A roster matched on the page: what the overview table shows (one row per enterprise) and the Excel
    summary in a temporary file, removed when this is dropped from the session (and so is the zip of Word
    sheets, once made). No consultation is kept: the zip and the chosen enterprise's sheet are made again from
    the roster when asked for."""

    as_of: dt.date
    top: int
    overview: list[dict[str, Any]]
    workbook: Path
    sheets: Path | None = None

    def __post_init__(self) -> None:
        weakref.finalize(self, self.workbook.unlink, missing_ok=True)

    def keep_sheets(self, path: Path) -> None:
        """The zip of Word sheets, written to ``path``: removed with this result."""
        self.sheets = path
        weakref.finalize(self, path.unlink, missing_ok=True)


def _progress_bar(label: str) -> tuple[Any, Callable[[int, int, str], None]]:
    """A page progress bar and its callback ``(done, total, name)``, drawn at most five times a second (a large
    roster would otherwise send a message per row)."""
    bar = st.progress(0.0, text=label)
    shown = 0.0

    def progress(done: int, total: int, name: str) -> None:
        nonlocal shown
        if done == total or time.monotonic() - shown > 0.2:
            bar.progress(done / total, text=f"{label}：{md(name)}（{done}/{total}）")
            shown = time.monotonic()

    return bar, progress


def _temporary(suffix: str) -> Path:
    """A new temporary file for a result (``suffix``: .xlsx or .zip), named after this server's process so that
    the next server removes what a killed one (SIGKILL: no finalizer runs) left behind (``leftovers``)."""
    return owned_temporary_file(TEMPORARY, TEMPORARY_SUFFIXES, suffix)


def _signature(roster: Roster, as_of: dt.date, top: int) -> tuple[str, dt.date, int]:
    """What a result depends on besides the policy library: the good rows and the bad ones (whose sheet the
    workbook has), as a digest so that a large roster's key stays small; the date; top."""
    digest = hashlib.sha256()
    for r in roster.rows:
        digest.update(f"{r.row}\t{r.profile.model_dump_json()}\n".encode())
    for b in roster.bad:
        digest.update(f"{b.row}\t{b.name}\t{'；'.join(e.for_people() for e in b.errors)}\n".encode())
    return digest.hexdigest(), as_of, top


def _overview_row(row: int, c: Consultation) -> dict[str, Any]:
    """One enterprise in the overview: its details, measure counts by status, first measure and 可培育资质."""
    return {
        "行号": row,
        "企业名称": c.profile.name,
        "注册地": c.profile.region,
        "所属行业": c.profile.industry or "",
        **{state_label(k): v for k, v in c.counts().items()},
        "首选措施": c.measures[0].title if c.measures else "（暂无有效期内的适用措施）",
        "可培育资质": "、".join(c.unlocking) or "—",
    }


def match(roster: Roster, as_of: dt.date, top: int) -> Matched | None:
    """The roster matched at ``as_of`` with a progress bar, the Excel summary written row by row to a temporary
    file as it goes; kept per (rows, date, top, policy library) in the session. None, after an error line, when
    the server's temporary folder cannot be written (a full disk …)."""
    signature = _signature(roster, as_of, top)
    engine = resources.recommender()  # a new one after a publish: the result is then made again
    cached = st.session_state.get("roster_result")
    if cached and cached[0] == signature and cached[1]() is engine:
        st.empty()  # where the progress bar was: the elements after it keep their places (no stale copy)
        return cached[2]
    st.session_state.pop("roster_result", None)  # the previous result's file goes with it
    bar, progress = _progress_bar("正在匹配并写入汇总")
    try:
        result = Matched(as_of, top, [], _temporary(".xlsx"))
        with RosterWorkbook(as_of) as book:
            for row, c in consultations(engine, roster, as_of, top, progress):
                book.add(row, c)
                result.overview.append(_overview_row(row, c))
            bar.progress(1.0, text="正在保存匹配汇总（Excel）…")
            book.save(result.workbook, roster)
    except OSError as exc:  # the unfinished file goes with ``result``; the workbook's own, with the workbook
        bar.empty()
        _cannot_write(exc)
        return None
    bar.empty()
    st.session_state["roster_result"] = (signature, weakref.ref(engine), result)
    return result


def overview(result: Matched) -> None:
    """One table row per enterprise: its details, measure counts by status, first measure and 可培育资质."""
    st.dataframe(pd.DataFrame(result.overview), hide_index=True, width="stretch")


def roster_downloads(roster: Roster, result: Matched) -> None:
    """The Excel summary (written while matching) and the zip of every Word sheet (made when downloaded)."""
    st.caption(f"以下文件按政策有效性判断日期 {result.as_of} 生成（在侧栏修改日期后，文件随之更新）。")
    a, b, _ = st.columns([1, 1, 1])
    a.download_button(
        f"下载匹配汇总（Excel，{result.as_of}）",
        data=result.workbook.read_bytes,
        file_name=f"企业名单匹配汇总-{result.as_of}.xlsx",
        mime=XLSX,
        icon=":material/table_view:",
        type="primary",
        on_click="ignore",
        width="stretch",
    )

    count = len(result.overview)
    if result.sheets is None:
        if b.button(f"生成全部咨询单（{count} 份 Word）", icon=":material/folder_zip:", width="stretch"):
            with b:
                made = _write_sheets(roster, result)
            if made:
                st.rerun()
        return
    b.download_button(
        f"下载全部咨询单（{count} 份）",
        data=result.sheets.read_bytes,
        file_name=f"政策咨询单-{result.as_of}.zip",
        mime="application/zip",
        icon=":material/folder_zip:",
        on_click="ignore",
        width="stretch",
    )


def _write_sheets(roster: Roster, result: Matched) -> bool:
    """The zip of every enterprise's Word sheet, written to a temporary file with a progress bar; False, after
    an error line, when the server's temporary folder cannot be written."""
    bar, progress = _progress_bar("正在生成咨询单")
    path: Path | None = None
    try:
        path = _temporary(".zip")
        with SheetsZip(path, last=roster.last_row) as archive:
            for row, c in consultations(resources.recommender(), roster, result.as_of, result.top, progress):
                archive.add(c, row)
    except BaseException as exc:
        if path is not None:
            path.unlink(missing_ok=True)
        if not isinstance(exc, OSError):
            raise
        bar.empty()
        _cannot_write(exc)
        return False
    result.keep_sheets(path)
    bar.empty()
    return True


def _cannot_write(exc: OSError) -> None:
    st.error(
        f"服务器无法写入临时文件（{os_reason(exc)}），文件未生成。请联系系统管理员清理服务器磁盘后重试。",
        icon=":material/error:",
    )


def one_enterprise(roster: Roster, result: Matched) -> None:
    """A select box of the roster's enterprises and a preview of the chosen one's consultation sheet (matched
    again for it: the result keeps no consultation)."""
    labels = {f"第 {r.row} 行 · {r.profile.name}": r.profile for r in roster.rows}
    choice = st.selectbox("选择企业", list(labels), key="roster_pick")
    if choice is None:
        return
    c = consult(resources.recommender(), labels[choice], as_of=result.as_of, top=result.top)
    sheet_preview(c, key="roster_sheet")


def sheet_preview(c: Consultation, key: str) -> None:
    """A short view of one consultation and its Word sheet."""
    left, right = st.columns([3, 1])
    counts = "，".join(f"{state_label(k)} {v} 条" for k, v in c.counts().items())
    left.markdown(f"**{md(c.profile.name)}**（{c.profile.region}）：{counts}")
    right.download_button(
        "下载咨询单（Word）",
        data=lambda: sheet_of(c).docx,
        file_name=sheet_filename(c.profile),
        mime=DOCX,
        icon=":material/description:",
        type="primary",
        on_click="ignore",
        key=key,
        width="stretch",
    )
    for m in c.measures:
        st.markdown(f"{measure_badge(m)} **{m.rank}. {md(m.title)}** —— {md(m.contact)}")
        for gap in m.gaps:
            st.caption(f"尚缺：{md(gap)}")
    pending = [r for r in c.readiness or [] if r.pending]
    if pending:
        with st.expander(f"资质培育行动计划（{len(pending)} 项，详见咨询单）", icon=":material/checklist:"):
            for item in pending:
                st.markdown(f"{readiness_badge(item)} **{md(item.name)}**：还需核对 {len(item.gaps)} 项")
                for gap in item.gaps:
                    st.caption(f"□ {md(gap)}")
