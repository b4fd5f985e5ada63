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
EXPIRED = "expired"  # the display state of a measure whose document is not in force at the as-of date
EXPIRED_LABEL = "已过期"
NOT_YET_LABEL = "尚未生效"  # a measure whose document is not yet in force at the as-of date
LEAD = "lead"  # the display state of a lead (a priority, programme, service or contact) not ruled out
LEAD_LABEL = "可关注"


def display_state(status: str, valid: bool, kind: str = "measure") -> str:
    """What a result shows: ``EXPIRED`` when its document is not in force, ``LEAD`` for a lead not
    ruled out, else its rule status code."""
    if not valid:
        return EXPIRED
    return LEAD if kind == LEAD and status != Status.INELIGIBLE else status


def display_label(state: str) -> str:
    """The Chinese label of a display state: 可申请 … 不符合, 已过期, 可关注."""
    return {EXPIRED: EXPIRED_LABEL, LEAD: LEAD_LABEL}.get(state) or STATUS_LABELS[state]


def all_met(states: Iterable[State]) -> State:
    """Three-valued AND (a rule set's ``all``, a score band's tests): not met if any is not met, else
    unknown if any is unknown, else met."""
    found = set(states)
    return "not_met" if "not_met" in found else "unknown" if "unknown" in found else "met"


def any_met(states: Iterable[State]) -> State:
    """Three-valued OR (alternative routes): met if any is met, else unknown if any is unknown, else not met."""
    found = set(states)
    return "met" if "met" in found else "unknown" if "unknown" in found else "not_met"


def status_label(status: str, valid: bool = True, kind: str = "measure") -> str:
    """The label a person reads: 已过期 for a clause not in force, 可关注 for a lead, else the status's label."""
    return display_label(display_state(status, valid, kind))


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
