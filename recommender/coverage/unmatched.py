"""Measures no enterprise of a population can use, and the condition that stops them.

A condition stops a measure in one of two ways, said apart: no enterprise meets it (some were judged and all
failed), or no enterprise could be judged on it (the population does not hold the fact it needs, e.g. a
synthetic population has no 企业类型 and no roster states what only the enterprise can confirm). The second
says nothing about whether anyone would qualify.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..corpus_models import Clause, Condition, DocumentMeta
from ..eligibility.conditions import requirement
from ..eligibility.facts import RULE_FIELDS, fact_label
from ..eligibility.status import MET, NOT_MET, PARTIAL, UNKNOWN, UNKNOWN_STATUS
from ..locator import cited
from .analysis import Coverage, PopulationRules
from .tables import CLAUSE_ID, VALID


@dataclass(frozen=True)
class ConditionCount:
    """One condition of a measure's rule over a population: how many enterprises meet, fail, cannot tell."""

    field: str
    label: str
    requirement: str
    quote: str
    hard: bool
    area: bool  # the document's own area, not a condition of the clause
    met: int
    not_met: int
    unknown: int
    missing: int = 0  # enterprises without the fact it tests (part of ``unknown``)
    confirm: bool = False  # a fact only the enterprise can confirm: no profile holds it

    @property
    def blocks(self) -> bool:
        """No enterprise of the population is known to meet it (none met, or none could be judged)."""
        return self.met == 0

    @property
    def nobody_meets(self) -> bool:
        """Enterprises were judged on it and none meets it."""
        return self.met == 0 and self.not_met > 0

    @property
    def nobody_judged(self) -> bool:
        """No enterprise could be judged on it: the population lacks what it needs."""
        return self.met == 0 and self.not_met == 0

    @property
    def condition(self) -> str:
        """The condition in words: 已有资质具备GOI."""
        return f"{self.label}{self.requirement}"

    def why(self) -> str:
        """Why it stops the measure, in one Chinese phrase (its quote left out)."""
        if self.nobody_meets:
            unknown = f"（另有 {self.unknown} 家无法判断）" if self.unknown else ""
            return f"无企业满足：{self.condition}{unknown}"
        if self.confirm:
            return f"无法判断：“{self.condition}”须由企业自行确认，企业信息中没有这一项，样本无从判断有无企业符合"
        if self.missing == self.unknown:
            return f"无法判断：样本中没有企业有“{self.label}”信息，无从判断“{self.condition}”"
        return (
            f"无法判断：{self.condition}——{self.missing} 家没有“{self.label}”信息，"
            f"{self.unknown - self.missing} 家的信息不足以确认是否符合"
        )


@dataclass(frozen=True)
class Unmatched:
    """A measure no enterprise of the population can use, with every condition's counts."""

    clause: Clause
    document: DocumentMeta
    valid: bool
    partial: int  # enterprises for which only soft conditions are open
    conditions: list[ConditionCount]
    undecided: int = 0  # enterprises whose status is 信息不足: a hard condition could not be judged

    @property
    def blocking(self) -> list[ConditionCount]:
        """The conditions no enterprise is known to meet (nobody meets them, or nobody could be judged)."""
        return [c for c in self.conditions if c.blocks]

    @property
    def unjudged(self) -> bool:
        """Whether nobody matches only because the population lacks what some condition needs."""
        return bool(self.blocking) and all(c.nobody_judged for c in self.blocking)

    @property
    def reason(self) -> str:
        """Why nobody matches, in Chinese: each condition nobody meets or nobody could be judged on, else that
        nobody meets (or can be shown to meet) all at once."""
        if self.blocking:
            return "；".join(f"{c.why()}（原文：“{c.quote}”）" for c in self.blocking)
        parts = "；".join(f"{c.condition}（满足 {c.met} 家）" for c in self.conditions)
        if self.undecided:
            return (
                f"每个条件都有企业满足，但没有企业能确认同时满足全部条件（{self.undecided} 家有条件无法判断）：{parts}"
            )
        return f"每个条件都有企业满足，但没有企业同时满足全部条件：{parts}"


