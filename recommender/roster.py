"""Rosters (CSV in UTF-8 or GBK, or XLSX) → good profiles + bad rows with the Chinese reason.

Columns are the profile's field names (../shared/spec/profile.md) or their Chinese labels
(企业名称、注册地、所属行业、职工总数 …). Money is read in 万元; a unit in the header ("营业收入（元）")
or in the cell ("1850万", "3.5亿") converts to 万元, and each column converted is reported.
Row numbers are those a spreadsheet shows: the header is row 1.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .profile import LABELS, FieldError, Profile, ProfileError, parse_profile
from .profile_fields import SPEC_FIELDS, field_kind, is_ratio

FIELDS = list(Profile.model_fields)

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
_UNIT = re.compile(r"[（(][^（）()]*[）)]$")
# money in the profile is in 万元; a header or a cell may say another unit
MONEY_FIELDS = frozenset(name for name, label in LABELS.items() if label.endswith("（万元）"))
_TO_WAN = {"元": 1e-4, "千元": 0.1, "万元": 1.0, "万": 1.0, "百万元": 100.0, "百万": 100.0, "亿元": 1e4, "亿": 1e4}
_CELL_UNIT = re.compile(r"(百万元|百万|千元|万元|亿元|万|亿|元)$")
_SPLIT = re.compile(r"[、,，;；\n]+")
_PAIR = re.compile(r"^\s*(.+?)\s*[:：]\s*(.+?)\s*$")
_TRUE = {"是", "true", "yes", "y", "1", "外资", "√"}
_FALSE = {"否", "false", "no", "n", "0", "内资", "×"}


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
        """The Chinese lines, as the command line prints them ("region（注册地）：必填")."""
        return [str(e) for e in self.errors]

    def __str__(self) -> str:
        who = f"（{self.name}）" if self.name else ""
        return f"第 {self.row} 行{who}：" + "；".join(self.messages)


@dataclass
class GoodRow:
    """A roster row read: its row number as the spreadsheet shows it and its profile."""

    row: int
    profile: Profile


@dataclass
class Roster:
    """A roster read: the good rows, the bad rows and the columns it did not read."""

    rows: list[GoodRow] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    conversions: list[str] = field(default_factory=list)  # money read in another unit, once per column

    @property
    def profiles(self) -> list[Profile]:
        """The profiles of the good rows, in row order."""
        return [r.profile for r in self.rows]


def column_field(header: str) -> str | None:
    """The profile field a header names, or None."""
    key = re.sub(r"[\s\ufeff]", "", str(header))
    if key.lower() in FIELDS:
        return key.lower()
    labels = {label: name for name, label in LABELS.items() if name in FIELDS}
    for candidate in (key, _UNIT.sub("", key)):
        if candidate in labels:
            return labels[candidate]
        if candidate in _HEADER_WORDS:
            return _HEADER_WORDS[candidate]
    return None


# --- reading the file -------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RosterError("文件编码无法识别：请另存为 UTF-8 或 GBK 编码的 CSV，或 Excel（.xlsx）文件")


def _csv_rows(data: bytes) -> list[list[Any]]:
    text = _decode(data)
    header = text.split("\n", 1)[0]
    delimiter = max(",\t;", key=header.count)  # comma unless the header says tab or semicolon
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _xlsx_rows(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a file that is not a workbook
        raise RosterError(f"无法作为 Excel（.xlsx）文件打开：{exc.__class__.__name__}") from exc
    sheet = book.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    book.close()
    return rows


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- cells → profile values ------------------------------------------------------------------


def _number(value: Any, integer: bool, ratio: bool) -> Any:
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "")
        text = re.sub(r"(万元|万|元|人|件|项|年)$", "", text).strip()
        percent = ratio and text.endswith(("%", "％"))
        try:
            value = float(text.rstrip("%％")) / (100 if percent else 1)
        except ValueError:
            return value.strip()  # the profile model names the field and the bad value
    if integer and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _bool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return value


def _qualification_dates(value: Any) -> Any:
    """Title:date pairs ("高新技术企业:2026-10-15；科技型中小企业:2024-05-01") or a JSON object."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("{"):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text
    pairs = {}
    for part in _SPLIT.split(text):
        if not part.strip():
            continue
        m = _PAIR.match(part)
        if not m:
            return text  # not title:date pairs; the profile model says what is expected
        pairs[m.group(1)] = m.group(2)
    return pairs


def cell_value(name: str, value: Any) -> Any:
    """A cell converted to what the profile model reads for ``name``."""
    kind = field_kind(name)
    if kind in ("int", "float"):
        return _number(value, kind == "int", is_ratio(name))
    if kind == "list":
        return [v.strip() for v in _SPLIT.split(str(value)) if v.strip()]
    if kind == "bool":
        return _bool(value)
    if kind == "date":
        return _date(value)
    if kind == "dict":
        return _qualification_dates(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# --- the roster ------------------------------------------------------------------------------


def header_unit(header: str, name: str) -> str | None:
    """The money unit a header states for a 万元 field ("营业收入（元）" → "元"); None when it states
    none. RosterError naming the column for a unit that is not one of 元/千元/万元/百万元/亿元."""
    if name not in MONEY_FIELDS:
        return None
    found = _UNIT.search(re.sub(r"\s", "", header))
    if found is None:
        return None
    unit = found.group(0)[1:-1]
    if unit not in _TO_WAN:
        raise RosterError(f"表头“{header.strip()}”的单位“{unit}”无法识别：金额请用元、千元、万元、百万元或亿元")
    return unit


def _columns(header: list[Any]) -> tuple[dict[int, str], list[str]]:
    columns: dict[int, str] = {}
    ignored: list[str] = []
    seen: dict[str, str] = {}
    for i, cell in enumerate(header):
        if _blank(cell):
            continue
        name = column_field(str(cell))
        if name is None:
            ignored.append(str(cell).strip())
            continue
        if name in seen:
            raise RosterError(f"表头“{seen[name]}”与“{str(cell).strip()}”都对应 {name}（{LABELS[name]}），请只保留一列")
        seen[name] = str(cell).strip()
        columns[i] = name
    missing = [f"{LABELS[f]}（{f}）" for f in ("name", "region") if f not in seen]
    if missing:
        raise RosterError(f"缺少必需的列：{'、'.join(missing)}；表头应为档案字段名或中文名（如 企业名称、注册地）")
    return columns, ignored


def _add(roster: Roster, row: int, data: Any) -> None:
    try:
        roster.rows.append(GoodRow(row, parse_profile(data)))
    except ProfileError as exc:
        name = data.get("name") if isinstance(data, dict) else None
        roster.bad.append(BadRow(row, str(name) if name else None, exc.errors))


def parse_rows(rows: list[list[Any]]) -> Roster:
    """The first non-blank row is the header; blank rows are skipped."""
    start = next((i for i, row in enumerate(rows) if not all(_blank(c) for c in row)), None)
    if start is None:
        raise RosterError("文件是空的：没有表头和数据行")
    columns, ignored = _columns(rows[start])
    units = {col: header_unit(str(rows[start][col]), name) for col, name in columns.items()}
    roster = Roster(ignored_columns=ignored)
    for i, row in enumerate(rows[start + 1 :], start=start + 2):
        if all(_blank(c) for c in row):
            continue
        data = {}
        for col, name in columns.items():
            if col < len(row) and not _blank(row[col]):
                data[name] = _money(roster, name, row[col], units[col], str(rows[start][col]))
        _add(roster, i, data)
    if not roster.rows and not roster.bad:
        raise RosterError("只有表头，没有数据行")
    return roster


def _money(roster: Roster, name: str, cell: Any, header_unit: str | None, header: str) -> Any:
    """``cell_value``, and for a money field in another unit than 万元 (the header's, or the cell's own
    "1850万"/"3.5亿"), the value in 万元; the first conversion of each column is reported in
    ``roster.conversions``. A cell whose unit contradicts its header is left as written: the profile
    model then refuses it, naming the field."""
    if name not in MONEY_FIELDS:
        return cell_value(name, cell)
    text = str(cell).strip().replace(",", "").replace("，", "")
    own = _CELL_UNIT.search(text) if isinstance(cell, str) else None
    unit = own.group(0) if own else header_unit
    if own and header_unit and _TO_WAN[own.group(0)] != _TO_WAN[header_unit]:
        return f"{cell}（与表头单位{header_unit}不一致）"
    value = cell_value(name, text[: own.start()] if own else cell)
    if unit is None or _TO_WAN[unit] == 1.0 or not isinstance(value, (int, float)) or isinstance(value, bool):
        return value
    wan = round(value * _TO_WAN[unit], 6)
    column = header.strip()
    if not any(c.startswith(f"{column}：") for c in roster.conversions):
        example = str(cell).strip() if own else f"{str(cell).strip()} {unit}"
        roster.conversions.append(f"{column}：按{unit}读入，换算为万元（如 {example} → {wan:g} 万元）")
    return wan


def _json_roster(data: bytes) -> Roster:
    """A saved profile (one object) or a list of them; "rows" are counted from 1."""
    try:
        items = json.loads(_decode(data))
    except json.JSONDecodeError as exc:
        raise RosterError(f"不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）") from exc
    roster = Roster()
    for i, item in enumerate(items if isinstance(items, list) else [items], start=1):
        _add(roster, i, item)
    return roster


def read_roster(data: bytes, filename: str) -> Roster:
    """Read an uploaded roster; the suffix of ``filename`` says CSV, XLSX or JSON (saved profiles)."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".json":
        return _json_roster(data)
    if suffix in {".xlsx", ".xlsm"}:
        rows = _xlsx_rows(data)
    elif suffix in {".csv", ".txt", ".tsv"}:
        rows = _csv_rows(data)
    elif suffix == ".xls":
        raise RosterError("不支持旧版 Excel（.xls）：请在 Excel 中另存为 .xlsx 或 CSV")
    else:
        raise RosterError(f"不支持的文件类型“{suffix or filename}”：请使用 CSV、Excel（.xlsx）或档案 JSON 文件")
    return parse_rows(rows)


def read_roster_file(path: Path) -> Roster:
    """The roster in ``path`` (CSV in UTF-8 or GBK, or XLSX); RosterError naming the file when it cannot be read."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise RosterError(f"{path}: 文件不存在") from exc
    except OSError as exc:
        raise RosterError(f"{path}: 无法读取（{exc.strerror or exc}）") from exc
    try:
        return read_roster(data, path.name)
    except RosterError as exc:
        raise RosterError(f"{path}: {exc}") from exc


def template_csv() -> bytes:
    """An empty roster with Chinese headers and one example row (UTF-8 with BOM, for Excel)."""
    headers = [LABELS[f] for f in SPEC_FIELDS]
    example = {
        "name": "上海某芯微电子有限公司",
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
    writer.writerow([example.get(f, "") for f in SPEC_FIELDS])
    return out.getvalue().encode("utf-8-sig")
