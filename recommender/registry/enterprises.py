"""Enterprise records: add, edit with optimistic versioning, history, listing.

Every function works inside the caller's transaction (``db.transaction()``) and checks that the acting
account (``by``, an ``access.Actor``) may read or change what it touches (AccessDenied otherwise).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, Text, cast, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..company import name_key
from ..profile import LABELS, Profile, ProfileError, parse_profile, stored_profile
from ..vocab import REGIONS
from .access import COUNSELLOR, STAFF, Actor, check_assign, check_read, check_write, require
from .errors import ConflictError, RegistryError
from .models import NAME_MAX, Enterprise, Revision, now, shown_time
from .states import POOL_STAGES, UNASSIGNED, counsellor_name


class IdentityConflict(RegistryError):
    """A profile whose name and 统一社会信用代码 point at two different registered enterprises, or whose
    name is registered with another code: nothing is merged, a person decides."""


class ProfileRefused(ProfileError, RegistryError):
    """A profile that does not validate: a ProfileError (its ``errors`` name the fields) that is also
    one of the registry's refusals, so that a caller catching RegistryError shows it instead of failing."""


def _when(enterprise: Enterprise) -> str:
    return shown_time(enterprise.updated_at)


def conflict_message(enterprise: Enterprise, expected: int) -> str:
    """The refusal of a save made over a newer one: who saved when, and which version each side has."""
    return (
        f"保存失败：“{enterprise.name}”的档案已被 {enterprise.updated_by} 于 {_when(enterprise)} 修改"
        f"（您打开的是第 {expected} 版，现在是第 {enterprise.version} 版）。"
        "您的修改没有保存，仍保留在表单中；请查看最新内容后再提交。"
    )


def check_stage(stage: str) -> str:
    """``stage`` when it is one of 储备 / 培育 / 提升; RegistryError otherwise."""
    if stage not in POOL_STAGES:
        raise RegistryError(f"培育库阶段应为 {' / '.join(POOL_STAGES)} 之一（收到“{stage}”）")
    return stage


def check_profile(profile: Profile | dict[str, Any]) -> Profile:
    """The profile validated; ProfileRefused when it does not validate, RegistryError when the name is too long."""
    try:
        profile = parse_profile(profile)
    except ProfileError as exc:
        raise ProfileRefused(exc.errors) from None
    if (too_long := name_too_long(profile.name)) is not None:
        raise RegistryError(too_long)
    return profile


def name_too_long(name: str) -> str | None:
    """Why the registry cannot hold ``name`` (over NAME_MAX characters as typed or as compared: NFKC may
    lengthen a name, ㈱ → (株)), in Chinese; None when it can."""
    length = max(len(name), len(name_key(name)))
    return f"企业名称过长（{length} 字，最多 {NAME_MAX} 字）" if length > NAME_MAX else None


def _revision(enterprise: Enterprise, by: Actor, source: str) -> Revision:
    return Revision(
        version=enterprise.version,
        profile=enterprise.profile,
        counsellor=enterprise.counsellor,
        pool_stage=enterprise.pool_stage,
        changed_by=by.name,
        changed_at=enterprise.updated_at,
        source=source,
    )


# the unique constraints of ``enterprises`` (models.Enterprise) and the profile field each guards
_UNIQUE = {"enterprise_name_key_unique": "name", "enterprise_credit_code_unique": "credit_code"}
_UNIQUE_COLUMNS = {"enterprises.name_key": "name", "enterprises.credit_code": "credit_code"}  # SQLite names columns


def identity_taken(exc: IntegrityError) -> str | None:
    """Which identity the database refused a row for, "name" (its name key) or "credit_code"; None for another cause."""
    constraint = getattr(getattr(exc.orig, "diag", None), "constraint_name", None)
    if constraint in _UNIQUE:
        return _UNIQUE[constraint]
    return next((field for column, field in _UNIQUE_COLUMNS.items() if column in str(exc.orig)), None)


