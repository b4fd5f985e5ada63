"""Adding a roster to the registry: one transaction, all rows or none, the bad rows listed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..profile import FieldError
from ..roster import BadRow, Roster
from .enterprises import ConflictError, RegistryError, _name_taken, check_stage
from .models import NAME_MAX, Enterprise, Revision, now

CHUNK = 500  # names looked up per query


class ImportRefused(RegistryError):
    """The roster has bad rows and a partial import was not asked for: nothing was written."""

    def __init__(self, bad: list[BadRow]) -> None:
        self.bad = bad
        listed = "；".join(str(b) for b in bad[:5]) + ("……" if len(bad) > 5 else "")
        super().__init__(
            f"名单中有 {len(bad)} 行有问题，未导入任何企业（改正后重新导入，或选择只导入其余各行）：{listed}"
        )


@dataclass
class ImportReport:
    """What a roster import did: the names added, updated and unchanged, and the bad rows left out."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)  # left out (only with skip_bad)

    def summary(self) -> str:
        """The report in one Chinese line: 新增 / 更新 / 未变 counts, and the rows skipped if any."""
        text = f"新增 {len(self.added)} 家，更新 {len(self.updated)} 家，未变 {len(self.unchanged)} 家"
        return text + (f"；跳过有问题的 {len(self.bad)} 行" if self.bad else "")


def _more_bad_rows(roster: Roster) -> list[BadRow]:
    """Rows the registry cannot take although the profile is valid: repeated or over-long names."""
    bad, first_row = [], {}
    for row in roster.rows:
        name = row.profile.name
        if len(name) > NAME_MAX:
            too_long = FieldError("", "too_long", f"企业名称过长（{len(name)} 字，最多 {NAME_MAX} 字）")
            bad.append(BadRow(row.row, name[:20] + "…", [too_long]))
        elif name in first_row:
            repeated = FieldError("", "repeated", f"与第 {first_row[name]} 行是同一家企业，请合并为一行")
            bad.append(BadRow(row.row, name, [repeated]))
        else:
            first_row[name] = row.row
    return bad


def _existing(session: Session, names: list[str]) -> dict[str, Enterprise]:
    found = {}
    for i in range(0, len(names), CHUNK):
        query = select(Enterprise).where(Enterprise.name.in_(names[i : i + CHUNK]))
        found.update({e.name: e for e in session.scalars(query)})
    return found


def revision_row(
    enterprise_id: int,
    version: int,
    record: dict[str, Any],
    by: str,
    stamp: dt.datetime,
    where: str,
) -> dict[str, Any]:
    """One enterprise_revisions row: the record (profile, counsellor, pool_stage) as it now stands."""
    return {
        "enterprise_id": enterprise_id,
        "version": version,
        "profile": record["profile"],
        "counsellor": record["counsellor"],
        "pool_stage": record["pool_stage"],
        "changed_by": by,
        "changed_at": stamp,
        "source": where,
    }


def import_roster(
    session: Session,
    roster: Roster,
    by: str,
    source: str,
    counsellor: str | None = None,
    stage: str = "储备",
    skip_bad: bool = False,
) -> ImportReport:
    """Add new enterprises and update the profiles of known ones, within the caller's transaction.

    With bad rows and no ``skip_bad`` it raises ImportRefused before writing anything. A new
    enterprise gets ``counsellor`` and ``stage``; a known one keeps its own. New enterprises and
    all revisions are written as multi-row INSERTs (a 10k roster in seconds, on SQLite and
    PostgreSQL alike); a known enterprise is updated through the ORM, checked against its version.
    """
    check_stage(stage)
    bad = sorted([*roster.bad, *_more_bad_rows(roster)], key=lambda b: b.row)
    if bad and not skip_bad:
        raise ImportRefused(bad)
    skip = {b.row for b in bad}
    rows = [r for r in roster.rows if r.row not in skip]
    existing = _existing(session, [r.profile.name for r in rows])
    report, stamp = ImportReport(bad=bad), now()
    counsellor = (counsellor or "").strip() or None
    new: list[tuple[dict[str, Any], str]] = []
    changed: list[tuple[Enterprise, str]] = []
    for row in rows:
        data, where = row.profile.public_dict(), f"{source} 第 {row.row} 行"
        enterprise = existing.get(row.profile.name)
        if enterprise is None:
            record = {
                "name": row.profile.name,
                "profile": data,
                "counsellor": counsellor,
                "pool_stage": stage,
                "version": 1,
                "created_at": stamp,
                "updated_at": stamp,
                "updated_by": by,
            }
            new.append((record, where))
            report.added.append(row.profile.name)
        elif enterprise.profile == data:
            report.unchanged.append(enterprise.name)
        else:
            enterprise.profile, enterprise.updated_at, enterprise.updated_by = data, stamp, by
            changed.append((enterprise, where))
            report.updated.append(enterprise.name)
    try:
        session.flush()  # the known enterprises: UPDATE … WHERE version = the version read above
        revisions = [
            revision_row(
                e.id,
                e.version,
                {"profile": e.profile, "counsellor": e.counsellor, "pool_stage": e.pool_stage},
                by,
                stamp,
                where,
            )
            for e, where in changed
        ]
        if new:
            insert_new = insert(Enterprise).returning(Enterprise.id, sort_by_parameter_order=True)
            ids = session.scalars(insert_new, [record for record, _ in new]).all()
            revisions += [
                revision_row(i, 1, record, by, stamp, where) for i, (record, where) in zip(ids, new, strict=True)
            ]
        if revisions:
            session.execute(insert(Revision), revisions)
    except StaleDataError:
        raise ConflictError(
            "导入期间有企业的档案被他人修改，未导入任何企业；请重新导入（名单会在他人修改后的档案上更新）"
        ) from None
    except IntegrityError as exc:
        if _name_taken(exc):
            raise RegistryError("导入期间有名单中的企业被他人加入档案库，未导入任何企业；请重新导入") from None
        raise
    return report
