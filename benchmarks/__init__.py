"""Benchmarks of `python -m recommender bench`: speed and memory, outside the runtime package.

``suite.run`` runs them all and ``report.format_table`` prints a run; ``synthetic`` makes the
seeded corpora and profiles, ``engine``, ``batch`` and ``registry`` time one concern each.
Importing this package imports nothing heavy: each size's subprocess measures its own memory.
"""
