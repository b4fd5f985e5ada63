"""Rosters in, consultation sheets and summaries out: parsing, Word content, Excel safety, CLI."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import subprocess
import unicodedata
import zipfile

import docx
import openpyxl
import pytest
from docx.text.paragraph import Paragraph
from docx_reference import reference_docx
from lxml import etree
from unavailable import unavailable
from workbooks import roster_workbook

from recommender import consultation
from recommender.cli import main
from recommender.consultation import consult
from recommender.criteria.readiness import QualificationResult
from recommender.eligibility.verdict import Gap
from recommender.engine import Recommender
from recommender.profile import parse_profile
from recommender.profile_fields import extra_fields
from recommender.quantities import read_money
from recommender.roster import RosterError, column_field, read_roster, template_csv
from recommender.safe_output import xml_text
from recommender.sheet_summary import (
    SUMMARY_MEASURES,
    SUMMARY_READINESS,
    contact_brief,
    ended_lines,
    gap_brief,
    pending,
    summary,
)
from recommender.sheets import (
    FILE_NAME_BYTES,
    FONT,
    SheetsZip,
    consultation_docx,
    sheet_filename,
    sheets_zip,
    shown_name,
)

AS_OF = dt.date(2024, 6, 30)  # inside the 2023-2025 Pudong plans
ROSTER = """企业名称,注册地,所属行业,职工总数,科技/研发人员,营业收入（万元）,已有资质,资质取得日期,诉求,是否外资,序号
上海某芯微电子有限公司,浦东新区,芯片,85,40,"6,200",高新技术企业,高新技术企业:2023-10-15,资金补贴、融资贷款,否,1
金山某机械有限公司,金山,机械,30,,1200,,,"场地空间,融资贷款",,2
北京某软件公司,北京市,软件,很多,,,,,,,3

