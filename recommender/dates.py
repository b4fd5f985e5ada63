"""Why a year, month and day written down is no date, in the words people read."""

from __future__ import annotations

import calendar


def missing_date(year: int, month: int, day: int) -> str | None:
    """Why ``year``-``month``-``day`` is no date ("2019 年 2 月只有 28 天", "没有 13 月"); None when it is one."""
    if not 1 <= month <= 12:
        return f"没有 {month} 月"
    if year < 1:
        return "年份应从 1 年起"
    if day < 1:
        return "日应从 1 日起"
    days = calendar.monthrange(year, month)[1]
    return f"{year} 年 {month} 月只有 {days} 天" if day > days else None
