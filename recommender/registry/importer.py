"""Adding a roster to the registry: one transaction, all rows or none, the bad rows listed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.orm.exc import StaleDataError

from ..company import name_key
from ..profile import LABELS, FieldError, ProfileError, parse_profile
from ..roster import BadRow, GoodRow, Roster, repeated_rows
from .access import COUNSELLOR, Actor, check_assign, may_write, require
from .enterprises import (
    ConflictError,
    IdentityConflict,
    RegistryError,
    check_stage,
    identity_taken,
    match,
    name_too_long,
    same_because,
)
from .models import Enterprise, Revision, now
from .states import counsellor_name

CHUNK = 500  # names (or codes) looked up per query, rows inserted per statement
Progress = Callable[[int, int], None]  # (database rows written, rows to write)


class ImportRefused(RegistryError):
    """The roster has bad rows and a partial import was not asked for: nothing was written."""

    def __init__(self, bad: list[BadRow]) -> None:
        self.bad = bad
        super().__init__(self._said(str))

    def _said(self, line: Callable[[BadRow], str]) -> str:
        listed = "；".join(line(b) for b in self.bad[:5]) + ("……" if len(self.bad) > 5 else "")
        return f"名单中有 {len(self.bad)} 行有问题，未导入任何企业（改正后重新导入，或选择只导入其余各行）：{listed}"

    def for_people(self) -> str:
        """The message as a page shows it: fields named by their Chinese labels only."""
        return self._said(BadRow.for_people)


@dataclass
class ImportReport:
    """What a roster import did: the names added, updated and unchanged, the bad rows left out, and the
    rows taken as a registered enterprise under another name or spelling."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)  # left out (only with skip_bad)
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (registered name, new name): the same code
    notes: list[str] = field(default_factory=list)  # one Chinese line per row matched under another name

    def summary(self) -> str:
        """The report in one Chinese line: 新增 / 更新 / 未变 counts, the renamed and the rows skipped if any."""
        text = f"新增 {len(self.added)} 家，更新 {len(self.updated)} 家，未变 {len(self.unchanged)} 家"
        text += f"（其中改名 {len(self.renamed)} 家）" if self.renamed else ""
        return text + (f"；跳过有问题的 {len(self.bad)} 行" if self.bad else "")


def _more_bad_rows(roster: Roster) -> list[BadRow]:
    """Rows the registry cannot take although the profile is valid: over-long names, and an enterprise
    named again (by ``company.name_key``) or its 统一社会信用代码 given again (``roster.repeated_rows``)."""
    bad: list[BadRow] = []
    for row in roster.rows:
        if (too_long := name_too_long(row.profile.name)) is not None:
            bad.append(BadRow(row.row, row.profile.name[:20] + "…", [FieldError("", "too_long", too_long)]))
    long_rows = {b.row for b in bad}
    return bad + repeated_rows([r for r in roster.rows if r.row not in long_rows])


def _loaded(session: Session, column: InstrumentedAttribute[Any], values: list[str]) -> dict[str, Enterprise]:
    """The registered enterprises whose ``column`` (name_key or credit_code) is one of ``values``, by that value."""
    found = {}
    for i in range(0, len(values), CHUNK):
        query = select(Enterprise).where(column.in_(values[i : i + CHUNK]))
        found.update({getattr(e, column.key): e for e in session.scalars(query)})
    return found


def renaming(row: GoodRow, enterprise: Enterprise) -> str:
    """Why importing ``row`` would rename the registered ``enterprise`` it matched by 统一社会信用代码, asking to
    confirm it, in Chinese; "" when the names are the same (``company.name_key``). A code copied onto the wrong
    row, or a template's example code left in, would otherwise merge two enterprises without a word (a
    break-it trial): the registered one took the row's name, district and figures."""
    if name_key(row.profile.name) == enterprise.name_key:
        return ""
    registered = enterprise.profile.get("region")
    moved = f"，注册地 {registered} → {row.profile.region}" if registered and registered != row.profile.region else ""
    return (
        f"统一社会信用代码 {row.profile.credit_code} 属于档案库中的“{enterprise.name}”，本行名称为“{row.profile.name}”"
        f"{moved}：如确是该企业改名，请确认改名后导入（命令行加 --rename）；否则请核对代码"
    )


