"""Workbooks for tests: the roster's Excel summary of a few consultations, and a small roster .xlsx whose
worksheet XML a test rewrites (declared sizes, styled cells, whitespace)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable, Sequence

import openpyxl
from openpyxl.utils.escape import unescape

from recommender.clock import today as shanghai_today
from recommender.consultation import Consultation
from recommender.roster import BadRow, Roster
from recommender.sheets import RosterWorkbook


def roster_workbook(
    entries: Sequence[tuple[int | None, Consultation]],
    bad: Sequence[BadRow] = (),
    as_of: dt.date | None = None,
    today: dt.date | None = None,
) -> bytes:
    """``sheets.RosterWorkbook`` of ``entries`` and ``bad`` as .xlsx bytes; ``as_of`` defaults to the first
    consultation's, else today."""
    today = today or shanghai_today()
    out = io.BytesIO()
    with RosterWorkbook(as_of or (entries[0][1].as_of if entries else today), today) as book:
        for row, c in entries:
            book.add(row, c)
        book.save(out, Roster(bad=list(bad)))
    return out.getvalue()


def roster_xlsx(change: Callable[[bytes], bytes] | None = None) -> bytes:
    """A roster .xlsx (企业名称, 注册地; one row: 甲公司, 浦东新区), its first worksheet's XML passed through
    ``change`` when given (the zip rewritten around it)."""
    book = openpyxl.Workbook()
    book.active.append(["企业名称", "注册地"])
    book.active.append(["甲公司", "浦东新区"])
    out = io.BytesIO()
    book.save(out)
    if change is None:
        return out.getvalue()
    rewritten = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(out.getvalue())) as src,
        zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info.filename, change(data) if info.filename == "xl/worksheets/sheet1.xml" else data)
    return rewritten.getvalue()


def as_excel_reads(text: str) -> str:
    """A cell's text as Excel shows it: the writer writes the control characters XML holds but Excel's text does
    not (a carriage return …) and text already looking like one as ``_xHHHH_`` escapes, which Excel decodes
    and openpyxl leaves as they are."""
    return unescape(text)
