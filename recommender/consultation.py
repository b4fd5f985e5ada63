"""What one consultation needs, shared by the web page, the Word/Excel sheets and the CLI.

A measure as a person reads it (status, where it comes from, whom to contact, validity), the
titles that would unlock more measures, and the readiness check when it is available
(``recommender.criteria.readiness`` is optional: without it, readiness is ``None``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from .criteria.readiness import QualificationResult
from .criteria.readiness import check_readiness as qualifications
from .eligibility.status import (
    EXPIRED,
    INELIGIBLE,
    LEAD,
    NOT_YET,
    STATE_LABELS,
    UNREVIEWED,
    display_label,
    display_state,
)
from .engine import Recommender, Result, Results
from .library_scope import district_brief
from .locator import article_label
from .pathways import by_unlocking_title
from .profile import LABELS, Profile
from .profile_fields import SPEC_FIELDS, extra_fields, shown

log = logging.getLogger(__name__)

STATUS_ORDER = ("eligible", "partial", "unknown", LEAD, UNREVIEWED, EXPIRED, NOT_YET)  # display states as listed
LISTED = 5  # the first LISTED of STATUS_ORDER are those of measures in force
UNREVIEWED_HINT = (
    "待审核·自动提取：本条来自政策人员新增的文件，类别和适用条件由系统从原文自动提取，尚未经人工审核，"
    "是否适用请以原文为准并向所列部门确认。"
)
# what 可关注 says: a lead (kind), or a measure whose rule asks nothing but where the enterprise is (display_state)
LEAD_HINT = (
    "可关注的线索：区里明确支持的产业方向、面向企业的服务或联系窗口，或除注册地、园区外未列出企业条件的措施；"
    "系统无法据此判断能否申报，可联系所列部门了解。"
)
SHEET_TOP = 10  # measures listed on a consultation sheet


def state_label(state: str) -> str:
    """The Chinese label of a display state (a rule status code, ``LEAD``, ``UNREVIEWED``, ``EXPIRED`` or
    ``NOT_YET``): 可申请, 可关注, 待审核·自动提取, 已过期, 尚未生效 …"""
    return display_label(state)


@dataclass
class MeasureView:
    """One recommended measure in the words shown on the page and in the sheets."""

    rank: int
    status: str  # eligible | partial | unknown
    title: str  # as lists show it, told apart from another clause of its document with that title (Clause.heading)
    text: str
    result: Result = field(repr=False, compare=False)  # reasons, gaps and matched words: written when first read
    benefits: list[str]
    lead_departments: list[str]
    other_departments: list[str]
    issuer: str
    document: str  # full title
    doc_number: str | None
    locator: str  # chapter · section · article or table item
    validity: str
    valid: bool
    clause_id: str
    score: float
    kind: str = "measure"  # measure | lead
    flags: list[str] = field(default_factory=list)  # what the source text lacks (原文缺字 …), from ingest
    not_yet: bool = False  # the document starts after the as-of date
    reviewed: bool = True  # False: the rule rests on proposals no person has reviewed (an added document)
    own_title: str = ""  # the clause's own title, shorter (a title other clauses share is not followed by words)

    written: dict[str, list[str]] = field(default_factory=dict, repr=False, compare=False)  # set over the result's

    def _read(self, name: str, read: Callable[[], list[str]]) -> list[str]:
        return list(self.written[name]) if name in self.written else read()

    @property
    def reasons(self) -> list[str]:
        """The conditions met, each quoting the policy (``verdict.evaluate``)."""
        return self._read("reasons", lambda: list(self.result.verdict.reasons))

    @reasons.setter
    def reasons(self, value: list[str]) -> None:
        self.written["reasons"] = list(value)

    @property
    def gaps(self) -> list[str]:
        """The open conditions in words: what is asked, what the enterprise has, how to settle it."""
        return self._read("gaps", lambda: [g.message for g in self.result.gaps])

    @gaps.setter
    def gaps(self, value: list[str]) -> None:
        self.written["gaps"] = list(value)

    @property
    def gap_states(self) -> list[str | None]:
        """Whether each gap is not met or not known ("not_met" | "unknown"), in the order of ``gaps``; None
        for each gap set over the result's (its state was not given)."""
        if "gaps" in self.written:
            return [None] * len(self.written["gaps"])
        return [g.state for g in self.result.gaps]

    @property
    def matched_terms(self) -> list[str]:
        """The enterprise's words the clause contains, heaviest first (at most 10)."""
        return self._read("matched_terms", lambda: list(self.result.matched_terms))

    @matched_terms.setter
    def matched_terms(self, value: list[str]) -> None:
        self.written["matched_terms"] = list(value)

    @property
    def explanations(self) -> list[str]:
        """Why it was listed besides its conditions: the needs it serves and the words it shares with the
        enterprise's own (``explain.why``), as the page and `recommend` show them."""
        return list(self.result.explanations)

    @property
    def unlocks_with(self) -> list[str]:
        """Titles that would make the measure eligible when titles are all it lacks."""
        return self._read("unlocks_with", lambda: list(self.result.verdict.unlocks_with))

    @unlocks_with.setter
    def unlocks_with(self, value: list[str]) -> None:
        self.written["unlocks_with"] = list(value)

    @property
    def state(self) -> str:
        """The display state (``status.display_state``): the rule status, ``LEAD``, ``UNREVIEWED``,
        ``EXPIRED`` or ``NOT_YET``."""
        specific = self.result.components["specific"] > 0  # a condition beyond the area was met
        return display_state(
            self.status, self.valid, self.kind, not_yet=self.not_yet, reviewed=self.reviewed, specific=specific
        )

    @property
    def status_label(self) -> str:
        """可申请 | 需补充条件 | 信息不足 | 可关注 | 待审核·自动提取 | 已过期 | 尚未生效."""
        return state_label(self.state)

    @property
    def source(self) -> str:
        """The document as cited: 《title》（文号） and the clause's place in it."""
        number = f"（{self.doc_number}）" if self.doc_number else ""
        return f"《{self.document}》{number}" + (f" {self.locator}" if self.locator else "")

    @property
    def contact(self) -> str:
        """Whom to contact: lead and other departments, else the issuer when the document names none."""
        if self.lead_departments:
            text = "牵头：" + "、".join(self.lead_departments)
            return text + ("；配合：" + "、".join(self.other_departments) if self.other_departments else "")
        if self.other_departments:
            return "、".join(self.other_departments)
        return f"文件未列明责任部门，可咨询发文单位：{self.issuer}"


