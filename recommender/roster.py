"""Rosters (CSV in UTF-8 or GBK, XLSX or old XLS) → good profiles + bad rows with the Chinese reason.

Columns are the profile's field names (../shared/spec/profile.md) or their Chinese labels
(企业名称、注册地、所属行业、职工总数 …). Money is read in 万元; a unit in the header ("营业收入（元）")
or in the cell ("1850万", "3.5亿") converts to 万元, and each column converted is reported.
The header is the first of the top rows that names 企业名称 and 注册地 (a title or notes may stand above
it); row numbers are those the spreadsheet shows. Reading the file itself is ``spreadsheet``'s.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from . import spreadsheet
from .company import name_key
from .json_text import RepeatedKey, fault, strict_loads
from .limits import LIMITS, size_text
from .os_reasons import os_reason
from .places import park_elsewhere
from .profile import LABELS, MONEY_FIELDS, FieldError, Profile, ProfileError, parse_profile
from .profile_fields import SPEC_FIELDS, field_kind, is_ratio
from .quantities import MONEY_UNITS, Quantity, QuantityError, number_text, read_money
from .spreadsheet import HEADER_WITHIN, Cell, SpreadsheetError, Uncalculated, blank
from .text_clean import echo, strip_invisible

FIELDS = list(Profile.model_fields)
Progress = Callable[[int, int], None]  # (rows read, rows in all): called as the rows are read

# Chinese headers seen in real rosters, beside the labels of profile.LABELS.
_HEADER_WORDS: dict[str, str] = {
    "企业名称": "name",
    "名称": "name",
    "公司名称": "name",
    "单位名称": "name",
    "注册地": "region",
    "注册区": "region",
    "所在区": "region",
    "区": "region",
    "所在园区": "park",
    "所属园区": "park",
    "园区": "park",
    "所属行业": "industry",
    "行业": "industry",
    "发展阶段": "stage",
    "阶段": "stage",
    "成立日期": "founded",
    "成立时间": "founded",
    "注册日期": "founded",
    "职工总数": "employees",
    "职工人数": "employees",
    "员工人数": "employees",
    "从业人数": "employees",
    "科技人员": "rd_staff",
    "研发人员": "rd_staff",
    "科技人员数": "rd_staff",
    "研发人员数": "rd_staff",
    "科技/研发人员": "rd_staff",
    "营业收入": "revenue",
    "营收": "revenue",
    "研发费用": "rd_expense",
    "研发投入": "rd_expense",
    "高新技术产品收入": "high_tech_revenue",
    "高新技术产品（服务）收入": "high_tech_revenue",
    "高新收入": "high_tech_revenue",
    "资产总额": "total_assets",
    "总资产": "total_assets",
    "有效发明专利": "invention_patents",
    "发明专利": "invention_patents",
    "发明专利数": "invention_patents",
    "其他知识产权": "other_ip",
    "已有资质": "qualifications",
    "已获资质": "qualifications",
    "已获得资质": "qualifications",
    "企业资质": "qualifications",
    "资质": "qualifications",
    "资质取得日期": "qualification_dates",
    "外资企业": "foreign_invested",
    "是否外资": "foreign_invested",
    "诉求": "needs",
    "需求": "needs",
    "企业描述": "description",
    "描述": "description",
    "主营业务": "description",
    "统一社会信用代码": "credit_code",
    "信用代码": "credit_code",
    "社会信用代码": "credit_code",
}
# a unit after the name: "营业收入（元）", "(万元)", "[元]", "【万元】", "/元", "（单位：万元）"
_UNIT = re.compile(r"(?:[（(\[【]([^（）()\[\]【】]*)[）)\]】]|/([^/]+))$")
OTHER_NAME = re.compile(r"英文|外文|english|曾用名|原名|旧名|简称|别名", re.IGNORECASE)  # a bracket naming another name
_YEAR = re.compile(r"^(?:\d{4}年度?|上年度?|本年度?)")  # "2023年营业收入": the year a figure is for
# what starts a totals or signature line under a roster's enterprises
FOOTER = re.compile(
    r"(?:合计|总计|小计|填表人|填报人|制表人|审核人|负责人|联系人|填表日期|填报日期|制表日期|注:|备注:|说明:)"
)
_FULL_YEAR = re.compile(r"^(\d{4})年")  # a header naming the year its figure is for
PREVIOUS_YEAR = {"revenue": "revenue_prev", "rd_expense": "rd_expense_prev"}  # a figure → the year before's
_SPLIT = re.compile(r"[、,，;；\n]+")
# A number in a date column is read as an Excel serial date when it falls in 1906–2099: above any year
# typed alone (≤ 2100) and below yyyymm or yyyymmdd written as a number, which stay errors for the model.
_SERIALS = (2193, 73051)  # 1906-01-01 and 2100-01-01 in Excel's 1900 date system
_REQUIRED = ("name", "region")
_REQUIRED_LABELS = "、".join(LABELS[f] for f in _REQUIRED)  # 企业名称、注册地


class RosterError(ValueError):
    """The file as a whole cannot be read (encoding, format, missing columns): one line."""


@dataclass
class BadRow:
    """A row that cannot be used: its spreadsheet row number, the name it gives (if any), what is wrong."""

    row: int
    name: str | None
    errors: list[FieldError]

    @property
    def messages(self) -> list[str]:
        """The Chinese lines, each field named by its label as the roster's header does ("注册地：必填")."""
        return [str(e) for e in self.errors]

    def __str__(self) -> str:
        """The row as the command line, the Excel 未导入行 sheet and the pages say it: "第 3 行（甲）：注册地：…"."""
        return self._line(self.messages)

    def for_people(self) -> str:
        """The same as ``str()`` (kept for the pages' callers)."""
        return str(self)

    def _line(self, errors: list[str]) -> str:
        who = f"（{self.name}）" if self.name else ""
        return f"第 {self.row} 行{who}：" + "；".join(errors)


