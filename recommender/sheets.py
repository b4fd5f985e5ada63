"""The counsellor's papers: a Word consultation sheet per enterprise, a zip of them, an Excel summary.

Everything here takes ``Consultation`` records (recommender.consultation). One sheet is returned as bytes;
the zip (``SheetsZip``) and the Excel summary (``RosterWorkbook``) are written one consultation at a time
into a file, so a roster of any length is never held whole (``sheets_zip`` gives the zip as bytes, for a
few consultations).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import functools
import gc
import io
import itertools
import multiprocessing
import os
import pickle
import re
import sys
import tempfile
import threading
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .clock import today as shanghai_today
from .consultation import (
    EXPIRED,
    LEAD,
    LEAD_HINT,
    NOT_YET,
    UNREVIEWED_HINT,
    Consultation,
    ReadinessItem,
    profile_rows,
)
from .leftovers import remove_stale
from .library_scope import ENDED_SECTION
from .profile import Profile
from .roster import Roster
from .safe_output import xml_text
from .sheet_summary import Summary, ended_lines, listed_counts, pending, summary
from .shortened import shortened
from .stopping import HelperLost, follow_parent, stops_held
from .text_clean import strip_ignorable

if TYPE_CHECKING:
    from .word_template import Body, WordTemplate

FONT = "宋体"
LANGUAGE = "zh-CN"
USED_STYLES = ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "Table Grid", "Header", "Footer")
THEME_FONTS = ("w:asciiTheme", "w:eastAsiaTheme", "w:hAnsiTheme", "w:cstheme")
NOTE = "本咨询单由政策北斗根据公开政策文件自动生成，仅供参考；能否享受以主管部门的解释和当年申报通知为准。"
LEAD_NOTE = "标为【可关注】的是" + LEAD_HINT.removeprefix("可关注的")
SPACE_AFTER_PT = 6  # between paragraphs
# the summary's tables: (header, width share)
WORD_MEASURE_COLUMNS = (("序号", 12), ("措施", 62), ("状态", 26), ("联系部门", 60))
WORD_READINESS_COLUMNS = (("步骤", 12), ("资质或税收优惠", 34), ("准备度", 40), ("尚缺条件（简要）", 74))


# --- Word ------------------------------------------------------------------------------------


def _chinese_font(fonts: Any) -> None:
    """A ``w:rFonts`` in FONT for Chinese and Latin text, without the theme's font attributes, which Word and
    LibreOffice take over a named font."""
    from docx.oxml.ns import qn

    for attr in THEME_FONTS:
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def _set_fonts(document: Any) -> None:
    """Every style in FONT and the document's East-Asian language zh-CN: each style used names FONT, and every
    font setting of the styles part (docDefaults, headings, Title, table styles …) is FONT, not the theme's."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    styles = document.styles
    for name in USED_STYLES:
        styles[name].element.get_or_add_rPr().get_or_add_rFonts()
    for fonts in styles.element.xpath(".//w:rFonts"):
        _chinese_font(fonts)
    [lang] = styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:lang")
    lang.set(qn("w:eastAsia"), LANGUAGE)
    styles["Normal"].font.size = Pt(10.5)
    document.core_properties.language = LANGUAGE


def _spacing(document: Any) -> None:
    """Paragraphs SPACE_AFTER_PT apart by default (python-docx's default template: 10 pt), so that the summary
    has room on its page and the details take fewer pages. Set in the document's defaults, below every style:
    headings, the title and table cells (Table Grid: none) keep their own."""
    from docx.oxml.ns import qn

    [spacing] = document.styles.element.xpath("w:docDefaults/w:pPrDefault/w:pPr/w:spacing")
    spacing.set(qn("w:after"), str(SPACE_AFTER_PT * 20))  # twentieths of a point


def _paragraph(body: Body, text: str = "", style: str | None = None, *, italic: bool = False) -> None:
    """A paragraph of ``text`` as XML can hold it (a vertical tab pasted from Word is a space)."""
    body.paragraph(xml_text(text), style, italic=italic)


def _heading(body: Body, text: str, level: int, *, new_page: bool = False) -> None:
    """A heading: the document's title at level 0, else Heading 1 to 3; at the top of a page if ``new_page``."""
    body.paragraph(xml_text(text), "Title" if level == 0 else f"Heading {level}", new_page=new_page)


def _labelled(body: Body, label: str, text: str) -> None:
    p = body.paragraph()
    body.run(p, f"{label}：", bold=True)
    body.run(p, xml_text(text))


def _bullets(body: Body, label: str, items: Sequence[str], mark: str) -> None:
    if not items:
        return
    body.run(body.paragraph(), f"{label}：", bold=True)
    for item in items:
        _paragraph(body, f"{mark} {item}")


def _blank_lines(body: Body, label: str, lines: int) -> None:
    body.run(body.paragraph(), f"{label}：", bold=True)
    for _ in range(lines):
        _paragraph(body, "_" * 60)


def _grid(body: Body, columns: Sequence[tuple[str, int]], rows: Sequence[Sequence[str]]) -> None:
    """A Table Grid of a bold header row (``columns``: header, width share) and ``rows`` of text."""
    cells = body.table(len(rows) + 1, len(columns), "Table Grid", shares=[share for _, share in columns])
    for cell, (header, _) in zip(cells[0], columns, strict=True):
        body.run(cell, header, bold=True)
    for row, values in zip(cells[1:], rows, strict=True):
        for cell, value in zip(row, values, strict=True):
            body.run(cell, xml_text(value))


def _summary(body: Body, s: Summary) -> None:
    """The first page: the overview, the best measures, the readiness items, the next steps (``sheet_summary``)."""
    _heading(body, "咨询要点", 1)
    _paragraph(body, s.overview)
    if s.measures:
        _heading(body, "重点措施", 2)
        _grid(body, WORD_MEASURE_COLUMNS, [(str(m.rank), m.title, m.status, m.contact) for m in s.measures])
    if s.readiness is not None:
        _heading(body, "资质准备", 2)
        if s.held:
            _labelled(body, "已具备", "；".join(s.held))
        if s.readiness:
            _grid(body, WORD_READINESS_COLUMNS, [(str(r.step), r.name, r.status, r.missing) for r in s.readiness])
        else:
            _paragraph(body, "已知的资质认定条件均已满足。")
    _heading(body, "下一步", 2)
    _paragraph(body, "\n".join(f"{i}. {step}" for i, step in enumerate(s.steps, 1)))  # one paragraph: compact