def _validity(result: Result, as_of: dt.date) -> str:
    doc = result.document
    span = f"{doc.valid_from.isoformat()} 至 {doc.valid_to.isoformat() if doc.valid_to else '未规定截止日期'}"
    if result.valid:
        return span
    if doc.valid_from > as_of:
        return f"{span}（{as_of.isoformat()} 时尚未生效）"
    return f"{span}（{as_of.isoformat()} 时已过期）"


def measure_view(result: Result, as_of: dt.date, rank: int | None = None) -> MeasureView:
    """One result as the sheet and the pages show it: status, reasons, gaps, source, contacts, validity at
    ``as_of``; numbered ``rank`` (default: the result's rank)."""
    view = object.__new__(MeasureView)  # its fields set at once (``__init__`` would take as long again)
    shared = _clause_view(result, as_of)
    fields = shared.copy()  # in the order of the fields
    for name in _LISTS:
        fields[name] = list(shared[name])
    fields["rank"] = result.rank if rank is None else rank
    fields["status"], fields["result"], fields["score"], fields["written"] = result.status, result, result.score, {}
    view.__dict__ = fields
    return view


_VIEWS: dict[tuple[int, int, dt.date, bool], tuple[Any, Any, dict[str, Any]]] = {}
_VIEWS_MOST = 50_000  # clauses × as-of dates remembered (a roster asks a few hundred clauses at one date)
_LISTS = ("benefits", "lead_departments", "other_departments", "flags")  # copied for each view


