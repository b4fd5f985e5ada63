"""Titles and needs as people and official lists write them → the profile's controlled names
(``policies/lexicon/spellings.yaml``): 专精特新“小巨人”企业 → 专精特新"小巨人", 高企 → 高新技术企业.

Spellings are compared folded (``text_clean.squeeze``: NFKC, traditional → simplified, no quotes,
brackets, spaces or punctuation), so every quote style and the full-width and traditional forms of a
listed spelling are read. A name no spelling matches is returned as written, for the profile model to
refuse with the list of allowed names.
"""

from __future__ import annotations

from functools import cache

from .paths import LEXICON
from .text_clean import squeeze
from .yamlio import load_yaml


@cache
def _spellings(kind: str) -> dict[str, str]:
    """{folded spelling: controlled name} of the ``kind`` list (titles, needs) of ``spellings.yaml``."""
    data, _ = load_yaml(LEXICON / "spellings.yaml")
    out: dict[str, str] = {}
    for name, words in data[kind].items():
        for word in (name, *(words or [])):
            out[squeeze(str(word)).lower()] = str(name)
    return out


def controlled_name(kind: str, text: object) -> str:
    """The controlled name ``text`` spells in the ``kind`` list ("titles" or "needs"), else ``text``
    stripped, with curly quotes made straight (the way controlled names write them)."""
    written = str(text).strip()
    found = _spellings(kind).get(squeeze(written).lower())
    return found if found is not None else written.replace("“", '"').replace("”", '"').replace("＂", '"')
