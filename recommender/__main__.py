"""``python -m recommender``: the command line (``cli.run``)."""

from .cli import run

run()
