"""Every enterprise's status for every measure: the population, the corpus view and the coverage matrix.

Statuses come from the one vectorised evaluator (``eligibility.matrix.RuleMatrix``); nothing here
decides eligibility itself. A ``Coverage`` keeps the compiled matrix and every condition's state per
enterprise, so that a measure's condition counts and a what-if judge nothing already judged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..corpus import is_valid, validity
from ..corpus_models import Clause, Condition, DocumentMeta
from ..eligibility.conditions import asks_the_enterprise, conditions_for
from ..eligibility.facts import Facts
from ..eligibility.matrix import RuleMatrix
from ..eligibility.size import size_class
from ..eligibility.status import ELIGIBLE, PARTIAL
from ..profile import Profile
from ..vocab import BENEFITS, INDUSTRIES, REGIONS, STAGES

if TYPE_CHECKING:
    from ..engine import Recommender


class PopulationRules:
    """A population's facts at one date, to evaluate rules on (``RuleMatrix``)."""

    def __init__(self, profiles: Sequence[Profile], as_of: dt.date) -> None:
        self.profiles = list(profiles)
        self.as_of = as_of
        self.facts = [Facts(p, as_of) for p in self.profiles]

    def __len__(self) -> int:
        return len(self.profiles)

    def statuses(self, clauses: Sequence[Clause], documents: Mapping[str, DocumentMeta]) -> np.ndarray:
        """int8 ``[enterprises, clauses]`` status codes (``eligibility.status.STATUSES``), compiled afresh."""
        return RuleMatrix(clauses, dict(documents)).evaluate(self.facts)[0]

    def condition_states(self, clause: Clause, doc: DocumentMeta) -> list[tuple[Condition, np.ndarray]]:
        """Each condition of the clause's rule (area first) with its state codes per enterprise, judged afresh
        (``Coverage.condition_states`` reuses the states a coverage has judged)."""
        matrix = RuleMatrix([clause], {doc.policy_id: doc})
        states = matrix.condition_states(self.facts)
        return [(matrix.conditions[c], states[:, c]) for c in matrix.clause_conditions(0)]


@dataclass(frozen=True)
class CorpusView:
    """Clauses and documents to analyse; edits (``apply_change``) give a new view, never touch these."""

    clauses: tuple[Clause, ...]
    documents: Mapping[str, DocumentMeta]

    @classmethod
    def from_recommender(cls, engine: Recommender) -> CorpusView:
        """A view of the engine's corpus (its lists copied)."""
        return cls(tuple(engine.clauses), dict(engine.documents))

    @property
    def measures(self) -> list[Clause]:
        """The clauses that are measures for enterprises, in corpus order."""
        return [c for c in self.clauses if c.kind == "measure"]

    def area_only(self) -> int:
        """How many measures have a rule asking nothing but where the enterprise is (``asks_the_enterprise``):
        counted here by their rule (eligible), shown to enterprises as 可关注 (``status.display_state``)."""
        return sum(not asks_the_enterprise(c, self.documents[c.policy_id]) for c in self.measures)

    def clause(self, clause_id: str) -> Clause:
        """The clause with this id; KeyError when there is none."""
        for c in self.clauses:
            if c.id == clause_id:
                return c
        raise KeyError(f"没有条款 {clause_id}")


@dataclass(frozen=True)
class OutOfForce:
    """The documents holding measures that are not in force at a date, and those measures, by reason."""

    ended_documents: int  # validity passed before the date
    ended_measures: int
    pending_documents: int  # not yet in force at the date
    pending_measures: int

    @property
    def measures(self) -> int:
        """Measures not in force at the date, for either reason."""
        return self.ended_measures + self.pending_measures


def out_of_force(corpus: CorpusView, as_of: dt.date) -> OutOfForce:
    """What a coverage of measures in force only (``compute_coverage(valid_only=True)``) leaves out at ``as_of``."""
    counts = {"ended": [set(), 0], "not_yet": [set(), 0]}
    for clause in corpus.measures:
        state = validity(corpus.documents[clause.policy_id], as_of)
        if state in counts:
            counts[state][0].add(clause.policy_id)
            counts[state][1] += 1
    (ended_docs, ended), (pending_docs, pending) = counts["ended"], counts["not_yet"]
    return OutOfForce(len(ended_docs), ended, len(pending_docs), pending)


