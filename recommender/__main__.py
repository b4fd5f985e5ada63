"""``python -m recommender``: the command line (``cli.run``). A stop while it starts (its imports take a second)
ends it with one line: nothing has been written yet."""

import os
import signal
import sys

from .stopping import HANDLED, stopped_code, stopped_words


def _stopped_early(signum: int, _frame: object) -> None:
    sys.stderr.write(f"{stopped_words(signum)}：尚未开始处理\n")
    os._exit(stopped_code(signum))


for _signal in HANDLED:
    signal.signal(_signal, _stopped_early)

from .cli import run  # noqa: E402  (after the handlers: the imports are the slow part)

run()
