"""The recommender: the issue's public examples, own-words descriptions, validity, determinism."""

from __future__ import annotations

import datetime as dt

import pytest

from recommender.clock import today as shanghai_today
from recommender.engine import Recommender
from recommender.profile import parse_profile

IN_FORCE_2024 = dt.date(2024, 6, 30)  # inside the 2023-2025 plans' validity


@pytest.fixture(scope="module")
def engine() -> Recommender:
    return Recommender.load()


def _top(engine, profile, k=5, as_of=None, **kw):
    return engine.recommend(profile, top=k, as_of=as_of or shanghai_today(), **kw).results


def test_pudong_ip_protection_finds_the_hnte_plan_ip_protection_centre(engine):
    profile = {
        "name": "浦东某软件公司",
        "region": "浦东新区",
        "industry": "软件开发",
        "needs": ["知识产权"],
        "description": "我们的专利被人侵权了，想找知识产权保护和维权方面的帮助",
    }
    top = _top(engine, profile, as_of=IN_FORCE_2024)
    hits = [r for r in top if r.clause.policy_id == "pd-hnte-2023" and "知识产权保护中心" in r.clause.text]
    assert hits, [r.clause.id for r in top]
    assert hits[0].status == "eligible" and hits[0].verdict.reasons
    reasons = hits[0].as_dict()["reasons"]
    assert "对应企业诉求：知识产权" in reasons
    assert any(r.startswith("与企业填写的情况相关：原文“") and "维权" in r for r in reasons), reasons


def test_jinshan_manufacturer_needing_space_gets_standard_workshops_and_no_pudong_measure(engine):
    profile = {
        "name": "金山某机械公司",
        "region": "金山区",
        "industry": "机械制造",
        "needs": ["场地空间"],
        "description": "订单增加，需要扩大车间厂房",
    }
    top = _top(engine, profile)
    assert any("标准化厂房改造" in r.clause.text for r in top), [r.clause.id for r in top]
    everything = engine.recommend(profile, top=None, as_of=shanghai_today(), include_ineligible=True).results
    pudong_only = [
        r
        for r in everything
        if r.document.applies_to.regions == ["浦东新区"] and not any(c.field == "region" for c in r.clause.eligibility)
    ]
    assert pudong_only and all(r.status == "ineligible" for r in pudong_only)
    shown = _top(engine, profile, k=50)
    assert not any(r.clause in [p.clause for p in pudong_only] for r in shown)


def test_jinshan_recruiting_gets_live_streamed_job_fairs(engine):
    profile = {"name": "金山某公司", "region": "金山区", "needs": ["人才引进"], "description": "招工难，想招聘一线工人"}
    assert any("直播带岗" in r.clause.text for r in _top(engine, profile))


def test_zhangjiang_early_stage_technology_gets_proof_of_concept_centre(engine):
    profile = {
        "name": "张江某生物科技",
        "region": "浦东新区",
        "park": "张江科学城",
        "stage": "初创期",
        "description": "我们有一项早期技术，需要验证技术可行性、做原型",
    }
    top = _top(engine, profile, as_of=IN_FORCE_2024)
    assert any("概念验证中心" in r.clause.text for r in top), [r.clause.id for r in top]


def test_xuhui_tech_insurance_in_2018(engine):
    profile = {"name": "徐汇某科技公司", "region": "徐汇区", "description": "想了解科技保险"}
    top = _top(engine, profile, as_of=dt.date(2018, 6, 30))
    assert any("科技保险保费补贴" in r.clause.text for r in top)
    assert all(r.valid for r in top)


def test_own_words_reach_policy_words(engine):
    cash = _top(engine, {"name": "甲", "region": "金山区", "description": "最近资金周转紧张"})
    assert any("融资贷款" in r.clause.benefits for r in cash[:3])
    assert any({"融资", "贷款", "信贷"} & set(r.matched_terms) for r in cash[:3])
    lab = _top(
        engine,
        {"name": "乙", "region": "徐汇区", "description": "自己没有实验室，做不了检测"},
        as_of=dt.date(2018, 1, 1),
    )
    assert any("检验检测" in r.clause.text or "研发公共服务平台" in (r.clause.title or "") for r in lab)


