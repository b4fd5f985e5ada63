"""Inputs a break-it trial found: each gives one clear line or the right value, never a traceback."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import docx
import openpyxl
import pytest
from workbooks import roster_xlsx

from recommender.consultation import consult
from recommender.engine import Recommender
from recommender.profile import ProfileError, json_of, parse_profile
from recommender.roster import RosterError, read_roster
from recommender.sheets import consultation_docx, sheets_zip

AS_OF = dt.date(2024, 6, 30)


@pytest.fixture(scope="module")
def engine() -> Recommender:
    return Recommender.load()


def test_the_longest_name_gets_its_word_sheet_and_a_short_zip_entry(engine):
    profile = parse_profile({"name": "上海" + "甲" * 198, "region": "浦东新区"})  # 200 characters: the most
    c = consult(engine, profile, as_of=AS_OF, top=2)
    assert docx.Document(io.BytesIO(consultation_docx(c)))  # Word's title property holds 255 characters
    [entry] = zipfile.ZipFile(io.BytesIO(sheets_zip([c]))).namelist()
    assert len(entry.encode()) < 255


def test_json_a_page_uploads_is_read_as_the_command_line_reads_it():
    for data, says in ((b"[" * 5000 + b"]" * 5000, "嵌套"), (b'{"employees": ' + b"9" * 5000 + b"}", "位数过多")):
        with pytest.raises(ProfileError, match=says):
            json_of(data, "p.json")
    with pytest.raises(RosterError, match="位数过多"):
        read_roster(b'[{"name": "x", "employees": ' + b"9" * 5000 + b"}]", "r.json")


def test_a_lone_surrogate_in_a_name_is_dropped():
    assert parse_profile({"name": "甲\ud800公司", "region": "浦东新区"}).name == "甲公司"


def test_an_xlsx_with_a_styled_cell_far_out_reads_only_what_it_holds():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["企业名称", "注册地"])
    sheet.append(["甲公司", "浦东新区"])
    sheet["XFD1048576"].font = openpyxl.styles.Font(bold=True)  # styled, empty
    out = io.BytesIO()
    book.save(out)
    roster = read_roster(out.getvalue(), "r.xlsx")
    assert [p.name for p in roster.profiles] == ["甲公司"]
    sheet["XFD1048576"] = "远处的内容"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(RosterError, match="超出名单的范围"):
        read_roster(out.getvalue(), "r.xlsx")


def test_the_visible_sheet_excel_opens_on_is_read_and_the_others_named():
    book = openpyxl.Workbook()
    hidden = book.active
    hidden.title = "旧名单"
    hidden.append(["企业名称", "注册地"])
    hidden.append(["旧公司", "徐汇区"])
    hidden.sheet_state = "hidden"
    cover = book.create_sheet("封面")
    cover.append(["2025年度走访名单说明"])
    data = book.create_sheet("今年")
    data.append(["企业名称", "注册地"])
    data.append(["今年公司", "浦东新区"])
    book.active = 1  # Excel opens on 封面
    out = io.BytesIO()
    book.save(out)
    roster = read_roster(out.getvalue(), "r.xlsx")
    assert [p.name for p in roster.profiles] == ["今年公司"]
    assert roster.notices == [
        "读取的是工作表“今年”；未读取：“封面”、“旧名单”（隐藏）"
    ]  # the hidden one named, not read


@pytest.mark.parametrize(
    ("text", "encoding"),
    [("企业名称,注册地\r甲公司,浦东新区\r", "utf-8"), ("企业名称\t注册地\n甲公司\t浦东新区\n", "utf-16")],
)
def test_csv_with_old_mac_line_ends_or_in_utf16(text, encoding):
    assert [p.name for p in read_roster(text.encode(encoding), "r.csv").profiles] == ["甲公司"]


def test_a_roster_or_profile_in_big5_is_read_as_big5_not_as_gbk_garbage():
    """A CSV or JSON saved in Big5 (繁体 Windows) decoded as GB18030 without a word: 上海張江 became 眎琘, 浦東新區
    狥穝跋, and the rows were refused for a district that does not exist (a break-it trial). Short GBK texts,
    in simplified or traditional characters, are still read as GBK."""
    roster = "企業名稱,註冊地,所屬行業\n上海張江某芯微電子有限公司,浦東新區,集成電路\n".encode("big5")
    [row] = read_roster(roster, "r.csv").rows
    assert (row.profile.name, row.profile.region) == ("上海張江某芯微電子有限公司", "浦东新区")
    profile = '{"name": "某電子公司", "region": "浦東新區"}'.encode("big5")
    assert parse_profile(json_of(profile, "p.json")).name == "某電子公司"
    for text in ("甲公司,浦东新区", "上海張江微電子,浦东新区"):
        assert read_roster(f"企业名称,注册地\n{text}\n".encode("gbk"), "r.csv").rows[0].profile.name == text[:-5]


def test_the_template_s_example_row_left_in_is_no_enterprise():
    """下载名单模板, one real row added below the example: the invented 上海某芯微电子有限公司 was matched, given a
    Word sheet and could be imported, and its code (every template's) renamed whatever held it (a break-it
    trial)."""
    from recommender.roster import template_csv

    text = template_csv().decode("utf-8-sig") + "上海真实科技有限公司,,徐汇区\n"
    roster = read_roster(text.encode(), "企业名单模板.csv")
    assert [r.profile.name for r in roster.rows] == ["上海真实科技有限公司"] and not roster.bad
    assert "第 2 行是名单模板的示例行（上海某芯微电子有限公司），未作为企业读取" in roster.file_notes()
    copied = text.replace("上海真实科技有限公司,,", "上海真实科技有限公司,91310115MA1K3Y8P1B,")
    [bad] = read_roster(copied.encode(), "r.csv").bad
    assert bad.row == 3 and "是名单模板示例中的代码" in str(bad)


def test_every_problem_of_a_profile_is_said_at_once_contradictions_too():
    """研发人员数 over 职工总数 was said only once every field was valid, and then one contradiction a round (a
    profile JSON needed three runs, a form three presses of 开始匹配: break-it trials)."""
    with pytest.raises(ProfileError) as caught:
        parse_profile(
            {"name": "甲", "region": "火星", "founded": "2019-02-30", "employees": 10, "rd_staff": 50,
             "revenue": 100, "revenue_3y": 50, "high_tech_revenue": 200}
        )  # fmt: skip
    fields = [e.field for e in caught.value.errors]
    assert sorted(fields) == sorted(["region", "founded", "rd_staff", "revenue_3y", "high_tech_revenue"])
    with pytest.raises(ProfileError) as caught:  # a contradiction with a field in error is not guessed at
        parse_profile({"name": "甲", "region": "浦东新区", "employees": -5, "rd_staff": 50})
    assert [e.field for e in caught.value.errors] == ["employees"]


@pytest.mark.parametrize("founded", ["0", 0, "20190401", "1800-01-01", "2999-01-01"])
def test_a_founding_date_that_cannot_be_is_refused(founded):
    with pytest.raises(ProfileError, match=r"1900 年至今天|完整的年月日"):
        parse_profile({"name": "甲", "region": "浦东新区", "founded": founded})


def test_a_founding_date_in_full_width_digits_is_read():
    assert parse_profile({"name": "甲", "region": "浦东新区", "founded": "２０１９－０４－０１"}).founded == dt.date(
        2019, 4, 1
    )


def test_a_credit_code_excel_stored_as_a_number_says_so():
    book = openpyxl.Workbook()
    book.active.append(["企业名称", "注册地", "统一社会信用代码"])
    book.active.append(["甲公司", "浦东新区", 913101150000000000])
    out = io.BytesIO()
    book.save(out)
    [bad] = read_roster(out.getvalue(), "r.xlsx").bad
    assert "文本" in str(bad)
    for written in ("9.13101150000000E+17", "9.1310115E17"):
        with pytest.raises(ProfileError, match="文本"):
            parse_profile({"name": "甲", "region": "浦东新区", "credit_code": written})
    code = "91310115MA1K3Y8P1B"
    assert parse_profile({"name": "甲", "region": "浦东新区", "credit_code": "'" + code}).credit_code == code


def test_headers_as_people_write_them():
    text = (
        '企業名稱,註冊地\u200b,2023年营业收入/元,研发费用[万元],资产负债率（%）\n甲公司,浦东新区,"18,500,000",120,85\n'
    )
    roster = read_roster(text.encode(), "r.csv")
    [profile] = roster.profiles
    assert (profile.revenue, profile.rd_expense, profile.debt_ratio) == (1850, 120, 0.85)
    assert roster.ignored_columns == []


def test_yes_no_stage_and_titles_as_people_write_them_in_json_too():
    profile = parse_profile(
        {
            "name": "甲",
            "region": "浦东新区",
            "foreign_invested": "是",
            "major_accident": "否",
            "stage": "成長期",
            "qualifications": ["ＧＯＩ", "goi赋能企业"],
        }
    )
    assert (profile.foreign_invested, profile.major_accident, profile.stage) == (True, False, "成长期")
    assert profile.qualifications == ["GOI", "GOI赋能企业"]


@pytest.mark.parametrize(("field", "limit"), [("name", 200), ("industry", 100), ("park", 100), ("description", 5000)])
def test_text_beyond_any_real_value_is_refused_quickly_with_its_length(field, limit):
    with pytest.raises(ProfileError, match=f"最多 {limit} 字，收到 {limit + 1} 字"):
        parse_profile({"name": "甲", "region": "浦东新区", field: "芯" * (limit + 1)})


def test_a_workbook_of_millions_of_styled_empty_cells_is_refused_before_it_is_built():
    styled = "".join(f'<row r="{r}">' + '<c s="0"/>' * 400 + "</row>" for r in range(3, 2600)).encode()
    bomb = roster_xlsx(lambda xml: xml.replace(b"</sheetData>", styled + b"</sheetData>"))
    with pytest.raises(RosterError, match="超过 1,000,000 个"):
        read_roster(bomb, "r.xlsx")


@pytest.mark.parametrize("cell", ["85\u200b40", "4_0", "100十", "一2三", "8٠5"])
def test_digits_glued_by_invisible_marks_underscores_or_other_scripts_are_no_number(cell):
    with pytest.raises(ProfileError):
        parse_profile({"name": "甲", "region": "浦东新区", "employees": cell})


def test_a_date_in_a_money_column_is_a_bad_row_not_a_traceback():
    book = openpyxl.Workbook()
    book.active.append(["企业名称", "注册地", "营业收入（万元）"])
    book.active.append(["甲公司", "浦东新区", dt.datetime(2024, 6, 1)])
    out = io.BytesIO()
    book.save(out)
    [bad] = read_roster(out.getvalue(), "r.xlsx").bad
    assert "收到日期或时间" in str(bad)


def test_a_json_roster_names_the_same_enterprise_twice_when_read():
    roster = read_roster(
        '[{"name": "甲公司", "region": "浦东新区"}, {"name": "甲公司", "region": "浦东新区"}]'.encode(), "r.json"
    )
    assert [r.row for r in roster.rows] == [1] and "与第 1 行是同一家企业" in str(roster.bad[0])


def test_hidden_sheets_are_named_not_read():
    book = openpyxl.Workbook()
    book.active.title = "封面"
    book.active.append(["2025年名单（见附表）"])
    hidden = book.create_sheet("附表")
    hidden.append(["企业名称", "注册地"])
    hidden.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(RosterError, match="隐藏的工作表 “附表”（隐藏）"):
        read_roster(out.getvalue(), "r.xlsx")


def test_batch_will_not_write_over_its_own_roster(tmp_path):
    from recommender.cli import main

    roster = tmp_path / "名单.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["企业名称", "注册地"])
    book.active.append(["甲公司", "浦东新区"])
    book.save(roster)
    before = roster.read_bytes()
    assert main(["batch", str(roster), "-o", str(roster)]) == 2
    assert roster.read_bytes() == before


def test_an_ambiguous_park_is_reported_with_the_other_errors_of_the_row():
    with pytest.raises(ProfileError) as caught:
        parse_profile({"name": "甲", "region": "漕河泾开发区", "credit_code": "91310104MA1FR5XW2N"})
    assert {e.field for e in caught.value.errors} == {"region", "credit_code"}


def test_a_json_key_given_twice_is_refused_not_the_last_kept():
    """{"employees": 10, "employees": 3000} was read as 3000, silently (a break-it trial): in a profile and in
    a roster of profiles alike."""
    data = '{"name": "甲", "region": "浦东新区", "employees": 10, "employees": 3000}'.encode()
    with pytest.raises(ProfileError, match=r"p\.json: 字段“employees”出现了两次，请只保留一个"):
        json_of(data, "p.json")
    with pytest.raises(RosterError, match="字段“employees”出现了两次"):
        read_roster(b"[" + data + b"]", "名单.json")


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"", "第 1 行第 1 列：此处缺少值（文件是空的，或不是 JSON）"),
        (b'{"name": "x",}', "第 1 行第 14 列：字段名应放在英文双引号中（或末尾多了一个逗号）"),
        (b'{"name": "x"} {}', "第 1 行第 15 列：JSON 结束后还有多余的内容"),
        (b'{"name" "x"}', "第 1 行第 9 列：字段名后缺少冒号"),
    ],
)
def test_what_is_wrong_with_a_json_file_is_said_in_chinese(data, said):
    """The parser's words came through as they are: "不是有效的 JSON（第 1 行第 1 列：Expecting value）"."""
    with pytest.raises(ProfileError) as caught:
        json_of(data, "p.json")
    assert f"不是有效的 JSON（{said}）" in str(caught.value) and "Expecting" not in str(caught.value)


