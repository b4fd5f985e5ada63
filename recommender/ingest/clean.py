"""Line-level cleaning: markup, pinyin, traditional characters, punctuation, boilerplate."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

import opencc

LOST = "?"  # what the sources use for a character they lost
LOST_MARK = "〔原文缺字〕"  # what a reader sees instead of a damaged span; never guessed

_PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňḿ]{1,7}\)")
_HTML = re.compile(r"</?(?:p|b|strong|span|div)\b[^>]*>", re.IGNORECASE)
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_PRIVATE_USE = re.compile("[\ue000-\uf8ff\ufffd]")
_MD_HEADING = re.compile(r"^#{1,6}\s*")
_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_SPACE_NOT_BETWEEN_LATIN = re.compile(r"(?<![A-Za-z0-9])\s+|\s+(?![A-Za-z0-9])")
# spaces as " ", full-width letters and digits (ＡＢＣ１２３ in U+FF01–U+FF5E) as ASCII ones; full-width signs stay
_TO_HALF = str.maketrans(
    {c: chr(ord(c) - 0xFEE0) for c in map(chr, range(ord("！"), ord("～") + 1)) if c.isalnum()}
    | {"\u00a0": " ", "\u3000": " "}
)
_HALF_TO_FULL = str.maketrans({",": "，", ";": "；", ":": "：", "(": "（", ")": "）", "!": "！"})
_DIGIT_SEP = re.compile(r"(?<=\d)[,:](?=\d)")
# A damaged span of a GBK text read out of step: lost bytes ("?"), then characters decoded from
# misaligned byte pairs, up to a stray single Latin letter or punctuation sign that was a trail
# byte; inserted pinyin cut by the damage ("?qū）") is part of it. E.g. "高??萍汲晒?D化".
_GARBLED = re.compile(
    r"\?+(?:[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7}[)）])?"
    r"(?:[\u3400-\u9fff；：，！]{0,5}?(?:\?+|[A-Za-z](?![A-Za-z])))*"
)


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def strip_markup(text: str, br: str = "") -> str:
    """Remove HTML fragments and Markdown markup, keeping the words."""
    text = _BR.sub(br, text)
    text = _HTML.sub("", text)
    text = _MD_HEADING.sub("", text.strip())
    return text.replace("**", "").replace("__", "")


def t2s(text: str) -> str:
    """Traditional characters as simplified ones (OpenCC ``t2s``): 張江科學城 → 张江科学城."""
    return _t2s().convert(text)


def to_simplified(text: str) -> str:
    """Drop inserted pinyin ("長(zhǎng)") and convert traditional to simplified characters."""
    return t2s(_PINYIN.sub("", text))


def normalize(text: str) -> str:
    """One spelling of punctuation and spacing, whatever the source mixed."""
    text = text.translate(_TO_HALF)
    text = _PRIVATE_USE.sub(LOST, text)
    text = _DIGIT_SEP.sub(lambda m: "\0" + m.group(0), text)
    text = text.translate(_HALF_TO_FULL).replace("\0，", ",").replace("\0：", ":")
    text = text.replace("\0", "")
    text = text.replace("［", "〔").replace("］", "〕")
    return _SPACE_NOT_BETWEEN_LATIN.sub("", text.strip())


def mark_lost(text: str) -> str:
    """Each damaged span (lost characters and the garbage read around them) replaced by ``LOST_MARK``."""
    return _GARBLED.sub(LOST_MARK, text)


def clean_line(raw: str, br: str = "") -> str:
    """One source line as text: markup stripped (``<br>`` replaced by ``br``), traditional → simplified,
    normalized, damaged spans marked 〔原文缺字〕.
    """
    return mark_lost(normalize(to_simplified(strip_markup(raw, br))))


# Lines that are never policy text, whatever document they stand in.
_BOILERPLATE = [
    re.compile(p)
    for p in (
        r"^[-_=—]{3,}$",
        r"^\d+$",  # page numbers, view counters, undelimited dates ("2015814")
        r"^(收藏|分享)$",
        r"^首页",
        r"^声明：|版权归原作者|广告合作",
        r"^信息公开属性",
        r"^（共印\d+份）$",
        r"印发$",
        r"^抄送：",
        r"^附件[：]?",
        r"任务分解表$|事项清单$",
    )
]


def is_boilerplate(text: str) -> bool:
    """Whether a cleaned line is to drop: empty, a spam or navigation bar, or a pattern of ``_BOILERPLATE``."""
    if not text:
        return True
    if text.count("|") >= 4 and not text.startswith("|"):  # a spam or navigation bar
        return True
    return any(p.search(text) for p in _BOILERPLATE)


_NOT_A_HEADER = re.compile(r"[。；]|^[（(](?:牵头|配合|责任)")


def repeated_lines(raw_lines: list[str], times: int = 3) -> set[str]:
    """Lines repeated ``times`` or more: page headers and table header rows. A sentence ("支持对象：对已
    认定的高新技术企业。") or a department note repeated under each article is text, never a header."""
    counts = Counter(line.strip() for line in raw_lines if line.strip())
    return {line for line, n in counts.items() if n >= times and not _NOT_A_HEADER.search(line)}