def test_structured_fields_alone_give_good_results(engine):
    profile = {
        "name": "丙",
        "region": "浦东新区",
        "qualifications": ["高新技术企业"],
        "qualification_dates": {"高新技术企业": "2024-03-01"},
        "needs": ["资金补贴"],
    }
    top = _top(engine, profile, as_of=IN_FORCE_2024)
    assert top[0].clause.id == "pd-hnte-2023/c2.s4.a19", [r.clause.id for r in top]
    assert top[0].status == "eligible"


def test_expired_measures_rank_after_valid_ones_and_are_marked(engine):
    profile = {"name": "丁", "region": "浦东新区", "park": "张江科学城", "needs": ["资金补贴"]}
    results = engine.recommend(profile, top=None, as_of=dt.date(2026, 11, 22)).results
    validity = [r.valid for r in results]
    assert True in validity and False in validity
    assert validity == sorted(validity, reverse=True)
    assert all(r.as_dict()["status_label"] == "已过期" for r in results if not r.valid)


@pytest.mark.parametrize(
    ("titles", "status"), [(None, "unknown"), ([], "ineligible"), (["科技型中小企业"], "ineligible")]
)
def test_a_title_not_held_rules_the_measure_out_and_points_to_readiness(engine, titles, status):
    # a measure for 高新技术企业 is not 需补充条件 for a firm without the title: it is ruled out for
    # now (信息不足 while the titles are not said), and listed among those the title would unlock
    profile = {"name": "戊", "region": "浦东新区", "needs": ["资金补贴"], "qualifications": titles}
    results = engine.recommend(profile, top=None, as_of=IN_FORCE_2024, include_ineligible=True).results
    subsidy = next(r for r in results if r.clause.id == "pd-hnte-2023/c2.s4.a19")
    assert subsidy.status == status
    assert subsidy.verdict.unlocks_with == ["高新技术企业"]
    gap = subsidy.verdict.gaps[0].as_dict()
    assert gap["field"] == "qualifications" and gap["qualification"] == "高新技术企业" and "原文" in gap["message"]
    shown = engine.recommend(profile, top=None, as_of=IN_FORCE_2024).results
    assert (subsidy.clause.id in {r.clause.id for r in shown}) == (status != "ineligible")


def test_internal_tasks_are_never_recommended(engine):
    profile = {"name": "己", "region": "浦东新区", "description": "宣传 考核 组织协调"}
    results = engine.recommend(profile, top=None, as_of=shanghai_today(), include_ineligible=True).results
    assert results and all(r.clause.kind in {"measure", "lead"} for r in results)
    assert {r.clause.kind for r in results} == {"measure", "lead"}
    without = engine.recommend(profile, top=None, as_of=shanghai_today(), include_ineligible=True, leads=False)
    assert {r.clause.kind for r in without.results} == {"measure"}


def test_deterministic_and_accepts_model_or_dict(engine):
    data = {"name": "庚", "region": "金山区", "needs": ["融资贷款", "政务服务"], "description": "办事和贷款"}
    a = [r.clause.id for r in engine.recommend(data, top=20, as_of=shanghai_today()).results]
    b = [r.clause.id for r in engine.recommend(parse_profile(data), top=20, as_of=shanghai_today()).results]
    assert a == b


def test_load_is_cached(engine):
    assert Recommender.load() is engine


@pytest.mark.parametrize(
    ("profile", "asked"),
    [
        ({"industry": "软件和信息服务", "employees": 15}, "请补充营业收入（用于判断企业规模）"),
        ({"industry": "财税咨询", "employees": 6, "revenue": 120}, "请确认企业规模（所属行业未能对应"),
        ({}, "请补充所属行业、职工总数、营业收入（用于判断企业规模）"),
    ],
)
def test_an_unknown_size_class_asks_for_the_fields_that_settle_it(engine, profile, asked):
    # the form has no 企业规模 field: the gap names what the enterprise can fill in, or why it cannot
    data = {"name": "甲", "region": "浦东新区", **profile}
    results = engine.recommend(data, top=None, as_of=IN_FORCE_2024).results
    gaps = [g.message for r in results for g in r.gaps if g.field == "size_class"]
    assert gaps and all(g.startswith(asked) for g in gaps), gaps[:2]


