"""What a test needs and this machine lacks: a failure under CI (where .ci/run installs or allows it, so a skip
would hide a missing capability), a skip elsewhere."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def unavailable(what: str, remedy: str) -> NoReturn:
    """Fail when the environment variable CI is set ("CI is set but ``what``"), else skip (``what``; ``remedy``)."""
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {what}")
    pytest.skip(f"{what} ({remedy}, or set CI to make this a failure)")
