"""A process the reliability tests start, then kill or race (python tests/registry_worker.py MODE).

The database is the one DATABASE_URL names (inherited from the test). Each mode prints one line
when it reaches the point the test waits for, and flushes it at once.

  import-then-wait  commit one enterprise (已提交的企业), then import a 10k roster inside an open
                    transaction, flush it to the database, print READY and wait to be killed
  open              print READY, wait for a line on stdin, open (and migrate) the database, print OPENED
  open-in-threads   open the database from 4 threads at once (as page sessions do); print one line
                    per thread (the engine's id, or the error) (a worker, so a deadlock dies with it)
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository, for `recommender`
sys.path.insert(0, str(Path(__file__).resolve().parent))  # registry_helpers

COMMITTED = "已提交的企业"
UNCOMMITTED_PREFIX = "未提交企业"
ROWS = 10_000


def import_then_wait() -> None:
    from actors import admin
    from registry_helpers import big_roster

    from recommender.registry import db, enterprises, importer

    with db.transaction() as session:
        enterprises.add(session, {"name": COMMITTED, "region": "金山区"}, by=admin("worker"))
    roster = big_roster(ROWS, prefix=UNCOMMITTED_PREFIX)
    with db.transaction() as session:
        report = importer.import_roster(session, roster, by=admin("worker"), source="worker.csv")
        session.flush()
        print(f"READY {len(report.added)}", flush=True)
        threading.Event().wait()  # inside the open transaction until the test kills this process


def open_database() -> None:
    from recommender.registry import db

    print("READY", flush=True)
    sys.stdin.readline()
    db.engine()
    print("OPENED", flush=True)


def open_in_threads() -> None:
    from recommender.registry import db

    start = threading.Barrier(4)
    results: list[str] = []

    def open_it() -> None:
        start.wait()
        try:
            results.append(f"engine {id(db.engine())}")
        except Exception as exc:
            results.append(f"error {exc!r}".replace("\n", " "))

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("\n".join(results), flush=True)


if __name__ == "__main__":
    {"import-then-wait": import_then_wait, "open": open_database, "open-in-threads": open_in_threads}[sys.argv[1]]()
