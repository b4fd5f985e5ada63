"""The enterprise profile (../shared/spec/profile.md): one model for CLI, page, rosters and tests."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import types
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Union, get_args, get_origin

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .company import CreditCodeError, check_credit_code
from .paths import LEXICON
from .text_clean import clean_query, squeeze, strip_invisible
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

_QUALIFICATION_ALIASES = {
    "高企": "高新技术企业",
    "国家高新技术企业": "高新技术企业",
    "科小": "科技型中小企业",
    "专精特新": "专精特新中小企业",
    "专精特新企业": "专精特新中小企业",
    "专精特新小巨人": '专精特新"小巨人"',
    "技术先进型企业": "技术先进型服务企业",
    "赋能企业": "GOI赋能企业",
}
_NEED_ALIASES = {
    "补贴": "资金补贴",
    "资助": "资金补贴",
    "资金": "资金补贴",
    "税收": "税收优惠",
    "减税": "税收优惠",
    "融资": "融资贷款",
    "贷款": "融资贷款",
    "投资": "股权投资",
    "人才": "人才引进",
    "招聘": "人才引进",
    "住房": "住房落户",
    "落户": "住房落户",
    "场地": "场地空间",
    "空间": "场地空间",
    "厂房": "场地空间",
    "专利": "知识产权",
    "资质": "资质认定",
    "认定": "资质认定",
    "技术": "技术合作",
    "市场": "市场拓展",
    "培训": "培训辅导",
    "辅导": "培训辅导",
    "政务": "政务服务",
    "法律": "法律服务",
    "上市": "上市辅导",
}


@lru_cache(maxsize=1)
def industry_words() -> dict[str, list[str]]:
    """Controlled industry → words that point to it (``policies/lexicon/industries.yaml``)."""
    data = yaml.safe_load((LEXICON / "industries.yaml").read_text(encoding="utf-8"))
    return {str(k): [str(w) for w in v] for k, v in data.items()}


@cache
def _district_spellings() -> dict[str, str]:
    """Every district spelling (``policies/lexicon/districts.yaml`` and each official name's short
    form without 区/新区), folded by ``_fold``, → its official name."""
    data = yaml.safe_load((LEXICON / "districts.yaml").read_text(encoding="utf-8"))
    out = {_fold(r.removesuffix("新区").removesuffix("区")): r for r in REGIONS if r != "上海市外"}
    out.update({_fold(r): r for r in REGIONS})
    out.update({_fold(str(w)): str(r) for r, words in data.items() for w in words})
    return out


def _fold(text: str) -> str:
    """A place name as compared: ``squeeze`` (NFKC, simplified, no spaces or punctuation), lower case."""
    return squeeze(text).lower()


_CITY = ("中国上海市", "中国上海", "上海市", "上海", "shanghaichina", "shanghai", "china")


@lru_cache(maxsize=65536)  # every profile parse; the lexicon does not change
def split_place(text: str) -> tuple[str | None, str]:
    """(the official district a person's spelling names, the park written after it): "上海市浦东新区" →
    ("浦东新区", ""), "上海浦东张江" → ("浦东新区", "张江"), "Jinshan District, Shanghai" → ("金山区", "");
    (None, text) when it names no district, or more than a district and a park ("浦东新区以外").
    Spellings: ``policies/lexicon/districts.yaml`` and ``parks.yaml``."""
    folded = _fold(text)
    spellings = _district_spellings()
    if folded in spellings:
        return spellings[folded], ""
    for city in _CITY:
        if folded.startswith(city) and len(folded) > len(city):
            folded = folded.removeprefix(city)
        if folded.endswith(city) and len(folded) > len(city):
            folded = folded.removesuffix(city)
    for end in range(min(len(folded), 40), 1, -1):  # the longest spelling the text starts with
        district = spellings.get(folded[:end])
        if district is not None and district != "上海市外":
            rest = folded[end:]
            if not rest or _is_park(rest):
                return district, rest
            return (district, folded) if _is_park(folded) else (None, text)  # 金山工业区: the whole is the park
    return None, text


@cache
def _park_words() -> tuple[frozenset[str], tuple[str, ...]]:
    data = yaml.safe_load((LEXICON / "parks.yaml").read_text(encoding="utf-8"))
    return frozenset(data["parks"]), tuple(data["suffixes"])


def _is_park(text: str) -> bool:
    """Whether ``text`` (folded) names a park, zone or town (``policies/lexicon/parks.yaml``)."""
    parks, suffixes = _park_words()
    return text in parks or (len(text) >= 2 and text.endswith(suffixes) and text not in suffixes)


def region_of(text: str) -> str | None:
    """The official district a person's spelling names (上海市浦东新区, 浦东, Pudong New Area, 黃浦區 …),
    or None when it names none or names more (a park after the district: see ``split_place``)."""
    district, rest = split_place(text)
    return district if not rest else None


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


_LOOSE_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def loose_date(value: Any) -> Any:
    """Accept 2020/1/1, 2020.1.1 and 2020年1月1日 as well as ISO dates; blank is missing."""
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        if m := _LOOSE_DATE.match(value):
            return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    return value


MAX_NUMBER = 1e12  # input sanity, not a policy threshold: no profile number is this large


def annotation_kind(annotation: Any) -> str:
    """What a Profile field's type annotation holds: int, float, bool, date, list, dict or text."""
    if get_origin(annotation) in (Union, types.UnionType):
        annotation = next(a for a in get_args(annotation) if a is not type(None))
    origin = get_origin(annotation) or annotation
    kinds = {bool: "bool", int: "int", float: "float", dt.date: "date", list: "list", dict: "dict"}
    return kinds.get(origin, "text")


@cache
def _is_number_field(name: str) -> bool:
    """Whether the Profile field ``name`` holds an int or a float (read once per field, from its annotation)."""
    return annotation_kind(Profile.model_fields[name].annotation) in {"int", "float"}


NONE_WORDS = frozenset({"无", "暂无", "没有", "无资质"})  # a list cell that says "none"


def _aliased_list(value: Any, aliases: dict[str, str]) -> Any:
    """A list (or a "、"/","-separated string) with each item spelled the controlled way; "无" is the empty list."""
    if isinstance(value, str):
        value = [v for v in value.replace("，", ",").replace("、", ",").split(",") if v.strip()]
    if isinstance(value, list):
        named = [v for v in value if str(v).strip() not in NONE_WORDS]
        if named and len(named) < len(value):
            raise ValueError(f"既填了“无”又填了{'、'.join(map(str, named))}，请只保留一种")
        return list(dict.fromkeys(_canonical(v, aliases) for v in named))
    return value


def _canonical(value: Any, aliases: dict[str, str]) -> str:
    """One name spelled the controlled way: straight quotes, aliases resolved."""
    name = _normalize_quotes(str(value))
    return aliases.get(name, name)


def _normalize_quotes(text: str) -> str:
    return text.strip().replace("“", '"').replace("”", '"').replace("＂", '"')


class Profile(BaseModel):
    """An enterprise profile as ``../shared/spec/profile.md`` defines it; a missing field is unknown (None)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)

    name: str = Field(min_length=1)
    region: Region
    park: str | None = None
    industry: str | None = None
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
    description: str | None = None
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
        """A district as people write it becomes the official name; a park written after it
        ("上海浦东张江") goes to ``park`` when that is empty, or is kept when it says the same (张江科学城)."""
        if not isinstance(data, dict) or not isinstance(data.get("region"), str):
            return data
        district, rest = split_place(data["region"])
        if district is None:
            return data
        if not rest:
            return {**data, "region": district}
        park = data.get("park")
        if park in (None, "") or (isinstance(park, str) and (rest in _fold(park) or _fold(park) in rest)):
            return {**data, "region": district, "park": park or rest}
        return data

    @field_validator("qualifications", mode="before")
    @classmethod
    def _qualification_aliases(cls, value: Any) -> Any:
        if isinstance(value, list) and any(v is None for v in value):
            raise ValueError("资质列表中有空值（null）")
        value = _aliased_list(value, _QUALIFICATION_ALIASES)
        if isinstance(value, list) and "小巨人" in value:
            raise ValueError("“小巨人”可能指专精特新“小巨人”或科技小巨人，请写全称")
        return value

    @field_validator("*", mode="before")
    @classmethod
    def _plain_number(cls, value: Any, info: ValidationInfo) -> Any:
        """A number field holds a number, not true/false, of a size a profile can have (|x| ≤ 1e12)."""
        if not _is_number_field(info.field_name or ""):
            return value
        if isinstance(value, bool):
            raise ValueError("应为数字，不是 是/否")
        if isinstance(value, str):
            try:
                value = float(value) if value.strip() else value
            except ValueError:
                return value  # not a number: the field's own check says so
        finite = isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))
        if finite and abs(value) > MAX_NUMBER:  # Infinity/NaN: the model's own finite check says so
            raise ValueError(f"数值过大（超过 {MAX_NUMBER:.0e}），请检查单位")
        return value

    @field_validator("qualification_dates", mode="before")
    @classmethod
    def _qualification_date_aliases(cls, value: Any) -> Any:
        if isinstance(value, dict):
            dates = {_canonical(k, _QUALIFICATION_ALIASES): loose_date(v) for k, v in value.items()}
            if len(dates) < len(value):
                raise ValueError("同一资质填了两个取得日期（如“高企”和“高新技术企业”），请只保留一个")
            return dates
        return value

    @field_validator("needs", mode="before")
    @classmethod
    def _need_aliases(cls, value: Any) -> Any:
        return _aliased_list(value, _NEED_ALIASES)

    @field_validator("founded", mode="before")
    @classmethod
    def _loose_date(cls, value: Any) -> Any:
        return loose_date(value)

    @field_validator("credit_code", mode="before")
    @classmethod
    def _credit_code(cls, value: Any) -> Any:
        """Blank is missing; text is normalised and checked (``company.check_credit_code``, GB 32100-2015)."""
        if not isinstance(value, str):
            return value
        if not strip_invisible(value).strip():
            return None
        try:
            return check_credit_code(value)
        except CreditCodeError as exc:
            raise ValueError(exc.detail) from None

    @field_validator("name", "park", "industry", "description", "stage", mode="before")
    @classmethod
    def _blank_is_missing(cls, value: Any) -> Any:
        """Control characters (a vertical tab pasted from Word) read as a space, zero-width ones as
        nothing; blank text is not given (``name`` then fails as required)."""
        if not isinstance(value, str):
            return value
        value = strip_invisible(value)
        return None if not value.strip() else value

    @model_validator(mode="after")
    def _consistent(self) -> Profile:
        if self.rd_staff is not None and self.employees is not None and self.rd_staff > self.employees:
            raise _field_error("rd_staff", "too_large", "研发人员数不能大于职工总数")
        for total, last in (("revenue_3y", "revenue"), ("rd_expense_3y", "rd_expense")):
            both = getattr(self, total) is not None and getattr(self, last) is not None
            if both and getattr(self, total) < getattr(self, last):
                raise _field_error(total, "too_small", f"近三年合计不能小于最近一年的{LABELS[last]}")
        if self.high_tech_revenue is not None and self.revenue is not None and self.high_tech_revenue > self.revenue:
            raise _field_error("high_tech_revenue", "too_large", "高新技术产品（服务）收入不能大于营业收入")
        for title in self.qualification_dates:
            if title not in (self.qualifications or []):
                raise _field_error("qualification_dates", "not_held", f"填写了“{title}”的取得日期，但已有资质中没有它")
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
        """As the command line prints it: "region（注册地）：必填"; a whole-profile error is its message."""
        return f"{self.field}（{self.label}）：{self.message}" if self.field else self.message

    def for_people(self) -> str:
        """As a page shows it, the field named by its label only: "注册地：必填"."""
        return f"{self.label}：{self.message}" if self.field else self.message


_FIELD_ERROR = "profile_field"  # the type of the PydanticCustomError a model validator raises


def _field_error(field: str, code: str, message: str) -> PydanticCustomError:
    """A model validator's error that names its field (pydantic gives such errors no location)."""
    return PydanticCustomError(_FIELD_ERROR, "{message}", {"field": field, "code": code, "message": message})


_ERROR_TEXT = {  # pydantic error type → (code, Chinese text)
    "missing": ("missing", "必填"),
    "int_parsing": ("not_an_integer", "应为整数"),
    "int_from_float": ("not_an_integer", "应为整数"),
    "float_parsing": ("not_a_number", "应为数字"),
    "finite_number": ("not_finite", "应为有限的数字（不能是无穷大或 NaN）"),
    "bool_parsing": ("not_yes_no", "应为 是/否（true/false）"),
    "date_parsing": ("bad_date", "日期格式应为 YYYY-MM-DD"),
    "date_type": ("bad_date", "应为日期（YYYY-MM-DD）"),
    "date_from_datetime_parsing": ("bad_date", "日期格式应为 YYYY-MM-DD"),
    "int_type": ("not_an_integer", "应为整数"),
    "float_type": ("not_a_number", "应为数字"),
    "bool_type": ("not_yes_no", "应为 是/否（true/false）"),
    "date_from_datetime_inexact": ("bad_date", "日期格式应为 YYYY-MM-DD"),
    "string_type": ("wrong_type", "应为文字"),
    "list_type": ("wrong_type", "应为列表"),
    "dict_type": ("wrong_type", "应为 {资质: 日期} 的对照表"),
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
    if kind == _FIELD_ERROR:
        ctx = err["ctx"]
        return FieldError(ctx["field"], ctx["code"], ctx["message"])
    if kind == "value_error":
        return FieldError(field, "invalid", str(err["msg"]).removeprefix("Value error, "))
    if kind in {"greater_than_equal", "greater_than"}:
        return FieldError(field, "negative", "不能为负数")
    if kind == "less_than_equal":
        limit = err.get("ctx", {}).get("le")
        text = f"不能大于 {limit}" + ("（比例请填小数，如 0.35 表示 35%）" if limit == 1 else "")
        return FieldError(field, "too_large", text + f"（收到“{value}”）")
    if kind in {"literal_error", "enum"}:
        return FieldError(field, "not_allowed", f"“{value}”不在可选范围内，可选：{_allowed(field)}")
    code, text = _ERROR_TEXT.get(kind, ("invalid", str(err["msg"])))
    if kind not in {"missing", "extra_forbidden"} and value is not None and not isinstance(value, (dict, list)):
        text += f"（收到“{value}”）"
    return FieldError(field, code, text)


def describe_errors(exc: ValidationError) -> list[FieldError]:
    """What a profile's validation found, field by field (Chinese messages, machine codes)."""
    return [_field_error_of(err) for err in exc.errors()]


class ProfileError(ValueError):
    """A profile that cannot be read: ``errors`` name the fields; ``messages`` are their Chinese lines."""

    def __init__(self, errors: list[FieldError], source: str | None = None) -> None:
        self.errors = list(errors)
        self.messages = [str(e) for e in self.errors]
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
        raise ProfileError(describe_errors(exc), source) from exc


def read_profile(path: Path) -> Profile:
    """The profile in a JSON file (UTF-8, BOM allowed); ProfileError names the file and what is wrong."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError as exc:
        raise ProfileError([FieldError("", "no_file", "文件不存在")], str(path)) from exc
    except OSError as exc:  # a directory, no permission …
        why = {IsADirectoryError: "这是文件夹，不是文件", PermissionError: "没有读取权限"}.get(type(exc), "无法读取")
        raise ProfileError([FieldError("", "no_file", why)], str(path)) from exc
    except RecursionError as exc:
        raise ProfileError([FieldError("", "bad_json", "JSON 嵌套层数过多，不是档案")], str(path)) from exc
    except UnicodeDecodeError as exc:
        raise ProfileError([FieldError("", "not_utf8", "文件不是 UTF-8 编码的文本")], str(path)) from exc
    except json.JSONDecodeError as exc:
        where = f"第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}"
        raise ProfileError([FieldError("", "bad_json", f"不是有效的 JSON（{where}）")], str(path)) from exc
    except ValueError as exc:  # an integer of thousands of digits
        raise ProfileError([FieldError("", "bad_json", "JSON 中的数字位数过多")], str(path)) from exc
    return parse_profile(data, str(path))
