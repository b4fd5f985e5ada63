"""Where the registry lives and how to open it: SQLite by default, PostgreSQL when DATABASE_URL is set.

The schema is brought to the newest Alembic revision the first time a process opens a database,
so a fresh machine needs no set-up step.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session

from ..os_reasons import os_reason
from .location import database_url, registry_settings

T = TypeVar("T")
MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_BUSY_MS = 10_000  # a writer waits this long for another writer's lock before failing
BACKENDS = ("sqlite", "postgresql")
# PostgreSQL: how long to wait for a server to accept and answer a connection, and for one statement
# (config.toml [registry] connect_timeout / statement_timeout, in seconds)
CONNECT_TIMEOUT_S = int(registry_settings().get("connect_timeout", 10))
STATEMENT_TIMEOUT_S = int(registry_settings().get("statement_timeout", 60))
# a transaction PostgreSQL aborts for a concurrent one (serialization failure, deadlock) is run again
RETRY_STATES = frozenset({"40001", "40P01"})
TRIES = 3
RETRY_PAUSE_S = 0.2  # before the second try; doubled before each further one


class Unavailable(SQLAlchemyError):
    """The registry cannot be opened at all (an unsupported DATABASE_URL, a folder that cannot be created):
    one Chinese line, caught wherever database failures are."""


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


READ_ONLY = "beidou_read_only"  # execution option of a reading transaction (``reading()``)
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


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of a PostgreSQL failure (``40001`` …), None for any other."""
    return getattr(getattr(exc, "orig", None), "sqlstate", None)


def failure_message(exc: Exception) -> str:
    """A database failure in one line for people: where (never the password), and what happened: a time-out
    or a conflict said as such, else the driver's first line."""
    where = f"企业档案库（{describe(database_url())}）"
    state, text = sqlstate(exc), first_line(exc)
    if isinstance(exc, Unavailable):
        return f"{where}无法打开：{text}"
    if state == "57014":
        return (
            f"{where}的一条语句超过 {STATEMENT_TIMEOUT_S} 秒未完成，已中止，未写入任何内容"
            "（等待时间可在 config.toml 的 [registry] statement_timeout 中调整）"
        )
    if state in RETRY_STATES:
        return f"{where}与同时进行的修改冲突，重试 {TRIES} 次仍未成功，未写入任何内容：请稍后再试"
    if "timeout" in text.lower() or "timed out" in text.lower():
        return (
            f"{where}连接超时：{CONNECT_TIMEOUT_S} 秒内没有应答，未读写任何内容。请检查数据库服务器是否正常"
            "（等待时间可在 config.toml 的 [registry] connect_timeout 中调整）"
        )
    return f"{where}暂时无法访问或出错，未写入任何内容：{text}"


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


def _sqlite_begin(conn: Connection) -> None:
    """A writing transaction takes the write lock at BEGIN (a race ends in a clear conflict, never halfway);
    a reading one (``reading()``) begins deferred and never takes it, so it never waits for a writer."""
    conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")


def _statement_timeout(dbapi_connection, _record) -> None:
    with dbapi_connection.cursor() as cursor:
        cursor.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_S * 1000}")
    dbapi_connection.commit()


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if database and database != ":memory:":
        folder = Path(database).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # a read-only checkout, a file in the way …
            raise Unavailable(
                f"无法创建文件夹 {folder}（{os_reason(exc)}）："
                "请在 config.toml 的 [registry] path 或 DATABASE_URL 中指定一个可写的位置"
            ) from None
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000})
    event.listen(engine, "connect", _sqlite_pragmas)
    # let SQLAlchemy, not pysqlite, begin transactions, so that _sqlite_begin decides how
    event.listen(engine, "begin", _sqlite_begin)
    event.listen(engine, "connect", lambda dbapi_conn, _: setattr(dbapi_conn, "isolation_level", None))
    return engine


def _postgresql_engine(url: str) -> Engine:
    # no server-side prepared statements: psycopg prepares a query after 5 runs, and PostgreSQL's
    # generic plan for the importer's `name IN (500 parameters)` scans linearly (a 10k re-import
    # took 5 s instead of 0.3 s); a server that accepts but never answers fails after connect_timeout
    connect_args = {"prepare_threshold": None, "connect_timeout": CONNECT_TIMEOUT_S}
    engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args)
    event.listen(engine, "connect", _statement_timeout)
    return engine


def _at_head(engine: Engine, config: Config) -> bool:
    """Whether the database is at the newest revision, asked in a reading transaction (no write lock: a
    command that only reads never waits for a writer)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    with engine.execution_options(**{READ_ONLY: True}).connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == set(ScriptDirectory.from_config(config).get_heads())


def _open(url: str) -> Engine:
    parsed = parse_url(url)
    backend = parsed.get_backend_name()
    if backend not in BACKENDS:
        raise Unavailable(
            f"不支持的数据库“{backend}”："
            "DATABASE_URL 应为 postgresql://用户:密码@主机/数据库，或不设（使用 SQLite 文件）"
        )
    engine = _sqlite_engine(url, parsed.database) if backend == "sqlite" else _postgresql_engine(url)
    try:
        if _at_head(engine, alembic_config(url)):
            return engine
        with engine.begin() as connection:
            if backend == "postgresql":
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
    """A session whose work is committed together at the end, or not at all. A function that can be run
    again is better given to ``run``, which retries a transaction PostgreSQL aborts for a concurrent one."""
    with Session(engine(), expire_on_commit=False) as session, session.begin():
        yield session


@contextmanager
def reading() -> Iterator[Session]:
    """A transaction for reading only: on SQLite it begins deferred and never takes the write lock, so a read
    never waits for (or fails beside) a writer such as a roster import. Nothing is committed."""
    with Session(engine().execution_options(**{READ_ONLY: True}), expire_on_commit=False) as session:
        yield session  # closing the session rolls the transaction back


def run(work: Callable[[Session], T], tries: int = TRIES) -> T:
    """``work(session)`` in one transaction, committed together or not at all; run again from the start (at
    most ``tries`` times in all, with a short growing pause) when PostgreSQL aborts it for a concurrent
    transaction (serialization failure 40001, deadlock 40P01). Any other failure is raised at once."""
    for attempt in range(1, tries + 1):
        try:
            with transaction() as session:
                return work(session)
        except DBAPIError as exc:
            if sqlstate(exc) not in RETRY_STATES or attempt == tries:
                raise
        time.sleep(RETRY_PAUSE_S * 2 ** (attempt - 1))
    raise AssertionError("unreachable")
