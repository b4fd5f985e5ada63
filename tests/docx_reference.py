"""The Word consultation sheet as python-docx built it object by object before issue #16: the reference the
XML writer of ``recommender.sheets`` is checked against, part for part (tests/test_sheets.py). The sheet's
content lives in ``recommender.sheets``; a change of what the sheet shows is made there and here alike (the
one-page summary, the header and the page numbers of issue #17 included: what the summary says comes from
``recommender.sheet_summary``, as the sheet's other text comes from ``recommender.consultation``)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from recommender.clock import today as shanghai_today
from recommender.consultation import (
    EXPIRED,
    LEAD,
    NOT_YET,
    UNREVIEWED_HINT,
    Consultation,
    ReadinessItem,
    profile_rows,
)
from recommender.library_scope import ENDED_SECTION
from recommender.profile import Profile
from recommender.safe_output import xml_text
from recommender.sheet_summary import Summary, ended_lines, listed_counts, pending, summary
from recommender.sheets import (
    LEAD_NOTE,
    NOTE,
    WORD_MEASURE_COLUMNS,
    WORD_READINESS_COLUMNS,
    _a4,
    _header_and_footer,
    _set_fonts,
    _spacing,
    shown_name,
)
from recommender.word_template import shared_widths


def _paragraph(document: Any, text: str = "") -> Any:
    """document.add_paragraph with ``text`` as XML can hold it (a vertical tab pasted from Word is a space)."""
    return document.add_paragraph(xml_text(text))


def _heading(document: Any, text: str, level: int) -> Any:
    """document.add_heading without its style look-up by name, which costs ~10 ms a heading."""
    paragraph = _paragraph(document, text)
    paragraph._p.style = "Title" if level == 0 else f"Heading{level}"
    return paragraph


def _labelled(document: Any, label: str, text: str) -> None:
    p = _paragraph(document)
    p.add_run(f"{label}：").bold = True
    p.add_run(xml_text(text))


def _bullets(document: Any, label: str, items: Sequence[str], mark: str) -> None:
    if not items:
        return
    p = _paragraph(document)
    p.add_run(f"{label}：").bold = True
    for item in items:
        _paragraph(document, f"{mark} {item}")


def _blank_lines(document: Any, label: str, lines: int) -> None:
    p = _paragraph(document)
    p.add_run(f"{label}：").bold = True
    for _ in range(lines):
        _paragraph(document, "_" * 60)


def _grid(document: Any, columns: Sequence[tuple[str, int]], rows: Sequence[Sequence[str]]) -> None:
    """A Table Grid of a bold header row and ``rows``, the columns sharing the width between the margins."""
    from docx.shared import Twips

    section = document.sections[-1]
    block = int(section.page_width - section.left_margin - section.right_margin)
    table = document.add_table(rows=len(rows) + 1, cols=len(columns))
    table.style = "Table Grid"
    for column, width in zip(table.columns, shared_widths(block, [share for _, share in columns]), strict=True):
        column.width = Twips(width)
        for cell in column.cells:
            cell.width = Twips(width)
    cells = [row.cells for row in table.rows]
    for cell, (header, _) in zip(cells[0], columns, strict=True):
        cell.text = header
        cell.paragraphs[0].runs[0].bold = True
    for row, values in zip(cells[1:], rows, strict=True):
        for cell, value in zip(row, values, strict=True):
            cell.text = xml_text(value)


def _summary(document: Any, s: Summary) -> None:
    _heading(document, "咨询要点", 1)
    _paragraph(document, s.overview)
    if s.measures:
        _heading(document, "重点措施", 2)
        _grid(document, WORD_MEASURE_COLUMNS, [(str(m.rank), m.title, m.status, m.contact) for m in s.measures])
    if s.readiness is not None:
        _heading(document, "资质准备", 2)
        if s.held:
            _labelled(document, "已具备", "；".join(s.held))
        if s.readiness:
            _grid(document, WORD_READINESS_COLUMNS, [(str(r.step), r.name, r.status, r.missing) for r in s.readiness])
        else:
            _paragraph(document, "已知的资质认定条件均已满足。")
    _heading(document, "下一步", 2)
    _paragraph(document, "\n".join(f"{i}. {step}" for i, step in enumerate(s.steps, 1)))


def _profile_table(document: Any, profile: Profile) -> None:
    rows = profile_rows(profile)
    half = (len(rows) + 1) // 2
    table = document.add_table(rows=half, cols=4)
    table.style = "Table Grid"
    cells = [row.cells for row in table.rows]  # table.cell() walks the whole table each time
    for i, (label, value) in enumerate(rows):
        row, col = i % half, 2 * (i // half)
        cells[row][col].text = label
        cells[row][col + 1].text = xml_text(value)
        cells[row][col].paragraphs[0].runs[0].bold = True


def _measures(document: Any, c: Consultation) -> None:
    if c.measures:
        _paragraph(document, f"{listed_counts(c)}。")
    else:
        _paragraph(document, f"在 {c.as_of.isoformat()} 有效的政策中，暂未找到适用于本企业的措施。")
    for m in c.measures:
        _heading(document, f"{m.rank}. 【{m.status_label}】{m.title}", 2)
        _labelled(document, "条款原文", m.text)
        if m.flags:
            _labelled(document, "原文说明", "；".join(m.flags))
        if not m.reviewed:
            _labelled(document, "审核状态", UNREVIEWED_HINT)
        _bullets(document, "符合依据", [*m.reasons, *m.explanations], "✓")
        _bullets(document, "尚缺条件", m.gaps, "□")
        if m.unlocks_with:
            _labelled(document, "取得资质后可申请", "、".join(m.unlocks_with))
        _labelled(document, "联系部门", m.contact)
        _labelled(document, "政策出处", m.source)
        _labelled(document, "有效期", m.validity)
        if m.benefits:
            _labelled(document, "支持方式", "、".join(m.benefits))
    if any(m.state == LEAD for m in c.measures):
        _paragraph(document, LEAD_NOTE)
    _out_of_force(document, c)


def _out_of_force(document: Any, c: Consultation) -> None:
    ended = ended_lines(c)
    if ended:
        count = sum(m.state == EXPIRED for m in c.expired)
        lead = f"另有 {count} 条相关措施属{ENDED_SECTION}（在 {c.as_of.isoformat()} 时已过期），未列入："
        _paragraph(document).add_run(lead).bold = True
        for line in ended:
            _paragraph(document, f"○ {line}")
    upcoming = [m for m in c.expired if m.state == NOT_YET]
    if upcoming:
        listed = "；".join(f"{m.title}（{m.source}，有效期 {m.validity}）" for m in upcoming)
        _paragraph(document, f"另有 {len(upcoming)} 条相关措施所在文件尚未生效，未列入，生效后请再核对：{listed}。")


def _action_plan(document: Any, c: Consultation) -> None:
    """The titles already held, the numbered steps toward the pending ones, and what titles unlock."""
    steps = 0
    if c.readiness is not None:
        _held_titles(document, [r for r in c.readiness if not r.pending])
        steps = _pending_steps(document, c)
    if c.unlocks:
        p = _paragraph(document)
        p.add_run("取得下列资质后，可申请更多措施：").bold = True
        for title, measures in c.unlocks.items():
            names = "、".join(m.title for m in measures[:5]) + ("等" if len(measures) > 5 else "")
            _paragraph(document, f"□ {title}：可解锁 {len(measures)} 条措施（{names}）")
    if not steps and not c.unlocks:
        _paragraph(document, "暂无需要培育的资质。" if c.readiness is None else "已知的资质认定条件均已满足。")


def _held_titles(document: Any, ready: list[ReadinessItem]) -> None:
    """The readiness items already met, with the benefits each brings."""
    if not ready:
        return
    _labelled(document, "已具备", "；".join(f"{r.name}：{r.status_label}" for r in ready))
    for r in ready:
        for benefit in r.benefits:
            _paragraph(document, f"✓ {r.name}：{benefit}")


def _pending_steps(document: Any, c: Consultation) -> int:
    """One numbered step per pending readiness item with its gaps; returns the number of steps."""
    items = pending(c)  # titles that would unlock measures first, then other titles, then tax treatments
    for step, item in enumerate(items, 1):
        _heading(document, f"{step}. {item.name}：{item.status_label}", 3)
        if item.summary:
            _paragraph(document, item.summary).runs[0].italic = True
        for gap in item.gaps or ["请对照认定条件准备材料"]:
            _paragraph(document, f"□ {gap}")
        if item.basis or item.source:
            _paragraph(document, f"依据：{item.basis or item.source}")
    return len(items)


def reference_docx(c: Consultation, today: dt.date | None = None) -> bytes:
    """``c``'s sheet as ``sheets.consultation_docx`` writes it, with python-docx object by object."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    today = today or shanghai_today()
    document = Document()
    _a4(document)
    _set_fonts(document)
    _spacing(document)
    _header_and_footer(document)
    document.sections[0].header.paragraphs[0].add_run(shown_name(xml_text(c.profile.name)))
    document.core_properties.title = xml_text(f"{c.profile.name} 政策咨询单")  # ≤ 255: a name has ≤ 200
    document.core_properties.author = "政策北斗"
    _heading(document, "企业政策咨询单", 0).alignment = WD_ALIGN_PARAGRAPH.CENTER
    p = _paragraph(document)
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run(
        f"{shown_name(xml_text(c.profile.name))}\n"
        f"生成日期：{today.isoformat()}　｜　政策有效性判断日期：{c.as_of.isoformat()}"
    )

    _summary(document, summary(c))
    _heading(document, "一、企业基本情况", 1).paragraph_format.page_break_before = True
    _profile_table(document, c.profile)
    _heading(document, "二、推荐措施", 1)
    _measures(document, c)
    _heading(document, "三、资质培育行动计划", 1)
    _action_plan(document, c)
    _heading(document, "四、辅导记录", 1)
    _blank_lines(document, "企业补充情况及诉求", 4)
    _blank_lines(document, "辅导意见及下一步安排", 4)
    table = document.add_table(rows=2, cols=2)
    for row, who in zip(table.rows, ("辅导员（签字）：______________", "企业联系人（签字）：__________"), strict=True):
        row.cells[0].text = who
        row.cells[1].text = "日期：______年____月____日"
    _paragraph(document)
    note = _paragraph(document, f"{NOTE}政策有效性判断日期：{c.as_of.isoformat()}。")
    note.runs[0].italic = True
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
