"""The enterprise profile (../shared/spec/profile.md): one model for CLI, page, rosters and tests."""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import re
import sys
import types
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache, partial
from pathlib import Path
from typing import Any, Union, get_args, get_origin

from annotated_types import Le
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    ValidationError,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError, PydanticUndefined

from .clock import today
from .company import CreditCodeError, check_credit_code
from .dates import missing_date
from .json_text import RepeatedKey, fault, strict_loads
from .limits import LIMITS, size_text
from .paths import LEXICON
from .places import read_place
from .quantities import (
    MAX_COUNT,
    MAX_MONEY_WAN,
    Quantity,
    QuantityError,
    number_text,
    read_count,
    read_money,
    read_share,
)
from .spellings import controlled_name, controlled_names
from .spreadsheet import SpreadsheetError, decode
from .text_clean import clean_query, echo, strip_invisible
from .vocab import (
    BENEFITS,
    INDUSTRIES,
    QUALIFICATIONS,
    REGIONS,
    Benefit,
    Qualification,
    Region,
    Stage,
)
from .yamlio import load_yaml, validate

LABELS: dict[str, str] = {
    "name": "企业名称",
    "region": "注册地",
    "park": "所在园区",
    "industry": "所属行业",
    "stage": "发展阶段",
    "founded": "成立日期",
    "employees": "职工总数",
    "rd_staff": "科技/研发人员数",
    "revenue": "营业收入（万元）",
    "rd_expense": "研发费用（万元）",
    "high_tech_revenue": "高新技术产品（服务）收入（万元）",
    "total_assets": "资产总额（万元）",
    "invention_patents": "有效发明专利数",
    "other_ip": "其他知识产权数",
    "qualifications": "已有资质",
    "qualification_dates": "资质取得日期",
    "foreign_invested": "是否外资企业",
    "needs": "诉求",
    "description": "企业描述",
    # optional facts for qualification readiness (recommender/criteria): what a profile cannot
    # otherwise show; missing means unknown
    "innovation_score": "高企创新能力评价得分（自评，0–100）",
    "main_business_share": "主营业务收入占营业收入比例",
    "debt_ratio": "资产负债率",
    "rd_domestic_share": "境内研发费用占全部研发费用比例",
    "niche_years": "从事特定细分市场年限（年）",
    "equity_financing_2y": "近两年新增股权融资（万元）",
    "equity_financing_3y": "近三年新增股权融资（万元）",
    "major_accident": "近三年是否发生重大安全、重大质量事故或严重环境违法行为",
    "provincial_rd_institution": "是否拥有省部级以上研发机构",
    "national_award_5y": "近五年是否获得国家级科技奖励",
    "st_award_3y": "近三年是否获得国家级或省级科技奖励",
    "revenue_prev": "前一年度营业收入（万元）",
    "rd_expense_prev": "前一年度研发费用（万元）",
    "revenue_3y": "近三个会计年度销售收入合计（万元）",
    "rd_expense_3y": "近三个会计年度研发费用合计（万元）",
    "taxable_income": "年度应纳税所得额（万元）",
    "credit_code": "统一社会信用代码",
}


class IndustryWords(RootModel[dict[str, list[str]]]):
    """``policies/lexicon/industries.yaml``: controlled industry → words that point to it."""


@lru_cache(maxsize=1)
def industry_words() -> dict[str, list[str]]:
    """Controlled industry → words that point to it (``policies/lexicon/industries.yaml``)."""
    path = LEXICON / "industries.yaml"
    data, node = load_yaml(path)
    return validate(IndustryWords, data, path, node).root


@lru_cache(maxsize=65536)  # asked for on every query and fact of a profile; the lexicon does not change
def industry_category(text: str | None) -> str | None:
    """Map free text to the controlled industry list (longest matching word wins), after the same
    cleaning as a query (``text.clean_query``: 生物醫藥 is 生物医药, ＡＩ is AI)."""
    if not text:
        return None
    text = clean_query(text).strip()
    if text in INDUSTRIES:
        return text
    best, best_len = "其他", 0
    for category, words in industry_words().items():
        for word in words:
            if mentions(text, word) and len(word) > best_len:
                best, best_len = category, len(word)
    return best


def mentions(text: str, word: str) -> bool:
    """Whether ``text`` mentions ``word``; a Latin word only as a whole word ("AI" is not in "Retail")."""
    if word.isascii():
        return re.search(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", text, re.IGNORECASE) is not None
    return word.lower() in text.lower()


# a date, and the time of day a spreadsheet may add to it ("2019/5/1 0:00", what Excel writes of a date cell)
_LOOSE_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[\sT]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)


