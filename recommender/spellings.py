"""Titles and needs as people and official lists write them → the profile's controlled names
(``policies/lexicon/spellings.yaml``): 专精特新“小巨人”企业 → 专精特新"小巨人", 高企 → 高新技术企业.

Spellings are compared folded (``text_clean.fold``: NFKC, traditional → simplified, no quotes,
brackets, spaces or punctuation, lower case), so every quote style and the full-width and traditional forms of a
listed spelling are read. A name no spelling matches is returned as written, for the profile model to
refuse with the list of allowed names.
"""

from __future__ import annotations

import re
from functools import cache

from .paths import LEXICON
from .text_clean import fold
from .vocab import BENEFITS, QUALIFICATIONS
from .yamlio import load_yaml


@cache
def _spellings(kind: str) -> dict[str, str]:
    """{folded spelling: controlled name} of the ``kind`` list (titles, needs) of ``spellings.yaml``."""
    data, _ = load_yaml(LEXICON / "spellings.yaml")
    out: dict[str, str] = {fold(name): name for name in (QUALIFICATIONS if kind == "titles" else BENEFITS)}
    for name, words in data[kind].items():
        for word in (name, *(words or [])):
            out[fold(str(word))] = str(name)
    return out


def _head_word(kind: str, folded: str) -> str | None:
    """The controlled name of the longest spelling ``folded`` contains, the later one on a tie (a Chinese
    compound's head comes last: 技术改造补贴 is a 补贴); None when it contains none."""
    best: tuple[int, int] | None = None
    found = None
    for word, name in _spellings(kind).items():
        at = folded.rfind(word)
        if at >= 0 and (best is None or (len(word), at + len(word)) > best):
            best, found = (len(word), at + len(word)), name
    return found


def controlled_name(kind: str, text: object) -> str:
    """The controlled name ``text`` spells in the ``kind`` list ("titles" or "needs"), else ``text``
    stripped, with curly quotes made straight (the way controlled names write them). A need may also be a
    phrase holding a spelling (研发补贴, 人才公寓 → 资金补贴, 住房落户); a title must be spelled whole
    (高新技术企业培育库 is no 高新技术企业)."""
    written = str(text).strip()
    folded = fold(written)
    found = _spellings(kind).get(folded)
    if found is None and kind == "needs":
        found = _head_word(kind, folded)
    return found if found is not None else written.replace("“", '"').replace("”", '"').replace("＂", '"')


# what joins two needs written in one item ("资金补贴和人才引进", "资金补贴/融资贷款", "资金补贴 融资贷款")
_JOINERS = re.compile(r"\s+|[/／|｜+＋&＆]|以及|和|及|与")


def controlled_names(kind: str, text: object) -> list[str]:
    """The controlled names ``text`` spells (``controlled_name``): for a need, each of the needs it joins
    (_JOINERS) when every part names one (资金补贴和人才引进 → 资金补贴, 人才引进), else the one it names
    (技术合作与交流 → 技术合作); a title is spelled whole, one name."""
    written = str(text).strip()
    if kind == "needs" and fold(written) not in _spellings(kind):
        parts = [p for p in _JOINERS.split(written) if p.strip()]
        names = [_spellings(kind).get(fold(p)) or _head_word(kind, fold(p)) for p in parts]
        if len(parts) > 1 and all(names):
            return list(dict.fromkeys(n for n in names if n))
    return [controlled_name(kind, text)]
