"""The registry's tables: enterprises and their profile history, consultations, feedback, clause versions."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import JSON, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from ..company import CREDIT_CODE_LENGTH
from ..eligibility.status import EXPIRED, LEAD, NOT_YET, UNREVIEWED, Status
from .states import (
    DECISIONS,
    DOCUMENT_STATES,
    FEEDBACK_VERDICTS,
    FOLLOW_UPS,
    LEAD_FOLLOW_UPS,
    LEAD_STATE,
    NEEDS_REASON,
    POOL_STAGES,
)

NAME_MAX = 200
# what a measure was shown as, stored as a code (its Chinese label is added when it is shown): a rule
# status (eligible …), expired / not_yet for a document not in force, unreviewed for unreviewed proposals,
# lead for a lead (可关注) not ruled out
SHOWN_STATES: tuple[str, ...] = (*(s.value for s in Status), EXPIRED, NOT_YET, UNREVIEWED, LEAD)


BEIJING = dt.timezone(dt.timedelta(hours=8), "北京时间")  # what users in Shanghai read, whatever the server's zone


def now() -> dt.datetime:
    """The current moment, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)


def shown_time(stamp: dt.datetime) -> str:
    """A stored moment as users read it: Beijing time to the minute."""
    return stamp.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def _listed(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _one_of(column: str, values: tuple[str, ...]) -> CheckConstraint:
    return CheckConstraint(f"{column} IN ({_listed(values)})", name=f"{column}_allowed")


GIVEN_REASON = "(reason IS NOT NULL AND TRIM(reason) <> '')"  # a blank reason is none (the code refuses it too)


def _follow_up_fits() -> CheckConstraint:
    """A lead's follow-up is a lead's (待了解 …), any other measure's an application's (待申报 …)."""
    lead, others = _listed(LEAD_FOLLOW_UPS), _listed(FOLLOW_UPS)
    return CheckConstraint(
        f"(match_status = '{LEAD_STATE}' AND follow_up IN ({lead})) "
        f"OR (match_status <> '{LEAD_STATE}' AND follow_up IN ({others}))",
        name="follow_up_fits_match_status",
    )


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A moment stored in UTC and read back time-zone aware, on every backend.

    PostgreSQL keeps the zone (timestamptz); SQLite keeps naive text, which would come back as a
    naive time that ``astimezone()`` takes for local time. Both now come back as aware UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        """The moment to store, in UTC; ValueError for a naive datetime (no moment)."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"a naive datetime cannot be stored as a moment: {value!r}")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        """The stored moment as an aware UTC datetime (SQLite returns it naive)."""
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """The declarative base of the registry's tables: JSON for dicts, aware UTC datetimes."""

    type_annotation_map: ClassVar = {dict[str, Any]: JSON, dt.datetime: UTCDateTime()}


class Enterprise(Base):
    """One enterprise in the pool (一企一档), its current profile and its counsellor (一专员)."""

    __tablename__ = "enterprises"
    __table_args__ = (
        _one_of("pool_stage", POOL_STAGES),
        # one record per enterprise: by its name as compared (brackets, spaces … folded) and by its code
        UniqueConstraint("name_key", name="enterprise_name_key_unique"),
        UniqueConstraint("credit_code", name="enterprise_credit_code_unique"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))  # as typed, for display
    name_key: Mapped[str] = mapped_column(String(NAME_MAX))  # company.name_key(name)
    credit_code: Mapped[str | None] = mapped_column(String(CREDIT_CODE_LENGTH))  # 统一社会信用代码, when known
    profile: Mapped[dict[str, Any]]
    counsellor: Mapped[str | None] = mapped_column(String(100))
    pool_stage: Mapped[str] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    updated_by: Mapped[str] = mapped_column(String(100))

    revisions: Mapped[list[Revision]] = relationship(
        back_populates="enterprise", order_by="Revision.version", cascade="all, delete-orphan"
    )
    consultations: Mapped[list[Consultation]] = relationship(
        back_populates="enterprise",
        order_by="Consultation.held_on.desc(), Consultation.id.desc()",
        cascade="all, delete-orphan",
    )

    __mapper_args__: ClassVar = {"version_id_col": version}  # an UPDATE from a stale copy matches no row


class Revision(Base):
    """Every state an enterprise's record has had: who changed it, when, and from where."""

    __tablename__ = "enterprise_revisions"
    __table_args__ = (UniqueConstraint("enterprise_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    version: Mapped[int]
    profile: Mapped[dict[str, Any]]
    counsellor: Mapped[str | None] = mapped_column(String(100))
    pool_stage: Mapped[str] = mapped_column(String(10))
    changed_by: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[dt.datetime]
    source: Mapped[str] = mapped_column(String(200))  # 页面编辑, 名单导入 roster.csv 第 12 行 …

    enterprise: Mapped[Enterprise] = relationship(back_populates="revisions")


class Consultation(Base):
    """A counsellor's visit: the measures discussed and the sheet handed over."""

    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[dt.date] = mapped_column(Date)
    counsellor: Mapped[str] = mapped_column(String(100))
    profile_version: Mapped[int]  # the record's version the advice was based on
    as_of: Mapped[dt.date] = mapped_column(Date)  # the date validity was judged at
    sheet_file: Mapped[str | None] = mapped_column(String(300))  # the Word sheet generated, if any
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime]

    enterprise: Mapped[Enterprise] = relationship(back_populates="consultations")
    measures: Mapped[list[ConsultationMeasure]] = relationship(
        back_populates="consultation", order_by="ConsultationMeasure.id", cascade="all, delete-orphan"
    )


class ConsultationMeasure(Base):
    """One measure discussed at a consultation and where its application stands."""

    __tablename__ = "consultation_measures"
    __table_args__ = (
        UniqueConstraint("consultation_id", "clause_id"),
        _one_of("follow_up", FOLLOW_UPS + LEAD_FOLLOW_UPS),
        _one_of("match_status", SHOWN_STATES),
        _follow_up_fits(),
        CheckConstraint(
            f"follow_up NOT IN ({_listed(NEEDS_REASON)}) OR {GIVEN_REASON}",
            name="rejection_has_reason",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    clause_id: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    match_status: Mapped[str] = mapped_column(String(20))  # a SHOWN_STATES code (eligible …) at the visit
    follow_up: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime]
    updated_by: Mapped[str] = mapped_column(String(100))

    consultation: Mapped[Consultation] = relationship(back_populates="measures")

    __mapper_args__: ClassVar = {"version_id_col": version}


class Feedback(Base):
    """有用 / 不适用 on one recommendation, with the profile it was made for (a future evaluation case)."""

    __tablename__ = "feedback"
    __table_args__ = (_one_of("verdict", FEEDBACK_VERDICTS), _one_of("shown_status", SHOWN_STATES))

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id", ondelete="SET NULL"))
    profile: Mapped[dict[str, Any]]
    as_of: Mapped[dt.date] = mapped_column(Date)
    clause_id: Mapped[str] = mapped_column(String(100))
    rank: Mapped[int | None]
    shown_status: Mapped[str] = mapped_column(String(20))  # a SHOWN_STATES code (eligible …) on the page
    verdict: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(Text)
    page: Mapped[str] = mapped_column(String(50))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime]


class ClauseVersion(Base):
    """Each version of a clause the registry has seen; a row with no clause records its removal."""

    __tablename__ = "clause_versions"
    __table_args__ = (Index("clause_versions_by_clause", "clause_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clause_id: Mapped[str] = mapped_column(String(100))
    digest: Mapped[str | None] = mapped_column(String(64))
    clause: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    document: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    changed_on: Mapped[dt.date] = mapped_column(Date, index=True)  # the day the change counts from
    recorded_at: Mapped[dt.datetime]


class StaffDocument(Base):
    """A policy document policy staff added on the deployment: its text as read, metadata, state.

    The layer over the shipped ``policies/``: ``export-policies`` writes it back in that format.
    """

    __tablename__ = "staff_documents"
    __table_args__ = (_one_of("state", DOCUMENT_STATES),)

    policy_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    state: Mapped[str] = mapped_column(String(10))
    source_name: Mapped[str] = mapped_column(String(300))  # the file name as uploaded
    source_format: Mapped[str] = mapped_column(String(10))  # html | docx | pdf | text
    lines: Mapped[list[str]] = mapped_column(JSON)  # the text as read, one line per paragraph or table row
    meta: Mapped[dict[str, Any]]  # DocumentMeta fields as JSON (dates ISO); may be incomplete while a draft
    meta_proposal: Mapped[dict[str, Any]]  # what was proposed from the text, each field with its quote
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime]
    created_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[dt.datetime]
    updated_by: Mapped[str] = mapped_column(String(100))
    published_at: Mapped[dt.datetime | None]
    published_by: Mapped[str | None] = mapped_column(String(100))

    clauses: Mapped[list[StaffClause]] = relationship(
        back_populates="document", order_by="StaffClause.position", cascade="all, delete-orphan"
    )

    __mapper_args__: ClassVar = {"version_id_col": version}


class StaffClause(Base):
    """One clause of a staff document: the clause as built, what was proposed, and each decision on it."""

    __tablename__ = "staff_clauses"
    __table_args__ = (UniqueConstraint("clause_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[str] = mapped_column(ForeignKey("staff_documents.policy_id", ondelete="CASCADE"))
    clause_id: Mapped[str] = mapped_column(String(120))
    position: Mapped[int]
    clause: Mapped[dict[str, Any]]  # the built Clause (text, place, provenance) before any proposal
    proposal: Mapped[dict[str, Any]]  # ClauseProposal.as_dict(): never changed after the upload
    decisions: Mapped[dict[str, Any]]  # proposal key → {"action", "value", "by", "at"}
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime]
    updated_by: Mapped[str] = mapped_column(String(100))

    document: Mapped[StaffDocument] = relationship(back_populates="clauses")

    __mapper_args__: ClassVar = {"version_id_col": version}


class StaffReview(Base):
    """Who decided what on which proposal, and when (every decision, also those later changed)."""

    __tablename__ = "staff_reviews"
    __table_args__ = (_one_of("action", DECISIONS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[str] = mapped_column(ForeignKey("staff_documents.policy_id", ondelete="CASCADE"), index=True)
    clause_id: Mapped[str] = mapped_column(String(120))
    key: Mapped[str] = mapped_column(String(40))  # kind, benefits, audience, departments, eligibility.N
    action: Mapped[str] = mapped_column(String(10))
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    reviewed_by: Mapped[str] = mapped_column(String(100))
    reviewed_at: Mapped[dt.datetime]


class Account(Base):
    """A person who logs in: a 辅导员, 政策工作人员 or 管理员 (access.ROLES). ``name`` is what history records
    and what an enterprise's 专员 names; ``email`` links a single-sign-on identity (OIDC) to the account."""

    __tablename__ = "accounts"
    __table_args__ = (
        _one_of("role", ("counsellor", "staff", "admin")),
        UniqueConstraint("username", name="account_username_unique"),
        UniqueConstraint("name", name="account_name_unique"),
        UniqueConstraint("email", name="account_email_unique"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(200))  # Argon2id (argon2-cffi); None: SSO only
    email: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool]
    failed_logins: Mapped[int] = mapped_column(Integer)  # consecutive, reset by a successful login
    locked_until: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]
    created_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[dt.datetime]
    updated_by: Mapped[str] = mapped_column(String(100))


class Submission(Base):
    """A profile the public sent to the service centre from the self-check page: it changes no record until
    a 辅导员 accepts it (then it is added, or merged into the registered enterprise) or declines it."""

    __tablename__ = "submissions"
    __table_args__ = (_one_of("state", ("pending", "accepted", "declined")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    profile: Mapped[dict[str, Any]]
    contact: Mapped[str | None] = mapped_column(String(200))  # who to call back, as typed
    submitted_at: Mapped[dt.datetime] = mapped_column(index=True)
    state: Mapped[str] = mapped_column(String(10), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id", ondelete="SET NULL"))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[dt.datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)  # why it was declined
