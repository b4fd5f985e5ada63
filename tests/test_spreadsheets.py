"""Spreadsheets as people make them: the field cases (copied from ../shared/field-cases into
tests/field_cases), titles above the header, dates, merged cells, formulas, old .xls and a large file.

tests/field_cases/roster_old_excel.xls was written once with xlwt 1.3.0 (outside the project, which reads
.xls with xlrd and writes none): a title merged over A1:E1, the header on row 2, 注册地 merged over B3:B4,
成立日期 in the format yyyy"年"m"月"d"日", and a boolean cell.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from recommender import spreadsheet
from recommender.roster import RosterError, read_roster, read_roster_file
from recommender.spreadsheet import Uncalculated

CASES = Path(__file__).parent / "field_cases"


def _xlsx(rows: list[list[Any]], merged: tuple[str, ...] = ()) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for ref in merged:
        sheet.merge_cells(ref)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rewritten(data: bytes, part: str, old: bytes, new: bytes) -> bytes:
    """The workbook with one XML part edited, as another program would have written it."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == part:
                assert old in content
                content = content.replace(old, new)
            dst.writestr(item, content)
    return out.getvalue()


def _summary(roster: Any) -> list[tuple[Any, ...]]:
    return [(r.row, r.profile.name, r.profile.region) for r in roster.rows]


# --- the field cases --------------------------------------------------------------------------


def test_bad_dimension_reads_every_column_of_both_enterprises():
    path = CASES / "roster_bad_dimension.xlsx"
    declared = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    assert declared.calculate_dimension() == "A1:A1"  # the case still reproduces what WPS writes
    roster = read_roster_file(path)
    assert _summary(roster) == [
        (2, "上海示例芯联微电子有限公司", "浦东新区"),
        (3, "上海示例明远生物科技有限公司", "闵行区"),
    ]
    assert [(p.industry, p.employees, p.revenue) for p in roster.profiles] == [
        ("集成电路", 85, 6200),
        ("生物医药", 40, 1800),
    ]
    assert not roster.bad and roster.header_row == 1


def test_merged_title_row_above_the_header():
    roster = read_roster_file(CASES / "roster_title_row_merged.xlsx")
    assert roster.header_row == 2
    assert _summary(roster) == [
        (3, "上海示例芯联微电子有限公司", "浦东新区"),
        (4, "上海示例明远生物科技有限公司", "浦东新区"),
    ]
    assert [p.employees for p in roster.profiles] == [85, 40]
    assert roster.ignored_columns == ["序号"] and not roster.bad


def test_date_in_the_chinese_builtin_format_31_is_a_date():
    roster = read_roster_file(CASES / "roster_date_numfmt31.xlsx")
    assert [p.founded for p in roster.profiles] == [dt.date(2019, 4, 1)] and not roster.bad


@pytest.mark.parametrize("fmt", [27, 30, 31, 36, 50, 57, 58])
def test_every_cjk_builtin_date_format_is_read_as_a_date_by_the_reader(fmt):
    data = (CASES / "roster_date_numfmt31.xlsx").read_bytes()
    data = _rewritten(data, "xl/styles.xml", b'numFmtId="31"', f'numFmtId="{fmt}"'.encode())
    assert spreadsheet.read_sheets(data, ".xlsx")[0].rows[1][3] == dt.datetime(2019, 4, 1)


def test_a_number_format_that_is_no_date_keeps_the_number():
    data = (CASES / "roster_date_numfmt31.xlsx").read_bytes()
    data = _rewritten(data, "xl/styles.xml", b'numFmtId="31"', b'numFmtId="3"')  # #,##0
    assert spreadsheet.read_sheets(data, ".xlsx")[0].rows[1][3] == 43556


# --- headers below a title or notes -----------------------------------------------------------


