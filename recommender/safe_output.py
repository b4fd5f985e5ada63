"""Text written into files people open in Excel, WPS or Word, made safe: one place for every writer.

Two faults, both from the cells of real rosters:

- **Formula injection** (OWASP, "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection):
  a cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a formula by
  spreadsheet programs (``=HYPERLINK(…)`` leaks data, ``=cmd|…`` runs programs). In CSV, OWASP's
  remedy is a leading single quote; in XLSX the cell is written as text (data type ``s``, with Excel's
  hidden quote prefix), so it shows exactly as typed and is never evaluated, not even after editing.
  Only text is touched: a negative number stays a number.
- **Characters XML 1.0 cannot hold** (https://www.w3.org/TR/xml/#charsets): .xlsx and .docx are XML, and
  openpyxl (``IllegalCharacterError``) and python-docx (``ValueError``) refuse control characters such as
  the vertical tab Word's soft return leaves in a pasted cell, as well as U+FFFE/U+FFFF and lone surrogates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from copy import copy
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet
    from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# C0 controls but tab, line feed and carriage return: exactly openpyxl's ILLEGAL_CHARACTERS_RE
# (openpyxl.cell.cell), spelled out so that the Word writer need not import openpyxl
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
# what else XML 1.0's Char production leaves out: lone surrogates, U+FFFE and U+FFFF
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """``text`` as XML 1.0 can hold it: a control character (a vertical tab, form feed, NUL …) becomes a
    space, as it stood between words; U+FFFE, U+FFFF and lone surrogates are dropped."""
    return _NOT_XML.sub("", _CONTROL.sub(" ", text))


def formula_like(value: Any) -> bool:
    """Whether ``value`` is text that a spreadsheet would run as a formula (OWASP's trigger characters)."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def safe_csv_cell(value: Any) -> Any:
    """A CSV cell that no spreadsheet runs: text beginning with a formula trigger gets a leading single quote
    (OWASP CSV Injection); anything else, numbers included, is returned unchanged."""
    return "'" + value if formula_like(value) else value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as CSV for spreadsheet programs: UTF-8 with a BOM (Excel then shows the Chinese), every text
    cell and column name passed through ``safe_csv_cell``, rows ended by CRLF as RFC 4180 has it (so that a
    cell holding a lone carriage return is quoted, not split into a new row that could start a formula)."""
    safe = frame.map(safe_csv_cell).rename(columns=safe_csv_cell)
    return safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def safe_value(sheet: Worksheet | WriteOnlyWorksheet, value: Any) -> Any:
    """``value`` as a cell of ``sheet`` may safely hold it: text passed through ``xml_text``, and text that would
    run as a formula as a Cell written as text (data type ``s`` and Excel's hidden quote prefix: shown as typed,
    no stray apostrophe, never evaluated). Numbers, dates and None are returned as they are."""
    from openpyxl.cell.cell import Cell

    if not isinstance(value, str):
        return value
    value = xml_text(value)
    if not formula_like(value):
        return value
    cell = Cell(sheet, row=1, column=1, value=value)  # placed when appended; "=…" reads as a formula
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def styled_row(sheet: WriteOnlyWorksheet, values: Iterable[Any], style: Cell) -> list[Cell]:
    """The cells of a row for a write-only ``sheet``, made safe as ``safe_value`` makes them and each carrying the
    style (font, fill, alignment …) of the ``style`` cell; a None value is an empty cell with that style."""
    from openpyxl.cell.cell import Cell

    row: list[Cell] = []
    for value in values:
        safe = safe_value(sheet, value)
        cell = safe if isinstance(safe, Cell) else Cell(sheet, row=1, column=1, value=safe)
        quote = cell.quotePrefix
        cell._style = copy(style._style)  # one style array for the whole row (setting each attribute costs more)
        cell.quotePrefix = quote
        row.append(cell)
    return row
