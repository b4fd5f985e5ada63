"""JSON that people send (a profile, a list of profiles): read strictly, its faults said in Chinese.

A key given twice is refused (``json`` keeps the last one silently: {"employees": 10, "employees": 3000} was read
as 3000); the parser's English messages ("Expecting value") are said in words a person can act on.
"""

from __future__ import annotations

import json
from typing import Any


class RepeatedKey(ValueError):
    """An object of the JSON gives one key twice."""


# the parser's messages (CPython's json), as the start of the message → what to say
_WORDS = {
    "Expecting value": "此处缺少值（文件是空的，或不是 JSON）",
    "Expecting property name enclosed in double quotes": "字段名应放在英文双引号中（或末尾多了一个逗号）",
    "Expecting ',' delimiter": "缺少逗号",
    "Expecting ':' delimiter": "字段名后缺少冒号",
    "Extra data": "JSON 结束后还有多余的内容",
    "Unterminated string": "文字缺少结尾的英文双引号",
    "Invalid control character": "文字中有换行符或控制字符",
    "Invalid \\escape": "文字中有无效的反斜杠写法",
    "Invalid \\uXXXX escape": "文字中有无效的 \\u 写法",
    "Illegal trailing comma": "末尾多了一个逗号",
}


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object's pairs as a dict; RepeatedKey naming the first key given twice."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise RepeatedKey(f"字段“{key}”出现了两次，请只保留一个")
        out[key] = value
    return out


def strict_loads(text: str) -> Any:
    """``json.loads`` of ``text``, refusing a key given twice in one object (RepeatedKey); otherwise its errors
    (json.JSONDecodeError, RecursionError, ValueError for a number of thousands of digits)."""
    return json.loads(text, object_pairs_hook=_unique)


def fault(exc: json.JSONDecodeError) -> str:
    """Where the JSON is wrong and how, in Chinese: "第 1 行第 1 列：此处缺少值（文件是空的，或不是 JSON）"."""
    said = next((words for start, words in _WORDS.items() if exc.msg.startswith(start)), "格式有误")
    return f"第 {exc.lineno} 行第 {exc.colno} 列：{said}"