_PAIR = re.compile(r"^\s*(.+?)\s*[:：]\s*(.+?)\s*$")  # 高新技术企业:2023-10-15
_PAIRS = re.compile(r"[、,，;；\n]+")  # between pairs
_ONE_LINE = re.compile(r"\s*[\t\n\r]\s*")  # a tab or line break in a one-line field (a name pasted from a sheet)


def title_dates(text: str) -> Any:
    """资质取得日期 as a person writes it: title:date pairs ("高新技术企业:2023-10-15；科技型中小企业:2024-05-01")
    or a JSON object, as a dict; other text as it is, for the model to say how to write it (a date alone is
    given to the one title named by ``Profile._one_title_date`` first). ValueError for a title given two
    dates."""
    text = text.strip()
    if text.startswith("{"):
        try:  # the object's pairs in order, a title given twice among them ({"高企": …, "高企": …})
            pairs = json.loads(text, object_pairs_hook=list)
        except (ValueError, RecursionError):  # not JSON (JSONDecodeError is a ValueError), or too deep or long
            return text
        return _one_date_each(pairs)
    if written_date(text):
        return text
    pairs = []
    for part in _PAIRS.split(text):
        if not part.strip():
            continue
        m = _PAIR.match(part)
        if not m:
            return text
        pairs.append(m.groups())
    return _one_date_each(pairs)


def _one_date_each(pairs: list[tuple[Any, Any]]) -> dict[Any, Any]:
    """(title, date) pairs as a dict; ValueError for a title given two dates (the same date twice is one)."""
    dates: dict[Any, Any] = {}
    for title, day in pairs:
        if dates.get(title, day) != day:
            raise ValueError(f"“{title}”填了两个取得日期（{dates[title]}、{day}），请只保留一个")
        dates[title] = day
    return dates


def written_date(text: str) -> bool:
    """Whether ``text`` is a date as ``loose_date`` reads one (2019/5/1, 2019年5月1日 0:00 …), existing or not."""
    return _LOOSE_DATE.match(unicodedata.normalize("NFKC", strip_invisible(text)).strip()) is not None


EXCEL_EPOCH = dt.date(1899, 12, 30)  # day 0 of Excel's date serials (1900 system, its 1900-02-29 included)
SERIALS = range(10_000, 80_000)  # serials of 1927 to 2119: a five-digit number there is likely one


def _serial_hint(number: float) -> str:
    """What a number written for a date likely is: "；像是 Excel 的日期序号（即 2019-04-01），…" for a whole
    number in SERIALS (a CSV saved from a sheet whose dates were shown as numbers: a break-it trial); ""
    otherwise. It is not read as that date: "43556" may be anything."""
    if not float(number).is_integer() or int(number) not in SERIALS:
        return ""
    day = EXCEL_EPOCH + dt.timedelta(days=int(number))
    return f"；像是 Excel 的日期序号（即 {day.isoformat()}），请把该列设为日期格式后另存，或直接写成 {day.isoformat()}"


def loose_date(value: Any) -> Any:
    """Accept 2020/1/1, 2020.1.1 and 2020年1月1日 (full-width digits too) as well as ISO dates, each maybe
    followed by a time of day (dropped); blank is missing. A bare number ("0", 43556, "20190401") is no date
    here, nor a day the calendar lacks (2019-02-29): ValueError echoing what was written."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError(f"{DATE_HINT}（收到“{echo(value)}”）{_serial_hint(value)}")
    if isinstance(value, str):
        value = unicodedata.normalize("NFKC", strip_invisible(value)).strip()
        if not value:
            return None
        if value.isdigit():
            raise ValueError(f"{DATE_HINT}（收到“{echo(value)}”）{_serial_hint(int(value))}")
        if m := _LOOSE_DATE.match(value):
            year, month, day = (int(g) for g in m.groups())
            if why := missing_date(year, month, day):
                raise ValueError(f"日期不存在：{why}（收到“{echo(value)}”）")
            return f"{year:04d}-{month:02d}-{day:02d}"
    return value


MAX_NUMBER = 1e12  # input sanity, not a policy threshold: no profile number is this large


def annotation_kind(annotation: Any) -> str:
    """What a Profile field's type annotation holds: int, float, bool, date, list, dict or text."""
    if get_origin(annotation) in (Union, types.UnionType):
        annotation = next(a for a in get_args(annotation) if a is not type(None))
    origin = get_origin(annotation) or annotation
    kinds = {bool: "bool", int: "int", float: "float", dt.date: "date", list: "list", dict: "dict"}
    return kinds.get(origin, "text")


@lru_cache(maxsize=1024)  # a roster spells its stages a few ways: cleaned once each, not once a row
def _stage_text(value: str) -> str:
    """A stage as written, cleaned like a query (``clean_query``: 成長期 → 成长期) and stripped."""
    return clean_query(value).strip()


