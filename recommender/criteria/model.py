"""The criteria pack (policies/criteria/*.yaml) as typed records: dated parameters and rule sets.

OpenFisca style: every number a rule tests is a named parameter whose values are dated
(``values: {2016-01-01: {value: …}}``, the latest date on or before the as-of date applies; a
``value: null`` ends it) and carry their reference (document, 文号, article) and whether a person
has checked them against the original (``verified``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from ..paths import CRITERIA
from ..yamlio import DataError, load_yaml, validate
from .wording import brief

Strict = ConfigDict(extra="forbid")
Op = Literal["gte", "lte", "is", "in", "holds", "mapped", "not_excluded", "positive", "not_encoded", "score"]
SKIP_FILES = {"size_class.yaml"}  # the size table has its own reader (eligibility/size.py)


class Reference(BaseModel):
    """Where a value or rule comes from: a document (key or full name) and an article."""

    model_config = Strict
    document: str  # a key of the file's ``documents`` or a document's full name
    article: str | None = None


class DatedValue(BaseModel):
    """A parameter's value from a date on, with its own reference, verification and note when they differ."""

    model_config = Strict
    value: Any
    reference: Reference | None = None  # default: the parameter's
    verified: bool | None = None  # default: the parameter's
    note: str | None = None


class Parameter(BaseModel):
    """A dated parameter (OpenFisca-style): description, unit, reference, and its values by start date."""

    model_config = Strict
    description: str
    unit: str
    reference: Reference | None = None
    verified: bool = True
    note: str | None = None
    values: dict[dt.date, DatedValue] = Field(min_length=1)

    @model_validator(mode="after")
    def _every_value_has_a_reference(self) -> Parameter:
        if self.reference is None and any(v.reference is None for v in self.values.values()):
            raise ValueError("每个取值都需要出处（reference）")
        return self


class ScorePart(BaseModel):
    """One part of a score table: its label, its table parameter (none: self-assessed), its own minimum."""

    model_config = Strict
    label: str
    param: str | None = None  # a score table (list of bands); none: self-assessed
    min: str | None = None  # parameter: the least points this part needs
    nonzero: bool = False  # this part must not score 0
    field: str | None = None  # the profile field that raises this part
    alternatives: list[str] = []  # other score tables for this part: the enterprise takes the best


class Condition(BaseModel):
    """One test, or a group of tests (``all`` / ``any``), in words a policy expert reads."""

    model_config = Strict
    label: str
    op: Op | None = None
    fact: str | None = None
    param: str | None = None
    value: bool | None = None  # for op: is
    band_by: str | None = None  # the fact that picks the band of a banded parameter
    mapping: str | None = None  # for op: mapped — parameter: {industry category: listed item}
    field: str | None = None  # the profile field a gap names (default: the fact's)
    evidence: str | None = None  # what settles it when the profile cannot
    article: str | None = None  # when the condition has no parameter of its own
    all: list[Condition] | None = None
    any: list[Condition] | None = None
    combine: bool = False  # an ``any`` group shown as one gap ("…，或…")
    parts: list[ScorePart] | None = None  # for op: score
    confirm: bool = False  # op not_encoded: settled by the enterprise's confirmation, not by figures to gather
    verified: bool = True  # op not_encoded: false when the condition itself is unchecked against the original
    # op not_encoded: a condition of the official rule that no profile field shows; always unknown,
    # so a rule set holding one never reaches met (the verdict names ``evidence`` instead)

    @model_validator(mode="after")
    def _shape(self) -> Condition:
        groups = [g for g in (self.all, self.any) if g is not None]
        if len(groups) + (self.op is not None) != 1:
            raise ValueError("条件应恰有 op、all、any 之一")
        needs_fact = {"gte", "lte", "is", "in", "mapped", "not_excluded", "positive"}
        if self.op in needs_fact and not self.fact:
            raise ValueError(f"op {self.op} 需要 fact")
        if self.op in {"gte", "lte", "in", "holds", "mapped", "not_excluded", "score"} and not self.param:
            raise ValueError(f"op {self.op} 需要 param")
        if self.op == "is" and self.value is None:
            raise ValueError("op is 需要 value（true/false）")
        if self.op == "mapped" and not self.mapping:
            raise ValueError("op mapped 需要 mapping（行业对照参数）")
        if self.op == "score" and not self.parts:
            raise ValueError("op score 需要 parts")
        if self.op == "not_encoded" and not self.evidence:
            raise ValueError("op not_encoded 需要 evidence（说明企业以什么材料证明）")
        return self


