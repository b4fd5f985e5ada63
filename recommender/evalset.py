"""The labelled evaluation set (policies/eval/*.yaml; format: policies/eval/README.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .corpus_models import Clause
from .paths import POLICIES
from .profile import Profile
from .vocab import SHOWN_KINDS
from .yamlio import DataError, load_yaml, node_line, validate

EVAL = POLICIES / "eval"

Strict = ConfigDict(extra="forbid")


class Label(BaseModel):
    """One graded label of a case: the clause, grade 0–2 (0: must not be shown as 可申请), whether it is
    truly eligible, and why (from the policy text).
    """

    model_config = Strict
    clause: str
    grade: int = Field(ge=0, le=2)
    eligible: bool | None = None  # default: grade ≥ 1
    why: str = Field(min_length=4)

    @model_validator(mode="after")
    def _grade_zero_is_not_eligible(self) -> Label:
        if self.grade == 0 and self.eligible:
            raise ValueError("grade 0 means “must not be shown as eligible”: it cannot be eligible: true")
        return self

    @property
    def truly_eligible(self) -> bool:
        """Whether the enterprise is truly eligible: ``eligible`` when given, else grade ≥ 1."""
        return self.grade > 0 if self.eligible is None else self.eligible


class Case(BaseModel):
    """One labelled enterprise of ``policies/eval/``: its profile, the as-of date and its graded labels."""

    model_config = Strict
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    as_of: dt.date
    note: str | None = None
    profile: Profile
    labels: list[Label] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_label_per_clause(self) -> Case:
        seen: set[str] = set()
        for label in self.labels:
            if label.clause in seen:
                raise ValueError(f"clause {label.clause} is labelled twice")
            seen.add(label.clause)
        return self

    @property
    def grades(self) -> dict[str, int]:
        """Clause id → grade (0–2) of every labelled clause."""
        return {label.clause: label.grade for label in self.labels}

    @property
    def relevant(self) -> set[str]:
        """The ids of the clauses graded 1 or 2."""
        return {label.clause for label in self.labels if label.grade > 0}

    @property
    def forbidden(self) -> set[str]:
        """The ids of the clauses graded 0: showing them as 可申请 is an error."""
        return {label.clause for label in self.labels if label.grade == 0}

    @property
    def eligible(self) -> dict[str, bool]:
        """Judged clauses → whether the enterprise may truly use them now."""
        return {label.clause: label.truly_eligible for label in self.labels}


class CaseFile(BaseModel):
    """One file of ``policies/eval/``: a list of cases."""

    model_config = Strict
    cases: list[Case]


def load_cases(directory: Path = EVAL, clauses: list[Clause] | None = None) -> list[Case]:
    """All cases, in file then case order. With ``clauses``, every label must name a measure or a lead."""
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise DataError(f"{directory}: 没有评测用例文件（*.yaml）")
    measures = {c.id for c in clauses if c.kind in SHOWN_KINDS} if clauses is not None else None
    known = {c.id for c in clauses} if clauses is not None else None
    cases: list[Case] = []
    ids: dict[str, Path] = {}
    for path in files:
        data, node = load_yaml(path)
        parsed = validate(CaseFile, data, path, node)
        for i, case in enumerate(parsed.cases):
            if case.id in ids:
                line = node_line(node, ("cases", i, "id"))
                raise DataError(f"{path.name}:{line}: 用例 id {case.id} 与 {ids[case.id].name} 重复")
            ids[case.id] = path
            for j, label in enumerate(case.labels):
                if known is None or measures is None:
                    continue
                line = node_line(node, ("cases", i, "labels", j, "clause"))
                if label.clause not in known:
                    raise DataError(f"{path.name}:{line}: 条款 {label.clause} 不存在")
                if label.clause not in measures:
                    raise DataError(f"{path.name}:{line}: 条款 {label.clause} 是内部任务，不会被推荐")
            cases.append(case)
    return cases
