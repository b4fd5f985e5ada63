"""Push lists: which registered enterprises a policy change makes eligible, or no longer eligible.

The registry keeps every version of every clause it has seen (``clause_versions``). ``sync``
records the corpus as it is now; ``push_list`` compares, for each clause added, changed or removed
since a date, its verdict for each registered enterprise before and after.

Changes, directions and statuses are codes (added, gained, eligible …); the Chinese labels below
are added where people read them (``change_label``, ``direction_label``, ``status_text``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..clock import today as shanghai_today
from ..corpus import is_valid
from ..corpus_models import Clause, DocumentMeta, PolicyFile
from ..eligibility.facts import Facts
from ..eligibility.matrix import RuleMatrix
from ..eligibility.status import ELIGIBLE, PARTIAL, STATUSES, Status, status_label
from ..eligibility.verdict import Verdict, evaluate
from .access import Actor
from .enterprises import listing, profile_of
from .models import ClauseVersion, Enterprise, now

ADDED, CHANGED, REMOVED = "added", "changed", "removed"  # a clause's change
CHANGE_LABELS = {ADDED: "新增", CHANGED: "修改", REMOVED: "删除"}
GAINED, LOST = "gained", "lost"  # what a change does for an enterprise: now eligible, or no longer
DIRECTION_LABELS = {GAINED: "新符合", LOST: "不再符合"}
NO_STATUS_LABEL = "无"  # the status where a version is no measure in force (status code None)


def change_label(change: str) -> str:
    """新增 / 修改 / 删除 for a change code."""
    return CHANGE_LABELS[change]


def direction_label(direction: str) -> str:
    """新符合 / 不再符合 for a direction code."""
    return DIRECTION_LABELS[direction]


def status_text(status: str | None, reviewed: bool = True) -> str:
    """A push line's status as people read it: its label (可申请 …), 待审核·自动提取 for a rule nobody
    reviewed that does not rule the enterprise out, or 无 for None (no measure in force)."""
    if status is None:
        return NO_STATUS_LABEL
    return status_label(status, reviewed=reviewed)


@dataclass
class SyncReport:
    """The clause ids a sync recorded as added, changed or removed."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def _digest(clause: dict[str, Any], document: dict[str, Any]) -> str:
    text = json.dumps([clause, document], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _latest(session: Session) -> dict[str, ClauseVersion]:
    return {v.clause_id: v for v in session.scalars(select(ClauseVersion).order_by(ClauseVersion.id))}


def sync(session: Session, policies: list[PolicyFile], today: dt.date | None = None) -> SyncReport:
    """Record the clauses that are new, changed or gone since the last sync.

    The first sync of an empty registry dates each clause from its document (issued, else in force
    from), so that "since DATE" also works for documents published before the registry existed.
    """
    today = today or shanghai_today()
    latest = _latest(session)
    first = not latest
    report, stamp, current = SyncReport(), now(), set()
    for policy in policies:
        doc = policy.document
        document = doc.model_dump(mode="json")
        for clause in policy.clauses:
            current.add(clause.id)
            data = clause.model_dump(mode="json")
            digest = _digest(data, document)
            known = latest.get(clause.id)
            if known is not None and known.digest == digest:
                continue
            (report.added if known is None or known.digest is None else report.changed).append(clause.id)
            changed_on = (doc.issued or doc.valid_from) if first else today
            session.add(
                ClauseVersion(
                    clause_id=clause.id,
                    digest=digest,
                    clause=data,
                    document=document,
                    changed_on=changed_on,
                    recorded_at=stamp,
                )
            )
    for clause_id, known in latest.items():
        if clause_id not in current and known.digest is not None:
            report.removed.append(clause_id)
            session.add(
                ClauseVersion(
                    clause_id=clause_id, digest=None, clause=None, document=None, changed_on=today, recorded_at=stamp
                )
            )
    session.flush()
    return report


@dataclass(frozen=True)
class Version:
    """A clause as the registry saw it: None parts for a removed clause."""

    clause: Clause | None
    document: DocumentMeta | None

    @classmethod
    def of(cls, row: ClauseVersion | None) -> Version:
        """The version a ``clause_versions`` row records (None: the clause did not exist)."""
        if row is None or row.clause is None or row.document is None:
            return cls(None, None)
        return cls(Clause.model_validate(row.clause), DocumentMeta.model_validate(row.document))

    def in_force(self, as_of: dt.date) -> bool:
        """A measure for enterprises whose document is valid at ``as_of``: only such a version has verdicts."""
        return (
            self.clause is not None
            and self.document is not None
            and self.clause.kind == "measure"
            and is_valid(self.document, as_of)
        )

    def verdict(self, facts: Facts, as_of: dt.date) -> Verdict | None:
        """The verdict on an enterprise, or None when this is no measure in force at ``as_of``."""
        if not self.in_force(as_of):
            return None
        assert self.clause is not None and self.document is not None
        return evaluate(self.clause, self.document, facts)


@dataclass(frozen=True)
class ClauseChange:
    """One clause's change since a date: its version before and after."""

    clause_id: str
    change: str  # added / changed / removed (change_label)
    changed_on: dt.date
    before: Version
    after: Version

    @property
    def shown(self) -> Version:
        """The version to name the clause by: the new one, or the old one for a removed clause."""
        return self.after if self.after.clause is not None else self.before


def changes_since(session: Session, since: dt.date) -> list[ClauseChange]:
    """Each clause whose newest version dates from ``since`` or later, against its version before then."""
    rows = session.scalars(select(ClauseVersion).order_by(ClauseVersion.id))
    before: dict[str, ClauseVersion] = {}
    after: dict[str, ClauseVersion] = {}
    for row in rows:
        (after if row.changed_on >= since else before)[row.clause_id] = row
    result = []
    for clause_id, new in after.items():
        old = before.get(clause_id)
        old_digest = old.digest if old is not None else None
        if new.digest == old_digest:
            continue  # changed and changed back
        change = ADDED if old_digest is None else REMOVED if new.digest is None else CHANGED
        result.append(ClauseChange(clause_id, change, new.changed_on, Version.of(old), Version.of(new)))
    return sorted(result, key=lambda c: (c.changed_on, c.clause_id))


@dataclass(frozen=True)
class PushItem:
    """One line of a push list: an enterprise a clause change newly concerns (or no longer does)."""

    enterprise: str
    counsellor: str | None
    clause_id: str
    title: str
    policy: str
    change: str  # added / changed / removed (change_label)
    changed_on: dt.date
    direction: str  # gained / lost (direction_label)
    before: str | None  # status code before the change (eligible …); None: no measure in force
    after: str | None
    reasons: list[str]
    reviewed: bool = True  # False: the rule after the change rests on proposals nobody reviewed yet

    def as_dict(self) -> dict[str, Any]:
        """The line as JSON (``push --format json``, a contract: keys are added, never renamed or dropped).

        ``change``, ``direction``, ``before`` and ``after`` keep the Chinese labels they always had
        (``after`` reads 待审核·自动提取 for a rule nobody reviewed yet, never plain 可申请);
        ``change_code``, ``direction_code``, ``before_code`` and ``after_code`` give the codes, and
        ``reviewed`` whether the rule after the change was reviewed by a person.
        """
        return {
            "enterprise": self.enterprise,
            "counsellor": self.counsellor,
            "clause_id": self.clause_id,
            "title": self.title,
            "policy": self.policy,
            "change": change_label(self.change),
            "changed_on": self.changed_on.isoformat(),
            "direction": direction_label(self.direction),
            "before": status_text(self.before),
            "after": status_text(self.after, self.reviewed),
            "reasons": list(self.reasons),
            "change_code": self.change,
            "direction_code": self.direction,
            "before_code": self.before,
            "after_code": self.after,
            "reviewed": self.reviewed,
        }


def _eligible(versions: list[Version], population: list[Facts], as_of: dt.date) -> tuple[np.ndarray, np.ndarray]:
    """Per enterprise × version: the status code (-1 where the version is no measure in force) and 可申请."""
    status = np.full((len(population), len(versions)), -1, dtype=np.int8)
    live = [k for k, v in enumerate(versions) if v.in_force(as_of)]
    if live and population:
        clauses = [versions[k].clause for k in live]
        documents = {}
        for k in live:
            doc = versions[k].document
            assert doc is not None
            documents[doc.policy_id] = doc
        codes, _ = RuleMatrix(clauses, documents).evaluate(population)  # type: ignore[arg-type]
        status[:, live] = codes
    return status, status == ELIGIBLE


def _status(code: int) -> str | None:
    """The status code of an evaluator code (``STATUSES`` index); None for -1, no measure in force."""
    return None if code < 0 else STATUSES[code].value


def _why_not(change: ClauseChange, verdict: Verdict | None, as_of: dt.date) -> list[str]:
    if change.after.clause is None:
        return ["该条款已从政策库中删除"]
    doc = change.after.document
    if doc is not None and not is_valid(doc, as_of):
        return [f"《{doc.short_title}》在 {as_of.isoformat()} 不在有效期内"]
    if verdict is None:
        return ["该条款已不再是面向企业的扶持措施"]
    return [g.message for g in verdict.gaps] or ["需进一步核实条件"]


def push_list(
    session: Session, since: dt.date, as_of: dt.date, by: Actor, enterprises: list[Enterprise] | None = None
) -> tuple[list[ClauseChange], list[PushItem]]:
    """The clause changes since ``since`` and, per registered enterprise ``by`` may read
    (``enterprises.listing``; AccessDenied for the public), whom they newly concern.

    Statuses before and after every change come from the vectorised evaluator for all enterprises
    at once; reasons are written (``evaluate``) only for the lines returned.
    """
    changes = changes_since(session, since)
    enterprises = listing(session, by) if enterprises is None else enterprises
    population = [Facts(profile_of(e), as_of) for e in enterprises] if changes else []
    old_status, was = _eligible([c.before for c in changes], population, as_of)
    new_status, now_ = _eligible([c.after for c in changes], population, as_of)
    items = []
    for row, k in zip(*np.nonzero(was != now_), strict=True):
        change, enterprise, facts = changes[k], enterprises[row], population[row]
        shown = change.shown
        assert shown.clause is not None and shown.document is not None
        gained = bool(now_[row, k])
        new = change.after.verdict(facts, as_of)
        items.append(
            PushItem(
                enterprise=enterprise.name,
                counsellor=enterprise.counsellor,
                clause_id=change.clause_id,
                title=shown.clause.heading,
                policy=shown.document.short_title,
                change=change.change,
                changed_on=change.changed_on,
                direction=GAINED if gained else LOST,
                before=_status(int(old_status[row, k])),
                after=_status(int(new_status[row, k])),
                reasons=list(new.reasons) if gained and new else _why_not(change, new, as_of),
                reviewed=change.after.clause is None or change.after.clause.curated,
            )
        )
    order = {LOST: 0, GAINED: 1}  # per enterprise, what it lost before what it gained
    return changes, sorted(items, key=lambda i: (i.enterprise, order[i.direction], i.changed_on, i.clause_id))


@dataclass(frozen=True)
class Audience:
    """A registered enterprise a measure concerns, with the measure's verdict on it."""

    enterprise: Enterprise
    verdict: Verdict


def audience(session: Session, clause: Clause, document: DocumentMeta, as_of: dt.date, by: Actor) -> list[Audience]:
    """Registered enterprises ``by`` may read that a measure concerns (可申请 first, then 需补充条件): who
    should hear about it. AccessDenied for the public.

    Statuses for all enterprises come from the vectorised evaluator; verdicts (reasons and gaps)
    are written only for those it concerns.
    """
    enterprises = listing(session, by)
    population = [Facts(profile_of(e), as_of) for e in enterprises]
    codes = RuleMatrix([clause], {document.policy_id: document}).evaluate(population)[0][:, 0]
    order = {Status.ELIGIBLE: 0, Status.PARTIAL: 1}
    found = [
        Audience(enterprises[row], evaluate(clause, document, population[row]))
        for row in np.flatnonzero(codes <= PARTIAL).tolist()
    ]
    return sorted(found, key=lambda a: (order[a.verdict.status], len(a.verdict.gaps), a.enterprise.name))
