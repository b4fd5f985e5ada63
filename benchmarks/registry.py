"""Registry timings for `python -m recommender bench`: a roster import, a push list, an audience, and beside
the last two their lower bounds measured in the same run.

Runs on a temporary SQLite file (never on the configured registry). ``python -m benchmarks.registry 100000``
runs it at another size and prints the figures as JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Text, cast, select
from sqlalchemy.orm import Session

from recommender.corpus import load_policies
from recommender.corpus_models import Clause, DocumentMeta
from recommender.eligibility.facts import Facts
from recommender.eligibility.matrix import RuleMatrix
from recommender.profile import parse_profile, stored_profile
from recommender.registry import db, importer, push
from recommender.registry.access import cli_actor
from recommender.registry.enterprises import registered
from recommender.registry.models import Enterprise
from recommender.roster import GoodRow, Roster

from .synthetic import synthetic_profiles


def bench_registry(n: int = 10_000) -> dict[str, Any]:
    """Registry timings on a temporary SQLite file with ``n`` synthetic enterprises (seconds, counts).

    Keys: enterprises, backend, import_s, reimport_unchanged_s, push_s (recording the corpus, then the
    push list), push_sync_s (its first part), changed_clauses, push_items, audience_s, audience; and the
    lower bounds of ``lower_bounds`` with push_bound_s (fetch_s + push_statuses_s), push_over_bound
    (push_s ÷ push_bound_s), audience_bound_s and audience_over_bound. The newest document is left out
    of the baseline, then added: its clauses are the change the push list reports.
    """
    roster = Roster(rows=[GoodRow(i + 2, parse_profile(p)) for i, p in enumerate(synthetic_profiles(n))])
    policies = load_policies()
    newest = max(policies, key=lambda p: p.document.valid_from)
    baseline = [p for p in policies if p is not newest]
    today = dt.date.today()
    as_of = newest.document.valid_from
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
                synced = time.perf_counter()
                changes, items = push.push_list(session, today, as_of, cli_actor())
            timings.update(
                push_s=time.perf_counter() - start,
                push_sync_s=synced - start,
                changed_clauses=len(changes),
                push_items=len(items),
            )
            clause = next(c for c in newest.clauses if c.kind == "measure")
            start = time.perf_counter()
            with Session(engine) as session:
                found = push.audience(session, clause, newest.document, as_of, cli_actor())
            timings.update(audience_s=time.perf_counter() - start, audience=len(found))
            timings.update(lower_bounds(engine, changes, clause, newest.document, as_of))
            return _with_ratios(timings)
        finally:
            db.close(url)


def lower_bounds(
    engine: Engine, changes: list[push.ClauseChange], clause: Clause, document: DocumentMeta, as_of: dt.date
) -> dict[str, float]:
    """What no push list or audience over the registry can do without, timed alone (seconds):

    - fetch_s: the SELECT of every enterprise's profile, as stored (JSON text, nothing decoded);
    - push_statuses_s: every enterprise's status under the versions before and after ``changes``
      (``push.VersionRules``, the vectorised evaluator, facts derived from profiles already read);
    - audience_fetch_s: the SELECT of the enterprises ``clause`` may concern (``enterprises.registered``, narrowed
      to its districts by ``push.area_regions``: those registered elsewhere are never read);
    - audience_statuses_s: their statuses under ``clause`` of ``document``.

    And, not part of the bounds, profiles_s: reading the fetched profiles (``profile.stored_profile``).
    """
    with Session(engine) as session:
        start = time.perf_counter()
        texts = session.scalars(select(cast(Enterprise.profile, Text))).all()
        fetch_s = time.perf_counter() - start
        start = time.perf_counter()
        concerned = registered(session, cli_actor(), regions=push.area_regions([clause], document))
        audience_fetch_s = time.perf_counter() - start
    with push.cycle_collection_paused():  # as push lists and audiences judge
        start = time.perf_counter()
        profiles = [stored_profile(t) for t in texts]
        profiles_s = time.perf_counter() - start
        population = [Facts(p, as_of) for p in profiles]
        start = time.perf_counter()
        push.VersionRules([c.before for c in changes], as_of).statuses(population)
        push.VersionRules([c.after for c in changes], as_of).statuses(population)
        push_statuses_s = time.perf_counter() - start
        population = [Facts(stored_profile(e.stored), as_of) for e in concerned]
        start = time.perf_counter()
        RuleMatrix([clause], {document.policy_id: document}).evaluate(population)
        audience_statuses_s = time.perf_counter() - start
    return {
        "fetch_s": fetch_s,
        "profiles_s": profiles_s,
        "push_statuses_s": push_statuses_s,
        "audience_fetch_s": audience_fetch_s,
        "audience_statuses_s": audience_statuses_s,
    }


def _with_ratios(timings: dict[str, Any]) -> dict[str, Any]:
    """``timings`` with each bound (its fetch + its statuses) and the measured time ÷ its bound."""
    for name, fetch in (("push", "fetch_s"), ("audience", "audience_fetch_s")):
        bound = timings[fetch] + timings[f"{name}_statuses_s"]
        timings[f"{name}_bound_s"] = bound
        timings[f"{name}_over_bound"] = round(timings[f"{name}_s"] / bound, 2)
    return timings


def main() -> None:
    """``python -m benchmarks.registry [N]``: ``bench_registry(N)`` as JSON on stdout."""
    parser = argparse.ArgumentParser(description="档案库计时：导入、推送名单、一条措施的受众及其下界")
    parser.add_argument("n", type=int, nargs="?", default=10_000, help="合成企业数（默认 10000）")
    print(json.dumps(bench_registry(parser.parse_args().n), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
