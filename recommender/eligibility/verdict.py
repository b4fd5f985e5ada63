"""The reference evaluation of one clause for one profile: its status, with reasons and gaps.

This is what a person reads (each reason quotes the policy's words; each gap says what is
asked, what the enterprise has and how to settle it). The vectorised evaluator (``matrix``) must
agree with it on every status; ``tests/test_rulematrix.py`` checks that.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ..corpus_models import Clause, Condition, DocumentMeta
from ..profile import Profile
from ..profile_fields import form_name
from .conditions import check, conditions_for, display, enterprise_has, has, is_area, need, requirement
from .facts import TITLE_AGE_FIELDS, Facts, FactValue, fact_label
from .matrix import UNHASHABLE, hashable_value
from .status import STATUSES, State, Status, status_of


@dataclass(frozen=True)
class Gap:
    """An open condition: the fact (``field``), what is required, what the enterprise has, and a message.

    ``qualification`` names a title the enterprise could still win that would settle it. ``state`` says
    whether the condition is not met or not known (a measure's gaps, from ``evaluate``; None where the
    maker does not say: the qualification checks keep theirs apart, ``QualificationResult.states``).
    """

    field: str
    required: str
    actual: str
    message: str
    qualification: str | None = None
    state: State | None = None

    def as_dict(self) -> dict[str, Any]:
        """The gap as the CLI contract's JSON object (``qualification`` and ``state`` only when set)."""
        data = {"field": self.field, "required": self.required, "actual": self.actual, "message": self.message}
        if self.qualification:
            data["qualification"] = self.qualification
        if self.state is not None:
            data["state"] = self.state
        return data


@dataclass
class Verdict:
    """A clause's status for a profile, with the reasons met and the gaps open."""

    status: Status
    reasons: list[str] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    met_specific: int = 0  # conditions met beyond the document's own area

    @property
    def unlocks_with(self) -> list[str]:
        """Titles that would turn this measure eligible, when titles (not held, or not said) are all that is missing."""
        if self.status == Status.ELIGIBLE or not self.gaps or any(g.qualification is None for g in self.gaps):
            return []
        return sorted({g.qualification for g in self.gaps if g.qualification})


def _ask(label: str, fact: FactValue) -> str:
    """What to ask for an unknown fact, naming what the 企业自测 form has (``profile_fields.form_name``):
    "请补充营业收入（用于判断企业规模）" for a fact the profile's fields settle; "请补充“高新技术企业 取得日期”
    （在“已有资质”中选高新技术企业后填写）" for a title's age; "请确认企业规模（…）" when the fields given
    cannot settle it (the derivation's note says why) or no field of the form holds it."""
    title = TITLE_AGE_FIELDS.get(fact.name)
    inputs = [form_name(f, title) for f in fact.missing if f != fact.name]
    if inputs:
        return f"请补充{'、'.join(inputs)}" + ("" if title else f"（用于判断{label}）")
    if fact.name in Profile.model_fields:
        return f"请补充{form_name(fact.name)}"
    return f"请确认{label}（{fact.note}）" if fact.note else f"请确认{label}"


def _gap(cond: Condition, state: State, shown: str, doc: DocumentMeta, fact: FactValue) -> Gap:
    label = fact_label(cond.field)
    asked = need(cond, doc.applies_to.zone)
    # the document's own area quotes its title: say whose scope it is rather than quote a title
    quote = f"（《{doc.short_title}》的适用范围）" if cond.quote == doc.title else f"（原文：“{cond.quote}”）"
    quote += assumption(cond)
    if cond.field == "confirm":
        message = f"请确认企业是否属于{'、'.join(cond.value)}{quote}"
    elif state == "unknown" and shown == "未填写":
        message = f"{_ask(label, fact)}：本措施需{asked}{quote}"
    elif state == "unknown":
        # the test failed where the policy leaves it open (otherwise: unknown): a park spelt otherwise, "专精特新等
        # 高增长企业" for an enterprise with other titles. Never "请确认是否已取得…" of a title it said it lacks
        message = f"本措施需{asked}，{enterprise_has(cond.field, shown)}；是否属于原文所指对象，请确认{quote}"
    else:
        message = f"本措施需{asked}，{enterprise_has(cond.field, shown)}{quote}"
    need_text = requirement(cond)
    if cond.field == "park":
        need_text = f"位于{doc.applies_to.zone or '、'.join(cond.value)}所属园区"
    title = None
    if cond.field == "qualifications" and cond.op == "any_of" and cond.hard is not True:  # one it could win
        title = cond.value[0]
    return Gap(field=cond.field, required=need_text, actual=shown, message=message, qualification=title, state=state)


