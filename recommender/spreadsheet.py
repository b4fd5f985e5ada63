"""Spreadsheet files as people make them → rows of cell values, and the row that holds the header.

``read_sheets(data, suffix)`` reads CSV (UTF-8 or GBK; comma, tab or semicolon), XLSX/XLSM (openpyxl) and
old XLS (xlrd) bytes into ``list[list[Cell]]``: ``rows[i]`` is the row a person sees as row ``i + 1``
(for a CSV, record ``i + 1``), one value per column, ``None`` for a blank cell. What Excel and WPS show
is what is read:

- every visible sheet, the one Excel opens on first, as far as cells hold content, whatever size the file
  declares (WPS writes ``A1:A1``; a styled empty cell at XFD1048576 adds nothing);
- a date typed in any built-in date format, the CJK and Thai ones included, as ``datetime``;
- a merged region's value in every row it covers, in the region's first column; the other columns it
  covers stay blank, so that a heading or a title merged across columns names one column;
- a formula's value as Excel last calculated it, or ``Uncalculated`` when the file holds no result.

``find_header`` finds the header among the first rows (a title or notes may stand above it) and
``title_row`` the row that looks like a title, for the message when no header is found.
Every failure is a ``SpreadsheetError`` whose message is one Chinese line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from .charsets import gb_or_big5
from .limits import LIMITS, size_text

CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls"})
HEADER_WITHIN = 10  # the header is looked for in this many rows from the top
_DELIMITERS = ",\t;"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of an old .xls (whatever the file is named)
_ZIP = b"PK\x03\x04"  # the container of an .xlsx
# Input sanity (``limits``, set in config.toml): a roster is at most this big. A styled empty cell far out
# (XFD1048576) must not make the reader build a million-row grid.
MAX_ROWS = LIMITS.rows
MAX_COLUMNS = LIMITS.columns
# cells a worksheet's XML may declare, values or only styles: openpyxl builds an object for each (about 350
# bytes), so 1,000,000 is some 350 MB (a roster of 50,000 rows × 20 columns)
MAX_CELLS = LIMITS.cells
# Built-in date formats that Excel writes by number only and openpyxl does not know (it knows 14–22, 45–47):
# 27–36 and 50–58 in Chinese, Japanese and Korean Excel (31 is yyyy年m月d日), 71–81 in Thai Excel.
_LOCALE_DATE_FORMATS = frozenset([*range(27, 37), *range(50, 59), *range(71, 82)])


class SpreadsheetError(ValueError):
    """The file cannot be read as a spreadsheet: one Chinese line saying why and what to do."""


@dataclass(frozen=True)
class Uncalculated:
    """A formula cell whose file holds no calculated result (written by a program, never opened in Excel)."""

    formula: str

    def __str__(self) -> str:
        return self.formula


Cell = str | int | float | bool | dt.datetime | dt.date | dt.time | Uncalculated | None
Rows = list[list[Cell]]


@dataclass(frozen=True)
class Sheet:
    """One worksheet: its name ("" for a CSV) and its rows; a hidden sheet is named, not read (no rows);
    ``broken`` names the rows read as well as could be but not to be trusted (a CSV row with an unclosed quote)."""

    name: str
    rows: Rows
    hidden: bool = False
    broken: dict[int, str] = field(default_factory=dict)  # rows[i] that cannot be trusted → why (CSV only)
    hidden_rows: frozenset[int] = frozenset()  # the i of rows[i] hidden in Excel (hidden or filtered out; XLSX only)


def read_sheets(data: bytes, suffix: str) -> list[Sheet]:
    """The visible worksheets of an Excel file (``suffix`` in EXCEL_SUFFIXES), the one Excel opens on first,
    then the hidden ones by name only (``Sheet.hidden``), or the one sheet of a CSV (``suffix`` in CSV_SUFFIXES).

    A file is read by what it holds, not by its name: an old .xls named .xlsx, or an .xlsx named .csv, is
    read all the same. SpreadsheetError for another suffix, a text in an unknown encoding, a file that is
    not a workbook, or a sheet with content beyond MAX_ROWS rows or MAX_COLUMNS columns or declaring more
    than MAX_CELLS cells.
    """
    suffix = suffix.lower()
    if suffix not in CSV_SUFFIXES | EXCEL_SUFFIXES:
        raise SpreadsheetError(f"不支持的表格类型“{suffix}”：请使用 CSV 或 Excel（.xlsx、.xls）文件")
    if data.startswith(_OLE2):
        return _xls_sheets(data, suffix)
    if data.startswith(_ZIP):
        return _xlsx_sheets(data, suffix)
    if suffix in CSV_SUFFIXES:
        return [csv_sheet(data)]
    raise _unreadable(suffix)


def decode(data: bytes) -> str:
    """Text bytes in UTF-8 (with or without BOM), UTF-16 with its BOM (Excel's "Unicode text"), GBK/GB18030
    or Big5 (``charsets.gb_or_big5``); SpreadsheetError for any other encoding."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if (text := gb_or_big5(data)) is not None:
        return text
    raise SpreadsheetError("文件编码无法识别：请另存为 UTF-8 或 GBK 编码的 CSV，或 Excel（.xlsx）文件")


_TRAILING = " \t\n,;\u3000"  # what empty rows at the end of a CSV hold: blanks, line ends and delimiters
MAX_UNCLOSED = 20  # rows with an unclosed quote a CSV may have before it is refused as a whole


def csv_sheet(data: bytes) -> Sheet:
    """The one sheet of a CSV; the delimiter (comma, tab or semicolon) is the one a line among the first
    HEADER_WITHIN uses most, so a title or notes line above the header does not decide it.

    A quote left open (``"浦东新区,100`` on row 2) would swallow every later line into one cell: that row is
    kept as its own line alone and named in ``Sheet.broken``, and the lines after it are read as rows.
    """
    text = decode(data).replace("\r\n", "\n").replace("\r", "\n")  # line ends of Windows, Unix or old Mac
    # empty rows at the end (what Excel leaves of rows once used: ",,,,"; blank lines) are no rows: never
    # counted nor parsed (the last row loses only empty cells at its end)
    body = text.rstrip(_TRAILING)
    text = body + "\n" if body else ""
    if (count := text.count("\n")) > MAX_ROWS + HEADER_WITHIN:  # before the lines are split and parsed
        raise SpreadsheetError(f"文件有 {count:,} 行，超出名单的范围（最多 {MAX_ROWS:,} 行）：请分成几个文件上传")
    parts = text.split("\n")
    lines = [line + "\n" for line in parts[:-1]] + [parts[-1]] * bool(parts[-1])
    head = lines[:HEADER_WITHIN]
    delimiter = max(_DELIMITERS, key=lambda d: max((line.count(d) for line in head), default=0))
    csv.field_size_limit(max(csv.field_size_limit(), LIMITS.file_bytes))  # cells are measured per row
    rows: Rows = []
    broken: dict[int, str] = {}
    start = 0
    while start < len(lines):
        records, last = _records(lines[start:], delimiter, start)
        if last is None:
            rows += records
            break
        if len(broken) >= MAX_UNCLOSED:
            raise SpreadsheetError(f"超过 {MAX_UNCLOSED} 行的引号没有配对：请在 Excel 中打开检查后另存为 CSV")
        rows += records[:-1]
        broken[len(rows)] = "引号没有配对（这一格从引号起到文件末尾都被当成了一格），请检查这一行"
        rows.append(next(csv.reader([lines[start + last].rstrip("\n")], delimiter=delimiter)))
        start += last + 1
    return Sheet("", rows, broken=broken)


def _records(lines: list[str], delimiter: str, before: int) -> tuple[Rows, int | None]:
    """The CSV records of ``lines`` (``before``: the file's lines before them), and the line (index into
    ``lines``) where the last record starts when its quote is never closed (it runs to the end of the text), else
    None. A record wider than MAX_COLUMNS loses its empty cells at the end (``_trimmed``)."""
    reader = csv.reader(iter(lines), delimiter=delimiter)
    records: Rows = []
    first = 0  # the line the current record starts on
    try:
        for record in reader:
            records.append(record if len(record) <= MAX_COLUMNS else _trimmed(record, before + reader.line_num))
            if reader.line_num < len(lines):
                first = reader.line_num
    except csv.Error as exc:  # e.g. a NUL byte in older Pythons: the file as a whole is not CSV
        raise SpreadsheetError(
            f"第 {reader.line_num} 行无法按 CSV 读取（{exc}）：请在 Excel 中检查后另存为 CSV"
        ) from exc
    if not records:
        return records, None
    try:
        list(csv.reader(iter(lines[first:]), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            return records, first
    return records, None


def _trimmed(record: list[str], line: int) -> list[str]:
    """``record`` (on the file's line ``line``) without its empty cells at the end; SpreadsheetError when a cell
    past MAX_COLUMNS holds content, as for a workbook (reading the header of a row of a million cells took
    minutes)."""
    last = next((i for i in range(len(record) - 1, -1, -1) if record[i].strip()), -1)
    if last >= MAX_COLUMNS:
        raise SpreadsheetError(
            f"第 {line} 行第 {last + 1:,} 列处还有内容，超出名单的范围（最多 {MAX_COLUMNS} 列）：请删除多余的列后再上传"
        )
    return record[: last + 1]


def _unreadable(suffix: str) -> SpreadsheetError:
    return SpreadsheetError(
        f"无法作为 Excel（{suffix}）文件打开：文件可能已损坏、设有打开密码或并非 Excel 文件，"
        "请在 Excel 中打开并另存为 .xlsx 后再上传"
    )


def _visible_first(sheets: list[Any], active: Any, visible: Callable[[Any], bool]) -> list[Any]:
    """The visible sheets, the active one (the one Excel opens on) first."""
    shown = [sheet for sheet in sheets if visible(sheet)]
    return sorted(shown, key=lambda sheet: sheet is not active)


def _extent(cells: Collection[tuple[int, int]], sheet: str) -> tuple[int, int]:
    """(rows, columns) that hold the ``cells`` with content (1-based coordinates); SpreadsheetError beyond
    MAX_ROWS or MAX_COLUMNS."""
    rows = max((r for r, _ in cells), default=0)
    columns = max((c for _, c in cells), default=0)
    if rows > MAX_ROWS or columns > MAX_COLUMNS:
        raise SpreadsheetError(
            f"工作表“{sheet}”第 {rows} 行、第 {columns} 列处还有内容，超出名单的范围（最多 {MAX_ROWS:,} 行、"
            f"{MAX_COLUMNS} 列）：请删除表格远处的内容或格式后另存再上传"
        )
    return rows, columns


# a cell's start tag as XML may write it: <c …>, <c/>, a newline or tab after the name, a namespace prefix
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,30}:)?c[\s/>]")
_TAIL = 40  # bytes kept from one chunk for the next: longer than any tag start the pattern matches


def _count_cells(data: bytes, suffix: str) -> None:
    """SpreadsheetError when a worksheet declares more than MAX_CELLS cells (styled empty ones count: a few
    megabytes of ``<c s="1"/>`` would make openpyxl build tens of millions of objects). Counted in the
    compressed file's worksheet XML, chunk by chunk, before anything is built. Before that, the size the
    parts unpack to (a megabyte of compressed whitespace can unpack to a gigabyte): at most LIMITS.unpacked_mb.
    An entry cannot unpack to more than it declares (zipfile stops there and fails the checksum)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise _unreadable(suffix) from exc
    unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > LIMITS.unpacked_bytes:
        raise SpreadsheetError(
            f"文件解压后有 {size_text(unpacked)}，超过 {size_text(LIMITS.unpacked_bytes)} 的上限（多为表格中大量空白或"
            "格式）：请删除名单以外的内容后另存再上传"
        )
    for info in archive.infolist():
        if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
            continue
        cells, tail = 0, b""
        with archive.open(info) as xml:
            while chunk := xml.read(1 << 20):
                window = tail + chunk  # a tag cut by the chunk's edge is counted once: in the window it ends in
                cells += sum(1 for m in _CELL_TAG.finditer(window) if m.end() > len(tail))
                tail = window[-_TAIL:]
                if cells > MAX_CELLS:
                    raise SpreadsheetError(
                        f"工作表中的单元格（含只设了格式的空单元格）超过 {MAX_CELLS:,} 个，超出名单的范围："
                        "请删除名单以外的行、列或格式后另存再上传"
                    )


def _xlsx_sheets(data: bytes, suffix: str) -> list[Sheet]:
    """The visible worksheets of an XLSX/XLSM file, read in full (not read-only: that mode trusts the declared
    size and knows no merged cells) but only as far as cells hold content. Only a file that holds formulas is
    read a second time, for the results Excel saved with them (openpyxl gives formulas or results, not both)."""
    from openpyxl import load_workbook

    _count_cells(data, suffix)
    try:
        book = load_workbook(io.BytesIO(data), data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise _unreadable(suffix) from exc
    out = []
    for sheet in _visible_first(book.worksheets, book.active, lambda ws: ws.sheet_state == "visible"):
        # the cells the file holds, not the grid up to the farthest styled cell (openpyxl keeps them in _cells)
        held = {at: cell for at, cell in sheet._cells.items() if cell.value is not None}
        n_rows, n_columns = _extent(held, sheet.title)
        rows: Rows = [[None] * n_columns for _ in range(n_rows)]
        formulas: dict[tuple[int, int], str] = {}
        for (r, c), cell in held.items():
            if cell.data_type == "f":
                formulas[(r - 1, c - 1)] = str(getattr(cell.value, "text", None) or cell.value)
            rows[r - 1][c - 1] = _xlsx_value(cell, book.epoch)
        if formulas:
            _formula_results(data, book.worksheets.index(sheet), rows, formulas)
        merged = [(m.min_row - 1, m.min_col - 1, m.max_row, m.max_col) for m in sheet.merged_cells.ranges]
        _fill_merged(rows, merged)
        hidden = frozenset(r - 1 for r, d in sheet.row_dimensions.items() if d.hidden and r <= n_rows)
        out.append(Sheet(sheet.title, rows, hidden_rows=hidden))
    return out + [Sheet(ws.title, [], hidden=True) for ws in book.worksheets if ws.sheet_state != "visible"]


def _xlsx_value(cell: Any, epoch: dt.datetime) -> Cell:
    """A cell's value; a number in a locale's built-in date format (which openpyxl leaves a serial) as a date.
    The number format's id is only on the cell's style array: ``number_format`` calls these "General"."""
    value = cell.value
    if cell.data_type != "n" or isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if cell._style.numFmtId in _LOCALE_DATE_FORMATS:
        from openpyxl.utils.datetime import from_excel

        try:
            return from_excel(value, epoch)
        except (OverflowError, ValueError):
            return value  # not a date Excel can show either; the reader of the column says what is wrong
    return value


def _formula_results(data: bytes, index: int, rows: Rows, formulas: dict[tuple[int, int], str]) -> None:
    """Put into ``rows`` (of worksheet ``index``) the result saved with each formula, or Uncalculated when
    the file holds none."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheet = book.worksheets[index]
    sheet.reset_dimensions()  # a wrong declared size would hide cells here too
    results: dict[tuple[int, int], Any] = {}
    for r, values in enumerate(sheet.iter_rows(values_only=True, max_row=len(rows))):
        results.update({(r, c): v for c, v in enumerate(values) if (r, c) in formulas})
    book.close()
    for (r, c), formula in formulas.items():
        value = results.get((r, c))
        rows[r][c] = Uncalculated(formula) if value is None else value


def _xls_sheets(data: bytes, suffix: str) -> list[Sheet]:
    """The visible sheets of an old Excel (.xls, BIFF) file, read with xlrd: numbers as float, dates as
    datetime, booleans as bool, error cells as their text ("#DIV/0!"), merged regions as in ``_xlsx_sheets``."""
    import xlrd

    try:
        # xlrd writes its remarks on odd files to stdout unless given another log: keep them off the output
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, logfile=io.StringIO())
    except Exception as exc:  # xlrd raises many kinds for a damaged, encrypted or foreign file
        raise _unreadable(suffix) from exc
    sheets = book.sheets()
    active = next((sh for sh in sheets if sh.sheet_selected), None)
    out = []
    for sheet in _visible_first(sheets, active, lambda sh: sh.visibility == 0):
        held = [
            (r + 1, c + 1)
            for r in range(sheet.nrows)
            for c in range(min(sheet.ncols, MAX_COLUMNS + 1))
            if sheet.cell_type(r, c) not in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK)
        ]
        n_rows, n_columns = _extent(held, sheet.name)
        rows: Rows = [[_xls_value(sheet.cell(r, c), book.datemode) for c in range(n_columns)] for r in range(n_rows)]
        _fill_merged(rows, [(rlo, clo, rhi, chi) for rlo, rhi, clo, chi in sheet.merged_cells])
        out.append(Sheet(sheet.name, rows))
    return out + [Sheet(sh.name, [], hidden=True) for sh in sheets if sh.visibility != 0]


