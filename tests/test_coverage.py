"""Coverage analysis: synthetic population, coverage counts, unmatched measures, near-duplicates, what-if, page."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from actors import account
from streamlit.testing.v1 import AppTest

from recommender import coverage as cv
from recommender.eligibility.conditions import check, conditions_for
from recommender.eligibility.facts import Facts
from recommender.eligibility.verdict import evaluate
from recommender.engine import Recommender
from recommender.locator import cited
from recommender.registry.access import STAFF
from recommender.services.library import live_recommender
from webapp.ui.auth import USER

AS_OF = dt.date(2024, 6, 30)  # inside the 2023-2025 plans' validity
PAGE = Path(__file__).resolve().parent.parent / "webapp" / "views" / "coverage.py"


@pytest.fixture(scope="module")
def corpus() -> cv.CorpusView:
    return cv.CorpusView.from_recommender(Recommender.load())


@pytest.fixture(scope="module")
def population():
    return cv.synthetic_population(400, seed=7, missing_rate=0.1)


@pytest.fixture(scope="module")
def rules(population) -> cv.PopulationRules:
    return cv.PopulationRules(population, AS_OF)


@pytest.fixture(scope="module")
def cov(rules, corpus) -> cv.Coverage:
    return cv.compute_coverage(rules, corpus)


# --- the synthetic population -----------------------------------------------------------------


def test_population_is_reproducible_with_a_seed_and_differs_with_another():
    a = cv.synthetic_population(150, seed=1)
    b = cv.synthetic_population(150, seed=1)
    c = cv.synthetic_population(150, seed=2)
    assert [p.model_dump() for p in a] == [p.model_dump() for p in b]
    assert [p.model_dump() for p in a] != [p.model_dump() for p in c]
    shuffled = dict(reversed(list(cv.DEFAULT_REGIONS.items())))  # the order weights are given in does not matter
    assert cv.synthetic_population(150, seed=1, regions=shuffled) == a
    calls: list[tuple[int, int]] = []  # the page's progress bar: reported as made, the population unchanged
    assert cv.synthetic_population(150, seed=1, progress=lambda done, total: calls.append((done, total))) == a
    assert calls[0] == (0, 150) and calls[-1] == (150, 150) and len(calls) > 10
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_population_follows_the_stated_distributions_and_has_realistic_fields(population):
    only = cv.synthetic_population(60, seed=3, regions={"金山区": 1}, stages={"初创期": 1})
    assert {p.region for p in only} == {"金山区"} and {p.stage for p in only} == {"初创期"}
    pudong = sum(p.region == "浦东新区" for p in population) / len(population)
    assert 0.12 < pudong < 0.32  # stated weight 22 of 100
    for p in population:
        assert p.needs and 1 <= len(p.needs) <= 3
        if p.employees is not None and p.rd_staff is not None:
            assert p.rd_staff <= p.employees
    hnte = sum("高新技术企业" in p.qualifications for p in population) / len(population)
    assert 0.05 < hnte < 0.5
    with pytest.raises(ValueError, match="不认识"):
        cv.synthetic_population(5, regions={"火星": 1})


def test_population_round_trips_through_the_roster_table():
    roster = pytest.importorskip("recommender.roster")
    pop = cv.synthetic_population(40, seed=5, missing_rate=0.2)
    data = cv.csv_bytes(cv.population_frame(pop))
    assert data.startswith("\ufeff".encode())  # BOM: Excel opens the Chinese correctly
    header, first = data.decode("utf-8-sig").splitlines()[:2]
    assert header.startswith("企业名称,注册地,所在园区,所属行业") and not re.search(r"[A-Za-z]{3,}", header)
    assert ",否," in first and "False" not in data.decode("utf-8-sig")  # yes/no as people write them
    read = roster.read_roster(data, "样本.csv")
    assert not read.bad and read.profiles == pop


# --- coverage ---------------------------------------------------------------------------------


def test_statuses_agree_with_rules_evaluate(cov, corpus, population):
    for i in range(0, len(population), 13):
        facts = Facts(population[i], AS_OF)
        expected = [evaluate(c, corpus.documents[c.policy_id], facts).status for c in cov.measures]
        assert [cv.STATUSES[s] for s in cov.status[i]] == expected, population[i].name
    table = cv.enterprise_table(cov)
    for i in range(0, len(population), 41):
        facts = Facts(population[i], AS_OF)
        eligible = [c for c in cov.measures if evaluate(c, corpus.documents[c.policy_id], facts).status == "eligible"]
        assert table.loc[i, "可申请措施数"] == len(eligible)
        assert table.loc[i, "资金补贴"] == sum("资金补贴" in c.benefits for c in eligible)


def test_segment_table_means_and_uncovered_segments(cov):
    dims = ["region", "industry", "stage"]
    table = cv.segment_table(cov, dims)
    assert table["企业数"].sum() == len(cov.profiles)
    per_firm = cv.enterprise_table(cov)
    keys = ["注册地", "行业", "发展阶段"]
    row = table.sort_values("企业数").iloc[-1]
    members = per_firm[(per_firm[keys] == row[keys].to_numpy()).all(axis=1)]
    assert len(members) == row["企业数"]
    assert row["人均可用措施数"] == pytest.approx(members["可用措施数"].mean())
    assert row["技术合作"] == pytest.approx(members["技术合作"].mean())
    empty = cv.uncovered_segments(table)
    assert len(empty) > 0  # e.g. districts no document in the seed corpus serves
    totals = per_firm.groupby(keys)["可用措施数"].max()
    for _, seg in empty.iterrows():
        assert totals[tuple(seg[keys])] == 0
    assert len(empty) == int((totals == 0).sum())


def test_needs_table_counts_as_a_straightforward_computation(cov):
    table = cv.needs_table(cov, include_partial=True).set_index("诉求")
    usable = cv.enterprise_table(cov, include_partial=True)
    for need in ("资金补贴", "融资贷款", "技术合作"):
        asking = [i for i, p in enumerate(cov.profiles) if need in (p.needs or [])]
        assert asking and table.loc[need, "提出该诉求的企业数"] == len(asking)
        assert table.loc[need, "有对应可用措施的企业数"] == sum(usable.loc[i, need] > 0 for i in asking)


def test_valid_only_drops_measures_out_of_force(rules, corpus):
    later = cv.compute_coverage(cv.PopulationRules(rules.profiles, dt.date(2026, 6, 30)), corpus, valid_only=True)
    assert later.measures and all(c.policy_id in {"js-yingshang-2022", "zj-opinions-2023"} for c in later.measures)
    everything = cv.compute_coverage(cv.PopulationRules(rules.profiles, dt.date(2026, 6, 30)), corpus)
    assert len(everything.measures) == len(corpus.measures) and not everything.valid.all()


def test_out_of_force_counts_what_a_coverage_of_measures_in_force_leaves_out(rules, corpus):
    for day in (dt.date(2020, 1, 1), AS_OF, dt.date(2026, 6, 30)):
        out = cv.out_of_force(corpus, day)
        in_force = cv.compute_coverage(cv.PopulationRules(rules.profiles[:5], day), corpus, valid_only=True)
        assert len(in_force.measures) == len(corpus.measures) - out.measures, day
    before = cv.out_of_force(corpus, dt.date(2000, 1, 1))  # nothing has started yet: every measure is pending
    assert (before.pending_measures, before.ended_measures) == (len(corpus.measures), 0)
    assert before.pending_documents == len({c.policy_id for c in corpus.measures})
    assert cv.out_of_force(corpus, AS_OF).ended_documents == 1


def test_downloads_write_yes_and_no_in_chinese(cov):
    from webapp.ui.coverage.data import readable

    table = cv.measure_table(cov)
    assert table[cv.VALID].dtype == bool
    text = cv.csv_bytes(readable(table)).decode("utf-8-sig")
    assert "True" not in text and "False" not in text and ",是," in text
    assert readable(table)["可申请"].equals(table["可申请"])  # numbers untouched


def test_downloads_round_means_and_shares():
    """细分覆盖表.csv said 0.3333333333333333 for a share the page shows as 33.33 % (a break-it trial)."""
    from webapp.ui.coverage.data import readable

    table = pd.DataFrame({"细分": ["甲"], "企业数": [3], "人均可用措施数": [7 / 3], "无可用措施企业占比": [1 / 3]})
    text = cv.csv_bytes(readable(table)).decode("utf-8-sig")
    assert text.splitlines()[1] == "甲,3,2.3333,0.3333"


# --- measures that match nobody ---------------------------------------------------------------


def test_a_clause_requiring_what_nobody_has_is_reported_with_that_condition(rules, corpus):
    target = next(c for c in corpus.measures if c.policy_id == "js-yingshang-2022" and not c.eligibility)
    impossible = cv.new_condition("invention_patents", "gte", 1_000_000)
    edited = cv.apply_change(corpus, cv.ConditionEdit(target.id, None, impossible))
    cov = cv.compute_coverage(rules, edited)
    found = {u.clause.id: u for u in cv.unmatched_measures(cov)}
    assert target.id in found
    blocking = found[target.id].blocking
    assert [c.field for c in blocking] == ["invention_patents"]
    assert blocking[0].met == 0 and blocking[0].requirement == "≥ 1000000"
    assert blocking[0].quote in found[target.id].reason and "有效发明专利数" in found[target.id].reason
    assert blocking[0].nobody_meets and found[target.id].reason.startswith("无企业满足：")  # every one was judged
    table = cv.unmatched_conditions_table(found.values())
    assert set(table[table["条款编号"] == target.id]["条件字段"]) == {"注册地", "有效发明专利数"}  # labels, never keys
    assert set(table[table["条款编号"] == target.id]["条款"]) == {cited(target)}  # where it stands, not its id
    assert target.eligibility == [] and corpus.clause(target.id).eligibility == []  # the original untouched


def _unmatched_with(rules, corpus, condition) -> cv.Unmatched:
    """A condition added to a measure that had none; that measure as it is reported."""
    target = next(c for c in corpus.measures if c.policy_id == "js-yingshang-2022" and not c.eligibility)
    cov = cv.compute_coverage(rules, cv.apply_change(corpus, cv.ConditionEdit(target.id, None, condition)))
    return {u.clause.id: u for u in cv.unmatched_measures(cov)}[target.id]


def test_a_condition_nobody_could_be_judged_on_is_not_said_to_be_met_by_nobody(population, corpus):
    # a roster without a 研发人员 column: every enterprise is 无法判断 on it, none 不满足
    rules = cv.PopulationRules([p.model_copy(update={"rd_staff": None}) for p in population], AS_OF)
    item = _unmatched_with(rules, corpus, cv.new_condition("rd_staff", "gte", 10))
    [blocking] = item.blocking
    assert (blocking.met, blocking.not_met, blocking.unknown, blocking.missing) == (0, 0, len(rules), len(rules))
    assert blocking.nobody_judged and not blocking.nobody_meets and item.unjudged
    assert "无企业满足" not in item.reason
    assert "无法判断：样本中没有企业有“科技人员数”信息" in item.reason
    row = cv.unmatched_conditions_table([item]).set_index("条件字段").loc["科技人员数"]
    assert (row["无企业满足"], row["无企业可判断"], row["其中缺少该信息"]) == (False, True, len(rules))


def test_a_condition_only_the_enterprise_can_confirm_is_said_so(rules, corpus):
    item = _unmatched_with(rules, corpus, cv.new_condition("confirm", "declared", ["链主企业"]))
    assert item.unjudged and "须由企业自行确认" in item.reason and "无企业满足" not in item.reason


def test_nobody_meeting_a_condition_some_could_not_be_judged_on_says_both(rules, corpus):
    item = _unmatched_with(rules, corpus, cv.new_condition("employees", "gte", 1_000_000))
    [blocking] = item.blocking
    assert blocking.nobody_meets and blocking.not_met > 0 and blocking.unknown == blocking.missing > 0  # 10% missing
    assert f"无企业满足：职工总数≥ 1000000（另有 {blocking.unknown} 家无法判断）" in item.reason
    assert not item.unjudged


def test_a_population_outside_a_documents_district_matches_none_of_its_measures(corpus):
    jinshan = cv.synthetic_population(50, seed=4, regions={"金山区": 1})
    cov = cv.compute_coverage(cv.PopulationRules(jinshan, AS_OF), corpus)
    unmatched = {u.clause.id: u for u in cv.unmatched_measures(cov)}
    goi = [
        c
        for c in corpus.measures
        if c.policy_id == "pd-goi-2023" and not any(e.field == "region" for e in c.eligibility)
    ]
    assert goi and all(c.id in unmatched for c in goi)
    first = unmatched[goi[0].id].blocking[0]
    assert first.field == "region" and first.area and first.not_met == 50


# --- near-duplicate clauses -------------------------------------------------------------------


def test_near_duplicates_find_the_angel_fund_pair_with_a_symmetric_score(corpus):
    pairs = cv.near_duplicates(corpus.clauses, documents=corpus.documents)
    hit = pairs[(pairs["条款A编号"] == "pd-goi-2023/c2.s4.a12") & (pairs["条款B编号"] == "pd-hnte-2023/c2.s4.a15")]
    assert len(hit) == 1
    assert hit.iloc[0]["条款A"].startswith("第12条　") and hit.iloc[0]["条款B"].startswith("第15条　")
    assert "天使投资母基金" in hit.iloc[0]["条款A原文"] and "天使投资母基金" in hit.iloc[0]["条款B原文"]
    score = hit.iloc[0]["相似度"]
    assert cv.DEFAULT_DUPLICATE_THRESHOLD <= score < 1
    assert (pairs["条款A编号"].str.split("/").str[0] != pairs["条款B编号"].str.split("/").str[0]).all()
    assert (pairs["相似度"] >= cv.DEFAULT_DUPLICATE_THRESHOLD).all()
    reversed_pairs = cv.near_duplicates(corpus.clauses[::-1])
    again = reversed_pairs[(reversed_pairs["条款A编号"] == "pd-goi-2023/c2.s4.a12")]
    assert again[again["条款B编号"] == "pd-hnte-2023/c2.s4.a15"].iloc[0]["相似度"] == pytest.approx(score, abs=1e-9)
    sim = cv.similarity(corpus.measures)
    assert np.array_equal(sim, sim.T)
    looser = cv.near_duplicates(corpus.clauses, threshold=0.3)
    assert len(looser) > len(pairs)


# --- what-if ----------------------------------------------------------------------------------


def test_lowering_a_threshold_never_loses_anyone(rules, corpus, population):
    target = next(c for c in corpus.measures if c.policy_id == "js-yingshang-2022" and not c.eligibility)
    start = cv.new_condition("employees", "gte", 100)
    base = cv.compute_coverage(rules, cv.apply_change(corpus, cv.ConditionEdit(target.id, None, start)))
    for lower in (80, 50, 20, 0):
        result = cv.what_if(base, cv.ConditionEdit(target.id, 0, cv.with_value(start, lower)))
        assert len(result.lost) == 0 and result.summary()["失去资格企业数"] == 0
        expected = {
            i
            for i, p in enumerate(population)
            if p.region == "金山区" and p.employees is not None and lower <= p.employees < 100
        }
        assert set(result.gained.tolist()) == expected
    assert result.gained.size > 0
    raised = cv.what_if(base, cv.ConditionEdit(target.id, 0, cv.with_value(start, 600)))
    between = {
        i
        for i, p in enumerate(population)
        if p.region == "金山区" and p.employees is not None and 100 <= p.employees < 600
    }
    assert raised.gained.size == 0 and between and set(raised.lost.tolist()) == between
    assert corpus.clause(target.id).eligibility == []


def test_removing_a_district_from_a_document_loses_exactly_that_districts_eligible_enterprises(
    rules, corpus, population
):
    policy = "pd-hnte-2023"
    wider = cv.apply_change(corpus, cv.RegionEdit(policy, ("浦东新区", "徐汇区")))
    base = cv.compute_coverage(rules, wider)
    result = cv.what_if(base, cv.RegionEdit(policy, ("浦东新区",)))
    assert result.gained.size == 0 and result.lost.size > 0
    assert {population[i].region for i in result.lost} == {"徐汇区"}
    doc_wide, doc_orig = wider.documents[policy], corpus.documents[policy]
    measures = [c for c in corpus.measures if c.policy_id == policy]
    expected = set()
    for i, p in enumerate(population):
        if p.region != "徐汇区":
            continue
        facts = Facts(p, AS_OF)
        if any(
            evaluate(c, doc_wide, facts).status == "eligible" and evaluate(c, doc_orig, facts).status != "eligible"
            for c in measures
        ):
            expected.add(i)
    assert set(result.lost.tolist()) == expected
    # only measures that rely on the document's area are touched: those with their own area keep their status
    own_area = [c.id for c in measures if any(x.field in {"region", "park"} for x in c.eligibility)]
    assert own_area
    for k, cid in enumerate(result.clause_ids):
        if cid in own_area:
            assert np.array_equal(result.before[:, k], result.after[:, k])
    who = cv.what_if_table(base, result)
    assert len(who) == len(expected) and set(who["变化"]) == {"失去资格"}
    # the cached engine's documents and the view analysed are unchanged
    assert corpus.documents[policy].applies_to.regions == ["浦东新区"]
    assert Recommender.load().documents[policy].applies_to.regions == ["浦东新区"]


def test_adding_a_district_gains_only_that_districts_enterprises(cov, population):
    result = cv.what_if(cov, cv.RegionEdit("js-yingshang-2022", ("金山区", "奉贤区")))
    assert result.lost.size == 0 and result.gained.size > 0
    assert {population[i].region for i in result.gained} == {"奉贤区"}
    assert "金山区、奉贤区" in result.description


# --- the fast paths: judged once, agreeing with judging afresh ----------------------------------


def test_condition_counts_reuse_the_coverages_states_and_agree_with_check(cov, corpus, population, monkeypatch):
    facts = [Facts(p, AS_OF) for p in population]
    fresh = {c.id: cv.condition_counts(cov.rules, c, corpus.documents[c.policy_id]) for c in cov.measures}

    def judged_again(*_):
        raise AssertionError("the coverage's states should be reused")

    monkeypatch.setattr(cv.PopulationRules, "condition_states", judged_again)
    for clause in cov.measures:
        doc = corpus.documents[clause.policy_id]
        counts = cv.condition_counts(cov, clause, doc)
        assert counts == fresh[clause.id], clause.id
    for clause in cov.measures[::7]:  # the reference: conditions.check, enterprise by enterprise
        doc = corpus.documents[clause.policy_id]
        expected = []
        for cond in conditions_for(clause, doc):
            states = Counter(check(cond, f)[0] for f in facts)
            expected.append((cond.field, cond.quote, states["met"], states["not_met"], states["unknown"]))
        counts = cv.condition_counts(cov, clause, doc)
        assert [(c.field, c.quote, c.met, c.not_met, c.unknown) for c in counts] == expected, clause.id
    assert {u.clause.id for u in cv.unmatched_measures(cov)} == {
        c.id for j, c in enumerate(cov.measures) if not (cov.status[:, j] == 0).any()
    }


def _changes(corpus: cv.CorpusView) -> list[cv.Change]:
    """Hypotheses of every kind: districts widened and lifted, a threshold moved, a condition removed, one added,
    and one added that another measure already states (its states are the coverage's)."""
    numeric = next(
        (c, i)
        for c in corpus.measures
        for i, cond in enumerate(c.eligibility)
        if cv.editable_value_kind(cond.field) == "number"
    )
    plain = next(c for c in corpus.measures if c.policy_id == "js-yingshang-2022" and not c.eligibility)
    with_conditions = next(c for c in corpus.measures if len(c.eligibility) >= 2)
    borrowed = next(
        cond for c in corpus.measures if c.id != plain.id for cond in c.eligibility if cond.field == "qualifications"
    )
    clause, index = numeric
    moved = cv.with_value(clause.eligibility[index], 2 * clause.eligibility[index].value)
    return [
        cv.RegionEdit("js-yingshang-2022", ("金山区", "奉贤区")),
        cv.RegionEdit("pd-hnte-2023", ()),
        cv.ConditionEdit(clause.id, index, moved),
        cv.ConditionEdit(with_conditions.id, 0, None),
        cv.ConditionEdit(plain.id, None, cv.new_condition("employees", "gte", 50)),
        cv.ConditionEdit(plain.id, None, borrowed),
    ]


def test_what_if_judges_only_the_changed_conditions_and_agrees_with_evaluate(cov, corpus, population, monkeypatch):
    from recommender.eligibility import matrix

    judged = []
    real_check = matrix.check

    def counting(cond, facts):
        judged.append(cond)
        return real_check(cond, facts)

    facts = [Facts(p, AS_OF) for p in population]
    for change in _changes(corpus):
        edited = cv.apply_change(corpus, change)
        judged.clear()
        monkeypatch.setattr(matrix, "check", counting)
        touched, status = cv.changed_statuses(cov, change)
        monkeypatch.setattr(matrix, "check", real_check)
        assert touched and status.shape == (len(population), len(touched))
        before = {matrix._key(c) for c in cov.matrix.conditions}
        assert all(matrix._key(c) not in before for c in judged), change  # nothing judged twice
        # the straightforward computation: every measure of the edited corpus compiled and judged afresh
        again = cv.compute_coverage(cov.rules, edited)
        assert np.array_equal(again.status[:, touched], status), change
        for i in range(0, len(population), 11):  # and the reference evaluator, enterprise by enterprise
            for k, j in enumerate(touched):
                clause = edited.clause(cov.measures[j].id)
                expected = evaluate(clause, edited.documents[clause.policy_id], facts[i]).status
                assert cv.STATUSES[status[i, k]] == expected, (change, clause.id, i)
        result = cv.what_if(cov, change, include_partial=True)
        usable_after = again.usable(include_partial=True)
        assert np.array_equal(result.total_after, usable_after.sum(axis=1)), change


# --- the page ---------------------------------------------------------------------------------


def _staff_page(**state) -> AppTest:
    """The coverage page opened through the app by a 政策工作人员 (the page is theirs and the 管理员's)."""
    at = AppTest.from_file(str(PAGE.parents[2] / "app.py"), default_timeout=120)
    at.session_state[USER] = account(STAFF, "覆盖分析测试")
    for key, value in state.items():
        at.session_state[key] = value
    _ok(at.run())
    return _ok(at.switch_page("webapp/views/coverage.py").run())


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def _table(at: AppTest, column: str, last: bool = False) -> pd.DataFrame:
    """The one table shown with ``column`` (the last one drawn when ``last``)."""
    frames = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(frames) == 1 or (last and frames), len(frames)
    return frames[-1].reset_index(drop=True)


def _same(shown: pd.DataFrame, expected: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(shown, expected.reset_index(drop=True), check_dtype=False, check_categorical=False)


def test_page_shows_the_numbers_of_a_straightforward_computation_and_reruns_only_what_changes():
    view = cv.CorpusView.from_recommender(live_recommender()[0])
    # by default only the documents in force at the as-of date count
    reference = cv.compute_coverage(cv.PopulationRules(cv.synthetic_population(150, 0), AS_OF), view, valid_only=True)
    assert len(reference.measures) < len(view.measures)  # one document has ended by AS_OF: the default shows
    dims = ["region", "industry", "stage"]
    at = _staff_page(cov_size=150, as_of=AS_OF, cov_min_n=1)
    assert not at.get("vega_lite_chart")  # the overview opens first, without the heatmap
    text = "\n".join(m.value for m in at.markdown)
    empty = cv.uncovered_segments(cv.segment_table(reference, dims))
    assert f"{cv.segment_label(empty, dims)[0]}：{empty['企业数'][0]} 家" in text  # the largest one first
    assert "只统计评估日有效的文件，已过期的 1 份文件中的 35 条措施未计入" in text  # said on the page
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["企业数"] == "150" and metrics["参与统计的措施"] == str(len(reference.measures))
    assert metrics["无人匹配的措施"] == str(len(cv.unmatched_measures(reference)))
    at.session_state["cov_tab"] = "覆盖热力图"
    _ok(at.run())
    assert len(at.get("vega_lite_chart")) == 1 and not at.get("progress")  # the heatmap; the bar emptied
    _same(_table(at, "人均可用措施数"), cv.segment_table(reference, dims))
    labels = {b.label for b in at.get("download_button")}
    assert {"下载合成企业名单（CSV）", "下载细分×支持类型表（CSV）"} <= labels

    _ok(at.checkbox(key="cov_partial").check().run())  # a setting: every table follows it
    partial = cv.segment_table(reference, dims, include_partial=True)
    assert not partial.equals(cv.segment_table(reference, dims))  # the change shows
    _same(_table(at, "人均可用措施数"), partial)
    _ok(at.checkbox(key="cov_partial").uncheck().run())

    everything = cv.compute_coverage(reference.rules, view)  # ended documents included when ticked
    _ok(at.checkbox(key="cov_include_ended").check().run())
    _same(_table(at, "人均可用措施数"), cv.segment_table(everything, dims))
    _ok(at.checkbox(key="cov_include_ended").uncheck().run())

    expected = {  # each tab's table (only the open tab is drawn), and its download
        "无措施的细分": ("企业数", cv.uncovered_segments(cv.segment_table(reference, dims)), "无措施的细分"),
        "无人匹配的条款": ("可申请", cv.measure_table(reference), "措施匹配统计"),
        "诉求满足情况": ("满足率", cv.needs_table(reference), "诉求满足情况"),
        "近似重复条款": ("相似度", cv.near_duplicates(view.clauses, documents=view.documents), "近似重复条款"),
    }
    for tab, (column, table, download) in expected.items():
        at.session_state["cov_tab"] = tab
        _ok(at.run())
        shown = _table(at, column)
        if tab == "无人匹配的条款":
            table = table.sort_values(["可申请", "需补充条件"], kind="stable")
            unjudged = sum(u.unjudged for u in cv.unmatched_measures(reference))
            assert unjudged > 0  # 企业类型 conditions: no profile holds them
            said = [c.value for c in at.caption if "样本中没有企业有判断所需的信息" in c.value]
            assert said and said[0].startswith(f"其中 {unjudged} 条")
            reasons = _table(at, "原因")["原因"]
            assert not reasons.str.contains("无企业满足：企业类型").any()  # never judged, so never 无企业满足
        _same(shown, table)
        assert f"下载{download}（CSV）" in {b.label for b in at.get("download_button")}
        assert not at.get("vega_lite_chart")  # the heatmap's tab is not drawn meanwhile
    measure = next(m for m in reference.measures if m.eligibility)  # one measure's conditions, counted
    counts = cv.condition_counts(reference.rules, measure, view.documents[measure.policy_id])
    at.session_state["cov_tab"] = "无人匹配的条款"
    _ok(at.run())
    _ok(at.selectbox(key="cov_inspect").set_value(measure.id).run())
    _same(_table(at, "条件字段", last=True), cv.conditions_table([(measure, counts)]))

    at.session_state["cov_tab"] = "假设分析"  # a district added to a document: who gains, as judging afresh says
    _ok(at.run())
    _ok(at.radio(key="cov_wi_kind").set_value("文件的适用区域").run())
    change = cv.RegionEdit("js-yingshang-2022", ("金山区", "奉贤区"))
    _ok(at.multiselect(key="cov_wi_regions_js-yingshang-2022").set_value(list(change.regions)).run())
    again = cv.compute_coverage(reference.rules, cv.apply_change(view, change), valid_only=True)
    gained = (again.usable() & ~reference.usable()).any(axis=1).sum()
    lost = (reference.usable() & ~again.usable()).any(axis=1).sum()
    metrics = {m.label: m.value for m in at.metric}
    assert gained > 0 and (metrics["获得资格企业数"], metrics["失去资格企业数"]) == (str(gained), str(lost))
    assert len(_table(at, "变化")) == gained + lost
    assert "下载假设分析企业名单（CSV）" in {b.label for b in at.get("download_button")}
    for tab in ("覆盖热力图", "假设分析"):  # a hidden tab's widgets keep their values: the hypothesis is still there
        at.session_state["cov_tab"] = tab
        _ok(at.run())
    assert {m.label: m.value for m in at.metric}["获得资格企业数"] == str(gained)
