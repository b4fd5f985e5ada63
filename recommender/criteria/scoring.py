"""Score tables (科技型中小企业, 创新型中小企业): sub-scores, a total, and what the next band needs.

A score table is a list of bands, first match wins: ``{rd_ratio: 0.06, points: 50}`` means 50 points
when rd_ratio ≥ 6%. With a fact unknown a part's points are a range; the total is met only when its
lowest possible value reaches the minimum. A part without a table is self-assessed: unknown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

from ..eligibility.facts import FACTS, FactValue, fact_label
from ..eligibility.status import all_met
from ..eligibility.verdict import Gap
from ..profile import Profile
from ..profile_fields import form_name
from .model import Condition, ParamValue, ScorePart
from .outcome import Outcome, State
from .wording import distance, num, show

EPS = 1e-9
BAND_KEYS = frozenset({"points", "label"})  # a band's keys that are not facts


class CheckContext(Protocol):
    """What scoring needs from the checker of a rule set (``checks.Checker`` is one).

    ``param`` gives a parameter's value at the as-of date and notes it when unverified, ``fact``
    a fact of the profile (None when unknown), ``flag`` "（待核实）" when any value is unverified.
    """

    profile: Profile
    as_of: dt.date

    def param(self, name: str) -> ParamValue:
        """The parameter ``name`` in force at ``as_of`` (value None before its first date); KeyError if unknown."""
        ...

    def fact(self, name: str) -> FactValue:
        """The fact ``name`` of ``profile`` at ``as_of``; its value is None when unknown."""
        ...

    def flag(self, *pvs: ParamValue) -> str:
        """The mark "（待核实）" when the rule set or any of ``pvs`` is unverified, else ""."""
        ...


@dataclass
class PartScore:
    """One part of a score table for a profile: the lowest and highest points it can have (a range when
    facts are unknown), the table's best, the part's own minimum, and the facts it used.
    """

    part: ScorePart
    low: float | None  # None: self-assessed, unknown
    high: float | None
    top: float | None  # the table's best points
    least: float | None  # the part's own minimum (parameter)
    facts: list[FactValue]
    table: ParamValue | None
    bands: list[dict[str, Any]]

    @property
    def points(self) -> float | None:
        """The part's points when known exactly (low == high), else None."""
        return self.low if self.low is not None and self.low == self.high else None


def band_facts(bands: list[dict[str, Any]]) -> list[str]:
    """The facts a score table's bands test, in order (every key but ``points`` and ``label``)."""
    return list(dict.fromkeys(k for b in bands for k in b if k not in BAND_KEYS))


def score_facts(cond: Condition, params: dict[str, ParamValue]) -> list[str]:
    """The facts a score condition's tables test (``band_facts`` of each part's table and its alternatives),
    ``params`` holding the parameters in force."""
    tables = [t for part in cond.parts or [] if part.param for t in [part.param, *part.alternatives]]
    return list(dict.fromkeys(n for t in tables for n in band_facts(params[t].value or [])))


def _band_state(band: dict[str, Any], facts: dict[str, FactValue]) -> State:
    states: list[State] = []
    for name, least in band.items():
        if name in BAND_KEYS:
            continue
        value = facts[name].value
        states.append("unknown" if value is None else "met" if value >= least - EPS else "not_met")
    return all_met(states)


def _score_part(checker: CheckContext, part: ScorePart) -> PartScore:
    least = checker.param(part.min).value if part.min else None
    if not part.param:
        return PartScore(part, None, None, None, least, [], None, [])
    table = checker.param(part.param)
    bands: list[dict[str, Any]] = table.value
    tables = [table, *(checker.param(name) for name in part.alternatives)]
    names = list(dict.fromkeys(n for t in tables for n in band_facts(t.value)))
    facts = {n: checker.fact(n) for n in names}
    ranges = [_table_range(t.value, facts) for t in tables]  # the enterprise takes the best table
    top = max(b["points"] for t in tables for b in t.value)
    low, high = max(r[0] for r in ranges), max(r[1] for r in ranges)
    return PartScore(part, low, high, top, least, list(facts.values()), table, bands)


def _table_range(bands: list[dict[str, Any]], facts: dict[str, FactValue]) -> tuple[float, float]:
    """The lowest and highest points a score table can give (first matching band wins; unknown facts open it)."""
    possible: list[float] = []
    for band in bands:
        state = _band_state(band, facts)
        if state == "met":
            possible.append(band["points"])
            break
        if state == "unknown":
            possible.append(band["points"])
    return min(possible), max(possible)


def _state(parts: list[PartScore], required: float) -> State:
    if any(p.low is None or p.high is None for p in parts):
        return "unknown"
    low = sum(p.low or 0 for p in parts)
    high = sum(p.high or 0 for p in parts)
    if (
        high < required - EPS
        or any(p.part.nonzero and (p.high or 0) <= 0 for p in parts)
        or any(p.least is not None and (p.high or 0) < p.least for p in parts)
    ):
        return "not_met"
    if (
        low >= required - EPS
        and all((p.low or 0) > 0 for p in parts if p.part.nonzero)
        and all((p.low or 0) >= p.least for p in parts if p.least is not None)
    ):
        return "met"
    return "unknown"


def _points(p: PartScore) -> str:
    if p.low is None:
        return "未知"
    return f"{num(p.low)} 分" if p.low == p.high else f"{num(p.low)}–{num(p.high or 0)} 分"


