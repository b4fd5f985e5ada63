"""Uploaded policy documents → plain text lines for the ingest pipeline (clean → segment).

A policy arrives "as people get it": a saved government web page, a Word file, a PDF or a text
copy. ``read_document`` turns its bytes into one line per paragraph (headings such as "一、…",
"（一）…", "1.…" and "第一条 …" on lines of their own) and one line per table row, the row's cells
joined by a tab, which is what ``segment.paragraphs`` and ``tables.parse_tsv`` read. Joining the
lines a PDF wrapped is left to the pipeline. Whatever cannot be read raises ``DocumentReadError``
with one Chinese line naming the file and what to do.
"""

from __future__ import annotations

import codecs
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import pdfplumber
import trafilatura
from docx.oxml.ns import qn
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from lxml import etree

from ..charsets import gb_or_big5
from ..os_reasons import os_reason
from .segment import ARTICLE_LABEL, starts_part

MAX_BYTES = 30 * 1024 * 1024  # bytes; larger uploads are refused before any parsing
MAX_LINES = 20_000  # paragraphs and table rows: a long policy document has a few thousand

FORMATS = {
    ".htm": "html",
    ".html": "html",
    ".shtml": "html",
    ".docx": "docx",
    ".pdf": "pdf",
    ".txt": "text",
    ".md": "text",
    ".markdown": "text",
}
# Extensions refused with advice on what to upload instead: extension → how people call the file.
_SAVE_AS = {
    ".doc": "旧版 Word 文档（.doc）",
    ".dot": "旧版 Word 模板（.dot）",
    ".wps": "WPS 文字文档（.wps）",
    ".wpt": "WPS 文字模板（.wpt）",
    ".rtf": "RTF 文档（.rtf）",
    ".xls": "Excel 表格（.xls）",
    ".xlsx": "Excel 表格（.xlsx）",
    ".et": "WPS 表格（.et）",
    ".ppt": "演示文稿（.ppt）",
    ".pptx": "演示文稿（.pptx）",
    ".dps": "WPS 演示（.dps）",
}
_IMAGES = {".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp"}
_SUPPORTED = "PDF、Word（.docx）、网页（.html/.htm）或文本（.txt/.md）"

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc/.xls/.wps, and password-protected .docx
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HTML_MARKUP = re.compile(r"<(?:!doctype\s+html|html|head|body|meta|title|div|p|table|span|br|h[1-6])\b", re.IGNORECASE)
# Line breaks of any kind; \x0c (form feed) is the page break of text exports.
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# Page numbers a PDF prints in its header or footer: "- 3 -", "—3—", "第 3 页", "共10页", "3/10", "Page 3 of 10";
# a line made of these alone (several may share a line: "- 3 -    第 3 页") is dropped, as is a bare number.
_PAGE_NUMBER = re.compile(
    r"[-—–－~〜]\s*\d{1,4}\s*[-—–－~〜]|第\s*\d+\s*页|共\s*\d+\s*页|\d{1,4}\s*[/／]\s*\d{1,4}"
    r"|page\s*\d+(?:\s*of\s*\d+)?",
    re.IGNORECASE,
)
_PAGE_NUMBER_REST = re.compile(r"[\s\d,，/／|~〜—–－-]*")
_EDGE_SPACE = re.compile(r"^[^\S\t]+|[^\S\t]+$")  # whitespace but tabs, at either end of a line
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


class DocumentReadError(ValueError):
    """One clear Chinese line that names the file and what is wrong."""


@dataclass(frozen=True)
class SourceText:
    """The text of one uploaded document.

    ``name``: the file name as uploaded. ``format``: "html" | "docx" | "pdf" | "text".
    ``lines``: one paragraph or table row per line, a row's cells joined by "\\t" (a row keeps its empty
    cells, so columns stay in place); no line is empty or whitespace only. ``title``: a title the file
    itself carries (HTML <title>/og:title as trafilatura reads them, DOCX core properties), else None.
    """

    name: str
    format: str
    lines: list[str]
    title: str | None


def read_path(path: Path) -> SourceText:
    """The text of the file at ``path``, named by its file name (see ``read_document``).

    DocumentReadError when the file cannot be opened (missing, a folder, no permission), is over
    ``MAX_BYTES`` or cannot be read.
    """
    name = path.name or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise DocumentReadError(_too_large(name, size))
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentReadError(f"{name}: 无法打开文件（{_os_reason(exc)}）") from exc
    return read_document(data, name)


