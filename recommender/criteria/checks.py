"""Check one rule set's conditions against a profile at a date (three-valued: met / not_met / unknown).

Every message says the distance in the enterprise's own numbers, names the profile field that
would settle an unknown, and ends in "（待核实）" when it rests on a value nobody has checked yet.
"""

from __future__ import annotations

import datetime as dt
import pickle
from collections.abc import Callable
from functools import cache
from typing import Any, get_args

from ..eligibility.facts import FACTS, TITLE_AGE_FIELDS, Facts, FactValue, fact_label, held_at
from ..eligibility.verdict import Gap
from ..profile import LABELS, Profile, mentions
from ..profile_fields import form_name
from .model import Condition, Criterion, DatedCriterion, Op, ParamValue, RuleSet, load_criteria
from .outcome import Outcome, all_of, any_of
from .scoring import check_score, score_facts
from .wording import OP_SIGNS, distance, show

EPS = 1e-9
UNVERIFIED = "（待核实）"  # the mark of a message resting on a value nobody has checked yet
CONFIRM = "由企业确认"  # the ``required`` of a gap the enterprise settles by confirming (not_encoded, confirm)
OUTCOMES_MOST = 5_000  # outcomes remembered per criterion and date (``Checker._remembered``)


@cache  # a fact's name and the fields it misses: as many as the derivations in eligibility/facts.py can give
def _settled_by(name: str, missing: tuple[str, ...]) -> str:
    """The 企业自测 form's fields that would settle the fact ``name`` missing ``missing``
    (``profile_fields.form_name``), else the fact's label."""
    title = TITLE_AGE_FIELDS.get(name)
    return "、".join(form_name(f, title) for f in missing) or fact_label(name)


@cache  # a threshold is a parameter's value (or a band's): as many as the criteria's parameters hold
def _need(op: str, required: Any, kind: type, unit: str) -> str:
    """What a threshold condition asks: " ≥ 60%" (``kind``: the type of ``required``, which show tells apart)."""
    return f" {OP_SIGNS[op]} {show(required, unit)}"


def add_years(day: dt.date, years: int) -> dt.date | None:
    """``years`` after ``day`` (29 February → 28 February); None past the calendar's end (year 9999)."""
    if day.year + years > dt.MAXYEAR:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def first_term_end(first: dt.date, years: float | None) -> dt.date | None:
    """The last day of a recognition's first term, won on ``first`` and lasting ``years``; None when unknown."""
    renewal = add_years(first, int(years)) if years else None
    return renewal - dt.timedelta(days=1) if renewal is not None else None


@cache  # a title and an as-of date: a handful a run
def _term_years(title: str, as_of: dt.date) -> float | None:
    """The years a recognition as ``title`` lasts at ``as_of`` (its criterion's ``valid_years``); None when none
    of policies/criteria/ says."""
    for c in load_criteria():
        if title in c.holds and c.valid_years:
            value = c.param(c.valid_years, as_of).value
            return float(value) if isinstance(value, int | float) else None
    return None


def lapsed(profile: Profile, title: str, as_of: dt.date) -> dt.date | None:
    """The last day of the first term of ``title`` when it ended before ``as_of`` (from the profile's
    qualification_dates and the title's valid years), else None: held then only if recognised again."""
    first = profile.qualification_dates.get(title)  # type: ignore[call-overload]
    end = first_term_end(first, _term_years(title, as_of)) if first is not None else None
    return end if end is not None and end < as_of else None


def in_band(band: dict[str, Any], x: float) -> bool:
    """A band of a banded parameter: upto (≤), below (<), from (≥), above (>)."""
    return (
        ("upto" not in band or x <= band["upto"] + EPS)
        and ("below" not in band or x < band["below"] - EPS)
        and ("from" not in band or x >= band["from"] - EPS)
        and ("above" not in band or x > band["above"] + EPS)
    )


