from __future__ import annotations

import os
import uuid

import pytest

from recommender.corpus import load_policies
from recommender.corpus_models import PolicyFile


@pytest.fixture(scope="session")
def policies() -> list[PolicyFile]:
    return load_policies()


@pytest.fixture(scope="session")
def clauses(policies):
    return [c for p in policies for c in p.clauses]


@pytest.fixture(scope="session")
def by_id(clauses):
    return {c.id: c for c in clauses}


# --- the registry: a database of its own for every test ----------------------------------------

POSTGRES = os.environ.get("DATABASE_URL")  # set: the suite runs against this PostgreSQL server


@pytest.fixture(scope="session")
def _postgres_admin():
    if not POSTGRES:
        yield None
        return
    from sqlalchemy import create_engine

    from recommender.registry.db import database_url

    engine = create_engine(database_url(), isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def registry_url(tmp_path_factory, monkeypatch, _postgres_admin) -> str:
    """DATABASE_URL for this test: a fresh SQLite file, or a fresh schema on the PostgreSQL server."""
    from recommender.registry import db

    if _postgres_admin is None:
        url = f"sqlite:///{tmp_path_factory.mktemp('registry') / 'registry.sqlite3'}"
    else:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with _postgres_admin.connect() as c:
            c.exec_driver_sql(f"CREATE SCHEMA {schema}")
        base = _postgres_admin.url.render_as_string(hide_password=False)
        url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    monkeypatch.setenv("DATABASE_URL", url)
    yield url
    db.close(db.database_url())
    if _postgres_admin is not None:
        with _postgres_admin.connect() as c:
            c.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
