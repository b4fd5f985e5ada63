"""Places as people write them: Shanghai's districts in every usual spelling and its parks and zones
with the districts they lie in (``policies/lexicon/districts.yaml``, ``parks.yaml``).

``split_place("上海浦东张江")`` → ("浦东新区", "张江"); ``park_districts("漕河泾开发区")`` → (徐汇区, 闵行区).
Names are compared folded (``text_clean.fold``: NFKC, traditional → simplified, no spaces or
punctuation, lower case), so 黃浦區, ＰＵＤＯＮＧ and "Pudong New Area" are read too.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

from .paths import LEXICON
from .text_clean import fold
from .vocab import REGIONS
from .yamlio import load_yaml


@cache
def _district_spellings() -> dict[str, str]:
    """Every district spelling (``policies/lexicon/districts.yaml`` and each official name's short
    form without 区/新区), folded by ``fold``, → its official name."""
    data = load_yaml(LEXICON / "districts.yaml")[0]  # DataError names the file and line
    out = {fold(r.removesuffix("新区").removesuffix("区")): r for r in REGIONS if r != "上海市外"}
    out.update({fold(r): r for r in REGIONS})
    out.update({fold(str(w)): str(r) for r, words in data.items() for w in words})
    return out


_CITY = ("中国上海市", "中国上海", "上海市", "上海", "shanghaichina", "shanghai", "china")
# districts merged into others, as people still write them in old records: the district now, the year merged
FORMER_DISTRICTS = {"南汇": ("浦东新区", 2009), "卢湾": ("黄浦区", 2011), "闸北": ("静安区", 2015)}


def _without_city(folded: str) -> str:
    """A folded place without the city written before or after it ("上海市浦东新区" → "浦东新区")."""
    for city in _CITY:
        if folded.startswith(city) and len(folded) > len(city):
            folded = folded.removeprefix(city)
        if folded.endswith(city) and len(folded) > len(city):
            folded = folded.removesuffix(city)
    return folded


@lru_cache(maxsize=65536)  # every profile parse; the lexicon does not change
def split_place(text: str) -> tuple[str | None, str]:
    """(the official district a person's spelling names, the park written after it): "上海市浦东新区" →
    ("浦东新区", ""), "上海浦东张江" → ("浦东新区", "张江"), "Jinshan District, Shanghai" → ("金山区", "");
    (None, text) when it names no district, or more than a district and a park ("浦东新区以外").
    Spellings: ``policies/lexicon/districts.yaml`` and ``parks.yaml``."""
    folded = fold(text)
    spellings = _district_spellings()
    if folded in spellings:
        return spellings[folded], ""
    folded = _without_city(folded)
    for end in range(min(len(folded), 40), 1, -1):  # the longest spelling the text starts with
        district = spellings.get(folded[:end])
        if district is not None and district != "上海市外":
            rest = folded[end:]
            if not rest or _is_park(rest):
                return district, rest
            return (district, folded) if _is_park(folded) else (None, text)  # 金山工业区: the whole is the park
    return None, text


@cache
def _parks() -> dict[str, Any]:
    """``policies/lexicon/parks.yaml`` as read (once)."""
    return load_yaml(LEXICON / "parks.yaml")[0]


@cache
def _gazetteer() -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    """({folded park word: its districts}, the suffixes that end a park's name) of ``parks.yaml``."""
    data = _parks()
    parks = {fold(str(name)): tuple(str(d) for d in districts or []) for name, districts in data["parks"].items()}
    return parks, tuple(data["suffixes"])


@cache  # asked for once per candidate zone of a document (ingest.meta_proposal)
def park_words() -> tuple[str, ...]:
    """The park words of ``policies/lexicon/parks.yaml`` as written there, longest first."""
    return tuple(sorted((str(p) for p in _parks()["parks"]), key=len, reverse=True))


def _is_park(text: str) -> bool:
    """Whether ``text`` (folded) names a park, zone or town (``policies/lexicon/parks.yaml``)."""
    parks, suffixes = _gazetteer()
    return text in parks or (len(text) >= 2 and text.endswith(suffixes) and text not in suffixes)


def park_word(text: str) -> str | None:
    """The longest park word of the gazetteer that ``text`` (folded, without the city) starts with
    ("张江高科技园区" → "张江"), or None."""
    folded = _without_city(fold(text))
    parks, _ = _gazetteer()
    return next((folded[:n] for n in range(len(folded), 0, -1) if folded[:n] in parks), None)


def listed_park(text: str) -> bool:
    """Whether ``text`` is a park word of the gazetteer (``policies/lexicon/parks.yaml``) as written there, the
    city before it aside and compared folded ("張江", "上海市张江"); "张江高科技园区", "张江以外" are not."""
    return _without_city(fold(text)) in _gazetteer()[0]


def park_districts(text: str) -> tuple[str, ...]:
    """The districts a park written alone lies in ("张江高科技园区" → (浦东新区,), "漕河泾开发区" → (徐汇区,
    闵行区)); () when ``text`` names no park of the gazetteer or one listed with no district (滨江)."""
    found = park_word(text)
    return _gazetteer()[0][found] if found is not None else ()


def park_elsewhere(region: str | None, park: str | None) -> str | None:
    """What to confirm when the park ``park`` lies in districts other than ``region`` ("所在园区“金桥”在浦东新区，
    注册地为徐汇区：请确认…"); None when they agree, or the gazetteer does not place the park. Registration and
    operating address may differ: asked, never refused (a break-it trial found 徐汇区 + 金桥 read without a word)."""
    districts = park_districts(park) if park else ()
    if not region or not districts or region in districts:
        return None
    return f"所在园区“{park}”在{'或'.join(districts)}，注册地为{region}：请确认两者（注册地与经营地址可以不同）"


def region_of(text: str) -> str | None:
    """The official district a person's spelling names (上海市浦东新区, 浦东, Pudong New Area, 黃浦區 …),
    or None when it names none or names more (a park after the district: see ``split_place``)."""
    district, rest = split_place(text)
    return district if not rest else None


def read_place(region: str, park: object = None) -> tuple[str, object]:
    """(region, park) of a profile from what a person wrote in 注册地 and 所在园区. The region is the
    official district when one is named ("上海市浦东新区"); a park written after it goes to ``park`` when
    that is empty or says the same ("上海浦东张江" → 浦东新区, 张江); a park alone sets both ("张江" →
    浦东新区, 张江). Text naming neither is returned as written (the profile model refuses it).
    ValueError (Chinese, one line) for a park lying in several districts ("漕河泾": 徐汇区 or 闵行区)."""
    district, rest = split_place(region)
    if district is not None:
        if not rest:
            return district, park
        if park in (None, "") or (isinstance(park, str) and (rest in fold(park) or fold(park) in rest)):
            return district, park or rest
        return region, park
    districts = park_districts(region)
    if len(districts) == 1:
        return districts[0], park or region.strip()
    if len(districts) > 1:
        raise ValueError(f"“{region.strip()}”跨{'、'.join(districts)}，请写明注册地所在的区（如“{districts[0]}”）")
    if park_word(region) is not None:  # 虹桥, 滨江: a place in several districts the gazetteer cannot tell
        raise ValueError(f"“{region.strip()}”是园区或片区，不能确定在哪个区：请写明注册地所在的区")
    _former_district(region)
    return region, park


def _former_district(region: str) -> None:
    """ValueError naming the district a former one was merged into (卢湾区 → 黄浦区, FORMER_DISTRICTS), when
    ``region`` names one; else nothing."""
    former = _without_city(fold(region)).removesuffix("区")
    if former in FORMER_DISTRICTS:
        now, year = FORMER_DISTRICTS[former]
        raise ValueError(f"“{region.strip()}”已于 {year} 年并入{now}：请填写现在的区名“{now}”")