def _flush(session: Session, taken: Mapping[str, str]) -> None:
    """Flush; a name or code another transaction took since we looked (PostgreSQL) becomes ``taken[field]``."""
    try:
        session.flush()
    except IntegrityError as exc:
        field = identity_taken(exc)
        if field is not None:
            raise RegistryError(taken[field]) from None
        raise


def match(
    name: str, credit_code: str | None, by_key: Mapping[str, Enterprise], by_code: Mapping[str, Enterprise]
) -> Enterprise | None:
    """The registered enterprise a profile (``name``, ``credit_code`` or None) is, among those loaded by name
    key (``company.name_key``) and by code: the one holding the code, also under another name (renamed);
    else the one whose name has the same key. None for a new enterprise.

    IdentityConflict when the code belongs to one enterprise and the name to another, or when the name is
    registered with another code (two enterprises cannot share a name, and a code is never merged silently).
    """
    named = by_key.get(name_key(name))
    coded = by_code.get(credit_code) if credit_code else None
    if coded is not None and named is not None and coded is not named:
        raise IdentityConflict(
            f"统一社会信用代码 {credit_code} 属于档案库中的“{coded.name}”，名称“{name}”却是另一家“{named.name}”："
            "请核对代码和名称"
        )
    if coded is None and named is not None and credit_code and named.credit_code:
        raise IdentityConflict(
            f"档案库中的“{named.name}”统一社会信用代码为 {named.credit_code}，与此处的 {credit_code} 不同："
            "请核对是否同一家企业（名称相同的两家企业不能同时入库）"
        )
    return coded or named


def find(session: Session, name: str, credit_code: str | None = None) -> Enterprise | None:
    """The registered enterprise named ``name`` (compared by ``company.name_key``: brackets, spaces and
    zero-width characters do not count) or holding ``credit_code`` (as a Profile holds it), by ``match``.

    None when there is none; IdentityConflict when the name and the code point at different enterprises.
    """
    named = session.scalar(select(Enterprise).where(Enterprise.name_key == name_key(name)))
    coded = session.scalar(select(Enterprise).where(Enterprise.credit_code == credit_code)) if credit_code else None
    return match(name, credit_code, {named.name_key: named} if named else {}, {credit_code: coded} if coded else {})


def same_because(enterprise: Enterprise, name: str, credit_code: str | None) -> str:
    """Why a profile named ``name`` is the registered ``enterprise`` although the names differ, in Chinese;
    "" when the names are the same."""
    if name == enterprise.name:
        return ""
    if credit_code and credit_code == enterprise.credit_code and name_key(name) != enterprise.name_key:
        return f"统一社会信用代码 {credit_code} 相同"
    return "名称只差括号、空格或不可见字符的写法"


def with_known_code(data: dict[str, Any], enterprise: Enterprise) -> dict[str, Any]:
    """A profile dict to store on ``enterprise``: its registered 统一社会信用代码 kept when the dict gives none
    (a missing field is unknown, and a code never changes for an enterprise)."""
    if enterprise.credit_code and not data.get("credit_code"):
        return {**data, "credit_code": enterprise.credit_code}
    return data


def _row(session: Session, enterprise_id: int) -> Enterprise:
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise RegistryError(f"档案库中没有编号为 {enterprise_id} 的企业（可能已被删除）")
    return enterprise


def get(session: Session, enterprise_id: int, by: Actor) -> Enterprise:
    """The enterprise with ``enterprise_id``; RegistryError when there is none, AccessDenied when ``by``
    may not read it (a 辅导员 reads only their own and the unassigned ones)."""
    enterprise = _row(session, enterprise_id)
    check_read(by, enterprise.name, enterprise.counsellor)
    return enterprise


def writable(session: Session, enterprise_id: int, by: Actor) -> Enterprise:
    """The enterprise with ``enterprise_id`` when ``by`` may change it; RegistryError or AccessDenied."""
    enterprise = _row(session, enterprise_id)
    check_write(by, enterprise.name, enterprise.counsellor)
    return enterprise


