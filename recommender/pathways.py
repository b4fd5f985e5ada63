"""Measures a title would unlock: results whose only missing conditions are titles."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .engine import Result


def by_unlocking_title(results: Iterable[Result]) -> dict[str, list[Result]]:
    """Title → the measures it would unlock (most measures first, then by title)."""
    groups: dict[str, list[Result]] = {}
    for result in results:
        for title in result.verdict.unlocks_with:
            groups.setdefault(title, []).append(result)
    return dict(sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])))
