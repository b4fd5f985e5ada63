"""Readiness never says 已满足 on a condition it did not check (issue: criteria trust).

- every condition of each official rule is in its rule set, encoded or declared ``not_encoded``
  (tests/criteria/official_conditions.yaml, written from the facts file);
- no profile at all reaches 已满足 on a rule set that holds a ``not_encoded`` condition on every route;
- an absent list is unknown, an empty one is "none";
- the headline carries 待核实 when a value behind it is unverified, and says which rule set applies.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender.criteria.model import Condition, load_criteria
from recommender.criteria.readiness import check_one, check_readiness
from recommender.paths import ROOT
from recommender.profile import parse_profile
from recommender.vocab import QUALIFICATIONS

OFFICIAL = Path(__file__).parent / "readiness" / "official_conditions.yaml"
CRITERIA = {c.qualification: c for c in load_criteria()}
LITTLE_GIANT = '专精特新"小巨人"'


def _labels(cond: Condition) -> list[str]:
    return [cond.label] + [x for c in (cond.all or []) + (cond.any or []) for x in _labels(c)]


def _official() -> list[tuple[str, dt.date, list[str]]]:
    data = yaml.safe_load(OFFICIAL.read_text(encoding="utf-8"))
    return [(name, day, words) for name, days in data.items() for day, words in days.items()]


@pytest.mark.parametrize(("name", "day", "words"), _official())
def test_every_official_condition_is_encoded_or_declared_not_encoded(name, day, words):
    rule_set = CRITERIA[name].rules[day]
    labels = [label for c in rule_set.all for label in _labels(c)]
    missing = [w for w in words if not any(w in label for label in labels)]
    assert not missing, f"{name} {day}: 官方条件未收录，也未声明 not_encoded：{missing}"


def test_every_rule_set_with_rules_is_in_the_catalogue():
    listed = {(name, day) for name, day, _ in _official()}
    assert {(c.qualification, d) for c in CRITERIA.values() for d in c.rules} == listed


def _open_on_every_route(cond: Condition) -> bool:
    """True when no way through ``cond`` avoids a not_encoded condition."""
    if cond.all is not None:
        return any(_open_on_every_route(c) for c in cond.all)
    if cond.any is not None:
        return all(_open_on_every_route(c) for c in cond.any)
    return cond.op == "not_encoded"


BLOCKED = [
    (c.qualification, day)
    for c in CRITERIA.values()
    for day, rule_set in c.rules.items()
    if any(_open_on_every_route(cond) for cond in rule_set.all)
]


def test_the_ladder_titles_cannot_be_met_from_a_profile():
    assert {(n, d.isoformat()) for n, d in BLOCKED} >= {
        (LITTLE_GIANT, "2022-01-01"),
        (LITTLE_GIANT, "2026-04-01"),
        ("专精特新中小企业", "2026-04-01"),
    }


def _ratio() -> st.SearchStrategy[float]:
    return st.sampled_from([0.0, 0.03, 0.5, 0.7, 0.75, 0.8, 0.9, 1.0])


PROFILES = st.fixed_dictionaries(
    {"name": st.just("随机企业"), "region": st.just("浦东新区")},
    optional={
        "industry": st.sampled_from(["软件开发", "集成电路", "新材料", "房地产"]),
        "founded": st.sampled_from(["2000-01-01", "2020-06-30", "2025-12-31"]),
        "employees": st.integers(0, 2000),
        "rd_staff": st.integers(0, 10),
        "revenue": st.sampled_from([0, 999, 1500, 5000, 10000, 50000]),
        "rd_expense": st.sampled_from([0, 100, 600, 5000]),
        "revenue_prev": st.sampled_from([1000, 5000, 40000]),
        "rd_expense_prev": st.sampled_from([0, 100, 600, 5000]),
        "high_tech_revenue": st.just(0),
        "total_assets": st.sampled_from([100, 20000, 90000]),
        "invention_patents": st.integers(0, 20),
        "other_ip": st.integers(0, 20),
        "qualifications": st.lists(st.sampled_from(QUALIFICATIONS), max_size=4, unique=True),
        "main_business_share": _ratio(),
        "debt_ratio": _ratio(),
        "rd_domestic_share": _ratio(),
        "niche_years": st.integers(0, 10),
        "innovation_score": st.sampled_from([0, 71, 100]),
        "equity_financing_2y": st.sampled_from([0, 2000]),
        "equity_financing_3y": st.sampled_from([0, 500]),
        "major_accident": st.booleans(),
        "provincial_rd_institution": st.booleans(),
        "national_award_5y": st.booleans(),
        "st_award_3y": st.booleans(),
        "taxable_income": st.sampled_from([0, 300, 301]),
    },
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PROFILES, st.sampled_from([dt.date(2025, 6, 30), dt.date(2026, 4, 1), dt.date(2026, 11, 29)]))
def test_no_profile_reaches_met_past_a_condition_nobody_checked(data, as_of):
    data["rd_staff"] = min(data.get("rd_staff", 0), data.get("employees", 10))
    if "revenue" in data:
        data["high_tech_revenue"] = min(data.get("high_tech_revenue", 0), data["revenue"])
    profile = parse_profile(data)
    for name, day in BLOCKED:
        criterion = CRITERIA[name]
        if criterion.rule_set(as_of) is None or criterion.rule_set(as_of)[0] != day:
            continue
        result = check_one(criterion, profile, as_of)
        assert result.held or result.status != "met", (name, day, data)


# --- the audit's findings, through the command line -------------------------------------------------

BASE = {"name": "审计样例", "region": "浦东新区", "industry": "软件开发", "employees": 200}


def _readiness(profile: dict, as_of: str, tmp_path: Path) -> dict[str, dict]:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(profile, ensure_ascii=False), encoding="utf-8")
    cmd = [sys.executable, "-m", "recommender", "readiness", str(path), "--as-of", as_of, "--format", "json"]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=True)
    return {q["name"]: q for q in json.loads(done.stdout)["qualifications"]}


@pytest.mark.parametrize("as_of", ["2026-03-31", "2026-04-01"])
def test_little_giant_without_the_title_and_one_year_in_its_niche(as_of, tmp_path):
    """Finding 1: every number of the 小巨人 rules met, but no 专精特新 title and one year in the niche."""
    numbers = {"revenue": 20000, "rd_expense": 1200, "revenue_prev": 18000, "rd_expense_prev": 1200,
               "main_business_share": 0.95, "debt_ratio": 0.4, "invention_patents": 6}  # fmt: skip
    found = _readiness({**BASE, **numbers, "qualifications": [], "niche_years": 1}, as_of, tmp_path)
    assert found[LITTLE_GIANT]["status"] == "not_met"
    assert {"qualifications", "niche_years"} <= {g["field"] for g in found[LITTLE_GIANT]["gaps"]}
    # with the title and 3 years in the niche: still 信息不足, naming what evidence settles the rest
    q = _readiness({**BASE, **numbers, "qualifications": ["专精特新中小企业"], "niche_years": 3,
                    "provincial_rd_institution": True}, as_of, tmp_path)[LITTLE_GIANT]  # fmt: skip
    assert q["status"] == "unknown" and q["status_label"] == "信息不足"
    text = " ".join(g["message"] for g in q["gaps"])
    for words in ["细分市场占有率", "主营业务收入平均增长率", "证明材料"]:
        assert words in text
    assert ("六基" in text and "评价得分" in text) if as_of == "2026-04-01" else ("质量管理体系" in text)


def test_specialized_sme_2026_needs_the_score_and_market_position(tmp_path):
    """Finding 2: the 2026 rules' evaluation score (≥ 50) and market position; the IP waiver."""
    profile = {**BASE, "employees": 80, "revenue": 3000, "rd_expense": 150, "revenue_prev": 3000,
               "rd_expense_prev": 150, "niche_years": 3, "main_business_share": 0.85, "debt_ratio": 0.5,
               "qualifications": ["创新型中小企业"]}  # fmt: skip
    q = _readiness({**profile, "invention_patents": 1}, "2026-04-01", tmp_path)["专精特新中小企业"]
    assert q["status"] == "unknown"
    assert any("发展评价得分" in g["message"] and "50 分" in g["message"] for g in q["gaps"])
    assert any("细分市场地位" in g["message"] for g in q["gaps"])
    # no class I IP but a 省部级 R&D institution: the IP condition is met, not a false 未满足
    waived = _readiness({**profile, "invention_patents": 0, "provincial_rd_institution": True}, "2026-04-01", tmp_path)
    assert waived["专精特新中小企业"]["status"] == "unknown"
    assert "invention_patents" not in {g["field"] for g in waived["专精特新中小企业"]["gaps"]}