def add(
    session: Session,
    profile: Profile | dict[str, Any],
    by: Actor,
    counsellor: str | None = None,
    stage: str = "储备",
    source: str = "页面录入",
) -> Enterprise:
    """Add an enterprise with its first revision (version 1) and return it.

    ProfileRefused or RegistryError when the profile, the stage, the name or the 统一社会信用代码 is refused:
    an enterprise already registered under this name (``company.name_key``) or code, IdentityConflict when
    the two point at different enterprises. AccessDenied unless ``by`` is a 辅导员 (who may assign it only
    to themselves or leave it unassigned) or a 管理员.
    """
    require(by, (COUNSELLOR,), "把企业加入档案库")
    counsellor = counsellor_name(counsellor)
    profile = check_profile(profile)
    check_assign(by, profile.name, counsellor)
    existing = find(session, profile.name, profile.credit_code)
    if existing is not None:
        why = same_because(existing, profile.name, profile.credit_code)
        raise RegistryError(f"档案库中已有“{existing.name}”{f'（{why}）' if why else ''}，请打开它的档案修改")
    stamp = now()
    enterprise = Enterprise(
        name=profile.name,
        name_key=name_key(profile.name),
        credit_code=profile.credit_code,
        profile=profile.public_dict(),
        counsellor=counsellor,
        pool_stage=check_stage(stage),
        created_at=stamp,
        updated_at=stamp,
        updated_by=by.name,
    )
    session.add(enterprise)
    taken = {  # by another transaction since find() looked
        "name": f"档案库中已有“{profile.name}”，请打开它的档案修改",
        "credit_code": f"档案库中已有统一社会信用代码为 {profile.credit_code} 的企业，请打开它的档案修改",
    }
    _flush(session, taken)  # assigns id and version 1
    enterprise.revisions.append(_revision(enterprise, by, source))
    return enterprise


_UNSET: Any = object()


def update(
    session: Session,
    enterprise_id: int,
    expected_version: int,
    by: Actor,
    profile: Profile | dict[str, Any] | None = None,
    counsellor: str | None = _UNSET,
    stage: str | None = None,
    source: str = "页面编辑",
    keep_missing: bool = False,
) -> Enterprise:
    """Save a change made to version ``expected_version``; ConflictError if the record moved on since.

    A save that changes nothing writes nothing and keeps the version. The name is saved as typed; its
    key (``company.name_key``) and the 统一社会信用代码 must not be another enterprise's (RegistryError).
    A profile without a code keeps the registered one (``with_known_code``); with ``keep_missing`` every
    field the profile leaves out keeps its registered value (a form or submission that did not carry a
    field never erases it). AccessDenied unless ``by`` may change this enterprise and, when ``counsellor``
    is given, assign it so (``access.check_assign``).
    """
    enterprise = writable(session, enterprise_id, by)
    if enterprise.version != expected_version:
        raise ConflictError(conflict_message(enterprise, expected_version))
    changes: dict[str, Any] = {}
    if profile is not None:
        checked = check_profile(profile)
        data = with_known_code(checked.public_dict(), enterprise)
        data = {**enterprise.profile, **data} if keep_missing else data
        key, code = name_key(checked.name), data.get("credit_code")
        _refuse_others(session, enterprise, key, code)
        changes.update(name=checked.name, name_key=key, credit_code=code, profile=data)
    if counsellor is not _UNSET:
        changes["counsellor"] = counsellor_name(counsellor)
        if changes["counsellor"] != enterprise.counsellor:
            check_assign(by, enterprise.name, changes["counsellor"])
    if stage is not None:
        changes["pool_stage"] = check_stage(stage)
    changes = {k: v for k, v in changes.items() if getattr(enterprise, k) != v}
    if not changes:
        return enterprise
    for k, v in changes.items():
        setattr(enterprise, k, v)
    enterprise.updated_at, enterprise.updated_by = now(), by.name
    try:
        # UPDATE … WHERE version = expected: matches nothing if another save came first
        _flush(session, _others_taken(enterprise.name, enterprise.credit_code))
    except StaleDataError:
        with Session(session.get_bind()) as fresh:  # this transaction is spent: read the winner's save anew
            raise ConflictError(conflict_message(_row(fresh, enterprise_id), expected_version)) from None
    enterprise.revisions.append(_revision(enterprise, by, source))
    session.flush()
    return enterprise


