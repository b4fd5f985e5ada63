"""Where the registry is: ``DATABASE_URL``, else the SQLite file named in config.toml.

Kept free of SQLAlchemy and Alembic so that a command can find out cheaply whether there is anything
to read (``services.library``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..paths import ROOT, config_section


def registry_settings() -> dict[str, Any]:
    """The ``[registry]`` section of config.toml (path, connect_timeout, statement_timeout)."""
    return config_section("registry")


def database_url() -> str:
    """DATABASE_URL if set, else the SQLite file named in config.toml."""
    if url := os.environ.get("DATABASE_URL", "").strip():
        return _with_driver(url)
    path = Path(registry_settings()["path"])
    return f"sqlite:///{path if path.is_absolute() else ROOT / path}"


def _with_driver(url: str) -> str:
    """postgres:// and postgresql:// URLs use psycopg 3 (the driver in requirements.txt)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
