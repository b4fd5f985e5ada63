"""recommender.word_template writes what python-docx writes: the same paragraph, run and table elements for any
text, and the template's other parts unchanged."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from docx.shared import Cm, Mm
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from recommender.safe_output import xml_text
from recommender.word_template import CORE_PART, DOCUMENT_PART, WordTemplate

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
@given(TEXT, TEXT, st.booleans(), st.sampled_from([None, *STYLES[:2]]), st.booleans())
def test_a_paragraph_and_its_runs_are_python_docx_s_for_any_text(first, second, bold, style, center):
    expected = DOCUMENT.add_paragraph(first, style)
    if center:
        expected.alignment = docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER
    run = expected.add_run(second)
    if bold:  # python-docx's False is an explicit w:val="0", its None an empty w:rPr: only True is set
        run.bold = True
    else:
        run.italic = True
    got = BODY.paragraph(first, style, center=center)
    BODY.run(got, second, bold=bold, italic=not bold)
    assert _xml(got) == _xml(expected._p)


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


def test_a_title_over_255_characters_is_refused_as_by_python_docx():
    with pytest.raises(ValueError, match="255"):
        TEMPLATE.docx(TEMPLATE.body(), "长" * 256)
