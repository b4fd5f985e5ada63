"""Push lists: which registered enterprises a policy change makes eligible, or no longer eligible.

The registry keeps every version of every clause it has seen (``clause_versions``). ``sync``
records the corpus as it is now; ``push_list`` compares, for each clause added, changed or removed
since a date, its verdict for each registered enterprise before and after.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..consultation import clause_title
from ..corpus import is_valid
from ..corpus_models import Clause, DocumentMeta, PolicyFile
from ..rules import STATUS_LABELS, Facts, Verdict, evaluate
from .enterprises import listing, profile_of
from .models import ClauseVersion, Enterprise, now


@dataclass
class SyncReport:
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
    today = today or dt.date.today()
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
        if row is None or row.clause is None or row.document is None:
            return cls(None, None)
        return cls(Clause.model_validate(row.clause), DocumentMeta.model_validate(row.document))

    def verdict(self, facts: Facts, as_of: dt.date) -> Verdict | None:
        """The verdict on an enterprise, or None when this is no measure in force at ``as_of``."""
        if self.clause is None or self.document is None or self.clause.kind != "measure":
            return None
        if not is_valid(self.document, as_of):
            return None
        return evaluate(self.clause, self.document, facts)


@dataclass(frozen=True)
class ClauseChange:
    clause_id: str
    change: str  # 新增 / 修改 / 删除
    changed_on: dt.date
    before: Version
    after: Version

    @property
    def shown(self) -> Version:
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
        change = "新增" if old_digest is None else "删除" if new.digest is None else "修改"
        result.append(ClauseChange(clause_id, change, new.changed_on, Version.of(old), Version.of(new)))
    return sorted(result, key=lambda c: (c.changed_on, c.clause_id))


@dataclass(frozen=True)
class PushItem:
    enterprise: str
    counsellor: str | None
    clause_id: str
    title: str
    policy: str
    change: str  # 新增 / 修改 / 删除
    changed_on: dt.date
    direction: str  # 新符合 / 不再符合
    before: str  # status label before the change, or 无
    after: str
    reasons: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "changed_on": self.changed_on.isoformat()}


def _label(verdict: Verdict | None) -> str:
    return "无" if verdict is None else STATUS_LABELS[verdict.status]


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
    session: Session, since: dt.date, as_of: dt.date | None = None, enterprises: list[Enterprise] | None = None
) -> tuple[list[ClauseChange], list[PushItem]]:
    """The clause changes since ``since`` and, per registered enterprise, whom they newly concern."""
    as_of = as_of or dt.date.today()
    changes = changes_since(session, since)
    enterprises = listing(session) if enterprises is None else enterprises
    facts = [(e, Facts(profile_of(e), as_of)) for e in enterprises] if changes else []
    items = []
    for change in changes:
        shown = change.shown
        assert shown.clause is not None and shown.document is not None
        for enterprise, fact in facts:
            old, new = change.before.verdict(fact, as_of), change.after.verdict(fact, as_of)
            was, now_ = (v is not None and v.status == "eligible" for v in (old, new))
            if was == now_:
                continue
            items.append(
                PushItem(
                    enterprise=enterprise.name,
                    counsellor=enterprise.counsellor,
                    clause_id=change.clause_id,
                    title=clause_title(shown.clause),
                    policy=shown.document.short_title,
                    change=change.change,
                    changed_on=change.changed_on,
                    direction="新符合" if now_ else "不再符合",
                    before=_label(old),
                    after=_label(new),
                    reasons=list(new.reasons) if now_ and new else _why_not(change, new, as_of),
                )
            )
    return changes, sorted(items, key=lambda i: (i.enterprise, i.direction, i.changed_on, i.clause_id))


@dataclass(frozen=True)
class Audience:
    enterprise: Enterprise
    verdict: Verdict


def audience(session: Session, clause: Clause, document: DocumentMeta, as_of: dt.date) -> list[Audience]:
    """Registered enterprises a measure concerns (可申请 first, then 需补充条件): who should hear about it."""
    order = {"eligible": 0, "partial": 1}
    found = []
    for enterprise in listing(session):
        verdict = evaluate(clause, document, Facts(profile_of(enterprise), as_of))
        if verdict.status in order:
            found.append(Audience(enterprise, verdict))
    return sorted(found, key=lambda a: (order[a.verdict.status], len(a.verdict.gaps), a.enterprise.name))
