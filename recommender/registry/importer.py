"""Adding a roster to the registry: one transaction, all rows or none, the bad rows listed."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..roster import BadRow, Roster
from .enterprises import RegistryError, check_stage
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
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)  # left out (only with skip_bad)

    def summary(self) -> str:
        text = f"新增 {len(self.added)} 家，更新 {len(self.updated)} 家，未变 {len(self.unchanged)} 家"
        return text + (f"；跳过有问题的 {len(self.bad)} 行" if self.bad else "")


def _more_bad_rows(roster: Roster) -> list[BadRow]:
    """Rows the registry cannot take although the profile is valid: repeated or over-long names."""
    bad, first_row = [], {}
    for row in roster.rows:
        name = row.profile.name
        if len(name) > NAME_MAX:
            bad.append(BadRow(row.row, name[:20] + "…", [f"企业名称过长（{len(name)} 字，最多 {NAME_MAX} 字）"]))
        elif name in first_row:
            bad.append(BadRow(row.row, name, [f"与第 {first_row[name]} 行是同一家企业，请合并为一行"]))
        else:
            first_row[name] = row.row
    return bad


def _existing(session: Session, names: list[str]) -> dict[str, Enterprise]:
    found = {}
    for i in range(0, len(names), CHUNK):
        query = select(Enterprise).where(Enterprise.name.in_(names[i : i + CHUNK]))
        found.update({e.name: e for e in session.scalars(query)})
    return found


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
    enterprise gets ``counsellor`` and ``stage``; a known one keeps its own.
    """
    check_stage(stage)
    bad = sorted([*roster.bad, *_more_bad_rows(roster)], key=lambda b: b.row)
    if bad and not skip_bad:
        raise ImportRefused(bad)
    skip = {b.row for b in bad}
    rows = [r for r in roster.rows if r.row not in skip]
    existing = _existing(session, [r.profile.name for r in rows])
    report, stamp = ImportReport(bad=bad), now()
    fresh: list[tuple[Enterprise, str]] = []
    for row in rows:
        data, where = row.profile.public_dict(), f"{source} 第 {row.row} 行"
        enterprise = existing.get(row.profile.name)
        if enterprise is None:
            enterprise = Enterprise(
                name=row.profile.name,
                profile=data,
                counsellor=counsellor or None,
                pool_stage=stage,
                created_at=stamp,
                updated_at=stamp,
                updated_by=by,
            )
            session.add(enterprise)
            fresh.append((enterprise, where))
            report.added.append(enterprise.name)
        elif enterprise.profile == data:
            report.unchanged.append(enterprise.name)
        else:
            enterprise.profile, enterprise.updated_at, enterprise.updated_by = data, stamp, by
            fresh.append((enterprise, where))
            report.updated.append(enterprise.name)
    session.flush()  # ids for the new, versions bumped for the changed
    session.add_all(
        Revision(
            enterprise_id=e.id,
            version=e.version,
            profile=e.profile,
            counsellor=e.counsellor,
            pool_stage=e.pool_stage,
            changed_by=by,
            changed_at=stamp,
            source=where,
        )
        for e, where in fresh
    )
    session.flush()
    return report