class RuleSet(BaseModel):
    """The conditions of a qualification from one date on (all must be met), with their source."""

    model_config = Strict
    source: Reference
    verified: bool = True
    date_verified: bool = True  # whether this rule set's start date was checked
    note: str | None = None
    all: list[Condition] = Field(min_length=1)


class Benefit(BaseModel):
    """What a qualification brings, in words; ``{value}`` filled from a parameter, an amount from a fact."""

    model_config = Strict
    text: str  # "{value}" is replaced by the parameter's value at the as-of date
    param: str | None = None
    amount_of: str | None = None  # a fact: "按研发费用 X 万元计，<amount_label>约 Y 万元"
    amount_label: str = "金额"
    regions: list[str] = []  # shown only to enterprises registered there


class NotRecorded(BaseModel):
    """A qualification whose criteria no source here gives: always unknown, with a message."""

    model_config = Strict
    reference: Reference
    message: str
    field: str = "qualifications"


class Criterion(BaseModel):
    """One qualification's criteria file (``policies/criteria/*.yaml``): documents, parameters, dated rule sets,
    benefits.
    """

    model_config = Strict
    qualification: str
    kind: Literal["title", "tax"] = "title"
    order: int
    holds: list[str] = []  # profile titles that mean the enterprise already has it
    summary: str
    documents: dict[str, str] = {}
    valid_years: str | None = None  # parameter
    parameters: dict[str, Parameter] = {}
    rules: dict[dt.date, RuleSet] = {}
    not_recorded: NotRecorded | None = None
    benefits: list[Benefit] = []
    _dated: dict[dt.date, DatedCriterion] = PrivateAttr(default_factory=dict)  # at()'s answers

    @model_validator(mode="after")
    def _params_exist(self) -> Criterion:
        if bool(self.rules) == bool(self.not_recorded):
            raise ValueError("应给出 rules 或 not_recorded 之一")
        used = [self.valid_years] + [b.param for b in self.benefits]
        for rule_set in self.rules.values():
            used += [p for c in rule_set.all for p in _params_of(c)]
        missing = sorted({p for p in used if p and p not in self.parameters})
        if missing:
            raise ValueError(f"引用了未定义的参数：{', '.join(missing)}")
        return self

    def document(self, ref: Reference) -> str:
        """The full name of the document a reference points to (its key resolved through ``documents``)."""
        return self.documents.get(ref.document, ref.document)

    def cite(self, ref: Reference) -> str:
        """A reference as cited in messages: document name and article."""
        article = ref.article or ""
        return self.document(ref) + (f"（{article}）" if article.startswith("条款号") else article)

    def rule_set(self, as_of: dt.date) -> tuple[dt.date, RuleSet] | None:
        """The rule set in force at ``as_of`` with its start date; None before the first one."""
        return self.at(as_of).rules

    def param(self, name: str, as_of: dt.date) -> ParamValue:
        """The parameter ``name`` in force at ``as_of`` (value None before its first date); KeyError if unknown."""
        return self.at(as_of).params[name]

    def at(self, as_of: dt.date) -> DatedCriterion:
        """The rule set and every parameter in force at ``as_of``, worked out once per date and kept: a criterion
        is read-only once loaded, and readiness asks the same ones for every profile."""
        dated: dict[dt.date, DatedCriterion] = self.__pydantic_private__["_dated"]  # not via BaseModel.__getattr__
        known = dated.get(as_of)
        if known is None:
            known = dated[as_of] = DatedCriterion(self, as_of)
        return known

    def _rule_set(self, as_of: dt.date) -> tuple[dt.date, RuleSet] | None:
        dates = [d for d in sorted(self.rules) if d <= as_of]
        return (dates[-1], self.rules[dates[-1]]) if dates else None

    def _param(self, name: str, as_of: dt.date) -> ParamValue:
        p = self.parameters[name]
        dates = [d for d in sorted(p.values) if d <= as_of]
        if not dates:
            return ParamValue(name, p.description, p.unit, None, self.cite(p.reference or _first_ref(p)), True, None)
        v = p.values[dates[-1]]
        ref = v.reference or p.reference
        assert ref is not None  # checked by Parameter
        verified = p.verified if v.verified is None else v.verified
        return ParamValue(name, p.description, p.unit, v.value, self.cite(ref), verified, v.note or p.note, dates[-1])


