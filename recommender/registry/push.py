"""Push lists: which registered enterprises a policy change makes eligible, or no longer eligible.

The registry keeps every version of every clause it has seen (``clause_versions``). ``sync``
records the corpus as it is now; ``push_list`` compares, for each clause added, changed or removed
since a date, its verdict for each registered enterprise before and after.

Changes, directions and statuses are codes (added, gained, eligible …); the Chinese labels below
are added where people read them (``change_label``, ``direction_label``, ``status_text``).
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..clock import today as shanghai_today
from ..corpus import is_valid
from ..corpus_models import Clause, DocumentMeta, PolicyFile
from ..eligibility.conditions import asks_the_enterprise, conditions_for
from ..eligibility.facts import Facts
from ..eligibility.matrix import RuleMatrix
from ..eligibility.status import ELIGIBLE, PARTIAL, STATUSES, Status, status_label
from ..eligibility.verdict import Verdict, Verdicts, evaluate
from .access import Actor
from .enterprises import Registered, registered
from .models import BEIJING, ClauseVersion, now

ADDED, CHANGED, REMOVED = "added", "changed", "removed"  # a clause's change
CHANGE_LABELS = {ADDED: "新增", CHANGED: "修改", REMOVED: "删除"}
GAINED, LOST = "gained", "lost"  # what a change does for an enterprise: now eligible, or no longer
DIRECTION_LABELS = {GAINED: "新符合", LOST: "不再符合"}
NO_STATUS_LABEL = "无"  # the status where a version is no measure in force (status code None)
CHUNK = 5_000  # enterprises a push list judges at a time (progress is told after each chunk)
Progress = Callable[[int, int], None]  # (enterprises done, enterprises in all)


def change_label(change: str) -> str:
    """新增 / 修改 / 删除 for a change code."""
    return CHANGE_LABELS[change]


def direction_label(direction: str) -> str:
    """新符合 / 不再符合 for a direction code."""
    return DIRECTION_LABELS[direction]


def status_text(status: str | None, reviewed: bool = True, *, specific: bool) -> str:
    """A push line's status as people read it: its label (可申请 …), 待审核·自动提取 for a rule nobody
    reviewed that does not rule the enterprise out, 可关注 for an eligible one that asks nothing but where the
    enterprise is (``specific`` False: ``status.display_state``), or 无 for None (no measure in force)."""
    if status is None:
        return NO_STATUS_LABEL
    return status_label(status, reviewed=reviewed, specific=specific)


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

    def asks(self) -> bool:
        """Whether this version's rule asks more than where the enterprise is (``asks_the_enterprise``);
        True for no clause (its status is None, shown 无)."""
        if self.clause is None or self.document is None:
            return True
        return asks_the_enterprise(self.clause, self.document)

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


Since = dt.date | dt.datetime  # a day, or a moment (timezone-aware) for changes recorded later that day


def since_text(since: Since) -> str:
    """``since`` as people read it: 2026-12-01, or 2026-12-01 14:30（北京时间） for a moment."""
    if isinstance(since, dt.datetime):
        return since.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M（北京时间）")
    return since.isoformat()


def _since_then(row: ClauseVersion, since: Since) -> bool:
    """Whether the version ``row`` counts from ``since`` on: its day (``changed_on``) is ``since`` or later; for a
    moment, a version of that very day counts when it was recorded at that moment or later (a correction
    published the day of the first version, after a push list told enterprises of that one)."""
    if not isinstance(since, dt.datetime):
        return row.changed_on >= since
    day = since.astimezone(BEIJING).date()
    return row.changed_on > day or (row.changed_on == day and row.recorded_at >= since)


def changes_since(session: Session, since: Since) -> list[ClauseChange]:
    """Each clause whose newest version counts from ``since`` on (``_since_then``), against its version before
    then."""
    rows = session.scalars(select(ClauseVersion).order_by(ClauseVersion.id))
    before: dict[str, ClauseVersion] = {}
    after: dict[str, ClauseVersion] = {}
    for row in rows:
        (after if _since_then(row, since) else before)[row.clause_id] = row
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
    before_specific: bool  # the rule before the change asks more than where the enterprise is (``asks_the_enterprise``)
    after_specific: bool  # … and after it: else eligible reads 可关注, never 可申请
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
            "before": status_text(self.before, specific=self.before_specific),
            "after": status_text(self.after, self.reviewed, specific=self.after_specific),
            "reasons": list(self.reasons),
            "change_code": self.change,
            "direction_code": self.direction,
            "before_code": self.before,
            "after_code": self.after,
            "reviewed": self.reviewed,
        }


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Python's cycle collector paused while many short-lived objects are made (a profile and its facts per
    enterprise, all freed by reference counting): each of its full passes walks every object alive, and over
    a large registry it would run many times, taking up to half the time. Resumed after, unless it was off
    (it is process-wide: for those seconds, other threads' cyclic garbage waits too)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class VersionRules:
    """The rules of some versions compiled once (``RuleMatrix`` over those that are measures in force at
    ``as_of``), for the statuses of many enterprises."""

    def __init__(self, versions: list[Version], as_of: dt.date) -> None:
        self.width = len(versions)
        self.live = [k for k, v in enumerate(versions) if v.in_force(as_of)]
        documents: dict[str, DocumentMeta] = {}
        clauses: list[Clause] = []
        for k in self.live:
            clause, doc = versions[k].clause, versions[k].document
            assert clause is not None and doc is not None
            clauses.append(clause)
            documents[doc.policy_id] = doc
        self.matrix = RuleMatrix(clauses, documents) if clauses else None

    def statuses(self, population: list[Facts]) -> np.ndarray:
        """int8 ``[enterprises, versions]``: each status code (``STATUSES`` index), -1 where the version is no
        measure in force."""
        status = np.full((len(population), self.width), -1, dtype=np.int8)
        if self.matrix is not None and population:
            status[:, self.live] = self.matrix.evaluate(population)[0]
        return status


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
    session: Session,
    since: Since,
    as_of: dt.date,
    by: Actor,
    enterprises: list[Registered] | None = None,
    progress: Progress | None = None,
) -> tuple[list[ClauseChange], list[PushItem]]:
    """The clause changes since ``since`` and, per registered enterprise ``by`` may read
    (``enterprises.registered``, or ``enterprises`` when given; AccessDenied for the public), whom they
    newly concern. ProfileError when a stored profile no longer validates.

    Statuses before and after every change come from the vectorised evaluator, ``CHUNK`` enterprises at a
    time (``progress(done, total)`` after each); reasons are written (``verdict.evaluate``) only for the
    lines returned, once per distinct reading of the facts a changed rule tests (``verdict.Verdicts``).
    """
    changes = changes_since(session, since)
    enterprises = registered(session, by) if enterprises is None else enterprises
    items: list[PushItem] = []
    if changes:
        lines = _Lines(changes, as_of)
        with cycle_collection_paused():
            for start in range(0, len(enterprises), CHUNK):
                items += lines.of(enterprises[start : start + CHUNK])
                if progress is not None:
                    progress(min(start + CHUNK, len(enterprises)), len(enterprises))
    order = {LOST: 0, GAINED: 1}  # per enterprise, what it lost before what it gained
    return changes, sorted(items, key=lambda i: (i.enterprise, order[i.direction], i.changed_on, i.clause_id))


class _Lines:
    """The push lines of some clause changes, enterprise by enterprise: rules compiled and verdicts
    remembered across the chunks of one push list."""

    def __init__(self, changes: list[ClauseChange], as_of: dt.date) -> None:
        self.changes, self.as_of = changes, as_of
        self.before = VersionRules([c.before for c in changes], as_of)
        self.after = VersionRules([c.after for c in changes], as_of)
        self.verdicts: dict[int, Verdicts] = {}  # change index → the new version's verdicts (in force only)
        self.asks = [(c.before.asks(), c.after.asks()) for c in changes]  # per change, once: ``Version.asks``
        for k, change in enumerate(changes):
            clause, doc = change.after.clause, change.after.document
            if change.after.in_force(as_of):
                assert clause is not None and doc is not None
                self.verdicts[k] = Verdicts(clause, doc)

    def of(self, enterprises: list[Registered]) -> list[PushItem]:
        """The lines of ``enterprises`` (statuses of all, reasons of the lines only), unsorted."""
        population = [Facts(e.profile(), self.as_of) for e in enterprises]
        old_status, new_status = self.before.statuses(population), self.after.statuses(population)
        was, now_ = old_status == ELIGIBLE, new_status == ELIGIBLE
        items = []
        for row, k in zip(*np.nonzero(was != now_), strict=True):
            change, enterprise = self.changes[k], enterprises[row]
            shown = change.shown
            assert shown.clause is not None and shown.document is not None
            gained = bool(now_[row, k])
            verdicts = self.verdicts.get(k)
            new = verdicts(population[row]) if verdicts is not None else None
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
                    reasons=list(new.reasons) if gained and new else _why_not(change, new, self.as_of),
                    before_specific=self.asks[k][0],
                    after_specific=self.asks[k][1],
                    reviewed=change.after.clause is None or change.after.clause.curated,
                )
            )
        return items


@dataclass(frozen=True)
class Audience:
    """A registered enterprise a measure concerns, with the measure's verdict on it."""

    enterprise: Registered
    verdict: Verdict


