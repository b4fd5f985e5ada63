"""Proposals for documents no person has curated: conditions from the clause's own words, and the
leave-one-document-out figures (README "新增政策文件") that must not drop."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.corpus import all_clauses, load_policies
from recommender.proposals.conditions import propose_conditions
from recommender.proposals.evaluation import leave_one_document_out


def _rules(text: str, regions: list[str] | None = None) -> set[tuple]:
    return {
        (c.field, c.op, tuple(c.value) if isinstance(c.value, list) else c.value)
        for c in propose_conditions(text, regions)
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("对已认定的高新技术企业给予一次性奖励。", {("qualifications", "any_of", ("高新技术企业",))}),
        ("梳理非高新技术企业，开展定向服务。", {("qualifications", "none_of", ("高新技术企业",))}),
        ("对职工人数不超过500人的企业给予支持。", {("employees", "lte", 500)}),
        ("对研发投入不低于1000万元的企业给予支持。", {("rd_expense", "gte", 1000)}),
        ("年营业收入达到1亿元以上的企业", {("revenue", "gte", 10000)}),
        ("对成立未满三年的科技企业给予房租补贴。", {("age_years", "lt", 3)}),
        ("注册成立3年以内的企业", {("age_years", "lte", 3)}),
        ("为中小企业提供融资服务。", {("size_class", "in", ("中型", "小型", "微型"))}),
        ("为外商投资企业提供便利化服务。", {("foreign_invested", "is", True)}),
        ("研发投入占营业收入比例不低于3%的企业", {("rd_ratio", "gte", 0.03)}),
        (
            "对首次认定的高新技术企业给予资助。",
            {("qualifications", "any_of", ("高新技术企业",)), ("hnte_age_years", "lte", 1)},
        ),
        # a break-it trial: the level said by its tail only was missed; the renewed were left out as if first only
        ("对上年度营业收入1亿元以下的企业给予补贴。", {("revenue", "lte", 10000)}),
        ("对职工人数50人以上的企业给予奖励。", {("employees", "gte", 50)}),
        ("对首次认定和重新认定的高新技术企业分别给予奖励。", {("qualifications", "any_of", ("高新技术企业",))}),
    ],
)
def test_conditions_stated_of_the_enterprise_are_proposed(text, expected):
    assert _rules(text) == expected


def test_a_proposed_period_the_text_does_not_state_says_so():
    """ "首次认定" names no period; the proposal's year is its own reading, said as such (shown 待核实)."""
    [first] = [c for c in propose_conditions("对首次认定的高新技术企业给予资助。", None) if c.field == "hnte_age_years"]
    assert first.assumed and "原文未规定期限" in first.assumed
    assert all(c.assumed is None for c in propose_conditions("研发投入占营业收入比例不低于3%的企业", None))


@pytest.mark.parametrize(
    "text",
    [
        "大力培育高新技术企业，支持企业申报高新技术企业。",  # a goal, not a condition
        "对符合条件的企业给予一定资助。",  # no number is stated: none is invented
        "建立高新技术企业服务工作站，强化扎根式服务。",  # a topic, not the enterprises served
        "着力支持中小企业与GOI对接。",  # GOI is the partner here
        "到2025年，营业收入超过100亿元的企业达到10家。",  # a target of the district: no enterprise condition
        "营业收入不低于30人",  # the number is not the field's
        "按研发费用的10%给予不超过200万元的资助",  # the subsidy's cap, not a condition on 研发费用
        "新增职工人数不少于50人",  # a change, not a headcount
        "营业收入较上年增长超过1000万元",  # growth, not revenue
        "注册在2020年以后的企业",  # a year, not an age
        "职工人数不超过1000人或营业收入不超过4亿元",  # either is enough: no rule of all
    ],
)
def test_no_condition_where_the_words_do_not_state_one(text):
    rules = _rules(text)
    assert not any(r[0] == "qualifications" and r[1] == "any_of" and "高新技术企业" in r[2] for r in rules)
    assert not any(r[0] in ("revenue", "employees", "rd_expense", "age_years") for r in rules)
    if "GOI" in text:
        assert rules == {("size_class", "in", ("中型", "小型", "微型"))}