def test_an_absent_list_is_unknown_and_an_empty_one_is_none(tmp_path):
    """Finding 3: qualifications absent is unknown (never "企业现有资质：无"); [] and "无" mean none."""
    absent = _readiness({**BASE, "niche_years": 5}, "2026-06-30", tmp_path)
    for q in absent.values():
        assert all("企业现有资质：无" not in g["message"] for g in q["gaps"]), q["name"]
    assert absent[LITTLE_GIANT]["status"] == "unknown"
    assert any("未填写已有资质" in g["message"] for g in absent[LITTLE_GIANT]["gaps"])
    for none in ([], "无"):
        stated = _readiness({**BASE, "niche_years": 5, "qualifications": none}, "2026-06-30", tmp_path)
        assert stated[LITTLE_GIANT]["status"] == "not_met"
        assert any("企业现有资质：无" in g["message"] for g in stated[LITTLE_GIANT]["gaps"])
    assert parse_profile({**BASE, "qualifications": []}).public_dict()["qualifications"] == []
    assert "qualifications" not in parse_profile(BASE).public_dict()


def test_tech_sme_routes_and_the_better_of_two_rd_scores(tmp_path):
    """Finding 4: the standards route, 排名前三 for the award route, R&D ÷ total cost as the alternative."""
    low = {**BASE, "employees": 100, "rd_staff": 10, "revenue": 5000, "rd_expense": 50, "total_assets": 5000,
           "invention_patents": 0, "other_ip": 0, "qualifications": [], "provincial_rd_institution": False}  # fmt: skip
    q = _readiness({**low, "national_award_5y": False}, "2025-06-30", tmp_path)["科技型中小企业"]
    # 科技人员 4 + 研发投入 0 (R&D ÷ sales 1%) to 50 (R&D ÷ total cost, not in a profile) + 成果 0: 4–54
    assert q["scores"][0]["range"] == [4, 54]
    assert q["status"] == "unknown"
    text = " ".join(g["message"] for g in q["gaps"])
    assert "主导制定过国际标准、国家标准或行业标准" in text and "成本费用支出总额" in text
    award = _readiness({**low, "national_award_5y": True}, "2025-06-30", tmp_path)["科技型中小企业"]
    assert award["status"] == "unknown" and "排名前三" in " ".join(g["message"] for g in award["gaps"])
    # the size limits still decide: too many staff is 未满足 whatever the routes
    big = _readiness({**low, "employees": 501, "rd_staff": 51}, "2025-06-30", tmp_path)["科技型中小企业"]
    assert big["status"] == "not_met"


