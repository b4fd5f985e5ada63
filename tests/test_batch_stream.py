"""`batch` streamed: the outputs written row by row hold what the in-memory ones held, a failed or killed batch
leaves nothing under the final names, progress is reported. (Memory flatness is a bench figure, not a test:
docs/benchmarks.md.)"""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from workbooks import roster_workbook

from benchmarks.synthetic import write_roster
from recommender import sheets
from recommender.cli import main
from recommender.consultation import Consultation, consult
from recommender.engine import Recommender
from recommender.paths import ROOT
from recommender.progress import Bar
from recommender.roster import BadRow, read_roster
from recommender.safe_output import formula_like, xml_text
from recommender.services import batch
from recommender.sheets import DETAIL_COLUMNS, READINESS_COLUMNS, SUMMARY_COLUMNS, consultation_docx

AS_OF = dt.date(2024, 6, 30)
TODAY = dt.date(2026, 1, 5)
ROSTER = """企业名称,注册地,所属行业,职工总数,科技/研发人员,营业收入（万元）,已有资质,资质取得日期,诉求
上海某芯微电子有限公司,浦东新区,芯片,85,40,"6,200",高新技术企业,高新技术企业:2023-10-15,资金补贴、融资贷款
"=HYPERLINK(""http://evil.example"",""点我"")",金山区,机械,30,,1200,,,"场地空间,融资贷款"
北京某软件公司,北京市,软件,很多,,,,,
徐汇某科技有限公司,徐汇区,人工智能,12,5,,,,
崇明某农业公司,崇明区,现代农业,8,,,,,
"""


@pytest.fixture(scope="module")
def engine() -> Recommender:
    return Recommender.load()


@pytest.fixture(scope="module")
def matched(engine):
    roster = read_roster(ROSTER.encode(), "名单.csv")
    return roster, [(r.row, consult(engine, r.profile, as_of=AS_OF, top=4)) for r in roster.rows]


# --- the in-memory workbook of before, as the reference --------------------------------------


def _value(ws: Any, value: Any, quoted: bool) -> Any:
    """A cell value as the workbook is to hold it: text through xml_text; in a column that holds text
    (``quoted``) every cell with Excel's quote prefix, a number in 说明's 内容 too (the writer of before gave it
    to formula-like text only; the streamed workbook's writer sets a format by column)."""
    from openpyxl.cell.cell import Cell

    cell = Cell(ws, value=(xml_text(value) or None) if isinstance(value, str) else value)
    if isinstance(cell.value, str):
        cell.data_type = "s"  # never a formula
    if quoted and cell.value is not None:
        cell.quotePrefix = True
    return cell