@cache
def _number_reader(name: str) -> Callable[[object], Quantity] | None:
    """How the Profile field ``name`` reads text: money in 万元, a share as a fraction, else a count;
    None for a field that is not a number (read once per field, from its annotation and label)."""
    kind = annotation_kind(Profile.model_fields[name].annotation) if name in Profile.model_fields else "text"
    if kind not in {"int", "float"}:
        return None
    if name in MONEY_FIELDS:
        return read_money
    if is_ratio(name):
        return read_share
    return partial(read_count, integer=kind == "int")


YES = frozenset({"是", "true", "yes", "y", "1", "外资", "√", "有"})
NO = frozenset({"否", "false", "no", "n", "0", "内资", "×", "无"})


def yes_no(value: Any) -> Any:
    """True or False for the ways people write yes and no (是/否, √/×, 外资/内资, true/false, 1/0); any
    other value is returned for the model to refuse."""
    if isinstance(value, bool) or value is None:
        return value
    text = clean_query(str(value)).strip().lower()
    return True if text in YES else False if text in NO else value


@cache
def _is_yes_no(name: str) -> bool:
    field = Profile.model_fields.get(name)
    return field is not None and annotation_kind(field.annotation) == "bool"


# money in the profile is in 万元 (../shared/spec/profile.md): the fields whose label says so
MONEY_FIELDS = frozenset(name for name, label in LABELS.items() if label.endswith("（万元）"))


def is_ratio(name: str) -> bool:
    """A share stored as a fraction 0..1 (shown to people as a percentage): a field bounded by ``le=1``."""
    return any(isinstance(m, Le) and m.le == 1 for m in Profile.model_fields[name].metadata)


NONE_WORDS = frozenset({"无", "暂无", "没有", "无资质", "-", "—", "－", "/", "／"})  # a list cell that says "none"


def _items(value: str | list[Any]) -> list[Any]:
    """The items of a list, or of a string separated by "、", "，" or ","; blank ones left out."""
    if isinstance(value, str):
        value = value.replace("，", ",").replace("、", ",").split(",")
    return [v for v in value if str(v).strip()]


def _controlled_list(value: Any, kind: str) -> Any:
    """A list (or a "、"/","-separated string) with each item's controlled name (``spellings``, ``kind``
    titles or needs); "无" is the empty list."""
    if isinstance(value, str):
        value = _items(value)
    if isinstance(value, list):
        named = [v for v in value if str(v).strip() not in NONE_WORDS]
        if named and len(named) < len(value):
            raise ValueError(f"既填了“无”又填了{'、'.join(map(str, named))}，请只保留一种")
        return list(dict.fromkeys(name for v in named for name in controlled_names(kind, v)))
    return value