def test_csv_with_a_title_and_a_note_above_the_header_keeps_the_rows_people_see():
    text = "2025年度重点企业名单（第一批）\n说明：金额单位为万元\n企业名称,注册地,职工总数\n"
    text += "甲公司,浦东新区,12\n乙公司,北京市,5\n"
    roster = read_roster(text.encode("gbk"), "名单.csv")
    assert roster.header_row == 3
    assert _summary(roster) == [(4, "甲公司", "浦东新区")]
    assert [b.row for b in roster.bad] == [5]


@pytest.mark.parametrize(
    "tail", ["\n" * 250_000, ",,,\r\n" * 250_000, " \n\t\n" * 125_000], ids=["blank", "commas", "spaces-tabs"]
)
def test_empty_rows_at_the_end_of_a_csv_are_no_rows(tail):
    """Excel's CSV of a sheet once longer ends in rows of commas: a file of one enterprise and 250,000 empty rows
    was refused as over the 200,000-row limit (a break-it trial)."""
    text = "企业名称,注册地,职工总数\n甲公司,浦东新区,12" + tail
    roster = read_roster(text.encode(), "名单.csv")
    assert _summary(roster) == [(2, "甲公司", "浦东新区")] and not roster.bad


def test_a_csv_row_wider_than_a_sheet_may_be_is_refused_at_once_naming_row_and_column():
    """A row of a million cells took minutes in the header search: past 500 columns a cell with content is
    refused as in a workbook; empty cells past it are dropped."""
    wide = "企业名称,注册地\n" + "甲," * 1_000_000 + "\n"
    with pytest.raises(RosterError, match="第 2 行第 1,000,000 列处还有内容，超出名单的范围（最多 500 列）"):
        read_roster(wide.encode(), "名单.csv")
    padded = "企业名称,注册地" + "," * 5_000 + "\n甲公司,浦东新区" + "," * 5_000 + "\n乙公司,金山区\n"
    roster = read_roster(padded.encode(), "名单.csv")
    assert _summary(roster) == [(2, "甲公司", "浦东新区"), (3, "乙公司", "金山区")]


def test_two_years_of_a_figure_give_it_and_the_year_before():
    """2022年营业收入 and 2023年营业收入 side by side refused the file ("都是营业收入，请只保留一列"), though a
    profile holds the year before (revenue_prev): the later year is the figure, the one before it its prior year,
    and a third year is not read; each said once for the file."""
    text = "企业名称,注册地,2021年营业收入,2023年营业收入（元）,2022年营业收入,2023年研发费用\n"
    text += "甲公司,浦东新区,800,12000000,1000,90\n"
    roster = read_roster(text.encode(), "名单.csv")
    [row] = roster.rows
    assert (row.profile.revenue, row.profile.revenue_prev, row.profile.rd_expense) == (1200, 1000, 90)
    assert roster.ignored_columns == []  # "not a field name" was untrue of 2021年营业收入
    [note] = [n for n in roster.file_notes() if n.startswith("按表头的年份读取")]
    assert "2023年营业收入（元） → 营业收入（万元）" in note and "2022年营业收入 → 前一年度营业收入（万元）" in note
    assert note.endswith("；2021年营业收入 未读取（档案只收最近两年）")
    with pytest.raises(RosterError, match="都是“营业收入（万元）”"):  # an undated column beside a dated one
        read_roster("企业名称,注册地,营业收入,2022年营业收入\n甲,浦东新区,1,2\n".encode(), "名单.csv")


@pytest.mark.parametrize("second", ["2024年度营业收入（万元）", "2024年营业收入（元）"])
def test_two_columns_of_one_year_of_a_figure_are_refused_as_undated_ones_are(second):
    """2024年营业收入（万元） beside 2024年度营业收入（万元） or 2024年营业收入（元）: one was taken without a word and
    the other said to be no field name (a break-it trial)."""
    text = f"企业名称,注册地,2024年营业收入（万元）,{second}\n甲,浦东新区,100,200\n"
    with pytest.raises(RosterError, match=f"表头“2024年营业收入（万元）”与“{second}”都是 2024 年的“营业收入（万元）”"):
        read_roster(text.encode(), "名单.csv")


