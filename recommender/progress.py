"""Progress lines on stderr for the long commands (``batch``, ``import-roster``, ``push``), drawn by tqdm.

Shown only when stderr is a terminal (tqdm's ``disable=None``): a script or a test reading stderr sees only
the lines it expects (bad rows, one error line), never a progress bar.

In a narrow terminal the line still shows how far the job is (percentage and rows done of rows in all): tqdm
cuts a line too long at its right end, where the counts are when the description (a roster's file name) is
long. ``fit`` shortens the description first, then drops the times and the bar.
"""

from __future__ import annotations

import sys
import unicodedata
from types import TracebackType
from typing import Any

from tqdm import tqdm

MIN_DESC = 10  # columns of the description kept before the times are dropped ("读取 202…")
MIN_BAR = 5  # columns of bar below which the compact line is drawn instead of tqdm's
MORE = "…"


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal: two for a wide or ambiguous character (…, as a Chinese terminal
    draws it), one for any other."""
    return sum(2 if unicodedata.east_asian_width(ch) in "FWA" else 1 for ch in text)


def shorten(text: str, columns: int) -> str:
    """``text`` cut to ``columns`` columns, "…" at its end when cut."""
    if width(text) <= columns:
        return text
    room = columns - width(MORE)
    if room < 0:
        return ""
    kept = ""
    for ch in text:
        if width(kept + ch) > room:
            break
        kept += ch
    return kept + MORE


def fit(desc: str, essential: str, timing: str, stage: str, columns: int) -> str:
    """The progress line in ``columns`` columns: ``desc``, then ``essential`` (percentage and counts), always
    whole when it fits at all, then ``timing`` (elapsed, left, rate) and the ``stage`` text when they fit. The
    description is shortened first (to MIN_DESC columns), then the times dropped, then the stage cut."""
    for tail in (" ".join(p for p in (essential, timing, stage) if p), " ".join(p for p in (essential, stage) if p)):
        room = columns - width(tail) - 2  # "desc: "
        if room >= min(MIN_DESC, width(desc)):
            return f"{shorten(desc, room)}: {tail}"
    head = shorten(desc, MIN_DESC)
    line = f"{head}: {essential}" if width(head) + 2 + width(essential) <= columns else essential
    return shorten(f"{line} {stage}" if stage else line, max(columns, width(essential)))


class _Line(tqdm):
    """tqdm's line when it fits its terminal with some bar, else ``fit``'s compact one."""

    def __str__(self) -> str:
        d = self.format_dict
        columns = d.get("ncols")
        known = bool(d["total"]) and d["n"] <= d["total"]
        if not columns or width(self._part(d, None, bar=known)) + (2 + MIN_BAR if known else 0) <= columns:
            return str(self.format_meter(**d))
        essential = "{percentage:3.0f}% {n_fmt}/{total_fmt}" if known else "{n_fmt}{unit}"
        timing = "[{elapsed}<{remaining}, {rate_fmt}]" if known else "[{elapsed}, {rate_fmt}]"
        return fit(
            d["prefix"] or "", self._part(d, essential).strip(), self._part(d, timing), d["postfix"] or "", columns
        )

    def _part(self, d: dict[str, Any], form: str | None, bar: bool = False) -> str:
        """``form`` (a bar_format without {bar}) filled in with ``d``'s values; ``form`` None: tqdm's whole line
        without its bar (``bar``: known total) or, without a total, tqdm's line."""
        if form is None:
            return str(self.format_meter(**{**d, "ncols": 0 if bar else None}))
        return str(self.format_meter(**{**d, "bar_format": form, "ncols": None, "prefix": "", "postfix": None}))


class Bar:
    """One progress line: ``desc``, then rows done of rows in all, rate and time left; drawn at once (before
    the total is known: "读取 名单.csv: 0行"), then as ``update`` is called (at most twice a second).

    Usable as the progress callback of the roster reader and the batch: ``bar(done, total, *anything)``.
    With ``delay`` (seconds), nothing is drawn before that time: a job done sooner shows no bar.
    """

    def __init__(self, desc: str, unit: str = "行", delay: float = 0.0) -> None:
        self._bar = _Line(
            desc=desc, unit=unit, disable=None, file=sys.stderr, mininterval=0.5, delay=delay, dynamic_ncols=True
        )

    def __call__(self, done: int, total: int, *_: object) -> None:
        """Rows ``done`` of ``total``."""
        if self._bar.disable:
            return
        if self._bar.total != total:
            self._bar.total = total
        self._bar.update(done - self._bar.n)

    def say(self, text: str) -> None:
        """Show ``text`` after the counts (what is being done once the rows are: "正在保存 Excel 文件…")."""
        if not self._bar.disable:
            self._bar.set_postfix_str(text, refresh=True)

    def __enter__(self) -> Bar:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._bar.close()
