"""What the 政策库管理 page shows of added documents, read in one transaction into plain values
(no ORM object leaves it), and the flash message its actions leave for the next run."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import streamlit as st
from sqlalchemy.orm import Session

from recommender.corpus_models import Clause
from recommender.locator import cited
from recommender.registry import documents
from recommender.registry.models import StaffClause, StaffDocument

STATES = {"draft": "草稿", "published": "已发布"}
FLASH = "lib_flash"  # (kind, text) of the last action: success | error, shown once at the top of the page


@dataclass(frozen=True)
class ClauseView:
    """One clause of an added document: as built, what was proposed, each decision, and its rule now."""

    clause_id: str
    position: int
    lines: tuple[int, int]  # first and last line of the document's text (1-based, inclusive)
    proposal: dict[str, Any]
    decisions: dict[str, Any]
    version: int
    updated_by: str
    updated_at: dt.datetime
    keys: list[str]  # the proposal keys, then the conditions reviewers added (eligibility.N)
    pending: list[str]
    effective: Clause
    bulk: list[str]  # the pending keys "其余 N 项全部采纳" accepts (never documents.NO_CONDITIONS)

    @classmethod
    def of(cls, row: StaffClause) -> ClauseView:
        """The clause ``row`` as plain values."""
        proposed = documents.proposal_keys(row)
        added = sorted(
            (k for k in row.decisions if k not in proposed and documents.condition_index(k) is not None),
            key=documents.condition_index,
        )
        clause = documents.effective(row)
        return cls(
            row.clause_id,
            row.position,
            tuple(clause.provenance.lines),
            dict(row.proposal),
            dict(row.decisions),
            row.version,
            row.updated_by,
            row.updated_at,
            [*proposed, *added],
            documents.pending(row),
            clause,
            documents.bulk_keys(row),
        )

    @property
    def cited(self) -> str:
        """The clause as people cite it: where it stands and its heading ("第2条　适用范围"); what pages show."""
        return cited(self.effective)

    @property
    def slug(self) -> str:
        """The id as it goes into widget keys."""
        return re.sub(r"\W", "_", self.clause_id)


@dataclass(frozen=True)
class DocumentView:
    """One added document: its metadata, text, state and clauses."""

    policy_id: str
    state: str  # draft | published
    source_name: str
    lines: list[str]
    meta: dict[str, Any]
    meta_proposal: dict[str, Any]
    version: int
    created_by: str
    created_at: dt.datetime
    updated_by: str
    updated_at: dt.datetime
    published_by: str | None
    published_at: dt.datetime | None
    clauses: list[ClauseView]

    @classmethod
    def of(cls, d: StaffDocument) -> DocumentView:
        """The document ``d`` as plain values."""
        return cls(
            d.policy_id,
            d.state,
            d.source_name,
            list(d.lines),
            dict(d.meta),
            dict(d.meta_proposal),
            d.version,
            d.created_by,
            d.created_at,
            d.updated_by,
            d.updated_at,
            d.published_by,
            d.published_at,
            [ClauseView.of(row) for row in d.clauses],
        )

    @property
    def title(self) -> str:
        """Its title, or its file name while it has none."""
        return self.meta.get("title") or self.source_name

    @property
    def pending(self) -> int:
        """How many proposals of all its clauses nobody has decided yet."""
        return sum(len(c.pending) for c in self.clauses)

    @property
    def state_label(self) -> str:
        """草稿 / 已发布."""
        return STATES[self.state]

    def clause(self, clause_id: str) -> ClauseView | None:
        """Its clause ``clause_id``, or None."""
        return next((c for c in self.clauses if c.clause_id == clause_id), None)


@dataclass(frozen=True)
class ReviewView:
    """One line of the review log: who decided what on which proposal, and when."""

    clause_id: str
    key: str
    action: str
    value: Any
    by: str
    at: dt.datetime


def all_documents(session: Session) -> list[DocumentView]:
    """Every added document, newest first."""
    return [DocumentView.of(d) for d in documents.documents(session)]


def one_document(session: Session, policy_id: str) -> DocumentView | None:
    """The added document ``policy_id``, or None when there is none."""
    found = session.get(StaffDocument, policy_id)
    return DocumentView.of(found) if found is not None else None


def review_log(session: Session, policy_id: str) -> list[ReviewView]:
    """Every decision taken on the document's proposals, oldest first."""
    return [
        ReviewView(r.clause_id, r.key, r.action, r.value, r.reviewed_by, r.reviewed_at)
        for r in documents.reviews(session, policy_id)
    ]


def decided_at(decision: dict[str, Any]) -> dt.datetime:
    """When a stored decision was taken (stored as ISO text)."""
    return dt.datetime.fromisoformat(decision["at"])


def flash(kind: str, text: str) -> None:
    """Leave a message for the top of the page's next run."""
    st.session_state[FLASH] = (kind, text)


def show_flash() -> None:
    """The message the last action left, once."""
    kind, text = st.session_state.pop(FLASH, (None, ""))
    if kind == "success":
        st.success(text, icon=":material/check_circle:")
    elif kind is not None:
        st.error(text, icon=":material/error:")