def test_totals_and_signature_lines_under_the_enterprises_are_no_enterprises():
    """合计 and 填表人 lines became bad rows saying 企业名称必填, counted as enterprises read (a break-it trial);
    they are said once for the file. A line with a 注册地 is read as an enterprise whatever it starts with."""
    text = "序号,企业名称,注册地,职工总数\n1,甲公司,浦东新区,10\n合计,,,10\n,填表人：张三,,\n"
    text += "注：金额单位为万元,,,\n2,,金山区,5\n3,合计科技有限公司,浦东新区,3\n"
    roster = read_roster(text.encode(), "名单.csv")
    assert _summary(roster) == [(2, "甲公司", "浦东新区"), (7, "合计科技有限公司", "浦东新区")]
    assert [b.row for b in roster.bad] == [6]  # no name: still a bad row
    assert "第 3、4、5 行是合计或落款行（合计、填表人等），未作为企业读取" in roster.file_notes()


@pytest.mark.parametrize(
    ("cell", "titles", "read"),
    [
        ("2023-10-15", "高新技术企业", {"高新技术企业": "2023-10-15"}),  # one title: the date is its
        ("2023/10/15 0:00", "高企", {"高新技术企业": "2023-10-15"}),  # the time a spreadsheet adds is no pair
        ("高企:2023-10-15；高企:2023-10-15", "高企", {"高新技术企业": "2023-10-15"}),  # the same date twice
    ],
)
def test_a_title_date_is_read_as_a_person_writes_it(cell, titles, read):
    text = f"企业名称,注册地,已有资质,资质取得日期\n甲公司,浦东新区,{titles},{cell}\n"
    [row] = read_roster(text.encode(), "名单.csv").rows
    assert {t: d.isoformat() for t, d in row.profile.qualification_dates.items()} == read


@pytest.mark.parametrize(
    ("cell", "titles", "said"),
    [
        ("2023-10-15", "高企、科技型中小企业", "应写成“资质:日期”，多个用分号隔开"),  # whose date?
        ("高企:2023-10-15；高企:2021-01-01", "高企", "“高企”填了两个取得日期（2023-10-15、2021-01-01），请只保留一个"),
        (  # the same as a JSON object in the cell: the last date was kept, silently
            '"{""高企"": ""2023-10-15"", ""高企"": ""2021-01-01""}"',
            "高企",
            "“高企”填了两个取得日期（2023-10-15、2021-01-01），请只保留一个",
        ),
    ],
)
def test_a_title_date_that_cannot_be_read_says_how_to_write_it(cell, titles, said):
    """ "应为 {资质: 日期} 的对照表" was developer's wording; two dates for one title kept the last, silently."""
    text = f"企业名称,注册地,已有资质,资质取得日期\n甲公司,浦东新区,{titles},{cell}\n"
    [bad] = read_roster(text.encode(), "名单.csv").bad
    assert said in str(bad) and "{" not in str(bad)


def test_tab_separated_csv_with_a_title_line_with_commas():
    text = "名单,第一批\n企业名称\t注册地\t所属行业\n甲公司\t闵行区\t软件\n"
    roster = read_roster(text.encode(), "名单.tsv")
    assert roster.header_row == 2 and [p.industry for p in roster.profiles] == ["软件"]


def test_no_header_in_the_first_rows_names_the_title_row():
    rows = [["2025年度浦东新区重点培育企业名单（第一批）"]] + [["甲公司", "浦东新区"]] * 3
    with pytest.raises(RosterError) as caught:
        read_roster(_xlsx(rows, merged=("A1:B1",)), "名单.xlsx")
    message = str(caught.value)
    assert message.startswith("第 1 行“2025年度浦东新区重点培育企业名单（第一批）”像是标题")
    assert "前 10 行中没有找到含 企业名称、注册地 的表头行" in message and "\n" not in message


