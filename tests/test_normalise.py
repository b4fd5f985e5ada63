"""One input normaliser for every entry point (issue "Real-world rosters"): numbers, places, titles and
text read the same whatever way people write them, and reading twice changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from recommender.places import park_districts, region_of
from recommender.profile import ProfileError, parse_profile
from recommender.quantities import QuantityError, read_count, read_money, read_share
from recommender.roster import read_roster_file
from recommender.spellings import controlled_name
from recommender.text_clean import clean_query, squeeze, strip_ignorable, strip_invisible
from recommender.vocab import QUALIFICATIONS, REGIONS

CASES = Path(__file__).parent / "field_cases"
FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


def _grouped(digits: str, sep: str) -> str:
    """1234567 → 1,234,567 with ``sep`` as the thousands separator."""
    head = len(digits) % 3 or 3
    return sep.join([digits[:head], *(digits[i : i + 3] for i in range(head, len(digits), 3))])


@settings(max_examples=200, deadline=None)
@given(yuan=st.integers(min_value=0, max_value=10**12))
def test_any_way_of_writing_an_amount_gives_the_same_wan(yuan):
    wan = yuan / 10_000
    written = [
        (str(yuan), "元"),
        (f"{yuan}.00", "元"),
        (_grouped(str(yuan), ","), "元"),
        (_grouped(str(yuan), "，"), "元"),
        (_grouped(str(yuan), ",").translate(FULL_WIDTH), "元"),
        (f"{yuan}元", None),
        (f"{yuan}元", "元"),
        (f"{yuan / 10_000:.10g}万", None),
        (f"{yuan / 10_000:.10g}万元", "万元"),
        (f"{yuan / 1000:.10g}", "千元"),
    ]
    if yuan % 10**8 == 0:
        written.append((f"{yuan // 10**8}亿", None))
    for cell, unit in written:
        assert read_money(cell, unit).value == pytest.approx(wan, rel=1e-9, abs=1e-6), (cell, unit)


@settings(max_examples=100, deadline=None)
@given(n=st.integers(min_value=0, max_value=99_999))
def test_chinese_numerals_read_as_their_number(n):
    import cn2an

    chinese = cn2an.an2cn(n)
    assert read_count(chinese).value == n
    assert read_count(f"{chinese}人").value == n
    if n < 10_000:
        assert read_money(chinese).value == n  # no magnitude word: 万元
    else:
        assert read_money(chinese).value == pytest.approx(n / 10_000)  # "一万二千" is 12,000 元


@pytest.mark.parametrize(
    ("cell", "unit", "wan"),
    [
        ("3.5亿", None, 35000),
        ("1200万", None, 1200),
        ("一千二百万元", None, 1200),
        ("八十五", None, 85),
        ("1,850", None, 1850),
    ],
)
def test_magnitude_words_convert_to_wan(cell, unit, wan):
    assert read_money(cell, unit).value == wan


@pytest.mark.parametrize(
    ("cell", "unit"), [("3.5亿", "万元"), ("3.5亿", "元"), ("三亿五千万", "亿元"), ("35000万", "千元")]
)
def test_a_magnitude_word_states_its_own_amount_whatever_the_header(cell, unit):
    assert read_money(cell, unit).value == 35000


def test_money_over_100_yi_with_no_unit_anywhere_is_said_back():
    amount = read_money("18,500,000.00")
    assert amount.value == 18_500_000 and "即 1,850 亿元" in amount.note and "（元）" in amount.note


@pytest.mark.parametrize(
    ("cell", "unit", "note"),
    [
        ("999900000000元", None, "999900000000元 → 99,990,000 万元"),  # was "→ 9.999e+07 万元"
        ("123456789", "元", "123456789 元 → 12,345.6789 万元"),
        ("99990000", None, "99990000 按万元读入，即 9,999 亿元；如单位是元，请在表头注明（元）"),
        ("123456789", "千元", "123456789 千元 → 12,345,678.9 万元"),  # was 1.23457e+07: digits lost
    ],
)
def test_a_converted_amount_is_said_in_full_digits(cell, unit, note):
    """The notes of a roster's converted amounts said 9.999e+07 万元 (a break-it trial): digits lost and a
    notation a 辅导员 does not read."""
    assert read_money(cell, unit).note == note


def test_money_over_a_trillion_is_said_in_full_digits():
    with pytest.raises(ProfileError) as refused:
        parse_profile({"name": "某公司", "region": "浦东新区", "revenue": 123456789012.0})
    assert "123,456,789,012 万元超过 1 万亿元" in str(refused.value.errors[0].for_people())


@pytest.mark.parametrize(
    ("cell", "unit", "says"),
    [
        ("1850万元", "元", "不一致"),
        ("18,500,000", "亿元", "超过 1 万亿元"),
        ("很多", None, "不是金额"),
        ("85 40", None, "中间有空格"),
        ("10²", None, "上标"),
        ("100万美元", None, "“100万美元”不是金额"),
        ("-3", None, "不能为负数"),
        ("85人", None, "不是金额"),
    ],
)
def test_a_cell_that_contradicts_its_unit_or_is_implausible_is_refused_with_the_reason(cell, unit, says):
    with pytest.raises(QuantityError, match=says):
        read_money(cell, unit)


@pytest.mark.parametrize("cell", ["3%", "３％", "百分之三", "0.03", 0.03])
def test_shares_as_percent_or_fraction(cell):
    assert read_share(cell).value == pytest.approx(0.03)


def test_a_bare_number_above_one_is_not_guessed_as_a_percentage():
    with pytest.raises(QuantityError, match="%"):
        read_share("3")


DISTRICT_SPELLINGS = {
    "浦东新区": ["浦东新区", "上海市浦东新区", "浦东", "Pudong New Area", "PUDONG", "上海浦东新区", "ＰＵＤＯＮＧ"],
    "黄浦区": ["黄浦区", "黃浦區", "上海市黄浦区", "Huangpu District", "黄浦"],
    "闵行区": ["闵行区", "閔行區", "上海市闵行区", "Minhang", "闵行"],
    "静安区": ["静安区", "靜安區", "Jing'an District", "Jingan"],
}


@settings(max_examples=200, deadline=None)
@given(
    pair=st.sampled_from([(d, w) for d, ws in DISTRICT_SPELLINGS.items() for w in ws]),
    pad=st.sampled_from(["", " ", "\u200b", "\u3000", "\t"]),
)
def test_any_district_spelling_maps_to_the_same_district(pair, pad):
    district, written = pair
    assert region_of(f"{pad}{written}{pad}") == district
    assert parse_profile({"name": "某公司", "region": f"{pad}{written}"}).region == district


@pytest.mark.parametrize("district", [r for r in REGIONS if r != "上海市外"])
def test_every_official_district_reads_as_itself_with_or_without_the_city(district):
    for written in (district, f"上海市{district}", f"上海{district}"):
        assert region_of(written) == district


def test_parks_with_one_district_and_parks_with_several():
    assert park_districts("张江") == ("浦东新区",)
    assert park_districts("上海市张江高科技园区") == ("浦东新区",)
    assert set(park_districts("漕河泾开发区")) == {"徐汇区", "闵行区"}
    assert park_districts("滨江") == () and park_districts("某某路") == ()


def test_a_roster_with_titles_as_official_lists_write_them():
    # field case: 专精特新“小巨人”企业, “专精特新”小巨人企业 and 专精特新“小巨人” are one title
    roster = read_roster_file(CASES / "roster_title_names_official.csv")
    assert not roster.bad
    assert [p.qualifications for p in roster.profiles] == [['专精特新"小巨人"']] * 3


@pytest.mark.parametrize(
    "written",
    [
        "专精特新“小巨人”企业",
        "“专精特新”小巨人企业",
        "專精特新「小巨人」企業",
        "专精特新（小巨人）",
        " 专精特新 小巨人 ",
    ],
)
def test_title_quote_styles_traditional_and_spacing(written):
    assert controlled_name("titles", written) == '专精特新"小巨人"'


def test_a_bare_little_giant_is_asked_about_not_guessed():
    with pytest.raises(ProfileError, match="请写全称"):
        parse_profile({"name": "某公司", "region": "浦东新区", "qualifications": ["小巨人"]})


# text with invisible characters and emoji sequences among ordinary ones
_SHOWN_PARTS = st.sampled_from(
    [
        *("上海", "A", "1", " ", "👩", "💻", "❤", "🏽"),
        *("\u200d", "\ufe0f", "\ufe0e", "\u00ad", "\u2066", "\u2069", "\u034f", "\U000e0101", "\u20e3"),
    ]
)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=40) | st.lists(_SHOWN_PARTS, max_size=12).map("".join))
def test_reading_twice_changes_nothing(text):
    for normalise in (strip_invisible, strip_ignorable, clean_query, squeeze):
        once = normalise(text)
        assert normalise(once) == once, normalise.__name__
    once = controlled_name("titles", text)
    assert controlled_name("titles", once) == once


@settings(max_examples=200, deadline=None)
@given(
    written=st.sampled_from(
        [w for ws in DISTRICT_SPELLINGS.values() for w in ws] + ["张江", "金山工业区", "上海浦东张江"]
    )
)
def test_a_read_profile_reads_back_the_same(written):
    first = parse_profile({"name": "某公司", "region": written, "revenue": "1,850万", "employees": "八十五"})
    again = parse_profile(first.public_dict())
    assert again == first


@settings(max_examples=200, deadline=None)
@given(
    value=st.floats(min_value=0, max_value=1e8, allow_nan=False), unit=st.sampled_from(["元", "千元", "万元", "亿元"])
)
def test_a_money_value_read_again_in_wan_is_unchanged(value, unit):
    try:
        wan = read_money(value, unit).value
    except QuantityError:
        assume(False)
    assert read_money(wan, "万元").value == pytest.approx(wan)
    assert read_money(str(wan)).value == pytest.approx(wan)


@pytest.mark.parametrize("title", QUALIFICATIONS)
def test_every_title_is_its_own_spelling(title):
    assert controlled_name("titles", title) == title


def test_a_json_profile_in_yuan_is_converted_and_the_command_says_so(tmp_path, capsys):
    import json

    from recommender.cli import main

    path = tmp_path / "p.json"
    path.write_text(json.dumps({"name": "甲", "region": "上海市浦东新区", "revenue": "18,500,000元"}), encoding="utf-8")
    assert main(["recommend", str(path), "--format", "json"]) == 0
    out = capsys.readouterr()
    assert "营业收入（万元） 18,500,000元 → 1,850 万元" in out.err
    assert json.loads(out.out)["profile"]["revenue"] == 1850


def test_a_park_in_traditional_characters_meets_the_same_park_conditions():
    import datetime as dt

    from recommender.engine import Recommender

    engine = Recommender.load()

    def statuses(park: str) -> list[tuple[str, str]]:
        profile = parse_profile({"name": "甲", "region": "浦东新区", "park": park, "industry": "集成电路"})
        found = engine.recommend(profile, as_of=dt.date(2024, 6, 30), top=30).results
        return [(r.clause.id, r.verdict.status.value) for r in found]

    assert statuses("張江科學城") == statuses("张江科学城")
    assert any(status == "eligible" for _, status in statuses("張江"))


@pytest.mark.parametrize(
    ("written", "need"),
    [
        ("研发补贴", "资金补贴"),
        ("技术改造补贴", "资金补贴"),
        ("人才公寓", "住房落户"),
        ("房租补贴", "场地空间"),
        ("首次认定奖励", "资金补贴"),
        ("贷款贴息", "融资贷款"),
        ("申报高企", "资质认定"),
    ],
)
def test_a_need_written_as_a_phrase_reads_as_its_head_word(written, need):
    assert controlled_name("needs", written) == need


@pytest.mark.parametrize(
    ("written", "needs"),
    [
        ("资金补贴 融资贷款 人才引进 场地空间", ["资金补贴", "融资贷款", "人才引进", "场地空间"]),
        ("资金补贴和人才引进", ["资金补贴", "人才引进"]),
        ("资金补贴/融资贷款", ["资金补贴", "融资贷款"]),
        ("资金补贴|融资贷款", ["资金补贴", "融资贷款"]),
        ("研发补贴及人才公寓", ["资金补贴", "住房落户"]),
        ("技术合作与交流", ["技术合作"]),  # 交流 names no need: the phrase is one need, as before
        ("研发和技改补贴", ["资金补贴"]),
    ],
)
def test_several_needs_in_one_cell_are_each_kept(written, needs):
    """A break-it trial's roster: "资金补贴 融资贷款 人才引进 场地空间" was read as 场地空间 alone, silently."""
    assert parse_profile({"name": "甲", "region": "浦东新区", "needs": written}).needs == needs
    assert parse_profile({"name": "甲", "region": "浦东新区", "needs": [written]}).needs == needs


