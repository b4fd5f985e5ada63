"""Consultations: a visit, the measures discussed, and each application's follow-up state."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from .access import Actor, check_write
from .enterprises import ConflictError, RegistryError, readable, writable
from .models import Consultation, ConsultationMeasure, Enterprise, now, shown_time
from .states import LEAD_STATE, NEEDS_REASON, follow_ups


@dataclass(frozen=True)
class Discussed:
    """A measure as it was shown at the visit."""

    clause_id: str
    title: str
    match_status: str  # its state as a code: a status (eligible …) or expired (models.SHOWN_STATES)


def record(
    session: Session,
    enterprise_id: int,
    held_on: dt.date,
    counsellor: str,
    measures: list[Discussed],
    as_of: dt.date,
    by: Actor,
    sheet_file: str | None = None,
    note: str | None = None,
) -> Consultation:
    """Record a consultation of an enterprise with the measures discussed, each in the first of its follow-up
    states (``states.follow_ups``): 待申报 for an application, 待了解 for a 可关注 lead.

    RegistryError when the counsellor is blank, no measure is given or the enterprise does not exist;
    AccessDenied unless ``by`` may change the enterprise's record.
    """
    if not counsellor.strip():
        raise RegistryError("请填写辅导员姓名")
    if not measures:
        raise RegistryError("请至少选择一条讨论过的措施")
    enterprise = writable(session, enterprise_id, by)
    stamp = now()
    consultation = Consultation(
        held_on=held_on,
        counsellor=counsellor.strip(),
        profile_version=enterprise.version,
        as_of=as_of,
        sheet_file=sheet_file,
        note=(note or "").strip() or None,
        created_at=stamp,
        measures=[
            ConsultationMeasure(
                clause_id=m.clause_id,
                title=m.title,
                match_status=m.match_status,
                follow_up=follow_ups(m.match_status)[0],
                updated_at=stamp,
                updated_by=by.name,
            )
            for m in dict((m.clause_id, m) for m in measures).values()
        ],
    )
    enterprise.consultations.append(consultation)
    session.flush()
    return consultation


def set_follow_up(
    session: Session, measure_id: int, expected_version: int, state: str, by: Actor, reason: str | None = None
) -> ConsultationMeasure:
    """Move an application to 待申报 / 已申报 / 已获批 / 未获批, or a 可关注 lead to 待了解 / 已告知 / 不适用
    (``states.follow_ups``: a lead is looked into, never applied for); 未获批 and 不适用 need their reason.

    RegistryError for a state the measure does not have; AccessDenied unless ``by`` may change the enterprise's
    record; ConflictError when it moved on from ``expected_version``.
    """
    measure = session.get(ConsultationMeasure, measure_id)
    if measure is None:
        raise RegistryError(f"没有编号为 {measure_id} 的咨询措施记录")
    reason = _checked(measure, state, reason)
    enterprise = measure.consultation.enterprise
    check_write(by, enterprise.name, enterprise.counsellor)
    if measure.version != expected_version:
        raise ConflictError(_conflict(measure, expected_version))
    if (measure.follow_up, measure.reason) == (state, reason):
        return measure
    measure.follow_up, measure.reason, measure.updated_at, measure.updated_by = state, reason, now(), by.name
    try:
        session.flush()
    except StaleDataError:
        with Session(session.get_bind()) as fresh:
            current = fresh.get(ConsultationMeasure, measure_id)
            raise ConflictError(_conflict(current, expected_version)) from None
    return measure


def _checked(measure: ConsultationMeasure, state: str, reason: str | None) -> str | None:
    """The reason as stored (trimmed, None when blank); RegistryError for a state ``measure`` does not have
    or for 未获批 / 不适用 without a reason."""
    allowed = follow_ups(measure.match_status)
    if state not in allowed:
        what = f"“{measure.title}”是可关注线索（不是申报项目），" if measure.match_status == LEAD_STATE else ""
        raise RegistryError(f"{what}跟进状态应为 {' / '.join(allowed)} 之一（收到“{state}”）")
    reason = (reason or "").strip() or None
    if state in NEEDS_REASON and reason is None:
        example = "与企业业务无关、企业已在对接" if state == "不适用" else "研发投入占比不足、材料逾期"
        raise RegistryError(f"标记“{state}”时请填写原因（如：{example}）")
    return reason


def _conflict(measure: ConsultationMeasure, expected: int) -> str:
    when = shown_time(measure.updated_at)
    return (
        f"保存失败：“{measure.title}”的跟进状态已被 {measure.updated_by} 于 {when} 改为“{measure.follow_up}”"
        f"（您打开的是第 {expected} 版，现在是第 {measure.version} 版）。请刷新后再改。"
    )


def open_applications(session: Session, by: Actor, counsellor: str | None = None) -> list[ConsultationMeasure]:
    """Measures still 待申报 or 已申报, oldest visit first, of the enterprises ``by`` may read: a counsellor's
    to-do list."""
    query = (
        select(ConsultationMeasure)
        .join(Consultation)
        .join(Enterprise)
        .where(ConsultationMeasure.follow_up.in_(("待申报", "已申报")))
        .order_by(Consultation.held_on, Enterprise.name, ConsultationMeasure.id)
    )
    if counsellor:
        query = query.where(Consultation.counsellor == counsellor)
    query = query.where(readable(by))
    return list(session.scalars(query))