def _others_taken(name: str, credit_code: str | None) -> dict[str, str]:
    """The refusals of a save whose name or code is another enterprise's."""
    return {
        "name": f"档案库中已有另一家“{name}”，企业名称不能重复",
        "credit_code": f"统一社会信用代码 {credit_code} 已属于档案库中的另一家企业，请核对",
    }


def _refuse_others(session: Session, enterprise: Enterprise, key: str, credit_code: str | None) -> None:
    """RegistryError when another enterprise than ``enterprise`` has the name key ``key`` or ``credit_code``."""
    others = select(Enterprise).where(Enterprise.id != enterprise.id)
    named = session.scalar(others.where(Enterprise.name_key == key))
    if named is not None:
        raise RegistryError(_others_taken(named.name, credit_code)["name"])
    coded = session.scalar(others.where(Enterprise.credit_code == credit_code)) if credit_code else None
    if coded is not None:
        raise RegistryError(f"统一社会信用代码 {credit_code} 已属于档案库中的另一家“{coded.name}”，请核对")


@dataclass(frozen=True)
class Change:
    """One field changed between two revisions: the field, its Chinese label, the value before and after."""

    field: str
    label: str
    before: Any
    after: Any


_RECORD_FIELDS = {"counsellor": "专员", "pool_stage": "培育库阶段"}


def changes(before: Revision | None, after: Revision) -> list[Change]:
    """What one revision changed, field by field (the first revision lists what it was created with)."""
    old = {} if before is None else {**before.profile, "counsellor": before.counsellor, "pool_stage": before.pool_stage}
    new = {**after.profile, "counsellor": after.counsellor, "pool_stage": after.pool_stage}
    labels = {**LABELS, **_RECORD_FIELDS}
    return [
        Change(name, labels.get(name, name), old.get(name), new.get(name))
        for name in dict.fromkeys([*old, *new])
        if old.get(name) != new.get(name)
    ]


def history(session: Session, enterprise_id: int, by: Actor) -> list[tuple[Revision, list[Change]]]:
    """Every revision, newest first, with what it changed; AccessDenied when ``by`` may not read it."""
    revisions = get(session, enterprise_id, by).revisions
    pairs = [(r, changes(revisions[i - 1] if i else None, r)) for i, r in enumerate(revisions)]
    return pairs[::-1]


def restore(session: Session, enterprise_id: int, version: int, expected_version: int, by: Actor) -> Enterprise:
    """Make the profile and 培育库阶段 of an earlier ``version`` current again, as a new version (the history
    keeps every version; the 专员 stays as it is now: assigning is a separate decision).

    ConflictError if the record moved on from ``expected_version``; RegistryError for an unknown version;
    AccessDenied unless ``by`` may change this enterprise.
    """
    enterprise = writable(session, enterprise_id, by)
    old = next((r for r in enterprise.revisions if r.version == version), None)
    if old is None:
        raise RegistryError(f"“{enterprise.name}”没有第 {version} 版")
    return update(
        session,
        enterprise_id,
        expected_version,
        by,
        profile=old.profile,
        stage=old.pool_stage,
        source=f"恢复为第 {version} 版",
    )


def readable(by: Actor) -> ColumnElement[bool]:
    """The condition on ``Enterprise`` rows ``by`` may read (``access.may_read`` in SQL): a 辅导员's own and
    the unassigned; all for 政策工作人员 and 管理员. AccessDenied for the public."""
    require(by, (COUNSELLOR, STAFF), "查看企业档案")
    if by.role == COUNSELLOR:
        return or_(Enterprise.counsellor.is_(None), Enterprise.counsellor == by.name)
    return true()