@pytest.mark.parametrize(
    "written", ["2019/5/1 0:00", "2019/05/01 00:00:00", "2019-05-01 00:00:00", "2019年5月1日 9:30"]
)
def test_a_date_with_the_time_a_spreadsheet_adds_is_read(written):
    """What Excel writes of a date cell saved as CSV ("2019/5/1 0:00") was refused as no full date."""
    profile = parse_profile(
        {
            "name": "甲",
            "region": "浦东新区",
            "founded": written,
            "qualifications": ["高新技术企业"],
            "qualification_dates": {"高新技术企业": written},
        }
    )
    assert str(profile.founded) == "2019-05-01" == str(profile.qualification_dates["高新技术企业"])


@pytest.mark.parametrize("written", ["2019-02-29", "2019/02/30", "2019年4月31日"])
def test_a_day_the_calendar_lacks_is_said_so_as_written(written):
    with pytest.raises(ProfileError, match=f"成立日期：日期不存在：[^（]*（收到“{written}”）"):
        parse_profile({"name": "甲", "region": "浦东新区", "founded": written})


def test_a_title_date_after_today_is_refused_not_a_silently_unheld_title():
    """高新技术企业 with 资质取得日期 2099-01-01 (a slip for 2019) was read, and the title shown as not held."""
    firm = {"name": "甲", "region": "浦东新区", "qualifications": ["高新技术企业"]}
    with pytest.raises(ProfileError, match="高新技术企业的取得日期 2099-01-01 不在 1900 年至今天之间"):
        parse_profile({**firm, "qualification_dates": {"高新技术企业": "2099-01-01"}})
    with pytest.raises(ProfileError, match="取得日期 1899-12-31 不在"):
        parse_profile({**firm, "qualification_dates": {"高企": "1899-12-31"}})
    assert parse_profile({**firm, "qualification_dates": {"高企": "2019-01-01"}}).qualification_dates