class Profile(BaseModel):
    """An enterprise profile as ``../shared/spec/profile.md`` defines it; a missing field is unknown (None)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)

    name: str = Field(min_length=1, max_length=200)  # input sanity: the registry's limit
    region: Region
    park: str | None = Field(default=None, max_length=100)
    industry: str | None = Field(default=None, max_length=100)
    stage: Stage | None = None
    founded: dt.date | None = None
    employees: int | None = Field(default=None, ge=0)
    rd_staff: int | None = Field(default=None, ge=0)
    revenue: float | None = Field(default=None, ge=0)
    rd_expense: float | None = Field(default=None, ge=0)
    high_tech_revenue: float | None = Field(default=None, ge=0)
    total_assets: float | None = Field(default=None, ge=0)
    invention_patents: int | None = Field(default=None, ge=0)
    other_ip: int | None = Field(default=None, ge=0)
    qualifications: list[Qualification] | None = None  # None: not stated (unknown); []: none
    qualification_dates: dict[Qualification, dt.date] = {}
    foreign_invested: bool | None = None
    needs: list[Benefit] | None = None  # None: not stated; []: none
    # a page of text; more is not a description (``limits``)
    description: str | None = Field(default=None, max_length=LIMITS.description_chars)
    # optional facts for qualification readiness; shares and ratios as fractions 0..1
    innovation_score: float | None = Field(default=None, ge=0, le=100)
    main_business_share: float | None = Field(default=None, ge=0, le=1)
    debt_ratio: float | None = Field(default=None, ge=0, le=1)
    rd_domestic_share: float | None = Field(default=None, ge=0, le=1)
    niche_years: float | None = Field(default=None, ge=0)
    equity_financing_2y: float | None = Field(default=None, ge=0)
    equity_financing_3y: float | None = Field(default=None, ge=0)
    major_accident: bool | None = None
    provincial_rd_institution: bool | None = None
    national_award_5y: bool | None = None
    st_award_3y: bool | None = None
    revenue_prev: float | None = Field(default=None, ge=0)
    rd_expense_prev: float | None = Field(default=None, ge=0)
    revenue_3y: float | None = Field(default=None, ge=0)
    rd_expense_3y: float | None = Field(default=None, ge=0)
    taxable_income: float | None = Field(default=None, ge=0)
    credit_code: str | None = None  # 统一社会信用代码: the enterprise's identity when present

    @model_validator(mode="before")
    @classmethod
    def _place(cls, data: Any) -> Any:
        """The district and park as people write them (``places.read_place``): "上海市浦东新区" → 浦东新区,
        "上海浦东张江" → 浦东新区 and park 张江, a park alone ("张江") → its district and the park. A place
        that cannot be read is left for the region's own check (``_region``) to say why."""
        if not isinstance(data, dict) or not isinstance(data.get("region"), str):
            return data
        try:
            region, park = read_place(data["region"], data.get("park"))
        except ValueError:
            return data
        return {**data, "region": region, **({"park": park} if park is not None else {})}

    @model_validator(mode="before")
    @classmethod
    def _one_title_date(cls, data: Any) -> Any:
        """资质取得日期 written as a date alone ("2023-10-15") when 已有资质 names one title is that title's
        date; with several titles it stays for the field's own check to ask for 资质:日期 pairs."""
        if not isinstance(data, dict):
            return data
        dates, titles = data.get("qualification_dates"), data.get("qualifications")
        alone = isinstance(dates, dt.date) or (isinstance(dates, str) and written_date(dates))  # a date cell too
        named = _items(titles) if isinstance(titles, str | list) else []
        if alone and len(named) == 1:
            return {**data, "qualification_dates": {str(named[0]).strip(): dates}}
        return data

    @field_validator("region", mode="before")
    @classmethod
    def _region(cls, value: Any) -> Any:
        """A park in several districts ("漕河泾": 徐汇区 or 闵行区) asks which, as a field error: the
        profile's other fields are still checked and reported with it."""
        if isinstance(value, str) and value not in REGIONS:
            read_place(value)  # ValueError naming the districts to choose from
        return value

    @field_validator("qualifications", mode="before")
    @classmethod
    def _qualification_aliases(cls, value: Any) -> Any:
        if isinstance(value, list) and any(v is None for v in value):
            raise ValueError("资质列表中有空值（null）")
        value = _controlled_list(value, "titles")
        if isinstance(value, list) and "小巨人" in value:
            raise ValueError("“小巨人”可能指专精特新“小巨人”或科技小巨人，请写全称")
        return value

    @field_validator("*", mode="before")
    @classmethod
    def _plain_number(cls, value: Any, info: ValidationInfo) -> Any:
        """A number field holds a number, not true/false, of a size a profile can have (|x| ≤ 1e12); text is
        read as people write numbers (``quantities``: "1,850", "1850万", "3.5亿", "八十五", "3%")."""
        reader = _number_reader(info.field_name or "")
        if reader is None:
            return value
        if isinstance(value, bool):
            raise ValueError("应为数字，不是 是/否")
        if isinstance(value, str) and value.strip():
            try:
                value = reader(value).value
            except QuantityError as exc:
                raise ValueError(str(exc)) from exc
        finite = isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))
        if finite and abs(value) > MAX_NUMBER:  # Infinity/NaN: the model's own finite check says so
            raise ValueError(f"数值过大（超过 {number_text(MAX_NUMBER)}），请检查单位")
        if finite and info.field_name in MONEY_FIELDS and value > MAX_MONEY_WAN:  # as a roster's cell is read
            raise ValueError(f"{number_text(value)} 万元超过 1 万亿元，请检查单位（金额以万元计）")
        if finite and reader not in (read_money, read_share) and value > MAX_COUNT:  # as "5000000" written is
            shown = f"{value:.0f}" if value == int(value) else str(value)
            raise ValueError(f"“{shown}”超过 1,000,000，请检查")
        return value

    @field_validator("qualification_dates", mode="before")
    @classmethod
    def _qualification_date_aliases(cls, value: Any) -> Any:
        value = title_dates(value) if isinstance(value, str) else value
        if isinstance(value, dict):
            dates = {controlled_name("titles", k): loose_date(v) for k, v in value.items()}
            if len(dates) < len(value):
                raise ValueError("同一资质填了两个取得日期（如“高企”和“高新技术企业”），请只保留一个")
            return dates
        return value

    @field_validator("needs", mode="before")
    @classmethod
    def _need_aliases(cls, value: Any) -> Any:
        if isinstance(value, list) and any(v is None for v in value):
            raise ValueError("诉求列表中有空值（null）")
        return _controlled_list(value, "needs")

    @field_validator("founded", mode="before")
    @classmethod
    def _loose_date(cls, value: Any) -> Any:
        return loose_date(value)

    @field_validator("founded")
    @classmethod
    def _plausible_founding(cls, value: dt.date | None) -> dt.date | None:
        """Input sanity: a founding date from 1900 to today (a later one is a typing slip, not a plan)."""
        if value is not None and not EARLIEST_FOUNDING <= value <= today():
            raise ValueError(f"成立日期 {value.isoformat()} 不在 1900 年至今天之间，请核对")
        return value

    @field_validator("qualification_dates")
    @classmethod
    def _plausible_title_dates(cls, value: dict[str, dt.date]) -> dict[str, dt.date]:
        """Input sanity, as for the founding date: a title won from 1900 to today (2099 for 2019 would
        otherwise make a held title silently not held)."""
        for title, day in value.items():
            if not EARLIEST_FOUNDING <= day <= today():
                raise ValueError(f"{title}的取得日期 {day.isoformat()} 不在 1900 年至今天之间，请核对")
        return value

    @field_validator("credit_code", mode="before")
    @classmethod
    def _credit_code(cls, value: Any) -> Any:
        """Blank is missing; text is normalised and checked (``company.check_credit_code``, GB 32100-2015).
        A number (an all-digit code in a spreadsheet cell formatted as a number) has lost its last digits."""
        stored_as_number = isinstance(value, str) and re.fullmatch(r"\s*\d(?:\.\d+)?[eE]\+?\d+\s*", value)
        if (isinstance(value, (int, float)) and not isinstance(value, bool)) or stored_as_number:
            raise ValueError("被存成了数字（表格会丢掉 15 位以后的数字），请把这一列设为“文本”格式后重新填写")
        if not isinstance(value, str):
            return value
        if not strip_invisible(value).strip():
            return None
        try:
            return check_credit_code(value)
        except CreditCodeError as exc:
            raise ValueError(exc.detail) from None

    @field_validator("*", mode="before")
    @classmethod
    def _yes_no(cls, value: Any, info: ValidationInfo) -> Any:
        """A yes/no field as people write it (``yes_no``): 是/否, √/×, 外资/内资, true/false."""
        return yes_no(value) if _is_yes_no(info.field_name or "") else value

    @field_validator("stage", mode="before")
    @classmethod
    def _stage_spelling(cls, value: Any) -> Any:
        """A stage in traditional characters or full-width forms (成長期) is the stage."""
        return _stage_text(value) if isinstance(value, str) else value

    @field_validator("name", "park", "industry", "description", "stage", mode="before")
    @classmethod
    def _blank_is_missing(cls, value: Any, info: ValidationInfo) -> Any:
        """Control characters (a vertical tab pasted from Word) read as a space, zero-width ones as
        nothing; in a one-line field (all but ``description``) a tab or line break, with the spaces around it,
        reads as one space; blank text is not given (``name`` then fails as required)."""
        if not isinstance(value, str):
            return value
        value = strip_invisible(value)
        if info.field_name != "description":
            value = _ONE_LINE.sub(" ", value)
        return None if not value.strip() else value

    @model_validator(mode="after")
    def _consistent(self) -> Profile:
        problems = inconsistencies(self)
        if problems:
            raise _field_errors(problems)
        return self

    # --- derived facts -------------------------------------------------------------------

    @property
    def industry_category(self) -> str | None:
        """The industry on the controlled list (``vocab.INDUSTRIES``); None when no industry is given.

        Facts derived from the profile (ratios, ages, size class) live in ``eligibility.facts``.
        """
        return industry_category(self.industry)

    def public_dict(self) -> dict[str, Any]:
        """The profile as the interchange format (missing fields left out)."""
        return self.model_dump(mode="json", exclude_none=True, exclude_defaults=True)


