"""Enterprise records: add, edit with optimistic versioning, history, listing.

Every function works inside the caller's transaction (``db.transaction()``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..profile import LABELS, Profile, ProfileError, parse_profile
from .models import NAME_MAX, Enterprise, Revision, now, shown_time
from .states import POOL_STAGES


class RegistryError(ValueError):
    """A change the registry refuses, in one Chinese sentence for the page or the command line."""


class ConflictError(RegistryError):
    """Someone else saved the record after it was opened: nothing of this save was written."""


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
    if len(profile.name) > NAME_MAX:
        raise RegistryError(f"企业名称过长（{len(profile.name)} 字，最多 {NAME_MAX} 字）")
    return profile


def _revision(enterprise: Enterprise, by: str, source: str) -> Revision:
    return Revision(
        version=enterprise.version,
        profile=enterprise.profile,
        counsellor=enterprise.counsellor,
        pool_stage=enterprise.pool_stage,
        changed_by=by,
        changed_at=enterprise.updated_at,
        source=source,
    )


def _name_taken(exc: IntegrityError) -> bool:
    """Whether the database refused a row because its enterprise name is already taken."""
    constraint = getattr(getattr(exc.orig, "diag", None), "constraint_name", None)
    return constraint == "enterprises_name_key" or "enterprises.name" in str(exc.orig)


def _flush_name(session: Session, name: str, message: str) -> None:
    """Flush; a name another transaction took since we looked (PostgreSQL) becomes ``message``."""
    try:
        session.flush()
    except IntegrityError as exc:
        if _name_taken(exc):
            raise RegistryError(message.format(name=name)) from None
        raise


def find(session: Session, name: str) -> Enterprise | None:
    """The enterprise named ``name`` (surrounding spaces ignored), or None."""
    return session.scalar(select(Enterprise).where(Enterprise.name == name.strip()))


def get(session: Session, enterprise_id: int) -> Enterprise:
    """The enterprise with ``enterprise_id``; RegistryError when there is none."""
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise RegistryError(f"档案库中没有编号为 {enterprise_id} 的企业（可能已被删除）")
    return enterprise


def add(
    session: Session,
    profile: Profile | dict[str, Any],
    by: str,
    counsellor: str | None = None,
    stage: str = "储备",
    source: str = "页面录入",
) -> Enterprise:
    """Add an enterprise with its first revision (version 1) and return it.

    ProfileRefused or RegistryError when the profile, the stage or the name (already taken) is refused.
    """
    profile = check_profile(profile)
    taken = "档案库中已有“{name}”，请打开它的档案修改"
    if find(session, profile.name) is not None:
        raise RegistryError(taken.format(name=profile.name))
    stamp = now()
    enterprise = Enterprise(
        name=profile.name,
        profile=profile.public_dict(),
        counsellor=(counsellor or "").strip() or None,
        pool_stage=check_stage(stage),
        created_at=stamp,
        updated_at=stamp,
        updated_by=by,
    )
    session.add(enterprise)
    _flush_name(session, profile.name, taken)  # assigns id and version 1
    enterprise.revisions.append(_revision(enterprise, by, source))
    return enterprise


_UNSET: Any = object()


def update(
    session: Session,
    enterprise_id: int,
    expected_version: int,
    by: str,
    profile: Profile | dict[str, Any] | None = None,
    counsellor: str | None = _UNSET,
    stage: str | None = None,
    source: str = "页面编辑",
) -> Enterprise:
    """Save a change made to version ``expected_version``; ConflictError if the record moved on since.

    A save that changes nothing writes nothing and keeps the version.
    """
    enterprise = get(session, enterprise_id)
    if enterprise.version != expected_version:
        raise ConflictError(conflict_message(enterprise, expected_version))
    changes: dict[str, Any] = {}
    if profile is not None:
        checked = check_profile(profile)
        if checked.name != enterprise.name:
            other = find(session, checked.name)
            if other is not None and other.id != enterprise.id:
                raise RegistryError(f"档案库中已有另一家“{checked.name}”，企业名称不能重复")
            changes["name"] = checked.name
        changes["profile"] = checked.public_dict()
    if counsellor is not _UNSET:
        changes["counsellor"] = (counsellor or "").strip() or None
    if stage is not None:
        changes["pool_stage"] = check_stage(stage)
    changes = {k: v for k, v in changes.items() if getattr(enterprise, k) != v}
    if not changes:
        return enterprise
    for k, v in changes.items():
        setattr(enterprise, k, v)
    enterprise.updated_at, enterprise.updated_by = now(), by
    try:
        # UPDATE … WHERE version = expected: matches nothing if another save came first
        _flush_name(session, enterprise.name, "档案库中已有另一家“{name}”，企业名称不能重复")
    except StaleDataError:
        with Session(session.get_bind()) as fresh:  # this transaction is spent: read the winner's save anew
            raise ConflictError(conflict_message(get(fresh, enterprise_id), expected_version)) from None
    enterprise.revisions.append(_revision(enterprise, by, source))
    session.flush()
    return enterprise


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


def history(session: Session, enterprise_id: int) -> list[tuple[Revision, list[Change]]]:
    """Every revision, newest first, with what it changed."""
    revisions = get(session, enterprise_id).revisions
    pairs = [(r, changes(revisions[i - 1] if i else None, r)) for i, r in enumerate(revisions)]
    return pairs[::-1]


def listing(
    session: Session, counsellor: str | None = None, stage: str | None = None, text: str | None = None
) -> list[Enterprise]:
    """The enterprises by name, filtered by counsellor, stage and a part of the name when given."""
    query = select(Enterprise).order_by(Enterprise.name)
    if counsellor:
        query = query.where(Enterprise.counsellor == counsellor)
    if stage:
        query = query.where(Enterprise.pool_stage == stage)
    if text and text.strip():
        query = query.where(Enterprise.name.contains(text.strip(), autoescape=True))
    return list(session.scalars(query))


def count(session: Session) -> int:
    """How many enterprises the registry holds."""
    return session.scalar(select(func.count()).select_from(Enterprise)) or 0


def counsellors(session: Session) -> list[str]:
    """The counsellors (专员) named on any enterprise, sorted."""
    query = select(Enterprise.counsellor).where(Enterprise.counsellor.is_not(None)).distinct()
    return sorted(session.scalars(query))


def profile_of(enterprise: Enterprise) -> Profile:
    """The enterprise's current profile, validated (ProfileError names the enterprise when it does not)."""
    return parse_profile(enterprise.profile, source=enterprise.name)
