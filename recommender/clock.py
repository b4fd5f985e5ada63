"""Today's date where the users are: Shanghai (UTC+8, no daylight saving), whatever the server's zone.

A server running in UTC would otherwise start the 政策有效性判断日期 on yesterday's date between
00:00 and 08:00 Shanghai time.
"""

from __future__ import annotations

import datetime as dt

SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


def today() -> dt.date:
    """Today's date in Shanghai."""
    return dt.datetime.now(SHANGHAI).date()
