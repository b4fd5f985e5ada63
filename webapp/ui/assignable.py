"""The 专员 an account may give an enterprise, for the pages' select boxes ("" = unassigned)."""

from __future__ import annotations

from recommender.registry import accounts
from recommender.registry.access import ADMIN, Actor

from . import store


def counsellors(by: Actor, current: str | None = None) -> list[str]:
    """ "" (unassigned), the ``current`` 专员 if any, then whom ``by`` may assign: a 管理员 any active 辅导员,
    a 辅导员 themselves (``access.check_assign`` refuses the rest)."""
    names: list[str] | None = [by.name]
    if by.role == ADMIN:
        names, _ = store.read(accounts.counsellor_names)
    return list(dict.fromkeys(["", current or "", *(names or [])]))