DIMENSIONS: dict[str, str] = {
    "region": "注册地",
    "industry": "行业",
    "stage": "发展阶段",
    "size_class": "企业规模",
}


@dataclass
class Coverage:
    """Every enterprise's status for every measure analysed."""

    rules: PopulationRules
    corpus: CorpusView
    measures: list[Clause]
    status: np.ndarray  # enterprises × measures, STATUSES codes
    valid: np.ndarray  # per measure: in force at the as-of date
    segments: pd.DataFrame = field(repr=False)  # per enterprise: the DIMENSIONS values
    matrix: RuleMatrix = field(repr=False)  # the measures' rules, compiled (one column of ``status`` each)
    states: np.ndarray = field(repr=False)  # enterprises × (matrix.conditions + 1): condition state codes

    @property
    def profiles(self) -> list[Profile]:
        """The population's profiles, in row order."""
        return self.rules.profiles

    @property
    def as_of(self) -> dt.date:
        """The date the statuses are judged at."""
        return self.rules.as_of

    def column(self, clause_id: str) -> int:
        """The position of a measure analysed (its column of ``status``); KeyError when it is not one."""
        for j, clause in enumerate(self.measures):
            if clause.id == clause_id:
                return j
        raise KeyError(f"措施 {clause_id} 不在分析范围内")

    def condition_states(self, j: int) -> list[tuple[Condition, np.ndarray]]:
        """``PopulationRules.condition_states`` of measure ``j`` from the states already judged: each condition
        of its rule (area first, the clause's own objects) with its state codes per enterprise (views)."""
        clause = self.measures[j]
        conditions = conditions_for(clause, self.corpus.documents[clause.policy_id])
        ids = self.matrix.clause_conditions(j)
        return [(cond, self.states[:, cid]) for cond, cid in zip(conditions, ids, strict=True)]

    def usable(self, include_partial: bool = False) -> np.ndarray:
        """enterprises × measures: eligible (or partial too)."""
        return self.status <= (PARTIAL if include_partial else ELIGIBLE)

    def benefit_matrix(self) -> np.ndarray:
        """measures × benefit types (BENEFITS order), 1 where the measure offers the type."""
        b = np.zeros((len(self.measures), len(BENEFITS)), dtype=np.int32)
        index = {name: j for j, name in enumerate(BENEFITS)}
        for i, clause in enumerate(self.measures):
            for name in clause.benefits:
                b[i, index[name]] = 1
        return b


def segment_values(profiles: Sequence[Profile]) -> pd.DataFrame:
    """Each enterprise's segment: 注册地, 行业 (controlled list), 发展阶段, 规模 ('未填写'/'无法判定' when missing)."""
    values = {
        "region": [p.region for p in profiles],
        "industry": [p.industry_category or "未填写" for p in profiles],
        "stage": [p.stage or "未填写" for p in profiles],
        "size_class": [size_class(p) or "无法判定" for p in profiles],
    }
    order = {
        "region": list(REGIONS),
        "industry": [*INDUSTRIES, "未填写"],
        "stage": [*STAGES, "未填写"],
        "size_class": ["大型", "中型", "小型", "微型", "无法判定"],
    }
    # categories in the vocabularies' order, so that segments sort as people expect (浦东新区 first)
    return pd.DataFrame({k: pd.Categorical(v, categories=order[k], ordered=True) for k, v in values.items()})


def compute_coverage(rules: PopulationRules, corpus: CorpusView, valid_only: bool = False) -> Coverage:
    """Status of every measure for every enterprise; ``valid_only`` keeps measures in force at ``rules.as_of``."""
    measures = corpus.measures
    valid = np.array([is_valid(corpus.documents[c.policy_id], rules.as_of) for c in measures], dtype=bool)
    if valid_only:
        measures = [c for c, v in zip(measures, valid, strict=True) if v]
        valid = np.ones(len(measures), dtype=bool)
    matrix = RuleMatrix(measures, dict(corpus.documents))
    states = matrix.condition_states(rules.facts)
    status = matrix.evaluate_states(states)[0]
    segments = segment_values(rules.profiles)
    return Coverage(rules, corpus, measures, status, valid, segments, matrix=matrix, states=states)
