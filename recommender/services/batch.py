"""A roster matched row by row, its outputs written as it goes: the Excel summary and the zip of Word sheets.

No list of consultations is kept: each good row is matched, written to the outputs and dropped, so memory does
not grow with the number of rows (beyond the roster itself). Each output is written to a temporary file beside
its target and renamed at the end, so a failed or killed batch never leaves a half-written file under the
final name.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from ..consultation import SHEET_TOP, Consultation, consult
from ..engine import Recommender
from ..roster import Roster
from ..sheets import RosterWorkbook, SheetsZip

Progress = Callable[[int, int, str], None]  # (rows done, rows in all, the enterprise just matched)


def consultations(
    recommender: Recommender,
    roster: Roster,
    as_of: dt.date,
    top: int = SHEET_TOP,
    progress: Progress | None = None,
) -> Iterator[tuple[int, Consultation]]:
    """(spreadsheet row number, consultation of ``top`` measures in force at ``as_of``) for each good row of
    ``roster``, one at a time in roster order; ``progress(done, total, name)`` after each row."""
    total = len(roster.rows)
    for i, row in enumerate(roster.rows, 1):
        yield row.row, consult(recommender, row.profile, as_of=as_of, top=top)
        if progress is not None:
            progress(i, total, row.profile.name)


@contextmanager
def whole_file(target: Path) -> Iterator[Path]:
    """A new empty temporary file beside ``target`` (".name.XXXXXXXX.part") for the block to write; renamed to
    ``target`` when the block ends, removed when it raises. A process killed meanwhile leaves only the
    temporary file, never a half-written ``target``. OSError as the file system gives it (no such folder …)."""
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    try:
        os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # the umask's permissions
    except OSError as exc:  # named by the target (FileNotFoundError stays one: OSError picks it by errno)
        raise OSError(exc.errno, exc.strerror, str(target)) from None
    try:
        yield temporary
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_batch(
    recommender: Recommender,
    roster: Roster,
    as_of: dt.date,
    workbook: Path,
    sheets: Path | None = None,
    top: int = SHEET_TOP,
    progress: Progress | None = None,
) -> int:
    """Match every good row of ``roster`` (``consultations``) and write, as it goes, the Excel summary to
    ``workbook`` (``sheets.RosterWorkbook``, the bad rows included) and, when given, the zip of Word sheets to
    ``sheets`` (``sheets.SheetsZip``). Returns the number of enterprises matched. Both files appear under
    their names only when all is written (``whole_file``); OSError when one cannot be written."""
    with ExitStack() as stack:
        book = stack.enter_context(RosterWorkbook(as_of))
        archive = None
        if sheets is not None:
            archive = stack.enter_context(SheetsZip(stack.enter_context(whole_file(sheets))))
        workbook_part = stack.enter_context(whole_file(workbook))
        for row, c in consultations(recommender, roster, as_of, top, progress):
            book.add(row, c)
            if archive is not None:
                archive.add(c)
        book.save(workbook_part, roster.bad)
    return book.matched