class Checker:
    """Checks the conditions of one criterion's rule set; collects the unverified values it used."""

    __slots__ = (
        "_dated",
        "_fact",
        "_params",
        "_verified",
        "as_of",
        "criterion",
        "facts",
        "profile",
        "rule_set",
        "unverified",
    )

    def __init__(
        self, criterion: Criterion, rule_set: RuleSet, profile: Profile, as_of: dt.date, facts: Facts | None = None
    ) -> None:
        """``facts``: the profile's facts at ``as_of`` when shared with other checkers (derived once), else new."""
        self.criterion = criterion
        self.rule_set = rule_set
        self.profile = profile
        self.as_of = as_of
        self.facts = facts or Facts(profile, as_of)
        self.unverified: dict[str, str] = {}
        self._dated = criterion.at(as_of)
        self._params = self._dated.params
        self._verified = rule_set.verified
        self._fact = self.facts.fact  # bound once: the compiled conditions (``_compile``) ask it often

    # --- parameters and facts ------------------------------------------------------------

    def param(self, name: str) -> ParamValue:
        """The parameter ``name`` at ``as_of``; an unverified one is noted in ``unverified`` with its source."""
        pv = self._params[name]
        if not (pv.verified and self._verified):
            self.unverified[name] = self._dated.note(name)
        return pv

    def flag(self, *pvs: ParamValue) -> str:
        """ "（待核实）" when the rule set or any of ``pvs`` is unverified, else ""."""
        if not self._verified:
            return UNVERIFIED
        for pv in pvs:
            if not pv.verified:
                return UNVERIFIED
        return ""

    def fact(self, name: str) -> FactValue:
        """The fact ``name`` of the profile at ``as_of`` (value None when unknown)."""
        return self.facts.fact(name)

    def _remembered(self, key: tuple[Any, ...], make: Callable[[], Outcome]) -> Outcome:
        """``make()``, or the outcome it gave for an earlier profile at this date with the same ``key``: for
        conditions whose outcome reads nothing of the profile but what ``key`` holds (a roster asks the same
        ones of every enterprise). The unverified values it noted are noted again. An outcome is shared, so it is
        never changed once made (``all_of`` and ``any_of`` make new ones)."""
        return self._known(key) or self._remember(key, make)

    def _known(self, key: tuple[Any, ...]) -> Outcome | None:
        """The outcome remembered under ``key`` (the unverified values it noted noted again), or None; callers
        build what makes a new one only when this gives None (no closure per check on the hot path)."""
        known = self._dated.outcomes.get(key)
        if known is None:
            return None
        if known[1]:
            self.unverified.update(known[1])
        return known[0]

    def _remember(self, key: tuple[Any, ...], make: Callable[[], Outcome]) -> Outcome:
        """``_remembered`` when ``key`` is not remembered yet: ``make()``, kept unless ``OUTCOMES_MOST`` are."""
        outcomes = self._dated.outcomes
        saved, self.unverified = self.unverified, {}
        try:
            known = make(), self.unverified
        finally:
            self.unverified = saved
        if len(outcomes) < OUTCOMES_MOST:
            outcomes[key] = known
            self._dated.kept.add(id(known[0]))
        outcome, noted = known
        self.unverified.update(noted)
        return outcome

    def combined(self, node: int, outcomes: list[Outcome], combine: Callable[[list[Outcome]], Outcome]) -> Outcome:
        """``combine(outcomes)`` (``all_of``, ``any_of``) for the node ``node`` of the rule set (the id of the
        condition or rule set combining them); remembered when every one of ``outcomes`` is a remembered one
        (``_remembered``), by their ids: the combination then reads nothing else of the profile."""
        kept = self._dated.kept
        for outcome in outcomes:
            if id(outcome) not in kept:
                return combine(outcomes)
        key = ("combined", node, *map(id, outcomes))
        return self._known(key) or self._remember(key, lambda: combine(outcomes))

    def _unknown(self, cond: Condition, fv: FactValue, need: str, flag: str) -> Outcome:
        """``need`` says what the condition asks (" ≥ 60%"); empty when the label says it all."""
        # the fields are given but do not settle it (an industry in two sectors, a date after the as-of date)
        missing = fv.missing
        if missing:
            profile = self.profile
            given = True
            for f in missing:
                if getattr(profile, f, None) is None:
                    given = False
                    break
        else:
            given = bool(fv.note)
        key = (id(cond), fv.name, missing, fv.note, fv.field, need, flag, given)
        return self._known(key) or self._remember(key, lambda: _unknown_outcome(cond, fv, need, flag, given))

    # --- conditions ----------------------------------------------------------------------

    def check(self, cond: Condition) -> Outcome:
        """One condition's outcome: ``all`` / ``any`` combined, a score table, else the check named by its ``op``."""
        if cond.all is not None:
            return self.combined(id(cond), [self.check(c) for c in cond.all], all_of)
        if cond.any is not None:
            outcomes = [self.check(c) for c in cond.any]
            return self.combined(id(cond), outcomes, lambda os: any_of(os, cond.label, cond.field, cond.combine))
        if cond.op == "score":
            return self._score(cond)
        if cond.op == "not_encoded":  # the same for every profile at a date
            return self._remembered(_same_for_all(cond), lambda: self._not_encoded(cond))
        return _BY_OP[cond.op](self, cond)

    def _score(self, cond: Condition) -> Outcome:
        """``check_score``; when every fact its tables test is unknown, its outcome reads nothing else of the
        profile: remembered by those facts' names and missing fields, its score table copied for each profile
        (a mapping a caller may change)."""
        facts = [self.fact(name) for name in score_facts(cond, self._params)]
        if any(fv.value is not None for fv in facts):
            return check_score(self, cond)
        key = ("score", id(cond), *((fv.name, fv.missing, fv.field, fv.note) for fv in facts))
        known = self._remembered(key, lambda: check_score(self, cond))
        scores = pickle.loads(pickle.dumps(known.scores))  # a deep copy, four times faster than copy.deepcopy
        return Outcome(known.state, known.gaps, known.reasons, scores, known.states)

    def _gte(self, cond: Condition) -> Outcome:
        return self._threshold(cond, "gte")

    def _lte(self, cond: Condition) -> Outcome:
        return self._threshold(cond, "lte")

    def _threshold(self, cond: Condition, op: str) -> Outcome:
        assert cond.param and cond.fact
        pv = self.param(cond.param)
        flag = self.flag(pv)
        unit = FACTS[cond.fact].unit
        required, band_note = pv.value, ""
        if required is None:
            message = f"{cond.label}：{self.as_of.isoformat()} 无有效规定（{pv.source}）{flag}"
            gap_field = cond.field or self.fact(cond.fact).field or cond.fact
            return Outcome("unknown", [Gap(gap_field, "无有效规定", "", message)])
        if cond.band_by:
            bf = self.fact(cond.band_by)
            if bf.value is None:
                need = f"达到按{fact_label(cond.band_by)}分档的比例"
                return self._unknown(cond, bf, need, flag)
            band = next((b for b in required if in_band(b, bf.value)), None)
            where = f"{fact_label(cond.band_by)} {show(bf.value, FACTS[cond.band_by].unit)}"
            if band is None:
                message = f"{cond.label}：{where}时的标准未收录，请核对{pv.source}（待核实）"
                self.unverified[cond.param] = f"{pv.description}：{where}时的标准未收录（{pv.source}）"
                gap_field = cond.field or self.fact(cond.fact).field or cond.fact
                return Outcome("unknown", [Gap(gap_field, "未收录", where, message)])
            required = band["value"]
            band_note = f"（{where}，适用“{band['label']}”档）" if "label" in band else f"（{where}）"
        need = _need(op, required, type(required), unit)
        fv = self.fact(cond.fact)
        if fv.value is None and op == "gte" and fv.at_least is not None and fv.at_least >= required - EPS:
            # met whatever the part not given is: 上年度研发费用 1300 万元 alone meets 近两年合计 ≥ 1200 万元
            unknown = "、".join(fact_label(f) for f in fv.missing)
            reason = f"{cond.label}至少 {show(fv.at_least, unit)}（{unknown}未填写），符合{need}{band_note}{flag}"
            return Outcome("met", reasons=[reason])
        if fv.value is None:
            return self._unknown(cond, fv, need + band_note, flag)
        return _compared(self, cond, fv, (op, required, unit), (need, band_note, flag))

    def _is(self, cond: Condition) -> Outcome:
        assert cond.fact
        fv = self.fact(cond.fact)
        flag = self.flag(self.param(cond.param)) if cond.param else self.flag()
        if fv.value is None:
            return self._unknown(cond, fv, "", flag)
        return _is_outcome(cond, fv.value, fv.field, flag)

    def _positive(self, cond: Condition) -> Outcome:
        assert cond.fact
        fv = self.fact(cond.fact)
        unit = FACTS[cond.fact].unit
        if fv.value is None:
            return self._unknown(cond, fv, " > 0", self.flag())
        if fv.value > 0:
            return Outcome("met", reasons=[f"{cond.label}：{fact_label(cond.fact)} {show(fv.value, unit)}"])
        message = f"{cond.label}：{fact_label(cond.fact)}为 0，暂无可适用的金额"
        return Outcome("not_met", [Gap(cond.field or fv.field, "> 0", show(fv.value, unit), message)])

    def _in(self, cond: Condition) -> Outcome:
        assert cond.fact and cond.param
        pv = self.param(cond.param)
        flag = self.flag(pv)
        allowed = "、".join(pv.value)
        fv = self.fact(cond.fact)
        if fv.value is None:
            return self._unknown(cond, fv, f"为{allowed}", flag)
        return _in_outcome(cond, fv.value, fv.field, pv.value, flag)

    def _holds(self, cond: Condition) -> Outcome:
        assert cond.param
        pv = self.param(cond.param)
        flag = self.flag(pv)
        titles: list[str] = list(pv.value)
        own = held_at(self.profile, self.as_of)
        if own is None:  # not stated: unknown, never "none"
            return _titles_unstated(cond, titles, flag)
        held = [t for t in titles if t in own]
        ended = [(t, end) for t in held if (end := lapsed(self.profile, t, self.as_of))]
        if held and len(ended) == len(held):  # each title that meets it may have lapsed: met, not checked
            note = "；".join(f"{t}首个有效期已于 {end.isoformat()} 届满" for t, end in ended)
            self.unverified[f"{cond.label}·有效期"] = f"{note}，待核实是否已重新认定"
            return Outcome("met", reasons=[f"{cond.label}：已持有{'、'.join(held)}（{note}，待核实是否已重新认定）"])
        if held:
            return Outcome("met", reasons=[f"{cond.label}：已持有{'、'.join(held)}{flag}"])
        return _titles_not_held(cond, titles, own, flag)

    def _mapped(self, cond: Condition) -> Outcome:
        """The enterprise's industry maps to one of the listed fields (unknown, never not met, when it does not)."""
        assert cond.param and cond.mapping
        fields = self.param(cond.param)
        mapping = self.param(cond.mapping)
        fv = self.fact(cond.fact or "industry")
        evidence = cond.evidence or "请对照《国家重点支持的高新技术领域》确认"
        listed = "、".join(fields.value)
        flag = self.flag(fields)
        if fv.value is None:
            return self._unknown(cond, fv, f"属于{listed}之一", flag)
        category, text = fv.value, fv.shown or ""
        mapped = mapping.value.get(category)
        if mapped in fields.value:
            flag = self.flag(fields, mapping)
            return Outcome("met", reasons=[f"所属行业“{text}”对应{cond.label}中的“{mapped}”{flag}"])
        message = f"请确认{cond.label}：所属行业“{text}”无法对应到{listed}之一。{evidence}{flag}"
        return Outcome("unknown", [Gap(cond.field or "industry", f"属于{listed}之一", text, message)])

    def _not_excluded(self, cond: Condition) -> Outcome:
        assert cond.param
        pv = self.param(cond.param)
        flag = self.flag(pv)
        fv = self.fact(cond.fact or "industry")
        if fv.value is None:
            return self._unknown(cond, fv, "不属于所列行业", flag)
        category, text = fv.value, fv.shown or ""
        # a roster names few industries: the outcome is remembered by them (``excluded_industry`` asks ~50 words)
        key = ("not_excluded", id(cond), category, text, flag)
        return self._remembered(key, lambda: _not_excluded_outcome(cond, category, text, pv.value, flag))

    def _not_encoded(self, cond: Condition) -> Outcome:
        """A condition of the official rule no profile shows: always unknown, with the evidence that settles it."""
        pv = self.param(cond.param) if cond.param else None
        flag = self.flag(*([pv] if pv else []))
        need = ""
        if pv is not None and pv.value is not None:
            numeric = isinstance(pv.value, (int, float)) and not isinstance(pv.value, bool)
            need = f"（需 ≥ {show(pv.value, pv.unit)}）" if numeric else f"（{pv.value}）"
        evidence = cond.evidence or ""
        if not cond.verified:  # a condition nobody has checked against the original
            self.unverified[cond.label] = f"{cond.label}（{cond.article or '条款待核实'}）"
            flag = flag or "（待核实）"
        message = f"{cond.label}{need}：{evidence}" + ("" if evidence.endswith(flag) else flag)
        required = CONFIRM if cond.confirm else need.strip("（）") or "需核实"
        return Outcome("unknown", [Gap(cond.field or "qualifications", required, "未知", message)])