def _xls_value(cell: Any, datemode: int) -> Cell:
    import xlrd

    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#VALUE!")
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(cell.value, datemode)
        except (xlrd.xldate.XLDateError, OverflowError, ValueError):
            return cell.value
    return cell.value


def _fill_merged(rows: Rows, regions: list[tuple[int, int, int, int]]) -> None:
    """Copy each merged region's value down the rows it covers, in its first column.

    ``regions`` are (first row, first column, end row, end column) with 0-based starts and exclusive ends.
    """
    for first_row, first_col, end_row, _ in regions:
        if first_row >= len(rows) or first_col >= len(rows[first_row]):
            continue
        value = rows[first_row][first_col]
        for r in range(first_row + 1, min(end_row, len(rows))):
            if first_col < len(rows[r]):
                rows[r][first_col] = value


def blank(value: Cell) -> bool:
    """True for an empty cell or one holding only whitespace."""
    return value is None or (isinstance(value, str) and not value.strip())


def named(row: Sequence[Cell], label: Callable[[str], str | None]) -> set[str]:
    """The names ``label`` gives the text cells of ``row`` (labels it does not know are left out)."""
    return {name for cell in row if isinstance(cell, str) and (name := label(cell)) is not None}


def find_header(
    rows: Rows, label: Callable[[str], str | None], required: Collection[str], within: int = HEADER_WITHIN
) -> int | None:
    """The index in ``rows`` of the header: the first of the first ``within`` rows whose cells ``label`` maps
    to every name in ``required``. When the rows right below it name them too (a two-row header whose
    upper cells are merged down), the last of these: the one just above the data. None when there is none."""
    found = None
    for i, row in enumerate(rows[:within]):
        if set(required) <= named(row, label):
            found = i
        elif found is not None:
            break
    return found


def title_row(rows: Rows, within: int = HEADER_WITHIN) -> int | None:
    """The index of the first non-blank row among the first ``within`` if it holds text in one cell only,
    as a title ("2025年度…名单（第一批）") or a note does; None otherwise."""
    for i, row in enumerate(rows[:within]):
        filled = [cell for cell in row if not blank(cell)]
        if filled:
            return i if len(filled) == 1 and isinstance(filled[0], str) else None
    return None
