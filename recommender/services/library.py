"""The live policy library: the shipped, reviewed corpus plus the documents policy staff published
on this deployment (``registry.documents``), so that a publish is live without a restart.

Every caller that recommends (CLI, pages, batch, sheets) takes its engine from here. When the
registry cannot be read, the shipped corpus alone is used and the reason is returned for display.
A SQLite registry with no published document is seen with the standard library alone, so a command
on a deployment without added documents does not load SQLAlchemy and Alembic.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from ..engine import Recommender
from ..registry.location import database_url
from ..yamlio import DataError

_LIVE: dict[tuple[str, tuple[int, str]], Recommender] = {}
_LOCK = threading.Lock()
LIBRARY_DOWN = "新增政策文件暂时无法读取（{where}：{reason}），本次仅按内置政策库匹配"


def _nothing_published(url: str) -> bool:
    """True when ``url`` is a SQLite registry that surely has no published added document (no file,
    no table yet, or none published); False when that must be asked through SQLAlchemy."""
    if not url.startswith("sqlite:///"):
        return False
    path = Path(url.removeprefix("sqlite:///"))
    if not path.exists():
        return True
    try:
        with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=10) as connection:
            row = connection.execute("SELECT count(*) FROM staff_documents WHERE state = 'published'").fetchone()
    except sqlite3.Error:
        return False  # no such table, locked, damaged: let the full path migrate or report it
    return not row[0]


def live_recommender() -> tuple[Recommender, str | None]:
    """The engine over the shipped corpus and every published added document, rebuilt only when the
    registry's documents changed; and a warning line when the registry could not be read (else None)."""
    base = Recommender.load()
    url = database_url()
    if _nothing_published(url):
        return base, None
    from sqlalchemy.exc import SQLAlchemyError

    from ..registry import db
    from ..registry.documents import live_policy_files, stamp

    try:
        with db.reading() as session:  # never waits for a writer
            key = (url, stamp(session))
            if key[1][0] == 0:
                return base, None
            with _LOCK:
                if key not in _LIVE:
                    _LIVE.clear()  # one live engine per process: the newest
                    _LIVE[key] = Recommender(live_policy_files(session))
                return _LIVE[key], None
    except (SQLAlchemyError, DataError, OSError) as exc:
        return base, LIBRARY_DOWN.format(where=db.describe(url), reason=db.first_line(exc))
