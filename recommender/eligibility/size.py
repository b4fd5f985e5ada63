"""Enterprise size class (大型/中型/小型/微型) by the 2017 statistical standard."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

import yaml

from ..paths import CRITERIA

if TYPE_CHECKING:
    from ..profile import Profile

CLASSES = ("大型", "中型", "小型")


@lru_cache(maxsize=1)
def size_table() -> dict[str, Any]:
    """``policies/criteria/size_class.yaml``: the enterprise size classes by sector (统计上大中小微型企业划分办法)."""
    return yaml.safe_load((CRITERIA / "size_class.yaml").read_text(encoding="utf-8"))


def sector_of(industry: str | None) -> str | None:
    """The statistical sector of an industry for the size classes; None when unknown or not given."""
    return size_table()["industry_sector"].get(industry) if industry else None


def size_class(profile: Profile) -> str | None:
    """None when the sector, staff or revenue is unknown."""
    sector = sector_of(profile.industry_category)
    if sector is None or profile.employees is None or profile.revenue is None:
        return None
    limits = size_table()["sectors"][sector]
    for name in CLASSES:
        low = limits[name]
        if profile.employees >= low["employees"] and profile.revenue >= low["revenue"]:
            return name
    return "微型"