def test_a_json_profile_saved_in_gbk_or_utf16_is_read_and_a_null_need_is_named():
    """Notepad's 另存为 ANSI (GBK) or Unicode (UTF-16) got "文件不是 UTF-8 编码的文本"; ["资金补贴", null] got
    "“None”不在可选范围内"."""
    text = '{"name": "某公司", "region": "浦东新区", "needs": ["资金补贴"]}'
    for encoding in ("gbk", "utf-16"):
        assert parse_profile(json_of(text.encode(encoding), "p.json")).name == "某公司"
    with pytest.raises(ProfileError, match="诉求：诉求列表中有空值（null）"):
        parse_profile({"name": "甲", "region": "浦东新区", "needs": ["资金补贴", None]})


def test_title_dates_written_as_pairs_read_the_same_in_json_as_in_a_roster():
    """ "qualification_dates": "高新技术企业:2023-10-15" was refused with a hint to write exactly that."""
    firm = {"name": "甲", "region": "浦东新区", "qualifications": ["高新技术企业"]}
    profile = parse_profile({**firm, "qualification_dates": "高新技术企业:2023-10-15"})
    assert profile.qualification_dates == {"高新技术企业": dt.date(2023, 10, 15)}
    roster = read_roster(
        "企业名称,注册地,已有资质,资质取得日期\n甲,浦东新区,高新技术企业,高新技术企业:2023-10-15\n".encode(), "r.csv"
    )
    assert roster.rows[0].profile.qualification_dates == profile.qualification_dates


