"""The package's public face: the names import, importing the package alone stays cheap, and installing it
(requirements.txt for the runtime, the `beidou` command, the answers the same from any working folder)."""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import re
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import pytest
from unavailable import unavailable

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


# --- installing: requirements, the `beidou` command, any working folder ---------------------------------------

RUNTIME_CODE = ["recommender", "webapp", "benchmarks", "app.py"]  # what `streamlit run app.py` and the CLI run
OWN_PACKAGES = {"recommender", "webapp", "benchmarks"}
PINNED = r"[A-Za-z0-9_.\-]+(\[[a-z,]+\])?==[0-9][0-9A-Za-z.]*"  # name[extras]==version


def _name(requirement: str) -> str:
    """The normalised project name of a requirement line (PEP 503): ``psycopg[binary]==3.3.9`` → ``psycopg``."""
    from packaging.requirements import Requirement

    return re.sub(r"[-_.]+", "-", Requirement(requirement).name).lower()


def _requirement_lines(path: Path) -> list[str]:
    lines = [line.split(" #")[0].strip() for line in path.read_text("utf-8").splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def _pinned(path: Path) -> dict[str, str]:
    """Name → line of each requirement of ``path`` (not the ``-r``/``-e`` lines); every one must be pinned."""
    found = {}
    for line in _requirement_lines(path):
        if line.startswith("-"):
            continue
        assert re.fullmatch(PINNED, line), f"{path.name}: not pinned: {line}"
        found[_name(line)] = line
    return found


def _pyproject() -> dict:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)