def condition_counts(source: Coverage | PopulationRules, clause: Clause, doc: DocumentMeta) -> list[ConditionCount]:
    """Per condition of the clause's rule (the document's area first): how many enterprises meet it.

    From a ``Coverage`` that analysed the clause (same document), the states it judged are counted;
    otherwise (a ``PopulationRules``, or a clause or document the coverage does not hold) they are judged.
    """
    own = list(clause.eligibility)
    facts = source.facts if isinstance(source, PopulationRules) else source.rules.facts
    out = []
    for cond, s in _states(source, clause, doc):
        need = requirement(cond)
        if cond.field == "park" and doc.applies_to.zone and cond not in own:
            need = f"位于{doc.applies_to.zone}所属园区"
        out.append(
            ConditionCount(
                field=cond.field,
                label=fact_label(cond.field),
                requirement=need,
                quote=cond.quote,
                hard=cond.is_hard,
                area=cond not in own,
                met=int((s == MET).sum()),
                not_met=int((s == NOT_MET).sum()),
                unknown=int((s == UNKNOWN).sum()),
                missing=sum(f.get(cond.field) is None for f in facts),
                confirm=RULE_FIELDS[cond.field].rule == "confirm",
            )
        )
    return out


def _states(
    source: Coverage | PopulationRules, clause: Clause, doc: DocumentMeta
) -> list[tuple[Condition, np.ndarray]]:
    if isinstance(source, PopulationRules):
        return source.condition_states(clause, doc)
    try:
        j = source.column(clause.id)
    except KeyError:
        return source.rules.condition_states(clause, doc)
    if source.measures[j] is clause and source.corpus.documents[clause.policy_id] is doc:
        return source.condition_states(j)
    return source.rules.condition_states(clause, doc)


def unmatched_measures(cov: Coverage, include_partial: bool = False) -> list[Unmatched]:
    """Measures no enterprise of the population can use, each with every condition's counts."""
    usable = cov.usable(include_partial)
    out = []
    for j in np.flatnonzero(~usable.any(axis=0)):
        clause = cov.measures[j]
        doc = cov.corpus.documents[clause.policy_id]
        out.append(
            Unmatched(
                clause=clause,
                document=doc,
                valid=bool(cov.valid[j]),
                partial=int((cov.status[:, j] == PARTIAL).sum()),
                conditions=condition_counts(cov, clause, doc),
                undecided=int((cov.status[:, j] == UNKNOWN_STATUS).sum()),
            )
        )
    return out


def unmatched_table(items: Sequence[Unmatched]) -> pd.DataFrame:
    """One row per measure: why nobody matches (the clause as people cite it; its id last)."""
    return pd.DataFrame(
        [
            {
                "条款": cited(u.clause),
                "文件": u.document.short_title,
                VALID: u.valid,
                "原因": u.reason,
                "需补充条件企业数": u.partial,
                "条款原文": u.clause.text,
                CLAUSE_ID: u.clause.id,
            }
            for u in items
        ],
        columns=["条款", "文件", VALID, "原因", "需补充条件企业数", "条款原文", CLAUSE_ID],
    )


def unmatched_conditions_table(items: Sequence[Unmatched]) -> pd.DataFrame:
    """One row per (measure, condition): how many enterprises meet, fail or cannot tell."""
    return conditions_table([(u.clause, u.conditions) for u in items])


def conditions_table(items: Iterable[tuple[Clause, Sequence[ConditionCount]]]) -> pd.DataFrame:
    """One row per (clause, condition count): the clause as people cite it (its id last), the field as people
    read it (``fact_label``), never its key."""
    columns = [
        "条款",
        "条件字段",
        "条件",
        "满足",
        "不满足",
        "无法判断",
        "其中缺少该信息",
        "无企业满足",
        "无企业可判断",
        "硬性",
        "来自文件适用范围",
        "原文",
        CLAUSE_ID,
    ]
    rows = [
        {
            "条款": cited(clause),
            "条件字段": c.label,
            "条件": f"{c.label}{c.requirement}",
            "满足": c.met,
            "不满足": c.not_met,
            "无法判断": c.unknown,
            "其中缺少该信息": c.missing,
            "无企业满足": c.nobody_meets,
            "无企业可判断": c.nobody_judged,
            "硬性": c.hard,
            "来自文件适用范围": c.area,
            "原文": c.quote,
            CLAUSE_ID: clause.id,
        }
        for clause, counts in items
        for c in counts
    ]
    return pd.DataFrame(rows, columns=columns)