def _reference_sheet(book: Any, title: str, columns: list, rows: list, first: bool) -> None:
    """The sheet as sheets._sheet built it before streaming (a normal openpyxl worksheet, styled after)."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = book.active if first else book.create_sheet()
    ws.title = title
    ws.append([name for name, _ in columns])
    quoted = [name not in sheets.NUMBER_COLUMNS for name, _ in columns]
    for row in rows:
        ws.append([_value(ws, value, q) for value, q in zip(row, quoted, strict=False)])
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E9A")
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for i, (_, width) in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    ws.freeze_panes = "C2" if len(columns) > 4 else "A2"
    if ws.max_row > 1:
        ws.auto_filter.ref = ws.dimensions
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"


def _reference(entries: list[tuple[int, Consultation]], bad: list[BadRow]) -> bytes:
    """roster_workbook as it was before streaming: every row gathered in lists, then written."""
    from openpyxl import Workbook

    detail = [line for row, c in entries for line in sheets._detail_rows(row, c)]
    summary, readiness = [], []
    for row, c in entries:
        p = c.profile
        unlock = "；".join(f"{t}（{len(ms)}）" for t, ms in c.unlocks.items())
        counts = [*c.counts().values(), len(c.expired)]
        summary.append(
            [row, p.name, p.region, p.industry or "", *counts, unlock, sheets._readiness_text(c), c.scope or ""]
        )
        readiness += [
            [row, p.name, r.name, r.status_label, r.gaps_text, r.basis or r.source or ""] for r in c.readiness or []
        ]
    book = Workbook()
    _reference_sheet(book, "措施明细", DETAIL_COLUMNS, detail, first=True)
    _reference_sheet(book, "企业汇总", SUMMARY_COLUMNS, summary, first=False)
    _reference_sheet(book, "资质准备度", READINESS_COLUMNS, readiness, first=False)
    bad_rows = [[b.row, b.name or "", "；".join(e.for_people() for e in b.errors)] for b in bad]
    _reference_sheet(book, "未导入行", sheets.BAD_COLUMNS, bad_rows, first=False)
    notes = [
        ("生成日期", TODAY.isoformat()),
        ("政策有效性判断日期", AS_OF.isoformat()),
        ("已匹配企业", len(entries)),
        ("未导入行", len(bad)),
        (
            "说明",
            "每家企业列出在判断日期有效的措施（按匹配程度排序）；已过期或尚未生效的措施数量见“企业汇总”；"
            "标为【待审核·自动提取】的来自新增文件，条件尚未经人工审核。" + sheets.LEAD_NOTE + sheets.NOTE,
        ),
    ]
    _reference_sheet(book, "说明", sheets.NOTE_COLUMNS, notes, first=False)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rgb(color: Any) -> str | None:
    """A colour as RRGGBB (files differ in the alpha byte they write before it), None when not an RGB one."""
    return color.rgb[-6:] if color is not None and color.type == "rgb" else None


def _cell(cell: Any) -> tuple:
    """What a person sees of a cell, and what Excel does with it: the value, its type, the quote prefix, the font
    (a name or size left out is the workbook's default, Calibri 11: the writer of before left them out of the
    header's font), the fill and the alignment. An empty cell is its value only: Excel shows it in its column's
    format (the streamed workbook writes no cell there, the writer of before an empty one in the cell format)."""
    if cell.value is None:
        return (None,)
    font, fill, align = cell.font, cell.fill, cell.alignment
    shown_font = (font.name or "Calibri", font.sz or 11, bool(font.b), bool(font.i), _rgb(font.color))
    shown_fill = (fill.patternType, _rgb(fill.fgColor) if fill.patternType else None)
    return cell.value, cell.data_type, cell.quotePrefix, shown_font, shown_fill, align.vertical, align.wrap_text


def _layout(ws: Any) -> tuple:
    """What a sheet shows and prints as: its size, panes, filter, print titles, page setup, margins and column widths
    (a run of equal widths may be one <col> to the writer and one per column to openpyxl; a fitToWidth left out
    is OOXML's default, 1)."""
    from openpyxl.utils import get_column_letter

    setup = ws.page_setup
    widths = {get_column_letter(i): d.width for d in ws.column_dimensions.values() for i in range(d.min, d.max + 1)}
    fit_width = 1 if setup.fitToWidth is None else setup.fitToWidth
    return (
        ws.title,
        ws.max_row,
        ws.max_column,
        ws.freeze_panes,
        ws.auto_filter.ref,
        ws.print_title_rows,
        (str(setup.paperSize), setup.orientation, fit_width, setup.fitToHeight),
        tuple(getattr(ws.page_margins, side) for side in ("left", "right", "top", "bottom", "header", "footer")),
        ws.sheet_properties.pageSetUpPr.fitToPage,
        widths,
    )


def test_the_streamed_workbook_holds_what_the_in_memory_one_held(matched):
    roster, entries = matched
    assert roster.bad and any(c.profile.name.startswith("=") for _, c in entries)
    streamed = openpyxl.load_workbook(io.BytesIO(roster_workbook(entries, roster.bad, as_of=AS_OF, today=TODAY)))
    reference = openpyxl.load_workbook(io.BytesIO(_reference(entries, roster.bad)))
    assert streamed.sheetnames == reference.sheetnames
    for new, old in zip(streamed.worksheets, reference.worksheets, strict=True):
        assert _layout(new) == _layout(old)
        for a, b in zip(new.iter_rows(), old.iter_rows(), strict=True):
            assert [_cell(c) for c in a] == [_cell(c) for c in b], new.title


def test_a_long_sheet_goes_on_in_a_continuation_sheet(matched, monkeypatch):
    monkeypatch.setattr(sheets, "EXCEL_ROWS", 3)  # the header and two rows a sheet
    entries = matched[1][:3]  # 2 + 1 in the summary
    book = openpyxl.load_workbook(io.BytesIO(roster_workbook(entries, as_of=AS_OF)))
    at = book.sheetnames.index("企业汇总")
    assert book.sheetnames[at + 1] == "企业汇总（续 1）"  # right after the sheet it continues
    parts = [book["企业汇总"], book["企业汇总（续 1）"]]
    assert [ws.max_row for ws in parts] == [3, 2] and all(ws["B1"].value == "企业名称" for ws in parts)
    last = openpyxl.utils.get_column_letter(len(SUMMARY_COLUMNS))
    assert [ws.auto_filter.ref for ws in parts] == [f"A1:{last}3", f"A1:{last}2"]


def _defined_names(xlsx: bytes) -> list[tuple[str, str, str]]:
    """(name, the sheet its localSheetId points at, its formula) for each defined name of the workbook."""
    from lxml import etree

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(xlsx)).read("xl/workbook.xml"))
    titles = [sheet.get("name") for sheet in root.iter(f"{main}sheet")]
    return [(n.get("name"), titles[int(n.get("localSheetId"))], n.text) for n in root.iter(f"{main}definedName")]


