"""What the registry page shows, read in one transaction into plain values (no ORM object leaves it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from recommender.profile import Profile
from recommender.registry import enterprises
from recommender.registry.access import Actor
from recommender.registry.models import Enterprise


@dataclass(frozen=True)
class Record:
    """One enterprise's record, its stored profile validated once as it is read."""

    id: int
    name: str
    profile: Profile
    counsellor: str | None
    stage: str
    version: int
    updated_by: str
    updated_at: dt.datetime

    @classmethod
    def of(cls, e: Enterprise) -> Record:
        """The record of ``e``; raises ProfileError if its stored profile does not validate."""
        profile = enterprises.profile_of(e)
        return cls(e.id, e.name, profile, e.counsellor, e.pool_stage, e.version, e.updated_by, e.updated_at)


@dataclass(frozen=True)
class Revision:
    """One version in an enterprise's history: who saved it, when, from where, and the fields it changed."""

    version: int
    by: str
    at: dt.datetime
    source: str
    changes: list[tuple[str, str, Any, Any]]  # (field, label, before, after)


@dataclass(frozen=True)
class FollowUp:
    """One measure discussed at a consultation and where its application stands."""

    id: int
    clause_id: str
    title: str
    match_status: str  # the state shown at the visit, as its code (eligible … or expired)
    state: str
    reason: str | None
    version: int
    updated_by: str
    updated_at: dt.datetime


@dataclass(frozen=True)
class Visit:
    """One consultation held with the enterprise, with the measures discussed and their follow-up."""

    id: int
    held_on: dt.date
    counsellor: str
    profile_version: int
    as_of: dt.date
    sheet_file: str | None
    note: str | None
    measures: list[FollowUp]


@dataclass(frozen=True)
class Snapshot:
    """Everything the registry page shows for one enterprise: its record, revisions and consultations."""

    record: Record
    history: list[Revision]  # newest first
    visits: list[Visit]  # newest first


def snapshot(session: Session, enterprise_id: int, by: Actor) -> Snapshot:
    """One enterprise's record, its revisions and its consultations (newest first); AccessDenied when ``by``
    may not read it."""
    enterprise = enterprises.get(session, enterprise_id, by)
    history = [
        Revision(r.version, r.changed_by, r.changed_at, r.source, [(c.field, c.label, c.before, c.after) for c in cs])
        for r, cs in enterprises.history(session, enterprise_id, by)
    ]
    visits = [
        Visit(
            c.id,
            c.held_on,
            c.counsellor,
            c.profile_version,
            c.as_of,
            c.sheet_file,
            c.note,
            [
                FollowUp(
                    m.id,
                    m.clause_id,
                    m.title,
                    m.match_status,
                    m.follow_up,
                    m.reason,
                    m.version,
                    m.updated_by,
                    m.updated_at,
                )
                for m in c.measures
            ],
        )
        for c in enterprise.consultations
    ]
    return Snapshot(Record.of(enterprise), history, visits)


def roster(
    session: Session, by: Actor, counsellor: str | None, stage: str | None, text: str | None
) -> tuple[int, list[Record]]:
    """How many enterprises the registry holds that ``by`` may read, and those of them the filters select."""
    found = enterprises.listing(session, by, counsellor=counsellor, stage=stage, text=text)
    return enterprises.count(session, by), [Record.of(e) for e in found]
