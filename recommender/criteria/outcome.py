"""What checking a condition gives: met / not_met / unknown, gaps, reasons, scores; and how they combine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..eligibility.status import State, all_met, any_met
from ..eligibility.verdict import Gap


@dataclass
class Outcome:
    """The three-valued outcome of a condition: met / not_met / unknown, with gaps, reasons and score tables."""

    state: State
    gaps: list[Gap] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    scores: list[dict[str, Any]] = field(default_factory=list)
    gap_states: dict[Gap, State] = field(default_factory=dict)  # not_met or unknown, per gap

    def __post_init__(self) -> None:
        for gap in self.gaps:
            self.gap_states.setdefault(gap, "unknown" if self.state == "unknown" else "not_met")

    def gap_state(self, gap: Gap) -> State:
        """Whether ``gap`` is not met or unknown: its own state, else the outcome's."""
        return self.gap_states.get(gap, self.state)


def _states(outcomes: list[Outcome]) -> dict[Gap, State]:
    return {g: s for o in outcomes for g, s in o.gap_states.items()}


def all_of(outcomes: list[Outcome]) -> Outcome:
    """Met when every one is met; not met when any is not met; else unknown. Gaps of all that are open."""
    return Outcome(
        all_met(o.state for o in outcomes),
        gaps=[g for o in outcomes for g in o.gaps],
        reasons=[r for o in outcomes for r in o.reasons],
        scores=[s for o in outcomes for s in o.scores],
        gap_states=_states(outcomes),
    )


def any_of(outcomes: list[Outcome], label: str, gap_field: str | None, combine: bool) -> Outcome:
    """Met when any one is met; not met when none can be; else unknown.

    Open alternatives are shown either as one gap ("…，需满足其一：（1）…；（2）…") or each on its own,
    the later ones marked "或："."""
    scores = [s for o in outcomes for s in o.scores]
    met = [o for o in outcomes if o.state == "met"]
    if met:
        return Outcome("met", reasons=[r for o in met for r in o.reasons], scores=scores)
    state = any_met(o.state for o in outcomes)
    open_gaps = [[g for g in o.gaps] for o in outcomes]
    if combine:
        parts = [g.message for gaps in open_gaps for g in gaps]
        first = next((g for gaps in open_gaps for g in gaps), None)
        text = "；".join(f"（{i}）{m}" for i, m in enumerate(parts, 1))
        gap = Gap(
            field=gap_field or (first.field if first else "qualifications"),
            required="满足其一",
            actual="；".join(g.actual for gaps in open_gaps for g in gaps),
            message=f"{label}，需满足其一：{text}",
            qualification=next((g.qualification for gaps in open_gaps for g in gaps if g.qualification), None),
        )
        return Outcome(state, gaps=[gap], scores=scores)
    gaps, states = [], {}
    for i, (outcome, group) in enumerate(zip(outcomes, open_gaps, strict=True)):
        for g in group:
            message = g.message if i == 0 else f"或：{g.message}"
            gaps.append(Gap(g.field, g.required, g.actual, message, g.qualification))
            states[gaps[-1]] = outcome.gap_state(g)
    return Outcome(state, gaps=gaps, scores=scores, gap_states=states)