@pytest.mark.parametrize(
    "profile",
    [
        {"name": "浦东某公司", "region": "浦东新区"},
        {"name": "浦东某芯片公司", "region": "浦东新区", "industry": "集成电路", "employees": 80, "revenue": 3000},
        {"name": "金山某企业", "region": "金山区", "needs": ["融资贷款"], "qualifications": ["高新技术企业"]},
    ],
)
def test_a_measure_whose_rule_asks_only_where_the_enterprise_is_is_never_shown_as_eligible(engine, profile):
    """推进“证照分离”改革, 建立高新技术企业服务工作站 … (a government's own tasks and services, whose rule is
    the document's district alone) were listed as 可申请 for every enterprise there (a break-it trial): nothing
    they ask of an enterprise was checked. They show as 可关注; the rule status stays eligible (the contract's
    ``status``), and every 可申请 has a condition beyond the area met."""
    from recommender.eligibility.conditions import asks_the_enterprise

    results = engine.recommend(profile, top=None, as_of=IN_FORCE_2024).results
    area_only = [r for r in results if r.status == "eligible" and not asks_the_enterprise(r.clause, r.document)]
    assert area_only  # the corpus has such measures in force for each of these enterprises
    for r in area_only:
        assert r.as_dict()["status_label"] == "可关注" and r.as_dict()["status"] == "eligible", r.clause.id
    for r in results:
        if r.as_dict()["status_label"] == "可申请":
            assert asks_the_enterprise(r.clause, r.document) and r.verdict.met_specific > 0, r.clause.id


@pytest.mark.parametrize("first", ["2024-03-01", "2015-03-01", None])
def test_a_threshold_the_policy_does_not_state_is_said_to_be_assumed(engine, first):
    """“首次认定、新引进的高新技术企业” names no period; the rule reads it as within a year of the first
    recognition. The gap said "本措施需首次认定高新技术企业不超过1年（原文：“首次认定、新引进的高新技术企业”）", as
    if the policy said so (a break-it trial): each reason and gap now says the year is this reading's, 待核实."""
    profile = {"name": "丙", "region": "浦东新区", "qualifications": ["高新技术企业"], "needs": ["资金补贴"]}
    if first:
        profile["qualification_dates"] = {"高新技术企业": first}
    results = engine.recommend(profile, top=None, as_of=IN_FORCE_2024, include_ineligible=True).results
    subsidy = next(r for r in results if r.clause.id == "pd-hnte-2023/c2.s4.a19")
    said = [*subsidy.verdict.reasons, *(g.message for g in subsidy.verdict.gaps)]
    about_the_year = [s for s in said if "首次认定高新技术企业" in s or "首次认定至今" in s]
    assert about_the_year and all("原文未规定期限" in s and s.endswith("待核实）") for s in about_the_year), said


def test_an_open_title_condition_never_asks_whether_a_title_the_profile_lacks_is_held(engine):
    """“针对“独角兽”“隐形冠军”、专精特新等高增长企业” for an enterprise holding 高新技术企业 only: the gap asked
    "请确认是否已取得专精特新中小企业…认定", a title the profile says it lacks, while the unlock list said the
    title was all that was missing (a break-it trial). It says what is asked and what the enterprise has."""
    profile = {"name": "张江某芯片公司", "region": "浦东新区", "park": "张江科学城", "qualifications": ["高新技术企业"]}
    results = engine.recommend(profile, top=None, as_of=dt.date(2026, 12, 1), include_ineligible=True).results
    gaps = [g.message for r in results for g in r.verdict.gaps]
    assert not [g for g in gaps if g.startswith("请确认是否已取得")], gaps
    [open_title] = [r for r in results if r.clause.id == "zj-opinions-2023/c6.p2#b"]
    [gap] = open_title.verdict.gaps
    assert gap.message.startswith("本措施需已取得专精特新中小企业或专精特新")
    assert "企业现有资质为高新技术企业；是否属于原文所指对象，请确认（原文：" in gap.message