def test_a_header_below_the_first_ten_rows_is_not_taken():
    text = "\n".join(["说明"] * 10 + ["企业名称,注册地", "甲公司,浦东新区"])
    with pytest.raises(RosterError, match="前 10 行中没有找到"):
        read_roster(text.encode(), "a.csv")
    roster = read_roster("\n".join(["说明"] * 9 + ["企业名称,注册地", "甲公司,浦东新区"]).encode(), "a.csv")
    assert roster.header_row == 10 and _summary(roster) == [(11, "甲公司", "浦东新区")]


# --- dates as numbers -------------------------------------------------------------------------


def test_a_serial_number_in_a_date_column_is_the_date_and_other_numbers_are_refused():
    data = _xlsx([["企业名称", "注册地", "成立日期"], ["甲", "浦东新区", 43556], ["乙", "浦东新区", 43556.75]])
    assert [p.founded for p in read_roster(data, "a.xlsx").profiles] == [dt.date(2019, 4, 1)] * 2
    data = _xlsx([["企业名称", "注册地", "成立日期"], ["甲", "浦东新区", 2019], ["乙", "浦东新区", 20190401]])
    roster = read_roster(data, "a.xlsx")
    assert not roster.rows
    assert [b.errors[0].field for b in roster.bad] == ["founded", "founded"]
    assert "2019" in str(roster.bad[0]) and "20190401" in str(roster.bad[1])


def test_a_serial_number_in_a_text_column_stays_a_number():
    data = _xlsx([["企业名称", "注册地", "所属行业"], ["甲", "浦东新区", 43556]])
    assert [p.industry for p in read_roster(data, "a.xlsx").profiles] == ["43556"]


# --- merged cells -----------------------------------------------------------------------------


def test_merged_cells_neither_shift_columns_nor_lose_values():
    rows = [
        ["企业名称", None, "注册地", "职工总数"],
        ["甲公司", None, "闵行区", 10],
        ["乙公司", None, None, 20],
        ["丙公司", None, "金山区", 30],
    ]
    roster = read_roster(_xlsx(rows, merged=("A1:B1", "A2:B2", "C2:C3")), "a.xlsx")
    assert [(p.name, p.region, p.employees) for p in roster.profiles] == [
        ("甲公司", "闵行区", 10),
        ("乙公司", "闵行区", 20),
        ("丙公司", "金山区", 30),
    ]
    assert not roster.ignored_columns and not roster.bad


def test_a_two_row_header_merged_down_is_read_from_its_lower_row():
    rows = [
        ["企业名称", "注册地", "人员情况", None],
        [None, None, "职工总数", "研发人员"],
        ["甲公司", "浦东新区", 50, 20],
    ]
    roster = read_roster(_xlsx(rows, merged=("A1:A2", "B1:B2", "C1:D1")), "a.xlsx")
    assert roster.header_row == 2
    assert [(r.row, r.profile.employees, r.profile.rd_staff) for r in roster.rows] == [(3, 50, 20)]


# --- formulas ---------------------------------------------------------------------------------


def _with_formulas() -> bytes:
    rows = [["企业名称", "注册地", "职工总数", "营业收入", "序号"], ["甲", "浦东新区", 85, "=C2*2", "=ROW()-1"]]
    return _xlsx([*rows, ["乙", "金山区", 10, 300, 2]])


def test_a_formula_without_a_saved_result_is_named_not_taken_as_blank_and_the_other_rows_read():
    roster = read_roster(_with_formulas(), "a.xlsx")
    [bad] = roster.bad
    assert str(bad) == "第 2 行（甲）：营业收入（万元）：“营业收入”是公式，文件中没有计算结果：请在 Excel 中打开并保存"
    assert [r.profile.name for r in roster.rows] == ["乙"]
    assert spreadsheet.read_sheets(_with_formulas(), ".xlsx")[0].rows[1][3] == Uncalculated("=C2*2")