def audience_labels(clause: Clause, document: DocumentMeta) -> dict[str, str]:
    """Status code → the 状态 people read on a line of ``clause``'s audience (``status_text``): 待审核·自动提取
    when its conditions are unreviewed proposals, 可关注 for an eligible one when it asks nothing but where the
    enterprise is. Worked out once per measure, then looked up per line; one place for both pages that list
    audiences (a break-it trial found one of them without the first rule)."""
    specific = asks_the_enterprise(clause, document)
    return {status: status_text(status, clause.curated, specific=specific) for status in STATUSES}


def audiences(
    session: Session, clauses: Sequence[Clause], document: DocumentMeta, as_of: dt.date, by: Actor
) -> list[list[Audience]]:
    """Per measure of ``document`` (in the order given), the registered enterprises ``by`` may read that it
    concerns (可申请 first, then 需补充条件, fewest gaps first, then by name): who should hear about it.
    AccessDenied for the public; ProfileError when a stored profile no longer validates.

    The profiles are read once for all the measures, ``CHUNK`` at a time; statuses come from the vectorised
    evaluator, and verdicts (reasons and gaps) are written only for the enterprises a measure concerns,
    once per distinct reading of the facts its rule tests (``verdict.Verdicts``). When every measure requires
    a district (``area_regions``), the enterprises registered in another district are not read.
    """
    enterprises = registered(session, by, regions=area_regions(clauses, document))
    found: list[list[Audience]] = [[] for _ in clauses]
    if not enterprises or not clauses:
        return found
    matrix = RuleMatrix(list(clauses), {document.policy_id: document})
    verdicts = [Verdicts(clause, document) for clause in clauses]
    with cycle_collection_paused():
        for start in range(0, len(enterprises), CHUNK):
            chunk = enterprises[start : start + CHUNK]
            population = [Facts(e.profile(), as_of) for e in chunk]
            codes = matrix.evaluate(population)[0]
            for j, verdict in enumerate(verdicts):
                rows = np.flatnonzero(codes[:, j] <= PARTIAL).tolist()
                found[j] += [Audience(chunk[row], verdict(population[row])) for row in rows]
    return [sorted(f, key=_audience_order) for f in found]