def _first_ref(p: Parameter) -> Reference:
    ref = next(v.reference for v in p.values.values() if v.reference)
    assert ref is not None
    return ref


def _params_of(cond: Condition) -> list[str]:
    names = [cond.param, cond.mapping]
    names += [x for part in cond.parts or [] for x in (part.param, part.min, *part.alternatives)]
    for child in (cond.all or []) + (cond.any or []):
        names += _params_of(child)
    return [n for n in names if n]


@dataclass(frozen=True)
class ParamValue:
    """A parameter's value at a date, with where it comes from."""

    name: str
    description: str
    unit: str
    value: Any  # None: no value at this date
    source: str
    verified: bool
    note: str | None
    since: dt.date | None = None

    @property
    def flag(self) -> str:
        """ "（待核实）" when the value is unverified, else ""."""
        return "" if self.verified else "（待核实）"


class DatedCriterion:
    """A criterion at one date: the rule set in force (``rules``: its start date and the rule set, None before the
    first) and its source as cited (``source``; for a criterion not recorded, the reference saying so), every
    parameter's value (``params``) and, asked once, each parameter's line in a list of unverified values
    (``note``)."""

    __slots__ = ("_notes", "benefits", "kept", "outcomes", "params", "plan", "rules", "source")

    def __init__(self, criterion: Criterion, as_of: dt.date) -> None:
        self.rules = criterion._rule_set(as_of)
        self.params: dict[str, ParamValue] = {name: criterion._param(name, as_of) for name in criterion.parameters}
        self._notes: dict[str, str] = {}
        # outcomes of conditions that read nothing of a profile but these values (``checks.Checker``), by key
        self.outcomes: dict[tuple[Any, ...], Any] = {}
        self.kept: set[int] = set()  # ids of the outcomes ``outcomes`` holds (alive while it holds them)
        self.plan: Any = None  # ``rules``' conditions compiled for this date (``checks.check_rule_set``), once asked
        self.benefits: Any = None  # the benefits' words at this date (``readiness._benefits``), once asked
        # where the rule set comes from (else why none is recorded), as cited
        nr = criterion.not_recorded
        self.source = criterion.cite(self.rules[1].source) if self.rules else criterion.cite(nr.reference) if nr else ""

    def note(self, name: str) -> str:
        """The parameter ``name`` as a list of unverified values names it: "描述：值（出处）"."""
        known = self._notes.get(name)
        if known is None:
            pv = self.params[name]
            known = self._notes[name] = f"{pv.description}：{brief(pv.value, pv.unit)}（{pv.source}）"
        return known


def load_criterion(path: Path) -> Criterion:
    """One criteria file, validated; DataError naming the file and line when it does not validate."""
    data, node = load_yaml(path)
    return validate(Criterion, data, path, node)


@lru_cache(maxsize=4)
def load_criteria(directory: Path = CRITERIA) -> tuple[Criterion, ...]:
    """Every criteria file but the size table, in their ``order``. Bad files raise DataError."""
    found = [load_criterion(p) for p in sorted(directory.glob("*.yaml")) if p.name not in SKIP_FILES]
    names = [c.qualification for c in found]
    if len(set(names)) != len(names):
        raise DataError(f"{directory}: 资格名称重复：{', '.join(sorted({n for n in names if names.count(n) > 1}))}")
    return tuple(sorted(found, key=lambda c: c.order))
