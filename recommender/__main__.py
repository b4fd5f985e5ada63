"""``python -m recommender``: the command line (``cli.run``). A stop while it starts (its imports take a second)
ends it with one line: nothing has been written yet."""

import os
import signal
import sys


def _stopped_early(signum: int, _frame: object) -> None:
    what = "已中断" if signum == signal.SIGINT else f"已终止（收到 {signal.Signals(signum).name}）"
    sys.stderr.write(f"{what}：尚未开始处理\n")
    os._exit(130 if signum == signal.SIGINT else 128 + signum)


for _signal in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(_signal, _stopped_early)

from .cli import run  # noqa: E402  (after the handlers: the imports are the slow part)

run()
