"""Qualification criteria: the YAML rule tests (tests/criteria/), the criteria pack, readiness, CLI, pathways."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from recommender.criteria.model import load_criteria, load_criterion
from recommender.criteria.readiness import check_readiness, unlock_pathways
from recommender.paths import CRITERIA, ROOT
from recommender.profile import parse_profile
from recommender.yamlio import DataError

HERE = Path(__file__).parent / "criteria"
FACTS_FILE = Path(__file__).parent / "criteria" / "criteria-facts.md"  # a copy of ../shared/criteria-facts.md


def _date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _cases():
    for path in sorted(HERE.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for i, case in enumerate(data["cases"]):
            yield pytest.param(data, case, id=f"{path.stem}-{i}-{case['name']}")


def _profile(data: dict, case: dict) -> dict:
    base = data.get("base", {}) if case.get("base", True) else {}
    merged = {"name": "测试企业", **base, **case.get("profile", {})}
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in merged.items() if v is not None} | {
        "qualification_dates": {
            k: v.isoformat() if isinstance(v, dt.date) else v for k, v in merged.get("qualification_dates", {}).items()
        }
    }


@pytest.mark.parametrize(("data", "case"), list(_cases()))
def test_criteria_case(data, case):
    as_of = _date(case.get("as_of", data["as_of"]))
    results = {r.name: r for r in check_readiness(parse_profile(_profile(data, case)), as_of)}
    for name, expect in case["expect"].items():
        r = results[name]
        messages = [g.message for g in r.gaps]
        assert r.status == expect["status"], (name, messages)
        _check_expected(name, r, expect)
        # every open result says what is missing, in Chinese, naming a field
        if r.status != "met" or r.held:
            assert r.gaps or r.status == "met"
        for g in r.gaps:
            assert g.field and g.required and g.message
            assert re.search(r"[\u4e00-\u9fff]", g.message)


def _check_expected(name, r, expect):
    """The optional expectations of a case: gap fields present or absent, held, rules_from, message, scores."""
    fields = [g.field for g in r.gaps]
    messages = [g.message for g in r.gaps]
    for f in expect.get("gaps", []):
        assert f in fields, (name, f, messages)
    for f in expect.get("no_gaps", []):
        assert f not in fields, (name, f, messages)
    if "held" in expect:
        assert r.held is expect["held"]
    if "rules_from" in expect:
        assert r.rules_from == _date(expect["rules_from"])
    if "unverified" in expect:  # the verdict rests on a value or rule set nobody has checked yet
        assert bool(r.unverified) is expect["unverified"], r.unverified
    if "message" in expect:
        assert any(expect["message"] in m for m in messages), (name, messages)
    if "score" in expect or "parts" in expect:
        scores = r.scores[0]
        if "score" in expect:  # a number: known exactly; [low, high]: the range the known facts leave
            key = "range" if isinstance(expect["score"], list) else "total"
            assert scores[key] == expect["score"], scores
        parts = {p["name"]: p for p in scores["parts"]}
        for part, points in expect.get("parts", {}).items():
            assert parts[part]["range" if isinstance(points, list) else "points"] == points, scores


# --- the criteria pack ---------------------------------------------------------------------


def test_every_parameter_is_dated_and_referenced():
    criteria = load_criteria()
    assert {c.qualification for c in criteria} >= {
        "高新技术企业",
        "科技型中小企业",
        "创新型中小企业",
        "专精特新中小企业",
        '专精特新"小巨人"',
        "小型微利企业",
        "研发费用加计扣除",
        "科技小巨人",
    }
    for c in criteria:
        for name, p in c.parameters.items():
            assert p.values, name
            for value in p.values.values():
                ref = value.reference or p.reference
                assert ref is not None and ref.article, (c.qualification, name)
                assert c.document(ref).strip(), (c.qualification, name)


def test_recalled_values_are_marked_unverified():
    """The values the facts file marks [chk] carry verified: false."""
    by_name = {c.qualification: c for c in load_criteria()}
    d26 = dt.date(2026, 4, 1)
    unverified = {
        ("科技型中小企业", "rd_points", dt.date(2017, 5, 3)),
        ("科技型中小企业", "rd_cost_points", dt.date(2017, 5, 3)),
        ("科技型中小企业", "ip_points", dt.date(2017, 5, 3)),
        ("专精特新中小企业", "eval_score_min", d26),
        ('专精特新"小巨人"', "class1_ip_min", dt.date(2022, 1, 1)),
        ('专精特新"小巨人"', "growth_min", dt.date(2022, 1, 1)),
        ('专精特新"小巨人"', "market_share_min", d26),
        ('专精特新"小巨人"', "eval_score_min", d26),
        ('专精特新"小巨人"', "prerequisite_titles_2026", d26),
        ("高新技术企业", "valid_years", dt.date(2016, 1, 1)),
        ("研发费用加计扣除", "excluded_industries", dt.date(2016, 1, 1)),
        ("专精特新中小企业", "niche_years_min", d26),
        ("专精特新中小企业", "revenue_min", d26),
        ("专精特新中小企业", "main_business_share_min", d26),
        ("专精特新中小企业", "debt_ratio_max", d26),
        ("专精特新中小企业", "class1_ip_min", d26),
        ('专精特新"小巨人"', "debt_ratio_max", dt.date(2022, 1, 1)),
        ('专精特新"小巨人"', "rd_ratio_bands", dt.date(2022, 1, 1)),
        ('专精特新"小巨人"', "rd_expense_2y_min", d26),
        ('专精特新"小巨人"', "class1_ip_min", d26),
    }
    for name, param, day in unverified:
        assert not by_name[name].param(param, day).verified, (name, param)
    verified = {
        ("高新技术企业", "rd_ratio_min"),
        ("高新技术企业", "innovation_score_min"),
        ("科技型中小企业", "staff_points"),
        ("科技型中小企业", "assets_max"),
        ("专精特新中小企业", "niche_years_min"),
        ("小型微利企业", "assets_max"),
    }
    for name, param in verified:
        assert by_name[name].param(param, dt.date(2025, 6, 30)).verified, (name, param)


def test_numbers_in_the_pack_come_from_the_facts_file():
    """Never invent a number: every numeric parameter value appears in tests/criteria/criteria-facts.md."""
    facts = FACTS_FILE.read_text(encoding="utf-8")
    known = {float(x) for x in re.findall(r"\d+(?:\.\d+)?", facts)}
    known |= {x / 100 for x in list(known)}  # percentages as fractions
    known |= {10000.0, 1.0, 0.0}  # 1 亿 = 10000 万; "at least one"; "none"
    for c in load_criteria():
        for name, p in c.parameters.items():
            for v in p.values.values():
                for x in _numbers(v.value):
                    assert any(abs(x - k) < 1e-9 for k in known), (c.qualification, name, x)


def _numbers(value):
    """Every number in a parameter value, nested in dicts and lists (booleans and None are not numbers)."""
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, (int, float)):
        yield float(value)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _numbers(v)
    elif isinstance(value, list):
        for v in value:
            yield from _numbers(v)


def test_unverified_values_say_so_in_messages():
    profile = {"name": "x", "region": "浦东新区", "employees": 100, "rd_staff": 30, "revenue": 5000, "rd_expense": 100}
    result = {r.name: r for r in check_readiness(profile, dt.date(2025, 6, 30))}["科技型中小企业"]
    assert result.unverified and any("研发投入" in u for u in result.unverified)
    rd_part = next(p for p in result.scores[0]["parts"] if p["name"] == "研发投入")
    # 10 points by R&D ÷ sales (2%); up to 50 by R&D ÷ total cost, which no profile gives
    assert rd_part["verified"] is False and rd_part["range"] == [10, 50]
    hint = next(g for g in result.gaps if g.field == "rd_expense")
    assert hint.message.endswith("（待核实）") and "可得 20 分" in hint.message
    assert "成本费用支出总额" in hint.message


def test_rule_set_is_chosen_by_the_as_of_date():
    little_giant = next(c for c in load_criteria() if c.qualification == '专精特新"小巨人"')
    assert little_giant.rule_set(dt.date(2026, 3, 31))[0] == dt.date(2022, 1, 1)
    assert little_giant.rule_set(dt.date(2026, 4, 1))[0] == dt.date(2026, 4, 1)
    assert little_giant.param("debt_ratio_max", dt.date(2026, 3, 31)).value == 0.70
    assert little_giant.param("debt_ratio_max", dt.date(2026, 4, 1)).value == 0.75


def test_benefits_end_with_their_dates():
    profile = {"name": "x", "region": "浦东新区", "industry": "芯片设计", "rd_expense": 500}

    def benefits(day: dt.date, name: str) -> list[str]:
        return next(r for r in check_readiness(profile, day) if r.name == name).benefits

    assert any("120%" in b for b in benefits(dt.date(2027, 12, 31), "研发费用加计扣除"))
    assert not any("120%" in b for b in benefits(dt.date(2028, 1, 1), "研发费用加计扣除"))
    assert any("约 500 万元" in b for b in benefits(dt.date(2025, 6, 30), "研发费用加计扣除"))
    assert any("5%" in b for b in benefits(dt.date(2027, 12, 31), "小型微利企业"))
    assert not any("5%" in b for b in benefits(dt.date(2028, 1, 1), "小型微利企业"))
    pudong = benefits(dt.date(2025, 6, 30), "高新技术企业")
    assert any("一定财政资助" in b for b in pudong)
    assert not any(re.search(r"资助.*\d+\s*万", b) for b in pudong)  # no subsidy amount is invented
    other = {**profile, "region": "金山区"}
    assert not any("浦东" in b for b in next(r for r in check_readiness(other, dt.date(2025, 6, 30))).benefits)


def test_held_title_shows_its_validity():
    profile = {
        "name": "x",
        "region": "浦东新区",
        "qualifications": ["高新技术企业"],
        "qualification_dates": {"高新技术企业": "2023-11-01"},
    }
    r = check_readiness(profile, dt.date(2025, 6, 30))[0]
    assert r.held and r.status == "met" and r.status_label == "已持有"
    assert r.reasons[0].startswith("已持有") and "2026-10-31" in r.reasons[1] and "（待核实）" in r.reasons[1]


def test_broken_criteria_file_names_file_and_line(tmp_path):
    text = (CRITERIA / "tech_sme.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "tech_sme.yaml"
    bad.write_text(text.replace("param: assets_max}", "param: assets_maxx}"), encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_criterion(bad)
    assert "tech_sme.yaml" in str(err.value) and "assets_maxx" in str(err.value)
    bad.write_text(text.replace("op: lte, fact: employees", "op: lessthan, fact: employees"), encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_criterion(bad)
    assert re.search(r"tech_sme\.yaml:\d+", str(err.value))


def test_optional_profile_facts_are_validated_in_chinese():
    from recommender.profile import ProfileError

    with pytest.raises(ProfileError) as err:
        parse_profile({"name": "x", "region": "浦东新区", "debt_ratio": 65})
    assert err.value.errors[0].field == "debt_ratio" and "资产负债率" in str(err.value) and "0.35" in str(err.value)
    with pytest.raises(ProfileError) as err:
        parse_profile({"name": "x", "region": "浦东新区", "niche_years": -1})
    assert err.value.errors[0].field == "niche_years" and "不能为负数" in str(err.value)


# --- pathways ------------------------------------------------------------------------------


def test_pathways_group_unlockable_measures_by_title_with_readiness():
    from recommender.engine import Recommender

    profile = parse_profile(
        {
            "name": "浦东某芯片公司",
            "region": "浦东新区",
            "industry": "集成电路",
            "founded": "2018-03-01",
            "employees": 120,
            "rd_staff": 40,
            "revenue": 18000,
            "rd_expense": 500,
            "rd_expense_3y": 1500,
            "revenue_3y": 54000,
            "invention_patents": 4,
        }
    )
    as_of = dt.date(2025, 6, 30)
    rec = Recommender.load().recommend(profile, top=None, as_of=as_of, include_ineligible=True)
    results = check_readiness(profile, as_of)
    pathways = {p.title: p for p in unlock_pathways(rec, results)}
    hnte = pathways["高新技术企业"]
    assert hnte.readiness is not None and hnte.status == "not_met"
    assert hnte.measures and all("高新技术企业" in m.verdict.unlocks_with for m in hnte.measures)
    assert any("财政资助" in m.clause.text for m in hnte.measures)
    assert all(p.readiness is None for t, p in pathways.items() if t.startswith("GOI"))
    data = hnte.as_dict()
    assert data["status_label"] == "未满足" and data["measures"][0]["clause_id"]


# --- CLI -----------------------------------------------------------------------------------


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "recommender", *args], capture_output=True, text=True, cwd=ROOT)


def test_readiness_json_follows_the_contract(tmp_path):
    profile = tmp_path / "p.json"
    profile.write_text(
        json.dumps(
            {
                "name": "某企业",
                "region": "浦东新区",
                "industry": "集成电路",
                "revenue": 18000,
                "rd_expense": 500,
                "rd_expense_3y": 1500,
                "revenue_3y": 54000,
                "invention_patents": 4,
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    out = run("readiness", str(profile), "--as-of", "2025-06-30", "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["qualifications"]
    for q in data["qualifications"]:
        assert {"name", "status", "gaps", "source"} <= set(q)
        assert q["status"] in {"met", "not_met", "unknown"}
        for g in q["gaps"]:
            assert {"field", "required", "actual", "message"} <= set(g)
    hnte = next(q for q in data["qualifications"] if q["name"] == "高新技术企业")
    assert hnte["status"] == "not_met" and "国科发火〔2016〕32号" in hnte["source"]
    assert any(g["field"] == "rd_expense_3y" and "660 万元" in g["message"] for g in hnte["gaps"])
    table = run("readiness", str(profile), "--as-of", "2025-06-30")
    assert table.returncode == 0 and "高新技术企业" in table.stdout and "660 万元" in table.stdout


def test_readiness_pathways_option(tmp_path):
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps({"name": "某企业", "region": "浦东新区"}, ensure_ascii=False), encoding="utf-8")
    out = run("readiness", str(profile), "--as-of", "2025-06-30", "--pathways", "--format", "json")
    assert out.returncode == 0, out.stderr
    pathways = json.loads(out.stdout)["pathways"]
    assert any(p["title"] == "高新技术企业" and p["measures"] for p in pathways)


def test_readiness_bad_profile_exits_2_with_one_line(tmp_path):
    cases = {
        "notjson.json": ("{name: 1", "JSON"),
        "negative.json": (json.dumps({"name": "x", "region": "浦东新区", "total_assets": -1}), "total_assets"),
        "share.json": (
            json.dumps({"name": "x", "region": "浦东新区", "main_business_share": 80}),
            "main_business_share",
        ),
        "district.json": (json.dumps({"name": "x", "region": "北京市"}), "region"),
    }
    for name, (text, expected) in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        out = run("readiness", str(path))
        assert out.returncode == 2, name
        assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr, out.stderr
        assert expected in out.stderr and name in out.stderr
    assert run("readiness", str(tmp_path / "missing.json")).returncode == 2
    assert run("readiness", str(tmp_path / "district.json"), "--as-of", "2025-02-30").returncode == 2


def test_remembered_outcomes_are_those_of_each_profile():
    """Outcomes that depend on a few values are remembered per criterion and date (``Checker._remembered``):
    whichever profile was checked first, each profile gets what a fresh check gives it."""
    from test_rulematrix import DATES, random_profiles

    from benchmarks.synthetic import synthetic_profiles

    profiles = random_profiles(40, seed=21) + [parse_profile(p) for p in synthetic_profiles(40, seed=22)]

    def results(order: list) -> dict[tuple[int, dt.date], str]:
        for c in load_criteria():
            c.__pydantic_private__["_dated"].clear()  # nothing remembered
        return {
            (k, day): json.dumps([q.as_dict() for q in check_readiness(profiles[k], day)], ensure_ascii=False)
            for k in order
            for day in DATES
        }

    forward = results(list(range(len(profiles))))
    assert forward == results(list(reversed(range(len(profiles)))))
    remembered = [key for c in load_criteria() for day in DATES for key in c.at(day).outcomes]
    assert remembered  # outcomes were remembered, combinations of remembered ones too (``Checker.combined``)
    assert any(key[0] == "combined" for key in remembered)