def _compared(
    checker: Checker, cond: Condition, fv: FactValue, threshold: tuple[str, Any, str], words: tuple[str, str, str]
) -> Outcome:
    """A threshold condition's outcome for the known ``fv.value`` against ``threshold`` (op, required, unit):
    met with the figure, else the gap in the enterprise's own numbers (``wording.distance``); ``words``: what it
    asks (" ≥ 60%"), the band applied ("" or "（…，适用“…”档）") and the flag (``Checker.flag``)."""
    op, required, unit = threshold
    need, band_note, flag = words
    actual = fv.said or show(fv.value, unit)  # an age as people say it: 11 年 5 个月
    ok = fv.value >= required - EPS if op == "gte" else fv.value <= required + EPS
    note = f"（{fv.note}）" if fv.note else ""
    if ok:
        return Outcome("met", reasons=[f"{cond.label} {actual}，符合{need}{band_note}{note}{flag}"])
    gap_text = distance(fv, op, required, checker.profile, checker.as_of, unit)
    message = f"{cond.label} {actual}，需{need}{band_note}：{gap_text}{note}{flag}"
    return Outcome("not_met", [Gap(cond.field or fv.field, need.strip(), actual, message)])


def _is_outcome(cond: Condition, value: Any, fv_field: str, flag: str) -> Outcome:
    """An ``is`` condition's outcome for the known ``value`` of its fact."""
    assert cond.fact
    need, label = ("是" if cond.value else "否"), fact_label(cond.fact)
    if value is cond.value:
        return Outcome("met", reasons=[f"{cond.label}：{label}为{need}{flag}"])
    actual = "是" if value else "否"
    message = f"{cond.label}：不满足（{label}为{actual}）{flag}"
    return Outcome("not_met", [Gap(cond.field or fv_field, need, actual, message)])


