"""The vectorized rules and ranking agree with rules.evaluate and the one-clause-at-a-time ranking."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pytest

from benchmarks.synthetic import synthetic_policies, synthetic_profiles
from recommender.corpus_models import Condition
from recommender.eligibility.facts import Facts
from recommender.eligibility.matrix import RuleMatrix
from recommender.eligibility.status import ELIGIBLE, STATUSES
from recommender.eligibility.verdict import Verdicts, evaluate
from recommender.engine import Recommender
from recommender.profile import parse_profile
from recommender.vocab import BENEFITS, INDUSTRIES, QUALIFICATIONS, REGIONS, STAGES

DATES = [dt.date(2018, 6, 30), dt.date(2024, 6, 30), dt.date(2026, 11, 22)]


def random_profiles(n: int, seed: int = 0) -> list:
    rng = random.Random(seed)
    parks = [None, "张江科学城", "漕河泾开发区", "金桥", "碳谷绿湾", "张江药谷"]
    out = []
    for k in range(n):
        p = {
            "name": f"企业{k}",
            "region": rng.choice(REGIONS),
            "park": rng.choice(parks),
            "industry": rng.choice([*INDUSTRIES, None, "芯片"]),
            "stage": rng.choice([None, *STAGES]),
            "qualifications": rng.sample(QUALIFICATIONS, rng.randint(0, 3)),
            "needs": rng.sample(BENEFITS, rng.randint(0, 3)),
            "description": rng.choice(["芯片设计，想要资助和贷款", "需要扩大车间厂房", "招工难", "专利被侵权", ""]),
        }
        if rng.random() < 0.6:
            p["employees"], p["revenue"] = rng.choice([5, 50, 150, 400, 2000]), rng.choice([100, 1500, 50000])
        if rng.random() < 0.3:
            p["foreign_invested"] = rng.random() < 0.5
        out.append(parse_profile(p))
    return out


@pytest.fixture(scope="module")
def engine() -> Recommender:
    return Recommender.load()


def test_statuses_agree_with_rules_evaluate(engine):
    for k, profile in enumerate(random_profiles(150)):
        as_of = DATES[k % 3]
        facts = Facts(profile, as_of)
        codes, specific = (a[0] for a in engine.rules_.evaluate([facts]))
        for i in np.flatnonzero(engine.measures):
            clause = engine.clauses[i]
            verdict = evaluate(clause, engine.documents[clause.policy_id], facts)
            assert (STATUSES[codes[i]], int(specific[i])) == (verdict.status, verdict.met_specific), clause.id


def test_vectorized_ranking_is_the_reference_ranking(engine):
    for k, profile in enumerate(random_profiles(60, seed=1)):
        as_of = DATES[k % 3]
        facts, terms = Facts(profile, as_of), engine.query_terms(profile)
        for top, options in [(10, (False, True)), (None, (False, False)), (5, (True, True)), (None, (True, False))]:
            fast = engine._rank(profile, facts, terms, top, options)
            slow = engine._rank_reference(profile, facts, terms, top, options)
            assert [(r.valid, r.index, r.status) for r in fast] == [(r.valid, r.index, r.verdict.status) for r in slow]
            assert np.allclose([r.score for r in fast], [r.score for r in slow], rtol=0, atol=1e-12)


def test_remembered_verdicts_are_rules_evaluate(engine):
    """Reasons and gaps come from rules.evaluate; the engine remembers them per tested values."""
    for round_ in range(2):  # the second round is served from memory
        for k, profile in enumerate(random_profiles(80, seed=2)):
            as_of = DATES[k % 3]
            facts = Facts(profile, as_of)
            for r in engine.recommend(profile, top=10, as_of=as_of, include_ineligible=bool(k % 2)).results:
                assert r.verdict == evaluate(r.clause, r.document, facts), (round_, r.clause.id)
    results = engine.recommend(random_profiles(1, seed=9)[0], top=3, as_of=DATES[1]).results
    results[0].verdict.reasons.append("x")  # callers own their lists
    again = engine.recommend(random_profiles(1, seed=9)[0], top=3, as_of=DATES[1]).results
    assert "x" not in again[0].verdict.reasons


def test_numeric_conditions_are_vectorized_like_rules_check(engine):
    """The real corpus has no numeric conditions yet; the synthetic one below does."""
    policies = synthetic_policies(300, seed=3)
    thresholds = [0, 10, 50.5, 100, 1000]
    for p in policies:
        for j, clause in enumerate(p.clauses):
            op = ["gte", "gt", "lte", "lt"][j % 4]
            clause.eligibility = [
                *clause.eligibility,
                Condition(field="employees", op=op, value=thresholds[j % 5], quote="职工人数条件", otherwise="unknown"),
                Condition(field="rd_ratio", op="gte", value=0.03 + 0.01 * (j % 3), quote="研发投入占比条件"),
            ]
    synthetic = Recommender(policies)
    measures = np.flatnonzero(synthetic.measures)
    for profile in [parse_profile(p) for p in synthetic_profiles(40, seed=4)] + random_profiles(20, seed=5):
        facts = Facts(profile, dt.date(2024, 6, 30))
        codes, specific = (a[0] for a in synthetic.rules_.evaluate([facts]))
        for i in measures:
            clause = synthetic.clauses[i]
            verdict = evaluate(clause, synthetic.documents[clause.policy_id], facts)
            assert (STATUSES[codes[i]], int(specific[i])) == (verdict.status, verdict.met_specific), clause.id


def test_disagreement_falls_back_to_the_reference_ranking(engine, monkeypatch):
    profile = {"name": "丙", "region": "浦东新区", "qualifications": ["高新技术企业"], "needs": ["资金补贴"]}
    expected = [r.as_dict() for r in engine.recommend(profile, top=10, as_of=dt.date(2024, 6, 30)).results]
    real = RuleMatrix.evaluate

    def wrong(self, facts):
        status, specific = real(self, facts)
        return np.zeros_like(status), specific  # everything "eligible"

    monkeypatch.setattr(RuleMatrix, "evaluate", wrong)
    got = [r.as_dict() for r in engine.recommend(profile, top=10, as_of=dt.date(2024, 6, 30)).results]
    assert got == expected


def test_candidate_table_and_statuses(engine):
    profile = {"name": "丁", "region": "金山区", "needs": ["场地空间"]}
    table = engine.candidate_table(profile, dt.date(2025, 6, 30))
    assert set(table.components) == {"status", "needs", "text", "specific"}
    assert {engine.clauses[i].kind for i in table.clauses} == {"measure", "lead"}
    assert table.lead.tolist() == [engine.clauses[i].kind == "lead" for i in table.clauses]
    statuses = engine.statuses(profile, dt.date(2025, 6, 30))
    assert len(statuses) == len(engine.clauses)
    assert {s for s, c in zip(statuses, engine.clauses, strict=True) if c.kind == "internal"} == {None}
    assert "ineligible" in statuses and "eligible" in statuses


def test_many_enterprises_at_once_agree_with_one_at_a_time(engine):
    """The population path (grouped by distinct values) gives what the one-enterprise path gives, row by row."""
    population = [Facts(p, DATES[k % 3]) for k, p in enumerate(random_profiles(40, seed=5))]
    together, specific = engine.rules_.evaluate(population)
    for row, facts in enumerate(population):
        alone, alone_specific = engine.rules_.evaluate([facts])
        assert (together[row] == alone[0]).all() and (specific[row] == alone_specific[0]).all()
    empty, none_specific = engine.rules_.evaluate([])
    assert empty.shape == none_specific.shape == (0, len(engine.clauses))


def test_a_matrix_on_top_of_another_judges_only_the_conditions_it_adds(engine, monkeypatch):
    """``RuleMatrix(base=...)`` keeps the base's condition ids; given the base's states it judges only its own
    new conditions, and its statuses are those of a matrix compiled alone."""
    from recommender.eligibility import matrix

    population = [Facts(p, DATES[1]) for p in random_profiles(60, seed=6)]
    measures = [c for c in engine.clauses if c.kind == "measure"]
    base = RuleMatrix(measures[:40], engine.documents)
    known = base.condition_states(population)
    more = measures[30:90]
    on_top = RuleMatrix(more, engine.documents, base=base)
    assert on_top.known == len(base.conditions) and on_top.conditions[: on_top.known] == base.conditions
    assert len(on_top.conditions) > on_top.known  # the later measures bring conditions of their own
    judged = []
    real = matrix.check
    monkeypatch.setattr(matrix, "check", lambda cond, facts: judged.append(cond) or real(cond, facts))
    states = on_top.condition_states(population, known=known)
    monkeypatch.setattr(matrix, "check", real)
    assert judged and all(on_top.conditions.index(c) >= on_top.known for c in judged)
    assert np.array_equal(states[:, : on_top.known], known[:, :-1])
    alone = RuleMatrix(more, engine.documents).evaluate(population)
    together = on_top.evaluate_states(states)
    assert all(np.array_equal(a, b) for a, b in zip(alone, together, strict=True))
    with pytest.raises(ValueError, match="known states"):
        on_top.condition_states(population, known=known[:, :-1])


def _alike_but_read_differently() -> list:
    """Profiles in pairs a remembered verdict must tell apart: equal values shown differently (0.0, -0.0),
    the same unknown fact with different notes, the same unknown 高企 age with the title held or not."""
    base = {"name": "戊", "region": "浦东新区", "industry": "集成电路", "employees": 40}
    pairs = [
        {"revenue": 0.0, "rd_expense": 5},  # rd_ratio unknown: 营业收入为 0
        {"revenue": -0.0, "rd_expense": 5},
        {"rd_expense": 5},  # rd_ratio unknown: 营业收入 missing
        {"qualifications": ["高新技术企业"]},  # 高企 age unknown: no date, the title held
        {"qualifications": []},  # unknown too, the title to win first
        {"qualifications": ["高新技术企业"], "qualification_dates": {"高新技术企业": "2024-01-05"}},
        {"founded": "2020-03-01"},
    ]
    return [parse_profile({**base, **extra, "name": f"戊{k}"}) for k, extra in enumerate(pairs)]


def test_verdicts_remembered_per_reading_are_rules_evaluate(engine):
    """``verdict.Verdicts`` (push lists, audiences) gives ``evaluate``'s verdict, also to enterprises judged
    after others alike in what the rule tests: every measure, plus rules on a ratio, on money and on the
    高企 age alone (whose gap names the title to win first only when it is not held)."""
    extra = [
        Condition(field="rd_ratio", op="gte", value=0.03, quote="研发投入占比不低于3%"),
        Condition(field="revenue", op="gte", value=0, quote="有营业收入", otherwise="unknown"),
        Condition(field="hnte_age_years", op="lte", value=1, quote="首次认定一年内", otherwise="unknown"),
    ]
    some = engine.clauses[int(np.flatnonzero(engine.measures)[0])]
    clauses = [engine.clauses[i] for i in np.flatnonzero(engine.measures)]
    clauses += [some.model_copy(update={"id": f"x/{c.field}", "eligibility": [c]}) for c in extra]
    profiles = _alike_but_read_differently() + random_profiles(40, seed=6)
    for clause in clauses:
        document = engine.documents[clause.policy_id]
        remembered = Verdicts(clause, document)
        for round_ in range(2):  # the second round is served from memory
            for k, profile in enumerate(profiles):
                facts = Facts(profile, DATES[(k + round_) % 2 + 1])
                assert remembered(facts) == evaluate(clause, document, facts), (clause.id, profile.name)
    hnte = Verdicts(clauses[-1], engine.documents[clauses[-1].policy_id])
    held, not_held = (hnte(Facts(p, DATES[1])).gaps[0].qualification for p in _alike_but_read_differently()[3:5])
    assert (held, not_held) == (None, "高新技术企业")
    first = hnte(Facts(profiles[3], DATES[1]))
    first.gaps.append(first.gaps[0])  # callers own their lists
    assert len(hnte(Facts(profiles[3], DATES[1])).gaps) == 1


def test_rule_outcomes_are_those_of_evaluate_states_and_may_unlock(engine, monkeypatch):
    """``RuleMatrix.rule_outcomes`` (tables of every combination of a rule's states) gives, clause by clause, the
    statuses, specific conditions met and unlock candidates of ``evaluate_states`` and ``may_unlock``; so does
    its fallback when the tables would be too large."""
    from recommender.eligibility import matrix

    rules = engine.rules_
    rows, rule = rules.rows, rules.clause_rule[rules.rows]
    for too_large in (False, True):
        if too_large:
            monkeypatch.setattr(matrix, "OUTCOME_TABLE_MOST", 0)
            rules = RuleMatrix(engine.clauses, engine.documents, rows)
            assert rules._outcome_tables is None
        for k, profile in enumerate(random_profiles(80, seed=7)):
            states = rules.condition_states([Facts(profile, DATES[k % 3])])
            status, specific = rules.evaluate_states(states)
            unlock = rules.may_unlock(states, status)
            rule_status, rule_specific, rule_unlock = rules.rule_outcomes(states[0])
            assert (rule_status[rule] == status[0, rows]).all()
            assert (rule_specific[rule] == specific[0, rows]).all()
            assert ((rule_unlock[rule] & (rule_status[rule] != ELIGIBLE)) == unlock[0, rows]).all()