def test_region_outside_needs_the_documents_district():
    assert _rules("优化异地高新技术企业迁入的各项服务", ["浦东新区"]) >= {("region", "not_in", ("浦东新区",))}
    assert not any(r[0] == "region" for r in _rules("优化异地高新技术企业迁入的各项服务", []))


def test_every_quote_is_the_clauses_own_words():
    for clause in all_clauses(load_policies()):
        for condition in propose_conditions(clause.text, ["浦东新区"]):
            assert condition.quote in clause.text, (clause.id, condition.quote)


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet="对为已认定的高新技术企业职工人数不超过不低于万元亿人成立未满三年中小外资，。；0123456789%",
        max_size=80,
    )
)
def test_any_text_gives_valid_conditions_quoted_from_it(text):
    for condition in propose_conditions(text, ["浦东新区"]):
        assert condition.quote in text
        if isinstance(condition.value, float):
            assert condition.value >= 0


def test_leave_one_document_out_figures_do_not_drop():
    """The figures in the README (新增政策文件 → 自动建议的质量). They fall short of the issue's targets
    (kind ≥ 0.85, condition precision ≥ 0.9, recall ≥ 0.7): the README says so; this test keeps them from
    getting worse."""
    total = leave_one_document_out(load_policies())[-1]
    assert total.clauses == 308
    assert total.kind_accuracy >= 0.70
    assert total.benefit_f1 >= 0.55
    assert total.condition_precision >= 0.72
    assert total.condition_recall >= 0.52


def test_a_scope_sentence_names_whom_the_document_is_for():
    from recommender.proposals.conditions import propose_scope_conditions

    found = propose_scope_conditions("本办法适用于职工人数不超过500人的集成电路设计企业。", ["闵行区"])
    assert {(c.field, c.op): c.value for c in found} == {("employees", "lte"): 500.0, ("industry", "in"): ["集成电路"]}
    assert all(c.quote.startswith("适用范围：") for c in found)
    [titled] = propose_scope_conditions("本办法支持对象为在闵行区注册的科技型中小企业。", ["闵行区"])
    assert (titled.field, titled.value) == ("qualifications", ["科技型中小企业"])
    assert propose_scope_conditions("本办法适用于本区企业。本办法自2024年1月1日起施行。", ["闵行区"]) == []
    # every enterprise, with priorities: no limit (the priorities were proposed as one, refusing a restaurant)
    for text in ("本措施适用于在黄浦区注册的各类企业，重点支持人工智能、集成电路等产业企业。",
                 "本措施适用于在黄浦区注册的企业，优先支持人工智能企业。"):  # fmt: skip
        assert propose_scope_conditions(text, ["黄浦区"]) == [], text


@pytest.mark.parametrize(
    "text",
    [
        "对首次认定的高新技术企业，给予一次性奖励20万元；其中成立未满三年的，奖励提高至30万元。",
        "对首次认定的高新技术企业给予20万元奖励，成立不满3年的企业奖励30万元。",
        "对首次认定的高新技术企业给予20万元奖励，成立不满3年的，提高至30万元。",
    ],
)
def test_a_higher_tier_of_a_reward_is_no_condition_of_the_measure(text):
    """成立未满三年 raises the reward; proposed as a condition it shut older firms out of the base reward."""
    fields = {c.field for c in propose_conditions(text, ["闵行区"])}
    assert "qualifications" in fields and "age_years" not in fields


def test_a_condition_before_any_amount_stays_one():
    assert [c.field for c in propose_conditions("对成立未满三年的科技型企业，给予房租补贴。")] == ["age_years"]
    found = propose_conditions("对年度研发投入超过500万元的企业给予补贴，最高提高至200万元。")
    assert [(c.field, c.op, c.value) for c in found] == [("rd_expense", "gt", 500.0)]