def _in_outcome(cond: Condition, value: Any, fv_field: str, values: list[str], flag: str) -> Outcome:
    """An ``in`` condition's outcome for the known ``value`` of its fact, ``values`` the words in force."""
    assert cond.fact
    head = f"{cond.label}：{fact_label(cond.fact)}为{value}"
    if value in values:
        return Outcome("met", reasons=[f"{head}{flag}"])
    allowed = "、".join(values)
    return Outcome("not_met", [Gap(cond.field or fv_field, f"为{allowed}", str(value), f"{head}，需为{allowed}{flag}")])


def _titles_unstated(cond: Condition, titles: list[str], flag: str) -> Outcome:
    """A ``holds`` condition's outcome when the profile does not say its titles: unknown, never "none"; the title
    to win is named as when it is not held."""
    need = "或".join(titles)
    hint = "未填写已有资质；没有任何资质请填写或选择“无”"
    message = f"请补充已有资质：{cond.label}需已取得{need}（{hint}）{flag}"
    gap = Gap(cond.field or "qualifications", f"具备{need}", "未填写", message, qualification=titles[0])
    return Outcome("unknown", [gap])


def _titles_not_held(cond: Condition, titles: list[str], own: list[str], flag: str) -> Outcome:
    """A ``holds`` condition's outcome when the enterprise holds none of ``titles`` (``own``: what it holds)."""
    need, have = "或".join(titles), "、".join(own) or "无"
    message = f"{cond.label}：需已取得{need}，企业现有资质：{have}{flag}"
    gap = Gap(cond.field or "qualifications", f"具备{need}", have, message, qualification=titles[0])
    return Outcome("not_met", [gap])