@dataclass(frozen=True)
class FieldError:
    """One thing wrong with a profile.

    ``field`` is the profile field ("" for the profile or file as a whole), ``code`` a short machine
    code (missing, negative, too_large, too_small, too_long, not_allowed, bad_date, not_an_integer, not_a_number,
    not_yes_no, wrong_type, empty, not_a_field, not_held, repeated, not_an_object, no_file, not_utf8,
    bad_json, invalid), ``message`` what is wrong in Chinese, without the field's name.
    """

    field: str
    code: str
    message: str

    @property
    def label(self) -> str:
        """The field's Chinese label ("" for the profile as a whole)."""
        return LABELS.get(self.field, self.field)

    def __str__(self) -> str:
        """As people read it, wherever it is shown (pages, a roster's bad rows on the command line, the Excel
        未导入行 sheet, import refusals): the field named by its Chinese label only, "注册地：必填"; a
        whole-profile error is its message."""
        return f"{self.label}：{self.message}" if self.field else self.message

    def for_people(self) -> str:
        """The same as ``str()``: "注册地：必填" (kept for the pages' callers)."""
        return str(self)

    def with_key(self) -> str:
        """For a JSON profile file, whose author wrote the keys: the key with its label, "region（注册地）：必填"."""
        return f"{self.field}（{self.label}）：{self.message}" if self.field and self.field != self.label else str(self)


