"""The package's public face: the names import, and importing the package alone stays cheap."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import recommender
from recommender.paths import ROOT


def test_public_names_import_from_the_package():
    from recommender import (
        Profile,
        ProfileError,
        Recommendation,
        Recommender,
        Result,
        parse_profile,
        read_profile,
    )
    from recommender.engine import Recommender as EngineRecommender
    from recommender.profile import Profile as ProfileModel

    assert Recommender is EngineRecommender and Profile is ProfileModel
    assert isinstance(parse_profile({"name": "样本企业", "region": "浦东新区"}), Profile)
    assert issubclass(ProfileError, ValueError)
    assert callable(read_profile) and Recommendation.__module__ == Result.__module__ == "recommender.engine.results"
    assert sorted(recommender.__all__) == sorted(
        ["Profile", "ProfileError", "Recommendation", "Recommender", "Result", "parse_profile", "read_profile"]
    )
    assert set(recommender.__all__) <= set(dir(recommender))


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_name"):
        recommender.no_such_name  # noqa: B018


def test_importing_the_package_loads_no_engine():
    code = (
        "import json, sys, recommender; "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('recommender') or m in {'jieba', 'scipy'})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    loaded = json.loads(out.stdout)
    assert loaded == ["recommender"]


def test_today_is_the_shanghai_date_whatever_the_server_zone():
    import datetime as dt

    from recommender.clock import SHANGHAI, today

    assert SHANGHAI.utcoffset(None) == dt.timedelta(hours=8)
    assert today() == (dt.datetime.now(dt.UTC) + dt.timedelta(hours=8)).date()


def test_no_runtime_code_takes_the_server_s_date_or_a_naive_time():
    """Dates are Shanghai's (``recommender.clock.today``); a time is taken with its zone, shown in Beijing time."""
    import re

    naive = re.compile(r"date\.today\(\)|datetime\.now\(\s*\)|datetime\.today\(\)|utcnow\(|time\.localtime\(")
    files = [ROOT / "app.py", *(ROOT / "recommender").rglob("*.py"), *(ROOT / "webapp").rglob("*.py")]
    found = [f"{p.relative_to(ROOT)}:{n}" for p in files for n, line in enumerate(p.read_text("utf-8").splitlines(), 1)
             if naive.search(line)]  # fmt: skip
    assert not found
    assert naive.search("x = dt.date.today()") and not naive.search("dt.datetime.now(dt.UTC)")
