"""政策北斗: match Shanghai enterprises to the support measures of district policies.

The public face: ``Recommender`` (profile → ranked, explained measures), its ``Recommendation``
and ``Result``, and the enterprise ``Profile`` with ``parse_profile`` / ``read_profile`` and
``ProfileError``. Names load on first use (PEP 562), so ``import recommender`` stays cheap and the
command line starts fast: ``Recommender`` pulls in jieba, numpy and scipy only when asked for.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .engine import Recommendation, Recommender, Result
    from .profile import Profile, ProfileError, parse_profile, read_profile

__all__ = ["Profile", "ProfileError", "Recommendation", "Recommender", "Result", "parse_profile", "read_profile"]

_MODULES = {
    "Recommender": ".engine",
    "Recommendation": ".engine",
    "Result": ".engine",
    "Profile": ".profile",
    "ProfileError": ".profile",
    "parse_profile": ".profile",
    "read_profile": ".profile",
}


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first access; AttributeError for any other name."""
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    """The module's own names and the public ones not loaded yet."""
    return sorted({*globals(), *__all__})