,浦东新区,,,,,,,,,5
徐汇某科技有限公司,徐汇区,人工智能,12,20,,,,,,6
"""


@pytest.fixture(scope="module")
def engine() -> Recommender:
    return Recommender.load()


def _text(document: docx.Document) -> str:
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


# --- rosters ----------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_roster_in_utf8_or_gbk_keeps_good_rows_and_reports_bad_ones(encoding):
    roster = read_roster(ROSTER.encode(encoding), "名单.csv")
    assert [(r.row, r.profile.name) for r in roster.rows] == [(2, "上海某芯微电子有限公司"), (3, "金山某机械有限公司")]
    chip, machine = roster.profiles
    assert chip.revenue == 6200 and chip.employees == 85 and chip.rd_staff == 40
    assert chip.industry_category == "集成电路" and chip.foreign_invested is False
    assert chip.qualification_dates == {"高新技术企业": dt.date(2023, 10, 15)}
    assert chip.needs == ["资金补贴", "融资贷款"] and machine.needs == ["场地空间", "融资贷款"]
    assert machine.region == "金山区" and machine.rd_staff is None  # blank is unknown, not zero
    bad = {b.row: b for b in roster.bad}
    assert sorted(bad) == [4, 6, 7]
    assert bad[4].name == "北京某软件公司"
    assert any("注册地" in m and "北京市" in m for m in bad[4].messages)
    assert any("职工总数" in m and "“很多”不是数字" in m for m in bad[4].messages)
    assert "第 6 行" in str(bad[6]) and "企业名称" in str(bad[6])
    assert any("研发人员数不能大于职工总数" in m for m in bad[7].messages)
    assert roster.ignored_columns == ["序号"]


def test_xlsx_roster_with_numbers_dates_and_english_headers():
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["name", "region", "founded", "employees", "revenue", "qualifications", "needs", "description"])
    ws.append(
        [
            "上海某生物医药有限公司",
            "浦东新区",
            dt.datetime(2018, 5, 3),
            40.0,
            1800.5,
            "科技型中小企业",
            "人才引进、场地空间",
            "创新药",
        ]
    )
    ws.append(["坏行", "黄浦区", "去年", 10, -5, "", "", ""])
    ws.append([None] * 8)
    out = io.BytesIO()
    book.save(out)
    roster = read_roster(out.getvalue(), "roster.xlsx")
    assert len(roster.rows) == 1 and roster.rows[0].row == 2
    p = roster.profiles[0]
    assert p.founded == dt.date(2018, 5, 3) and p.employees == 40 and p.revenue == 1800.5
    assert p.qualifications == ["科技型中小企业"] and p.needs == ["人才引进", "场地空间"]
    [bad] = roster.bad
    assert bad.row == 3 and any("成立日期" in m for m in bad.messages) and any("不能为负数" in m for m in bad.messages)


def test_headers_in_chinese_with_units_and_field_names_are_recognised():
    assert column_field("营业收入（万元）") == "revenue"
    assert column_field("营业收入(万元)") == "revenue"
    assert column_field(" 企业名称 ") == "name"
    assert column_field("\ufeff企业名称") == "name"
    assert column_field("科技/研发人员数") == "rd_staff"
    assert column_field("RD_EXPENSE") == "rd_expense"
    assert column_field("备注") is None


def test_cells_follow_the_model_types_and_percentages_become_fractions():
    from recommender.profile_fields import extra_fields, is_ratio
    from recommender.roster import cell_value

    people = parse_profile({"name": "x", "region": "浦东新区", "employees": cell_value("employees", "85.0")})
    assert people.employees == 85 and read_money("6,200万元").value == 6200
    assert parse_profile(
        {"name": "x", "region": "浦东新区", "foreign_invested": cell_value("foreign_invested", "是")}
    ).foreign_invested
    assert cell_value("needs", "融资、人才;场地") == [
        "融资",
        "人才",
        "场地",
    ]
    assert cell_value("revenue", "很多") == "很多"  # left for the model to name
    ratios = [f for f in extra_fields() if is_ratio(f)]
    assert ratios
    for cell in ("35%", 0.35, "百分之三十五"):
        assert getattr(parse_profile({"name": "x", "region": "浦东新区", ratios[0]: cell}), ratios[0]) == 0.35


def test_file_level_problems_are_one_clear_error():
    with pytest.raises(RosterError, match="注册地"):
        read_roster("企业名称,行业\n某公司,软件\n".encode(), "a.csv")
    with pytest.raises(RosterError, match="编码"):
        read_roster(b"\x80\x80\xff,\x81\n", "a.csv")
    with pytest.raises(RosterError, match=r"\.xls"):
        read_roster(b"whatever", "a.xls")
    with pytest.raises(RosterError, match="Excel"):
        read_roster(b"not a workbook", "a.xlsx")
    with pytest.raises(RosterError, match="没有数据行"):
        read_roster("企业名称,注册地\n".encode(), "a.csv")
    with pytest.raises(RosterError, match="只保留一列"):
        read_roster("企业名称,名称,注册地\n".encode(), "a.csv")


def test_template_and_saved_profiles_read_back():
    with pytest.raises(RosterError, match="只有名单模板的示例行（上海某芯微电子有限公司），请在下方填写企业后上传"):
        read_roster(template_csv(), "模板.csv")  # the example row is no enterprise
    filled = template_csv().decode("utf-8-sig").replace("上海某芯微电子有限公司", "上海乙芯微电子有限公司", 1)
    roster = read_roster(filled.replace("91310115MA1K3Y8P1B", "").encode(), "模板.csv")
    assert len(roster.rows) == 1 and not roster.bad and not roster.ignored_columns  # every column is read
    saved = json.dumps([{"name": "甲", "region": "浦东新区"}, {"name": "乙", "region": "火星"}], ensure_ascii=False)
    roster = read_roster(saved.encode(), "档案.json")
    assert [p.name for p in roster.profiles] == ["甲"] and roster.bad[0].row == 2


# --- the Word sheet ---------------------------------------------------------------------------

PROFILE = {
    "name": "上海某芯微电子有限公司",
    "region": "浦东新区",
    "industry": "集成电路",
    "employees": 85,
    "qualifications": ["高新技术企业"],
    "needs": ["资金补贴", "融资贷款"],
    "description": "芯片设计企业，首次认定高新技术企业，想了解区里的资助和贷款",
}


def test_docx_holds_the_enterprise_its_measures_and_the_dates(engine):
    c = consult(engine, parse_profile(PROFILE), as_of=AS_OF)
    assert c.measures
    document = docx.Document(io.BytesIO(consultation_docx(c, today=dt.date(2024, 7, 1))))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4, not US Letter
    text = _text(document)
    assert "上海某芯微电子有限公司" in text
    assert "政策有效性判断日期：2024-06-30" in text and "生成日期：2024-07-01" in text
    first = c.measures[0]
    assert f"1. 【{first.status_label}】{first.title}" in text
    assert first.text in text and first.contact in text and first.source in text
    assert "浦东新区" in text and "未填写" in text  # the profile table shows unknown fields as such
    assert "辅导员（签字）" in text and "企业联系人（签字）" in text and "____" in text
    assert "三、资质培育行动计划" in text
    # 符合依据: the conditions met and why it was listed (needs served, words shared), as the Excel summary has it
    explained = [m for m in c.measures if m.result.explanations]
    assert explained and all(e in text for m in explained for e in m.result.explanations)


def test_leads_are_in_the_sheet_and_the_summary_as_such(engine):
    profile = {
        "name": "金山某化工厂",
        "region": "金山区",
        "description": "检查太多，每次都要人陪着",
        "needs": ["政务服务"],
    }
    c = consult(engine, parse_profile(profile), as_of=dt.date(2022, 6, 30), top=None)
    assert [m.rank for m in c.measures + c.expired] == list(range(1, len(c.measures) + len(c.expired) + 1))
    leads = [m for m in c.measures if m.state == "lead"]  # leads, and measures asking only where it is
    assert leads and all(m.status_label == "可关注" for m in leads) and c.counts()["lead"] == len(leads)
    assert {m.kind for m in leads} == {"lead", "measure"}
    text = _text(docx.Document(io.BytesIO(consultation_docx(c))))
    assert f"【可关注】{leads[0].title}" in text and "系统无法据此判断能否申报，可联系所列部门了解" in text
    assert leads[0].contact in text
    book = openpyxl.load_workbook(io.BytesIO(roster_workbook([(1, c)], as_of=c.as_of)))
    header = [cell.value for cell in book["企业汇总"][1]]
    summary = dict(zip(header, next(book["企业汇总"].iter_rows(min_row=2, values_only=True)), strict=True))
    assert summary["可关注线索"] == len(leads)
    statuses = [row[5] for row in book["措施明细"].iter_rows(min_row=2, values_only=True)]
    assert statuses.count("可关注") == len(leads)


def test_docx_says_when_measures_are_out_of_date(engine):
    c = consult(engine, parse_profile(PROFILE), as_of=dt.date(2026, 11, 22))
    assert c.expired
    text = _text(docx.Document(io.BytesIO(consultation_docx(c))))
    assert f"另有 {len(c.expired)} 条相关措施属上一轮政策已到期（在 2026-11-22 时已过期），未列入" in text
    # each ended document on a line of its own, with its measures and whom to ask whether it goes on
    documents = {m.result.document.short_title: m for m in c.expired}
    assert len(documents) > 1
    for short_title, m in documents.items():
        line = next(x for x in text.split("\n") if x.startswith(f"○ 《{short_title}》"))
        assert m.title in line or "等" in line
        assert "咨询是否延续" in line
        asked = m.lead_departments or m.other_departments or [m.result.document.issuer]
        assert any(who in line for who in asked), line


def test_ended_lines_name_the_departments_and_the_first_measures(engine):
    c = consult(engine, parse_profile(PROFILE), as_of=dt.date(2026, 11, 22))
    lines = ended_lines(c)
    by_doc: dict[str, list] = {}
    for m in c.expired:
        by_doc.setdefault(m.result.document.short_title, []).append(m)
    assert len(lines) == len(by_doc)
    for line, (short_title, measures) in zip(lines, by_doc.items(), strict=True):
        assert line.startswith(f"《{short_title}》（")
        assert f"{len(measures)} 条：{measures[0].title}" in line
        assert line.count("、") >= min(len(measures), 3) - 1


def test_the_summary_says_when_the_district_is_not_covered(engine):
    c = consult(engine, parse_profile({"name": "黄浦某贸易公司", "region": "黄浦区"}), as_of=AS_OF)
    assert c.scope and "本库暂未收录黄浦区的政策文件" in c.scope
    text = _text(docx.Document(io.BytesIO(consultation_docx(c))))
    assert "本库暂未收录黄浦区的政策文件" in text.split("一、企业基本情况")[0]  # on the first page
    covered = consult(engine, parse_profile(PROFILE), as_of=AS_OF)
    assert covered.scope is None or "暂未收录" not in covered.scope
    book = openpyxl.load_workbook(io.BytesIO(roster_workbook([(1, c), (2, covered)], as_of=AS_OF)))
    rows = list(book["企业汇总"].iter_rows(values_only=True))
    column = rows[0].index("本库收录范围提示")
    assert rows[1][column] == c.scope and rows[2][column] == covered.scope  # openpyxl reads "" as None


def _failing_check(profile, as_of):
    raise RuntimeError("the readiness check failed")


def test_readiness_is_optional_and_becomes_the_action_plan(engine, monkeypatch):
    monkeypatch.setattr(consultation, "qualifications", _failing_check)
    c = consult(engine, parse_profile(PROFILE), as_of=AS_OF)
    assert c.readiness is None
    assert "三、资质培育行动计划" in _text(docx.Document(io.BytesIO(consultation_docx(c))))

    def fake(profile, as_of):
        return [
            QualificationResult("科技型中小企业", "unknown", [Gap("total_assets", "", "", "请补充资产总额")], "办法"),
            QualificationResult("研发费用加计扣除", "met", [], "", kind="tax"),
        ]

    monkeypatch.setattr(consultation, "qualifications", fake)
    c = consult(engine, parse_profile(PROFILE), as_of=AS_OF)
    assert [(r.name, r.pending) for r in c.readiness] == [("科技型中小企业", True), ("研发费用加计扣除", False)]
    text = _text(docx.Document(io.BytesIO(consultation_docx(c))))
    assert "1. 科技型中小企业：信息不足" in text and "□ 请补充资产总额" in text and "依据：办法" in text
    assert "已具备：研发费用加计扣除：已满足" in text

    monkeypatch.setattr(consultation, "qualifications", _failing_check)
    assert (
        consult(engine, parse_profile(PROFILE), as_of=AS_OF).readiness is None
    )  # a failing check never breaks a sheet


def test_zip_holds_one_sheet_per_enterprise(engine):
    cs = [
        consult(engine, parse_profile({"name": n, "region": "浦东新区"}), as_of=AS_OF)
        for n in ("甲公司", "甲公司", "乙/公司")
    ]
    archive = zipfile.ZipFile(io.BytesIO(sheets_zip(cs)))
    names = archive.namelist()
    assert names == ["001-甲公司-政策咨询单.docx", "002-甲公司-政策咨询单.docx", "003-乙_公司-政策咨询单.docx"]
    assert "乙/公司" in _text(docx.Document(io.BytesIO(archive.read(names[2]))))


HOSTILE_NAMES = {
    "bidi isolates": "\u2066上海\u202e乙科技\u2069有限公司\u061c",
    "format characters": "上海\u00ad丙\u034f科技\u180e有限公司\u200b\ufeff\U000e0041",
    "many emoji": "😀" * 200,
    "emoji sequences": "👩\u200d💻🏳\ufe0f\u200d🌈" * 40,
    "long after emoji": "上海" + "🚀" * 59 + "丁" * 100,
    "path separators": '../..\\甲/乙:丙*?<>|"丁',
    "control characters": "\t甲\x00乙\x0b丙\x85丁\u2028戊\u2029 ",
    "nothing to show": "\u2066\u00ad..\u2069",
}


def _bad_in_file_name(name: str) -> list[str]:
    """What no file name may hold: control, format, separator (but none), private, unassigned characters."""
    return [f"U+{ord(c):04X}" for c in name if unicodedata.category(c)[0] in "CZ" or c in '/\\:*?"<>|']


@pytest.mark.parametrize("row", [None, 7, 12_345_678])
@pytest.mark.parametrize("name", list(HOSTILE_NAMES.values()), ids=list(HOSTILE_NAMES))
def test_a_sheet_file_name_is_clean_and_short_enough_whatever_the_name(name, row):
    profile = parse_profile({"name": "某公司", "region": "浦东新区"}).model_copy(update={"name": name})
    for tag in ("", "（12345）"):
        file_name = sheet_filename(profile, row, tag)
        assert len(file_name.encode()) <= FILE_NAME_BYTES and not _bad_in_file_name(file_name), file_name
        prefix, suffix = f"{row:03d}-" if row else "", f"-政策咨询单{tag}.docx"
        assert file_name.startswith(prefix) and file_name.endswith(suffix)
        assert file_name.removeprefix(prefix).removesuffix(suffix) not in ("", ".", "..")


def test_a_zip_of_hostile_names_unpacks_on_this_file_system_with_one_file_a_sheet(tmp_path):
    profile = parse_profile({"name": "某公司", "region": "浦东新区"})
    names = [*HOSTILE_NAMES.values(), "😀" * 200 + "甲", "😀" * 200 + "乙"]  # the last two cut to one name
    with SheetsZip(tmp_path / "s.zip", AS_OF) as archive:
        for row, name in enumerate(names, 2):
            archive.add_sheet(profile.model_copy(update={"name": name}), f"第 {row} 行".encode(), row if row < 9 else 9)
    with zipfile.ZipFile(tmp_path / "s.zip") as unpacked:
        entries = unpacked.namelist()
        unpacked.extractall(tmp_path / "out")  # ext4 refuses a name over 255 bytes (OSError: File name too long)
    assert len(set(entries)) == len(names) and all(len(e.encode()) <= FILE_NAME_BYTES for e in entries)
    assert not [e for e in entries if _bad_in_file_name(e)]
    files = sorted((tmp_path / "out").iterdir())
    assert [f.name for f in files] == sorted(entries)  # all in the folder itself: no path left it
    assert sorted(f.read_bytes().decode() for f in files) == sorted(f"第 {row} 行" for row in range(2, 2 + len(names)))
    assert entries[-1].startswith("009-😀") and entries[-1].endswith("-政策咨询单（10）.docx")


def _parts(docx_bytes: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as package:
        assert package.testzip() is None
        return {info.filename: package.read(info) for info in package.infolist()}


def _hostile(c: consultation.Consultation) -> consultation.Consultation:
    """``c`` with text that python-docx's run.text translates or marks: tabs, line breaks, white space at the
    ends, characters XML cannot hold, an empty validity; a measure unreviewed and unlocked by a title."""
    m = c.measures[0]
    m.title = " 标题\t含制表符 "
    m.text = "第一行\r\n第二行\n\t缩进　\x0b末尾 "
    m.reasons, m.gaps, m.flags = ["\t符合"], ["缺\n条件 "], ["原文缺字"]
    m.reviewed, m.unlocks_with, m.lead_departments, m.other_departments = False, ["高新技术企业"], [], []
    m.issuer, m.validity = "", ""
    c.profile = c.profile.model_copy(update={"name": "\t甲\x00乙 ", "description": " 描述\n两行"})
    return c


def test_the_sheet_is_the_one_python_docx_built_part_for_part(engine, monkeypatch):
    """Every part of the .docx (body, styles, page setup, core properties …) byte for byte what python-docx
    wrote object by object before the XML writer (tests/docx_reference.py), for sheets of every section."""
    profile = parse_profile(PROFILE)
    odd = parse_profile({**PROFILE, extra_fields()[0]: 1})
    cases = [consult(engine, profile, as_of=d) for d in (AS_OF, dt.date(2023, 1, 1), dt.date(2026, 11, 22))]
    cases += [consult(engine, odd, as_of=dt.date(2018, 1, 1)), _hostile(consult(engine, profile, as_of=AS_OF))]
    cases.append(consult(engine, parse_profile({"name": "金山某化工厂", "region": "金山区"}), as_of=AS_OF, top=None))
    cases.append(consult(engine, profile, as_of=AS_OF, top=SUMMARY_MEASURES - 2))
    met = [QualificationResult("研发费用加计扣除", "met", [], "", kind="tax", benefits=["加计扣除"])]
    monkeypatch.setattr(consultation, "qualifications", lambda p, d: met)
    cases.append(consult(engine, profile, as_of=AS_OF))
    monkeypatch.setattr(consultation, "qualifications", _failing_check)
    cases.append(consult(engine, profile, as_of=AS_OF))
    bodies = []
    for c in cases:
        got, want = _parts(consultation_docx(c, AS_OF)), _parts(reference_docx(c, AS_OF))
        assert got == want, [name for name in want if got.get(name) != want[name]]
        bodies.append(want["word/document.xml"].decode())
    # the cases reach every branch of the sheet and every element the writer makes
    assert {len(consultation.profile_rows(c.profile)) % 2 for c in cases} == {0, 1}
    assert any(c.unlocks for c in cases) and any(c.readiness is None for c in cases) and not cases[3].measures
    assert {m.kind for c in cases for m in c.measures} == {"measure", consultation.LEAD}
    assert {m.state == consultation.NOT_YET for c in cases for m in c.expired} == {True, False}
    summaries = [summary(c) for c in cases]  # and every branch of the summary
    assert {len(c.measures) > SUMMARY_MEASURES for c in cases if c.measures} == {True, False}
    assert any(s.held for s in summaries)
    assert {None, 0} <= {s.readiness if s.readiness is None else len(s.readiness) for s in summaries}
    assert any(s.readiness and len(s.readiness) == SUMMARY_READINESS for s in summaries)
    for mark in ("<w:tab/>", "<w:br/>", 'xml:space="preserve"', "<w:b/>", "<w:i/>", "<w:r/>", "<w:p/></w:tc>"):
        assert any(mark in body for body in bodies), mark


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
THEME_ATTRS = [f"{W}{a}" for a in ("asciiTheme", "eastAsiaTheme", "hAnsiTheme", "cstheme")]


def _xml_parts(docx_bytes: bytes) -> dict[str, etree._Element]:
    return {name: etree.fromstring(blob) for name, blob in _parts(docx_bytes).items() if name.endswith(".xml")}


def test_the_sheet_prints_on_a4_with_its_margins_page_numbers_and_the_name_on_every_page(engine):
    c = consult(engine, parse_profile(PROFILE), as_of=AS_OF)
    sheet = consultation_docx(c, AS_OF)
    [section] = docx.Document(io.BytesIO(sheet)).sections
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert section.orientation == docx.enum.section.WD_ORIENT.PORTRAIT
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.cm, 2) for m in margins] == [2.5] * 4
    assert [p.text for p in section.header.paragraphs] == [PROFILE["name"]]
    [footer] = section.footer.paragraphs
    assert footer.text == "第 1 页 / 共 1 页"  # the fields' values until Word or LibreOffice lays the pages out
    # each field as Word writes it: begin mark, instruction, separator, value shown, end mark; text around them
    marks = {f"{W}fldChar": lambda e: e.get(f"{W}fldCharType"), f"{W}instrText": lambda e: e.text.strip()}
    marks[f"{W}t"] = lambda e: e.text
    got = [marks[e.tag](e) for r in footer._p.iter(f"{W}r") for e in r if e.tag in marks]
    assert got == [
        *("第 ", "begin", "PAGE", "separate", "1", "end"),
        *(" 页 / 共 ", "begin", "NUMPAGES", "separate", "1", "end", " 页"),
    ]
    assert footer.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER


def test_every_style_the_sheet_uses_is_in_the_chinese_font(engine):
    c = consult(engine, parse_profile(PROFILE), as_of=AS_OF)
    parts = _xml_parts(consultation_docx(c, AS_OF))
    used = {
        element.get(f"{W}val")
        for name in ("word/document.xml", "word/header1.xml", "word/footer1.xml")
        for element in parts[name].iter(f"{W}pStyle", f"{W}rStyle", f"{W}tblStyle")
    }
    assert used >= {"Title", "Heading1", "Heading2", "Heading3", "TableGrid", "Header", "Footer"}
    styles = {s.get(f"{W}styleId"): s for s in parts["word/styles.xml"].iter(f"{W}style")}
    for style_id in used | {"Normal"}:
        fonts = styles[style_id].find(f"{W}rPr/{W}rFonts")
        assert fonts is not None, style_id
        assert [fonts.get(f"{W}{a}") for a in ("ascii", "hAnsi", "eastAsia")] == [FONT] * 3, style_id
        assert not any(fonts.get(a) for a in THEME_ATTRS), style_id
    for fonts in parts["word/styles.xml"].iter(f"{W}rFonts"):  # the defaults and the styles they rest on
        assert fonts.get(f"{W}eastAsia") == FONT and not any(fonts.get(a) for a in THEME_ATTRS)
    for name in ("word/document.xml", "word/header1.xml", "word/footer1.xml"):  # no run overrides the font
        assert not list(parts[name].iter(f"{W}rFonts")), name


def test_paragraphs_are_6_pt_apart_and_table_cells_keep_none(engine):
    c = consult(engine, parse_profile(PROFILE), as_of=AS_OF)
    styles = _xml_parts(consultation_docx(c, AS_OF))["word/styles.xml"]
    [default] = styles.findall(f"{W}docDefaults/{W}pPrDefault/{W}pPr/{W}spacing")
    assert default.get(f"{W}after") == "120"  # twentieths of a point: 6 pt (python-docx's template: 10 pt)
    by_id = {s.get(f"{W}styleId"): s for s in styles.iter(f"{W}style")}
    # spacing on Normal would outrank the table style's and space out every table cell
    assert by_id["Normal"].find(f"{W}pPr/{W}spacing") is None
    assert by_id["TableGrid"].find(f"{W}pPr/{W}spacing").get(f"{W}after") == "0"


def _blocks(sheet: bytes) -> list[tuple[str, str]]:
    """(kind, text) of each paragraph and table of the body in order: kind "new page" for a paragraph that
    starts a page, else its style (or "table")."""
    body = _xml_parts(sheet)["word/document.xml"].find(f"{W}body")
    out = []
    for block in body:
        if block.tag == f"{W}tbl":
            out.append(
                ("table", "|".join("".join(t.text or "" for t in tc.iter(f"{W}t")) for tc in block.iter(f"{W}tc")))
            )
        elif block.tag == f"{W}p":
            starts_page = (
                block.find(f"{W}pPr/{W}pageBreakBefore") is not None
                or block.find(f".//{W}br[@{W}type='page']") is not None
            )
            style = block.find(f"{W}pPr/{W}pStyle")
            kind = "new page" if starts_page else (style.get(f"{W}val") if style is not None else "Normal")
            out.append((kind, "".join(t.text or "" for t in block.iter(f"{W}t"))))
    return out


def test_the_summary_comes_first_and_the_details_begin_on_a_new_page(engine):
    c = consult(engine, parse_profile(PROFILE), as_of=AS_OF)
    blocks = _blocks(consultation_docx(c, AS_OF))
    starts = [i for i, (kind, _) in enumerate(blocks) if kind == "new page"]
    assert [blocks[i] for i in starts] == [("new page", "一、企业基本情况")]  # one page break: before the details
    first_page, details = blocks[: starts[0]], blocks[starts[0] :]
    headings = [text for kind, text in first_page if kind.startswith("Heading") or kind == "Title"]
    assert headings == ["企业政策咨询单", "咨询要点", "重点措施", "资质准备", "下一步"]
    tables = [text.split("|") for kind, text in first_page if kind == "table"]
    s = summary(c)
    shown = c.measures[:SUMMARY_MEASURES]
    own = [m.result.clause.title for m in shown]  # short, unless two of the table share it: then the heading
    assert own == [m.own_title for m in shown]
    assert len(set(own)) < len(own), "the table should have two parts of one article"
    titles = [t if own.count(t) == 1 else m.title for m, t in zip(shown, own, strict=True)]
    assert len(set(titles)) == len(titles)
    measures = [(str(m.rank), t, m.status_label, contact_brief(m)) for m, t in zip(shown, titles, strict=True)]
    assert tables[0] == ["序号", "措施", "状态", "联系部门", *(cell for row in measures for cell in row)]
    assert len(c.measures) > SUMMARY_MEASURES
    assert first_page[3] == ("Normal", s.overview) and f"下表为前 {SUMMARY_MEASURES} 条" in s.overview
    assert tables[1][:4] == ["步骤", "资质或税收优惠", "准备度", "尚缺条件（简要）"]
    assert tables[1][4:] == [cell for r in s.readiness for cell in (str(r.step), r.name, r.status, r.missing)]
    assert ("Normal", "已具备：" + "；".join(s.held)) in first_page
    steps = first_page[-1][1]
    assert first_page[-2] == ("Heading2", "下一步") and steps.startswith("1. 申报：") and "记录：" in steps
    # the details are the sheet as it was: every section, every measure, the signatures last
    detail_headings = [text for kind, text in details if kind in ("new page", "Heading1")]
    assert detail_headings == ["一、企业基本情况", "二、推荐措施", "三、资质培育行动计划", "四、辅导记录"]
    assert [text for kind, text in details if kind == "Heading2"] == [
        f"{m.rank}. 【{m.status_label}】{m.title}" for m in c.measures
    ]
    assert "辅导员（签字）" in details[-3][1]


def test_the_summary_says_what_the_consultation_holds_in_brief(engine, monkeypatch):
    c = consult(engine, parse_profile(PROFILE), as_of=AS_OF)
    m = c.measures[0]
    m.lead_departments, m.other_departments, m.issuer = (
        ["区科经委", "区财政局", "区金融局", "区发改委"],
        ["区商务委"],
        "x",
    )
    assert contact_brief(m) == "区科经委、区财政局、区金融局等"
    m.lead_departments = []
    assert contact_brief(m) == "区商务委"
    m.other_departments = []
    assert contact_brief(m) == "发文单位：x" and "x" in m.contact
    item = consultation.ReadinessItem(
        "科技型中小企业",
        "unknown",
        [
            "请补充资产总额（万元）：资产总额需 ≤ 20000 万元",
            "或：另一条路",
            "未列入经营异常名录（待核实）",
            "未满足的一条，原因很长",
        ],
        gap_states=["unknown", "unknown", "unknown", "not_met"],
    )
    assert gap_brief(item) == "未满足的一条，原因很长；请补充资产总额（万元） 等 3 项"  # not met first, no alternatives
    # a gap not met says what is needed, not the enterprise's own figure alone (a break-it trial)
    item.gaps = ["一类知识产权（发明专利） 3 项，需 ≥ 4 项：还差 1 项"]
    item.gap_states = ["not_met"]
    assert gap_brief(item) == "一类知识产权（发明专利） 3 项，需 ≥ 4 项"
    item.gaps, item.gap_states = ["一" * 40, "科技小巨人企业的申报条件（营业收入、研发投入等门槛）由当年指南规定"], []
    assert gap_brief(item) == "一" * 15 + "…；科技小巨人企业的申报条件…"
    item.gaps = []
    assert gap_brief(item) == "请对照认定条件准备材料"

    monkeypatch.setattr(consultation, "qualifications", _failing_check)
    none = summary(consult(engine, parse_profile({"name": "某公司", "region": "浦东新区"}), as_of=dt.date(2018, 1, 1)))
    assert none.measures == [] and none.readiness is None and "下表" not in none.overview
    assert "暂未找到适用于本企业的措施" in none.overview and none.steps[0].startswith("补充企业信息后可重新匹配")
    assert none.steps[-1].startswith("记录：")
    leads = consult(engine, parse_profile({"name": "金山某化工厂", "region": "金山区"}), as_of=AS_OF, top=None)
    counts = leads.counts()
    s = summary(leads)
    assert f"列出 {len(leads.measures)} 条" in s.overview and len(s.measures) == SUMMARY_MEASURES
    assert any(step.startswith(f"了解：{counts['lead']} 条“可关注”") for step in s.steps)
    assert all(f"{consultation.state_label(k)} {v} 条" in s.overview for k, v in counts.items() if v)
    assert not any(f"{consultation.state_label(k)} 0 条" in s.overview for k in counts)


@pytest.mark.parametrize(
    "name",
    ["上海" + "甲" * 198, "\t甲\x00乙\x0b丙\ud800 ", '<甲&乙>"]]>&amp;', "甲\n乙\r丙\x1f"],
    ids=["200 characters", "control characters", "markup", "line breaks"],
)
def test_a_hostile_name_gives_a_valid_sheet_with_its_name_in_the_header(engine, name):
    c = consult(engine, parse_profile({"name": "某公司", "region": "浦东新区"}), as_of=AS_OF, top=2)
    c.profile = c.profile.model_copy(update={"name": name})
    sheet = consultation_docx(c, AS_OF)
    _xml_parts(sheet)  # every part is well-formed XML
    document = docx.Document(io.BytesIO(sheet))
    assert document.sections[0].header.paragraphs[0].text == shown_name(xml_text(name)).replace("\r", "\n")
    assert document.core_properties.title == f"{xml_text(name)} 政策咨询单"
    whole = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert xml_text(name).replace("\r", "\n") in whole  # 一、企业基本情况 has it whole


def _require_soffice() -> None:
    """LibreOffice lays the sheets out as a person's office program does; .ci/run installs it."""
    if not shutil.which("soffice"):
        unavailable("LibreOffice (soffice) is not installed", "apt-get install libreoffice-writer-nogui")


