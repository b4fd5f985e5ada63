"""Profiles the public sends from the self-check page to the service centre.

A submission changes no record: a 辅导员 (or 管理员) accepts it, which adds the enterprise or merges the
submission into its record (fields the submission leaves out keep their registered values), or declines it.
The public never reads a record: submitting says only that the service centre received it.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..profile import Profile
from .access import COUNSELLOR, STAFF, Actor, may_read, require
from .enterprises import IdentityConflict, RegistryError, add, check_profile, find, update
from .models import Enterprise, Submission, now

MAX_PENDING = 2000  # submissions waiting at once; more are refused until staff catch up (a flood stays bounded)
CONTACT_MAX = 200
SHOWN = 50  # pending submissions listed at once, oldest first


def submit(session: Session, profile: Profile, contact: str | None = None) -> Submission:
    """Store ``profile`` as a pending submission (anyone may submit; nothing else is read or written).

    RegistryError when the profile's name is too long, the contact is over CONTACT_MAX characters, or
    MAX_PENDING submissions are already waiting.
    """
    profile = check_profile(profile)
    contact = (contact or "").strip() or None
    if contact is not None and len(contact) > CONTACT_MAX:
        raise RegistryError(f"联系方式最多 {CONTACT_MAX} 个字")
    waiting = session.scalar(select(func.count()).select_from(Submission).where(Submission.state == "pending"))
    if (waiting or 0) >= MAX_PENDING:
        raise RegistryError("服务中心待处理的提交已满，请稍后再试，或直接联系所在区的企业服务中心")
    data = profile.public_dict()
    same = select(Submission).where(Submission.state == "pending", Submission.name == profile.name)
    for earlier in session.scalars(same):
        if earlier.profile == data and earlier.contact == contact:
            return earlier  # the same profile sent again: one submission, not two
    item = Submission(name=profile.name, profile=data, contact=contact, submitted_at=now(), state="pending")
    session.add(item)
    session.flush()
    return item


def registered(session: Session, item: Submission) -> tuple[Enterprise | None, str | None]:
    """The registered enterprise a submission names (by name key or 统一社会信用代码), None for a new one;
    and, when its name and code point at two enterprises (or its name is registered with another code),
    None and why (``enterprises.IdentityConflict``): such a submission can only be declined."""
    try:
        return find(session, item.name, item.profile.get("credit_code")), None
    except IdentityConflict as exc:
        return None, str(exc)


def _visible(session: Session, item: Submission, by: Actor) -> bool:
    enterprise, conflict = registered(session, item)
    return conflict is not None or enterprise is None or may_read(by, enterprise.counsellor)


def pending(session: Session, by: Actor, limit: int = SHOWN) -> tuple[int, list[Submission]]:
    """How many submissions are waiting, and the first ``limit`` of them ``by`` may see, oldest first: all
    for 政策工作人员 and 管理员; for a 辅导员 those about new enterprises, their own or unassigned ones (and
    those whose name and code disagree, which only a person can sort out). AccessDenied for the public."""
    require(by, (COUNSELLOR, STAFF), "查看企业提交的档案")
    waiting = select(Submission).where(Submission.state == "pending")
    total = session.scalar(select(func.count()).select_from(waiting.subquery())) or 0
    shown: list[Submission] = []
    for item in session.scalars(waiting.order_by(Submission.submitted_at, Submission.id)):
        if len(shown) == limit:
            break
        if by.role != COUNSELLOR or _visible(session, item, by):
            shown.append(item)
    return total, shown


def _open(session: Session, submission_id: int) -> Submission:
    item = session.get(Submission, submission_id)
    if item is None:
        raise RegistryError(f"没有编号为 {submission_id} 的提交")
    if item.state != "pending":
        raise RegistryError(f"提交 {submission_id}（{item.name}）已由 {item.decided_by} 处理过")
    return item


def accept(session: Session, submission_id: int, by: Actor, stage: str = "储备") -> Enterprise:
    """Take a pending submission into the registry: a new enterprise (its 专员 ``by`` when a 辅导员 accepts,
    at ``stage``) or the registered one updated, keeping every field the submission left out, and its
    registered name (a rename is made on the record, not by a submission from the public).

    RegistryError when it was already handled or its profile is refused; AccessDenied unless ``by`` may
    change the record (ConflictError cannot happen: the record is read in this transaction).
    """
    item = _open(session, submission_id)
    enterprise, conflict = registered(session, item)
    if conflict is not None:
        raise RegistryError(f"提交 {item.id} 不能采纳：{conflict}")
    source = f"企业自测页提交（第 {item.id} 号）"
    if enterprise is None:
        counsellor = by.name if by.role == COUNSELLOR else None
        enterprise = add(session, item.profile, by, counsellor=counsellor, stage=stage, source=source)
    else:
        # the registered name stays: a rename (the same code, another name) is made on the record itself
        data = {**item.profile, "name": enterprise.name}
        enterprise = update(
            session, enterprise.id, enterprise.version, by, profile=data, source=source, keep_missing=True
        )
    item.state, item.enterprise_id, item.decided_by, item.decided_at = "accepted", enterprise.id, by.name, now()
    session.flush()
    return enterprise


def decline(session: Session, submission_id: int, by: Actor, reason: str) -> Submission:
    """Decline a pending submission with ``reason`` (RegistryError when blank); AccessDenied unless ``by`` is
    a 辅导员 or 管理员 (and, for a registered enterprise, may change its record)."""
    require(by, (COUNSELLOR,), "处理企业提交的档案")
    item = _open(session, submission_id)
    if not reason.strip():
        raise RegistryError("请写明不予采纳的原因")
    enterprise, _ = registered(session, item)
    if enterprise is not None and by.role == COUNSELLOR and not may_read(by, enterprise.counsellor):
        raise RegistryError(f"“{item.name}”由专员 {enterprise.counsellor} 负责，请由其处理")
    item.state, item.decided_by, item.decided_at, item.reason = "declined", by.name, now(), reason.strip()
    session.flush()
    return item
