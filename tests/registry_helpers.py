"""Shared by the registry tests: which backend a test runs on, a second pair of eyes on the database,
rosters of any size, and policy lists with one clause changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.engine import make_url

from recommender.corpus_models import Clause, PolicyFile
from recommender.profile import parse_profile
from recommender.registry.models import Enterprise, Revision
from recommender.roster import GoodRow, Roster


def backend(url: str) -> str:
    return make_url(url).get_backend_name()


def sqlite_path(url: str) -> str:
    return make_url(url).database or ""


@contextmanager
def observer(url: str) -> Iterator[Engine]:
    """A plain engine on the same database, outside the registry's own (no migrations, and on SQLite
    no BEGIN IMMEDIATE: its reads never wait for a writer): it sees only what was committed."""
    engine = create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def committed_counts(url: str) -> tuple[int, int]:
    """(enterprises, revisions) as another connection sees them."""
    with observer(url) as engine, engine.connect() as c:
        enterprises = c.scalar(select(func.count()).select_from(Enterprise))
        revisions = c.scalar(select(func.count()).select_from(Revision))
        c.rollback()
    return enterprises or 0, revisions or 0


def profile(name: str, region: str = "金山区", **fields: Any) -> dict[str, Any]:
    return {"name": name, "region": region, **fields}


def big_roster(n: int, prefix: str = "批量企业", start_row: int = 2) -> Roster:
    """``n`` valid rows, numbered as a spreadsheet would (the header is row 1)."""
    regions = ["金山区", "浦东新区", "徐汇区", "闵行区"]
    rows = [
        GoodRow(
            start_row + i,
            parse_profile(
                {
                    "name": f"{prefix}{i:05d}有限公司",
                    "region": regions[i % len(regions)],
                    "industry": "集成电路",
                    "employees": 10 + i % 300,
                    "revenue": 500 + i,
                    "needs": ["资金补贴"],
                }
            ),
        )
        for i in range(n)
    ]
    return Roster(rows=rows)


# --- policy lists with one change -------------------------------------------------------------


def replace_clause(policies: list[PolicyFile], clause_id: str, **changes: Any) -> list[PolicyFile]:
    """The corpus with one clause changed (model_copy: the originals are left alone)."""
    out, found = [], False
    for p in policies:
        clauses = []
        for c in p.clauses:
            if c.id == clause_id:
                c, found = c.model_copy(update=changes), True
            clauses.append(c)
        out.append(p.model_copy(update={"clauses": clauses}))
    assert found, clause_id
    return out


def without_clause(policies: list[PolicyFile], clause_id: str) -> list[PolicyFile]:
    out = [p.model_copy(update={"clauses": [c for c in p.clauses if c.id != clause_id]}) for p in policies]
    assert sum(len(p.clauses) for p in out) == sum(len(p.clauses) for p in policies) - 1, clause_id
    return out


def without_document(policies: list[PolicyFile], policy_id: str) -> list[PolicyFile]:
    out = [p for p in policies if p.document.policy_id != policy_id]
    assert len(out) == len(policies) - 1, policy_id
    return out


def clause_in(policies: list[PolicyFile], clause_id: str) -> tuple[Clause, PolicyFile]:
    for p in policies:
        for c in p.clauses:
            if c.id == clause_id:
                return c, p
    raise KeyError(clause_id)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