def _clause_view(result: Result, as_of: dt.date) -> dict[str, Any]:
    """What a view of ``result`` shows of its clause and document at ``as_of`` (all but rank, status, score and
    the result), worked out once a clause and date: a roster asks the same clauses for every enterprise. The
    lists in ``_LISTS`` are shared: copy them. Keyed by the objects themselves, kept alive beside their key."""
    c, d = result.clause, result.document
    key = (id(c), id(d), as_of, result.valid)
    known = _VIEWS.get(key)
    if known is not None and known[0] is c and known[1] is d:
        return known[2]
    lead = list(c.lead_departments)
    article = article_label(c.article_no) if c.article_no else None
    parts = [c.chapter, c.section, c.group, article, c.label]
    view = {
        "title": c.heading,
        "text": c.text,
        "benefits": list(c.benefits),
        "lead_departments": lead,
        "other_departments": [x for x in c.departments if x not in lead],
        "issuer": d.issuer,
        "document": d.title,
        "doc_number": d.doc_number,
        "locator": " · ".join(p for p in parts if p),
        "validity": _validity(result, as_of),
        "valid": result.valid,
        "clause_id": c.id,
        "kind": c.kind,
        "flags": list(c.flags),
        "not_yet": result.validity == "not_yet",
        "reviewed": c.curated,
        "own_title": c.title or c.heading,
    }
    if len(_VIEWS) >= _VIEWS_MOST:
        _VIEWS.clear()
    _VIEWS[key] = (c, d, view)
    return view


# --- readiness (optional) --------------------------------------------------------------------


@dataclass
class ReadinessItem:
    """One qualification's readiness as the sheet shows it: status, gaps in words, source, benefits."""

    name: str
    status: str  # met | not_met | unknown
    gaps: list[str]
    source: str | None = None
    label: str | None = None  # the checker's own label (e.g. 已持有), when it gives one
    held: bool = False  # the enterprise already holds the title
    kind: str = "title"  # title (a recognition) or tax (a tax treatment)
    reasons: list[str] = field(default_factory=list)
    benefits: list[str] = field(default_factory=list)
    summary: str | None = None
    basis: str | None = None  # the rule set applied and from when (falls back to ``source``)
    gap_states: list[str] = field(default_factory=list)  # per gap: not_met | unknown ("" when not given)
    requires: list[str] = field(default_factory=list)  # titles its gaps ask to hold first (Gap.qualification)
    notes: list[str] = field(default_factory=list)  # of ``reasons``, those that are no condition met (a held term)

    @property
    def status_label(self) -> str:
        """The status in Chinese: the checker's headline (e.g. 已持有, 已满足（待核实）) when it gives one,
        else 已满足 / 未满足 / 信息不足."""
        return self.label or STATE_LABELS.get(self.status, self.status)

    @property
    def pending(self) -> bool:
        """Still to be worked on (an action-plan item)."""
        return not self.held and self.status != "met"

    @property
    def gaps_text(self) -> str:
        """The gaps one per line, as a cell shows them; for a title already held, led by RECHECK: they matter
        only when it is recognised again, not for holding it now."""
        lines = [RECHECK, *self.gaps] if self.held and self.gaps else self.gaps
        return "\n".join(lines)


RECHECK = "已持有，以下差距仅供重新认定（复审）参考："  # what leads a held title's gaps in a cell


def check_readiness(profile: Profile, as_of: dt.date) -> list[ReadinessItem] | None:
    """Every qualification's readiness at ``as_of`` (``criteria.readiness``) in the shape sheets and pages show,
    or None when the check fails (logged: the sheet then says it was not provided)."""
    try:
        return [_readiness_item(result) for result in qualifications(profile, as_of)]
    except Exception:
        log.exception("readiness check failed")
        return None


def _readiness_item(result: QualificationResult) -> ReadinessItem:
    """One qualification checked (``criteria.readiness.QualificationResult``) as sheets and pages show it: each
    gap as its message, and the titles the gaps ask to hold first (``Gap.qualification``)."""
    gaps = result.gaps
    return ReadinessItem(
        name=result.name,
        status=result.status,
        gaps=[g.message for g in gaps],
        source=result.source or None,
        label=result.headline,
        held=result.held,
        kind=result.kind,
        reasons=list(result.reasons),
        benefits=list(result.benefits),
        summary=result.summary or None,
        basis=result.basis or None,
        gap_states=list(result.states()),
        requires=[g.qualification for g in gaps if g.qualification],
        notes=list(result.notes),
    )


# --- one consultation ------------------------------------------------------------------------


