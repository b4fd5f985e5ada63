"""One text pipeline for the enterprise's words, and district spellings (issue 18; field cases copied
from ../shared/field-cases into tests/field_cases)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.engine import Recommender
from recommender.places import region_of
from recommender.profile import ProfileError, parse_profile
from recommender.roster import read_roster_file
from recommender.text_clean import clean_query
from recommender.vocab import REGIONS

CASES = Path(__file__).parent / "field_cases"
AS_OF = dt.date(2024, 6, 30)


@pytest.fixture(scope="module")
def engine() -> Recommender:
    return Recommender.load()


def test_a_roster_names_districts_as_people_write_them():
    roster = read_roster_file(CASES / "roster_region_fullname.csv")
    assert not roster.bad
    assert [p.region for p in roster.profiles] == ["浦东新区", "闵行区", "浦东新区", "黄浦区", "浦东新区"]


@pytest.mark.parametrize(
    "text",
    [
        "上海",
        "滨江",
        "北京市朝阳区",
        "朝阳",
        "",
        "浦东新区以外",
        "浦东新区、徐汇区",
        "Huangpu, Guangzhou",
        "普陀山",
        "长宁县",
    ],
)
def test_a_place_that_is_not_a_district_is_refused_not_guessed(text):
    assert region_of(text) is None
    with pytest.raises(ProfileError):
        parse_profile({"name": "某公司", "region": text})


@pytest.mark.parametrize(
    ("written", "region", "park"),
    [
        ("张江", "浦东新区", "张江"),
        ("张江高科技园区", "浦东新区", "张江高科技园区"),
        ("紫竹高新区", "闵行区", "紫竹高新区"),
    ],
)
def test_a_park_written_alone_sets_its_district_and_the_park(written, region, park):
    profile = parse_profile({"name": "某公司", "region": written})
    assert (profile.region, profile.park) == (region, park)


@pytest.mark.parametrize(
    ("written", "districts"), [("漕河泾开发区", "徐汇区、闵行区"), ("临港新片区", "浦东新区、奉贤区")]
)
def test_a_park_in_several_districts_asks_which(written, districts):
    with pytest.raises(ProfileError) as caught:
        parse_profile({"name": "某公司", "region": written})
    [error] = caught.value.errors
    assert error.field == "region" and districts in error.message and "请写明" in error.message


@pytest.mark.parametrize(
    ("written", "park", "region", "park_read"),
    [
        ("上海浦东张江", None, "浦东新区", "张江"),
        ("浦东新区张江镇", "", "浦东新区", "张江镇"),
        ("Jinshan District, Shanghai", None, "金山区", None),
        ("金山工业区", None, "金山区", "金山工业区"),
        ("上海浦东张江", "张江", "浦东新区", "张江"),
    ],
)
def test_a_park_written_after_the_district_goes_to_park(written, park, region, park_read):
    profile = parse_profile({"name": "某公司", "region": written, "park": park})
    assert (profile.region, profile.park) == (region, park_read)


def test_a_park_after_the_district_that_contradicts_the_park_given_is_refused_not_dropped():
    with pytest.raises(ProfileError, match="注册地"):
        parse_profile({"name": "某公司", "region": "浦东张江", "park": "金桥"})


@settings(deadline=None)  # the first call loads the lexicon and OpenCC
@given(st.sampled_from([r for r in REGIONS if r != "上海市外"]), st.sampled_from(["", "上海市", "上海", "　上海市 "]))
def test_every_district_reads_with_or_without_the_city_and_in_traditional_characters(district, prefix):
    import opencc

    traditional = opencc.OpenCC("s2t").convert(district)
    assert region_of(prefix + district) == district
    assert region_of(prefix + traditional) == district
    assert region_of(district.removesuffix("新区").removesuffix("区")) == district


def test_traditional_and_simplified_descriptions_rank_alike(engine):
    simplified = json.loads((CASES / "profile_desc_simplified.json").read_text(encoding="utf-8"))
    traditional = json.loads((CASES / "profile_desc_traditional.json").read_text(encoding="utf-8"))
    a = engine.recommend(simplified, as_of=AS_OF).as_dict()["results"]
    b = engine.recommend(traditional, as_of=AS_OF).as_dict()["results"]
    assert [r["clause_id"] for r in a] == [r["clause_id"] for r in b]
    assert [r["reasons"] for r in a] == [r["reasons"] for r in b]
    assert any("周转" in t or "贷款" in t for r in a for t in r["matched_terms"])


def test_full_width_and_invisible_characters_are_read_as_typed_plainly(engine):
    assert clean_query("ＧＯＩ企业\u200b想对接ＩＣ设计") == "GOI企业想对接IC设计"
    terms = engine.query_terms(parse_profile({"name": "甲", "region": "浦东新区", "description": "ＧＯＩ\u200b对接"}))
    assert "GOI" in terms


def test_a_query_word_never_matches_inside_a_longer_word(engine):
    # "新材料" is a corpus word: its sub-word "材料" is not a query term, so "减材料" does not match
    assert "新材料" in engine.index.vocab_
    profile = parse_profile({"name": "甲", "region": "金山区", "description": "我们做新材料"})
    terms = engine.query_terms(profile)
    assert "新材料" in terms and "材料" not in terms
    for r in engine.recommend(profile, as_of=AS_OF, top=None).results:
        assert "材料" not in r.matched_terms, r.clause.id


@pytest.mark.parametrize("name", ["roster_control_chars.csv", "roster_control_char_industry.csv"])
def test_a_control_character_in_a_roster_cell_is_read_as_a_space_and_the_sheets_are_written(name, tmp_path):
    from recommender.cli import main

    out = tmp_path / "out.xlsx"
    code = main(["batch", str(CASES / name), "-o", str(out), "--as-of", "2024-06-30", "--zip", str(tmp_path / "s.zip")])
    assert code in (0, None) and out.stat().st_size > 0 and (tmp_path / "s.zip").stat().st_size > 0
    roster = read_roster_file(CASES / name)
    assert not roster.bad
    for p in roster.profiles:
        for value in (p.name, p.industry or "", p.description or ""):
            assert not any(ord(c) < 32 for c in value), value


def test_a_control_character_in_a_profile_is_read_as_a_space(tmp_path):
    from recommender.cli import main

    assert main(["sheet", str(CASES / "profile_control_char.json"), "-o", str(tmp_path / "s.docx")]) in (0, None)
    profile = parse_profile(json.loads((CASES / "profile_control_char.json").read_text(encoding="utf-8")))
    assert "\x0b" not in (profile.description or "") + profile.name


@pytest.mark.parametrize(
    ("field", "typed", "kept"),
    [
        ("name", "星河\t科技有限公司", "星河 科技有限公司"),
        ("name", "星河科技\r\n有限公司", "星河科技 有限公司"),
        ("park", "张江 \t 科学城", "张江 科学城"),
        ("industry", "集成电路\n", "集成电路"),
        ("description", "芯片设计\n想了解贷款", "芯片设计\n想了解贷款"),  # several lines are its own
    ],
)
def test_a_tab_or_line_break_in_a_one_line_field_reads_as_one_space(field, typed, kept):
    """A name pasted from a sheet kept its tab (a break-it trial), into headings, sheets and file names."""
    assert getattr(parse_profile({"name": "某公司", "region": "浦东新区", field: typed}), field) == kept


def test_a_bad_row_with_a_control_character_is_listed_and_the_rest_written(tmp_path):
    from recommender.cli import main

    roster = tmp_path / "r.csv"
    roster.write_text("企业名称,注册地\nB公司,浦东新区\nD\x1b公司,火星\x00\n", encoding="utf-8")
    out = tmp_path / "o.xlsx"
    assert main(["batch", str(roster), "-o", str(out), "--as-of", "2024-06-30"]) in (0, None)
    import openpyxl

    bad = list(openpyxl.load_workbook(out)["未导入行"].iter_rows(min_row=2, values_only=True))
    assert len(bad) == 1 and "D 公司" in bad[0][1]


def test_a_roster_in_yuan_is_read_in_wan_and_says_so(capsys):
    # field case: 营业收入（元） "18,500,000.00" is 1850 万元, not 18,500,000 万元
    roster = read_roster_file(CASES / "roster_units_yuan.csv")
    assert [(p.revenue, p.rd_expense) for p in roster.profiles] == [(1850.0, 230.0)]
    assert roster.conversions[0] == "营业收入（元）：换算为万元（如 18,500,000.00 元 → 1,850 万元）"
    assert roster.rows[0].notes[0] == "营业收入（元） 18,500,000.00 元 → 1,850 万元"


@pytest.mark.parametrize(
    ("header", "cell", "wan"),
    [
        ("营业收入（千元）", "18500", 1850.0),
        ("营业收入（亿元）", "0.185", 1850.0),
        ("营业收入（万元）", "1850万", 1850.0),
        ("营业收入", "3.5亿", 35000.0),
        ("营业收入", "18,500,000元", 1850.0),
        ("营业收入(元)", "18500000", 1850.0),
    ],
)
def test_money_in_any_unit_becomes_wan(header, cell, wan):
    from recommender.roster import read_roster

    roster = read_roster(f'企业名称,注册地,{header}\n甲,浦东新区,"{cell}"\n'.encode(), "r.csv")
    assert [p.revenue for p in roster.profiles] == [wan]


def test_a_cell_unit_that_contradicts_its_header_is_refused_and_an_unknown_unit_named():
    from recommender.roster import RosterError, read_roster

    roster = read_roster("企业名称,注册地,营业收入（万元）\n甲,浦东新区,18500000元\n".encode(), "r.csv")
    assert not roster.rows and "与表头单位万元不一致" in str(roster.bad[0])
    with pytest.raises(RosterError, match="营业收入（美元）"):
        read_roster("企业名称,注册地,营业收入（美元）\n甲,浦东新区,1\n".encode(), "r.csv")