def test_a_formula_with_its_saved_result_is_read_as_that_result():
    data = _rewritten(_with_formulas(), "xl/worksheets/sheet1.xml", b"<f>C2*2</f><v></v>", b"<f>C2*2</f><v>170</v>")
    roster = read_roster(data, "a.xlsx")  # 序号 is not read: its formula without result does not matter
    assert [p.revenue for p in roster.profiles] == [170, 300] and roster.ignored_columns == ["序号"]


# --- old Excel and files not what their name says ------------------------------------------------


def test_old_excel_xls_is_read_with_title_merged_cells_dates_and_booleans():
    roster = read_roster_file(CASES / "roster_old_excel.xls")
    assert roster.header_row == 2 and not roster.bad
    assert [
        (r.row, p.name, p.region, p.founded, p.employees, p.foreign_invested)
        for r, p in zip(roster.rows, roster.profiles, strict=True)
    ] == [
        (3, "上海示例旧表机械有限公司", "闵行区", dt.date(2019, 4, 1), 85, False),
        (4, "上海示例旧表材料有限公司", "闵行区", dt.date(2020, 6, 15), 40, True),
    ]


def test_an_excel_file_is_read_by_its_content_and_a_damaged_one_is_one_clear_line():
    xls = (CASES / "roster_old_excel.xls").read_bytes()
    assert len(read_roster(xls, "改了名字.xlsx").rows) == 2
    assert len(read_roster((CASES / "roster_bad_dimension.xlsx").read_bytes(), "改了名字.xls").rows) == 2
    for data, name in [(xls[:600], "坏.xls"), (b"PK\x03\x04 not really", "坏.xlsx")]:
        with pytest.raises(RosterError, match=r"^无法作为 Excel（\.xlsx?）文件打开：[^\n]*另存为 \.xlsx"):
            read_roster(data, name)


# --- size -------------------------------------------------------------------------------------


def test_a_roster_of_ten_thousand_rows_reads():
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["企业名称", "注册地", "所属行业", "成立日期", "职工总数", "营业收入（万元）"])
    for i in range(10_000):
        sheet.append([f"上海示例{i}科技有限公司", "浦东新区", "软件", dt.date(2019, 4, 1), i % 500, 100.5])
    out = io.BytesIO()
    book.save(out)
    roster = read_roster(out.getvalue(), "大名单.xlsx")
    assert len(roster.rows) == 10_000 and not roster.bad
    last = roster.rows[-1]
    assert (last.row, last.profile.name, last.profile.employees) == (10_001, "上海示例9999科技有限公司", 9999 % 500)


def test_a_csv_cell_over_the_field_limit_is_a_bad_row_naming_the_column_and_the_others_are_read():
    data = ("企业名称,注册地,企业描述\n甲公司,浦东新区," + "芯片" * 70_000 + "\n乙公司,徐汇区,做芯片\n").encode()
    roster = read_roster(data, "名单.csv")
    assert [r.profile.name for r in roster.rows] == ["乙公司"]
    [bad] = roster.bad
    assert bad.row == 2 and "单元格过长（最多 32,767 字，收到 140,000 字）（“企业描述”列）" in str(bad)


def test_a_cell_writing_not_known_is_blank_not_a_bad_row():
    """ "-", "/", "暂无", "N/A" in a number, date or yes/no column refused the row ("“-”不是数字", a break-it trial):
    they are read as not filled in (unknown, never 0), said once per column. "无" stays a value to check."""
    text = "企业名称,注册地,职工总数,成立日期,营业收入（元）,是否外资企业\n"
    text += "甲,浦东新区,-,暂无,N/A,／\n乙,浦东新区,无,2019-01-01,100,否\n"
    roster = read_roster(text.encode(), "名单.csv")
    [row] = roster.rows
    p = row.profile
    assert (p.employees, p.founded, p.revenue, p.foreign_invested) == (None, None, None, None)
    assert [b.row for b in roster.bad] == [3]  # 职工总数 “无”: not a number
    notes = roster.file_notes()
    assert "“职工总数”列中的“-”按未填写读取（视为未知，不当作 0 或“否”）" in notes
    assert "“是否外资企业”列中的“／”按未填写读取（视为未知，不当作 0 或“否”）" in notes
    [bad] = read_roster("企业名称,注册地\n-,-\n".encode(), "名单.csv").bad  # text columns: "-" is read as written
    assert "注册地" in str(bad)


