"""Feedback on recommendations (有用 / 不适用), and its export as labelled evaluation cases."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..profile import Profile
from .access import STAFF, Actor, require
from .enterprises import RegistryError, get
from .models import Feedback, now, shown_time
from .states import FEEDBACK_VERDICTS

GRADES = {"有用": 2, "不适用": 0}  # policies/eval/README.md: 2 = belongs at the top, 0 = must not be offered


def record(
    session: Session,
    profile: Profile,
    as_of: dt.date,
    clause_id: str,
    verdict: str,
    shown_status: str,
    page: str,
    by: Actor,
    reason: str | None = None,
    rank: int | None = None,
    enterprise_id: int | None = None,
) -> Feedback:
    """Store one 有用 / 不适用 feedback on a result with the profile and date it was made for.

    ``shown_status`` is the state the result was shown with, as its code (eligible … or expired).

    RegistryError for another verdict, or for 不适用 without a reason; AccessDenied when ``enterprise_id``
    names a record ``by`` may not read (the public gives feedback on its own profile, with no record).
    """
    if verdict not in FEEDBACK_VERDICTS:
        raise RegistryError(f"反馈应为 {' / '.join(FEEDBACK_VERDICTS)}（收到“{verdict}”）")
    reason = (reason or "").strip() or None
    if verdict == "不适用" and reason is None:
        raise RegistryError("选择“不适用”时请写明原因，例如：不在适用区域、已享受过、条件理解有误")
    if enterprise_id is not None:
        get(session, enterprise_id, by)
    item = Feedback(
        enterprise_id=enterprise_id,
        profile=profile.public_dict(),
        as_of=as_of,
        clause_id=clause_id,
        rank=rank,
        shown_status=shown_status,
        verdict=verdict,
        reason=reason,
        page=page,
        created_by=by.name,
        created_at=now(),
    )
    session.add(item)
    session.flush()
    return item


def all_feedback(session: Session, by: Actor) -> list[Feedback]:
    """Every feedback in the order it was given; AccessDenied unless ``by`` is 政策工作人员 or 管理员."""
    require(by, (STAFF,), "导出反馈")
    return list(session.scalars(select(Feedback).order_by(Feedback.id)))


def _why(item: Feedback) -> str:
    said = item.reason or "对企业有用"
    return f"用户反馈（{item.page}，{shown_time(item.created_at)[:10]}，{item.created_by}）：{said}"


def as_cases(items: list[Feedback], measures: set[str]) -> tuple[list[dict[str, Any]], list[Feedback]]:
    """Cases in the policies/eval format: one per profile and date, the latest word on each clause.

    Feedback on a clause that is no longer a measure in the corpus is returned apart, not exported.
    """
    cases: dict[str, dict[str, Any]] = {}
    labels: dict[str, dict[str, dict[str, Any]]] = {}
    dropped = []
    for item in items:
        if item.clause_id not in measures:
            dropped.append(item)
            continue
        key = json.dumps([item.profile, item.as_of.isoformat()], ensure_ascii=False, sort_keys=True)
        if key not in cases:
            cases[key] = {
                "id": f"feedback-{item.id}",
                "as_of": item.as_of.isoformat(),
                "note": f"来自{item.page}的用户反馈，加入评测集前请复核",
                "profile": item.profile,
            }
            labels[key] = {}
        labels[key][item.clause_id] = {"clause": item.clause_id, "grade": GRADES[item.verdict], "why": _why(item)}
    return [{**case, "labels": list(labels[key].values())} for key, case in cases.items()], dropped
