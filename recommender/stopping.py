"""Stopping a command cleanly: SIGTERM and SIGHUP (a closed terminal, ``kill``, a service manager) end it the
way Ctrl-C does, through the ``finally`` blocks that remove unfinished outputs, instead of at once."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class Stopped(KeyboardInterrupt):
    """Raised in the main thread when one of STOP_SIGNALS arrives; ``signum`` is the signal's number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


HANDLED = (signal.SIGINT, *STOP_SIGNALS)  # what ``stop_on_signals`` acts on


class HelperLost(RuntimeError):
    """A helper process a command forked (a batch's worker, its workbook's writer) ended without its result: killed
    (out of memory, ``kill -9``). The message, in Chinese, names which one."""

    def __init__(self, helper: str) -> None:
        super().__init__(f"{helper}意外结束（可能内存不足或被强行结束），未完成的输出文件未保留：请重试")


def stopped_words(signum: int) -> str:
    """How a stop by ``signum`` is said: "已中断" for Ctrl-C, else "已终止（收到 SIGTERM）"."""
    return "已中断" if signum == signal.SIGINT else f"已终止（收到 {signal.Signals(signum).name}）"


def stopped_code(signum: int) -> int:
    """The exit code of a command stopped by ``signum``, as a shell gives it: 128 + the signal (Ctrl-C 130)."""
    return 128 + signum


def _raise(signum: int, _frame: FrameType | None) -> None:
    """The first stop only: later ones are ignored, so that a second Ctrl-C cannot cut short the clean-up the
    first one started (it once left a batch waiting for ever at exit for its workers)."""
    for s in HANDLED:
        signal.signal(s, signal.SIG_IGN)
    raise KeyboardInterrupt if signum == signal.SIGINT else Stopped(signum)


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """While the block runs, the first of Ctrl-C (KeyboardInterrupt) and STOP_SIGNALS (``Stopped``) is raised in
    the main thread and any later one ignored; the former handlers are put back after. Outside the main thread
    (where Python allows no handler) nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    former = {s: signal.signal(s, _raise) for s in HANDLED}
    try:
        yield
    finally:
        for s, handler in former.items():
            signal.signal(s, handler)


def settled() -> None:
    """From here on a stop is too late: the command's outputs are complete and are being put under their names,
    so a stop that arrives now is ignored (else a batch stopped between renaming its workbook and its zip kept
    one, removed the other, and said neither was kept; or said 已写入 and then 已中断). Acts only on the
    handlers ``stop_on_signals`` installed, which it puts back as they were when its block ends."""
    if threading.current_thread() is not threading.main_thread():
        return
    for s in HANDLED:
        if signal.getsignal(s) is _raise:
            signal.signal(s, signal.SIG_IGN)


@contextmanager
def stops_held() -> Iterator[None]:
    """Ctrl-C, SIGTERM and SIGHUP (HANDLED) held back while the block runs, delivered when it ends: a helper
    process forked in the block is born with them blocked until ``follow_parent`` ignores them (a Ctrl-C between
    the fork and that interrupted the new helper)."""
    former = signal.pthread_sigmask(signal.SIG_BLOCK, HANDLED)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, former)


def follow_parent(parent: int) -> None:
    """Run first in a helper process a command forks (a batch's workers and its workbook writer): end it when its
    parent (process id ``parent``) is gone, so that a killed command leaves no process; and leave Ctrl-C, SIGTERM
    and SIGHUP to the parent, which stops the command with one line (sent to the whole process group, as a
    terminal or a service manager does, they ended helpers midway: a broken pool, or one that waited for ever for
    a result cut in its pipe). The helper is to be forked with them blocked (``stops_held``): they are unblocked
    here."""
    for stop in HANDLED:
        signal.signal(stop, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, HANDLED)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="follow-parent", daemon=True).start()