def read_document(data: bytes, name: str) -> SourceText:
    """The text of an uploaded document: ``data`` is the file's bytes, ``name`` its file name.

    The format comes from the extension (.htm/.html/.shtml, .docx, .pdf, .txt/.md/.markdown) and must
    agree with the content (%PDF, a zip holding word/document.xml, HTML markup).

    DocumentReadError, its message naming the file: empty or over ``MAX_BYTES`` (30 MB); an old or
    unsupported format (.doc, .wps, .xls, images, …); content that is not what the extension says;
    text in an unknown encoding; a corrupt or password-protected file; a PDF without a text layer;
    a web page without main text.
    """
    if not data:
        raise DocumentReadError(f"{name}: 文件是空的（0 字节），请重新上传")
    if len(data) > MAX_BYTES:
        raise DocumentReadError(_too_large(name, len(data)))
    fmt = _format_of(name)
    if fmt == "html":
        _expect_not_binary(data, name, "网页")
        lines, title = _read_html(data, name)
    elif fmt == "docx":
        _expect_docx(data, name)
        lines, title = _read_docx(data, name)
    elif fmt == "pdf":
        _expect_pdf(data, name)
        lines, title = _read_pdf(data, name), None
    else:
        _expect_not_binary(data, name, "文本文件")
        lines, title = _tidy(_split(_decode(data, name)), keep_tabs=True), None
    if not lines:
        raise DocumentReadError(f"{name}: 文件里没有可读的文字")
    if len(lines) > MAX_LINES:
        raise DocumentReadError(
            f"{name}: 文件有 {len(lines)} 段，超过 {MAX_LINES} 段上限，不像单份政策文件；请拆分后上传"
        )
    if sum("(cid:" in line for line in lines) > len(lines) // 10:
        raise DocumentReadError(
            f"{name}: 这份 PDF 的文字编码无法识别（可能设置了权限密码或使用了特殊字体），读出的是乱码；"
            "请上传 Word / 网页版本或重新导出的 PDF"
        )
    return SourceText(name=name, format=fmt, lines=lines, title=title)


# --- format and content checks ------------------------------------------------------------------


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "文件不存在"
    if isinstance(exc, IsADirectoryError):
        return "这是一个文件夹"
    if isinstance(exc, PermissionError):
        return "没有读取权限"
    return os_reason(exc)


def _too_large(name: str, size: int) -> str:
    return f"{name}: 文件太大（{size / 1024 / 1024:.1f} MB），上限为 30 MB；请只上传政策文件本身，或拆分后上传"


def _format_of(name: str) -> str:
    """The format for the file's extension, or DocumentReadError with what to upload instead."""
    ext = Path(name).suffix.lower()
    if ext in FORMATS:
        return FORMATS[ext]
    if ext in _SAVE_AS:
        raise DocumentReadError(
            f"{name}: 暂不支持{_SAVE_AS[ext]}；请用 Word 或 WPS 打开后另存为 .docx，或导出为 PDF 后再上传"
        )
    if ext == ".ofd":
        raise DocumentReadError(f"{name}: 暂不支持 OFD 版式文件；请用 OFD 阅读器导出为 PDF，或上传 Word / 网页版本")
    if ext in _IMAGES:
        raise DocumentReadError(f"{name}: 图片无法读取条文；请上传带文字的 PDF，或 Word / 网页版本")
    raise DocumentReadError(f"{name}: 不支持的文件类型（{ext or '没有扩展名'}）；请上传 {_SUPPORTED} 文件")


def _looks_like(data: bytes) -> str | None:
    """What binary content ``data`` holds, in words people know, or None when it is not one we recognise."""
    if data.lstrip().startswith(b"%PDF-"):
        return "PDF"
    if data.startswith(_ZIP_MAGIC):
        return "Word（.docx）文档" if _zip_has_document(data) else "压缩包（zip）或其他 Office 文件"
    if data.startswith(_OLE_MAGIC):
        return "旧版 Office 文件（.doc / .xls / .wps）或加密的 Word 文档"
    return None


