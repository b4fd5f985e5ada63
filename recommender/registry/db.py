"""Where the registry lives and how to open it: SQLite by default, PostgreSQL when DATABASE_URL is set.

The schema is brought to the newest Alembic revision the first time a process opens a database,
so a fresh machine needs no set-up step.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session

from .location import database_url

MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_BUSY_MS = 10_000  # a writer waits this long for another writer's lock before failing


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # a killed process never leaves a half-written file
    # safe with WAL: a killed process loses no committed transaction, and the file is never corrupted
    # (only a power cut or OS crash may lose the last few commits, never older ones)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.close()


def alembic_config(url: str) -> Config:
    """An Alembic configuration for ``url`` with this package's migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


_ENGINES: dict[str, Engine] = {}
_OPENING = threading.Lock()  # page sessions run in threads: one of them opens (and migrates) a database
MIGRATION_LOCK = 0x5A4342_0001  # PostgreSQL advisory lock key: one process at a time migrates a database


def parse_url(url: str) -> URL:
    """The URL parsed; ArgumentError (never the URL itself, which may hold a password) when it cannot be."""
    try:
        return make_url(url)
    except ArgumentError:
        raise ArgumentError("DATABASE_URL 无法解析，应形如 postgresql://用户:密码@主机/数据库") from None
    except ValueError:  # e.g. a port that is not a number
        raise ArgumentError(
            "DATABASE_URL 无法解析（端口等部分有误），应形如 postgresql://用户:密码@主机/数据库"
        ) from None


def describe(url: str) -> str:
    """Where a database is, for messages: the SQLite file, or host, port and database, never the password."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return "DATABASE_URL（无法解析）"
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    host = parsed.host or "localhost"
    return f"{host}{f':{parsed.port}' if parsed.port else ''}/{parsed.database or ''}"


def first_line(exc: Exception) -> str:
    """The first line of a database failure: the driver's own error when SQLAlchemy wraps one."""
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]


def failure_message(exc: Exception) -> str:
    """A database failure in one line for people: where (never the password), and the driver's first line."""
    return f"企业档案库（{describe(database_url())}）暂时无法访问或出错，未写入任何内容：{first_line(exc)}"


def engine_for(url: str) -> Engine:
    """One engine per database per process, its schema migrated to the newest revision."""
    with _OPENING:
        if url not in _ENGINES:
            _ENGINES[url] = _open(url)
        return _ENGINES[url]


def close(url: str) -> None:
    """Close the pooled connections to a database (tests open one database each)."""
    with _OPENING:
        engine = _ENGINES.pop(url, None)
    if engine is not None:
        engine.dispose()


def _open(url: str) -> Engine:
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        # let SQLAlchemy, not pysqlite, begin transactions, so BEGIN takes the write lock at once
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        event.listen(engine, "connect", lambda dbapi_conn, _: setattr(dbapi_conn, "isolation_level", None))
    else:
        # no server-side prepared statements: psycopg prepares a query after 5 runs, and PostgreSQL's
        # generic plan for the importer's `name IN (500 parameters)` scans linearly (a 10k re-import
        # took 5 s instead of 0.3 s)
        engine = create_engine(url, pool_pre_ping=True, connect_args={"prepare_threshold": None})
    try:
        with engine.begin() as connection:
            if parsed.get_backend_name() == "postgresql":
                # two processes opening a fresh database at once: the second waits, then finds it migrated
                # (SQLite needs nothing more: BEGIN IMMEDIATE already lets one writer in at a time)
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except BaseException:
        engine.dispose()
        raise
    return engine


def engine() -> Engine:
    """The engine of the configured registry (``DATABASE_URL`` or ``config.toml``), migrated."""
    return engine_for(database_url())


@contextmanager
def transaction() -> Iterator[Session]:
    """A session whose work is committed together at the end, or not at all."""
    with Session(engine(), expire_on_commit=False) as session, session.begin():
        yield session
