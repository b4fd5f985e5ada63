"""A document's metadata as people edit it (a JSON dict) checked into ``DocumentMeta``, in Chinese.

Kept light (no tagger, no corpus): the registry and the live library import it on every start.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ..corpus_models import DocumentMeta
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
            wrong.append(f"{META_LABELS.get(key, key)}：{err['msg']}")
        raise DataError("文件信息有误：" + "；".join(wrong)) from None
    if found.valid_to is not None and found.valid_to < found.valid_from:
        raise DataError(f"文件信息有误：有效期至 {found.valid_to} 早于生效日期 {found.valid_from}")
    return found