@dataclass
class Consultation:
    """Everything one enterprise's consultation sheet shows, for one as-of date. The views of the measures not in
    force and of those a title would unlock (``expired``, ``unlocks``) are made when first read: the workbook only
    counts them (``expired_at``, ``unlocking``)."""

    profile: Profile
    as_of: dt.date
    measures: list[MeasureView]  # in force at as_of, best first (the first ``top``)
    results: Results = field(repr=False, compare=False)  # every measure ranked (``Recommendation.results``)
    expired_at: list[int]  # positions in ``results`` of the relevant measures not in force at as_of (``expired``)
    unlocking: dict[str, list[Result]]  # title → the results it would unlock (``pathways.by_unlocking_title``)
    readiness: list[ReadinessItem] | None
    in_force: int  # measures in force listed for the enterprise before the first ``top`` were kept (≥ len(measures))
    scope: str | None = None  # what the library does not cover for the enterprise (``library_scope.district_brief``)

    @cached_property
    def expired(self) -> list[MeasureView]:
        """The relevant measures not in force at as_of, numbered after ``measures``: shown as such, never mixed in."""
        first = len(self.measures) + 1
        return [measure_view(r, self.as_of, k) for k, r in enumerate(self.results.at(self.expired_at), first)]

    @cached_property
    def unlocks(self) -> dict[str, list[MeasureView]]:
        """Title → the measures it would unlock (``unlocking`` as views)."""
        return {t: [measure_view(r, self.as_of) for r in rs] for t, rs in self.unlocking.items()}

    def counts(self) -> dict[str, int]:
        """How many listed measures have each display state of a measure in force (``STATUS_ORDER[:LISTED]``)."""
        counts = dict.fromkeys(STATUS_ORDER[:LISTED], 0)
        for m in self.measures:
            counts[m.state] += 1
        return counts


def consult(
    recommender: Recommender,
    profile: Profile,
    as_of: dt.date,
    top: int | None = SHEET_TOP,
) -> Consultation:
    """Everything a visit needs for a validated profile; ``top=None`` keeps every measure in force.

    Measures are chosen by the vectorised statuses; the reasons and gaps of a measure are written when a
    page, sheet or workbook first reads them (``MeasureView.reasons``), those of the measures a title
    would unlock here (for the candidates ``RuleMatrix.may_unlock`` picks)."""
    # ruled-out measures too: those a title would unlock are listed apart (``unlocks``)
    rec = recommender.recommend(profile, top=None, as_of=as_of, include_ineligible=True)
    results = rec.results
    listed = results.status != INELIGIBLE
    in_force = np.flatnonzero(results.valid & listed)
    shown = in_force[:top]
    return Consultation(
        profile=profile,
        as_of=rec.as_of,
        measures=[measure_view(r, rec.as_of, k) for k, r in enumerate(results.at(shown), 1)],
        results=results,
        expired_at=np.flatnonzero(~results.valid & listed).tolist(),
        unlocking=by_unlocking_title(results.unlock_candidates(in_force=True)),
        readiness=check_readiness(profile, rec.as_of),
        in_force=len(in_force),
        scope=_scope(recommender, profile, rec.as_of),
    )


_BRIEFS: dict[tuple[int, str, str | None, dt.date], tuple[Any, str | None]] = {}
_BRIEFS_MOST = 10_000  # districts × parks × as-of dates remembered (a roster has a few dozen)


def _scope(recommender: Recommender, profile: Profile, as_of: dt.date) -> str | None:
    """``district_brief`` of the profile's district and park at ``as_of`` over the engine's documents, worked out
    once a district, park and date: a roster asks the same few for every enterprise. Keyed by the documents'
    mapping itself, kept alive beside its key (an engine's documents do not change once it is made)."""
    documents = recommender.documents
    key = (id(documents), profile.region, profile.park, as_of)
    known = _BRIEFS.get(key)
    if known is not None and known[0] is documents:
        return known[1]
    brief = district_brief(profile.region, documents.values(), as_of, profile.park)
    if len(_BRIEFS) >= _BRIEFS_MOST:
        _BRIEFS.clear()
    _BRIEFS[key] = (documents, brief)
    return brief


def profile_rows(profile: Profile) -> list[tuple[str, str]]:
    """(Chinese label, value shown) for every field of the spec (未填写 where unknown) and every other
    field the enterprise filled in."""
    names = list(SPEC_FIELDS) + [f for f in extra_fields() if getattr(profile, f) is not None]
    return [(LABELS.get(name, name), shown(name, getattr(profile, name))) for name in names]