@dataclass
class GoodRow:
    """A roster row read: its row number as the spreadsheet shows it, its profile, and the conversions
    applied to reach it ("营业收入（元） 18,500,000.00 元 → 1,850 万元")."""

    row: int
    profile: Profile
    notes: list[str] = field(default_factory=list)


@dataclass
class Roster:
    """A roster read: the good rows, the bad rows and the columns it did not read."""

    rows: list[GoodRow] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    conversions: list[str] = field(default_factory=list)  # money read in another unit, once per column
    notices: list[str] = field(default_factory=list)  # about the file as a whole: the sheet read, …
    header_row: int | None = None  # the spreadsheet row of the header (1 = top); None for saved profiles (JSON)
    source: str | None = None  # the file's name, as uploaded or given
    unknown_marks: dict[str, set[str]] = field(default_factory=dict)  # header → the "not known" marks read blank

    def file_notes(self) -> list[str]:
        """What a person should know about how the file as a whole was read, one Chinese line each: the
        sheet read (and those not read), the columns not read, the unit conversions per column."""
        notes = list(self.notices)
        for header, marks in self.unknown_marks.items():
            written = "、".join(f"“{m}”" for m in sorted(marks))
            notes.append(f"“{header}”列中的{written}按未填写读取（视为未知，不当作 0 或“否”）")
        if self.ignored_columns:
            notes.append(f"未读取的列：{'、'.join(self.ignored_columns)}（表头不是档案字段名或中文名）")
        notes += [f"单位换算：{c}" for c in self.conversions]
        return notes

    @property
    def last_row(self) -> int:
        """The largest row number of a good row (0 when there is none): how many digits a row number needs."""
        return max((r.row for r in self.rows), default=0)

    @property
    def profiles(self) -> list[Profile]:
        """The profiles of the good rows, in row order."""
        return [r.profile for r in self.rows]


def _header_key(header: str) -> str:
    """A header as compared: no spaces or invisible characters, NFKC ((（）→ ()), simplified characters."""
    from .ingest.clean import t2s

    text = unicodedata.normalize("NFKC", strip_invisible(str(header)))
    return t2s(re.sub(r"\s", "", text))


@cache
def _header_names() -> tuple[dict[str, str], dict[str, str]]:
    """({label as compared: field}, {header word as compared: field}), made once."""
    labels = {_header_key(label): name for name, label in LABELS.items() if name in FIELDS}
    return labels, {_header_key(word): name for word, name in _HEADER_WORDS.items()}


HEADER_CHARS = 100  # a column header is a few words