def _matched(
    session: Session, rows: list[GoodRow], by: Actor, renames: bool = False
) -> tuple[dict[int, Enterprise], list[BadRow]]:
    """Each row's registered enterprise by row number (``enterprises.match``: the code, then the name key),
    and the rows that cannot be matched safely: name and code disagreeing with the registry, a new name under
    a registered code unless ``renames`` confirms it (``renaming``), a second row for an enterprise already
    matched (its registered name given in one row, its new name in another), and rows for an enterprise
    ``by`` may not change (another 辅导员's)."""
    keys = list(dict.fromkeys(name_key(r.profile.name) for r in rows))
    codes = list(dict.fromkeys(r.profile.credit_code for r in rows if r.profile.credit_code))
    by_key, by_code = _loaded(session, Enterprise.name_key, keys), _loaded(session, Enterprise.credit_code, codes)
    found: dict[int, Enterprise] = {}
    first: dict[int, int] = {}  # enterprise id → the row matched to it
    bad: list[BadRow] = []
    for row in rows:
        try:
            enterprise = match(row.profile.name, row.profile.credit_code, by_key, by_code)
        except IdentityConflict as exc:
            bad.append(BadRow(row.row, row.profile.name, [FieldError("credit_code", "conflict", str(exc))]))
            continue
        if enterprise is not None and not may_write(by, enterprise.counsellor):
            text = f"档案库中的“{enterprise.name}”由专员 {enterprise.counsellor} 负责，{by.label}无权修改"
            bad.append(BadRow(row.row, row.profile.name, [FieldError("", "forbidden", text)]))
        elif enterprise is not None and not renames and (why := renaming(row, enterprise)):
            bad.append(BadRow(row.row, row.profile.name, [FieldError("name", "renamed", why)]))
        elif enterprise is not None and enterprise.id in first:
            text = f"与第 {first[enterprise.id]} 行是同一家企业（档案库中的“{enterprise.name}”），请合并为一行"
            bad.append(BadRow(row.row, row.profile.name, [FieldError("", "repeated", text)]))
        elif enterprise is not None:
            first[enterprise.id] = row.row
            found[row.row] = enterprise
    return found, bad


def _merged(enterprise: Enterprise, row: GoodRow) -> tuple[dict[str, Any], list[str]]:
    """The profile to store for a known ``enterprise`` from ``row``: the row's values over the registered
    ones, so that a column the roster lacks or a cell left blank (unknown in this file) keeps the registered
    value instead of erasing it (the 统一社会信用代码 too: it is in the registered profile). Returns the
    profile dict and the labels of the fields kept that way. ProfileError when the row's values and the
    kept ones disagree (e.g. 研发人员 above a new 职工总数)."""
    given = row.profile.public_dict()
    kept = [name for name in enterprise.profile if name not in given and name != "name"]
    data = parse_profile({**enterprise.profile, **given}).public_dict() if kept else given
    return data, [LABELS.get(name, name) for name in kept]


def _merge_all(found: dict[int, Enterprise], rows: list[GoodRow]) -> tuple[dict[int, tuple], list[BadRow]]:
    """``_merged`` for each row matched to a known enterprise, by row number; the rows whose merge is
    inconsistent as bad rows naming what to fix."""
    merged: dict[int, tuple] = {}
    bad: list[BadRow] = []
    for row in rows:
        if row.row not in found:
            continue
        try:
            merged[row.row] = _merged(found[row.row], row)
        except ProfileError as exc:
            why = [FieldError(e.field, e.code, f"{e.message}（与档案库中沿用的值合起来）") for e in exc.errors]
            bad.append(BadRow(row.row, row.profile.name, why))
    return merged, bad


def _checked(
    session: Session, roster: Roster, by: Actor, renames: bool = False
) -> tuple[list[BadRow], dict[int, Enterprise], dict[int, tuple[dict[str, Any], list[str]]]]:
    """Every row an import of ``roster`` by ``by`` cannot take, by row number: the file's bad rows,
    ``_more_bad_rows``, rows matched unsafely, renaming unconfirmed (``renames``) or to another 辅导员's
    enterprise (``_matched``) and rows whose merge with the registered profile is inconsistent
    (``_merge_all``); with the registered enterprise of each row matched and its merged profile."""
    bad = [*roster.bad, *_more_bad_rows(roster)]
    skip = {b.row for b in bad}
    found, conflicts = _matched(session, [r for r in roster.rows if r.row not in skip], by, renames)
    merges, inconsistent = _merge_all(found, roster.rows)
    return sorted([*bad, *conflicts, *inconsistent], key=lambda b: b.row), found, merges


def refused_rows(session: Session, roster: Roster, by: Actor, renames: bool = False) -> list[BadRow]:
    """The rows ``import_roster`` would refuse (or skip, with ``skip_bad``) if ``by`` imported ``roster`` now
    (``renames`` as it is given), by row number: the same checks, nothing written. A page says with it what
    its import button will do. AccessDenied unless ``by`` is a 辅导员 or a 管理员."""
    require(by, (COUNSELLOR,), "导入企业名单")
    return _checked(session, roster, by, renames)[0]


