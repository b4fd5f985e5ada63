"""What checking a condition gives: met / not_met / unknown, gaps, reasons, scores; and how they combine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..eligibility.status import State, all_met, any_met
from ..eligibility.verdict import Gap


@dataclass(slots=True)
class Outcome:
    """The three-valued outcome of a condition: met / not_met / unknown, with gaps, reasons and score tables."""

    state: State
    gaps: list[Gap] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    scores: list[dict[str, Any]] = field(default_factory=list)
    states: list[State] | None = None  # per gap, same order: not_met or unknown; None: each the outcome's own

    def own_states(self) -> list[State]:
        """Per gap, the state it was given (``states``), else unknown when the outcome is, else not met."""
        if self.states is not None:
            return self.states
        return ["unknown" if self.state == "unknown" else "not_met"] * len(self.gaps)

    def gap_states(self) -> list[State]:
        """Per gap, whether it is not met or unknown. Equal gaps given different states each take the state
        given last, as a mapping from gap to state would."""
        states = self.own_states()
        if len(set(states)) > 1 and len({g.message for g in self.gaps}) < len(self.gaps):
            last = dict(zip(self.gaps, states, strict=True))
            return [last[g] for g in self.gaps]
        return list(states)


def all_of(outcomes: list[Outcome]) -> Outcome:
    """Met when every one is met; not met when any is not met; else unknown. Gaps of all that are open."""
    gaps: list[Gap] = []
    reasons: list[str] = []
    scores: list[dict[str, Any]] = []
    states: list[State] = []
    for o in outcomes:
        if o.gaps:
            gaps += o.gaps
            states += o.own_states()
        if o.reasons:
            reasons += o.reasons
        if o.scores:
            scores += o.scores
    return Outcome(all_met([o.state for o in outcomes]), gaps, reasons, scores, states)


def any_of(outcomes: list[Outcome], label: str, gap_field: str | None, combine: bool) -> Outcome:
    """Met when any one is met; not met when none can be; else unknown.

    Open alternatives are shown either as one gap ("…，需满足其一：（1）…；（2）…") or each on its own,
    the later ones marked "或："."""
    scores = [s for o in outcomes for s in o.scores]
    met = [o for o in outcomes if o.state == "met"]
    if met:
        return Outcome("met", reasons=[r for o in met for r in o.reasons], scores=scores)
    state = any_met(o.state for o in outcomes)
    if combine:
        open_gaps = [g for o in outcomes for g in o.gaps]
        text = "；".join(f"（{i}）{g.message}" for i, g in enumerate(open_gaps, 1))
        gap = Gap(
            field=gap_field or (open_gaps[0].field if open_gaps else "qualifications"),
            required="满足其一",
            actual="；".join(g.actual for g in open_gaps),
            message=f"{label}，需满足其一：{text}",
            qualification=next((g.qualification for g in open_gaps if g.qualification), None),
        )
        return Outcome(state, gaps=[gap], scores=scores)
    gaps: list[Gap] = []
    states: list[State] = []
    for i, outcome in enumerate(outcomes):
        if not outcome.gaps:
            continue
        states += outcome.gap_states()
        if i == 0:  # the first alternative's gaps as they are (a gap's ``state`` is not carried over)
            gaps += [
                g if g.state is None else Gap(g.field, g.required, g.actual, g.message, g.qualification)
                for g in outcome.gaps
            ]
        else:
            gaps += [Gap(g.field, g.required, g.actual, f"或：{g.message}", g.qualification) for g in outcome.gaps]
    return Outcome(state, gaps=gaps, scores=scores, states=states)