def test_the_headline_carries_the_unverified_mark_and_the_rule_set_basis(tmp_path):
    """Finding 5: 待核实 on the headline, and which rule set (from which date) the verdict applies."""
    firm = {**BASE, "employees": 100, "rd_staff": 30, "revenue": 5000, "rd_expense": 300, "total_assets": 5000,
            "invention_patents": 1, "other_ip": 0, "taxable_income": 200, "founded": "2018-01-01",
            "high_tech_revenue": 4000, "rd_expense_3y": 900, "revenue_3y": 15000, "rd_domestic_share": 1,
            "innovation_score": 80, "major_accident": False}  # fmt: skip
    found = _readiness(firm, "2026-06-30", tmp_path)
    tech = found["科技型中小企业"]  # its R&D and IP score tables are unverified, its start date unchecked
    # every figure met; left: what the enterprise confirms (credit records, products not prohibited)
    assert tech["status"] == "unknown" and tech["headline"] == "待企业确认（待核实）" and tech["unverified"]
    assert len(tech["to_confirm"]) == 2 and any("信用中国" in t for t in tech["to_confirm"])
    thin = _readiness({**firm, "rd_staff": None}, "2026-06-30", tmp_path)["科技型中小企业"]
    assert thin["headline"] == "信息不足（待核实）" and thin["to_confirm"] == []  # a figure is missing too
    assert tech["basis"].endswith("（2017-05-03 起适用，起始日期待核实）")
    hnte = found["高新技术企业"]  # met; the industry → 八大领域 mapping it rests on is unverified
    assert hnte["status"] == "met" and hnte["headline"] == "已满足（待核实）"
    assert any("对照" in u for u in hnte["unverified"])
    assert hnte["basis"].endswith("第十一条（2016-01-01 起适用）")
    small = found["小型微利企业"]  # its numbers verified; the 非限制和禁止行业 condition is not (not in the facts)
    assert small["headline"] == "待企业确认（待核实）" and any("非限制和禁止行业" in u for u in small["unverified"])
    # an unchecked start date is said in the basis, not on the headline: the values are what the verdict rests on
    ladder = found["专精特新中小企业"]
    assert ladder["headline"] in {"信息不足（待核实）", "未满足（待核实）", "信息不足", "未满足"}
    hnte_2022 = _readiness({**firm, "qualifications": []}, "2025-06-30", tmp_path)["专精特新中小企业"]
    assert hnte_2022["basis"].endswith("起始日期待核实）") and "（待核实）" not in hnte_2022["headline"]
    assert "2023-01-01 起适用" in small["basis"] and "第6号" in small["basis"]