def _update_known(
    enterprise: Enterprise, row: GoodRow, merged: tuple[dict[str, Any], list[str]], report: ImportReport
) -> bool:
    """Bring ``enterprise`` to ``row``'s profile merged with the registered one (``_merged``) and say so in
    ``report``; whether anything changed.

    A name that only spells the registered one differently keeps the registered spelling; a new name
    under the same 统一社会信用代码 renames the enterprise; a row without a code keeps the registered one.
    """
    name = row.profile.name
    if why := same_because(enterprise, name, row.profile.credit_code):
        renamed = name_key(name) != enterprise.name_key
        action = f"已改名为“{name}”" if renamed else "视为同一家企业，沿用档案库中的名称"
        report.notes.append(f"第 {row.row} 行“{name}”与档案库中的“{enterprise.name}”{why}：{action}")
    data, kept = merged
    data = dict(data)
    if name_key(name) == enterprise.name_key:
        data["name"] = enterprise.name  # the registered spelling stays
    if data == enterprise.profile:
        report.unchanged.append(enterprise.name)
        return False
    if kept:
        report.notes.append(
            f"第 {row.row} 行“{name}”未填的{'、'.join(kept)}沿用档案库中的值（要清除，请在企业档案库页面修改）"
        )
    if data["name"] != enterprise.name:
        report.renamed.append((enterprise.name, name))
        enterprise.name, enterprise.name_key = name, name_key(name)
    enterprise.profile, enterprise.credit_code = data, data.get("credit_code")
    report.updated.append(enterprise.name)
    return True


def revision_row(
    enterprise_id: int,
    version: int,
    record: dict[str, Any],
    by: Actor,
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
        "changed_by": by.name,
        "changed_at": stamp,
        "source": where,
    }


def _in_chunks(
    session: Session, statement: Any, rows: list[dict[str, Any]], progress: Progress | None, done: int, total: int
) -> list:
    """``statement`` executed for ``rows``, CHUNK rows at a time: its RETURNING values in order (none without
    RETURNING); ``progress(done + rows written, total)`` after each chunk."""
    returns = bool(statement.returning_column_descriptions)
    returned: list = []
    for i in range(0, len(rows), CHUNK):
        result = session.execute(statement, rows[i : i + CHUNK])
        returned += result.scalars().all() if returns else []
        if progress is not None:
            progress(done + min(i + CHUNK, len(rows)), total)
    return returned


def import_roster(
    session: Session,
    roster: Roster,
    by: Actor,
    source: str,
    counsellor: str | None = None,
    stage: str = "储备",
    skip_bad: bool = False,
    progress: Progress | None = None,
    renames: bool = False,
) -> ImportReport:
    """Add new enterprises and update the profiles of known ones, within the caller's transaction;
    ``progress(done, total)`` as the new enterprises and the revisions are written (database rows, CHUNK at a time).

    With bad rows and no ``skip_bad`` it raises ImportRefused before writing anything; a row giving a registered
    enterprise's 统一社会信用代码 under another name is a bad row unless ``renames`` confirms the renaming. A new
    enterprise gets ``counsellor`` and ``stage``; a known one keeps its own. New enterprises and
    all revisions are written as multi-row INSERTs (a 10k roster in seconds, on SQLite and
    PostgreSQL alike); a known enterprise is updated through the ORM, checked against its version.
    AccessDenied unless ``by`` is a 辅导员 (who may give new enterprises only themselves as 专员; rows of
    another 辅导员's enterprises are bad rows) or a 管理员.
    """
    require(by, (COUNSELLOR,), "导入企业名单")
    counsellor = counsellor_name(counsellor)
    check_assign(by, "名单中的新企业", counsellor)
    check_stage(stage)
    bad, found, merges = _checked(session, roster, by, renames)
    if bad and not skip_bad:
        raise ImportRefused(bad)
    skip = {b.row for b in bad}
    report, stamp = ImportReport(bad=bad), now()
    new: list[tuple[dict[str, Any], str]] = []
    changed: list[tuple[Enterprise, str]] = []
    for row in (r for r in roster.rows if r.row not in skip):
        where = f"{source} 第 {row.row} 行"
        enterprise = found.get(row.row)
        if enterprise is None:
            record = {
                "name": row.profile.name,
                "name_key": name_key(row.profile.name),
                "credit_code": row.profile.credit_code,
                "profile": row.profile.public_dict(),
                "counsellor": counsellor,
                "pool_stage": stage,
                "version": 1,
                "created_at": stamp,
                "updated_at": stamp,
                "updated_by": by.name,
            }
            new.append((record, where))
            report.added.append(row.profile.name)
        elif _update_known(enterprise, row, merges[row.row], report):
            enterprise.updated_at, enterprise.updated_by = stamp, by.name
            changed.append((enterprise, where))
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
        total = 2 * len(new) + len(changed)  # the new enterprises, then a revision for each written
        if new:
            insert_new = insert(Enterprise).returning(Enterprise.id, sort_by_parameter_order=True)
            ids = _in_chunks(session, insert_new, [record for record, _ in new], progress, 0, total)
            revisions += [
                revision_row(i, 1, record, by, stamp, where) for i, (record, where) in zip(ids, new, strict=True)
            ]
        _in_chunks(session, insert(Revision), revisions, progress, len(new), total)
    except StaleDataError:
        raise ConflictError(
            "导入期间有企业的档案被他人修改，未导入任何企业；请重新导入（名单会在他人修改后的档案上更新）"
        ) from None
    except IntegrityError as exc:
        if identity_taken(exc):
            raise RegistryError("导入期间有名单中的企业被他人加入档案库，未导入任何企业；请重新导入") from None
        raise
    return report