_FIELD_ERRORS = "profile_fields"  # the type of the PydanticCustomError the model validator raises


def inconsistencies(profile: Any) -> list[tuple[str, str, str]]:
    """Every pair of a profile's fields that contradict each other, as (field, code, message): 研发人员数 over
    职工总数, a three-year total under its last year, 高新技术产品收入 over 营业收入, a date of a title not held.
    ``profile``: a Profile or the stored model's copy of it (``_stored_model``)."""
    problems = []
    if profile.rd_staff is not None and profile.employees is not None and profile.rd_staff > profile.employees:
        problems.append(("rd_staff", "too_large", "研发人员数不能大于职工总数"))
    for total, last in (("revenue_3y", "revenue"), ("rd_expense_3y", "rd_expense")):
        both = getattr(profile, total) is not None and getattr(profile, last) is not None
        if both and getattr(profile, total) < getattr(profile, last):
            problems.append((total, "too_small", f"近三年合计不能小于最近一年的{LABELS[last]}"))
    high_tech, revenue = profile.high_tech_revenue, profile.revenue
    if high_tech is not None and revenue is not None and high_tech > revenue:
        problems.append(("high_tech_revenue", "too_large", "高新技术产品（服务）收入不能大于营业收入"))
    for title in profile.qualification_dates:
        if title not in (profile.qualifications or []):
            problems.append(("qualification_dates", "not_held", f"填写了“{title}”的取得日期，但已有资质中没有它"))
    return problems


def _field_errors(problems: list[tuple[str, str, str]]) -> PydanticCustomError:
    """A model validator's errors, each (field, code, message), raised as one: a validator raises one error, and
    pydantic gives it no location."""
    message = "；".join(m for _, _, m in problems)
    return PydanticCustomError(_FIELD_ERRORS, "{message}", {"message": message, "problems": problems})


EARLIEST_FOUNDING = dt.date(1900, 1, 1)
DATE_HINT = "应为完整的年月日，如 2019-04-01 或 2019年4月1日"
TITLE_DATES_HINT = "应写成“资质:日期”，多个用分号隔开，如“高新技术企业:2023-10-15；科技型中小企业:2024-05-01”"
_ERROR_TEXT = {  # pydantic error type → (code, Chinese text)
    "missing": ("missing", "必填"),
    "int_parsing": ("not_an_integer", "应为整数"),
    "int_from_float": ("not_an_integer", "应为整数"),
    "float_parsing": ("not_a_number", "应为数字"),
    "finite_number": ("not_finite", "应为有限的数字（不能是无穷大或 NaN）"),
    "bool_parsing": ("not_yes_no", "应为 是/否（true/false）"),
    "date_parsing": ("bad_date", DATE_HINT),
    "date_type": ("bad_date", DATE_HINT),
    "date_from_datetime_parsing": ("bad_date", DATE_HINT),
    "int_type": ("not_an_integer", "应为整数"),
    "float_type": ("not_a_number", "应为数字"),
    "bool_type": ("not_yes_no", "应为 是/否（true/false）"),
    "date_from_datetime_inexact": ("bad_date", DATE_HINT),
    "string_type": ("wrong_type", "应为文字"),
    "list_type": ("wrong_type", "应为列表"),
    "dict_type": ("wrong_type", TITLE_DATES_HINT),
    "extra_forbidden": ("not_a_field", "不是档案中的字段（请对照档案格式）"),
    "too_short": ("empty", "不能为空"),
    "string_too_short": ("empty", "不能为空"),
}


def _allowed(field: str) -> str | None:
    return {
        "region": "、".join(REGIONS),
        "qualifications": "、".join(QUALIFICATIONS),
        "qualification_dates": "、".join(QUALIFICATIONS),
        "needs": "、".join(BENEFITS),
        "stage": "初创期、成长期、成熟期、拟上市、已上市",
    }.get(field)


