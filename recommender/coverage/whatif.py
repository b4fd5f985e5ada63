"""What-if: change a condition or a document's districts on copies, and see who gains or loses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..corpus_models import Condition
from ..eligibility.conditions import requirement
from ..eligibility.facts import RULE_FIELDS, fact_label
from ..eligibility.matrix import RuleMatrix
from ..eligibility.status import ELIGIBLE, PARTIAL
from ..locator import locator, place
from ..vocab import INDUSTRIES, QUALIFICATIONS, REGIONS, STAGES
from .analysis import CorpusView, Coverage


@dataclass(frozen=True)
class ConditionEdit:
    """Change, add or remove one condition of a clause.

    ``index`` is the position in ``clause.eligibility`` (None: add ``condition``); ``condition``
    None removes the one at ``index``.
    """

    clause_id: str
    index: int | None = None
    condition: Condition | None = None


@dataclass(frozen=True)
class RegionEdit:
    """Set the districts a document applies to (an empty list means: no district restriction)."""

    policy_id: str
    regions: tuple[str, ...]


Change = ConditionEdit | RegionEdit


def with_value(cond: Condition, value: Any) -> Condition:
    """The same condition (field, operator, quote) with another value, validated."""
    return Condition.model_validate({**cond.model_dump(exclude_none=True), "value": value})


def new_condition(field_name: str, op: str, value: Any, hard: bool | None = None) -> Condition:
    """A condition a person tries out; its quote says it is hypothetical."""
    probe = Condition(field=field_name, op=op, value=value, quote="假设条件")
    label = fact_label(field_name)
    return Condition(field=field_name, op=op, value=value, hard=hard, quote=f"假设条件：{label}{requirement(probe)}")


def apply_change(corpus: CorpusView, change: Change) -> CorpusView:
    """A new view with the change made on copies of the clause or document concerned."""
    if isinstance(change, RegionEdit):
        if change.policy_id not in corpus.documents:
            raise KeyError(f"没有文件 {change.policy_id}")
        bad = [r for r in change.regions if r not in REGIONS]
        if bad:
            raise ValueError(f"不认识的区：{'、'.join(bad)}")
        doc = corpus.documents[change.policy_id]
        applies = doc.applies_to.model_copy(update={"regions": list(dict.fromkeys(change.regions))})
        documents = {**corpus.documents, change.policy_id: doc.model_copy(update={"applies_to": applies})}
        return CorpusView(corpus.clauses, documents)
    clause = corpus.clause(change.clause_id)
    eligibility = list(clause.eligibility)
    if change.index is None:
        if change.condition is None:
            raise ValueError("新增条件时需给出条件")
        eligibility.append(change.condition)
    elif not 0 <= change.index < len(eligibility):
        raise IndexError(f"条款 {clause.id} 没有第 {change.index + 1} 个条件")
    elif change.condition is None:
        del eligibility[change.index]
    else:
        eligibility[change.index] = change.condition
    edited = clause.model_copy(update={"eligibility": eligibility})
    return CorpusView(tuple(edited if c.id == clause.id else c for c in corpus.clauses), corpus.documents)


def describe_change(corpus: CorpusView, change: Change) -> str:
    """The change in one Chinese line (条款 条件：旧 → 新, or 《文件》适用区域：旧 → 新)."""
    if isinstance(change, RegionEdit):
        doc = corpus.documents[change.policy_id]
        before = "、".join(doc.applies_to.regions) or "不限区"
        after = "、".join(change.regions) or "不限区"
        return f"《{doc.short_title}》适用区域：{before} → {after}"
    clause = corpus.clause(change.clause_id)

    def show(c: Condition) -> str:
        return f"{fact_label(c.field)}{requirement(c)}"

    name = locator(clause, corpus.documents[clause.policy_id])
    if change.index is None:
        return f"{name} 新增条件：{show(change.condition)}" if change.condition else name
    old = show(clause.eligibility[change.index])
    if change.condition is None:
        return f"{name} 删除条件：{old}"
    return f"{name} 条件：{old} → {show(change.condition)}"


@dataclass
class WhatIf:
    """A change's effect: who could use the touched measures before and after (enterprises × measures)."""

    description: str
    clause_ids: list[str]  # the measures the change touches (within the coverage analysed)
    before: np.ndarray  # enterprises × those measures: usable before
    after: np.ndarray
    total_before: np.ndarray  # per enterprise: usable measures of the whole coverage
    total_after: np.ndarray

    @property
    def gained(self) -> np.ndarray:
        """Enterprises that can use at least one touched measure they could not use before."""
        return np.flatnonzero((self.after & ~self.before).any(axis=1))

    @property
    def lost(self) -> np.ndarray:
        """Enterprises that can no longer use at least one touched measure they could use before."""
        return np.flatnonzero((self.before & ~self.after).any(axis=1))

    def summary(self) -> dict[str, int]:
        """The counts a page shows (Chinese keys): measures touched, enterprises and pairs gained or lost."""
        return {
            "涉及措施数": len(self.clause_ids),
            "获得资格企业数": len(self.gained),
            "失去资格企业数": len(self.lost),
            "获得资格（企业×措施）": int((self.after & ~self.before).sum()),
            "失去资格（企业×措施）": int((self.before & ~self.after).sum()),
            "新覆盖企业数": int(((self.total_before == 0) & (self.total_after > 0)).sum()),
            "不再被覆盖企业数": int(((self.total_before > 0) & (self.total_after == 0)).sum()),
        }


