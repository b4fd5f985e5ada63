"""Many Word documents from one python-docx template, fast: the template saved and compressed once, each
document's body written with lxml in the elements python-docx would write.

python-docx builds a document object by object (every paragraph and run goes through its element classes and
their schema-ordered insertion) and each save serialises and compresses every part again (styles.xml and
stylesWithEffects.xml of its default template are some 780 kB of XML): about 100 ms for a document of a few
hundred paragraphs. ``WordTemplate`` takes a python-docx ``Document`` set up once (styles, fonts, page setup,
core properties), saves it once, and keeps every part but the body (word/document.xml) and the core properties
(docProps/core.xml) as a compressed zip. ``Body`` writes paragraphs, runs and tables into a copy of the
template's body as python-docx's ``add_paragraph``, ``add_run``, ``add_table`` and ``cell.text`` write them
(the same elements and attributes in the same order); ``WordTemplate.docx`` appends that body and the core
properties to a copy of the compressed zip, so a document costs its own XML only. A template whose section has
a header of its own (python-docx's ``section.header``) keeps that part apart too: each document's header is
the template's with a run of the document's own text at its end (an enterprise's name on every page).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

from lxml import etree

DOCUMENT_PART = "word/document.xml"
CORE_PART = "docProps/core.xml"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
EMU_PER_TWIP = 635  # 914400 EMU an inch, 1440 twips an inch (python-docx's Length.twips)


def _w(name: str) -> str:
    """The Clark name of ``w:name``."""
    return f"{{{W}}}{name}"


P, PPR, PSTYLE, PAGE_BREAK_BEFORE, JC, R, RPR, BOLD, ITALIC, T, TAB, BR = map(
    _w, ("p", "pPr", "pStyle", "pageBreakBefore", "jc", "r", "rPr", "b", "i", "t", "tab", "br")
)
TBL, TBLPR, TBLSTYLE, TBLW, TBLLOOK, TBLGRID, GRIDCOL, TR, TC, TCPR, TCW = map(
    _w, ("tbl", "tblPr", "tblStyle", "tblW", "tblLook", "tblGrid", "gridCol", "tr", "tc", "tcPr", "tcW")
)
VAL, TYPE, WIDTH = _w("val"), _w("type"), _w("w")
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
TABLE_LOOK = {  # python-docx's new table: first row and first column emphasised, no vertical banding
    _w(name): value
    for name, value in (
        ("firstColumn", "1"),
        ("firstRow", "1"),
        ("lastColumn", "0"),
        ("lastRow", "0"),
        ("noHBand", "0"),
        ("noVBand", "1"),
        ("val", "04A0"),
    )
}
_BREAKS = re.compile(r"([\t\r\n])")  # a tab is a w:tab, a line feed or carriage return a w:br


def _add_text(r: etree._Element, text: str) -> None:
    """``text`` into run ``r`` as python-docx's ``run.text = text``: a ``w:t`` for each stretch of characters
    (``xml:space="preserve"`` if it starts or ends in white space), a ``w:tab`` for each tab and a ``w:br`` for
    each line feed or carriage return. ValueError from lxml for a character XML cannot hold."""
    for piece in _BREAKS.split(text) if _BREAKS.search(text) else (text,):
        if piece == "\t":
            etree.SubElement(r, TAB)
        elif piece in ("\r", "\n"):
            etree.SubElement(r, BR)
        elif piece:
            t = etree.SubElement(r, T)
            t.text = piece
            if len(piece.strip()) < len(piece):
                t.set(XML_SPACE, "preserve")


def _run(paragraph: etree._Element, text: str, bold: bool, italic: bool) -> etree._Element:
    """A run of ``text`` at the end of ``paragraph`` (see ``Body.run``)."""
    r = etree.SubElement(paragraph, R)
    if bold or italic:
        properties = etree.SubElement(r, RPR)
        if bold:
            etree.SubElement(properties, BOLD)
        if italic:
            etree.SubElement(properties, ITALIC)
    _add_text(r, text)
    return r


def shared_widths(block_width: int, shares: Sequence[int]) -> list[int]:
    """Column widths in twips (whole numbers) that share ``block_width`` (EMU, the width between the margins)
    in proportion to ``shares`` (positive whole numbers; ZeroDivisionError if they add up to 0)."""
    total = sum(shares)
    return [round(block_width * share / total / EMU_PER_TWIP) for share in shares]


class Body:
    """The body of one document of a ``WordTemplate`` (``WordTemplate.body``), written in order: paragraphs and
    tables go after those already written, before the template's page setup (``w:sectPr``), which stays last.
    Styles are named as in Word's style gallery ("Heading 1", "Table Grid"); KeyError for a style not given to
    the template."""

    def __init__(self, document_xml: bytes, style_ids: dict[str, str], block_width: int) -> None:
        self._root = etree.fromstring(document_xml)
        self._body = self._root.find(_w("body"))
        self._section = self._body.find(_w("sectPr"))  # None if the template has none
        self._style_ids = style_ids
        self._block_width = block_width  # EMU between the margins

    def paragraph(
        self,
        text: str = "",
        style: str | None = None,
        *,
        center: bool = False,
        italic: bool = False,
        new_page: bool = False,
    ) -> etree._Element:
        """A new paragraph (``w:p``) of ``text`` in one run (none if ``text`` is empty), in ``style``, centred if
        ``center``, its run in italics if ``italic``, at the top of a new page if ``new_page``: python-docx's
        ``add_paragraph(text, style)`` with ``alignment = CENTER`` and ``paragraph_format.page_break_before =
        True``."""
        p = etree.SubElement(self._body, P)
        if style is not None or center or new_page:
            properties = etree.SubElement(p, PPR)
            if style is not None:
                etree.SubElement(properties, PSTYLE, {VAL: self._style_ids[style]})
            if new_page:
                etree.SubElement(properties, PAGE_BREAK_BEFORE)
            if center:
                etree.SubElement(properties, JC, {VAL: "center"})
        if text:
            self.run(p, text, italic=italic)
        return p

    def run(self, paragraph: etree._Element, text: str, *, bold: bool = False, italic: bool = False) -> etree._Element:
        """A new run (``w:r``) of ``text`` at the end of ``paragraph``, bold and/or italic: python-docx's
        ``paragraph.add_run(text)`` with ``run.bold = True`` and ``run.italic = True`` (an empty ``text`` is an
        empty run, as python-docx's ``cell.text = ""``)."""
        return _run(paragraph, text, bold, italic)

    def table(
        self, rows: int, cols: int, style: str | None = None, shares: Sequence[int] | None = None
    ) -> list[list[etree._Element]]:
        """A new table of ``rows`` × ``cols`` empty cells in ``style``, the width between the margins shared by the
        columns evenly: python-docx's ``add_table(rows, cols, style)``; or in proportion to ``shares`` (one a
        column, ValueError if not ``cols`` of them): that table with ``table.columns[i].width`` and the width of
        each of their cells set to ``Twips(shared_widths(block width, shares)[i])``. Returns each cell's (empty)
        paragraph, row by row, for ``run``: a run written there is python-docx's ``cell.text = text``."""
        if shares is None:
            widths = [str(round((self._block_width // cols) / EMU_PER_TWIP))] * cols
        elif len(shares) == cols:
            widths = [str(w) for w in shared_widths(self._block_width, shares)]
        else:
            raise ValueError(f"{len(shares)} shares for {cols} columns")
        tbl = etree.SubElement(self._body, TBL)
        properties = etree.SubElement(tbl, TBLPR)
        if style is not None:
            etree.SubElement(properties, TBLSTYLE, {VAL: self._style_ids[style]})
        etree.SubElement(properties, TBLW, {TYPE: "auto", WIDTH: "0"})
        etree.SubElement(properties, TBLLOOK, TABLE_LOOK)
        grid = etree.SubElement(tbl, TBLGRID)
        for width in widths:
            etree.SubElement(grid, GRIDCOL, {WIDTH: width})
        cells = []
        for _ in range(rows):
            tr = etree.SubElement(tbl, TR)
            row = []
            for width in widths:
                tc = etree.SubElement(tr, TC)
                etree.SubElement(etree.SubElement(tc, TCPR), TCW, {TYPE: "dxa", WIDTH: width})
                row.append(etree.SubElement(tc, P))
            cells.append(row)
        return cells

    def xml(self) -> bytes:
        """The document part (word/document.xml) as python-docx serialises it, the page setup last."""
        if self._section is not None:
            self._body.append(self._section)  # moved, not copied
        return etree.tostring(self._root, encoding="UTF-8", standalone=True)


class WordTemplate:
    """A python-docx ``Document`` compiled for writing many documents of its styles, page setup and core
    properties (see the module docstring); paragraphs already in its body begin every document. Its last
    section's page width and margins must be set (python-docx's default template has them; TypeError if not):
    tables share the width between the margins. ``styles`` are the names of the styles ``Body`` may use
    (KeyError for one the template lacks). If that section has a default header of its own (python-docx's
    ``section.header`` written to), each document's header is that one with a run of the document's own text
    at the end of its last paragraph (``docx``). Immutable once made: one template serves any number of
    threads."""

    def __init__(self, document: Any, styles: Iterable[str]) -> None:
        section = document.sections[-1]
        self._block_width = int(section.page_width - section.left_margin - section.right_margin)
        self._style_ids = {name: document.styles[name].style_id for name in styles}
        header = section.header
        self._header_part = None if header.is_linked_to_previous else header.part.partname.lstrip("/")
        saved = io.BytesIO()
        document.save(saved)
        with zipfile.ZipFile(saved) as package:
            parts = {info.filename: package.read(info) for info in package.infolist()}
        self._document = parts.pop(DOCUMENT_PART)
        self._core = parts.pop(CORE_PART)
        self._header = parts.pop(self._header_part) if self._header_part else None
        compressed = io.BytesIO()
        with zipfile.ZipFile(compressed, "w", zipfile.ZIP_DEFLATED) as package:  # as python-docx saves
            for name, blob in parts.items():
                package.writestr(name, blob)
        self._parts = compressed.getvalue()

    def body(self) -> Body:
        """An empty body to write a document into."""
        return Body(self._document, self._style_ids, self._block_width)

    def docx(self, body: Body, title: str, header: str = "") -> bytes:
        """The .docx file of ``body`` (``Body.xml``), the core properties the template's with ``title``
        (ValueError over 255 characters, as python-docx), and, if the template has a header, ``header`` as a run
        at the end of the header's last paragraph: python-docx's ``add_run(header)`` there (ValueError from lxml
        for a character XML cannot hold; none for an empty ``header``). The template's other parts come first in
        the zip, copied as compressed once; the core properties, the body and the header follow, compressed as
        python-docx would."""
        from docx.opc.coreprops import CoreProperties
        from docx.oxml.parser import parse_xml

        core = parse_xml(self._core)
        CoreProperties(core).title = title
        out = io.BytesIO(self._parts)
        with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as package:
            package.writestr(CORE_PART, etree.tostring(core, encoding="UTF-8", standalone=True))
            package.writestr(DOCUMENT_PART, body.xml())
            if self._header is not None:
                package.writestr(self._header_part, self._header_xml(header))
        return out.getvalue()

    def _header_xml(self, text: str) -> bytes:
        """The template's header part with a run of ``text`` at the end of its last paragraph."""
        if not text:
            return self._header
        root = etree.fromstring(self._header)
        _run(root.findall(P)[-1], text, False, False)
        return etree.tostring(root, encoding="UTF-8", standalone=True)
