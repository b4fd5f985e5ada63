"""Registry timings for `python -m recommender bench`: a 10k roster import, a push list, an audience.

Runs on a temporary SQLite file (never on the configured registry).
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from recommender.corpus import load_policies
from recommender.profile import parse_profile
from recommender.registry import db, importer, push
from recommender.registry.access import cli_actor
from recommender.roster import GoodRow, Roster

from .synthetic import synthetic_profiles


def bench_registry(n: int = 10_000) -> dict[str, Any]:
    """Registry timings on a temporary SQLite file with ``n`` synthetic enterprises (seconds, counts).

    Keys: enterprises, backend, import_s, reimport_unchanged_s, push_s, changed_clauses, push_items,
    audience_s, audience. The newest document is left out of the baseline, then added: its clauses are
    the change the push list reports.
    """
    roster = Roster(rows=[GoodRow(i + 2, parse_profile(p)) for i, p in enumerate(synthetic_profiles(n))])
    policies = load_policies()
    newest = max(policies, key=lambda p: p.document.valid_from)
    baseline = [p for p in policies if p is not newest]
    today = dt.date.today()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        engine = db.engine_for(url)
        try:
            timings: dict[str, Any] = {"enterprises": n, "backend": "sqlite"}
            with Session(engine) as session, session.begin():
                push.sync(session, baseline, today=today - dt.timedelta(days=1))
            start = time.perf_counter()
            with Session(engine) as session, session.begin():
                importer.import_roster(session, roster, by=cli_actor(), source="bench.csv")
            timings["import_s"] = time.perf_counter() - start
            start = time.perf_counter()
            with Session(engine) as session, session.begin():
                importer.import_roster(session, roster, by=cli_actor(), source="bench.csv")
            timings["reimport_unchanged_s"] = time.perf_counter() - start
            start = time.perf_counter()
            with Session(engine) as session, session.begin():
                push.sync(session, policies, today=today)
                changes, items = push.push_list(session, today, newest.document.valid_from, cli_actor())
            timings.update(push_s=time.perf_counter() - start, changed_clauses=len(changes), push_items=len(items))
            clause = next(c for c in newest.clauses if c.kind == "measure")
            start = time.perf_counter()
            with Session(engine) as session:
                found = push.audience(session, clause, newest.document, newest.document.valid_from, cli_actor())
            timings.update(audience_s=time.perf_counter() - start, audience=len(found))
            return timings
        finally:
            db.close(url)
