"""Feedback on recommendations (有用 / 不适用), and its export as labelled evaluation cases."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..profile import Profile
from .access import STAFF, Actor, require
from .enterprises import RegistryError, get
from .models import Feedback, now, shown_time
from .states import FEEDBACK_VERDICTS

if TYPE_CHECKING:
    from ..corpus_models import Clause

# policies/eval/README.md: 2 = should be at the top (the enterprise qualifies), 1 = useful, 0 = must not be shown
# as 可申请. A lead found useful is useful, never "qualifies" (it is looked into, and ranks after measures):
# grade 1. A lead found 不适用 has no grade: 0 only forbids 可申请, which a lead never shows, so it would
# judge nothing (nDCG reads it as unlabelled).
GRADES = {"有用": 2, "不适用": 0}
LEAD_GRADES = {"有用": 1}


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


def _why(item: Feedback, lead: bool) -> str:
    said = item.reason or "对企业有用"
    what = "可关注线索，" if lead else ""
    return f"用户反馈（{item.page}，{shown_time(item.created_at)[:10]}，{item.created_by}）：{what}{said}"


@dataclass(frozen=True)
class Skipped:
    """A feedback not exported, and why, in the words ``export-feedback`` prints."""

    item: Feedback
    why: str

    @property
    def line(self) -> str:
        """One line naming the feedback, the enterprise and the measure, and why it is not exported."""
        return f"跳过反馈 {self.item.id}（{self.item.profile.get('name') or '未署名企业'}）：{self.why}"


def _skipped(item: Feedback, clause: Clause | None) -> Skipped | None:
    """Why ``item`` cannot be an evaluation label (None when it can): its clause is gone, internal, or a lead
    found 不适用."""
    if clause is None:
        return Skipped(item, f"条款 {item.clause_id} 已不在政策库中")
    if clause.kind == "internal":
        return Skipped(item, f"“{clause.heading}”（{clause.id}）是政府内部工作，不会推荐给企业，评测集不收")
    if clause.kind == "lead" and item.verdict not in LEAD_GRADES:
        return Skipped(
            item,
            f"“{clause.heading}”（{clause.id}）是可关注线索，评测集无法表达对线索的“{item.verdict}”："
            "0 分只表示“不应显示为可申请”，线索从不显示为可申请",
        )
    return None


def as_cases(items: list[Feedback], clauses: Mapping[str, Clause]) -> tuple[list[dict[str, Any]], list[Skipped]]:
    """Cases in the policies/eval format: one per profile and date, the latest word on each clause
    (``clauses``: the corpus by id). 有用 on a measure is grade 2, on a lead grade 1; 不适用 on a measure is 0.

    Feedback the format cannot hold is returned apart with why (``Skipped``): its clause is no longer in the
    corpus or is internal, or it is 不适用 on a lead; as the latest word it also removes the earlier one.
    """
    cases: dict[str, dict[str, Any]] = {}
    labels: dict[str, dict[str, dict[str, Any] | None]] = {}
    skipped = []
    for item in items:
        key = json.dumps([item.profile, item.as_of.isoformat()], ensure_ascii=False, sort_keys=True)
        clause = clauses.get(item.clause_id)
        reason = _skipped(item, clause)
        if reason is not None:
            skipped.append(reason)
            if item.clause_id in labels.get(key, {}):
                labels[key][item.clause_id] = None  # the latest word counts: the earlier label no longer holds
            continue
        if key not in cases:
            cases[key] = {
                "id": f"feedback-{item.id}",
                "as_of": item.as_of.isoformat(),
                "note": f"来自{item.page}的用户反馈，加入评测集前请复核",
                "profile": item.profile,
            }
            labels[key] = {}
        lead = clause is not None and clause.kind == "lead"
        grade = (LEAD_GRADES if lead else GRADES)[item.verdict]
        labels[key][item.clause_id] = {"clause": item.clause_id, "grade": grade, "why": _why(item, lead)}
    out = []
    for key, case in cases.items():
        kept = [label for label in labels[key].values() if label is not None]
        if kept:
            out.append({**case, "labels": kept})
    return out, skipped
