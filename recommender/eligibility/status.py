"""Condition states and measure statuses: codes, the rules combining them, and their labels.

A condition is *met*, *not met* or *unknown* (the profile does not say); groups of conditions
combine three-valued (``all_met``, ``any_met``: qualification criteria use both). A measure's status
combines its conditions (``status_of``; ``combine`` for arrays): any hard condition not met → ineligible; else any hard
condition unknown → unknown; else any soft condition open (not met or unknown) → partial; else
eligible. Codes are what code compares and stores; the Chinese labels are added at display time.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Literal

import numpy as np

State = Literal["met", "not_met", "unknown"]
MET, NOT_MET, UNKNOWN = 0, 1, 2  # condition state codes in arrays
STATE_CODES: dict[str, int] = {"met": MET, "not_met": NOT_MET, "unknown": UNKNOWN}
STATE_LABELS: dict[str, str] = {"met": "已满足", "not_met": "未满足", "unknown": "信息不足"}  # readiness verdicts


class Status(StrEnum):
    """A measure's eligibility status for an enterprise (the CLI contract's ``status`` values)."""

    ELIGIBLE = "eligible"
    PARTIAL = "partial"
    UNKNOWN = "unknown"
    INELIGIBLE = "ineligible"

    @property
    def label(self) -> str:
        """The Chinese label people read (可申请 …)."""
        return STATUS_LABELS[self]


STATUSES: tuple[Status, ...] = tuple(Status)  # index = array code
ELIGIBLE, PARTIAL, UNKNOWN_STATUS, INELIGIBLE = range(4)
STATUS_LABELS: dict[str, str] = {
    Status.ELIGIBLE: "可申请",
    Status.PARTIAL: "需补充条件",
    Status.UNKNOWN: "信息不足",
    Status.INELIGIBLE: "不符合",
}
EXPIRED = "expired"  # the display state of a measure whose document has ended at the as-of date
EXPIRED_LABEL = "已过期"
NOT_YET = "not_yet"  # the display state of a measure whose document is not yet in force at the as-of date
NOT_YET_LABEL = "尚未生效"
LEAD = "lead"  # the display state of a lead (a priority, programme, service or contact) not ruled out
LEAD_LABEL = "可关注"
UNREVIEWED = "unreviewed"  # a measure not ruled out whose rule rests on proposals no person has reviewed
UNREVIEWED_LABEL = "待审核·自动提取"
OUT_OF_FORCE = (EXPIRED, NOT_YET)  # display states of a document not in force: listed apart, never mixed in


def display_state(
    status: str,
    valid: bool,
    kind: str = "measure",
    *,
    not_yet: bool = False,
    reviewed: bool = True,
    specific: bool,
) -> str:
    """What a result shows: ``NOT_YET`` / ``EXPIRED`` when its document is not in force (``not_yet``: it
    starts after the as-of date), ``UNREVIEWED`` when its rule rests on unreviewed proposals and does not
    rule it out (never plain 可申请), ``LEAD`` for a lead not ruled out, else its rule status code.

    A measure eligible by a rule that asks nothing of the enterprise but where it is (``specific`` False: no
    condition beyond its district or park, ``conditions.asks_the_enterprise``) shows as ``LEAD`` too: nothing
    it asks of an enterprise was checked, so it is never 可申请. Such clauses are mostly a government's own
    tasks, services and platforms (推进“证照分离”改革, 建立高新技术企业服务工作站 …), which a break-it trial
    found listed as 可申请 for every enterprise of the district; to ask the named department about them is
    what a lead says."""
    if not valid:
        return NOT_YET if not_yet else EXPIRED
    if status == Status.INELIGIBLE:
        return status
    if not reviewed:
        return UNREVIEWED
    return LEAD if kind == LEAD or (status == Status.ELIGIBLE and not specific) else status


def display_label(state: str) -> str:
    """The Chinese label of a display state: 可申请 … 不符合, 已过期, 尚未生效, 可关注, 待审核·自动提取."""
    labels = {EXPIRED: EXPIRED_LABEL, NOT_YET: NOT_YET_LABEL, LEAD: LEAD_LABEL, UNREVIEWED: UNREVIEWED_LABEL}
    return labels.get(state) or STATUS_LABELS[state]


def all_met(states: Iterable[State]) -> State:
    """Three-valued AND (a rule set's ``all``, a score band's tests): not met if any is not met, else
    unknown if any is unknown, else met."""
    found = set(states)
    return "not_met" if "not_met" in found else "unknown" if "unknown" in found else "met"


def any_met(states: Iterable[State]) -> State:
    """Three-valued OR (alternative routes): met if any is met, else unknown if any is unknown, else not met."""
    found = set(states)
    return "met" if "met" in found else "unknown" if "unknown" in found else "not_met"


def status_label(
    status: str,
    valid: bool = True,
    kind: str = "measure",
    *,
    not_yet: bool = False,
    reviewed: bool = True,
    specific: bool,
) -> str:
    """The label a person reads (``display_state`` in Chinese): 已过期, 尚未生效, 待审核·自动提取, 可关注, 可申请 …"""
    state = display_state(status, valid, kind, not_yet=not_yet, reviewed=reviewed, specific=specific)
    return display_label(state)


def status_of(hard_fail: bool, hard_unknown: bool, soft_open: bool) -> int:
    """The one combining rule, as a status code (``STATUSES`` order).

    ``hard_fail``: a hard condition not met; ``hard_unknown``: a hard condition unknown;
    ``soft_open``: a soft condition not met or unknown. ``combine`` applies this same function to
    arrays through a table of its eight cases.
    """
    if hard_fail:
        return INELIGIBLE
    if hard_unknown:
        return UNKNOWN_STATUS
    return PARTIAL if soft_open else ELIGIBLE


_CASES = np.array([status_of(bool(i & 4), bool(i & 2), bool(i & 1)) for i in range(8)], dtype=np.int8)


def combine(states: np.ndarray, hard: np.ndarray) -> np.ndarray:
    """``status_of`` for many rules at once: status codes from condition states.

    ``states``: int array ``[..., k]`` of MET / NOT_MET / UNKNOWN, one per condition of a rule
    (pad with MET and not hard); ``hard``: bool array broadcastable to ``states``. Returns an
    int8 array ``[...]`` of status codes (``STATUSES`` order).
    """
    hard_fail = (hard & (states == NOT_MET)).any(axis=-1)
    hard_unknown = (hard & (states == UNKNOWN)).any(axis=-1)
    soft_open = (~hard & (states != MET)).any(axis=-1)
    return _CASES[hard_fail * 4 + hard_unknown * 2 + soft_open]