@pytest.mark.parametrize(
    ("written", "now"),
    [("卢湾区", "2011 年并入黄浦区"), ("上海市闸北区", "2015 年并入静安区"), ("南汇", "2009 年并入浦东新区")],
)
def test_a_former_district_names_the_district_it_became(written, now):
    """Old records still say 卢湾区: it was refused with the list of districts, not the one it is now."""
    with pytest.raises(ProfileError, match=f"注册地：“{written}”已于 {now}：请填写现在的区名"):
        parse_profile({"name": "甲", "region": written})
    assert parse_profile({"name": "甲", "region": "南汇新城"}).region == "浦东新区"  # a park of today


def test_a_title_must_be_spelled_whole_and_a_dash_means_none():
    assert controlled_name("titles", "高新技术企业培育库") == "高新技术企业培育库"
    profile = parse_profile({"name": "甲", "region": "浦东新区", "qualifications": "-", "needs": "—"})
    assert profile.qualifications == [] and profile.needs == []
    with pytest.raises(ProfileError, match="2019年4月1日"):
        parse_profile({"name": "甲", "region": "浦东新区", "founded": "2017年4月"})


def test_the_same_enterprise_twice_in_a_roster_is_flagged_when_read_not_only_at_import():
    roster = read_roster_file(CASES / "roster_brackets_b.csv")
    assert [r.row for r in roster.rows] == [2]
    [again] = roster.bad
    assert again.row == 3 and "与第 2 行是同一家企业" in str(again)


