"""Chinese text bytes in a legacy (non-Unicode) encoding: GB18030 (GBK, GB2312), or Big5 (繁体 Windows), which
GB18030 also decodes, into garbage (上海張江 → 眎琘): one check shared by rosters, profiles and policy documents."""

from __future__ import annotations

GARBLED_SHARE = 0.5  # of the characters past ASCII, the share outside GB2312 that marks Big5 read as GB18030


def garbled(text: str) -> bool:
    """Whether GB18030-decoded ``text`` reads as Big5 bytes do (上海張江 → 眎琘): a private-use character (GBK's
    user-defined areas, where many Big5 byte pairs fall: 第一條 → 材\ue5e6兵, which real text does not use), or
    most of its characters past ASCII outside GB2312's 7,445, where real GBK text keeps nearly all of them (a text
    in traditional characters ~35 %). A short Big5 text (two articles, 24 characters, half of them outside
    GB2312) was read as garbage and refused for having no clause (a break-it trial)."""
    wide = [c for c in text if ord(c) > 127]
    outside = 0
    for char in wide:
        if _PRIVATE_USE[0] <= ord(char) <= _PRIVATE_USE[1]:
            return True
        try:
            char.encode("gb2312")
        except UnicodeEncodeError:
            outside += 1
    return bool(wide) and outside > GARBLED_SHARE * len(wide)


_PRIVATE_USE = (0xE000, 0xF8FF)  # the Basic Multilingual Plane's private use area


def gb_or_big5(data: bytes) -> str | None:
    """``data`` decoded as GB18030, or as Big5 when GB18030 cannot decode it or reads it garbled (``garbled``);
    None when neither decodes every byte."""
    try:
        text: str | None = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is None or garbled(text):
        try:
            return data.decode("big5")
        except UnicodeDecodeError:
            pass
    return text
