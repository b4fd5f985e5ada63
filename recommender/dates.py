"""Why a year, month and day written down is no date, in the words people read."""

from __future__ import annotations

import calendar
import datetime as dt

# the dates a page or a command judges policies at (政策有效性判断日期) or lists changes since: the corpus's
# documents are of this century; a year like 1800 or 9999 is a typing slip, said rather than judged
AS_OF_RANGE = (dt.date(2000, 1, 1), dt.date(2099, 12, 31))


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


def date_problem(day: dt.date | None, earliest: dt.date, latest: dt.date) -> str | None:
    """What is wrong with ``day`` for a box or option taking ``earliest`` to ``latest``, in Chinese ("应在
    2000-01-01 至 2099-12-31 之间（填的是 1800-01-01）"); None when nothing is (or when the box is empty)."""
    if day is None or earliest <= day <= latest:
        return None
    return f"应在 {earliest.isoformat()} 至 {latest.isoformat()} 之间（填的是 {day.isoformat()}）"