@pytest.mark.parametrize("field", ["revenue", "rd_expense", "high_tech_revenue", "total_assets"])
def test_a_profile_given_as_numbers_holds_money_to_what_a_roster_cell_may_hold(field):
    """The form and JSON give numbers, not text: over 1 万亿元 is refused there as a roster's cell is (a
    研发费用 of 99999999999 万元 once gave a 加计扣除 of that size)."""
    from recommender.profile import ProfileError, parse_profile
    from recommender.quantities import MAX_MONEY_WAN

    assert getattr(parse_profile({"name": "甲", "region": "徐汇区", field: MAX_MONEY_WAN}), field) == MAX_MONEY_WAN
    with pytest.raises(ProfileError, match="超过 1 万亿元"):
        parse_profile({"name": "甲", "region": "徐汇区", field: 99999999999})


def test_park_and_title_columns_under_their_common_office_names_are_read():
    """所属园区 and 已获资质 head real rosters: left unread, a 高企 in 张江 came out 信息不足 on every measure."""
    from recommender.roster import read_roster

    text = "企业名称,注册地,所属园区,已获资质\n甲公司,浦东新区,张江科学城,高新技术企业\n"
    roster = read_roster(text.encode(), "x.csv")
    [row] = roster.rows
    assert (row.profile.park, row.profile.qualifications) == ("张江科学城", ["高新技术企业"]) and not roster.bad


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("\u2066上海\u00ad乙\u034f科技\u061c有限\u180e公司\u2069", "上海乙科技有限公司"),  # nothing shown, nothing kept
        ("上海\u200d乙\u200c科技", "上海乙科技"),  # a joiner between ideographs joins nothing
        ("上海👩\u200d💻科技", "上海👩\u200d💻科技"),  # one picture (woman technologist), not two
        ("🧑🏽\u200d💻 🏳\ufe0f\u200d🌈", "🧑🏽\u200d💻 🏳\ufe0f\u200d🌈"),  # after a skin tone or a selector too
        ("❤\ufe0f葛\U000e0101", "❤\ufe0f葛\U000e0101"),  # variation selectors choose the glyph shown
        ("星河科技\ufe0f有限公司1\ufe0f\u20e3", "星河科技有限公司1\ufe0f\u20e3"),  # emoji style: of a symbol, a keycap
        ("技\ufe0f\u200d💻", "技💻"),
        ("\u200d👩\u200d\u200d💻\u200d", "👩💻"),
    ],
)
def test_a_name_as_shown_keeps_what_changes_the_picture_and_nothing_else(typed, shown):
    assert strip_invisible(typed) == shown
    assert parse_profile({"name": typed, "region": "浦东新区"}).name == shown
    assert not [c for c in strip_ignorable(typed) if c in "\u200d\ufe0f\U000e0101\u00ad\u2066"]
