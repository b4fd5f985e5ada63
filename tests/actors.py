"""Actors for the registry tests: an account of each role, named as the history should record it."""

import hashlib

from recommender.registry.access import ADMIN, COUNSELLOR, STAFF, Actor


def admin(name: str = "测试管理员") -> Actor:
    """A 管理员 named ``name``: may do everything (the tests of one feature act as one)."""
    return Actor(f"t-admin-{name}", name, ADMIN)


def counsellor(name: str) -> Actor:
    """A 辅导员 named ``name`` (an enterprise's 专员 names them)."""
    return Actor(f"t-counsellor-{name}", name, COUNSELLOR)


def staff(name: str = "测试政策人员") -> Actor:
    """A 政策工作人员 named ``name``."""
    return Actor(f"t-staff-{name}", name, STAFF)


def account(role: str, name: str, password: str = "测试用的足够长的密码12") -> str:
    """The login name of an active account of ``role`` named ``name`` in the registry DATABASE_URL names,
    created when missing (as the command line creates accounts); for logging a page session in."""
    from recommender.registry import accounts, db
    from recommender.registry.access import cli_actor
    from recommender.registry.errors import RegistryError

    username = f"t-{role}-{hashlib.sha1(name.encode()).hexdigest()[:8]}"
    with db.transaction() as s:
        try:
            accounts.get(s, username)
        except RegistryError:
            accounts.create(s, cli_actor(), username, name, role, password)
    return username
