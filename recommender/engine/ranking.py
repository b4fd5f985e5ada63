"""How candidate measures are weighed and ordered: score components, weights, result order."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..bm25 import top_k
from ..eligibility.status import Status
from ..eligibility.verdict import Verdict
from ..paths import POLICIES
from ..yamlio import load_yaml, validate


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Weights(_Strict):
    """The weight of each score component (they sum to 1 in the shipped file)."""

    status: float
    needs: float
    text: float
    specific: float


class StatusValues(_Strict):
    """What each rule status is worth as the ``status`` component."""

    eligible: float
    partial: float
    unknown: float
    ineligible: float


class RankingFile(_Strict):
    """``policies/ranking.yaml``: every value a number (``status: half`` is refused naming file and line)."""

    lead_factor: float = Field(ge=0, le=1)
    weights: Weights
    status_value: StatusValues


def load_ranking(path: Path = POLICIES / "ranking.yaml") -> dict[str, Any]:
    """The ranking weights and status values (``policies/ranking.yaml``); DataError naming file, line and
    field when one is missing or not a number."""
    data, node = load_yaml(path)
    return validate(RankingFile, data, path, node).model_dump()


def needs_component(matched: np.ndarray, needs: int) -> np.ndarray:
    """0.7 + 0.3 × share of the enterprise's needs a measure serves, 0 when it serves none."""
    if not needs:
        return np.zeros(len(matched))
    return np.where(matched > 0, 0.7 + 0.3 * matched / needs, 0.0)


@dataclass
class CandidateTable:
    """The candidate measures of one query, in corpus order: what ranking weighs."""

    clauses: np.ndarray  # clause indices into Recommender.clauses
    status: np.ndarray  # status codes, see eligibility.status.STATUSES
    valid: np.ndarray  # in force at the as-of date
    lead: np.ndarray  # the clause is a lead, not a measure
    components: dict[str, np.ndarray]  # status, needs, text, specific: each in [0, 1]
    may_unlock: np.ndarray  # a title might turn it eligible (RuleMatrix.may_unlock)

    def scores(self, weights: dict[str, float], lead_factor: float = 1.0) -> np.ndarray:
        """Σ weight × component, added in the components' order (as the engine does); a lead's
        score times ``lead_factor`` (< 1: after measures of similar relevance)."""
        score = np.zeros(len(self.clauses))
        for name, values in self.components.items():
            score = score + weights[name] * values
        return np.where(self.lead, score * lead_factor, score)


@dataclass(frozen=True)
class Ranked:
    """One ranked measure: its clause position, validity, score, status and score components.

    ``verdict`` is set when the reference ranking computed it on the way.
    """

    index: int
    valid: bool
    score: float
    status: Status
    components: dict[str, float]
    verdict: Verdict | None = None


def rank_order(valid: np.ndarray, score: np.ndarray, top: int | None) -> np.ndarray:
    """Positions in result order: valid before expired, then best score, then corpus order."""
    n = len(score)
    if top is None or top < 0 or top >= n:
        order = np.lexsort((np.arange(n), -score, ~valid))
        return order if top is None else order[:top]
    ok = np.flatnonzero(valid)
    chosen = ok[top_k(score[ok], top)]
    if len(chosen) < top:
        expired = np.flatnonzero(~valid)
        chosen = np.concatenate([chosen, expired[top_k(score[expired], top - len(chosen))]])
    return chosen
