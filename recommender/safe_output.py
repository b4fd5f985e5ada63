"""Text written into files people open in Excel, WPS or Word, made safe: one place for every writer.

Two faults, both from the cells of real rosters:

- **Formula injection** (OWASP, "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection):
  a cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a formula by
  spreadsheet programs (``=HYPERLINK(…)`` leaks data, ``=cmd|…`` runs programs). In CSV, OWASP's
  remedy is a leading single quote; in XLSX the cell is written as text (data type ``s``, with Excel's
  hidden quote prefix: ``sheets.write_sheets``), so it shows exactly as typed and is never evaluated, not
  even after editing.
  Only text is touched: a negative number stays a number.
- **Characters XML 1.0 cannot hold** (https://www.w3.org/TR/xml/#charsets): .xlsx and .docx are XML, and
  python-docx (``ValueError``) refuses control characters such as the vertical tab Word's soft return leaves
  in a pasted cell, as well as U+FFFE/U+FFFF and lone surrogates; an XLSX writer writes a control character
  as Excel's ``_x000B_`` escape, which Excel turns back into the character, and lone surrogates not at all.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# C0 controls but tab, line feed and carriage return: exactly openpyxl's ILLEGAL_CHARACTERS_RE
# (openpyxl.cell.cell), spelled out so that no writer imports openpyxl
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
# what else XML 1.0's Char production leaves out: lone surrogates, U+FFFE and U+FFFF
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """``text`` as XML 1.0 can hold it: a control character (a vertical tab, form feed, NUL …) becomes a
    space, as it stood between words; U+FFFE, U+FFFF and lone surrogates are dropped."""
    if _NOT_XML.search(text) is None:  # nearly all text: one scan (the controls are outside XML's characters too)
        return text
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