def changed_statuses(cov: Coverage, change: Change) -> tuple[list[int], np.ndarray]:
    """The columns of the measures a change touches and their status codes after it ``[enterprises, touched]``.

    The touched measures are compiled on top of the coverage's matrix (``RuleMatrix(base=...)``): only the
    conditions the change brings (a new value, a new area) are judged; the others' states are reused.
    """
    edited = apply_change(cov.corpus, change)
    if isinstance(change, RegionEdit):
        touched = [j for j, c in enumerate(cov.measures) if c.policy_id == change.policy_id]
    else:
        touched = [j for j, c in enumerate(cov.measures) if c.id == change.clause_id]
    clauses = [edited.clause(cov.measures[j].id) for j in touched]
    matrix = RuleMatrix(clauses, dict(edited.documents), base=cov.matrix)
    status = matrix.evaluate_states(matrix.condition_states(cov.rules.facts, known=cov.states))[0]
    return touched, status


def what_if(cov: Coverage, change: Change, include_partial: bool = False) -> WhatIf:
    """Re-evaluate only the measures a change touches, on copies; report who gains and who loses."""
    touched, status = changed_statuses(cov, change)
    limit = PARTIAL if include_partial else ELIGIBLE
    before = cov.status[:, touched] <= limit
    after = status <= limit
    total_before = cov.usable(include_partial).sum(axis=1)
    total_after = total_before - before.sum(axis=1) + after.sum(axis=1)
    return WhatIf(
        description=describe_change(cov.corpus, change),
        clause_ids=[cov.measures[j].id for j in touched],
        before=before,
        after=after,
        total_before=total_before,
        total_after=total_after,
    )


def what_if_table(cov: Coverage, result: WhatIf) -> pd.DataFrame:
    """Who gains and who loses, with the measures concerned (where they stand in their document; ids last)."""
    rows = []
    ids = np.array(result.clause_ids, dtype=object)
    places = np.array([place(cov.corpus.clause(i)) for i in result.clause_ids], dtype=object)
    for change, idx in (("获得资格", result.gained), ("失去资格", result.lost)):
        for i in idx:
            p = cov.profiles[i]
            mask = (
                (result.after[i] & ~result.before[i]) if change == "获得资格" else (result.before[i] & ~result.after[i])
            )
            rows.append(
                {
                    "变化": change,
                    "企业名称": p.name,
                    "注册地": p.region,
                    "所在园区": p.park or "",
                    "行业": cov.segments.at[i, "industry"],
                    "发展阶段": cov.segments.at[i, "stage"],
                    "企业规模": cov.segments.at[i, "size_class"],
                    "涉及条款数": int(mask.sum()),
                    "涉及条款": "、".join(places[mask]),
                    "变化前可用措施数": int(result.total_before[i]),
                    "变化后可用措施数": int(result.total_after[i]),
                    "涉及条款编号": "、".join(ids[mask]),
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "变化",
            "企业名称",
            "注册地",
            "所在园区",
            "行业",
            "发展阶段",
            "企业规模",
            "涉及条款数",
            "涉及条款",
            "变化前可用措施数",
            "变化后可用措施数",
            "涉及条款编号",
        ],
    )


def editable_value_kind(field_name: str) -> str:
    """choice / text / set / bool / number: how a page should let a person edit a condition's value."""
    kind = RULE_FIELDS[field_name].rule
    assert kind is not None
    return kind


def value_options(field_name: str) -> list[str] | None:
    """The values a person may pick for a list-valued condition, when the field has a fixed list."""
    return {
        "region": list(REGIONS),
        "industry": list(INDUSTRIES),
        "stage": list(STAGES),
        "size_class": ["大型", "中型", "小型", "微型"],
        "qualifications": list(QUALIFICATIONS),
    }.get(field_name)
