"""A roster matched in one go: a consultation per good row, the Excel summary, the zip of Word sheets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from ..consultation import SHEET_TOP, Consultation, consult
from ..engine import Recommender
from ..profile import Profile
from ..roster import Roster
from ..sheets import roster_workbook, sheets_zip

Entries = list[tuple[int, Consultation]]  # (spreadsheet row number, consultation), in roster order


@dataclass(frozen=True)
class Batch:
    """The consultations of a roster's good rows at ``as_of``; the bad rows stay in ``roster.bad``."""

    roster: Roster
    as_of: dt.date
    entries: Entries

    def workbook(self) -> bytes:
        """The Excel summary (.xlsx bytes): measures per enterprise, a summary, the bad rows, notes."""
        return roster_workbook(self.entries, self.roster.bad, as_of=self.as_of)

    def sheets(self) -> bytes:
        """Every enterprise's Word consultation sheet in one .zip (bytes)."""
        return sheets_zip(c for _, c in self.entries)


def match_roster(
    recommender: Recommender,
    roster: Roster,
    as_of: dt.date,
    top: int = SHEET_TOP,
    progress: Callable[[int, int, Profile], None] | None = None,
) -> Batch:
    """A consultation (``top`` measures in force at ``as_of``) for every good row of ``roster``.

    ``progress(done, total, profile)`` is called after each row (e.g. for a progress bar).
    """
    entries: Entries = []
    for i, row in enumerate(roster.rows, 1):
        entries.append((row.row, consult(recommender, row.profile, as_of=as_of, top=top)))
        if progress is not None:
            progress(i, len(roster.rows), row.profile)
    return Batch(roster, as_of, entries)
