"""Readiness: how far an enterprise is from each qualification, and what becoming one unlocks.

``check_readiness(profile, as_of)`` checks every criterion in policies/criteria/ with the rule set in
force at ``as_of``; ``unlock_pathways(recommendation, results)`` groups the measures a title would
unlock (the engine's ``partial`` verdicts) by that title, with the title's readiness.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from ..eligibility.facts import Facts, fact_label, held_at
from ..eligibility.status import STATE_LABELS
from ..eligibility.verdict import Gap
from ..pathways import by_unlocking_title
from ..profile import Profile, parse_profile
from .checks import CONFIRM, Checker, check_rule_set, first_term_end
from .model import Criterion, load_criteria
from .outcome import State
from .wording import num, show

if TYPE_CHECKING:
    from ..engine import Recommendation, Result

HELD = "已持有"
RECHECK_NOTE = "以下差距供重新认定（复审）参考"  # among a held title's reasons, when it has gaps
CONFIRM_LABEL = "待企业确认"  # unknown, but only conditions the enterprise confirms are open


@dataclass
class QualificationResult:
    """One qualification checked against a profile at a date: status, gaps, reasons, source, scores, benefits."""

    name: str
    status: State
    gaps: list[Gap]
    source: str  # document and article the criteria come from
    reasons: list[str] = field(default_factory=list)
    kind: str = "title"  # title (a recognition) or tax (a tax treatment)
    held: bool = False
    assessed: State | None = None  # what the criteria say, also when held (re-recognition)
    rules_from: dt.date | None = None  # the start date of the rule set applied
    scores: list[dict[str, Any]] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)
    benefits: list[str] = field(default_factory=list)
    summary: str = ""
    gap_states: list[State] = field(default_factory=list)  # per gap: not_met or unknown
    rules_date_verified: bool = True  # whether the start date of the rule set applied was checked
    values_verified: bool = True  # whether every value the verdict used was checked (the headline mark)
    term_ended: bool = False  # held, but the first term (from qualification_dates) ended before the as-of date
    notes: list[str] = field(default_factory=list)  # of ``reasons``, those that are no condition met (a held term)

    @property
    def status_label(self) -> str:
        """The status in Chinese: 已持有 when the enterprise holds the title, else 已满足 / 未满足 / 信息不足."""
        return HELD if self.held else STATE_LABELS[self.status]

    @property
    def headline(self) -> str:
        """The status as a headline shows it: "已满足（待核实）" when any value behind it is unverified.

        A held title (已持有) rests on the enterprise's own statement, not on the criteria: never marked.
        An unchecked start date of the rule set is said in ``basis``.
        """
        if self.held:
            return self.status_label + ("（首个有效期已届满，待核实是否重新认定）" if self.term_ended else "")
        label = CONFIRM_LABEL if self.to_confirm else self.status_label
        return label + ("" if self.values_verified else "（待核实）")

    @property
    def to_confirm(self) -> list[str]:
        """When every other condition is met: the ones left for the enterprise to confirm (credit records,
        查账征收 …); else empty. The status stays unknown: nobody has checked them."""
        if self.status != "unknown":
            return []
        for g in self.gaps:
            if g.required != CONFIRM:
                return []
        return [g.message for g in self.gaps]

    @property
    def basis(self) -> str:
        """Which rule set the verdict applies and from when: "《办法》第十一条（2016-01-01 起适用）"."""
        if self.rules_from is None:
            return self.source
        return _basis(self.source, self.rules_from, self.rules_date_verified)

    def states(self) -> list[State]:
        """Per gap, whether it is not met or unknown (same order as ``gaps``)."""
        return self.gap_states or ["unknown" if self.assessed == "unknown" else "not_met"] * len(self.gaps)

    def as_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data (the ``readiness --format json`` shape), each gap with its state."""
        return {
            "name": self.name,
            "status": self.status,
            "gaps": [{**g.as_dict(), "state": s} for g, s in zip(self.gaps, self.states(), strict=True)],
            "source": self.source,
            # additions to the contract
            "status_label": self.status_label,
            "kind": self.kind,
            "held": self.held,
            "assessed_status": self.assessed,
            "reasons": self.reasons,
            "rules_from": self.rules_from.isoformat() if self.rules_from else None,
            "scores": self.scores,
            "unverified": self.unverified,
            "benefits": self.benefits,
            "summary": self.summary,
            "headline": self.headline,
            "to_confirm": self.to_confirm,
            "basis": self.basis,
            "rules_date_verified": self.rules_date_verified,
        }