def _listed(
    query: Select[Any], by: Actor, counsellor: str | None = None, stage: str | None = None, text: str | None = None
) -> Select[Any]:
    """``query`` (on ``enterprises``) narrowed to what ``listing`` lists, in its order."""
    query = query.where(readable(by)).order_by(Enterprise.name)
    if counsellor == UNASSIGNED:  # the filter "未分配": those with no 专员
        query = query.where(Enterprise.counsellor.is_(None))
    elif counsellor:
        query = query.where(Enterprise.counsellor == counsellor)
    if stage:
        query = query.where(Enterprise.pool_stage == stage)
    if text and text.strip():  # as typed, or as compared ("(上海)" finds "（上海）")
        typed, key = text.strip(), name_key(text)
        query = query.where(
            or_(Enterprise.name.contains(typed, autoescape=True), Enterprise.name_key.contains(key, autoescape=True))
        )
    return query


def listing(
    session: Session, by: Actor, counsellor: str | None = None, stage: str | None = None, text: str | None = None
) -> list[Enterprise]:
    """The enterprises ``by`` may read, by name, filtered by counsellor, stage and a part of the name when
    given (as typed or as ``company.name_key`` compares it). AccessDenied for the public."""
    return list(session.scalars(_listed(select(Enterprise), by, counsellor, stage, text)))


class Registered(NamedTuple):
    """An enterprise as push lists and audiences read it: id, name, counsellor (None: unassigned) and the
    profile as stored (its JSON text, or a dict where the driver decodes JSON); ``profile()`` reads it."""

    id: int
    name: str
    counsellor: str | None
    stored: str | dict[str, Any]

    def profile(self) -> Profile:
        """The current profile (``profile_of``'s, read the same way)."""
        return stored_profile(self.stored, source=self.name)


def registered(
    session: Session, by: Actor, counsellor: str | None = None, regions: Collection[str] | None = None
) -> list[Registered]:
    """``listing(session, by, counsellor)`` (the same enterprises, in the same order; AccessDenied for the
    public) as rows of the columns push lists and audiences need, the profiles left as stored (JSON text)
    to be read as they are judged: no ORM record is loaded (a tenth of the time, 0.05 s for 10,000).
    ``regions``: leave out those whose stored 注册地 is another of ``vocab.REGIONS`` (the database reads it from
    the stored profile; a measure of a district's document concerns no enterprise registered elsewhere). A
    stored value that is not one of them as written (a record edited outside the product: "上海市金山区",
    " 金山区") is kept: read, it may be one of ``regions``."""
    columns = select(Enterprise.id, Enterprise.name, Enterprise.counsellor, cast(Enterprise.profile, Text))
    query = _listed(columns, by, counsellor)
    if regions is not None:
        region = Enterprise.profile["region"].as_string()
        query = query.where(or_(region.is_(None), region.not_in([r for r in REGIONS if r not in regions])))
    return [Registered._make(row) for row in session.execute(query)]


def count(session: Session, by: Actor) -> int:
    """How many enterprises the registry holds that ``by`` may read."""
    return session.scalar(select(func.count()).select_from(Enterprise).where(readable(by))) or 0


def counsellors(session: Session, by: Actor) -> list[str]:
    """The counsellors (专员) named on any enterprise ``by`` may read, sorted."""
    query = select(Enterprise.counsellor).where(readable(by), Enterprise.counsellor.is_not(None)).distinct()
    return sorted(session.scalars(query))


def profile_of(enterprise: Enterprise) -> Profile:
    """The enterprise's current profile, validated (``profile.stored_profile``; ProfileError names the
    enterprise when it does not validate)."""
    return stored_profile(enterprise.profile, source=enterprise.name)
