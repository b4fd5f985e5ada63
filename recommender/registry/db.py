"""Where the registry lives and how to open it: SQLite by default, PostgreSQL when DATABASE_URL is set.

The schema is brought to the newest Alembic revision the first time a process opens a database,
so a fresh machine needs no set-up step.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from ..paths import ROOT

CONFIG = ROOT / "config.toml"
MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_BUSY_MS = 10_000  # a writer waits this long for another writer's lock before failing


def database_url() -> str:
    """DATABASE_URL if set, else the SQLite file named in config.toml."""
    if url := os.environ.get("DATABASE_URL", "").strip():
        return _with_driver(url)
    with CONFIG.open("rb") as f:
        path = Path(tomllib.load(f)["registry"]["path"])
    return f"sqlite:///{path if path.is_absolute() else ROOT / path}"


def _with_driver(url: str) -> str:
    """postgres:// and postgresql:// URLs use psycopg 3 (the driver in requirements.txt)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # a killed process never leaves a half-written file
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL: a crash loses no committed transaction
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.close()


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


_ENGINES: dict[str, Engine] = {}


def engine_for(url: str) -> Engine:
    """One engine per database per process, its schema migrated to the newest revision."""
    if url not in _ENGINES:
        _ENGINES[url] = _open(url)
    return _ENGINES[url]


def close(url: str) -> None:
    """Close the pooled connections to a database (tests open one database each)."""
    if (engine := _ENGINES.pop(url, None)) is not None:
        engine.dispose()


def _open(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        # let SQLAlchemy, not pysqlite, begin transactions, so BEGIN takes the write lock at once
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        event.listen(engine, "connect", lambda dbapi_conn, _: setattr(dbapi_conn, "isolation_level", None))
    else:
        engine = create_engine(url, pool_pre_ping=True)
    with engine.begin() as connection:
        config = alembic_config(url)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return engine


def engine() -> Engine:
    return engine_for(database_url())


@contextmanager
def transaction() -> Iterator[Session]:
    """A session whose work is committed together at the end, or not at all."""
    with Session(engine(), expire_on_commit=False) as session, session.begin():
        yield session