def test_start_dates_are_cited_or_marked(tmp_path):
    """Finding 6: 科小 starts at its issue date 2017-05-03; the 2022 ladder's start stays marked unverified."""
    assert min(CRITERIA["科技型中小企业"].rules) == dt.date(2017, 5, 3)
    assert not CRITERIA["科技型中小企业"].rules[dt.date(2017, 5, 3)].date_verified
    for name in ("创新型中小企业", "专精特新中小企业", LITTLE_GIANT):
        assert not CRITERIA[name].rules[dt.date(2022, 1, 1)].date_verified, name
    small = CRITERIA["小型微利企业"]
    assert "2023年第6号" in small.cite(small.rules[dt.date(2023, 1, 1)].source)


def test_the_page_sheet_and_workbook_show_the_marked_headline(policies):
    from io import BytesIO

    from docx import Document
    from openpyxl import load_workbook
    from workbooks import roster_workbook

    from recommender.consultation import check_readiness as readiness_items
    from recommender.sheets import consultation_docx

    firm = parse_profile({**BASE, "employees": 100, "rd_staff": 30, "revenue": 5000, "rd_expense": 300,
                          "total_assets": 5000, "invention_patents": 1})  # fmt: skip
    as_of = dt.date(2026, 6, 30)
    items = {i.name: i for i in readiness_items(firm, as_of) or []}
    assert items["科技型中小企业"].status_label == "信息不足（待核实）"
    assert "起适用" in (items["科技型中小企业"].basis or "")
    from recommender.consultation import consult
    from recommender.engine import Recommender

    c = consult(Recommender(policies), firm, as_of, top=5)
    text = "\n".join(p.text for p in Document(BytesIO(consultation_docx(c))).paragraphs)
    assert "信息不足（待核实）" in text and "起适用" in text
    book = load_workbook(BytesIO(roster_workbook([(2, c)], as_of=as_of)))
    rows = list(book["资质准备度"].iter_rows(values_only=True))
    tech = next(r for r in rows if r[2] == "科技型中小企业")
    assert tech[3] == "信息不足（待核实）" and "起适用" in tech[5]
    assert "信息不足（待核实）" in str(list(book["企业汇总"].iter_rows(values_only=True))[1])


def test_check_readiness_reads_an_absent_list_the_same_from_a_dict():
    results = {r.name: r for r in check_readiness({"name": "x", "region": "浦东新区"}, dt.date(2026, 6, 30))}
    assert results[LITTLE_GIANT].status == "unknown"


