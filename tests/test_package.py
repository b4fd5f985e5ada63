"""The package's public face: the names import, importing the package alone stays cheap, and installing it
(requirements.txt for the runtime, the `beidou` command, the answers the same from any working folder)."""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

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


# --- installing: the `beidou` command, any working folder ---------------------------------------------------


def _pyproject() -> dict:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)


def test_the_beidou_command_is_the_cli_main_and_exits_with_its_code(tmp_path):
    from recommender import cli

    scripts = _pyproject()["project"]["scripts"]
    assert scripts == {"beidou": "recommender.cli:main"}
    entry = importlib.metadata.EntryPoint(name="beidou", value=scripts["beidou"], group="console_scripts")
    assert entry.load() is cli.main
    # a console script runs sys.exit(main()): main returns the code rather than exiting itself
    assert cli.main(["recommend", str(tmp_path / "没有这个文件.json")]) == 2
    assert _pyproject()["build-system"]["build-backend"] == "setuptools.build_meta"


def _recommend(cwd: Path, profile: Path, *command: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # as the editable install finds the clone
    args = ["recommend", str(profile), "--top", "5", "--as-of", "2025-06-30", "--format", "json"]
    return subprocess.run([*command, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


def test_the_cli_gives_the_same_answer_from_any_working_folder(tmp_path):
    elsewhere = tmp_path / "某个文件夹"
    elsewhere.mkdir()
    profile = elsewhere / "p.json"
    profile.write_text(json.dumps({"name": "某企业", "region": "金山区", "needs": ["场地空间"]}, ensure_ascii=False))
    here = _recommend(ROOT, profile, sys.executable, "-m", "recommender")
    there = _recommend(elsewhere, profile, sys.executable, "-m", "recommender")
    assert here.returncode == there.returncode == 0, there.stderr
    results = json.loads(there.stdout)["results"]
    assert len(results) == 5 and results[0]["policy_id"].startswith("js-")  # 金山区's own documents come first
    assert there.stdout == here.stdout
    assert sorted(p.name for p in elsewhere.iterdir()) == ["p.json"]  # nothing written where it ran


def test_the_installed_beidou_command_runs_this_clone_from_any_folder(tmp_path):
    """Where `pip install -r requirements.txt` ran (CI, a fresh machine): the command is on the path, installed
    editable from this clone, and answers from another folder."""
    script = Path(sysconfig.get_path("scripts")) / "beidou"
    if not script.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {script} is missing: pip install -r requirements.txt installs it")
        pytest.skip(f"the project is not installed here ({script}); pip install -r requirements.txt, or set CI")
    installed = importlib.metadata.distributions(name="zhengce-beidou", path=[sysconfig.get_path("purelib")])
    origin = json.loads(next(iter(installed)).read_text("direct_url.json") or "{}")  # not the clone's .egg-info
    assert origin.get("dir_info", {}).get("editable"), "installed without -e: policies/ would not be found"
    assert Path(url2pathname(urlparse(origin["url"]).path)).resolve() == ROOT, origin
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps({"name": "某企业", "region": "金山区", "needs": ["场地空间"]}, ensure_ascii=False))
    there = _recommend(tmp_path, profile, str(script))
    assert there.returncode == 0, there.stderr
    assert there.stdout == _recommend(ROOT, profile, sys.executable, "-m", "recommender").stdout
    bad = subprocess.run([str(script), "recommend", str(tmp_path / "没有.json")], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.startswith("错误："), bad.stderr