def _hint(checker: CheckContext, p: PartScore) -> tuple[Gap, bool] | None:
    """What the next band of one part needs, in the enterprise's numbers; True when facts are missing."""
    flag = checker.flag(p.table) if p.table else ""
    field = p.part.field or (p.facts[0].field if p.facts else "score")
    if p.low is None:
        return None  # self-assessed: the total's gap says what it needs
    main = set(band_facts(p.bands))
    unknown = [f for f in p.facts if f.value is None and f.name in main]
    other = "".join(_alternative_note(f) for f in p.facts if f.value is None and f.name not in main)
    if unknown:
        missing = "、".join(form_name(m) for f in unknown for m in f.missing)
        message = f"请补充{missing}：{p.part.label}此项现可能为 {_points(p)}（满分 {num(p.top or 0)} 分）{flag}"
        return Gap(unknown[0].field, f"满分 {num(p.top or 0)} 分", _points(p), message), True
    facts = {f.name: f for f in p.facts}
    current = _table_range(p.bands, facts)[1]  # the main table's points (known: its facts are)
    if p.top is not None and current >= p.top:
        return None
    better = sorted((b for b in p.bands if b["points"] > current), key=lambda b: b["points"])
    shown = "，".join(f"{fact_label(f.name)} {show(f.value, FACTS[f.name].unit)}" for f in p.facts if f.name in main)
    steps = []
    for band in better[:1] + ([better[-1]] if len(better) > 1 else []):
        needs, gaps = [], []
        for name, least in band.items():
            if name in BAND_KEYS or facts[name].value >= least - EPS:
                continue
            unit = FACTS[name].unit
            needs.append(f"{fact_label(name)}达到 {show(least, unit)}")
            gaps.append(distance(facts[name], "gte", least, checker.profile, checker.as_of, unit))
        if needs:
            steps.append(f"{'且'.join(needs)} 可得 {num(band['points'])} 分：{'，'.join(gaps)}")
    zero = "，此项不得为 0 分" if p.part.nonzero and current <= 0 else ""
    message = f"{p.part.label}：{shown}，得 {num(current)} 分{zero}；" + "；".join(steps) + other + flag
    return Gap(field, f"满分 {num(p.top or 0)} 分", f"{num(current)} 分", message), bool(other)


def _alternative_note(fv: FactValue) -> str:
    """What an unknown fact of an alternative score table would change, and the evidence that settles it."""
    return f"；另可按{fact_label(fv.name)}计分、取较高者，档案未能计算（{FACTS[fv.name].evidence}）"


def check_score(checker: CheckContext, cond: Condition) -> Outcome:
    """A score condition: total and parts against the required minimum, with a hint per part to the next band.

    Met only when the lowest possible total reaches the minimum (and each part its own minimum);
    unknown while facts leave it open. The score table goes into ``Outcome.scores``.
    """
    assert cond.param and cond.parts
    required_pv = checker.param(cond.param)
    required = required_pv.value
    parts = [_score_part(checker, part) for part in cond.parts]
    state = _state(parts, required)
    low = None if any(p.low is None for p in parts) else sum(p.low or 0 for p in parts)
    high = None if any(p.high is None for p in parts) else sum(p.high or 0 for p in parts)
    total = low if low is not None and low == high else None
    scores = {
        "name": cond.label,
        "total": total,
        "range": [low, high] if low is not None else None,
        "required": required,
        "parts": [
            {
                "name": p.part.label,
                "points": p.points,
                "range": [p.low, p.high] if p.low is not None else None,
                "max": p.top,
                "min": p.least,
                "nonzero": p.part.nonzero,
                "actual": "，".join(f"{fact_label(f.name)} {show(f.value, FACTS[f.name].unit)}" for f in p.facts),
                "verified": p.table.verified if p.table else True,
            }
            for p in parts
        ],
    }
    flag = checker.flag(required_pv)
    if low is None:
        total_text = "无法由档案计算"
    elif total is not None:
        total_text = f"{num(total)} 分"
    else:
        total_text = f"可能为 {num(low)}–{num(high or 0)} 分"
    breakdown = "，".join(f"{p.part.label} {_points(p)}" for p in parts)
    if state == "met":
        reason = f"{cond.label} {total_text}（{breakdown}），符合 ≥ {num(required)} 分{flag}"
        return Outcome("met", reasons=[reason], scores=[scores])
    if state == "not_met" and total is not None and total < required:
        head = f"{cond.label} {total_text}（{breakdown}），需 ≥ {num(required)} 分：还差 {num(required - total)} 分"
    else:
        head = f"{cond.label} {total_text}（{breakdown}），需 ≥ {num(required)} 分"
    extra = [f"且{p.part.label}不得为 0 分" for p in parts if p.part.nonzero]
    extra += [f"{p.part.label} ≥ {num(p.least)} 分" for p in parts if p.least is not None]
    if extra:
        head += "（" + "，".join(extra) + "）"
    if cond.evidence:
        head += f"。{cond.evidence}"
    gaps = [Gap(cond.field or "score", f"≥ {num(required)} 分", total_text, head + flag)]
    hints = [h for h in (_hint(checker, p) for p in parts) if h is not None]
    states: list[State] = [state, *("unknown" if missing else state for _, missing in hints)]
    return Outcome(state, gaps=gaps + [g for g, _ in hints], scores=[scores], states=states)