def column_field(header: str) -> str | None:
    """The profile field a header names, or None: its field name or Chinese label as the template writes
    it, in any bracket style, traditional characters, with a unit ("营业收入（元）", "营业收入/元") or the
    year the figure is for ("2023年营业收入") around it. A text longer than HEADER_CHARS is no header (and is not
    cleaned: converting megabytes of text to simplified characters takes minutes)."""
    if len(header) > HEADER_CHARS:
        return None
    key = _header_key(header)
    if key.lower() in FIELDS:
        return key.lower()
    labels, words = _header_names()
    bracket = _UNIT.search(key)
    if bracket and OTHER_NAME.search(bracket.group(1) or bracket.group(2)):
        return None  # "企业名称（英文）", "企业名称（曾用名）": another column than the name, not a unit of it
    bare = _UNIT.sub("", key)
    for candidate in dict.fromkeys((key, bare, _YEAR.sub("", key), _YEAR.sub("", bare))):
        if candidate in labels:
            return labels[candidate]
        if candidate in words:
            return words[candidate]
    return None


# --- cells → profile values ------------------------------------------------------------------


def _number(value: Any, integer: bool) -> Any:
    """A number cell for the profile model: text is passed on (the model reads "1,850", "八十五", "3%"
    through ``quantities``), a whole float of an integer field becomes an int."""
    if isinstance(value, str):
        return value.strip()
    if integer and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _date(value: Any) -> Any:
    """A datetime as its date; a number in the range of _SERIALS as the Excel serial date it is (a date cell
    in a format no reader knows); anything else as it is, for the profile model to accept or name."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and _SERIALS[0] <= value < _SERIALS[1]:
        from openpyxl.utils.datetime import from_excel  # openpyxl loads in 0.4 s: only when a serial is met

        value = from_excel(value)
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def cell_value(name: str, value: Any) -> Any:
    """A cell converted to what the profile model reads for ``name``."""
    kind = field_kind(name)
    if kind in ("int", "float"):
        return _number(value, kind == "int")
    if kind == "list":
        return [v.strip() for v in _SPLIT.split(str(value)) if v.strip()]
    if kind == "bool":
        return value  # 是/否 and their kin are read by the profile model (``profile.yes_no``)
    if kind == "date":
        return _date(value)
    if kind == "dict":
        return _date(value)  # title:date pairs are read by the profile model (``profile.title_dates``)
    if name == "credit_code" and isinstance(value, (int, float)):
        return value  # a code Excel stored as a number has lost digits: the profile model says so
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# --- the roster ------------------------------------------------------------------------------


def header_unit(header: str, name: str) -> str | None:
    """The money unit a header states for a 万元 field ("营业收入（元）" → "元", "（万）" → "万元"); None when
    it states none. RosterError naming the column for a unit that is not one of ``quantities.MONEY_UNITS``."""
    if name not in MONEY_FIELDS:
        return None
    found = _UNIT.search(_header_key(header))
    if found is None:
        return None
    unit = (found.group(1) or found.group(2) or "").removeprefix("单位:").removeprefix("单位")
    unit = unit if unit.endswith("元") else f"{unit}元"  # "（万）" is 万元
    if unit not in MONEY_UNITS:
        raise RosterError(f"表头“{header.strip()}”的单位“{unit}”无法识别：金额请用元、千元、万元、百万元或亿元")
    return unit


def _columns(header: list[Any]) -> tuple[dict[int, str], list[str], list[str]]:
    """The header's columns: {column index: profile field}, the headers not read, and notes on how dated
    headers were read (``_dated``). RosterError naming the headers when two give one field, or when a
    required field has no column."""
    columns: dict[int, str] = {}
    ignored: list[str] = []
    seen: dict[str, str] = {}
    dated: dict[str, list[tuple[int, int, str]]] = {}  # field → (year, column, header) of "2023年营业收入" …
    for i, cell in enumerate(header):
        if blank(cell):
            continue
        text = str(cell).strip()
        name = column_field(text)
        if name is None:
            ignored.append(text)
            continue
        year = _FULL_YEAR.match(_header_key(text)) if name in PREVIOUS_YEAR else None
        if year is not None:
            dated.setdefault(name, []).append((int(year.group(1)), i, text))
            continue
        _take(columns, seen, i, name, text)
    notes = [_dated(name, found, columns, seen) for name, found in dated.items() if len(found) > 1]
    for name, found in dated.items():
        if len(found) == 1:
            _take(columns, seen, found[0][1], name, found[0][2])
    missing = [f"{LABELS[f]}（{f}）" for f in _REQUIRED if f not in seen]
    if missing:
        raise RosterError(f"缺少必需的列：{'、'.join(missing)}；表头应为档案字段名或中文名（如 企业名称、注册地）")
    return columns, ignored, notes


def _take(columns: dict[int, str], seen: dict[str, str], column: int, name: str, header: str) -> None:
    """Column ``column`` (headed ``header``) gives the field ``name``; RosterError when another column does."""
    if name in seen:
        raise RosterError(f"表头“{seen[name]}”与“{header}”都是“{LABELS[name]}”，请只保留一列")
    seen[name] = header
    columns[column] = name


def _dated(name: str, found: list[tuple[int, int, str]], columns: dict[int, str], seen: dict[str, str]) -> str:
    """Several years of one figure ("2022年营业收入", "2023年营业收入"): the latest year gives ``name``, the
    year before it (when there) ``PREVIOUS_YEAR[name]``, the others are not read. Returns the note saying so.
    RosterError when two columns give one year (2024年营业收入（万元） and 2024年度营业收入（元）): one was
    taken without a word, the other said not to be a field (a break-it trial)."""
    by_year: dict[int, str] = {}
    for year, _, header in sorted(found, key=lambda f: f[1]):
        if year in by_year:
            raise RosterError(f"表头“{by_year[year]}”与“{header}”都是 {year} 年的“{LABELS[name]}”，请只保留一列")
        by_year[year] = header
    latest, *earlier = sorted(found, reverse=True)
    _take(columns, seen, latest[1], name, latest[2])
    read = [f"{latest[2]} → {LABELS[name]}"]
    left = []
    for year, column, header in earlier:
        if year == latest[0] - 1:
            _take(columns, seen, column, PREVIOUS_YEAR[name], header)
            read.append(f"{header} → {LABELS[PREVIOUS_YEAR[name]]}")
        else:
            left.append(header)
    unread = f"；{'、'.join(left)} 未读取（档案只收最近两年）" if left else ""
    return f"按表头的年份读取：{'；'.join(read)}{unread}"


def _add(
    roster: Roster, row: int, data: Any, cell_errors: Sequence[FieldError] = (), notes: Sequence[str] = ()
) -> None:
    """Row ``row`` as a good row (with the conversions ``notes``) or a bad one: the cells refused while
    reading (``cell_errors``) and what the profile model refuses in the rest."""
    try:
        profile = parse_profile(data)
    except ProfileError as exc:
        errors = [*cell_errors, *exc.errors]
    else:
        if not cell_errors:
            elsewhere = park_elsewhere(profile.region, profile.park)
            roster.rows.append(GoodRow(row, profile, [*notes, *([elsewhere] if elsewhere else [])]))
            return
        errors = list(cell_errors)
    name = " ".join(str(data.get("name") or "").split()) if isinstance(data, dict) else ""
    roster.bad.append(BadRow(row, echo(name) if name else None, errors))  # a name is shown, never a whole row


# what rosters write in a cell of a number, date or yes/no for "not known" (compared NFKC, case-blind)
NOT_KNOWN = frozenset({"-", "--", "—", "——", "/", "\\", "n/a", "na", "#n/a", "暂无", "不详", "未知", "待定", "无数据"})
_UNKNOWN_KINDS = frozenset({"int", "float", "date", "bool"})


def not_known(name: str, cell: Any) -> bool:
    """Whether ``cell`` of the field ``name`` writes "not known" (``NOT_KNOWN``: "-", "/", "暂无", "N/A" …) where a
    number, date or yes/no is asked: read as blank, unknown and never 0 (the row was refused: "“-”不是数字", a
    break-it trial). "无" and "0" are values, not this."""
    if not isinstance(cell, str) or field_kind(name) not in _UNKNOWN_KINDS:
        return False
    return unicodedata.normalize("NFKC", cell).strip().casefold() in NOT_KNOWN


def _read_row(
    roster: Roster,
    i: int,
    row: list[Any],
    columns: dict[int, str],
    headers: dict[int, str],
    units: dict[int, str | None],
    percent: set[int],
    broken: str | None,
) -> None:
    """Spreadsheet row ``i`` into ``roster`` (``_add``): each column's cell converted for its field, money in
    万元 (``units``: the unit each header states), a "（%）" column's numbers as percentages; ``broken``: why
    the file reader could not trust the row, if so; a formula the file holds no result for makes it bad. A cell
    writing "not known" (``not_known``) is left blank, and its column named once in ``roster.unknown_marks``."""
    data: dict[str, Any] = {}
    errors = [FieldError("", "unreadable", broken)] if broken else []
    notes: list[str] = []
    for col, name in columns.items():
        cell = row[col] if col < len(row) else None
        if isinstance(cell, Uncalculated):  # this row is bad; the others are read
            why = f"“{headers[col]}”是公式，文件中没有计算结果：请在 Excel 中打开并保存"
            errors.append(FieldError(name, "formula", why))
            continue
        if blank(cell):
            continue
        if not_known(name, cell):
            roster.unknown_marks.setdefault(headers[col], set()).add(cell.strip())
            continue
        if isinstance(cell, str) and len(cell) > LIMITS.cell_chars:
            errors.append(_too_long(name, headers[col], cell))
        elif name not in MONEY_FIELDS:
            data[name] = cell_value(name, _percent(cell) if col in percent else cell)
        else:
            _money(roster, data, errors, notes, name, cell, headers[col], units[col])
    _add(roster, i, data, errors, notes)


def parse_rows(rows: list[list[Any]], broken: dict[int, str] | None = None, progress: Progress | None = None) -> Roster:
    """A roster from spreadsheet rows (``rows[i]`` is row ``i + 1``, cells as ``spreadsheet.read_sheets`` gives);
    ``broken`` names rows the file reader could not trust (``Sheet.broken``): they are bad rows;
    ``progress(done, total)`` every 100 rows and at the end.

    The header is found among the first HEADER_WITHIN rows (``spreadsheet.find_header``); blank rows are
    skipped. RosterError, one line, when there is no header, a column is named twice, there is no data row,
    or a used cell is a formula the file holds no result for.
    """
    start = _header(rows)
    columns, ignored, dated = _columns(rows[start])
    headers = {col: str(rows[start][col]).strip() for col in columns}
    units = {col: header_unit(headers[col], name) for col, name in columns.items()}
    percent = {col for col, name in columns.items() if is_ratio(name) and _header_key(headers[col]).endswith("(%)")}
    roster = Roster(ignored_columns=ignored, notices=dated, header_row=start + 1)
    total = len(rows) - start - 1
    region = next(col for col, name in columns.items() if name == "region")
    footers = []
    for i, row in enumerate(rows[start + 1 :], start=start + 2):
        if progress is not None and (i - start - 2) % 100 == 0:
            progress(i - start - 2, total)
        if all(blank(c) for c in row):
            continue
        if _footer(row, region):
            footers.append(str(i))
        else:
            _read_row(roster, i, row, columns, headers, units, percent, (broken or {}).get(i - 1))
    if footers:
        roster.notices.append(f"第 {'、'.join(footers)} 行是合计或落款行（合计、填表人等），未作为企业读取")
    example = _template_example(roster)
    if not roster.rows and not roster.bad:
        only = f"只有名单模板的示例行（{example}），请在下方填写企业后上传" if example else "只有表头，没有数据行"
        raise RosterError(only)
    if progress is not None:
        progress(total, total)
    _move_repeated(roster)
    return roster


def _footer(row: list[Any], region: int) -> bool:
    """Whether ``row`` is a totals or signature line under the enterprises ("合计", "填表人：张三"): its first
    cell with content starts with a FOOTER word, and its 注册地 cell (column ``region``) is empty."""
    if region < len(row) and not blank(row[region]):
        return False
    first = next((c for c in row if not blank(c)), None)
    return isinstance(first, str) and FOOTER.match("".join(unicodedata.normalize("NFKC", first).split())) is not None


def _too_long(name: str, header: str, cell: str) -> FieldError:
    """A cell longer than any cell of a roster may be (``limits``): refused before it is read."""
    return FieldError(
        name, "too_long", f"单元格过长（最多 {LIMITS.cell_chars:,} 字，收到 {len(cell):,} 字）（“{header}”列）"
    )


def _money(
    roster: Roster,
    data: dict[str, Any],
    errors: list[FieldError],
    notes: list[str],
    name: str,
    cell: Cell,
    header: str,
    unit: str | None,
) -> None:
    """Read a money cell into ``data`` (万元), its conversion into ``notes`` and, once per column, the roster's
    conversions; what cannot be read into ``errors``."""
    try:
        amount = read_money(cell, unit)
    except QuantityError as exc:
        errors.append(FieldError(name, "invalid", f"{exc}（“{header}”列）"))
        return
    if amount.unit_guessed:  # 62,000,000 for an 85-person firm: 元 in a column saying no unit (a break-it trial)
        said = f"“{header}”列未注明单位，按万元读为 {number_text(amount.value / 1e4)} 亿元，像是以元填写"
        why = f"{said}：请在表头注明单位，如“{header}（元）”或“{header}（万元）”"
        errors.append(FieldError(name, "unit", why))
        return
    data[name] = amount.value
    if amount.note:
        notes.append(f"{header} {amount.note}")
        _report_column(roster, header, amount)


def _template_example(roster: Roster) -> str | None:
    """The example row of ``template_csv`` left in a roster is no enterprise: as it is, a file note and not read;
    its invented 统一社会信用代码 under another name, a bad row (a break-it trial: it was matched, given a Word
    sheet and imported, and every 辅导员's template gives the same code). Returns the example's name when it
    was left in, else None."""
    code, name = TEMPLATE_EXAMPLE["credit_code"], TEMPLATE_EXAMPLE["name"]
    left = [r for r in roster.rows if r.profile.credit_code == code and name_key(r.profile.name) == name_key(name)]
    copied = [r for r in roster.rows if r.profile.credit_code == code and r not in left]
    if left:
        rows = "、".join(str(r.row) for r in left)
        roster.notices.append(f"第 {rows} 行是名单模板的示例行（{name}），未作为企业读取")
    said = f"统一社会信用代码 {code} 是名单模板示例中的代码，不是这家企业的：请填写企业自己的代码，或留空"
    roster.bad += [BadRow(r.row, r.profile.name, [FieldError("credit_code", "example", said)]) for r in copied]
    roster.rows = [r for r in roster.rows if r not in left and r not in copied]
    return name if left else None


def _move_repeated(roster: Roster) -> None:
    """A row naming the enterprise of an earlier row again goes to the bad rows; the bad rows in row order."""
    repeated = repeated_rows(roster.rows)
    again = {b.row for b in repeated}
    roster.rows = [r for r in roster.rows if r.row not in again]
    roster.bad = sorted([*roster.bad, *repeated], key=lambda b: b.row)


def _repeat(row: GoodRow, earlier: GoodRow | None, why: str) -> BadRow | None:
    """``row`` as a bad row when it is the enterprise of an ``earlier`` row (``why``: the same name key or code)."""
    if earlier is None:
        return None
    codes = {earlier.profile.credit_code, row.profile.credit_code}
    if None not in codes and len(codes) == 2:
        text = f"与第 {earlier.row} 行名称相同，统一社会信用代码却不同，请核对"
    else:
        text = f"与第 {earlier.row} 行是同一家企业（{why}），请合并为一行"
    return BadRow(row.row, row.profile.name, [FieldError("", "repeated", text)])


def repeated_rows(rows: list[GoodRow]) -> list[BadRow]:
    """The rows that name an enterprise of an earlier row again: the same name as compared
    (``company.name_key``: brackets, spaces, invisible characters, traditional characters) or the same
    统一社会信用代码; also the same name with another code (to check, never merged)."""
    bad: list[BadRow] = []
    by_key: dict[str, GoodRow] = {}
    by_code: dict[str, GoodRow] = {}
    for row in rows:
        name, code = row.profile.name, row.profile.credit_code
        key = name_key(name)
        earlier = by_key.get(key)
        why = "名称相同" if earlier is None or earlier.profile.name == name else "名称只差括号、空格或不可见字符的写法"
        if earlier is None and code:
            earlier, why = by_code.get(code), "统一社会信用代码相同"
        if (repeated := _repeat(row, earlier, why)) is not None:
            bad.append(repeated)
            continue
        by_key[key] = row
        if code:
            by_code[code] = row
    return bad


def _percent(cell: Cell) -> Cell:
    """A cell under a "（%）" header as a percentage: 85 → "85%", 1 → "1%" (as a person typing into that
    column means it); text that writes its own % is left as it is."""
    return cell if "%" in str(cell) or "％" in str(cell) else f"{str(cell).strip()}%"


def _report_column(roster: Roster, header: str, amount: Quantity) -> None:
    """Say once per column that its money was converted to 万元, with the first row's example."""
    if not any(c.startswith(f"{header}：") for c in roster.conversions):
        said = f"换算为万元（如 {amount.note}）" if "→" in amount.note else amount.note
        roster.conversions.append(f"{header}：{said}")


def _header(rows: list[list[Any]]) -> int:
    """The index of the header row; RosterError saying what the top rows hold when none names the required
    columns: the missing columns of a row that looks like a header, or the row that looks like a title."""
    if all(blank(c) for row in rows for c in row):
        raise RosterError("文件是空的：没有表头和数据行")
    found = spreadsheet.find_header(rows, column_field, _REQUIRED)
    if found is not None:
        return found
    partial = next((i for i, row in enumerate(rows[:HEADER_WITHIN]) if spreadsheet.named(row, column_field)), None)
    if partial is not None:
        _columns(rows[partial])  # raises, naming the missing columns
    wanted = _REQUIRED_LABELS
    title = spreadsheet.title_row(rows)
    if title is not None:
        shown = echo(next(str(c) for c in rows[title] if not blank(c)))
        raise RosterError(f"第 {title + 1} 行“{shown}”像是标题，前 {HEADER_WITHIN} 行中没有找到含 {wanted} 的表头行")
    raise RosterError(f"前 {HEADER_WITHIN} 行中没有找到含 {wanted} 的表头行：表头应为档案字段名或中文名")


def _json_roster(data: bytes, progress: Progress | None = None) -> Roster:
    """A saved profile (one object) or a list of them; "rows" are counted from 1; ``progress`` as in ``parse_rows``."""
    try:
        items = strict_loads(spreadsheet.decode(data))
    except json.JSONDecodeError as exc:
        raise RosterError(f"不是有效的 JSON（{fault(exc)}）") from exc
    except RepeatedKey as exc:
        raise RosterError(str(exc)) from exc
    except RecursionError as exc:
        raise RosterError("JSON 嵌套层数过多，不是档案或档案列表") from exc
    except ValueError as exc:  # an integer of thousands of digits
        raise RosterError("JSON 中的数字位数过多，不是档案") from exc
    roster = Roster()
    items = items if isinstance(items, list) else [items]
    for i, item in enumerate(items, start=1):
        _add(roster, i, item)
        if progress is not None and (i % 100 == 0 or i == len(items)):
            progress(i, len(items))
    _move_repeated(roster)
    return roster


def _sheet_roster(sheets: list[spreadsheet.Sheet], progress: Progress | None = None) -> Roster:
    """The roster on the first visible sheet (the one Excel opens on first) that has a header; every other
    sheet is named in ``roster.notices``, hidden ones as such. With no such sheet, the first sheet's reason,
    and the hidden sheets named."""
    shown = [s for s in sheets if not s.hidden]
    hidden = [f"“{s.name}”（隐藏）" for s in sheets if s.hidden]
    if not shown:
        raise RosterError(f"工作簿中没有可见的工作表：{'、'.join(hidden)}，请取消隐藏后再上传")
    headed = (s for s in shown if spreadsheet.find_header(s.rows, column_field, _REQUIRED) is not None)
    chosen = next(headed, None)
    if chosen is None and hidden:
        raise RosterError(
            f"可见的工作表中没有找到含 {_REQUIRED_LABELS} 的表头；另有隐藏的工作表 {'、'.join(hidden)}，请取消隐藏"
        )
    sheet = chosen or shown[0]
    roster = parse_rows(sheet.rows, sheet.broken, progress)
    read = sorted(r.row for r in roster.rows if r.row - 1 in sheet.hidden_rows)
    if read:  # a 辅导员 hides or filters out rows to leave enterprises out: they are read all the same
        rows = "、".join(map(str, read))
        roster.notices.append(f"第 {rows} 行在 Excel 中是隐藏（或被筛选掉）的行，已照常读取；不要匹配的企业请删除该行")
    others = [f"“{s.name}”" for s in shown if s is not chosen] + hidden
    if others:
        roster.notices.append(f"读取的是工作表“{sheet.name}”；未读取：{'、'.join(others)}")
    return roster


def read_roster(data: bytes, filename: str, progress: Progress | None = None) -> Roster:
    """Read an uploaded roster; the suffix of ``filename`` says CSV, Excel (.xlsx, .xlsm, .xls) or JSON (saved
    profiles). ``progress(done, total)`` as the rows are read (not while the file itself is opened). RosterError,
    one Chinese line, when the file as a whole cannot be read."""
    suffix = Path(filename).suffix.lower()
    if len(data) > LIMITS.file_bytes:
        raise RosterError(_too_big(len(data)))
    if suffix not in {".json"} | spreadsheet.CSV_SUFFIXES | spreadsheet.EXCEL_SUFFIXES:
        raise RosterError(f"不支持的文件类型“{suffix or filename}”：请使用 CSV、Excel（.xlsx、.xls）或档案 JSON 文件")
    try:
        if suffix == ".json":
            roster = _json_roster(data, progress)
        else:
            roster = _sheet_roster(spreadsheet.read_sheets(data, suffix), progress)
    except SpreadsheetError as exc:
        raise RosterError(str(exc)) from exc
    roster.source = filename
    return roster


def _too_big(size: int) -> str:
    return f"文件有 {size_text(size)}，超过名单文件 {size_text(LIMITS.file_bytes)} 的上限：请分成几个文件上传"


def read_roster_file(path: Path, progress: Progress | None = None) -> Roster:
    """The roster in ``path`` (CSV in UTF-8 or GBK, XLSX or XLS), ``progress`` as in ``read_roster``; RosterError
    naming the file when it cannot be read."""
    try:
        if (size := path.stat().st_size) > LIMITS.file_bytes:  # before anything is read
            raise RosterError(f"{path}: {_too_big(size)}")
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise RosterError(f"{path}: 文件不存在") from exc
    except OSError as exc:
        raise RosterError(f"{path}: 无法读取（{os_reason(exc)}）") from exc
    try:
        return read_roster(data, path.name, progress)
    except RosterError as exc:
        raise RosterError(f"{path}: {exc}") from exc


# the template's example enterprise: the code invented, with a valid GB 32100 check character
TEMPLATE_EXAMPLE = {"name": "上海某芯微电子有限公司", "credit_code": "91310115MA1K3Y8P1B"}


def template_csv() -> bytes:
    """An empty roster with Chinese headers and one example row (UTF-8 with BOM, for Excel)."""
    columns = ("name", "credit_code", *SPEC_FIELDS[1:])  # the code: the enterprise's identity in the registry
    headers = [LABELS[f] for f in columns]
    example = {
        **TEMPLATE_EXAMPLE,
        "region": "浦东新区",
        "park": "张江科学城",
        "industry": "集成电路",
        "stage": "成长期",
        "founded": "2019-04-01",
        "employees": 85,
        "rd_staff": 40,
        "revenue": 6200,
        "rd_expense": 1300,
        "invention_patents": 6,
        "other_ip": 12,
        "qualifications": "高新技术企业",
        "qualification_dates": "高新技术企业:2024-10-15",
        "foreign_invested": "否",
        "needs": "资金补贴、融资贷款",
        "description": "芯片设计企业，想了解区里的资助和贷款",
    }
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerow([example.get(f, "") for f in columns])
    return out.getvalue().encode("utf-8-sig")


def preview(roster: Roster, filename: str) -> dict[str, Any]:
    """How a roster was understood, before anything is matched or stored (the ``read-roster`` JSON of
    ../shared/spec/cli.md): ``file``, ``header_row``, ``rows`` [{row, profile, notes}], ``refused``
    [{row, name, errors: [{field, message}]}], plus ``conversions`` (per column),
    ``ignored_columns`` and ``notices`` (the sheet read …)."""
    return {
        "file": filename,
        "header_row": roster.header_row,
        "rows": [{"row": r.row, "profile": r.profile.public_dict(), "notes": list(r.notes)} for r in roster.rows],
        "refused": [
            {
                "row": b.row,
                "name": b.name,
                "errors": [{"field": e.field, "label": e.label, "message": e.message} for e in b.errors],
            }
            for b in roster.bad
        ],
        "conversions": list(roster.conversions),
        "ignored_columns": list(roster.ignored_columns),
        "notices": list(roster.notices),
    }