@cache  # a rule set's source and start date: one per criterion and rule set
def _basis(source: str, since: dt.date, date_verified: bool) -> str:
    """``QualificationResult.basis`` of a rule set applied from ``since`` (``date_verified``: that date checked)."""
    unchecked = "" if date_verified else "，起始日期待核实"
    return f"{source}（{since.isoformat()} 起适用{unchecked}）"


@cache  # a rule set's start date, source and note: one per criterion and rule set
def _start_unchecked(since: dt.date, source: str, note: str | None) -> str:
    """The unverified value a rule set whose start date ``since`` nobody has checked adds to a result."""
    return f"规则起始日期 {since.isoformat()}（{source}）：{note}"


def _held_reasons(c: Criterion, profile: Profile, as_of: dt.date, held: list[str]) -> tuple[list[str], bool]:
    """Why the title counts as held, with its term; True when the first term ended before ``as_of``
    (held only if it was re-recognised, which the profile does not say)."""
    reasons = [f"{HELD}：{'、'.join(held)}"]
    if not c.valid_years:
        return reasons, False
    pv = c.param(c.valid_years, as_of)
    first = profile.qualification_dates.get(held[0])  # type: ignore[call-overload]
    if pv.value is None:
        return reasons, False
    text = f"有效期 {num(pv.value)} 年{pv.flag}，到期需重新认定（{pv.source}）"
    end = first_term_end(first, pv.value) if first is not None else None
    if first is None or end is None:
        return [*reasons, text], False
    text = f"首次取得于 {first.isoformat()}，" + text + f"；按首次取得日期推算，首个有效期至 {end.isoformat()}"
    if end < as_of:
        text += "，已届满：请核实是否已重新认定"
    return [*reasons, text], end < as_of


@dataclass(frozen=True)
class _Benefit:
    """A benefit's words at a date: what ``_benefits`` works out once per criterion and date."""

    regions: list[str]  # shown only to enterprises registered there (empty: to all)
    param: str | None  # the parameter filling ``{value}``, noted by the checker when unverified
    text: str | None  # ``{value}`` filled; None: the parameter has no value at the date (left out, yet noted)
    tail: str  # the parameter's flag and source
    amount_of: str | None  # a fact: "按研发费用 X 万元计，<amount_label>约 Y 万元"
    amount_label: str
    rate: float | None  # the parameter's value, when a number: the amount is the fact's value times it


def _dated_benefits(c: Criterion, as_of: dt.date) -> list[_Benefit]:
    """The benefits of ``c`` at ``as_of`` (the text of one whose parameter has no value then: None)."""
    out = []
    for b in c.benefits:
        if not b.param:
            out.append(_Benefit(b.regions, None, b.text, "", None, b.amount_label, None))
            continue
        pv = c.param(b.param, as_of)
        if pv.value is None:  # not in force at this date
            out.append(_Benefit(b.regions, b.param, None, "", None, b.amount_label, None))
            continue
        number = isinstance(pv.value, (int, float))
        value = show(pv.value, pv.unit) if number else str(pv.value)
        text, tail = b.text.replace("{value}", value), f"{pv.flag}（{pv.source}）"
        out.append(_Benefit(b.regions, b.param, text, tail, b.amount_of, b.amount_label, pv.value if number else None))
    return out


def _benefits(c: Criterion, checker: Checker, profile: Profile, as_of: dt.date) -> list[str]:
    """What the qualification brings the enterprise, in words; each parameter used noted by ``checker``."""
    dated = checker._dated
    if dated.benefits is None:
        dated.benefits = _dated_benefits(c, as_of)
    out = []
    for b in dated.benefits:
        if b.regions and profile.region not in b.regions:
            continue
        text = b.text
        if b.param:
            checker.param(b.param)
            if text is None:
                continue
            if b.amount_of and b.rate is not None:
                fv = checker.fact(b.amount_of)
                if fv.value is not None:
                    amount = num(fv.value * b.rate)
                    text += f"：按{fact_label(b.amount_of)} {num(fv.value)} 万元计，{b.amount_label}约 {amount} 万元"
        out.append(text + b.tail)
    return out


def _not_recorded(c: Criterion, as_of: dt.date) -> QualificationResult:
    assert c.not_recorded is not None
    nr = c.not_recorded
    source = c.at(as_of).source  # nr.reference, as cited
    gap = Gap(nr.field, "以当年申报指南为准", "未知", f"{nr.message}（待核实）")
    return QualificationResult(
        c.qualification, "unknown", [gap], source, kind=c.kind, assessed="unknown",
        unverified=[f"{c.qualification}的认定条件（{source}）"], summary=c.summary, values_verified=False,
    )  # fmt: skip


