"""recommender.word_template writes what python-docx writes: the same paragraph, run and table elements for any
text, and the template's other parts unchanged."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from docx.shared import Cm, Mm, Twips
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from recommender.safe_output import xml_text
from recommender.word_template import CORE_PART, DOCUMENT_PART, W, WordTemplate, shared_widths

STYLES = ("Title", "Heading 2", "Table Grid")
# text with what python-docx's run.text translates (tab, line feed, carriage return), white space at the ends
# (xml:space="preserve", an ideographic space included) and any other character XML holds
TEXT = st.text(st.sampled_from("\t\n\r 　a甲") | st.characters(), max_size=30).map(xml_text)


def _template() -> tuple[object, WordTemplate]:
    """A python-docx document on a page of its own size (A4 less 2 cm margins) and its compiled template."""
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height, section.left_margin = Mm(210), Mm(297), Cm(2)
    document.core_properties.author = "作者"
    return document, WordTemplate(document, STYLES)


DOCUMENT, TEMPLATE = _template()
BODY = TEMPLATE.body()


def _xml(element: object) -> bytes:
    """The element as exclusive canonical XML: namespaces declared where used, whatever its document."""
    return etree.tostring(element, method="c14n", exclusive=True)


@settings(max_examples=200, deadline=None)
@given(TEXT, TEXT, st.booleans(), st.sampled_from([None, *STYLES[:2]]), st.booleans(), st.booleans())
def test_a_paragraph_and_its_runs_are_python_docx_s_for_any_text(first, second, bold, style, center, new_page):
    expected = DOCUMENT.add_paragraph(first, style)
    if center:
        expected.alignment = docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER
    if new_page:
        expected.paragraph_format.page_break_before = True
    run = expected.add_run(second)
    if bold:  # python-docx's False is an explicit w:val="0", its None an empty w:rPr: only True is set
        run.bold = True
    else:
        run.italic = True
    got = BODY.paragraph(first, style, center=center, new_page=new_page)
    BODY.run(got, second, bold=bold, italic=not bold)
    assert _xml(got) == _xml(expected._p)


def test_a_new_page_paragraph_is_a_page_break_before_it():
    p = BODY.paragraph("第二页", "Heading 2", center=True, new_page=True)
    assert [child.tag.rpartition("}")[2] for child in p.find(f"{{{W}}}pPr")] == ["pStyle", "pageBreakBefore", "jc"]
    assert BODY.paragraph("同一页").find(f"{{{W}}}pPr") is None


def test_an_italic_paragraph_is_python_docx_s():
    expected = DOCUMENT.add_paragraph(" 斜体\t文字\n")
    expected.runs[0].italic = True
    assert _xml(BODY.paragraph(" 斜体\t文字\n", italic=True)) == _xml(expected._p)
    assert (
        _xml(BODY.paragraph("", italic=True))
        == _xml(DOCUMENT.add_paragraph()._p)
        == b"<w:p " + (b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"></w:p>')
    )


@pytest.mark.parametrize(("rows", "cols", "style"), [(3, 4, "Table Grid"), (2, 2, None), (1, 3, None)])
def test_a_table_and_its_cell_text_are_python_docx_s(rows, cols, style):
    expected = DOCUMENT.add_table(rows, cols, style)
    cells = BODY.table(rows, cols, style)
    for i in range(rows * cols - 1):  # the last cell left as made
        row, col = divmod(i, cols)
        expected.cell(row, col).text = f"格{i}" if i % 3 else ""
        if i % 2 == 0:
            expected.cell(row, col).paragraphs[0].runs[0].bold = True
        BODY.run(cells[row][col], f"格{i}" if i % 3 else "", bold=i % 2 == 0)
    assert [len(r) for r in cells] == [cols] * rows
    assert _xml(cells[0][0].getparent().getparent().getparent()) == _xml(expected._tbl)


@pytest.mark.parametrize("shares", [(12, 50, 24, 74), (1, 1, 1, 1), (1, 3, 2, 7)])
def test_a_table_of_unequal_columns_is_python_docx_s_with_its_widths_set(shares):
    expected = DOCUMENT.add_table(2, 4, "Table Grid")
    section = DOCUMENT.sections[-1]
    block = int(section.page_width - section.left_margin - section.right_margin)  # EMU
    widths = shared_widths(block, shares)
    for column, width in zip(expected.columns, widths, strict=True):
        column.width = Twips(width)
        for cell in column.cells:
            cell.width = Twips(width)
    expected.cell(1, 2).text = "格"
    cells = BODY.table(2, 4, "Table Grid", shares=shares)
    BODY.run(cells[1][2], "格")
    assert _xml(cells[0][0].getparent().getparent().getparent()) == _xml(expected._tbl)
    # the widths fill the width between the margins, each in its share
    assert abs(sum(widths) - block / 635) <= len(shares)
    assert all(abs(w / sum(widths) - share / sum(shares)) < 1e-3 for w, share in zip(widths, shares, strict=True))


def test_a_table_needs_a_share_for_each_column():
    with pytest.raises(ValueError, match="3 shares for 4 columns"):
        BODY.table(1, 4, shares=(1, 2, 3))


def test_an_unknown_style_is_a_key_error():
    with pytest.raises(KeyError):
        BODY.paragraph("x", "Heading 9")
    with pytest.raises(KeyError):
        WordTemplate(docx.Document(), ["No Such Style"])


def test_the_document_is_the_template_with_its_body_and_title():
    document, template = _template()
    body = template.body()
    body.paragraph("第一段", "Title")
    cells = body.table(1, 2)
    body.run(cells[0][1], "格")
    body.paragraph("末段")
    written = template.docx(body, "标题")
    with zipfile.ZipFile(io.BytesIO(written)) as package:
        assert package.testzip() is None
        parts = {info.filename: package.read(info) for info in package.infolist()}
    assert package.namelist()[0] == "[Content_Types].xml"

    document.core_properties.title = "标题"
    document.add_paragraph("第一段", "Title")
    document.add_table(1, 2).cell(0, 1).text = "格"
    document.add_paragraph("末段")
    saved = io.BytesIO()
    document.save(saved)
    with zipfile.ZipFile(saved) as package:
        expected = {info.filename: package.read(info) for info in package.infolist()}
    assert parts == expected  # every part byte for byte, the page setup (w:sectPr) still last in the body
    assert DOCUMENT_PART in parts and CORE_PART in parts

    opened = docx.Document(io.BytesIO(written))
    assert [p.text for p in opened.paragraphs] == ["第一段", "末段"] and opened.tables[0].cell(0, 1).text == "格"
    assert opened.core_properties.title == "标题" and opened.core_properties.author == "作者"
    assert round(opened.sections[0].page_width.mm) == 210


def _header_template() -> tuple[object, WordTemplate]:
    """A document with a centred header paragraph of its own and its compiled template."""
    document = docx.Document()
    document.sections[0].header.paragraphs[0].alignment = docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER
    document.sections[0].footer.paragraphs[0].text = "页脚"
    return document, WordTemplate(document, STYLES)


@pytest.mark.parametrize("header", ["上海某芯微电子有限公司", " 甲\t乙\n丙 ", "长" * 200])
def test_each_document_s_header_is_the_template_s_with_its_own_text(header):
    document, template = _header_template()
    written = template.docx(template.body(), "标题", header=header)
    document.core_properties.title = "标题"
    document.sections[0].header.paragraphs[0].add_run(header)
    saved = io.BytesIO()
    document.save(saved)
    assert _package(written) == _package(saved.getvalue())  # the header part, the footer and all the rest
    opened = docx.Document(io.BytesIO(written))
    assert opened.sections[0].header.paragraphs[0].text == header.replace("\n", "\n")
    assert opened.sections[0].footer.paragraphs[0].text == "页脚"


def test_documents_of_one_template_keep_their_own_headers_and_an_empty_one_is_the_template_s():
    document, template = _header_template()
    first, second = (template.docx(template.body(), "t", header=name) for name in ("甲公司", "乙公司"))
    names = [docx.Document(io.BytesIO(d)).sections[0].header.paragraphs[0].text for d in (first, second)]
    assert names == ["甲公司", "乙公司"]
    saved = io.BytesIO()
    document.save(saved)
    [part] = [name for name in _package(first) if name.startswith("word/header")]
    assert _package(template.docx(template.body(), "t"))[part] == _package(saved.getvalue())[part]
    with pytest.raises(ValueError):
        template.docx(template.body(), "t", header="甲\x00乙")  # what XML cannot hold: sheets pass xml_text


def test_without_a_header_of_its_own_the_template_writes_none():
    written = TEMPLATE.docx(TEMPLATE.body(), "t", header="甲公司")
    assert not [name for name in _package(written) if name.startswith("word/header")]


def _package(written: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(written)) as package:
        assert package.testzip() is None
        return {info.filename: package.read(info) for info in package.infolist()}


def test_a_title_over_255_characters_is_refused_as_by_python_docx():
    with pytest.raises(ValueError, match="255"):
        TEMPLATE.docx(TEMPLATE.body(), "长" * 256)
