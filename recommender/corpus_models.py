"""The corpus as typed records: document metadata, clause annotations, built clauses."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from .eligibility.facts import RULE_FIELDS, RULE_OPS
from .shortened import shortened
from .vocab import Benefit, Kind, Region

Strict = ConfigDict(extra="forbid")


class AppliesTo(BaseModel):
    """A document's area: districts (empty: all of Shanghai), parks, and an optional zone name."""

    model_config = Strict
    regions: list[Region] = []
    parks: list[str] = []
    zone: str | None = None


class Layout(BaseModel):
    """Where a source's body begins and ends (marker lines) and the format of its task table, if any."""

    model_config = Strict
    table: Literal["tsv", "markdown"] | None = None
    begins_at: str | None = None
    ends_before: str | None = None


class DocumentMeta(BaseModel):
    """A document's hand-written metadata (``policies/sources/*.meta.yaml``): title, issuer, 文号, dates, area."""

    model_config = Strict
    policy_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=100)
    title: str
    short_title: str
    issuer: str
    doc_number: str | None = None
    issued: dt.date | None = None
    issued_year: int | None = None
    valid_from: dt.date
    valid_to: dt.date | None = None
    date_note: str | None = None
    applies_to: AppliesTo
    layout: Layout = Layout()


class SourceMeta(BaseModel):
    """The metadata file of one source text: the one or more documents it holds."""

    model_config = Strict
    documents: list[DocumentMeta] = Field(min_length=1)