def _assessed(c: Criterion, profile: Profile, as_of: dt.date, facts: Facts | None) -> QualificationResult:
    dated = c.at(as_of)
    found = dated.rules
    if found is None:
        first = min(c.rules)
        message = f"{as_of.isoformat()} 早于已收录的最早规则（{first.isoformat()} 起），无法判断"
        gap = Gap("as_of", f"≥ {first.isoformat()}", as_of.isoformat(), message)
        return QualificationResult(c.qualification, "unknown", [gap], "", kind=c.kind, summary=c.summary)
    since, rule_set = found
    checker = Checker(c, rule_set, profile, as_of, facts)
    outcome = check_rule_set(checker)
    unverified = list(checker.unverified.values())
    benefits = _benefits(c, checker, profile, as_of)
    if not rule_set.date_verified:
        unverified.insert(0, _start_unchecked(since, dated.source, rule_set.note))
    return QualificationResult(
        c.qualification, outcome.state, outcome.gaps, dated.source, outcome.reasons,
        kind=c.kind, assessed=outcome.state, rules_from=since, scores=outcome.scores,
        unverified=unverified, benefits=benefits, summary=c.summary,
        gap_states=outcome.gap_states(), rules_date_verified=rule_set.date_verified,
        values_verified=not checker.unverified,
    )  # fmt: skip


def check_one(c: Criterion, profile: Profile, as_of: dt.date, facts: Facts | None = None) -> QualificationResult:
    """One criterion at ``as_of``; a title the enterprise holds is met ("已持有"), its gaps kept for re-recognition.
    ``facts``: the profile's facts at ``as_of``, shared by the criteria checked together (derived once)."""
    return _checked(c, profile, as_of, facts, held_at(profile, as_of))


def _checked(
    c: Criterion, profile: Profile, as_of: dt.date, facts: Facts | None, own: list[str] | None
) -> QualificationResult:
    """``check_one``, given the titles the profile holds at ``as_of`` (``held_at``: None when it does not say)."""
    result = _not_recorded(c, as_of) if c.not_recorded else _assessed(c, profile, as_of, facts)
    held = [t for t in c.holds if t in own] if own else []
    if held:
        result.held = True
        result.status = "met"
        note = [RECHECK_NOTE] if result.gaps and result.assessed != "met" else []
        reasons, result.term_ended = _held_reasons(c, profile, as_of, held)
        result.notes = reasons[1:] + note  # the term and the re-recognition note: said, never ticked
        result.reasons = reasons + note + result.reasons
    return result


def check_readiness(profile: Profile | dict[str, Any], as_of: dt.date) -> list[QualificationResult]:
    """Every qualification in policies/criteria/, in their order, checked at ``as_of``."""
    profile = parse_profile(profile)
    facts = Facts(profile, as_of)
    own = held_at(profile, as_of)
    return [_checked(c, profile, as_of, facts, own) for c in load_criteria()]


# --- pathways ------------------------------------------------------------------------------


@dataclass
class Pathway:
    """The measures an enterprise would unlock by becoming ``title``, and how ready it is."""

    title: str
    readiness: QualificationResult | None  # None: no criteria for this title in policies/criteria/
    measures: list[Result]

    @property
    def status(self) -> str | None:
        """The readiness status of the title (met / not_met / unknown); None when it has no criteria."""
        return self.readiness.status if self.readiness else None

    def as_dict(self) -> dict[str, Any]:
        """The pathway as JSON-ready data: the title, its readiness, and the measures it unlocks."""
        r = self.readiness
        return {
            "title": self.title,
            "status": r.status if r else None,
            "status_label": r.status_label if r else "未评估",
            "headline": r.headline if r else "未评估",
            "gaps": [g.as_dict() for g in r.gaps] if r else [],
            "measures": [
                {
                    "rank": m.rank,
                    "clause_id": m.clause.id,
                    "policy_id": m.clause.policy_id,
                    "policy_title": m.document.title,
                    "title": m.clause.title,
                    "heading": m.clause.heading,
                    "text": m.clause.text,
                    "valid": m.valid,
                    "validity": m.validity,  # in_force | not_yet | ended, as in recommend's results
                }
                for m in self.measures
            ],
        }


_PATHWAY_ORDER = {"met": 0, "unknown": 1, "not_met": 2, None: 3}


def unlock_pathways(recommendation: Recommendation, results: list[QualificationResult]) -> list[Pathway]:
    """ "Measures you unlock by becoming X", grouped by X: the results whose only gaps are titles."""
    by_name = {r.name: r for r in results}
    groups = by_unlocking_title(recommendation.results.unlock_candidates())
    pathways = [Pathway(t, by_name.get(t), ms) for t, ms in groups.items()]
    return sorted(pathways, key=lambda p: (_PATHWAY_ORDER[p.status], -len(p.measures), p.title))