def _unknown_outcome(cond: Condition, fv: FactValue, need: str, flag: str, given: bool) -> Outcome:
    """The unknown outcome of ``cond`` whose fact ``fv`` is unknown (``Checker._unknown``); ``given``: the profile
    has the fields the fact is made from, but they do not settle it."""
    evidence = cond.evidence or FACTS[fv.name].evidence
    note = f"（{fv.note}）" if fv.note else ""
    asks = f"{cond.label}需{need}" if need else f"需{cond.label}"
    verb, actual = ("请确认", "无法判断") if given else ("请补充", "未填写")
    if not fv.missing and fv.name not in LABELS:  # no field of the form holds it: the evidence says how
        verb = "请确认"
    message = f"{verb}{_settled_by(fv.name, fv.missing)}：{asks}{note}。{evidence}{flag}"
    return Outcome("unknown", [Gap(cond.field or fv.field, need.strip() or cond.label, actual, message)])


def _not_excluded_outcome(cond: Condition, category: str, text: str, table: dict[str, list[str]], flag: str) -> Outcome:
    """The outcome of ``cond`` (``not_excluded``) for an industry classified ``category`` and written ``text``."""
    found = excluded_industry(category, text, table)
    if found is None:
        return Outcome("met", reasons=[f"{cond.label}：所属行业“{text}”不在所列行业中{flag}"])
    industry, certain = found
    gap_field, need = cond.field or "industry", f"不属于{industry}"
    if certain:
        message = f"{cond.label}：所属行业“{text}”属于{industry}{flag}"
        return Outcome("not_met", [Gap(gap_field, need, text, message)])
    # the words name it, the classified industry does not (酒店管理SaaS软件): ask, never refuse
    message = f"请确认所属行业：“{text}”用了{industry}的说法，但归入“{category}”，需确认不属于{industry}{flag}"
    return Outcome("unknown", [Gap(gap_field, need, text, message)])


