"""Actors for the registry tests: an account of each role, named as the history should record it."""

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