def _field_error_of(err: Any) -> FieldError:
    """One pydantic error (an item of ``ValidationError.errors()``) as a FieldError."""
    field = str(err["loc"][0]) if err["loc"] else ""
    kind = err["type"]
    value = err.get("input")
    if kind == "value_error":
        return FieldError(field, "invalid", str(err["msg"]).removeprefix("Value error, "))
    if kind in {"greater_than_equal", "greater_than"}:
        return FieldError(field, "negative", "不能为负数")
    if kind == "less_than_equal":
        limit = err.get("ctx", {}).get("le")
        text = f"不能大于 {limit}" + ("（比例请填小数，如 0.35 表示 35%）" if limit == 1 else "")
        return FieldError(field, "too_large", text + f"（收到“{echo(value)}”）")
    if kind == "string_too_long":
        limit = err.get("ctx", {}).get("max_length")
        return FieldError(field, "too_long", f"过长（最多 {limit} 字，收到 {len(str(value))} 字）")
    if kind in {"literal_error", "enum"}:
        return FieldError(field, "not_allowed", f"“{echo(value)}”不在可选范围内，可选：{_allowed(field)}")
    code, text = _ERROR_TEXT.get(kind, ("invalid", str(err["msg"])))
    if kind not in {"missing", "extra_forbidden"} and value is not None and not isinstance(value, (dict, list)):
        text += f"（收到“{echo(value)}”）"
    return FieldError(field, code, text)


def describe_errors(exc: ValidationError) -> list[FieldError]:
    """What a profile's validation found, field by field (Chinese messages, machine codes)."""
    out = []
    for err in exc.errors():
        if err["type"] == _FIELD_ERRORS:
            out += [FieldError(*problem) for problem in err["ctx"]["problems"]]
        else:
            out.append(_field_error_of(err))
    return out


STAND_INS = {"name": "-", "region": REGIONS[0]}  # the required fields, valid, to validate other fields alone


def _with_inconsistencies(data: dict[str, Any], errors: list[FieldError]) -> list[FieldError]:
    """``errors`` and the contradictions between the fields they do not name (``Profile.inconsistencies``):
    pydantic checks those only once every field is valid, so a form said them a round later (a break-it
    trial). Required fields in error are stood in for, to reach the check."""
    if any(e.code == "not_an_object" for e in errors):
        return errors
    named = {e.field for e in errors}
    good = {k: v for k, v in data.items() if k not in named}
    stand_ins = STAND_INS
    try:
        Profile.model_validate({**good, **{k: v for k, v in stand_ins.items() if k in named or k not in good}})
    except ValidationError as exc:
        return errors + [e for e in describe_errors(exc) if e.field not in named and e not in errors]
    return errors


class ProfileError(ValueError):
    """A profile that cannot be read: ``errors`` name the fields; ``messages`` are their Chinese lines (with
    each field's JSON key when ``source`` names a profile file, whose author wrote the keys)."""

    def __init__(self, errors: list[FieldError], source: str | None = None) -> None:
        self.errors = list(errors)
        self.messages = [e.with_key() if source else str(e) for e in self.errors]
        prefix = f"{source}: " if source else ""
        super().__init__(prefix + "；".join(self.messages))


def parse_profile(data: Any, source: str | None = None) -> Profile:
    """A validated Profile from the interchange dict (a Profile is returned as it is).

    Raises ProfileError naming every field that is wrong; ``source`` (a file name) prefixes its text.
    """
    if isinstance(data, Profile):
        return data
    if not isinstance(data, dict):
        raise ProfileError([FieldError("", "not_an_object", "档案应为 JSON 对象（{…}）")], source)
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(_with_inconsistencies(data, describe_errors(exc)), source) from exc


def _fresh_default(field: FieldInfo) -> FieldInfo:
    """``field``, an empty dict, list or set default made anew for each profile (pydantic would deep-copy it)."""
    if not isinstance(field.default, (dict, list, set)) or field.default:
        return field
    fresh = copy.copy(field)
    fresh.default, fresh.default_factory = PydanticUndefined, type(field.default)
    return fresh


@cache
def _stored_model() -> type[BaseModel]:
    """Profile's fields (types and bounds) and its checks of typed values (its ``after`` validators), without
    its readers of what people type (the ``before`` validators: spellings, places, units, aliases)."""
    decorators = Profile.__pydantic_decorators__
    checks: dict[str, Any] = {
        f"_check{name}": field_validator(*d.info.fields, mode="after")(classmethod(d.func.__func__))
        for name, d in decorators.field_validators.items()
        if d.info.mode == "after"
    }
    checks.update(
        {
            f"_check{name}": model_validator(mode="after")(d.func)
            for name, d in decorators.model_validators.items()
            if d.info.mode == "after"
        }
    )
    fields: dict[str, Any] = {name: (f.annotation, _fresh_default(f)) for name, f in Profile.model_fields.items()}
    return create_model("StoredProfile", __config__=Profile.model_config, __validators__=checks, **fields)


