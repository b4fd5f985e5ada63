"""Progress lines on stderr for the long commands (``batch``, ``import-roster``, ``push``), drawn by tqdm.

Shown only when stderr is a terminal (tqdm's ``disable=None``): a script or a test reading stderr sees only
the lines it expects (bad rows, one error line), never a progress bar.
"""

from __future__ import annotations

import sys
from types import TracebackType

from tqdm import tqdm


class Bar:
    """One progress line: ``desc``, then rows done of rows in all, rate and time left; drawn at once (before
    the total is known: "读取 名单.csv: 0行"), then as ``update`` is called (at most twice a second).

    Usable as the progress callback of the roster reader and the batch: ``bar(done, total, *anything)``.
    With ``delay`` (seconds), nothing is drawn before that time: a job done sooner shows no bar.
    """

    def __init__(self, desc: str, unit: str = "行", delay: float = 0.0) -> None:
        self._bar = tqdm(
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