def test_a_date_after_the_as_of_date_is_not_a_held_title_nor_a_negative_age(tmp_path):
    """A title first won after the as-of date is not held then; a founding date after it is no age at all."""
    firm = {**BASE, "founded": "2026-01-01", "qualifications": ["高新技术企业"],
            "qualification_dates": {"高新技术企业": "2026-06-01"}}  # fmt: skip
    hnte = _readiness(firm, "2025-06-30", tmp_path)["高新技术企业"]
    assert not hnte["held"] and hnte["status"] == "unknown"
    text = " ".join(g["message"] for g in hnte["gaps"])
    assert "晚于判断日期" in text and "-" not in text.split("注册成立时间")[1][:12]
    assert _readiness(firm, "2026-06-30", tmp_path)["高新技术企业"]["held"]


def test_a_held_title_past_its_first_term_says_so_on_the_headline(tmp_path):
    firm = {**BASE, "qualifications": ["专精特新中小企业"], "qualification_dates": {"专精特新中小企业": "2022-06-01"}}
    inside = _readiness(firm, "2025-05-31", tmp_path)["专精特新中小企业"]
    assert inside["held"] and inside["headline"] == "已持有"
    after = _readiness(firm, "2026-03-31", tmp_path)["专精特新中小企业"]
    assert after["held"] and after["headline"] == "已持有（首个有效期已届满，待核实是否重新认定）"
    assert any("首个有效期至 2025-05-31，已届满" in r for r in after["reasons"])


def test_a_title_relied_on_past_its_first_term_is_marked_unverified_where_it_counts():
    """高企 first won 2018-10-15 (a 3-year term): its own item said 首个有效期已届满，待核实是否重新认定, yet
    科技型中小企业 counted "有效期内的高新技术企业资格证书：已持有" as met, plain (a break-it trial). Relying on it
    is marked 待核实 now, with the date the term ended; within the term nothing changes."""
    firm = {"name": "过期高企", "region": "浦东新区", "employees": 85, "revenue": 6200, "total_assets": 8000,
            "qualifications": ["高新技术企业"], "major_accident": False}  # fmt: skip
    lapsed = {r.name: r for r in check_readiness({**firm, "qualification_dates": {"高新技术企业": "2018-10-15"}},
                                                  dt.date(2026, 12, 1))}  # fmt: skip
    small = lapsed["科技型中小企业"]
    assert "（待核实）" in small.headline and not small.values_verified
    assert any("高新技术企业首个有效期已于 2021-10-14 届满，待核实是否已重新认定" in r for r in small.reasons)
    current = {r.name: r for r in check_readiness({**firm, "qualification_dates": {"高新技术企业": "2025-10-15"}},
                                                   dt.date(2026, 12, 1))}  # fmt: skip
    assert not any("届满" in r for r in current["科技型中小企业"].reasons)
    assert any("已持有高新技术企业" in r for r in current["科技型中小企业"].reasons)


def test_a_sum_whose_known_part_meets_the_threshold_is_met_without_the_other():
    """研发费用 1300 万元 with 前一年度研发费用 not given: 近两年研发费用合计 ≥ 1200 万元 was asked for the prior year,
    though the sum cannot be below 1300 (a break-it trial). Below the threshold the prior year is still asked."""
    firm = {"name": "研发大户", "region": "浦东新区", "employees": 300, "revenue": 20000,
            "qualifications": ["专精特新中小企业"]}  # fmt: skip
    giant = {r.name: r for r in check_readiness({**firm, "rd_expense": 1300}, dt.date(2026, 12, 1))}
    little = giant['专精特新"小巨人"']
    assert any(r.startswith("近两年研发费用合计至少 1300 万元（前一年度研发费用未填写），符合 ≥ 1200 万元")
               for r in little.reasons)  # fmt: skip
    assert not any("近两年研发费用合计" in g.message for g in little.gaps)
    short = {r.name: r for r in check_readiness({**firm, "rd_expense": 1000}, dt.date(2026, 12, 1))}
    assert any("近两年研发费用合计" in g.message for g in short['专精特新"小巨人"'].gaps)
