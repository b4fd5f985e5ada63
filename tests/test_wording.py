"""What people read in gaps and reasons: natural sentences, ages as people say them, and every
"请补充X" naming a field the 企业自测 form has (or how to give it)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from recommender.corpus_models import Condition
from recommender.criteria.readiness import check_readiness
from recommender.eligibility.conditions import need
from recommender.eligibility.facts import years_and_months
from recommender.engine import Recommender
from recommender.profile import LABELS, Profile, parse_profile
from recommender.profile_fields import form_name

AS_OF = dt.date(2024, 6, 30)  # the 2023-2025 plans in force: their conditions are all asked
PROFILES = [
    {"name": "甲", "region": "浦东新区"},
    {"name": "乙", "region": "黄浦区", "qualifications": []},
    {"name": "丙", "region": "浦东新区", "park": "张江", "qualifications": ["高新技术企业"], "industry": "集成电路"},
    {"name": "丁", "region": "金山区", "employees": 40, "founded": "2015-06-01", "revenue": 900},
    {"name": "戊", "region": "徐汇区", "qualifications": ["科技型中小企业"], "rd_expense": 100},
]


@pytest.fixture(scope="module")
def engine() -> Recommender:
    return Recommender.load()


def _messages(engine: Recommender, data: dict) -> list[str]:
    profile = parse_profile(data)
    results = engine.recommend(profile, top=None, as_of=AS_OF, include_ineligible=True).results
    said = [g.message for r in results for g in r.gaps]
    return said + [g.message for q in check_readiness(profile, AS_OF) for g in q.gaps]


def _asked(message: str) -> list[str]:
    """What each "请补充X、Y（…）：" of a message asks for, its note in brackets left out (a message may ask
    twice: "需满足其一：（1）请补充…；（2）请补充…")."""
    return [re.sub(r"（(用于判断|在“已有资质”中)[^）]*）$", "", a) for a in re.findall(r"请补充(.+?)：", message)]


def test_every_field_a_gap_asks_for_is_one_the_form_has(engine):
    on_form = {form_name(f) for f in Profile.model_fields if f != "qualification_dates"}
    assert all(LABELS[f].startswith(n) for f in Profile.model_fields if (n := form_name(f)) in on_form)
    one = "|".join(re.escape(n) for n in sorted(on_form, key=len, reverse=True)) + "|“.+? 取得日期”"
    fields = re.compile(rf"(?:{one})(?:、(?:{one}))*")  # form fields, "、" between them
    seen = set()
    for data in PROFILES:
        for message in _messages(engine, data):
            for asked in _asked(message):
                seen.add(asked)
                assert fields.fullmatch(asked), message
    assert "营业收入" in seen and "“高新技术企业 取得日期”" in seen  # the test saw what it checks
    assert not fields.fullmatch(_asked("请补充高新技术企业首次认定至今年限（年）：…")[0])


def test_gaps_read_as_sentences_not_as_label_plus_operator(engine):
    messages = [m for data in PROFILES for m in _messages(engine, data)]
    assert not [m for m in messages if "本措施要求" in m or "已有资质具备" in m or "是否外资企业是" in m]
    assert any("本措施需已取得高新技术企业认定，企业尚无资质" in m for m in messages)
    assert any(m.startswith("本措施需注册地在浦东新区，企业注册地为黄浦区（《") for m in messages)


def test_reasons_say_what_the_enterprise_has_in_words(engine):
    data = {"name": "己", "region": "金山区", "foreign_invested": True, "qualifications": ["高新技术企业"]}
    data |= {"employees": 40, "revenue": 900, "industry": "新材料"}
    results = engine.recommend(parse_profile(data), top=None, as_of=AS_OF, include_ineligible=True).results
    reasons = {r for result in results for r in result.verdict.reasons}
    gaps = {g.message for result in results for g in result.gaps}
    assert "注册地为金山区，在《金山区一流营商环境行动方案》的适用范围内" in reasons
    assert any(r.startswith("是外资企业，符合“") for r in reasons)
    assert any(r.startswith("企业规模为小型，符合“") for r in reasons)
    assert not [t for t in reasons | gaps if "是否外资企业是" in t or "已有资质高新" in t or "企业企业" in t]
    assert any(g.startswith("本措施需为大型企业，企业规模为小型") for g in gaps)


@pytest.mark.parametrize(
    ("condition", "said"),
    [
        ({"field": "qualifications", "op": "any_of", "value": ["高新技术企业"]}, "已取得高新技术企业认定"),
        (
            {"field": "qualifications", "op": "any_of", "value": ["专精特新中小企业", '专精特新"小巨人"']},
            '已取得专精特新中小企业或专精特新"小巨人"认定',
        ),
        ({"field": "qualifications", "op": "none_of", "value": ["高新技术企业"]}, "尚未取得高新技术企业认定"),
        ({"field": "qualifications", "op": "any_of", "value": ["科技型中小企业"]}, "已取得科技型中小企业入库登记编号"),
        ({"field": "employees", "op": "lte", "value": 500}, "职工总数不超过500人"),
        ({"field": "revenue", "op": "gte", "value": 10000}, "最近一年营业收入不低于10000万元"),
        ({"field": "rd_ratio", "op": "gte", "value": 0.03}, "最近一年研发费用占营业收入比例不低于3.0%"),
        ({"field": "age_years", "op": "lt", "value": 3}, "成立不满3年"),
        ({"field": "foreign_invested", "op": "is", "value": True}, "为外资企业"),
        ({"field": "size_class", "op": "in", "value": ["中型", "小型", "微型"]}, "为中型、小型或微型企业"),
        ({"field": "region", "op": "in", "value": ["浦东新区", "上海市外"]}, "注册地在浦东新区或上海市外"),
    ],
)
def test_a_condition_reads_as_what_the_enterprise_needs(condition, said):
    assert need(Condition(**condition, quote="原文")) == said


@pytest.mark.parametrize(
    ("start", "end", "said"),
    [
        (dt.date(2015, 6, 1), dt.date(2026, 11, 30), "11 年 5 个月"),
        (dt.date(2015, 6, 30), dt.date(2026, 11, 29), "11 年 4 个月"),  # never rounded up
        (dt.date(2023, 6, 30), dt.date(2026, 6, 30), "3 年"),
        (dt.date(2026, 3, 1), dt.date(2026, 11, 30), "8 个月"),
        (dt.date(2026, 11, 10), dt.date(2026, 11, 30), "不满 1 个月"),
    ],
)
def test_an_age_is_said_in_years_and_months(start, end, said):
    assert years_and_months(start, end) == said


def test_the_firm_s_age_reads_in_years_and_months_not_days():
    profile = parse_profile({"name": "甲", "region": "浦东新区", "founded": "2015-06-01"})
    [hnte] = [q for q in check_readiness(profile, dt.date(2026, 11, 30)) if q.name == "高新技术企业"]
    assert "注册成立时间 11 年 5 个月，符合 ≥ 365 天" in hnte.reasons
    assert not any(re.search(r"时间 \d+ 天", r) for r in hnte.reasons)


def test_a_small_amount_is_never_said_as_zero_and_a_small_gap_is_in_yuan():
    """研发费用 400 元 (0.04 万元) read "最近一年研发费用 0 万元"; gaps of 94 元 and 341 元 both read "还差约 0.1 万元"
    (a break-it trial)."""
    from recommender.criteria.wording import num

    assert [num(x) for x in (0.04, 0.0123, 0.5, 2.25, 12000, 0.000001)] == [
        "0.04",
        "0.012",
        "0.5",
        "2.2",
        "12000",
        "0.000001",
    ]
    firm = {"name": "甲", "region": "浦东新区", "revenue": 1.23, "rd_expense": 0.04, "employees": 5}
    messages = [g.message for q in check_readiness(parse_profile(firm), AS_OF) for g in q.gaps]
    assert "上年度研发费用 0.04 万元，需 ≥ 100 万元：还差 100 万元" in messages
    [scored] = [m for m in messages if m.startswith("研发投入：")]
    assert "还差约 92 元研发投入" in scored and "还差约 338 元研发投入" in scored  # both were 0.1 万元