class Condition(BaseModel):
    """One declarative eligibility condition, with the policy words it rests on."""

    model_config = Strict
    field: str
    op: str
    value: Any
    hard: bool | None = None  # None: the field's default
    otherwise: Literal["not_met", "unknown"] = "not_met"  # verdict when the test fails
    quote: str = Field(min_length=2)
    # what the test reads into the quote that the policy does not say ("原文未规定期限，按首次认定后一年内理解"):
    # said with every reason and gap of the condition, marked 待核实
    assumed: str | None = Field(default=None, min_length=2)

    @model_serializer(mode="wrap")
    def _assumption_only_when_made(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """The condition as stored; ``assumed`` only when there is one, so that a rule's stored form (and the
        registry's digest of it, ``push.sync``) is what it was before the field existed."""
        data = handler(self)
        if self.assumed is None:
            data.pop("assumed", None)
        return data

    @model_validator(mode="after")
    def _known_field_and_op(self) -> Condition:
        if self.field not in RULE_FIELDS:
            raise ValueError(f"未知条件字段 {self.field!r}，可用：{', '.join(RULE_FIELDS)}")
        kind = RULE_FIELDS[self.field].rule
        assert kind is not None
        if self.op not in RULE_OPS[kind]:
            raise ValueError(f"字段 {self.field} 不支持运算 {self.op!r}，可用：{sorted(RULE_OPS[kind])}")
        if kind == "number" and (
            not isinstance(self.value, (int, float)) or isinstance(self.value, bool) or not math.isfinite(self.value)
        ):
            raise ValueError(f"字段 {self.field} 的取值应为数字")
        if kind == "number" and self.value < 0:
            raise ValueError(f"字段 {self.field} 的取值不能为负数")
        if kind in {"choice", "set", "text", "confirm"} and not isinstance(self.value, list):
            raise ValueError(f"字段 {self.field} 的取值应为列表")
        if kind == "bool" and not isinstance(self.value, bool):
            raise ValueError(f"字段 {self.field} 的取值应为 true/false")
        return self

    @property
    def is_hard(self) -> bool:
        """Whether failing this condition makes a clause ineligible: its own ``hard``, else the field's default."""
        return RULE_FIELDS[self.field].hard if self.hard is None else self.hard


class Curation(BaseModel):
    """What a person decided about a clause or a part of one: kind, benefits, audience, rule, words, note.

    ``phrasings`` are the words an enterprise would use for the measure ("给大公司做配套"): indexed
    with the clause text (document expansion), never shown as policy text.
    """

    model_config = Strict
    kind: Kind
    benefits: list[Benefit] = []
    audience: list[str] = []
    eligibility: list[Condition] = []
    phrasings: list[str] = []
    note: str = Field(min_length=2)
    # False: proposals no person has reviewed yet (a document added by policy staff, exported as it stands)
    reviewed: bool = True
    departments: list[str] | None = None  # the responsible departments, when a reviewer corrected the text's


class Part(Curation):
    """One sub-measure of a clause whose sentences serve different audiences.

    ``text`` is the clause's own words for it: one or more consecutive sentences, copied exactly.
    """

    text: str = Field(min_length=2, pattern=r"[\u3400-\u9fffA-Za-z0-9]")


class Annotation(Curation):
    """What a person curated for one clause; with ``parts`` the clause is split into those sub-measures
    (ids ``<clause id>#<key>``), each with its own kind, audience and rule, keeping the article's provenance.
    """

    parts: dict[str, Part] = {}  # key → part: the id is "<clause id>#<key>"

    @model_validator(mode="after")
    def _parts_carry_the_rules(self) -> Annotation:
        if self.parts and (self.benefits or self.audience or self.eligibility or self.phrasings):
            raise ValueError("分项的条款，其 benefits/audience/eligibility/phrasings 写在各分项里")
        if any(not re.fullmatch(r"[a-z0-9]{1,8}", key) for key in self.parts):
            raise ValueError("分项的键只用小写字母或数字（如 a、b），它会成为条款编号的一部分")
        if len(self.parts) == 1:
            raise ValueError("只有一个分项时不必拆分")
        return self


class AnnotationFile(BaseModel):
    """One document's curated annotations (``policies/annotations/<policy_id>.yaml``), by clause id."""

    model_config = Strict
    policy_id: str
    clauses: dict[str, Annotation]


class Provenance(BaseModel):
    """Where a clause comes from: the source file and its first and last line (1-based, inclusive)."""

    file: str
    lines: tuple[int, int]


class Target(BaseModel):
    """A quantitative target in a clause ("每年导入优质企业不少于100家"): the words, ``op``, value and unit."""

    text: str
    op: Literal[">=", ">", "≈"]
    value: float
    unit: str


class TableItem(BaseModel):
    """A task-table row merged into the article it repeats."""

    label: str
    text: str
    departments: list[str] = []
    deadline: str | None = None
    provenance: Provenance


class Clause(BaseModel):
    """One clause of a document: its place in the hierarchy, text, departments, time node, provenance,
    and the curated (or proposed) kind, benefit types and eligibility rule.
    """

    id: str
    policy_id: str
    chapter: str | None = None
    section: str | None = None
    group: str | None = None
    article_no: int | None = None
    label: str | None = None
    title: str | None = None
    text: str
    lead_departments: list[str] = []
    support_departments: list[str] = []
    deadline: str | None = None
    targets: list[Target] = []
    table_items: list[TableItem] = []
    refines: str | None = None
    provenance: Provenance
    flags: list[str] = []
    kind: Kind = "internal"
    benefits: list[Benefit] = []
    audience: list[str] = []
    eligibility: list[Condition] = []
    phrasings: list[str] = []
    note: str | None = None
    curated: bool = False
    part_of: str | None = None  # the clause this sub-measure was split from (Annotation.parts)
    _opening: str | None = PrivateAttr(None)  # set by PolicyFile when another clause of the document has its title

    @property
    def heading(self) -> str:
        """What a list shows for the clause: its title, else the start of its text (24 characters). A title shared
        with other clauses of its document (the parts of one article, a task-table row under its article) is
        followed by the clause's opening words, so that two lines of one list can be told apart:
        促进科技金融精准赋能（强化政府创新基金的导向作用）."""
        if self.title:
            # read from the private values themselves: ``self._opening`` goes through BaseModel.__getattr__ (~2 µs),
            # and lists ask every shown clause's heading
            opening = (self.__pydantic_private__ or {}).get("_opening")
            return f"{self.title}（{opening}）" if opening else self.title
        return self.text[:24] + ("…" if len(self.text) > 24 else "")

    @property
    def departments(self) -> list[str]:
        """Lead, then supporting departments, then those of folded task-table items; each once, in that order."""
        seen = dict.fromkeys(self.lead_departments + self.support_departments)
        for item in self.table_items:
            seen.update(dict.fromkeys(item.departments))
        return list(seen)


class PolicyFile(BaseModel):
    """One built file under policies/clauses/: a document and its clauses."""

    source: str
    order: int  # position in the corpus: source file order, then document order within it
    document: DocumentMeta
    clauses: list[Clause]

    @model_validator(mode="after")
    def _tell_apart(self) -> PolicyFile:
        """Clauses sharing a title get their opening words shown after it (``Clause.heading``)."""
        by_title: dict[str, list[Clause]] = {}
        for clause in self.clauses:
            if clause.title:
                by_title.setdefault(clause.title, []).append(clause)
        for same in by_title.values():
            if len(same) > 1:
                openings = [opening_words(c.text) for c in same]
                for clause, words in zip(same, openings, strict=True):
                    twins = [c for c, w in zip(same, openings, strict=True) if w == words]
                    clause._opening = f"{words}，之{_ordinal(twins.index(clause))}" if len(twins) > 1 else words
        return self


_NUMBERING = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]+[）)]|\d+[.、．]|[一二三四五六七八九十]+、)\s*")
_PHRASE_END = re.compile(r"(?<=[，。；：,;:！？])")
OPENING = (8, 16)  # a clause's opening words shown after a shared title: at least phrases of 8 characters, cut at 16
_ORDINALS = "一二三四五六七八九十"


def _ordinal(index: int) -> str:
    """一, 二 … 十 for the first ten of a list (0-based ``index``), then 11, 12 …"""
    return _ORDINALS[index] if index < len(_ORDINALS) else str(index + 1)


def opening_words(text: str, shortest: int = OPENING[0], longest: int = OPENING[1]) -> str:
    """The opening phrases of ``text`` (its numbering left out, whole phrases until ``shortest`` characters, a
    phrase such as 到2025年 says little alone), at most ``longest`` characters, "…" marking a cut:
    "推动商业银行与创业投资机构、股权投资机构合作，…" → "推动商业银行与创业投资机构、股…"."""
    words = ""
    for phrase in _PHRASE_END.split(_NUMBERING.sub("", text.strip(), count=1)):
        words += phrase
        if len(words.rstrip("，。；：,;:！？")) >= shortest:
            break
    words = words.rstrip("，。；：,;:！？ ")
    return shortened(words, longest)