def _imported(nodes: list[ast.AST]) -> set[str]:
    names = set()
    for node in (n for top in nodes for n in ast.walk(top)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _third_party_imports() -> set[str]:
    """The top-level names the runtime code imports that are neither the standard library nor its own, leaving
    out the optional ones (imported in ``try: … except ImportError``, as ``bench`` does bm25s)."""
    names, optional = set(), set()
    for entry in RUNTIME_CODE:
        path = ROOT / entry
        for file in [path] if path.is_file() else sorted(path.rglob("*.py")):
            tree = ast.parse(file.read_text("utf-8"))
            names |= _imported([tree])
            for node in ast.walk(tree):
                caught = [ast.unparse(h.type) for h in getattr(node, "handlers", []) if h.type is not None]
                if isinstance(node, ast.Try) and {"ImportError", "ModuleNotFoundError"} & set(caught):
                    optional |= _imported(node.body)
    return names - optional - set(sys.stdlib_module_names) - OWN_PACKAGES


def _installed_with(requirements: list[str]) -> set[str]:
    """The distributions ``requirements`` install: themselves and what they require, with their extras."""
    from packaging.requirements import Requirement

    seen: set[str] = set()
    todo = [Requirement(r) for r in requirements]
    while todo:
        req = todo.pop()
        name = _name(str(req))
        if req.marker is not None and not any(req.marker.evaluate({"extra": e}) for e in ["", *req.extras]):
            continue
        if name in seen:
            continue
        seen.add(name)
        for line in importlib.metadata.requires(name) or []:
            sub = Requirement(line)
            if sub.marker is None or any(sub.marker.evaluate({"extra": e}) for e in ["", *req.extras]):
                todo.append(sub)
    return seen


def test_requirements_txt_is_the_runtime_and_the_dev_file_adds_only_tools():
    runtime = _pinned(ROOT / "requirements.txt")
    dev_lines = _requirement_lines(ROOT / "requirements-dev.txt")
    tools = _pinned(ROOT / "requirements-dev.txt")
    assert "-e ." in _requirement_lines(ROOT / "requirements.txt")  # this project, editable: the `beidou` command
    assert dev_lines[0] == "-r requirements.txt"
    assert not set(tools) & set(runtime), "a package pinned in both files"
    assert {"pytest", "hypothesis", "reportlab", "playwright", "nbclient", "ipykernel", "ruff"} <= set(tools)
    declared = [_name(d) for d in _pyproject()["project"]["dependencies"]]
    assert set(declared) <= set(runtime), "pyproject.toml names a dependency requirements.txt does not pin"


def test_everything_the_runtime_imports_comes_with_requirements_txt():
    """No test tool (pytest, hypothesis, reportlab …) is imported by the app or the CLI, and nothing they import is
    missing from a fresh `pip install -r requirements.txt`."""
    declared = _pyproject()["project"]["dependencies"]
    installed = _installed_with(declared)
    distributions = importlib.metadata.packages_distributions()
    imported = _third_party_imports()
    assert {"streamlit", "jieba", "sqlalchemy", "sklearn", "rank_bm25"} <= imported  # the scan sees the code
    missing = {
        name: distributions.get(name)
        for name in imported
        if not {_name(d) for d in distributions.get(name, [])} & installed
    }
    assert not missing, f"imported at run time but not installed by requirements.txt: {missing}"
    dev_only = set(_pinned(ROOT / "requirements-dev.txt"))
    assert not dev_only & installed, f"requirements.txt would install test tools: {dev_only & installed}"


def test_the_beidou_command_is_the_cli_run_and_exits_with_its_code(tmp_path, monkeypatch):
    from recommender import cli

    scripts = _pyproject()["project"]["scripts"]
    assert scripts == {"beidou": "recommender.cli:run"}  # as `python -m recommender` (__main__.py)
    entry = importlib.metadata.EntryPoint(name="beidou", value=scripts["beidou"], group="console_scripts")
    assert entry.load() is cli.run
    # run exits with main's code (main returns it, for callers in this process)
    assert cli.main(["recommend", str(tmp_path / "没有这个文件.json")]) == 2
    monkeypatch.setattr(sys, "argv", ["beidou", "recommend", str(tmp_path / "没有这个文件.json")])
    with pytest.raises(SystemExit) as exited:
        cli.run()
    assert exited.value.code == 2
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
        unavailable(f"{script} is missing: the project is not installed here", "pip install -r requirements.txt")
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
    usage = subprocess.run([str(script), "recommend"], capture_output=True, text=True)  # the name typed, in help
    assert usage.returncode == 2 and usage.stderr.startswith("错误：beidou recommend："), usage.stderr


def test_the_favicon_is_an_image_shipped_in_the_repository(monkeypatch, tmp_path):
    """The browser tab's icon is served by the app itself: a ":material/…:" icon or an emoji makes the browser
    fetch it from a font or emoji server, which fails offline."""
    import streamlit
    from PIL import Image
    from streamlit.testing.v1 import AppTest

    seen = {}

    class Seen(Exception):
        pass

    def set_page_config(**kwargs):
        seen.update(kwargs)
        raise Seen  # nothing after it is needed

    monkeypatch.setattr(streamlit, "set_page_config", set_page_config)
    monkeypatch.chdir(tmp_path)  # `streamlit run /path/to/app.py` from another folder
    AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    icon = Path(seen["page_icon"])
    assert icon.is_file() and icon.resolve().is_relative_to(ROOT), icon
    with Image.open(icon) as image:
        assert image.format == "PNG" and image.size[0] >= 32


def test_no_runtime_code_takes_the_server_s_date_or_a_naive_time():
    """Dates are Shanghai's (``recommender.clock.today``); a time is taken with its zone, shown in Beijing time."""
    import re

    naive = re.compile(r"date\.today\(\)|datetime\.now\(\s*\)|datetime\.today\(\)|utcnow\(|time\.localtime\(")
    files = [ROOT / "app.py", *(ROOT / "recommender").rglob("*.py"), *(ROOT / "webapp").rglob("*.py")]
    found = [f"{p.relative_to(ROOT)}:{n}" for p in files for n, line in enumerate(p.read_text("utf-8").splitlines(), 1)
             if naive.search(line)]  # fmt: skip
    assert not found
    assert naive.search("x = dt.date.today()") and not naive.search("dt.datetime.now(dt.UTC)")