def test_libreoffice_prints_the_summary_on_page_one_and_numbers_every_page(engine, tmp_path):
    """Laid out by LibreOffice (its PDF): A4 pages, the summary whole on page 1 and the details from page 2, the
    name at the top of every page and 第 X 页 / 共 Y 页 at the bottom, X and Y computed."""
    _require_soffice()
    import pdfplumber

    profiles = {"chip": PROFILE, "machine": {"name": "金山某机械有限公司", "region": "金山区", "industry": "机械",
                "employees": 30, "revenue": 1200, "needs": ["场地空间", "融资贷款"]},
                "huangpu": {**PROFILE, "name": "上海市黄浦区某某国际贸易与供应链管理服务有限公司", "region": "黄浦区"},
                "ended": PROFILE,
                "long": {**PROFILE, "name": "上海某" + "国际科技发展与供应链管理服务" * 10}}  # fmt: skip
    dates = {"ended": dt.date(2026, 11, 22)}  # the district's documents all ended: the summary says so too
    for key, profile in profiles.items():
        c = consult(engine, parse_profile(profile), dates.get(key, AS_OF))
        assert (c.scope is not None) == (key in {"huangpu", "ended"})
        (tmp_path / f"{key}.docx").write_bytes(consultation_docx(c, AS_OF))
    lo = f"-env:UserInstallation=file://{tmp_path / 'lo'}"  # its own profile: no clash with one running
    sheets = [str(tmp_path / f"{key}.docx") for key in profiles]
    command = ["soffice", lo, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), *sheets]
    subprocess.run(command, check=True, capture_output=True, timeout=180)
    for key, profile in profiles.items():
        with pdfplumber.open(tmp_path / f"{key}.pdf") as pdf:
            pages = [page.extract_text().splitlines() for page in pdf.pages]
            assert {(round(p.width), round(p.height)) for p in pdf.pages} == {(595, 842)}  # A4 in points
        assert len(pages) > 2
        for number, lines in enumerate(pages, 1):
            assert lines[0] == shown_name(profile["name"]), lines  # a long name cut: the summary stays on page 1
            assert lines[-1] == f"第 {number} 页 / 共 {len(pages)} 页", lines
        first, second = pages[0], pages[1]
        assert first[1] == "企业政策咨询单" and "咨询要点" in first and "下一步" in first
        assert any(line.startswith("记录：") or ". 记录：" in line for line in first), first  # the summary's end
        assert second[1] == "一、企业基本情况", second[:3]


