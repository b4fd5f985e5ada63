"""The roster's Excel summary as bytes, for tests that look at a few consultations' workbook."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from recommender.clock import today as shanghai_today
from recommender.consultation import Consultation
from recommender.roster import BadRow
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
        book.save(out, bad)
    return out.getvalue()