def _zip_has_document(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return False


def _seems(data: bytes) -> str:
    """What ``data`` seems to be, as a phrase for an error message ("看起来是网页")."""
    what = _looks_like(data) or ("网页" if _HTML_MARKUP.search(data[:4096].decode("latin-1")) else None)
    return f"看起来是{what}" if what else "无法识别其内容"


def _expect_not_binary(data: bytes, name: str, kind: str) -> None:
    """``data`` is text of some encoding (a web page or a text file), not a PDF, zip or Office file."""
    what = _looks_like(data)
    if what is None and b"\x00" in data[:4096] and not data.startswith(tuple(bom for bom, _, _ in _BOMS)):
        what = "二进制数据"
    if what is not None:
        raise DocumentReadError(f"{name}: 扩展名表明是{kind}，但内容是{what}；请确认扩展名与文件内容一致")


def _expect_pdf(data: bytes, name: str) -> None:
    if b"%PDF-" not in data[:1024]:
        raise DocumentReadError(f"{name}: 扩展名是 .pdf，但内容不是 PDF（{_seems(data)}）；请上传原始的 PDF 文件")


def _expect_docx(data: bytes, name: str) -> None:
    if data.startswith(_OLE_MAGIC):
        raise DocumentReadError(
            f"{name}: 这份文件实际是旧版 Word（.doc）格式，或设置了打开密码；"
            "请用 Word 或 WPS 打开后另存为 .docx（不设密码），或导出为 PDF 后再上传"
        )
    if not data.startswith(_ZIP_MAGIC) or not _zip_has_document(data):
        raise DocumentReadError(
            f"{name}: 扩展名是 .docx，但内容不是 Word 文档（{_seems(data)}）；请上传原始的 .docx 文件"
        )


# --- text: decoding and line hygiene -----------------------------------------------------------


def _declared_charset(data: bytes) -> str | None:
    """The codec an HTML page declares in <meta charset> / http-equiv Content-Type, if Python knows it.

    GB2312 and GBK are read as GB18030, their superset: pages declared GB2312 often hold GBK characters.
    """
    match = _META_CHARSET.search(data[:8192])
    if not match:
        return None
    try:
        codec = codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    if codec in {"gb2312", "gbk"}:
        return "gb18030"
    return None if codec.startswith(("utf-16", "utf-32")) else codec  # a page cannot declare these in itself


def _nearly(data: bytes, codec: str) -> str | None:
    """``data`` decoded by ``codec`` when only a few bytes are broken (at most one in 10 non-ASCII
    characters; each becomes U+FFFD, which the pipeline marks 〔原文缺字〕), else None.
    """
    text = data.decode(codec, errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for c in text if c > "\x7f") - bad
    return text if good >= 10 * bad else None


def _decode(data: bytes, name: str, declared: str | None = None) -> str:
    """Bytes → text: a BOM's encoding; else UTF-8; else the page's declared charset; else GB18030, or Big5 when
    GB18030 reads it garbled (``charsets.gb_or_big5``: a page or text saved on 繁体 Windows).

    UTF-8 is tried before the declaration because a page re-saved as UTF-8 may keep its old one; GBK
    text is practically never valid UTF-8. A few broken bytes in otherwise good UTF-8 or GB18030 are
    tolerated (replaced by U+FFFD). DocumentReadError when no encoding fits.
    """
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                raise DocumentReadError(f"{name}: 文件开头标明是 {label} 编码，但内容无法按此解码") from exc
    candidates = ["utf-8", *([declared] if declared and declared != "utf-8" else [])]
    for codec in candidates:
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            if codec == "utf-8" and (text := _nearly(data, codec)) is not None:
                return text
    if (text := gb_or_big5(data)) is not None:
        return text
    if (text := _nearly(data, "gb18030")) is not None:
        return text
    raise DocumentReadError(f"{name}: 无法识别文字编码（不是 UTF-8，也不是 GBK/GB18030）；请另存为 UTF-8 后再上传")


def _split(text: str) -> list[str]:
    """Text → lines at every kind of line break (\\r\\n, \\r, form feed, U+2028, …)."""
    return _LINE_BREAKS.split(text)


def _drop_invisible(line: str) -> str:
    """``line`` without control characters (but \\t) and format characters (zero-width spaces, BOM, bidi marks)."""
    return "".join(c for c in line if c == "\t" or unicodedata.category(c) not in {"Cc", "Cf"})


def _tidy(lines: Iterable[str], keep_tabs: bool = False) -> list[str]:
    """Lines as the pipeline wants them: invisible characters removed, whitespace stripped at both ends
    (tabs kept when ``keep_tabs``, as they separate table cells), lines left empty dropped.

    Without ``keep_tabs`` a tab inside a paragraph becomes a space: only table rows carry tabs.
    """
    out = []
    for raw in lines:
        line = _drop_invisible(raw)
        if not keep_tabs:
            line = line.replace("\t", " ")
        line = _EDGE_SPACE.sub("", line) if keep_tabs else line.strip()
        if line.strip():
            out.append(line)
    return out


def _row_line(cells: Iterable[str | None]) -> str:
    """A table row as one line: its cells (None → "") joined by a tab, each on one line and stripped."""
    return "\t".join(" ".join(_tidy(_split(cell or ""))) for cell in cells)


def _rows(rows: Iterable[Iterable[str | None]]) -> Iterator[str]:
    """The lines of a table's rows, leaving out rows whose cells are all empty."""
    for cells in rows:
        line = _row_line(cells)
        if line.strip():
            yield line


# --- HTML ----------------------------------------------------------------------------------------

# Elements of trafilatura's output that stand on lines of their own; others (hi, ref, …) are inline.
_HTML_BLOCKS = {"p", "head", "list", "item", "quote", "code", "div", "section", "table", "row", "cell"}


def _read_html(data: bytes, name: str) -> tuple[list[str], str | None]:
    """A web page's main text by trafilatura, recall favoured so that the 文号 line and the closing
    issuer and date lines stay; navigation, breadcrumbs, share bars and footers are dropped.
    """
    text = _decode(data, name, _declared_charset(data))
    if not _HTML_MARKUP.search(text):
        raise DocumentReadError(f"{name}: 扩展名表明是网页，但内容里没有 HTML 标记；文本请以 .txt 上传")
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # lxml refuses a str carrying an encoding declaration
    try:
        document = trafilatura.bare_extraction(
            text,
            favor_recall=True,
            include_tables=True,
            include_comments=False,
            include_images=False,
            include_links=False,
            include_formatting=True,  # bold kept as <hi>: an article's emphasized heading (_break_after_heading)
            with_metadata=True,
        )
    except Exception as exc:  # trafilatura and lxml raise many kinds on broken markup
        raise DocumentReadError(f"{name}: 网页无法解析；请在浏览器中重新保存网页（或另存为 PDF）后再上传") from exc
    body = getattr(document, "body", None)
    lines = _tidy(_split(_html_text(body)), keep_tabs=True) if body is not None else []
    if not lines:
        raise DocumentReadError(f"{name}: 未能从网页中找到正文；请确认保存的是政策全文页面，或改为上传 Word / PDF 版本")
    title = (getattr(document, "title", None) or "").strip() or None
    return lines, title


def _html_text(element: Any) -> str:
    """The text of a trafilatura output element: a block or <lb/> starts a line, a table row is one
    line with its cells joined by tabs (a cell's own lines joined by spaces); tabs in the text become
    spaces, so that only table rows carry tabs.
    """
    parts: list[str] = []

    def visit(el: Any) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _HTML_BLOCKS:
            _break_after_heading(el)
        if tag == "table":
            rows = ([_html_text(cell) for cell in row if cell.tag == "cell"] for row in el if row.tag == "row")
            parts.append("\n" + "\n".join(_rows(rows)) + "\n")
        elif tag:
            block = tag in _HTML_BLOCKS or tag == "lb"
            parts.append("\n" if block else "")
            parts.append((el.text or "").replace("\t", " "))
            for child in el:
                visit(child)
            parts.append("\n" if block else "")
        parts.append((el.tail or "").replace("\t", " "))

    parts.append((element.text or "").replace("\t", " "))
    for child in element:
        visit(child)
    return "".join(parts)


def emphasized_heading(text: str) -> bool:
    """Whether the emphasized words opening a paragraph are an article's heading ("第二条 适用范围", "第二条"),
    to set on a line of their own when the text runs on after them; a whole sentence in bold is not."""
    return bool(ARTICLE_LABEL.match(text.strip())) and not any(c in text for c in "。；！？")


def _break_after_heading(block: Any) -> None:
    """<p><b>第二条 适用范围</b>本办法适用于…</p>: the bold heading ends its line, so that the title is not
    glued to the text ("第二条 适用范围本办法适用于…"); the block's other text is left as it is."""
    if (block.text or "").strip():
        return
    lead: list[Any] = []
    for child in block:
        if child.tag != "hi":
            break
        lead.append(child)
        if (child.tail or "").strip():
            break
    heading = "".join(child.xpath("string()") + (child.tail or "") for child in lead[:-1])
    if lead and (lead[-1].tail or "").strip() and emphasized_heading(heading + lead[-1].xpath("string()")):
        lead[-1].tail = "\n" + lead[-1].tail


# --- DOCX ----------------------------------------------------------------------------------------

_W_P, _W_TBL, _W_SDT, _W_SDT_CONTENT, _W_CUSTOM = (
    qn(t) for t in ("w:p", "w:tbl", "w:sdt", "w:sdtContent", "w:customXml")
)
_W_R, _W_BOLD = qn("w:r"), f"{qn('w:rPr')}/{qn('w:b')}"
# A paragraph's text: text runs, also inside tracked insertions, content controls and fields; not
# deleted or moved-away text, and not text boxes (Word stores those twice, once as a fallback drawing).
_P_TEXT = (
    ".//w:t[not(ancestor::w:txbxContent) and not(ancestor::w:moveFrom)]"
    " | .//w:tab[not(ancestor::w:txbxContent) and not(ancestor::w:pPr)]"
    " | .//w:br[not(ancestor::w:txbxContent)] | .//w:cr[not(ancestor::w:txbxContent)]"
)


def _read_docx(data: bytes, name: str) -> tuple[list[str], str | None]:
    """A Word document's body paragraphs and tables in document order; headers, footers, footnotes,
    comments and text boxes are left out. A paragraph's line breaks start new lines.
    """
    try:
        document = docx.Document(io.BytesIO(data))
        lines = list(_docx_blocks(document.element.body, document))
        title = (document.core_properties.title or "").strip() or None
    except Exception as exc:  # python-docx, zipfile and lxml raise many kinds on a damaged file
        raise DocumentReadError(f"{name}: Word 文件已损坏，无法读取；请用 Word 或 WPS 打开后重新保存再上传") from exc
    return lines, title


def _docx_blocks(container: Any, parent: Any) -> Iterator[str]:
    """Lines of the body (or a content control) in document order: paragraphs' lines and table rows."""
    for child in container.iterchildren():
        if child.tag == _W_P:
            yield from _tidy(_split(_paragraph_text(child)))
        elif child.tag == _W_TBL:
            yield from _rows(_docx_rows(Table(child, parent)))
        elif child.tag == _W_SDT:  # a block content control (cover page, table of contents, form field)
            for content in child.iterchildren(_W_SDT_CONTENT):
                yield from _docx_blocks(content, parent)
        elif child.tag == _W_CUSTOM:  # custom XML markup around paragraphs
            yield from _docx_blocks(child, parent)


def _paragraph_text(p: Any) -> str:
    """The text of a <w:p> element: line breaks as "\\n", tabs as spaces; an article's bold heading that the
    text runs on after ("第二条 适用范围" in bold, then "本办法适用于…") on a line of its own."""
    pieces: list[tuple[str, bool]] = []
    for node in p.xpath(_P_TEXT):
        local = etree.QName(node).localname
        if local == "t":
            pieces.append((node.text or "", _bold(node)))
        else:
            pieces.append(("\n" if local in {"br", "cr"} else " ", False))
    lead = 0
    while lead < len(pieces) and (pieces[lead][1] or not pieces[lead][0].strip()):
        lead += 1
    heading, rest = "".join(t for t, _ in pieces[:lead]), "".join(t for t, _ in pieces[lead:])
    if rest.strip() and emphasized_heading(heading):
        return f"{heading}\n{rest}"
    return heading + rest


def _bold(node: Any) -> bool:
    """Whether a text node's run is bold (<w:b/> without w:val="0"/"false")."""
    run = next(node.iterancestors(_W_R), None)
    bold = run.find(_W_BOLD) if run is not None else None
    return bold is not None and bold.get(qn("w:val"), "true") not in {"0", "false", "off"}


def _docx_rows(table: Table) -> Iterator[list[str]]:
    """Each row's cells as present in the XML: a cell merged across columns once, the lower parts of a
    cell merged down the rows empty (as the pipeline's TSV tables have them); empty cells for grid
    columns a row skips at its start.
    """
    for row in table.rows:
        cells = [""] * row.grid_cols_before
        for tc in row._tr.tc_lst:  # python-docx's row.cells repeats merged cells; the XML has each once
            if tc.vMerge == "continue":
                cells.append("")
            else:
                cells.append(" ".join(_cell_lines(_Cell(tc, table))))
        yield cells


def _cell_lines(cell: _Cell) -> Iterator[str]:
    """A cell's paragraphs' lines, and the rows of tables nested in it."""
    for item in cell.iter_inner_content():
        if isinstance(item, Paragraph):
            yield from _tidy(_split(_paragraph_text(item._p)))
        else:
            yield from (" ".join(cells) for cells in _docx_rows(item))


# --- PDF -----------------------------------------------------------------------------------------


def _read_pdf(data: bytes, name: str) -> list[str]:
    """A PDF's text by pdfplumber, page by page: tables one line a row, the text outside them line by
    line, both in reading order (top to bottom); page-number lines are dropped, and a line that runs to
    the right margin is joined with the next (a wrapped paragraph: "自2025年4月" / "1日起施行").
    """
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if not pdf.pages:
                raise DocumentReadError(f"{name}: PDF 文件没有页面，可能已损坏；请重新导出后再上传")
            lines = _unwrap([line for page in pdf.pages for line in _page_lines(page)])
    except DocumentReadError:
        raise
    except Exception as exc:  # pdfminer raises many kinds on a damaged file; pdfplumber wraps some
        cause = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
        if type(cause).__name__ == "PDFPasswordIncorrect":
            raise DocumentReadError(f"{name}: 这份 PDF 设置了打开密码，无法读取；请上传未加密的版本") from exc
        raise DocumentReadError(f"{name}: PDF 文件已损坏或格式异常，无法读取；请重新导出或下载后再上传") from exc
    if not lines:
        raise DocumentReadError(
            f"{name}: 这份 PDF 没有文字层（可能是扫描件），无法读取条文；请上传带文字的 PDF，或 Word / 网页版本"
        )
    return lines


def _page_lines(page: Any) -> list[tuple[str, bool]]:
    """One page's lines, each with whether it runs on into the next (a text line that reaches the right
    margin and does not end a sentence): each table a block of rows at its top, each text line outside
    the tables at its own top, sorted top to bottom.
    """
    tables = page.find_tables()
    boxes = [table.bbox for table in tables]
    blocks: list[tuple[float, list[tuple[str, bool]]]] = [
        (table.bbox[1], [(row, False) for row in _rows(_pdf_row(row) for row in table.extract())]) for table in tables
    ]
    rest = page.filter(lambda obj: not _inside(obj, boxes)) if boxes else page
    found = []
    for text_line in rest.extract_text_lines(return_chars=False):
        text = _tidy([text_line["text"]])
        if text and not _PAGE_NUMBER_REST.fullmatch(_PAGE_NUMBER.sub("", text[0])):
            found.append((text_line, text[0]))
    right = max((line["x1"] for line, _ in found), default=0.0)
    for line, text in found:
        width = (line["x1"] - line["x0"]) / max(len(text), 1)  # about one character
        runs_on = right - line["x1"] <= 1.5 * width and not text.endswith(_ENDS)
        blocks.append((line["top"], [(text, runs_on)]))
    blocks.sort(key=lambda block: block[0])
    return [line for _, block in blocks for line in block]


_ENDS = tuple("。；！？：:;!?")


def _joined(first: str, second: str) -> str:
    """Two pieces of one wrapped line: directly between Chinese characters, by a space between Latin words."""
    return first + second if _CJK.match(first[-1]) or _CJK.match(second[0]) else f"{first} {second}"


def _unwrap(lines: list[tuple[str, bool]]) -> list[str]:
    """Lines with each wrapped one joined to the next, unless the next starts a numbered part."""
    out: list[str] = []
    runs_on = False
    for text, wraps in lines:
        if out and runs_on and not starts_part(text):
            out[-1] = _joined(out[-1], text)
        else:
            out.append(text)
        runs_on = wraps
    return out


def _inside(obj: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    """Whether the centre of a page object lies in one of the (x0, top, x1, bottom) boxes."""
    if "x0" not in obj or "top" not in obj:
        return False
    x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)


def _pdf_row(cells: list[str | None]) -> list[str]:
    """A PDF table row's cells with the lines a cell wrapped joined: directly between Chinese characters,
    by a space between Latin words.
    """
    out = []
    for cell in cells:
        pieces = _tidy(_split(cell or ""))
        text = pieces[0] if pieces else ""
        for piece in pieces[1:]:
            text = _joined(text, piece)
        out.append(text)
    return out
