"""Input sanity limits, in one place: what a file, a sheet, a cell or a profile may hold at most.

Each is checked before the work it guards (a file's size before it is read, an .xlsx's unpacked size before
it is unpacked, a sheet's cells before openpyxl builds them), so a small hostile file cannot exhaust memory
or time. A deployment changes them in ``config.toml``, section ``[limits]`` (same names); the README lists them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields

from .paths import config_section


@dataclass(frozen=True)
class Limits:
    """The limits in force; each field is a key of ``[limits]`` in config.toml."""

    file_mb: float = 50  # a roster file (CSV, Excel, JSON), uploaded or on disk
    profile_kb: float = 1024  # a profile JSON file
    unpacked_mb: float = 200  # what an .xlsx file unpacks to (its XML parts together)
    rows: int = 200_000  # rows of a sheet that hold content
    columns: int = 500  # columns of a sheet that hold content
    cells: int = 1_000_000  # cells a worksheet declares, styled empty ones included
    cell_chars: int = 32_767  # characters in one cell (Excel's own limit)
    description_chars: int = 5_000  # characters of a profile's description

    @property
    def file_bytes(self) -> int:
        """``file_mb`` in bytes."""
        return int(self.file_mb * 1024 * 1024)

    @property
    def profile_bytes(self) -> int:
        """``profile_kb`` in bytes."""
        return int(self.profile_kb * 1024)

    @property
    def unpacked_bytes(self) -> int:
        """``unpacked_mb`` in bytes."""
        return int(self.unpacked_mb * 1024 * 1024)


def _configured() -> Limits:
    """The defaults, with what ``[limits]`` in config.toml sets (unknown keys are ignored)."""
    try:
        given = config_section("limits")
    except (OSError, tomllib.TOMLDecodeError):
        return Limits()
    known = {f.name: f.type for f in fields(Limits)}
    values = {k: (int(v) if known[k] == "int" else float(v)) for k, v in given.items() if k in known}
    return Limits(**values)


LIMITS = _configured()


def size_text(n_bytes: int) -> str:
    """A size for people: "1.5 MB", "800 KB"."""
    return f"{n_bytes / 1024 / 1024:.1f} MB" if n_bytes >= 1024 * 1024 else f"{n_bytes / 1024:.0f} KB"