def stored_profile(data: str | dict[str, Any], source: str | None = None) -> Profile:
    """A profile as the registry stores it (``Profile.public_dict``, as a dict or as its JSON text), read
    without running again the readers of what people type: what was stored went through them, and they
    leave what they wrote as it is. The types, bounds and consistency checks still apply; a profile they
    refuse is read by ``parse_profile`` (ProfileError, ``source`` naming it) — the same Profile, in about a
    quarter of the time.
    """
    model = _stored_model()
    try:
        checked = model.model_validate_json(data) if isinstance(data, str) else model.model_validate(data)
    except ValidationError:
        return parse_profile(json.loads(data) if isinstance(data, str) else data, source)
    profile = Profile.__new__(Profile)
    profile.__setstate__(checked.__getstate__())  # the same fields, validated: pickle's way of making one
    return profile


def read_profile(path: Path) -> Profile:
    """The profile in a JSON file (UTF-8, BOM allowed); ProfileError names the file and what is wrong."""
    return parse_profile(load_json(path), source_name(path))


def conversion_notes(data: Any) -> list[str]:
    """The unit conversions reading ``data`` (a profile as JSON) applies, for people to see: "营业收入
    18500000元 → 1,850 万元". Values that cannot be read are left to ``parse_profile`` to refuse."""
    if not isinstance(data, dict):
        return []
    notes = []
    for name, value in data.items():
        if isinstance(value, str) and _number_reader(str(name)) is read_money:
            try:
                note = read_money(value).note
            except QuantityError:
                continue
            if note:
                notes.append(f"{LABELS[name]} {note}")
    return notes


STDIN = Path("-")  # the profile given on standard input (``recommend -``), as Unix tools take it
STDIN_NAME = "标准输入"


def source_name(path: Path) -> str:
    """How messages name the profile file ``path``: its path, or 标准输入 for ``-``."""
    return STDIN_NAME if path == STDIN else str(path)


def load_json(path: Path) -> Any:
    """The JSON in a profile file (UTF-8, BOM allowed), or on standard input when ``path`` is ``-``
    (``STDIN``); ProfileError names the file (or 标准输入) and what is wrong."""
    if path == STDIN:  # read one byte past the limit: json_of then refuses it as too large
        return json_of(sys.stdin.buffer.read(LIMITS.profile_bytes + 1), STDIN_NAME)
    try:
        if (size := path.stat().st_size) > LIMITS.profile_bytes:  # before anything is read
            raise ProfileError([_too_big(size)], str(path))
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ProfileError([FieldError("", "no_file", "文件不存在")], str(path)) from exc
    except OSError as exc:  # a directory, no permission …
        why = {IsADirectoryError: "这是文件夹，不是文件", PermissionError: "没有读取权限"}.get(type(exc), "无法读取")
        raise ProfileError([FieldError("", "no_file", why)], str(path)) from exc
    return json_of(data, str(path))


def _too_big(size: int) -> FieldError:
    limit = size_text(LIMITS.profile_bytes)
    return FieldError("", "too_large", f"文件有 {size_text(size)}，超过档案文件 {limit} 的上限：这不像一份企业档案")


def json_of(data: bytes, source: str | None = None) -> Any:
    """The JSON in uploaded bytes (UTF-8 with or without BOM, UTF-16 with its BOM, GBK: ``spreadsheet.decode``);
    ProfileError naming ``source`` and what is wrong (an encoding none of those, not JSON, a key given twice,
    nested too deep, a number of thousands of digits, over LIMITS.profile_kb)."""
    if len(data) > LIMITS.profile_bytes:
        raise ProfileError([_too_big(len(data))], source)
    try:
        return strict_loads(decode(data))
    except SpreadsheetError as exc:  # neither UTF-8 (BOM or not), UTF-16 with its BOM nor GBK
        said = "文件编码无法识别：请用 UTF-8 编码另存（记事本“另存为”可选编码）"
        raise ProfileError([FieldError("", "not_utf8", said)], source) from exc
    except RecursionError as exc:
        raise ProfileError([FieldError("", "bad_json", "JSON 嵌套层数过多，不是档案")], source) from exc
    except RepeatedKey as exc:
        raise ProfileError([FieldError("", "bad_json", str(exc))], source) from exc
    except json.JSONDecodeError as exc:
        raise ProfileError([FieldError("", "bad_json", f"不是有效的 JSON（{fault(exc)}）")], source) from exc
    except ValueError as exc:  # an integer of thousands of digits
        raise ProfileError([FieldError("", "bad_json", "JSON 中的数字位数过多")], source) from exc