def test_continuation_sheets_follow_their_sheet_in_order_with_their_own_print_titles(matched, monkeypatch):
    entries = matched[1]
    whole = openpyxl.load_workbook(io.BytesIO(roster_workbook(entries, as_of=AS_OF)))
    monkeypatch.setattr(sheets, "EXCEL_ROWS", 4)  # the header and three rows a sheet
    xlsx = roster_workbook(entries, as_of=AS_OF)
    split = openpyxl.load_workbook(io.BytesIO(xlsx))
    expected = []
    for ws in whole.worksheets:
        expected += [ws.title, *[f"{ws.title}（续 {n}）" for n in range(1, -(-(ws.max_row - 1) // 3))]]
    assert len(expected) >= len(whole.sheetnames) + 4 and "说明（续 1）" in expected  # the last sheet too
    assert split.sheetnames == expected  # each continuation right after what it continues, in order
    for ws in whole.worksheets:
        parts = [part for part in split.worksheets if part.title.split("（续")[0] == ws.title]
        assert all(part.max_row <= 4 and [c.value for c in part[1]] == [c.value for c in ws[1]] for part in parts)
        rows = [row for part in parts for row in part.iter_rows(min_row=2, values_only=True)]
        assert rows == list(ws.iter_rows(min_row=2, values_only=True))  # nothing lost, nothing twice
    # the print titles and filters are numbered by sheet: each must name the sheet it is attached to
    names = _defined_names(xlsx)
    assert {(name, sheet) for name, sheet, _ in names if name == "_xlnm.Print_Titles"} == {
        ("_xlnm.Print_Titles", title) for title in split.sheetnames
    }
    assert all(formula.rsplit("!", 1)[0].strip("'") == sheet for _, sheet, formula in names), names
    assert all(ws.print_title_rows == "$1:$1" for ws in split.worksheets)


def test_the_workbook_leaves_no_temporary_file_saved_or_failed(matched, tmp_path, monkeypatch):
    import tempfile

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    entries = matched[1]
    with pytest.raises(RuntimeError), sheets.RosterWorkbook(AS_OF, TODAY) as book:
        for row, c in entries:
            book.add(row, c)
        assert list(scratch.iterdir())  # the sheets' rows are there while it is written
        raise RuntimeError("midway")
    assert not list(scratch.iterdir())
    target = tmp_path / "无此目录" / "汇总.xlsx"
    with pytest.raises(FileNotFoundError), sheets.RosterWorkbook(AS_OF, TODAY) as book:
        book.add(*entries[0])
        book.save(target)  # an OSError as for any file, not the writer's own
    assert not list(scratch.iterdir()) and not target.parent.exists()
    with sheets.RosterWorkbook(AS_OF, TODAY) as book:
        book.add(*entries[0])
        book.save(tmp_path / "汇总.xlsx")
        assert not list(scratch.iterdir())  # removed once saved, not only when the block ends
    assert openpyxl.load_workbook(tmp_path / "汇总.xlsx")["企业汇总"]["B2"].value == entries[0][1].profile.name


def test_text_that_looks_like_a_number_a_link_or_a_formula_stays_text_as_typed(matched):
    """As typed, as text, never a link; with Excel's quote prefix (every text column has it), so that not even
    editing the cell runs it as a formula."""
    names = ["00123", "1e5", "http://evil.example/x", "'引号开头", "=1+1", "-5", "@A1"]
    _, c = matched[1][0]
    entries = [(i, replace(c, profile=c.profile.model_copy(update={"name": n}))) for i, n in enumerate(names, 2)]
    book = openpyxl.load_workbook(io.BytesIO(roster_workbook(entries, as_of=AS_OF)))
    cells = book["企业汇总"]["B"][1:]
    assert [(cell.value, cell.data_type, cell.quotePrefix, cell.hyperlink) for cell in cells] == [
        (n, "s", True, None) for n in names
    ]
    assert all(formula_like(n) for n in names[4:])


def test_a_batch_zip_names_each_sheet_by_its_roster_row(engine, tmp_path):
    """A 辅导员 finds the sheet of roster line 12 as 012-…: the numbers are the rows, bad rows leaving gaps."""
    roster = read_roster(ROSTER.encode(), "名单.csv")
    assert roster.bad  # a bad row between good ones: order and row numbers differ
    batch.write_batch(engine, roster, AS_OF, tmp_path / "o.xlsx", tmp_path / "s.zip", top=3)
    names = zipfile.ZipFile(tmp_path / "s.zip").namelist()
    assert names == [sheets.sheet_filename(r.profile, r.row) for r in roster.rows]
    assert [r.row for r in roster.rows] != list(range(2, 2 + len(roster.rows)))


def test_sheet_numbers_of_a_long_roster_sort_as_its_rows(matched, tmp_path):
    """Rows 2 … 1200: the names were 002 … 999 then 1000 …, so a plain sort put 1000 between 100 and 101."""
    (_, c) = matched[1][0]
    rows = [2, 99, 100, 101, 999, 1000, 1200]
    with sheets.SheetsZip(tmp_path / "s.zip", TODAY, last=1200) as archive:
        for row in rows:
            archive.add_sheet(c.profile, b"docx", row)
    names = zipfile.ZipFile(tmp_path / "s.zip").namelist()
    assert names[0].startswith("0002-") and names[-1].startswith("1200-")
    assert sorted(names) == names  # the roster's order


def test_sheets_given_the_same_row_twice_still_get_distinct_names(matched, tmp_path):
    _, entries = matched
    (_, c) = entries[0]
    with sheets.SheetsZip(tmp_path / "s.zip", TODAY) as archive:
        archive.add(c, 7)
        archive.add(c, 7)
    names = zipfile.ZipFile(tmp_path / "s.zip").namelist()
    assert len(set(names)) == 2 and names[0] == sheets.sheet_filename(c.profile, 7)


def test_the_streamed_zip_holds_every_sheet_in_roster_order(matched, tmp_path):
    _, entries = matched
    with sheets.SheetsZip(tmp_path / "s.zip", TODAY) as archive:
        for _, c in entries:
            archive.add(c)
    names = zipfile.ZipFile(tmp_path / "s.zip").namelist()
    assert names == [sheets.sheet_filename(c.profile, i) for i, (_, c) in enumerate(entries, 1)]
    for name, (_, c) in zip(names, entries, strict=True):
        got = docx.Document(io.BytesIO(zipfile.ZipFile(tmp_path / "s.zip").read(name)))
        want = docx.Document(io.BytesIO(consultation_docx(c, TODAY)))
        assert [p.text for p in got.paragraphs] == [p.text for p in want.paragraphs]


# --- whole files or none -------------------------------------------------------------------


def test_a_failed_batch_leaves_the_old_files_and_no_temporary_ones(engine, tmp_path, monkeypatch):
    roster = read_roster(ROSTER.encode(), "名单.csv")
    out, archive = tmp_path / "汇总.xlsx", tmp_path / "咨询单.zip"
    out.write_bytes(b"old summary")
    archive.write_bytes(b"old zip")
    calls = []

    def failing(*args: Any, **kwargs: Any) -> Consultation:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return consult(*args, **kwargs)

    monkeypatch.setattr(batch, "consult", failing)
    with pytest.raises(RuntimeError):
        batch.write_batch(engine, roster, AS_OF, out, archive)
    assert out.read_bytes() == b"old summary" and archive.read_bytes() == b"old zip"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["咨询单.zip", "汇总.xlsx"]


def _running(argument: str) -> list[int]:
    """Processes whose command line holds ``argument`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and argument.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_a_killed_batch_leaves_nothing_under_the_final_names(tmp_path):
    roster = write_roster(tmp_path / "名单.csv", 300)
    out, archive = tmp_path / "汇总.xlsx", tmp_path / "咨询单.zip"
    command = [sys.executable, "-m", "recommender", "batch", str(roster), "-o", str(out), "--zip", str(archive)]
    scratch = tmp_path / "tmp"  # the workbook's sheet files: a killed process cannot remove them
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 120
    while not any(p.name.startswith(".咨询单.zip.") and p.stat().st_size > 10_000 for p in tmp_path.iterdir()):
        assert child.poll() is None and time.monotonic() < deadline, "the batch ended before it could be killed"
        time.sleep(0.1)
    child.send_signal(signal.SIGKILL)
    child.wait()
    deadline = time.monotonic() + 10
    while _running(str(roster)) and time.monotonic() < deadline:  # its worker processes end too
        time.sleep(0.2)
    assert not _running(str(roster))
    assert not out.exists() and not archive.exists()
    assert any(p.name.endswith(".part") for p in tmp_path.iterdir())  # what a killed run leaves: named apart
    assert list(scratch.iterdir())  # and the workbook's files, in the temporary folder
    # the next batch to the same files removes what the killed one left
    small = write_roster(tmp_path / "小名单.csv", 5)
    command = [sys.executable, "-m", "recommender", "batch", str(small), "-o", str(out), "--zip", str(archive)]
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(["名单.csv", "小名单.csv", out.name, archive.name, "tmp"])
    assert not list(scratch.iterdir())


def _children(pid: int) -> list[int]:
    """The child processes of ``pid``, oldest first (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue
    return sorted(found)


@pytest.mark.parametrize(("which", "sheets"), [("worker", False), ("worker", True), ("writer", False)])
def test_a_helper_process_killed_ends_the_batch_with_one_line_and_leaves_nothing(tmp_path, which, sheets):
    """A worker killed (``kill -9``, the kernel out of memory) left the batch waiting for ever, without a word,
    when it died sending a result, or (with Word sheets, the pool seeing it first) when the pool waited for the
    other worker, which ignores its SIGTERM; the workbook's writer killed was said as a disk fault (break-it
    trials)."""
    roster = write_roster(tmp_path / "名单.csv", 3000)
    out = tmp_path / "汇总.xlsx"
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    command = [sys.executable, "-m", "recommender", "batch", str(roster), "-o", str(out), "--as-of", "2024-06-30"]
    command += ["--zip", str(tmp_path / "咨询单.zip")] if sheets else []
    env = {**os.environ, "TMPDIR": str(scratch)}
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    deadline = time.monotonic() + 120
    while len(helpers := _children(child.pid)) < 3:  # the writer, then two workers (a 2-core machine or more)
        assert child.poll() is None and time.monotonic() < deadline, "the batch ended before its helpers started"
        time.sleep(0.05)
    time.sleep(1.0)  # matching, results under way
    os.kill(helpers[0] if which == "writer" else helpers[1], signal.SIGKILL)
    _, stderr = child.communicate(timeout=60)
    helper = "写入 Excel 汇总的进程" if which == "writer" else "匹配进程"
    assert child.returncode == 1, stderr
    assert (
        stderr.splitlines()[-1] == f"错误：{helper}意外结束（可能内存不足或被强行结束），未完成的输出文件未保留：请重试"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["名单.csv", "tmp"]) and not list(scratch.iterdir())
    assert not _running(str(roster))


def test_a_batch_stopped_while_its_workbook_is_finished_leaves_no_file(engine, tmp_path, monkeypatch):
    """Ctrl-C once every row was matched, while the workbook's writer finished it: the stop waited for the writer,
    which wrote the workbook again after the unfinished file had been removed (a hidden .part of the whole
    workbook left in the output folder, and seconds before the stop took effect: a break-it trial)."""
    roster = read_roster(write_roster(tmp_path / "名单.csv", 3 * batch.PARALLEL_FROM).read_bytes(), "名单.csv")

    def finished_then_stopped(self: Any) -> None:
        self._rows.send_bytes(b"")  # all rows sent: the writer finishes the workbook
        raise KeyboardInterrupt

    monkeypatch.setattr(sheets._LiveWriter, "finish", finished_then_stopped)
    with pytest.raises(KeyboardInterrupt):
        batch.write_batch(engine, roster, AS_OF, tmp_path / "汇总.xlsx", workers=2)
    time.sleep(1.0)  # a writer left at work would write its file meanwhile
    assert sorted(p.name for p in tmp_path.iterdir()) == ["名单.csv"]


def test_an_output_in_a_missing_folder_is_one_line_naming_it(tmp_path, capsys):
    roster = tmp_path / "名单.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    target = tmp_path / "无此目录" / "汇总.xlsx"
    assert main(["batch", str(roster), "-o", str(target), "--as-of", "2024-06-30"]) == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last == f"错误：{target}: 无法写入（所在目录不存在）"


# --- progress ---------------------------------------------------------------------------------


def test_progress_is_reported_while_reading_and_matching(engine, tmp_path):
    read: list[tuple[int, int]] = []
    roster = read_roster(ROSTER.encode(), "名单.csv", progress=lambda done, total: read.append((done, total)))
    assert read[0] == (0, 5) and read[-1] == (5, 5)
    matched: list[tuple[int, int, str]] = []
    stages: list[str] = []
    count = batch.write_batch(
        engine, roster, AS_OF, tmp_path / "o.xlsx", progress=lambda *a: matched.append(a), stage=stages.append
    )
    assert count == len(roster.rows) == len(matched) and matched[-1][:2] == (count, count)
    assert stages == ["正在保存 Excel 文件…"]  # the bar at 100 % says what the last seconds are for
    assert [name for *_, name in matched] == [r.profile.name for r in roster.rows]


def test_the_progress_bar_draws_nothing_when_stderr_is_not_a_terminal(capsys):
    with Bar("读取 名单.csv") as bar:
        bar(5, 10)
        bar(10, 10)
    assert capsys.readouterr().err == ""


# --- matched in worker processes ------------------------------------------------------------


def _cells(path) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(path, read_only=True)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


def test_workers_write_what_matching_here_writes(engine, tmp_path):
    roster = read_roster(write_roster(tmp_path / "名单.csv", 3 * batch.PARALLEL_FROM).read_bytes(), "名单.csv")
    outputs = {}
    for workers in (0, 2):
        out, archive = tmp_path / f"o{workers}.xlsx", tmp_path / f"s{workers}.zip"
        assert batch.write_batch(engine, roster, AS_OF, out, archive, top=4, workers=workers) == len(roster.rows)
        outputs[workers] = (out, zipfile.ZipFile(archive))
    assert batch._workers(2, len(roster.rows)) == 2  # the second run did use workers
    assert _cells(outputs[2][0]) == _cells(outputs[0][0])
    here, there = outputs[0][1], outputs[2][1]
    assert there.namelist() == here.namelist() and len(here.namelist()) == len(roster.rows)
    for name in here.namelist()[:: batch.CHUNK // 2]:  # the same document (the zip's own timestamps aside)
        a, b = (docx.Document(io.BytesIO(z.read(name))) for z in (here, there))
        assert [p.text for p in a.paragraphs] == [p.text for p in b.paragraphs]
        assert [c.text for t in a.tables for c in t._cells] == [c.text for t in b.tables for c in t._cells]


def test_a_workbook_written_while_matching_is_the_workbook_written_at_the_end(engine, tmp_path):
    """With workers, 措施明细 is written by a process of its own as the rows come (the end's writing, a third of a
    100k batch, was on one core while the other idled): the same file, part for part, as one written on save."""
    import multiprocessing

    roster = read_roster(write_roster(tmp_path / "名单.csv", 3 * batch.PARALLEL_FROM).read_bytes(), "名单.csv")
    writing = []

    def progress(done: int, total: int, name: str) -> None:
        writing.append(any(p.name == "roster-workbook" for p in multiprocessing.active_children()))

    for workers in (0, 2):
        batch.write_batch(
            engine, roster, AS_OF, tmp_path / f"o{workers}.xlsx", top=4, workers=workers, progress=progress
        )
    assert not any(writing[: len(roster.rows)]) and all(writing[len(roster.rows) :])
    here, there = (zipfile.ZipFile(tmp_path / f"o{workers}.xlsx") for workers in (0, 2))
    assert here.namelist() == there.namelist()
    for name in here.namelist():
        if name != "docProps/core.xml":  # the time it was written
            assert here.read(name) == there.read(name), name
    assert not multiprocessing.active_children()


def test_an_error_in_a_worker_is_raised_and_leaves_no_file(engine, tmp_path, monkeypatch):
    roster = read_roster(write_roster(tmp_path / "名单.csv", 3 * batch.PARALLEL_FROM).read_bytes(), "名单.csv")
    last = roster.rows[-1].profile.name

    def failing(recommender: Recommender, profile: Any, **kwargs: Any) -> Consultation:
        if profile.name == last:
            raise RuntimeError("worker on fire")
        return consult(recommender, profile, **kwargs)

    monkeypatch.setattr(batch, "consult", failing)  # forked workers inherit it
    with pytest.raises(RuntimeError, match="worker on fire"):
        batch.write_batch(engine, roster, AS_OF, tmp_path / "o.xlsx", tmp_path / "s.zip", workers=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["名单.csv"]


STOPS = [  # (signal, sent to the whole process group, sent twice, exit code, the one line on stderr)
    (signal.SIGINT, True, False, 130, "已中断：未完成的输出文件未保留"),  # Ctrl-C reaches the whole group
    (signal.SIGINT, True, True, 130, "已中断：未完成的输出文件未保留"),  # pressed twice: the second ignored
    (signal.SIGTERM, True, False, 143, "已终止（收到 SIGTERM）：未完成的输出文件未保留"),  # a service manager
    (signal.SIGTERM, False, False, 143, "已终止（收到 SIGTERM）：未完成的输出文件未保留"),  # kill PID
    (signal.SIGHUP, True, False, 129, "已终止（收到 SIGHUP）：未完成的输出文件未保留"),  # the terminal closed
]


@pytest.mark.parametrize(
    ("stop", "group", "twice", "code", "line"),
    STOPS,
    ids=[f"{s[0].name}{'-group' if s[1] else ''}{'-twice' if s[2] else ''}" for s in STOPS],
)
def test_a_stopped_batch_says_one_line_and_leaves_no_file_and_no_process(tmp_path, stop, group, twice, code, line):
    roster = write_roster(tmp_path / "名单.csv", 3000)
    out, archive = tmp_path / "汇总.xlsx", tmp_path / "咨询单.zip"
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    command = [sys.executable, "-m", "recommender", "batch", str(roster), "-o", str(out), "--zip", str(archive)]
    child = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, "TMPDIR": str(scratch)},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as in a terminal
    )
    deadline = time.monotonic() + 120
    while not any(p.name.startswith(".汇总.xlsx.") for p in tmp_path.iterdir()):
        assert child.poll() is None and time.monotonic() < deadline, "the batch ended before it was stopped"
        time.sleep(0.1)
    time.sleep(1)  # matching in its workers
    for _ in range(2 if twice else 1):
        os.killpg(child.pid, stop) if group else child.send_signal(stop)
        time.sleep(0.1)
    _, err = child.communicate(timeout=60)
    assert child.returncode == code
    assert err.decode().strip().splitlines() == [line]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["名单.csv", "tmp"]) and not list(scratch.iterdir())
    deadline = time.monotonic() + 10
    while _running(str(roster)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _running(str(roster))


def test_a_stop_once_the_outputs_are_complete_is_too_late_and_ignored(tmp_path, monkeypatch, capsys):
    """SIGTERM between renaming the workbook and renaming the zip (the window the ``.part`` files cannot close)
    is ignored: both files are kept and the batch says 已写入, exit 0. It was acted on: the workbook stayed under
    its name, the zip was removed, and the one line said no unfinished output was kept (exit 143)."""
    roster = write_roster(tmp_path / "名单.csv", 5)
    out, archive = tmp_path / "汇总.xlsx", tmp_path / "咨询单.zip"
    rename = os.replace

    def rename_then_stop(source: Any, target: Any) -> None:
        rename(source, target)
        if Path(target) == out:  # the workbook is renamed before the zip
            os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(os, "replace", rename_then_stop)
    code = main(["batch", str(roster), "-o", str(out), "--zip", str(archive), "--as-of", AS_OF.isoformat()])
    captured = capsys.readouterr()
    assert (code, captured.err) == (0, "")
    assert captured.out.startswith(f"已写入 {out} 和 {archive}：5 家企业")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["名单.csv", out.name, archive.name])


def test_the_basis_column_says_why_a_measure_was_listed_as_the_page_does(matched):
    """措施明细's 符合依据: the conditions met and, as `recommend` and the page give them, the needs served and
    the words shared (a measure listed for its text alone would otherwise show an empty basis)."""
    roster, entries = matched
    book = openpyxl.load_workbook(io.BytesIO(roster_workbook(entries, roster.bad, as_of=AS_OF, today=TODAY)))
    column = [name for name, _ in DETAIL_COLUMNS].index("符合依据")
    shown = [row[column] or "" for row in book["措施明细"].iter_rows(min_row=2, values_only=True)]
    expected = ["\n".join([*m.reasons, *m.result.explanations]) for _, c in entries for m in c.measures]
    assert shown == [xml_text(e) for e in expected]
    assert any(m.result.explanations for _, c in entries for m in c.measures)  # the case the column now covers


def test_an_output_name_the_file_system_allows_is_written_however_long(tmp_path):
    """-o with a 251-byte name (as long as ext4 allows, 255) said 无法写入（文件名过长）: the temporary name beside it
    added ~25 bytes. It is cut to fit now, and the workbook is written under the name given."""
    from recommender.services.batch import whole_file

    target = tmp_path / ("长" * 82 + ".xlsx")
    assert len(target.name.encode()) == 251
    with whole_file(target) as part:
        assert len(part.name.encode()) <= 255 and part.name.startswith(".长长")
        part.write_bytes(b"done")
    assert target.read_bytes() == b"done" and list(tmp_path.iterdir()) == [target]