def _profile_table(body: Body, profile: Profile) -> None:
    rows = profile_rows(profile)
    half = (len(rows) + 1) // 2
    cells = body.table(half, 4, "Table Grid")
    for i, (label, value) in enumerate(rows):
        row, col = i % half, 2 * (i // half)
        body.run(cells[row][col], label, bold=True)
        body.run(cells[row][col + 1], xml_text(value))


def _measures(body: Body, c: Consultation) -> None:
    if c.measures:
        _paragraph(body, f"{listed_counts(c)}。")
    else:
        _paragraph(body, f"在 {c.as_of.isoformat()} 有效的政策中，暂未找到适用于本企业的措施。")
    for m in c.measures:
        _heading(body, f"{m.rank}. 【{m.status_label}】{m.title}", 2)
        _labelled(body, "条款原文", m.text)
        if m.flags:
            _labelled(body, "原文说明", "；".join(m.flags))
        if not m.reviewed:
            _labelled(body, "审核状态", UNREVIEWED_HINT)
        _bullets(body, "符合依据", [*m.reasons, *m.explanations], "✓")
        _bullets(body, "尚缺条件", m.gaps, "□")
        if m.unlocks_with:
            _labelled(body, "取得资质后可申请", "、".join(m.unlocks_with))
        _labelled(body, "联系部门", m.contact)
        _labelled(body, "政策出处", m.source)
        _labelled(body, "有效期", m.validity)
        if m.benefits:
            _labelled(body, "支持方式", "、".join(m.benefits))
    if any(m.state == LEAD for m in c.measures):
        _paragraph(body, LEAD_NOTE)
    _out_of_force(body, c)


def _out_of_force(body: Body, c: Consultation) -> None:
    """The relevant measures not listed: those of ended documents, by document with whom to ask whether they go
    on (``sheet_summary.ended_lines``), and those of documents not yet in force."""
    ended = ended_lines(c)
    if ended:
        count = sum(m.state == EXPIRED for m in c.expired)
        lead = f"另有 {count} 条相关措施属{ENDED_SECTION}（在 {c.as_of.isoformat()} 时已过期），未列入："
        body.run(body.paragraph(), lead, bold=True)
        for line in ended:
            _paragraph(body, f"○ {line}")
    upcoming = [m for m in c.expired if m.state == NOT_YET]
    if upcoming:
        listed = "；".join(f"{m.title}（{m.source}，有效期 {m.validity}）" for m in upcoming)
        _paragraph(body, f"另有 {len(upcoming)} 条相关措施所在文件尚未生效，未列入，生效后请再核对：{listed}。")


def _action_plan(body: Body, c: Consultation) -> None:
    """The titles already held, the numbered steps toward the pending ones, and what titles unlock."""
    steps = 0
    if c.readiness is not None:
        _held_titles(body, [r for r in c.readiness if not r.pending])
        steps = _pending_steps(body, c)
    if c.unlocks:
        body.run(body.paragraph(), "取得下列资质后，可申请更多措施：", bold=True)
        for title, measures in c.unlocks.items():
            names = "、".join(m.title for m in measures[:5]) + ("等" if len(measures) > 5 else "")
            _paragraph(body, f"□ {title}：可解锁 {len(measures)} 条措施（{names}）")
    if not steps and not c.unlocks:
        _paragraph(body, "暂无需要培育的资质。" if c.readiness is None else "已知的资质认定条件均已满足。")


def _held_titles(body: Body, ready: list[ReadinessItem]) -> None:
    """The readiness items already met, with the benefits each brings."""
    if not ready:
        return
    _labelled(body, "已具备", "；".join(f"{r.name}：{r.status_label}" for r in ready))
    for r in ready:
        for benefit in r.benefits:
            _paragraph(body, f"✓ {r.name}：{benefit}")


def _pending_steps(body: Body, c: Consultation) -> int:
    """One numbered step per pending readiness item with its gaps; returns the number of steps."""
    items = pending(c)  # titles that would unlock measures first, then other titles, then tax treatments
    for step, item in enumerate(items, 1):
        _heading(body, f"{step}. {item.name}：{item.status_label}", 3)
        if item.summary:
            _paragraph(body, item.summary, italic=True)
        for gap in item.gaps or ["请对照认定条件准备材料"]:
            _paragraph(body, f"□ {gap}")
        if item.basis or item.source:
            _paragraph(body, f"依据：{item.basis or item.source}")
    return len(items)


def _field(paragraph: Any, instruction: str) -> None:
    """A Word field (``PAGE``, ``NUMPAGES`` …) at the end of a python-docx ``paragraph`` as Word writes one: runs
    of its begin mark, its instruction, a separator, the value shown until Word or LibreOffice computes it
    ("1"), its end mark."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def mark(kind: str) -> None:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        paragraph.add_run()._r.append(element)

    mark("begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    paragraph.add_run()._r.append(code)
    mark("separate")
    paragraph.add_run("1")
    mark("end")


def _header_and_footer(document: Any) -> None:
    """The sheet's header, one centred paragraph for the enterprise's name (written per sheet:
    ``WordTemplate.docx``), and its footer, "第 X 页 / 共 Y 页" centred, X and Y Word's PAGE and NUMPAGES fields."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    section = document.sections[0]
    section.header.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("第 ")
    _field(footer, "PAGE")
    footer.add_run(" 页 / 共 ")
    _field(footer, "NUMPAGES")
    footer.add_run(" 页")


@functools.cache
def _template() -> WordTemplate:
    """The sheets' python-docx template, compiled once a process: A4 (``_a4``), every style in FONT and zh-CN
    (``_set_fonts``), paragraphs SPACE_AFTER_PT apart (``_spacing``), the header and the page numbers
    (``_header_and_footer``), 政策北斗 the author."""
    from docx import Document

    from .word_template import WordTemplate

    document = Document()
    _a4(document)
    _set_fonts(document)
    _spacing(document)
    _header_and_footer(document)
    document.core_properties.author = "政策北斗"
    return WordTemplate(document, USED_STYLES)


def consultation_docx(c: Consultation, today: dt.date | None = None) -> bytes:
    """One enterprise's consultation sheet as a .docx file (python-docx's default template on A4 in FONT, its
    body written by ``word_template.Body``); ``today`` is the date it says it was made (default: Shanghai's).
    Every page has the enterprise's name in its header and "第 X 页 / 共 Y 页" in its footer. The first page is
    the summary (``sheet_summary``); the details begin on the second: 一、企业基本情况, 二、推荐措施 with
    reasons and gaps, 三、资质培育行动计划, 四、辅导记录 with lines to sign."""
    today = today or shanghai_today()
    template = _template()
    body = template.body()
    body.paragraph("企业政策咨询单", "Title", center=True)
    dates = f"生成日期：{today.isoformat()}　｜　政策有效性判断日期：{c.as_of.isoformat()}"
    body.paragraph(  # the name on a line of its own: the dates are never cut at the end of a long one
        f"{shown_name(xml_text(c.profile.name))}\n{dates}",
        center=True,
    )
    _summary(body, summary(c))
    _heading(body, "一、企业基本情况", 1, new_page=True)
    _profile_table(body, c.profile)
    _heading(body, "二、推荐措施", 1)
    _measures(body, c)
    _heading(body, "三、资质培育行动计划", 1)
    _action_plan(body, c)
    _heading(body, "四、辅导记录", 1)
    _blank_lines(body, "企业补充情况及诉求", 4)
    _blank_lines(body, "辅导意见及下一步安排", 4)
    signatures = body.table(2, 2)
    for row, who in zip(signatures, ("辅导员（签字）：______________", "企业联系人（签字）：__________"), strict=True):
        body.run(row[0], who)
        body.run(row[1], "日期：______年____月____日")
    body.paragraph()
    _paragraph(body, f"{NOTE}政策有效性判断日期：{c.as_of.isoformat()}。", italic=True)
    name = xml_text(c.profile.name)
    return template.docx(body, f"{name} 政策咨询单", header=shown_name(name))  # ≤ 255: a name has ≤ 200


NAME_SHOWN = 40  # characters of the name in every page's header and under the title: one line each


def shown_name(name: str) -> str:
    """A name as the header and the first page show it (a name may have 200 characters, which took five lines
    in each and pushed the summary off page 1): its first NAME_SHOWN characters; 一、企业基本情况 has it whole."""
    return shortened(name, NAME_SHOWN)


FILE_NAME_BYTES = 255  # the longest file name ext4 and most Linux file systems take, in UTF-8 bytes (NTFS: 255 UTF-16)
FILE_NAME_CHARS = 60  # of the enterprise's name in a sheet's file name: enough to tell enterprises apart
# no file name holds a path separator or what Windows refuses (: * ? " < > |), and runs of spaces become one _
_NOT_IN_FILE_NAME = re.compile(r'[\\/:*?"<>|\s]+')


def _shown_char(char: str) -> str:
    """``char`` in a file name: itself, or _ for a control, separator, private, unassigned or surrogate one."""
    return "_" if unicodedata.category(char)[0] in "CZ" else char


def file_name_part(text: str, limit: int) -> str:
    """``text`` as part of a file name, at most ``limit`` bytes in UTF-8: invisible characters (format, joiners,
    selectors: ``strip_ignorable``) removed, any other control, separator or unassigned character, path
    separator or character Windows refuses as _ (one _ a run), no _ or . at either end; cut after a whole
    character, then within ``FILE_NAME_CHARS`` characters. "" when nothing is left."""
    shown = "".join(map(_shown_char, strip_ignorable(text)))
    part = _NOT_IN_FILE_NAME.sub("_", shown.replace("_", " ")).strip("_.")[:FILE_NAME_CHARS]
    while len(part.encode()) > limit:
        part = part[:-1]
    return part.rstrip("_.")


def sheet_filename(profile: Profile, number: int | None = None, tag: str = "", digits: int = 3) -> str:
    """A safe file name for an enterprise's sheet, ``[NNN-]name-政策咨询单[tag].docx`` (NNN: ``number`` with at
    least ``digits`` digits, zeros before; ``tag``: what tells two sheets of one number apart, "（3）"): the name
    cleaned and cut by ``file_name_part`` so that the whole is at most ``FILE_NAME_BYTES`` bytes, keeping the
    number, the tag and the suffix ("企业" for a name with no character to show)."""
    prefix = f"{number:0{digits}d}-" if number is not None else ""
    suffix = f"-政策咨询单{tag}.docx"
    name = file_name_part(profile.name, FILE_NAME_BYTES - len(f"{prefix}{suffix}".encode())) or "企业"
    return f"{prefix}{name}{suffix}"


class SheetsZip:
    """A .zip of Word consultation sheets written entry by entry into ``target`` (a path or a binary file open
    for writing), each named by the enterprise's roster row number when given (``012-name-政策咨询单.docx`` for
    row 12: a 辅导员 finds the sheet of a roster line), else by the order added; ``close`` (or leaving a
    ``with``) finishes the file. Only the sheet being written is held in memory."""

    def __init__(self, target: str | Path | IO[bytes], today: dt.date | None = None, last: int = 999) -> None:
        """``last``: the largest number an entry will have (a roster's last row): every number is written with
        as many digits, so that names sort as the roster does (0999 before 1000)."""
        self.today = today or shanghai_today()
        self.digits = max(3, len(str(last)))
        self.count = 0  # sheets written
        self._names: set[str] = set()
        # opened here, not by ZipFile, so that a zip left unfinished (``__exit__`` on an error) can still be closed
        self._file: IO[bytes] | None = open(target, "wb") if isinstance(target, str | Path) else None  # noqa: SIM115
        # a .docx is compressed already: the zip's own deflate gains ~5 %, and as much at level 1 as at 6
        self._archive = zipfile.ZipFile(self._file or target, "w", zipfile.ZIP_DEFLATED, compresslevel=1)

    def add(self, c: Consultation, row: int | None = None) -> None:
        """Write ``c``'s sheet as the next entry, ``NNN-name-政策咨询单.docx`` (NNN: ``row``, else the order)."""
        self.add_sheet(c.profile, consultation_docx(c, self.today), row)

    def add_sheet(self, profile: Profile, docx: bytes, row: int | None = None) -> None:
        """Write a sheet already made (``consultation_docx``) for ``profile`` as the next entry, numbered by its
        roster ``row`` (else by the order added; a number already used gets the order after it: names never
        collide)."""
        self.count += 1
        number = self.count if row is None else row
        name = sheet_filename(profile, number, digits=self.digits)
        if name in self._names:
            name = sheet_filename(profile, number, f"（{self.count}）", self.digits)
        self._names.add(name)
        self._archive.writestr(name, docx)

    def close(self) -> None:
        """Write the zip's directory; the file is complete after this."""
        self._archive.close()
        if self._file is not None:
            self._file.close()

    def __enter__(self) -> SheetsZip:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if kind is None:
            self.close()
            return
        # an error or Ctrl-C: the file is being discarded; a sheet cut off midway leaves the zip unable to write
        # its directory (ValueError), and a full disk fails it (OSError): the first error is the one to report
        try:
            self.close()
        except (ValueError, OSError):
            self._archive.fp = None  # ZipFile.__del__ would close again and print a second traceback
            if self._file is not None:
                with contextlib.suppress(OSError):  # a full disk fails the flush too; the file is discarded
                    self._file.close()


def sheets_zip(consultations: Iterable[Consultation], today: dt.date | None = None) -> bytes:
    """One .docx per enterprise (``SheetsZip``) in a .zip returned as bytes."""
    out = io.BytesIO()
    with SheetsZip(out, today) as archive:
        for c in consultations:
            archive.add(c)
    return out.getvalue()


# --- Excel -----------------------------------------------------------------------------------

SCRATCH = "roster-xlsx-"  # the prefix of RosterWorkbook's folder of temporary files, in the system's temp folder
DETAIL_COLUMNS = [
    ("名单行号", 9),
    ("企业名称", 24),
    ("注册地", 10),
    ("所属行业", 12),
    ("序号", 6),
    ("匹配状态", 11),
    ("措施", 24),
    ("条款原文", 60),
    ("符合依据", 40),
    ("尚缺条件", 40),
    ("取得资质后可申请", 16),
    ("联系部门", 30),
    ("政策文件", 36),
    ("文号", 18),
    ("条目", 30),
    ("有效期", 24),
    ("支持方式", 18),
    ("条款编号", 24),
]
SUMMARY_COLUMNS = [
    ("名单行号", 9),
    ("企业名称", 24),
    ("注册地", 10),
    ("所属行业", 12),
    ("可申请", 8),
    ("需补充条件", 11),
    ("信息不足", 9),
    ("可关注线索", 11),
    ("待审核·自动提取", 15),
    ("已过期或尚未生效未列入", 20),
    ("可培育资质（可解锁措施数）", 30),
    ("资质准备度", 40),
    ("本库收录范围提示", 40),  # a district the library does not cover, or whose documents all ended
]
READINESS_COLUMNS = [
    ("名单行号", 9),
    ("企业名称", 24),
    ("资质或税收优惠", 18),
    ("准备度", 14),  # the headline: 已满足 / 未满足 / 信息不足 / 已持有, "（待核实）" if a value is unchecked
    ("尚缺条件", 70),
    ("依据（适用的规则及起始日期）", 50),
]


A4_MM = (210, 297)  # ISO 216: the paper a Shanghai office prints on (python-docx's default is US Letter)


MARGIN_CM = 2.5  # every side of a sheet's page, as a printed sheet is expected to have


def _a4(document: Any) -> None:
    """Every section on A4 portrait with MARGIN_CM margins on every side."""
    from docx.shared import Cm, Mm

    for section in document.sections:
        section.page_width, section.page_height = Mm(A4_MM[0]), Mm(A4_MM[1])
        section.top_margin = section.bottom_margin = Cm(MARGIN_CM)
        section.left_margin = section.right_margin = Cm(MARGIN_CM)


BAD_COLUMNS = [("名单行号", 9), ("企业名称", 24), ("原因", 90)]
NOTE_COLUMNS = [("项目", 20), ("内容", 90)]
EXCEL_ROWS = 1_048_576  # the rows of a worksheet in Excel and WPS: a longer sheet goes on in a continuation sheet


A4_PAPER = 9  # the paper size code of the OOXML page setup (ECMA-376 §18.3.1.63): A4
CELL_MOST = 32_767  # the characters a cell holds in Excel (its specifications and limits); a longer text is cut
WIDTH_PADDING = 0.7109375  # what the writer adds to a column's width in characters (5 pixels of padding ÷ 7)
# columns that hold numbers only: no quote prefix (every text column has it, see RosterWorkbook)
NUMBER_COLUMNS = frozenset(
    ["名单行号", "序号", "可申请", "需补充条件", "信息不足", "可关注线索", "待审核·自动提取", "已过期或尚未生效未列入"]
)


def _page_setup() -> dict[str, Any]:
    """A sheet that prints as people expect: A4 landscape, one page wide, the header row on every page, with
    the margins the summary always had (inches: 0.75 left and right, 1 top and bottom, header and footer 0.5;
    the writer's own are Excel's narrower 0.7, 0.75 and 0.3)."""
    margins = {"left": 0.75, "right": 0.75, "top": 1, "bottom": 1, "header": 0.5, "footer": 0.5}
    return {"landscape": True, "paper_size": A4_PAPER, "fit_to_pages": (1, 0), "repeat_rows": 0, "margins": margins}


class _TextCells:
    """Texts as cells hold them (``xml_text``, cut to CELL_MOST characters, None when empty), remembered: a
    roster's cells repeat (a clause's text and department for every enterprise shown it, the same gaps for every
    enterprise missing the same facts: ~3,000 distinct texts in ~94,000 cells of 400 enterprises), and looking a
    text up costs a few times less than scanning it. At most MOST characters kept, the texts met first (for the
    process's whole life)."""

    MOST = 4_000_000

    def __init__(self) -> None:
        self.known: dict[str, str | None] = {}
        self.chars = 0

    def add(self, text: str) -> str | None:
        """``text`` as a cell holds it, kept while there is room."""
        cell = xml_text(text)[:CELL_MOST] or None
        if self.chars < self.MOST:
            self.known[text] = cell
            self.chars += len(text)
        return cell


_TEXT_CELLS = _TextCells()
_UNSEEN = object()


def cell_value(value: Any) -> Any:
    """A value as a cell holds it: text through ``xml_text`` and cut to CELL_MOST characters (None when empty;
    ``_TextCells``); an int or float as a number; None as an empty cell. TypeError for any other value (a bool, a
    date …: no column holds one)."""
    if isinstance(value, str):
        cell = _TEXT_CELLS.known.get(value, _UNSEEN)
        return _TEXT_CELLS.add(value) if cell is _UNSEEN else cell
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
        return value
    raise TypeError(f"a cell of {type(value).__name__}: {value!r}")


def pack_rows(rows: list[list[Any]], width: int) -> bytes:
    """``rows`` as a sheet of ``width`` columns keeps them in its temporary file: each value as its cell holds it
    (``cell_value``), a short row padded with empty cells, the rows pickled together. TypeError for a value no
    cell holds."""
    return pickle.dumps(
        [[*map(cell_value, row), *[None] * (width - len(row))] for row in rows], pickle.HIGHEST_PROTOCOL
    )


class _Spool:
    """One sheet's rows, kept in a temporary file from the first to the last (pickled a batch at a time) until
    the workbook is written: memory does not grow with the roster."""

    def __init__(self, path: Path, width: int) -> None:
        self.path = path
        self.width = width  # the sheet's columns
        self.rows = 0
        self._file: IO[bytes] | None = path.open("wb")

    def add(self, rows: list[list[Any]]) -> None:
        """Keep ``rows`` (each a list of cell values) after those added before. TypeError for a value no cell
        holds (``cell_value``), raised here rather than when the workbook is written."""
        self.add_packed(pack_rows(rows, self.width), len(rows))

    def add_packed(self, data: bytes, count: int) -> None:
        """Keep ``count`` rows packed by ``pack_rows`` (to the sheet's width) after those added before."""
        assert self._file is not None, "a spool is read once it is closed"
        try:
            self._file.write(data)
        except OSError as exc:  # named by its file: it is in the temp folder, whatever else is written
            raise OSError(exc.errno, exc.strerror, str(self.path)) from None
        self.rows += count

    def flush(self) -> None:
        """Write out what is buffered."""
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        """Finish writing (a second call does nothing)."""
        file, self._file = self._file, None
        if file is not None:
            file.close()

    def __iter__(self) -> Iterator[list[Any]]:
        self.close()
        return _unpacked(self.path)


def _unpacked(path: Path) -> Iterator[list[Any]]:
    """The rows a spool's file ``path`` holds (``pack_rows``' batches, one after the other), in order."""
    with path.open("rb") as file:
        while True:
            try:
                batch = pickle.load(file)
            except EOFError:
                return
            yield from batch


@dataclass(frozen=True)
class _SheetSpec:
    """A sheet of the roster workbook: its title and columns (header, width in characters)."""

    title: str
    columns: list[tuple[str, int]]


SHEETS = (
    _SheetSpec("措施明细", DETAIL_COLUMNS),
    _SheetSpec("企业汇总", SUMMARY_COLUMNS),
    _SheetSpec("资质准备度", READINESS_COLUMNS),
    _SheetSpec("未导入行", BAD_COLUMNS),
    _SheetSpec("说明", NOTE_COLUMNS),
)

WIDTHS = {spec.title: len(spec.columns) for spec in SHEETS}  # each sheet's columns


@dataclass
class _Part:
    """A worksheet as it is written: its name, columns, records (a dict of header → cell value per row) and
    whether it has rows (then an auto-filter over them)."""

    name: str
    columns: list[tuple[str, int]]
    records: Iterator[dict[str, Any]]
    filtered: bool


def _parts(spec: _SheetSpec, rows: Iterable[list[Any]], count: int) -> list[_Part]:
    """The worksheets ``count`` rows fill: the sheet, then past EXCEL_ROWS rows (the header included) a sheet
    named "title（续 N）" for each further part, each with the same header; a sheet with no row holds the header
    only. ``rows`` are as wide as the sheet (``pack_rows``)."""
    records = _records(spec, rows)  # the header alone when there is no row (``count`` 0)
    per_sheet = EXCEL_ROWS - 1
    parts = []
    for n in range(max(1, -(-count // per_sheet))):
        size = min(per_sheet, count - n * per_sheet)
        chosen = itertools.islice(records, size) if size > 0 else records
        parts.append(_Part(f"{spec.title}（续 {n}）" if n else spec.title, spec.columns, chosen, size > 0))
    return parts


def _records(spec: _SheetSpec, rows: Iterable[list[Any]]) -> Iterator[dict[str, Any]]:
    """``rows`` as the records of ``spec``'s worksheet (header → cell value); the header alone (one empty record)
    when there is none."""
    names = [name for name, _ in spec.columns]
    empty = True
    for row in rows:
        empty = False
        yield dict(zip(names, row, strict=True))
    if empty:
        yield dict.fromkeys(names)


def _received(rows: Connection) -> Iterator[list[Any]]:
    """The rows sent to ``rows`` (``pack_rows`` batches, as bytes) until the empty message that ends them.
    EOFError when the sender is gone without it (the batch stopped)."""
    while data := rows.recv_bytes():
        yield from pickle.loads(data)


class _LiveWriter:
    """The workbook written while its rows still come, by a process of its own, forked: 措施明细 (the first and
    largest sheet) written as its rows arrive, through a pipe, while the roster is matched; the other sheets from
    their temporary files (``_Spool``) once ``finish`` says all is added. The writer holds the interpreter's lock
    as it writes, and its standard error and TMPDIR are set while it does (``_write_workbook``): in a process of
    its own, neither holds up nor hides what the batch prints meanwhile (its progress line).

    ``finish`` and ``add`` raise the writer's OSError (naming ``target`` or the temp folder ``scratch``) once it
    has failed, ``stopping.HelperLost`` when it ended without a word (killed); ``close`` ends it at once, unfinished
    (a stopped batch), removing nothing (the caller owns both)."""

    def __init__(self, sheets: Sequence[tuple[_SheetSpec, bool]], spooled: Sequence[Path], target: Path, scratch: Path):
        """Start writing ``sheets`` (each: its spec, whether it has rows: an auto-filter) into ``target``: the
        first one's rows those ``add`` sends, the others' the files ``spooled`` (``_Spool.path``, read once
        ``finish`` is called)."""
        context = multiprocessing.get_context("fork")
        self.target = target
        received, sender = context.Pipe(duplex=False)
        self._rows: Connection | None = sender
        self._report, report = context.Pipe(duplex=False)
        sources = [_received(received), *map(_unpacked, spooled)]
        parts = [
            _Part(spec.title, spec.columns, _records(spec, rows), has_rows)
            for (spec, has_rows), rows in zip(sheets, sources, strict=True)
        ]
        self._process = context.Process(
            target=_write_live,
            args=(parts, str(target), scratch, report, os.getpid(), [sender, self._report]),
            name="roster-workbook",
            daemon=True,
        )
        with stops_held():  # born with them blocked, as batch workers are (``stopping.follow_parent``)
            self._process.start()
        received.close()  # the writer's ends: its end of file, when it is gone, reaches this process
        report.close()

    def add(self, data: bytes) -> None:
        """Send rows of the first sheet (``pack_rows`` bytes). The writer's OSError when it has failed."""
        assert self._rows is not None, "rows are sent before finish"
        try:
            self._rows.send_bytes(data)
        except OSError:  # a broken pipe: the writer ended, on an error of its own or killed
            self._raise_outcome()  # its OSError, or HelperLost
            raise HelperLost(WRITER) from None  # a workbook written before its rows all came: not to be trusted

    def finish(self) -> None:
        """No more rows: the other sheets are written (their files complete) and the workbook closed; returns when
        it is, raising the writer's OSError when it failed."""
        try:
            assert self._rows is not None, "finish is called once"
            self._rows.send_bytes(b"")
        except OSError:
            pass  # the writer ended already: its outcome says why
        self._raise_outcome()

    def _raise_outcome(self) -> None:
        """Wait for the writer's end: return when it wrote the workbook, raise its OSError when it failed, and
        HelperLost when it ended without a word (killed)."""
        try:
            sent = self._report.recv()
        except EOFError:
            raise HelperLost(WRITER) from None
        finally:
            self.close()
        if sent is not None:
            raise OSError(*sent)

    def close(self) -> None:
        """End the writer at once, finished or not (a second call does nothing): a stopped batch wants nothing of
        it, and it is ended before the file it writes is removed (``RosterWorkbook.streaming``)."""
        if self._rows is not None:
            self._rows.close()
            self._rows = None
        if self._process.is_alive():  # at work, or ending once it has said how it went
            self._process.kill()
        self._process.join()
        self._report.close()


WRITER = "写入 Excel 汇总的进程"  # how the live writer is named when it is lost (``stopping.HelperLost``)


def _write_live(
    parts: list[_Part], target: str, scratch: Path, report: Connection, parent: int, inherited: list[Connection]
) -> None:
    """The live writer's process (``_LiveWriter``): the workbook of ``parts`` into ``target``, then its outcome
    sent to ``report``: None, or the OSError's (errno, message, file). Stops are the batch's to act on (it ends
    this process by closing its pipe), and it ends when the batch (process ``parent``) is gone
    (``stopping.follow_parent``); the loaded corpus is set aside from the cyclic collector, as in workers."""
    follow_parent(parent)
    for end in inherited:  # this process's copies of the batch's ends: the batch's end of file, when it is gone
        end.close()
    gc.freeze()
    outcome: tuple[int, str, str | None] | None = None
    try:
        _write_workbook(parts, target, scratch)
    except OSError as exc:
        outcome = (exc.errno or errno.EIO, exc.strerror or os.strerror(errno.EIO), exc.filename)
    except (EOFError, BrokenPipeError):  # the batch stopped: no one waits for the outcome
        return
    with contextlib.suppress(OSError):
        report.send(outcome)


def _readiness_text(c: Consultation) -> str:
    if c.readiness is None:
        return "（未提供）"
    return "；".join(f"{r.name}：{r.status_label}" for r in c.readiness)


def _who(row: int | None, p: Profile) -> list[Any]:
    """The columns that name an enterprise on every sheet: 名单行号, 企业名称, 注册地, 所属行业."""
    return [row, p.name, p.region, p.industry or ""]


def _detail_rows(row: int | None, c: Consultation) -> list[list[Any]]:
    """The 措施明细 rows of one enterprise: one per measure, or one saying there is none."""
    who = _who(row, c.profile)
    if not c.measures:
        return [[*who, None, "", f"（{c.as_of.isoformat()} 有效的政策中暂无适用措施）"]]
    return [
        [
            *who,
            m.rank,
            m.status_label,
            m.title,
            m.text,
            "\n".join([*m.reasons, *m.explanations]),
            "\n".join(m.gaps),
            "、".join(m.unlocks_with),
            m.contact,
            m.document,
            m.doc_number or "",
            m.locator,
            m.validity,
            "、".join(m.benefits),
            m.clause_id,
        ]
        for m in c.measures
    ]


@dataclass
class WorkbookEntry:
    """One enterprise's rows of the Excel summary, as plain values."""

    detail: list[list[Any]]  # 措施明细, one per measure
    summary: list[Any]  # 企业汇总
    readiness: list[list[Any]]  # 资质准备度, one per title

    def packed(self) -> PackedEntry:
        """The rows as the workbook keeps them (``pack_rows``), made where the rows are made (a worker process), so
        that the process writing the workbook only stores bytes. TypeError for a value no cell holds."""
        sheets = (("措施明细", self.detail), ("企业汇总", [self.summary]), ("资质准备度", self.readiness))
        return PackedEntry(tuple((title, pack_rows(rows, WIDTHS[title]), len(rows)) for title, rows in sheets))


@dataclass(frozen=True)
class PackedEntry:
    """One enterprise's rows of the Excel summary packed per sheet: (sheet title, ``pack_rows`` bytes, rows)."""

    sheets: tuple[tuple[str, bytes, int], ...]


def workbook_entry(row: int | None, c: Consultation) -> WorkbookEntry:
    """``c``'s rows of the Excel summary (``row``: its roster row number, None when it has none); reads every
    listed measure's reasons and gaps."""
    who = _who(row, c.profile)
    unlock_text = "；".join(f"{t}（{len(rs)}）" for t, rs in c.unlocking.items())
    return WorkbookEntry(
        detail=_detail_rows(row, c),
        summary=[*who, *c.counts().values(), len(c.expired_at), unlock_text, _readiness_text(c), c.scope or ""],
        readiness=[
            [row, c.profile.name, r.name, r.status_label, r.gaps_text, r.basis or r.source or ""]
            for r in c.readiness or []
        ],
    )


class RosterWorkbook:
    """The roster's Excel summary, written as the consultations come: each sheet's rows go to a temporary file
    (``_Spool``), so memory does not grow with the roster, and the workbook is written from them on ``save`` by
    rustpy-xlsxwriter (rust_xlsxwriter's writer: the rows of a sheet are streamed, several times faster than
    XlsxWriter, which took most of a batch's time); or, in ``streaming``, 措施明细 as its rows come, by a
    process of its own, and the rest on ``save``. Sheets: 措施明细 (one row per enterprise × measure), 企业汇总
    (one per enterprise), 资质准备度 (one per enterprise × title), 未导入行 (the bad rows) and 说明 (dates,
    counts, notes); each A4 landscape, one page wide, the header row on every page, an auto-filter over its rows.

    No text becomes a formula, a number or a link: text is written as text, and every column that holds text
    has Excel's quote prefix (shown as typed, never evaluated, not even after editing: OWASP, "CSV Injection").
    The temporary files are in a folder of their own, removed once saved; used as a context manager, a workbook
    left unsaved (an error midway) has it removed too."""

    def __init__(self, as_of: dt.date, today: dt.date | None = None) -> None:
        self.as_of = as_of
        self.today = today or shanghai_today()
        self.matched = 0  # enterprises added
        remove_stale(Path(tempfile.gettempdir()), SCRATCH)  # what a killed batch left (~25 KB an enterprise)
        self._scratch = tempfile.TemporaryDirectory(prefix=f"{SCRATCH}{os.getpid()}-")
        self._spools = {
            spec.title: _Spool(self.scratch / f"{k}.pickle", len(spec.columns)) for k, spec in enumerate(SHEETS)
        }
        self._saved = False
        self._live: _LiveWriter | None = None  # the writer at work while enterprises are added (``streaming``)

    @property
    def scratch(self) -> Path:
        """The folder of this workbook's temporary files (inside the system's temp folder, TMPDIR)."""
        return Path(self._scratch.name)

    def __enter__(self) -> RosterWorkbook:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._saved:
            self._discard()

    @contextlib.contextmanager
    def streaming(self, target: Path, roster: Roster, detail_most: int, readiness_most: int) -> Iterator[bool]:
        """Write the workbook into ``target`` while enterprises are added in the block, rather than all on
        ``save`` (which then finishes it, given the same ``target`` and ``roster``): 措施明细 as its rows come, by
        a process of its own (``_LiveWriter``), for a batch whose matching runs in other processes. Yields False,
        and nothing starts, when a sheet might need a continuation sheet (``detail_most``, ``readiness_most``: the
        rows 措施明细 and 资质准备度 may have; ``roster``'s enterprises and bad rows) or this system cannot fork.
        资质准备度 then has its auto-filter even when no enterprise's readiness could be checked (its header only).
        A block left unsaved (an error, a stop) ends the writer at once, before whoever owns ``target`` removes
        it: else the writer finished the workbook after (a complete hidden .part left behind, a break-it trial)."""
        sizes = (detail_most, len(roster.rows), readiness_most, len(roster.bad))
        if max(sizes) >= EXCEL_ROWS or "fork" not in multiprocessing.get_all_start_methods():
            yield False
            return
        spools = [self._spools[spec.title] for spec in SHEETS]
        for spool in spools:
            spool.flush()  # nothing buffered is inherited: the writer reads the files as they are once all is added
        has_rows = (True, True, readiness_most > 0, bool(roster.bad), True)
        sheets = list(zip(SHEETS, has_rows, strict=True))
        self._live = _LiveWriter(sheets, [spool.path for spool in spools[1:]], target, self.scratch)
        try:
            yield True
        finally:
            self._live.close()

    def _discard(self) -> None:
        if self._live is not None:
            self._live.close()  # first: it writes into the temporary folder
        for spool in self._spools.values():
            with contextlib.suppress(OSError):  # a full temp disk fails the flush again: the first error counts
                spool.close()
        self._scratch.cleanup()

    def add(self, row: int | None, c: Consultation) -> None:
        """Write one enterprise's rows (``row``: its roster row number, None when it has none)."""
        self.add_entry(workbook_entry(row, c))

    def add_entry(self, entry: WorkbookEntry | PackedEntry) -> None:
        """Write one enterprise's rows made beforehand (``workbook_entry``, or packed by ``WorkbookEntry.packed``
        possibly in another process). TypeError for a value no cell holds; OSError when the temp folder cannot
        be written."""
        packed = entry.packed() if isinstance(entry, WorkbookEntry) else entry
        for title, data, count in packed.sheets:
            if self._live is not None and title == SHEETS[0].title:
                self._live.add(data)
            else:
                self._spools[title].add_packed(data, count)
        self.matched += 1

    def save(self, target: str | Path | IO[bytes], roster: Roster | None = None) -> None:
        """Write ``roster``'s bad rows, the notes (with the roster's file and how it was read: sheets, columns
        not read, units converted) and the workbook to ``target`` (a path or a binary file); the workbook
        cannot be added to after. OSError when ``target`` or the temp folder cannot be written."""
        bad = roster.bad if roster is not None else []
        bad_rows = [[b.row, b.name or "", "；".join(e.for_people() for e in b.errors)] for b in bad]
        self._spools["未导入行"].add(bad_rows)
        self._spools["说明"].add([list(note) for note in self._notes(len(bad_rows), roster)])
        spools = self._spools
        if self._live is not None:
            assert Path(target) == self._live.target, "a workbook streamed is saved where it is written"
            for spool in spools.values():
                spool.close()
            self._live.finish()
        else:
            parts = [part for spec in SHEETS for part in _parts(spec, spools[spec.title], spools[spec.title].rows)]
            _write_workbook(parts, target, self.scratch)
        self._saved = True
        self._discard()  # the temporary files go at once; on an error, when the block ends (``__exit__``)

    def _notes(self, bad: int, roster: Roster | None) -> list[tuple[str, Any]]:
        read = roster.file_notes() if roster is not None else []
        return [
            ("生成日期", self.today.isoformat()),
            ("政策有效性判断日期", self.as_of.isoformat()),
            *([("企业名单", roster.source)] if roster is not None and roster.source else []),
            *([("名单读取说明", "\n".join(read))] if read else []),
            ("已匹配企业", self.matched),
            ("未导入行", bad),
            (
                "说明",
                "每家企业列出在判断日期有效的措施（按匹配程度排序）；已过期或尚未生效的措施数量见“企业汇总”；"
                "标为【待审核·自动提取】的来自新增文件，条件尚未经人工审核。" + LEAD_NOTE + NOTE,
            ),
        ]


OS_ERROR = re.compile(r"\(os error (\d+)\)|code: (\d+)")  # the system's error in the writer's messages
# what the writer prints itself when it fails (the error is raised too, and said once by whoever catches it): its
# zip's line, and a panic's ("thread '…' panicked at …", "note: run with `RUST_BACKTRACE=1` …")
WRITER_LINES = ("ZipWriter::drop", "thread '", "note: run with")
_WRITING = threading.Lock()  # one workbook written at a time in a process: TMPDIR and stderr are the process's


def _write_workbook(parts: list[_Part], target: str | Path | IO[bytes], scratch: Path) -> None:
    """``write_sheets`` into ``target``: a path the writer opens and writes as it goes (given a Python file, it
    builds the whole zip in memory first: 0.6 GB more at 100k enterprises), or a binary file. The writer's own
    temporary files go in ``scratch`` (it reads TMPDIR as it is, where Python falls back to /tmp when TMPDIR
    is missing or read-only). OSError with the system's errno, naming ``target`` or, for the temporary
    files, ``scratch``; the writer's own messages are kept out of stderr (``_writer_stderr``)."""
    file = str(target) if isinstance(target, str | Path) else target
    with _WRITING, _writer_stderr():
        former = os.environ.get("TMPDIR")
        os.environ["TMPDIR"] = str(scratch)
        try:
            write_sheets(parts, file)
        except BaseException as exc:
            if not _writer_failed(exc):
                raise
            raise _writer_error(exc, target, scratch) from None
        finally:
            if former is None:
                os.environ.pop("TMPDIR")
            else:
                os.environ["TMPDIR"] = former


def _writer_failed(exc: BaseException) -> bool:
    """Whether ``exc`` is the writer's failure: an OSError, its RuntimeError ("Excel write error: …"), or the
    panic of a failed write of its own files (pyo3's PanicException, a BaseException whose class cannot be
    imported before one is raised)."""
    return isinstance(exc, OSError | RuntimeError) or type(exc).__name__ == "PanicException"


def _writer_error(exc: BaseException, target: str | Path | IO[bytes], scratch: Path) -> OSError:
    """The OSError of one of the writer's errors: the system's errno in its message (EIO when none), naming the
    temporary folder ``scratch`` when its own files failed (a panic, "Temporary file error"), else ``target``
    (a file's name, or None). An OSError of a binary file written to is returned as it is."""
    if isinstance(exc, OSError) and exc.errno is not None:
        return exc
    text = str(exc)
    found = OS_ERROR.search(text)
    code = int(found.group(1) or found.group(2)) if found else errno.EIO
    own = not isinstance(exc, OSError | RuntimeError) or "Temporary file" in text
    where = scratch if own else target if isinstance(target, str | Path) else None
    return OSError(code, os.strerror(code), None if where is None else str(where))


@contextlib.contextmanager
def _writer_stderr() -> Iterator[None]:
    """Standard error (file descriptor 2) into a temporary file while the block runs; then what was printed there
    goes to standard error, but for the writer's own WRITER_LINES. Not safe in two threads at once (_WRITING)."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as caught:
        os.dup2(caught.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            caught.seek(0)
            lines = caught.read().decode("utf-8", "replace").splitlines(keepends=True)
            kept = "".join(line for line in lines if not line.startswith(WRITER_LINES))
            if kept:
                sys.stderr.write(kept)


def write_sheets(parts: list[_Part], file: IO[bytes] | str) -> None:
    """A workbook of ``parts``, in order, into ``file`` (a binary file, or a path the writer opens itself): a
    styled header row, the columns' widths, panes frozen
    below the header (and right of column B when there are more than four columns), A4 print setup
    (``_page_setup``), an auto-filter where there are rows; cells wrapped and top-aligned, every column but
    NUMBER_COLUMNS with Excel's quote prefix. OSError as writing ``file`` gives it."""
    from rustpy_xlsxwriter import Format, write_worksheets

    header = Format().set_bold().set_font_color("#FFFFFF").set_background_color("#1F4E9A")
    header = header.set_text_wrap().set_align("vcenter")
    plain = Format().set_text_wrap().set_align("top")
    quoted = Format().set_text_wrap().set_align("top").set_quote_prefix()
    write_worksheets(
        [(p.name, p.records) for p in parts],
        file,
        freeze_panes={p.name: {"row": 1, "col": 2 if len(p.columns) > 4 else 0} for p in parts},
        # the width in characters as the file says it (the writer adds its padding to what it is given)
        column_widths={p.name: [w - WIDTH_PADDING for _, w in p.columns] for p in parts},
        column_formats={p.name: [plain if c in NUMBER_COLUMNS else quoted for c, _ in p.columns] for p in parts},
        header_format={p.name: header for p in parts},
        autofilter={p.name: p.filtered for p in parts},
        page_setup={p.name: _page_setup() for p in parts},
    )
