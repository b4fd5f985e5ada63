"""Task tables (任务分解表 / 事项清单) → rows, whatever page breaks and shifted cells did to them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .clean import clean_line

ITEM_LABEL = re.compile(r"^（(\d+)）")
DEADLINE = re.compile(r"^(\d{1,2}月(底|前|中)?|持续推进|已完成.*|年底|长期|\d{4}年.*)$")
SERVICE = re.compile(r"^[一二三四五六七八九十]+、")
ACTION = re.compile(r"^（[一二三四五六七八九十]+）")
DEPT_NAME = re.compile(r"^(区|各|市|公安|金山|相关)\S*(局|委|办|中心|园区|街镇|镇|会|部门|联|院|部|（金融办）)$|^园区$")
# A line break inside a cell separates two department names after a name's last character,
# and is a mere wrap elsewhere ("相关<br>街镇").
_BR_BETWEEN_NAMES = re.compile(r"(?<=[局委办心会院])<br\s*/?>(?![（(])", re.IGNORECASE)
HEADER_CELLS = {"序号", "专项任务", "工作内容", "责任单位", "三个服务", "相关行动", "改革事项", "具体举措", "时间节点"}


@dataclass
class TableRow:
    """One row of a task table: label as printed, position, text, lines, task, departments, deadline."""

    label: str  # as printed: "（3）", "56*", …
    ordinal: int  # position in the table, 1-based
    text: str
    lines: tuple[int, int]
    task_no: int | None = None
    task: str | None = None
    title: str | None = None
    departments: list[str] = field(default_factory=list)
    deadline: str | None = None
    flags: list[str] = field(default_factory=list)


def split_departments(cell: str) -> list[str]:
    """The department names of a cell, split at 、 ， , and line breaks."""
    parts = re.split(r"[、，,\n]+", cell)
    return [p.strip() for p in parts if p.strip()]


def _is_header(cells: list[str]) -> bool:
    filled = [c for c in cells if c]
    return bool(filled) and all(c in HEADER_CELLS for c in filled)


def parse_tsv(numbered_lines: list[tuple[int, str]]) -> list[TableRow]:
    """Tab-separated task table: 序号 | 专项任务 | 工作内容 | 责任单位 (序号 optional)."""
    rows: list[TableRow] = []
    columns: list[str] | None = None
    task_no: int | None = None
    task: str | None = None
    for lineno, raw in numbered_lines:
        cells = [clean_line(c) for c in raw.rstrip("\n").split("\t")]
        if not any(cells):
            continue
        if _is_header(cells):
            columns = [c for c in cells]
            continue
        if columns is None:
            continue  # the table's title line
        cell = dict(zip(columns, cells + [""] * (len(columns) - len(cells)), strict=False))
        no, name = cell.get("序号", ""), cell.get("专项任务", "")
        content, depts = cell.get("工作内容", ""), cell.get("责任单位", "")
        if not content and not depts:  # a section row: "(一) 实施……", "保障措施"
            continue
        starts_item = bool(ITEM_LABEL.match(content)) or no.isdigit()
        if not starts_item and rows:  # the rest of a cell cut by a page break
            _continue_row(rows[-1], content, name, depts, lineno)
            continue
        if no.isdigit():
            task_no, task = int(no), name
        elif name:
            task, task_no = name, None
        label_match = ITEM_LABEL.match(content)
        label = label_match.group(0) if label_match else "（1）"
        rows.append(
            TableRow(
                label=label,
                ordinal=len(rows) + 1,
                text=content[len(label_match.group(0)) :] if label_match else content,
                lines=(lineno, lineno),
                task_no=task_no,
                task=task,
                departments=split_departments(depts),
            )
        )
    return rows


def _continue_row(prev: TableRow, content: str, name: str, depts: str, lineno: int) -> None:
    """Append to ``prev`` the rest of its cells cut by a page break: its first department name is mended."""
    prev.text += content
    if name:
        prev.task = (prev.task or "") + name
    if depts and prev.departments:
        prev.departments[-1] += depts.split("、", 1)[0]
        prev.departments += split_departments(depts.split("、", 1)[1]) if "、" in depts else []
    prev.lines = (prev.lines[0], lineno)


def _cell_kind(cell: str) -> str:
    if DEADLINE.match(cell):
        return "deadline"
    if SERVICE.match(cell):
        return "service"
    if ACTION.match(cell) and "。" not in cell:
        return "action"
    parts = split_departments(cell)
    if parts and len(cell) <= 60 and "。" not in cell and all(DEPT_NAME.match(p) for p in parts):
        return "departments"
    return "text"


def parse_markdown(numbered_lines: list[tuple[int, str]]) -> list[TableRow]:
    """Markdown table whose merged cells were shifted into wrong columns: classify cells by content."""
    rows: list[TableRow] = []
    title = task = None
    for lineno, raw in numbered_lines:
        line = raw.strip()
        if not line.startswith("|"):
            continue
        cells = [clean_line(_BR_BETWEEN_NAMES.sub("、", c)) for c in line.strip("|").split("|")]
        if _is_header(cells) or all(re.fullmatch(r":?-*:?", c) for c in cells):
            continue
        label = cells[0]
        if not re.fullmatch(r"\d+\*?", label):
            continue  # a footnote row ("注：标*的为……")
        row = TableRow(label=label, ordinal=int(label.rstrip("*")), text="", lines=(lineno, lineno))
        texts, task = _place_cells(row, cells[1:], task)
        if len(texts) >= 2:
            title, texts = texts[0], texts[1:]
        row.text = "".join(t for t in texts if t != title) or (title or "")
        row.title, row.task = title, task
        if label.endswith("*"):
            row.flags.append("上海市首批营商环境创新试点改革举措")
        rows.append(row)
    return rows


def _place_cells(row: TableRow, cells: list[str], task: str | None) -> tuple[list[str], str | None]:
    """Put a row's cells by content: deadline and departments on ``row``.

    Returns the row's distinct text cells in order and the task: its action cell, else ``task``
    (the task of the rows above, as merged cells leave it out).
    """
    texts: list[str] = []
    for cell in cells:
        kind = _cell_kind(cell) if cell else "empty"
        if kind == "deadline":
            row.deadline = cell
        elif kind == "departments":
            row.departments = split_departments(cell)
        elif kind == "action":
            task = cell
        elif kind == "text" and cell not in texts:
            texts.append(cell)
    return texts, task