def test_libreoffice_reads_the_sheet(engine, tmp_path):
    _require_soffice()
    c = consult(engine, parse_profile(PROFILE), as_of=AS_OF)
    sheet = tmp_path / "sheet.docx"
    sheet.write_bytes(consultation_docx(c, AS_OF))
    profile = f"-env:UserInstallation=file://{tmp_path / 'lo'}"  # its own profile: no clash with one running
    command = ["soffice", profile, "--headless", "--convert-to", "txt:Text", "--outdir", str(tmp_path), str(sheet)]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    text = (tmp_path / "sheet.txt").read_text(encoding="utf-8-sig")
    blocks = docx.Document(str(sheet)).iter_inner_content()  # paragraphs, and a table's cells row by row
    read = "\n".join(b.text if isinstance(b, Paragraph) else "\n".join(c.text for c in b._cells) for b in blocks)
    assert [line for line in text.splitlines() if line.strip()] == [line for line in read.splitlines() if line.strip()]
    assert "企业政策咨询单" in text and PROFILE["name"] in text and c.measures[-1].title in text


# --- the Excel summary ------------------------------------------------------------------------


def test_xlsx_has_one_row_per_enterprise_and_measure_and_no_formulas(engine):
    names = ['=HYPERLINK("http://evil.example","点我")', "@SUM(A1:A9)", "+上海某公司", "-某公司"]
    roster = read_roster(
        (
            "企业名称,注册地\n"
            + "\n".join(f'"{n.replace(chr(34), 2 * chr(34))}",浦东新区' for n in names)
            + "\n坏,北京\n"
        ).encode(),
        "r.csv",
    )
    assert len(roster.rows) == 4 and len(roster.bad) == 1
    entries = [(r.row, consult(engine, r.profile, as_of=AS_OF, top=3)) for r in roster.rows]
    book = openpyxl.load_workbook(io.BytesIO(roster_workbook(entries, roster.bad, as_of=AS_OF)))
    assert book.sheetnames == ["措施明细", "企业汇总", "资质准备度", "未导入行", "说明"]
    detail = list(book["措施明细"].iter_rows(min_row=2, values_only=True))
    assert len(detail) == sum(max(len(c.measures), 1) for _, c in entries)
    assert {row[1] for row in detail} == set(names)  # as typed: no stray apostrophe
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    assert all(c.data_type == "s" and c.quotePrefix for c in book["措施明细"]["B"][1:])
    summary = list(book["企业汇总"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in summary] == [2, 3, 4, 5]
    bad = list(book["未导入行"].iter_rows(min_row=2, values_only=True))
    assert bad[0][0] == 6 and bad[0][2].startswith("注册地：")  # the label people read, not region（注册地）
    for ws in book.worksheets:  # prints on A4 landscape, one page wide, the header on every page
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 and ws.page_setup.orientation == "landscape"
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0  # None: OOXML's default, 1
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$1:$1"
        assert ws.auto_filter.ref == (
            f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}" if ws.max_row > 1 else None
        )
    notes = dict(book["说明"].iter_rows(min_row=2, values_only=True))
    assert notes["政策有效性判断日期"] == "2024-06-30"


