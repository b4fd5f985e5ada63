"""The consultation sheet of one enterprise: its consultation and the Word document."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..consultation import SHEET_TOP, Consultation, consult
from ..engine import Recommender
from ..profile import Profile
from ..sheets import consultation_docx, sheet_filename


@dataclass(frozen=True)
class Sheet:
    """One enterprise's consultation, its Word sheet (.docx bytes) and the file name to offer."""

    consultation: Consultation
    docx: bytes
    filename: str


def sheet_of(c: Consultation) -> Sheet:
    """The Word sheet of a consultation already made (e.g. one row of a roster)."""
    return Sheet(c, consultation_docx(c), sheet_filename(c.profile))


def consultation_sheet(recommender: Recommender, profile: Profile, as_of: dt.date, top: int = SHEET_TOP) -> Sheet:
    """Match ``profile`` at ``as_of`` (validity of documents judged that day) and write its sheet,
    listing the ``top`` best measures in force."""
    return sheet_of(consult(recommender, profile, as_of=as_of, top=top))