_BY_OP: dict[str, Callable[[Checker, Condition], Outcome]] = {
    op: getattr(Checker, f"_{op}") for op in get_args(Op) if op != "score"
}  # the check named by a condition's ``op``


def excluded_industry(category: str | None, text: str, table: dict[str, list[str]]) -> tuple[str, bool] | None:
    """The listed industry the enterprise falls in, and whether that is certain; None when none.

    Certain when the classified industry names it, or when the enterprise's own words do and its
    industry is unclassified (其他, 商贸服务); else the words alone only raise the question.
    """
    for industry, words in table.items():
        if any(mentions(category or "", w) for w in words):
            return industry, True
        if any(mentions(text, w) for w in words):
            return industry, category in {None, "其他", "商贸服务"}
    return None


def check_rule_set(checker: Checker) -> Outcome:
    """The outcome of all the conditions of ``checker``'s rule set (all must be met). The rule set in force at the
    checker's date runs compiled (``_compile``, once per criterion and date); any other one condition by condition."""
    dated = checker._dated
    rule_set = checker.rule_set
    if dated.rules is not None and dated.rules[1] is rule_set:
        plan: Plan | None = dated.plan
        if plan is None:
            plan = dated.plan = _all_plan(id(rule_set), [_compile(c, dated, rule_set.verified) for c in rule_set.all])
        return plan(checker)
    return checker.combined(id(rule_set), [checker.check(c) for c in rule_set.all], all_of)


# --- compiled conditions -----------------------------------------------------------------------
# A condition compiled for one criterion at one date (``Plan``): what ``Checker.check`` works out again for every
# profile (the parameter in force, its flag and note, the threshold's words) is worked out once; each plan does
# what ``Checker.check`` does, in the same order, and gives the same outcome. Conditions compiled for a common
# case fall back to ``Checker.check`` (or the op's own check) for the rest.

Plan = Callable[[Checker], Outcome]


def _compile(cond: Condition, dated: DatedCriterion, verified: bool) -> Plan:
    """``cond`` compiled for ``dated`` (``verified``: whether its rule set is): a plan giving ``Checker.check``'s
    outcome."""
    if cond.all is not None:
        return _all_plan(id(cond), [_compile(c, dated, verified) for c in cond.all])
    if cond.any is not None:
        return _any_plan(cond, [_compile(c, dated, verified) for c in cond.any])
    compile_op = _PLANS.get(cond.op or "")
    plan = compile_op(cond, dated, verified) if compile_op else None
    return plan or (lambda checker: checker.check(cond))


