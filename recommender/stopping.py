"""Stopping a command cleanly: SIGTERM and SIGHUP (a closed terminal, ``kill``, a service manager) end it the
way Ctrl-C does, through the ``finally`` blocks that remove unfinished outputs, instead of at once."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class Stopped(KeyboardInterrupt):
    """Raised in the main thread when one of STOP_SIGNALS arrives; ``signum`` is the signal's number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        """The signal's name, e.g. "SIGTERM"."""
        return signal.Signals(self.signum).name


def _raise(signum: int, _frame: FrameType | None) -> None:
    raise Stopped(signum)


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """While the block runs, STOP_SIGNALS raise ``Stopped`` in the main thread; the former handlers are put back
    after. Outside the main thread (where Python allows no handler) nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    former = {s: signal.signal(s, _raise) for s in STOP_SIGNALS}
    try:
        yield
    finally:
        for s, handler in former.items():
            signal.signal(s, handler)
