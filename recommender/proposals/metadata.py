"""A document's metadata as people edit it (a JSON dict) checked into ``DocumentMeta``, in Chinese.

Kept light (no tagger, no corpus): the registry and the live library import it on every start.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ..corpus_models import DocumentMeta
from ..places import listed_park, park_word, region_of
from ..text_clean import echo
from ..yamlio import DataError

MAX_TITLE = 200  # characters of a title or an issuer: a longer one is a paste gone wrong
META_LABELS = {
    "policy_id": "文件编号（英文小写、数字和连字符）",
    "title": "标题",
    "short_title": "简称",
    "issuer": "发文单位",
    "doc_number": "文号",
    "issued": "印发日期",
    "valid_from": "生效日期",
    "valid_to": "有效期至",
    "applies_to": "适用区域",
}


_WRONG = {  # pydantic's error types → what a person reads (a break-it trial found its English printed)
    "string_type": "应为文字",
    "list_type": "应为列表",
    "dict_type": "应写成 {regions: [区名], parks: [园区名]}",
    "date_type": "应为日期（如 2024-03-01）",
    "date_parsing": "应为日期（如 2024-03-01）",
    "date_from_datetime_parsing": "应为日期（如 2024-03-01）",
    "date_from_datetime_inexact": "应为日期（如 2024-03-01），不带时刻",
    "string_pattern_mismatch": "只能用英文小写字母、数字和连字符“-”，以字母或数字开头（如 hp-tech-2024）",
    "string_too_long": "过长",
    "literal_error": "不在可选范围内",
    "extra_forbidden": "不是文件信息的字段",
    "missing": "必填",
}


def _said(err: Any) -> str:
    """One pydantic error of the metadata in Chinese, with the value received when it is short."""
    value = err.get("input")
    shown = f"（收到“{value}”）" if isinstance(value, str | int | float) and len(str(value)) <= 40 else ""
    return _WRONG.get(err["type"], "格式不对") + shown


def short_title(title: str) -> str:
    """A title cut to 20 characters (with …) for lists."""
    return title if len(title) <= 20 else title[:20] + "…"


def document_meta(meta: dict[str, Any]) -> DocumentMeta:
    """The metadata checked as a ``DocumentMeta``; DataError naming each missing or wrong field in Chinese."""
    problems = []
    for key in ("title", "issuer", "valid_from"):
        if not meta.get(key):
            problems.append(f"缺少{META_LABELS[key]}")
    if problems:
        raise DataError("文件信息不完整：" + "；".join(problems) + "（请在元数据中填写，未知的日期不会被猜测）")
    if len(str(meta["title"])) > MAX_TITLE or len(str(meta["issuer"])) > MAX_TITLE:
        raise DataError(f"文件信息有误：标题和发文单位不超过 {MAX_TITLE} 字")
    data = {**meta, "short_title": meta.get("short_title") or short_title(meta["title"])}
    try:
        found = DocumentMeta.model_validate(data)
    except ValidationError as exc:
        wrong = []
        for err in exc.errors():
            key = str(err["loc"][0]) if err["loc"] else ""
            label = META_LABELS.get(key, key)
            if err["type"] == "extra_forbidden" and len(err["loc"]) > 1:  # a key inside applies_to: name it
                label = f"{label}中的“{echo(err['loc'][-1])}”"
            wrong.append(f"{label}：{_said(err)}")
        raise DataError("文件信息有误：" + "；".join(dict.fromkeys(wrong))) from None
    if found.valid_to is not None and found.valid_to < found.valid_from:
        raise DataError(f"文件信息有误：有效期至 {found.valid_to} 早于生效日期 {found.valid_from}")
    return found


def unlisted_parks(meta: dict[str, Any]) -> str | None:
    """What to check, in one Chinese line, when parks the document is limited to (``applies_to.parks``) are not
    park words of the gazetteer as written there (a typo, several parks in one item, a new park, a district):
    a document's park is met by an enterprise whose 所在园区 contains it, and any other is asked whether it lies
    there, never ruled out (an ``otherwise: unknown`` condition, ``eligibility.conditions``); None when every one
    is listed. Each name is said once, on one line, cut when long (``text_clean.echo``)."""
    area = meta.get("applies_to")
    parks = area.get("parks") if isinstance(area, dict) else None
    if not isinstance(parks, list):
        return None
    unlisted = list(dict.fromkeys(p for p in parks if isinstance(p, str) and not listed_park(p)))
    districts = [p for p in unlisted if region_of(p) is not None]
    others = [p for p in unlisted if p not in districts]
    said = []
    if others:
        shown = "、".join(f"“{echo(p)}”" + (f"（名录中为“{w}”）" if (w := park_word(p)) else "") for p in others)
        said.append(
            f"适用园区{shown}不在园区名录（policies/lexicon/parks.yaml）中，请按名录写法填写，每项一个园区："
            "所在园区不含这一写法的企业都会被请求确认是否位于该园区；如是新园区，请将其加入园区名录"
        )
    if districts:
        shown = "、".join(f"“{echo(p)}”" for p in districts)
        said.append(f"适用园区中{shown}是区名：限定的区请写在适用区域（regions）中")
    return "；".join(said) or None