def test_money_of_hundreds_of_yi_in_a_column_stating_no_unit_is_refused_not_read_as_wan():
    """营业收入 62,000,000 for an 85-person firm, the header naming no unit: read as 6,200 亿元, said in a grey line
    the page hardly shows, and its Word sheet made all the same (a break-it trial). The row is refused, asking
    for the unit; with the unit in the header it is read."""
    text = "企业名称,注册地,营业收入,职工总数\n甲,浦东新区,62000000,85\n乙,浦东新区,6200,85\n"
    roster = read_roster(text.encode(), "名单.csv")
    assert [r.row for r in roster.rows] == [3]
    [bad] = roster.bad
    assert "“营业收入”列未注明单位，按万元读为 6,200 亿元，像是以元填写：请在表头注明单位" in str(bad)
    stated = read_roster(text.replace("营业收入,", "营业收入（元）,").encode(), "名单.csv")
    assert [r.profile.revenue for r in stated.rows] == [6200, 0.62] and not stated.bad


def test_a_column_of_another_name_is_not_read_as_the_name():
    """企业名称（英文） beside 企业名称 refused the file ("都是“企业名称”，请只保留一列"): the bracket was taken for a
    unit (a break-it trial). Such a column is not read, and said so."""
    text = "企业名称,企业名称（英文）,企业名称(曾用名),注册地\n甲公司,Jia Co.,老甲公司,浦东新区\n"
    roster = read_roster(text.encode(), "名单.csv")
    assert [r.profile.name for r in roster.rows] == ["甲公司"]
    assert roster.ignored_columns == ["企业名称（英文）", "企业名称(曾用名)"]


def test_a_hidden_excel_row_is_read_and_said():
    """A row hidden in Excel (a 辅导员 hides or filters out rows to leave enterprises out) was matched without a
    word (a break-it trial): it is read (nothing is lost) and named in the file notes."""
    book = openpyxl.Workbook()
    for row in (["企业名称", "注册地"], ["甲", "浦东新区"], ["乙", "金山区"], ["丙", "徐汇区"]):
        book.active.append(row)
    book.active.row_dimensions[3].hidden = True
    out = io.BytesIO()
    book.save(out)
    roster = read_roster(out.getvalue(), "r.xlsx")
    assert [r.profile.name for r in roster.rows] == ["甲", "乙", "丙"]
    assert "第 3 行在 Excel 中是隐藏（或被筛选掉）的行，已照常读取；不要匹配的企业请删除该行" in roster.file_notes()


def test_a_park_outside_the_stated_district_is_asked_about_not_refused():
    """徐汇区 + 金桥, 上海市外 + 漕河泾 were read without a word, the sheet ticking 所在园区为金桥 (a break-it trial).
    The row is read (registration and operating address may differ) and its notes ask to confirm."""
    text = "企业名称,注册地,所在园区\n甲,徐汇区,金桥\n乙,上海市外,漕河泾\n丙,浦东新区,张江\n"
    notes = {r.profile.name: r.notes for r in read_roster(text.encode(), "名单.csv").rows}
    assert notes["甲"] == ["所在园区“金桥”在浦东新区，注册地为徐汇区：请确认两者（注册地与经营地址可以不同）"]
    assert notes["乙"] == ["所在园区“漕河泾”在徐汇区或闵行区，注册地为上海市外：请确认两者（注册地与经营地址可以不同）"]
    assert notes["丙"] == []