def _all_plan(node: int, plans: list[Plan]) -> Plan:
    """All of ``plans`` (the node ``node``: a condition's or a rule set's id), as ``Checker.check`` combines them."""

    def run(checker: Checker) -> Outcome:
        return checker.combined(node, [plan(checker) for plan in plans], all_of)

    return run


def _any_plan(cond: Condition, plans: list[Plan]) -> Plan:
    """Any of ``plans`` (``cond.any`` compiled), as ``Checker.check`` combines them."""
    node, label, gap_field, combine = id(cond), cond.label, cond.field, cond.combine

    def either(outcomes: list[Outcome]) -> Outcome:
        return any_of(outcomes, label, gap_field, combine)

    def run(checker: Checker) -> Outcome:
        return checker.combined(node, [plan(checker) for plan in plans], either)

    return run


def _param_note(name: str, dated: DatedCriterion, verified: bool) -> tuple[ParamValue, str | None, str]:
    """The parameter ``name`` at ``dated``'s date, what ``Checker.param`` notes of it (None: nothing) and
    ``Checker.flag``'s mark for it."""
    pv = dated.params[name]
    if pv.verified and verified:
        return pv, None, ""
    return pv, dated.note(name), UNVERIFIED


def _threshold_plan(cond: Condition, dated: DatedCriterion, verified: bool) -> Plan | None:
    """``Checker._threshold`` for a parameter with a number in force, or bands (compiled while the fact picking
    the band is unknown); None for any other."""
    assert cond.param and cond.fact and cond.op
    name, fact_name, op = cond.param, cond.fact, cond.op
    pv, noted, flag = _param_note(name, dated, verified)
    required = pv.value
    if cond.band_by and isinstance(required, list):
        return _banded_plan(cond, name, noted, flag)
    if cond.band_by or isinstance(required, bool) or not isinstance(required, int | float):
        return None
    unit = FACTS[fact_name].unit
    need = _need(op, required, type(required), unit)
    threshold, words = (op, required, unit), (need, "", flag)
    least = required - EPS if op == "gte" else None

    def run(checker: Checker) -> Outcome:
        if noted is not None:
            checker.unverified[name] = noted
        fv = checker._fact(fact_name)
        if fv.value is not None:
            return _compared(checker, cond, fv, threshold, words)
        if least is not None and fv.at_least is not None and fv.at_least >= least:
            return checker._threshold(cond, op)  # met whatever the part not given is
        return checker._unknown(cond, fv, need, flag)

    return run


def _banded_plan(cond: Condition, name: str, noted: str | None, flag: str) -> Plan:
    """``Checker._threshold`` for a banded parameter: the unknown outcome while the fact picking the band is
    unknown, else ``Checker._threshold`` itself."""
    assert cond.band_by and cond.op
    band_by, op = cond.band_by, cond.op
    need = f"达到按{fact_label(band_by)}分档的比例"

    def run(checker: Checker) -> Outcome:
        if noted is not None:
            checker.unverified[name] = noted
        bf = checker._fact(band_by)
        if bf.value is None:
            return checker._unknown(cond, bf, need, flag)
        return checker._threshold(cond, op)

    return run


def _in_plan(cond: Condition, dated: DatedCriterion, verified: bool) -> Plan | None:
    """``Checker._in`` for a list of words in force; None for any other parameter value."""
    assert cond.fact and cond.param
    name, fact_name = cond.param, cond.fact
    pv, noted, flag = _param_note(name, dated, verified)
    values = pv.value
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        return None
    need = f"为{'、'.join(values)}"
    node = id(cond)

    def run(checker: Checker) -> Outcome:
        if noted is not None:
            checker.unverified[name] = noted
        fv = checker._fact(fact_name)
        value, field = fv.value, fv.field
        if value is None:
            return checker._unknown(cond, fv, need, flag)
        if type(value) is str:  # a word of a short list (a district, a size): remembered (``Checker._remembered``)
            return checker._remembered((node, value, field), lambda: _in_outcome(cond, value, field, values, flag))
        return _in_outcome(cond, value, field, values, flag)

    return run