def assumption(cond: Condition) -> str:
    """What a condition reads into its quote that the policy does not say, marked 待核实 ("（原文未规定期限，按首次
    认定后一年内理解…，待核实）"); "" when it reads nothing in (``Condition.assumed``)."""
    return f"（{cond.assumed}，待核实）" if cond.assumed else ""


def evaluate(clause: Clause, doc: DocumentMeta, facts: Facts) -> Verdict:
    """The clause's verdict for the profile behind ``facts`` (at ``facts.as_of``)."""
    reasons: list[str] = []
    gaps: list[Gap] = []
    hard_fail = hard_unknown = soft_open = False
    met_specific = 0
    for cond in conditions_for(clause, doc):
        state, shown = check(cond, facts)
        if state == "met":
            said = has(cond.field, shown)
            if cond.quote == doc.title:  # the document's own area: its scope, not a quotation
                reasons.append(f"{said}，在《{doc.short_title}》的适用范围内")
            else:
                reasons.append(f"{said}，符合“{cond.quote}”{assumption(cond)}")
            met_specific += not is_area(cond)
            continue
        gap = _gap(cond, state, shown, doc, facts.fact(cond.field))
        title = TITLE_AGE_FIELDS.get(cond.field)
        if title and title not in (facts.get("qualifications") or set()):  # settled by winning the title first
            gap = replace(gap, qualification=title)
        gaps.append(gap)
        if cond.is_hard:
            hard_fail |= state == "not_met"
            hard_unknown |= state == "unknown"
        else:
            soft_open = True
    status = STATUSES[status_of(hard_fail, hard_unknown, soft_open)]
    return Verdict(status=status, reasons=reasons, gaps=gaps, met_specific=met_specific)


def _reading(facts: Facts, name: str) -> Any:
    """What ``evaluate`` reads of one fact, as a memo key: the value (typed, ``hashable_value``) with the
    way it is shown (0.0 and -0.0 are equal but read differently), or for an unknown value what would settle
    it (``missing``, ``note``: its gap says so). ``UNHASHABLE`` when the value cannot be a key."""
    fact = facts.fact(name)
    if fact.value is None:
        return (None, fact.missing, fact.note)
    key = hashable_value(fact.value)
    return key if key is UNHASHABLE else (key, display(name, fact.value))


class Verdicts:
    """``evaluate(clause, doc, facts)`` for many enterprises, written once per distinct reading of the facts
    the clause's rule tests (``conditions_for``; the titles held too when a gap may name a title to win
    first, ``TITLE_AGE_FIELDS``): enterprises alike in those facts get equal verdicts, each its own copy.
    Remembers at most ``limit`` readings; an unhashable value is judged on its own.
    """

    def __init__(self, clause: Clause, doc: DocumentMeta, limit: int = 100_000) -> None:
        self.clause, self.doc, self._limit = clause, doc, limit
        fields = list(dict.fromkeys(c.field for c in conditions_for(clause, doc)))
        if any(f in TITLE_AGE_FIELDS for f in fields) and "qualifications" not in fields:
            fields.append("qualifications")
        self._fields = tuple(fields)
        self._known: dict[tuple[Any, ...], Verdict] = {}

    def __call__(self, facts: Facts) -> Verdict:
        """The clause's verdict for the profile behind ``facts``, equal to ``evaluate``'s."""
        key = tuple(_reading(facts, f) for f in self._fields)
        if any(k is UNHASHABLE for k in key):
            return evaluate(self.clause, self.doc, facts)
        known = self._known.get(key)
        if known is None:
            known = evaluate(self.clause, self.doc, facts)
            if len(self._known) < self._limit:
                self._known[key] = known
        return replace(known, reasons=list(known.reasons), gaps=list(known.gaps))
