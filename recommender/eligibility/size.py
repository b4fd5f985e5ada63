"""Enterprise size class (大型/中型/小型/微型) by the 2017 statistical standard."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..paths import CRITERIA
from ..yamlio import load_yaml

if TYPE_CHECKING:
    from ..profile import Profile

CLASSES = ("大型", "中型", "小型")
SIZE_CLASSES = (*CLASSES, "微型")  # every value size_class() may give (微型 when no threshold is reached)


@lru_cache(maxsize=1)
def size_table() -> dict[str, Any]:
    """``policies/criteria/size_class.yaml``: the enterprise size classes by sector (统计上大中小微型企业划分办法)."""
    return load_yaml(CRITERIA / "size_class.yaml")[0]  # DataError names the file and line


def sectors_of(industry: str | None) -> tuple[str, ...]:
    """The statistical sectors an industry may fall in (集成电路: design is 软件和信息技术服务业, a fab is
    工业); empty when unknown or not given."""
    found = size_table()["industry_sector"].get(industry) if industry else None
    return () if found is None else (found,) if isinstance(found, str) else tuple(found)


def sector_of(industry: str | None) -> str | None:
    """The one statistical sector of an industry; None when unknown, not given or ambiguous."""
    sectors = sectors_of(industry)
    return sectors[0] if len(sectors) == 1 else None


def _class_in(sector: str, employees: int, revenue: float) -> str:
    limits = size_table()["sectors"][sector]
    for name in CLASSES:
        low = limits[name]
        if employees >= low["employees"] and revenue >= low["revenue"]:
            return name
    return "微型"


def size_class(profile: Profile) -> str | None:
    """The size class; None when the sector, staff or revenue is unknown, or when the sectors the
    industry may fall in give different classes."""
    sectors = sectors_of(profile.industry_category)
    if not sectors or profile.employees is None or profile.revenue is None:
        return None
    classes = {_class_in(s, profile.employees, profile.revenue) for s in sectors}
    return classes.pop() if len(classes) == 1 else None