def _holds_plan(cond: Condition, dated: DatedCriterion, verified: bool) -> Plan | None:
    """``Checker._holds`` for a list of titles in force, compiled when the enterprise holds none of them (a title
    held may have lapsed: ``Checker._holds`` itself); None for any other parameter value."""
    assert cond.param
    name = cond.param
    pv, noted, flag = _param_note(name, dated, verified)
    if not isinstance(pv.value, list) or not pv.value:
        return None
    titles: list[str] = list(pv.value)
    unstated = _titles_unstated(cond, titles, flag)  # the same for every profile that does not say its titles
    node = id(cond)

    def run(checker: Checker) -> Outcome:
        if noted is not None:
            checker.unverified[name] = noted
        own = held_at(checker.profile, checker.as_of)
        if own is None:  # not stated: unknown, never "none"
            return checker._remembered((node, None), lambda: unstated)
        for title in titles:
            if title in own:
                return checker._holds(cond)
        # none held: the outcome says which titles are, remembered by them (``Checker._remembered``)
        return checker._remembered((node, tuple(own)), lambda: _titles_not_held(cond, titles, own, flag))

    return run


def _score_plan(cond: Condition, dated: DatedCriterion, verified: bool) -> Plan:
    """``Checker._score`` with the facts its tables test worked out once; a remembered outcome's score table is
    pickled once per key (``OUTCOMES_MOST`` at most) for the copies each profile gets."""
    names = score_facts(cond, dated.params)
    node = id(cond)
    pickled: dict[tuple[Any, ...], bytes] = {}  # the score tables of the remembered outcomes pickled, by their keys

    def run(checker: Checker) -> Outcome:
        facts = [checker._fact(n) for n in names]
        for fv in facts:
            if fv.value is not None:
                return check_score(checker, cond)
        key = ("score", node, *((fv.name, fv.missing, fv.field, fv.note) for fv in facts))
        known = checker._remembered(key, lambda: check_score(checker, cond))
        table = pickled.get(key)
        if table is None:
            table = pickle.dumps(known.scores)
            if len(pickled) < OUTCOMES_MOST:
                pickled[key] = table
        scores = pickle.loads(table)  # a deep copy: a caller may change it
        return Outcome(known.state, known.gaps, known.reasons, scores, known.states)

    return run


def _not_encoded_plan(cond: Condition, dated: DatedCriterion, verified: bool) -> Plan:
    """``Checker.check`` for a ``not_encoded`` condition, the same for every profile at a date: the outcome
    remembered for the first profile (``Checker._known``, its key made once), else ``Checker.check`` itself."""
    key = _same_for_all(cond)

    def run(checker: Checker) -> Outcome:
        return checker._known(key) or checker.check(cond)

    return run


def _same_for_all(cond: Condition) -> tuple[int]:
    """The key an outcome the same for every profile at a date is remembered by (``Checker._remembered``)."""
    return (id(cond),)


def _is_plan(cond: Condition, dated: DatedCriterion, verified: bool) -> Plan:
    """``Checker._is`` compiled."""
    assert cond.fact
    fact_name, param = cond.fact, cond.param
    noted, flag = (None, "" if verified else UNVERIFIED) if not param else _param_note(param, dated, verified)[1:]
    node = id(cond)

    def run(checker: Checker) -> Outcome:
        fv = checker._fact(fact_name)
        if noted is not None:
            checker.unverified[param] = noted  # type: ignore[index]
        value, field = fv.value, fv.field
        if value is None:
            return checker._unknown(cond, fv, "", flag)
        if type(value) is bool:  # two outcomes a field: remembered (``Checker._remembered``)
            return checker._remembered((node, value, field), lambda: _is_outcome(cond, value, field, flag))
        return _is_outcome(cond, value, field, flag)

    return run


_PLANS: dict[str, Callable[[Condition, DatedCriterion, bool], Plan | None]] = {
    "gte": _threshold_plan,
    "lte": _threshold_plan,
    "is": _is_plan,
    "in": _in_plan,
    "holds": _holds_plan,
    "score": _score_plan,
    "not_encoded": _not_encoded_plan,
}  # how a condition is compiled by its ``op`` (None from one: ``Checker.check`` it is)