@pytest.mark.parametrize("employees", [5_000_000, "5000000", 999_999_999_999])
def test_a_count_past_any_enterprise_is_refused_as_a_number_as_it_is_as_text(employees):
    """5000000 as text was refused (超过 1,000,000); the same as a JSON number was read, and 职工总数 5000000 人
    went on into readiness (a break-it trial)."""
    with pytest.raises(ProfileError, match=r"职工总数：“[0-9]+”超过 1,000,000，请检查"):
        parse_profile({"name": "甲", "region": "浦东新区", "employees": employees})
    assert parse_profile({"name": "甲", "region": "浦东新区", "employees": 1_000_000}).employees == 1_000_000


def test_a_date_written_as_an_excel_serial_says_what_it_likely_is():
    """成立日期 43556 in a CSV (a sheet whose dates showed as numbers) said only 应为完整的年月日 (a break-it trial): it
    names the date the serial stands for, without reading it as that date."""
    [bad] = read_roster("企业名称,注册地,成立日期\n甲,浦东新区,43556\n".encode(), "r.csv").bad
    assert "像是 Excel 的日期序号（即 2019-04-01），请把该列设为日期格式后另存，或直接写成 2019-04-01" in str(bad)
    with pytest.raises(ProfileError) as caught:
        parse_profile({"name": "甲", "region": "浦东新区", "founded": "20190401"})
    assert "日期序号" not in str(caught.value)