def area_regions(clauses: Sequence[Clause], document: DocumentMeta) -> set[str] | None:
    """The districts (注册地) outside which none of ``clauses`` concerns an enterprise: the union of their rules'
    hard region conditions (``region`` in a list, failing it not_met: the document's own area or the clause's,
    ``conditions.conditions_for``), or None when a clause has none (an enterprise anywhere may be concerned).
    An enterprise registered elsewhere fails that condition, and a hard condition not met rules a measure out
    (``status.combine``); one whose 注册地 is not given stays (the condition is unknown)."""
    regions: set[str] = set()
    for clause in clauses:
        required = [
            c.value
            for c in conditions_for(clause, document)
            if c.field == "region" and c.op == "in" and c.is_hard and c.otherwise != "unknown"
        ]
        if not required:
            return None
        regions.update(*(value if isinstance(value, list) else [value] for value in required))
    return regions


_AUDIENCE_ORDER = {Status.ELIGIBLE: 0, Status.PARTIAL: 1}


def _audience_order(found: Audience) -> tuple[int, int, str]:
    """可申请 first, then 需补充条件; fewest gaps first; then by name."""
    return (_AUDIENCE_ORDER[found.verdict.status], len(found.verdict.gaps), found.enterprise.name)


def audience(session: Session, clause: Clause, document: DocumentMeta, as_of: dt.date, by: Actor) -> list[Audience]:
    """``audiences`` of one measure: the registered enterprises ``by`` may read that it concerns."""
    return audiences(session, [clause], document, as_of, by)[0]