def test_xlsx_readiness_says_a_held_titles_gaps_are_for_re_recognition(engine):
    """资质准备度 lists the gaps of a title the enterprise holds (for its re-recognition): the cell says so first,
    as the page and the Word sheet do; a title not held lists its gaps alone."""
    profile = parse_profile({"name": "某芯片公司", "region": "浦东新区", "qualifications": ["高新技术企业"]})
    c = consult(engine, profile, as_of=AS_OF, top=3)
    book = openpyxl.load_workbook(io.BytesIO(roster_workbook([(2, c)], [], as_of=AS_OF)))
    rows = {r[2]: r for r in book["资质准备度"].iter_rows(min_row=2, values_only=True)}
    held, other = rows["高新技术企业"], rows["科技型中小企业"]
    assert held[3] == "已持有" and held[4].startswith(consultation.RECHECK + "\n")
    assert held[4].removeprefix(consultation.RECHECK + "\n").strip()  # the gaps follow
    assert other[3] != "已持有" and other[4] and consultation.RECHECK not in other[4]


# --- command line -----------------------------------------------------------------------------


def test_cli_sheet_writes_a_word_file(tmp_path, capsys):
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps(PROFILE, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "sheet.docx"
    assert main(["sheet", str(profile), "-o", str(out), "--as-of", "2024-06-30"]) == 0
    text = _text(docx.Document(str(out)))
    assert PROFILE["name"] in text and "政策有效性判断日期：2024-06-30" in text
    assert "已写入" in capsys.readouterr().out
    profile.write_text(json.dumps({"name": "x", "region": "火星"}), encoding="utf-8")
    assert main(["sheet", str(profile), "-o", str(out)]) == 2
    assert "region" in capsys.readouterr().err


def test_cli_batch_writes_good_rows_and_lists_bad_ones(tmp_path, capsys):
    roster = tmp_path / "名单.csv"
    roster.write_bytes(ROSTER.encode("gbk"))
    out, archive = tmp_path / "out.xlsx", tmp_path / "sheets.zip"
    assert main(["batch", str(roster), "-o", str(out), "--as-of", "2024-06-30", "--zip", str(archive)]) == 0
    captured = capsys.readouterr()
    assert "第 4 行（北京某软件公司）" in captured.err and "第 7 行" in captured.err
    assert "2 家企业" in captured.out
    detail = list(openpyxl.load_workbook(out)["措施明细"].iter_rows(min_row=2, values_only=True))
    assert {r[1] for r in detail} == {"上海某芯微电子有限公司", "金山某机械有限公司"}
    assert len(zipfile.ZipFile(archive).namelist()) == 2


def test_cli_batch_exits_2_when_the_file_cannot_be_read(tmp_path, capsys):
    assert main(["batch", str(tmp_path / "missing.csv"), "-o", str(tmp_path / "o.xlsx")]) == 2
    err = capsys.readouterr().err.strip()
    assert "missing.csv" in err and "不存在" in err and len(err.splitlines()) == 1
    only_bad = tmp_path / "bad.csv"
    only_bad.write_text("企业名称,注册地\n某公司,北京\n", encoding="utf-8")
    assert main(["batch", str(only_bad), "-o", str(tmp_path / "o.xlsx")]) == 2
    assert not (tmp_path / "o.xlsx").exists()


def test_the_action_plan_puts_a_title_before_the_titles_that_ask_for_it(engine):
    """专精特新中小企业 asks for 创新型中小企业 first: the plan numbered it step 1 and 创新型 step 3."""
    zhangjiang = {**PROFILE, "park": "张江科学城"}  # a document in force there unlocks with 专精特新中小企业
    unstated = {k: v for k, v in zhangjiang.items() if k != "qualifications"}  # as rosters often leave it
    for profile in (zhangjiang, unstated):
        c = consult(engine, parse_profile(profile), as_of=dt.date(2026, 11, 22))
        assert "专精特新中小企业" in c.unlocks and "创新型中小企业" not in c.unlocks
        steps = [r.name for r in pending(c)]
        assert sorted(steps) == sorted(r.name for r in c.readiness if r.pending)
        asked = [(r.name, first) for r in c.readiness if r.pending for first in r.requires if first in steps]
        assert ("专精特新中小企业", "创新型中小企业") in asked
        assert all(steps.index(first) < steps.index(name) for name, first in asked)


def test_remembered_cells_are_the_texts_as_cells_hold_them(monkeypatch):
    """``cell_value`` remembers texts (``_TextCells``): met again, or when no more are kept, a text still becomes
    what ``xml_text`` and the cell's limit make of it."""
    from recommender import sheets

    texts = ["申请条件", "", "  ", "a\x0bb\x00c", "\ufffe半\ud800", "长" * (sheets.CELL_MOST + 10), "=1+1", "x\ny"]
    expected = [xml_text(t)[: sheets.CELL_MOST] or None for t in texts]
    assert expected[-3] == "长" * sheets.CELL_MOST and expected[3] == "a b c"
    monkeypatch.setattr(sheets, "_TEXT_CELLS", sheets._TextCells())
    assert [sheets.cell_value(t) for t in texts] == expected  # met first
    assert [sheets.cell_value("".join(list(t))) for t in texts] == expected  # met again, as other objects
    assert set(sheets._TEXT_CELLS.known) == set(texts)
    full = sheets._TextCells()
    full.chars = full.MOST
    monkeypatch.setattr(sheets, "_TEXT_CELLS", full)
    assert [sheets.cell_value(t) for t in texts] == expected and not full.known  # none kept, each still right


def test_a_sheet_listing_the_first_measures_says_of_how_many_and_counts_only_those_listed(engine):
    """16 measures in force, 10 listed: the sheet said "共 10 条（可申请 9 条，需补充条件 0 条，信息不足 0 条…）",
    as if there were none of those (the page showed 2 and 1: a break-it trial)."""
    profile = {"name": "张江某芯片公司", "region": "浦东新区", "park": "张江科学城", "qualifications": ["高新技术企业"]}
    c = consult(engine, parse_profile(profile), as_of=dt.date(2024, 6, 30))
    everything = consult(engine, parse_profile(profile), as_of=dt.date(2024, 6, 30), top=None)
    assert c.in_force == len(everything.measures) > len(c.measures) == 10
    text = _text(docx.Document(io.BytesIO(consultation_docx(c))))
    said = f"在 2024-06-30 有效的相关措施共 {c.in_force} 条，本单按匹配程度列出前 10 条："
    assert text.count(said) == 2  # the summary on page 1 and 二、推荐措施
    assert " 0 条" not in text
