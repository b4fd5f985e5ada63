"""Hostile and careless inputs (issue items 2–5): each is one line naming the file, row or field, exit 2 on the
command line, never a traceback, and the good rows kept; tiny files never exhaust memory; user text is never
Markdown; reads never wait for a writer; a silent server is a clear message within seconds."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from unavailable import unavailable
from workbooks import roster_xlsx

from recommender import limits
from recommender.cli import main
from recommender.paths import ANNOTATIONS, ROOT, SOURCES
from recommender.profile import ProfileError, json_of, parse_profile
from recommender.roster import RosterError, read_roster
from recommender.yamlio import DataError

HEADER = "企业名称,注册地,营业收入\n"
GOOD = "甲公司,浦东新区,100\n乙公司,徐汇区,200\n丙公司,闵行区,300\n"
GOOD_NAMES = ["甲公司", "乙公司", "丙公司"]


def cli(*argv: str) -> tuple[int, str, str]:
    """Run the command line in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def refused(code: int, err: str, names: str) -> None:
    """Exit 2 and exactly one line on stderr, naming ``names`` (the file, row or field), no traceback."""
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err and names in err, err


def _write(path: Path, data: str | bytes) -> Path:
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def _json_names(out: str) -> list[str]:
    return [row["profile"]["name"] for row in json.loads(out)["rows"]]


# --- item 3: tracebacks where the contract promises one line --------------------------------------


def test_a_csv_cell_over_131072_characters_is_a_bad_row_and_the_good_rows_are_kept(tmp_path):
    roster = _write(tmp_path / "r.csv", HEADER + '大公司,浦东新区,"' + "x" * 140_000 + '"\n' + GOOD)
    code, out, _ = cli("read-roster", str(roster), "--format", "json")
    assert code == 0 and _json_names(out) == GOOD_NAMES
    [bad] = json.loads(out)["refused"]
    assert bad["row"] == 2 and "单元格过长" in json.dumps(bad, ensure_ascii=False)


def test_an_unclosed_quote_on_row_2_is_that_row_only_and_the_three_good_rows_after_it_are_read(tmp_path):
    roster = _write(tmp_path / "r.csv", HEADER + '坏公司,"浦东新区,100\n' + GOOD)
    code, out, _ = cli("read-roster", str(roster), "--format", "json")
    assert code == 0 and _json_names(out) == GOOD_NAMES
    [bad] = json.loads(out)["refused"]
    assert bad["row"] == 2 and "引号没有配对" in json.dumps(bad, ensure_ascii=False)
    code, out, _ = cli("read-roster", str(roster))
    assert "第 2 行（坏公司）：引号没有配对" in out and "\n甲公司" not in out  # the refusal is one line


def test_cr_only_line_ends_excel_csv_macintosh(tmp_path):
    roster = _write(tmp_path / "r.csv", (HEADER + GOOD).replace("\n", "\r"))
    code, out, _ = cli("read-roster", str(roster), "--format", "json")
    assert code == 0 and _json_names(out) == GOOD_NAMES


def test_nul_and_control_characters_reach_word_and_excel_writers_cleaned(tmp_path):
    profile = _write(
        tmp_path / "p.json", json.dumps({"name": "甲\x00\x07公司", "region": "浦东新区", "description": "a\x0bb"})
    )
    code, out, err = cli("sheet", str(profile), "-o", str(tmp_path / "s.docx"))
    assert code == 0, err
    roster = _write(tmp_path / "r.csv", HEADER + "乙\x00\x1b公司,浦东新区,100\n")
    code, out, _ = cli("read-roster", str(roster), "--format", "json")
    assert code == 0 and _json_names(out) == ["乙  公司"]  # each control character read as a space


def test_a_name_of_260_characters_and_an_output_name_of_300_in_sheet(tmp_path):
    long_name = _write(tmp_path / "p.json", json.dumps({"name": "甲" * 260, "region": "浦东新区"}))
    refused(*cli("sheet", str(long_name), "-o", str(tmp_path / "s.docx"))[::2], "name（企业名称）：过长")
    fine = _write(tmp_path / "q.json", json.dumps({"name": "甲公司", "region": "浦东新区"}))
    code, _, err = cli("sheet", str(fine), "-o", str(tmp_path / ("长" * 300 + ".docx")))
    refused(code, err, "无法写入")


def test_deeply_nested_json_and_a_directory_as_profile(tmp_path):
    deep = _write(tmp_path / "deep.json", "[" * 100_000 + "]" * 100_000)
    refused(*cli("readiness", str(deep))[::2], "deep.json: JSON 嵌套层数过多")
    refused(*cli("readiness", str(tmp_path))[::2], "这是文件夹，不是文件")
    refused(*cli("read-roster", str(tmp_path))[::2], str(tmp_path))


def test_an_unsupported_database_url(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "mysql://u:p@localhost/db")
    refused(*cli("enterprises")[::2], "不支持的数据库“mysql”")
    profile = _write(tmp_path / "p.json", json.dumps({"name": "甲公司", "region": "浦东新区"}))
    code, _, err = cli("readiness", str(profile), "--pathways")  # the shipped corpus, and the reason said
    assert code == 0 and "不支持的数据库" in err


def test_a_registry_folder_that_cannot_be_made(monkeypatch, tmp_path):
    """What a read-only checkout does to the default data/registry.sqlite3 (here: a file where data/ would be)."""
    _write(tmp_path / "data", "not a folder")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'data' / 'registry.sqlite3'}")
    refused(*cli("enterprises")[::2], "无法创建文件夹")
    refused(*cli("import-roster", str(_write(tmp_path / "r.csv", HEADER + GOOD)))[::2], "无法创建文件夹")


def _read_only(command: str) -> subprocess.CompletedProcess:
    """``command`` run in a copy of the checkout (no data/, no .cache) mounted read-only (Linux mount namespace)."""
    if not shutil.which("unshare"):
        unavailable("unshare is missing", "util-linux has it")
    return subprocess.run(["unshare", "-m", "sh", "-c", command], capture_output=True, text=True, timeout=300)


def test_a_read_only_checkout_with_no_data_folder(tmp_path):
    copy = tmp_path / "checkout"
    ignore = shutil.ignore_patterns(".git", ".cache", "data", "__pycache__", "tests", "notebooks", "docs")
    shutil.copytree(ROOT, copy, ignore=ignore)
    profile = _write(tmp_path / "p.json", json.dumps({"name": "甲公司", "region": "浦东新区"}))
    mount = f"mount --bind {copy} {copy} && mount -o remount,ro,bind {copy}"
    probe = _read_only(f"{mount} && touch {copy}/x")
    if probe.returncode == 0 or "Read-only" not in probe.stderr:
        unavailable(f"a read-only mount is refused here: {probe.stderr.strip()}", "run as root")
    env = "env -u DATABASE_URL PYTHONDONTWRITEBYTECODE=1"
    py = f"cd {copy} && {env} {sys.executable} -m recommender"
    done = _read_only(f"{mount} && {py} enterprises")
    refused(done.returncode, done.stderr, "无法创建文件夹")
    done = _read_only(f"{mount} && {py} recommend {profile} --top 3")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr


def test_caches_that_cannot_be_written_are_skipped_in_process(tmp_path):
    """The same as the read-only mount above, without it (where a mount namespace is not allowed): the search
    index's cache is not written and the jieba dictionary is built in the temporary folder, nothing raised."""
    from recommender.engine import Recommender
    from recommender.engine.index import save_cache
    from recommender.paths import LEXICON
    from recommender.text import fast_tokenizer

    blocker = _write(tmp_path / "afile", "x")  # a file where the cache folder would be
    engine = Recommender.load()
    save_cache(blocker / "index", engine.policies, engine.index)
    assert not (blocker.parent / "index").exists()
    assert "张江" in set(fast_tokenizer(LEXICON / "userdict.txt", cache=blocker).lcut("张江科学城"))


def test_export_feedback_to_an_unwritable_place(tmp_path):
    blocker = _write(tmp_path / "afile", "x")
    refused(*cli("export-feedback", "-o", str(blocker / "cases.yaml"))[::2], "无法写入")
    refused(*cli("export-feedback", "-o", "/proc/no-such-dir/cases.yaml")[::2], "无法写入")


@pytest.mark.parametrize("damage", ["gbk", "binary"])
def test_a_gbk_or_binary_source_file_in_ingest(tmp_path, monkeypatch, damage):
    import recommender.ingest as ingest_package
    from recommender.ingest.build import ingest

    sources = tmp_path / "sources"
    shutil.copytree(SOURCES, sources)
    source = sorted(sources.glob("*.txt"))[0]
    text = source.read_text("utf-8")
    source.write_bytes(text.encode("gbk", errors="replace") if damage == "gbk" else bytes(range(256)) * 20)
    with pytest.raises(DataError, match=f"{source.name}: 不是 UTF-8 编码的文本"):
        ingest(sources, ANNOTATIONS, tmp_path / "clauses")
    monkeypatch.setattr(ingest_package, "ingest", lambda: ingest(sources, ANNOTATIONS, tmp_path / "clauses"))
    refused(*cli("ingest")[::2], source.name)


def test_status_half_in_ranking_yaml(tmp_path):
    from recommender.engine.ranking import load_ranking

    shipped = (ROOT / "policies" / "ranking.yaml").read_text("utf-8")
    broken = _write(tmp_path / "ranking.yaml", shipped.replace("status: 0.5", "status: half"))
    with pytest.raises(DataError, match=r"ranking\.yaml:\d+: weights\.status"):
        load_ranking(broken)
    assert load_ranking()["weights"]["status"] == 0.5


def test_a_broken_industries_yaml(tmp_path, monkeypatch):
    import recommender.profile as profile_module

    lexicon = tmp_path / "lexicon"
    lexicon.mkdir()
    _write(lexicon / "industries.yaml", "集成电路: [芯片\n  软件: ]]")
    monkeypatch.setattr(profile_module, "LEXICON", lexicon)
    profile_module.industry_words.cache_clear()
    profile_module.industry_category.cache_clear()
    try:
        profile = _write(
            tmp_path / "p.json", json.dumps({"name": "甲公司", "region": "浦东新区", "industry": "做芯片"})
        )
        refused(*cli("readiness", str(profile))[::2], "industries.yaml:")
    finally:
        profile_module.industry_words.cache_clear()
        profile_module.industry_category.cache_clear()


@pytest.mark.parametrize("value", ["Infinity", "-Infinity", "1e400", '"inf"', '"Infinity"', '"1e400"', "NaN", '"NaN"'])
def test_infinity_and_nan_are_refused_as_not_finite_before_readiness(tmp_path, value):
    profile = _write(tmp_path / "p.json", f'{{"name": "甲公司", "region": "浦东新区", "revenue": {value}}}')
    code, _, err = cli("readiness", str(profile))
    refused(code, err, "revenue（营业收入（万元））：应为有限的数字")


def test_12_percent_as_revenue_and_true_as_employees(tmp_path):
    percent = _write(tmp_path / "p.json", '{"name": "甲公司", "region": "浦东新区", "revenue": "12%"}')
    refused(*cli("readiness", str(percent))[::2], "“12%”不是金额")
    flag = _write(tmp_path / "q.json", '{"name": "甲公司", "region": "浦东新区", "employees": true}')
    refused(*cli("readiness", str(flag))[::2], "employees（职工总数）：应为数字")


def test_roster_rows_with_infinity_nan_or_a_percentage_are_named_and_the_good_rows_imported(tmp_path):
    bad = "丁公司,浦东新区,inf\n戊公司,浦东新区,Infinity\n己公司,浦东新区,1e400\n"
    bad += "庚公司,浦东新区,NaN\n辛公司,浦东新区,12%\n"
    roster = _write(tmp_path / "r.csv", HEADER + GOOD + bad)
    code, _, err = cli("import-roster", str(roster))
    assert code == 2 and "Traceback" not in err and "丁公司" in err  # nothing written while bad rows remain
    assert json.loads(cli("enterprises", "--format", "json")[1])["enterprises"] == []
    code, out, err = cli("import-roster", str(roster), "--skip-bad")
    assert code == 0, err
    assert [re.search(r"（(.+?)）", line)[1] for line in err.strip().splitlines()] == [
        "丁公司",
        "戊公司",
        "己公司",
        "庚公司",
        "辛公司",
    ]
    code, out, _ = cli("enterprises", "--format", "json")
    assert sorted(e["name"] for e in json.loads(out)["enterprises"]) == sorted(GOOD_NAMES)


# --- fuzz: the profile and roster readers on arbitrary input ---------------------------------------

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
_cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(['"', '""', "\r", "\n", "\x00", "inf", "NaN", "1e400", "12%", "八十五", "=1+1", ",", ";"]),
)


@FUZZ
@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.recursive(
            st.none() | st.booleans() | st.floats() | st.text(max_size=8),
            lambda c: (
                st.lists(c, max_size=3)
                | st.dictionaries(
                    st.sampled_from(["name", "region", "revenue", "employees", "qualifications", "founded", "x"]),
                    c,
                    max_size=4,
                )
            ),
            max_leaves=12,
        ).map(lambda v: json.dumps(v).encode()),
    )
)
def test_fuzz_the_profile_reader_says_one_line_or_reads(tmp_path, data):
    path = tmp_path / "p.json"
    path.write_bytes(data)
    code, _, err = cli("readiness", str(path))
    assert code in (0, 2) and "Traceback" not in err
    if code == 2:
        assert len(err.strip().splitlines()) == 1 and str(path) in err
    with contextlib.suppress(ProfileError):
        parse_profile(json_of(data))


@FUZZ
@given(rows=st.lists(st.lists(_cells, min_size=0, max_size=4), max_size=6), raw=st.binary(max_size=200))
def test_fuzz_the_roster_reader_keeps_good_rows_and_says_one_line(tmp_path, rows, raw):
    text = HEADER + "\n".join(",".join(r) for r in rows) + "\n" + GOOD
    for i, data in enumerate((text.encode(), raw, text.encode() + raw)):
        path = tmp_path / f"r{i}.csv"
        path.write_bytes(data)
        code, out, err = cli("read-roster", str(path), "--format", "json")
        assert code in (0, 2) and "Traceback" not in err
        if code == 2:
            assert len(err.strip().splitlines()) == 1 and str(path) in err
        elif i == 0:
            read = json.loads(out)
            assert all(len(str(b)) for b in read["refused"])
            names = [r["profile"]["name"] for r in read["rows"]]
            # the three good rows after arbitrary rows: kept unless a row above names the same enterprise
            assert names[-3:] == GOOD_NAMES or set(GOOD_NAMES) - set(names) <= _named(rows)
        with contextlib.suppress(RosterError):
            read_roster(data, "r.csv")


def _named(rows: list[list[str]]) -> set[str]:
    return {c.strip() for r in rows for c in r}


# --- item 2: tiny files that exhaust memory or time ------------------------------------------------


@pytest.mark.parametrize("declared", ["A1:XFD20000", "A1:XFD1048576"])
def test_a_declared_sheet_size_is_never_trusted(tmp_path, declared):
    path = _write(tmp_path / "r.xlsx", roster_xlsx(lambda d: d.replace(b'ref="A1:B2"', f'ref="{declared}"'.encode())))
    assert path.stat().st_size < 10_000
    started = time.perf_counter()
    code, out, _ = cli("read-roster", str(path), "--format", "json")
    assert code == 0 and _json_names(out) == ["甲公司"] and time.perf_counter() - started < 10


def test_an_xlsx_that_unpacks_to_more_than_the_limit_is_refused_before_it_is_unpacked(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "LIMITS", limits.Limits(unpacked_mb=5))
    monkeypatch.setattr("recommender.spreadsheet.LIMITS", limits.LIMITS)
    data = roster_xlsx(lambda d: d.replace(b"<sheetData>", b"<sheetData>" + b" " * 8_000_000))
    path = _write(tmp_path / "r.xlsx", data)
    assert len(data) < 100_000  # deflate packs the whitespace a thousand to one
    refused(*cli("read-roster", str(path))[::2], "文件解压后有 7.6 MB，超过 5.0 MB 的上限")


def test_files_over_the_size_limits_are_refused_before_they_are_read(tmp_path, monkeypatch):
    monkeypatch.setattr("recommender.roster.LIMITS", limits.Limits(file_mb=0.01))
    monkeypatch.setattr("recommender.profile.LIMITS", limits.Limits(profile_kb=1))
    roster = _write(tmp_path / "r.csv", HEADER + GOOD * 200)
    refused(*cli("read-roster", str(roster))[::2], "r.csv: 文件有 15 KB，超过名单文件 10 KB 的上限")
    with pytest.raises(RosterError, match="超过名单文件"):
        read_roster(roster.read_bytes(), "r.csv")  # an upload
    profile = _write(
        tmp_path / "p.json", json.dumps({"name": "甲公司", "region": "浦东新区", "description": "研" * 2000})
    )
    refused(*cli("readiness", str(profile))[::2], "p.json: 文件有")


def test_a_20_mb_description_is_refused_fast(tmp_path):
    profile = _write(
        tmp_path / "p.json", json.dumps({"name": "甲", "region": "浦东新区", "description": "研发" * 10_000_000})
    )
    started = time.perf_counter()
    refused(*cli("readiness", str(profile))[::2], "超过档案文件 1.0 MB 的上限")
    roster = _write(
        tmp_path / "r.csv", "企业名称,注册地,企业描述\n甲公司,浦东新区," + "研发" * 3_000_000 + "\n乙公司,徐汇区,好\n"
    )
    code, out, _ = cli("read-roster", str(roster), "--format", "json")
    assert code == 0 and _json_names(out) == ["乙公司"] and "单元格过长" in out
    assert time.perf_counter() - started < 20
    with pytest.raises(ProfileError, match="企业描述：过长（最多 5000 字"):
        parse_profile({"name": "甲", "region": "浦东新区", "description": "研" * 5001})


# --- item 4: injection ---------------------------------------------------------------------------

INJECTED = "[点此领取补贴](http://x.invalid/a) ![](http://x.invalid/t.png)"
_LIVE = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\(|https?://|(?<!\\)!\[")


def _shown(at) -> list[str]:
    """Every text the page renders as Markdown (markdown, headings, captions, alerts, expander labels)."""
    texts = [
        e.value
        for kind in ("markdown", "subheader", "caption", "error", "warning", "info", "success")
        for e in getattr(at, kind)
    ]
    return texts + [e.label for e in at.expander]


def test_no_user_text_becomes_a_link_or_an_image_on_the_pages():
    from streamlit.testing.v1 import AppTest

    from webapp.ui.markup import md

    assert not _LIVE.search(md(INJECTED)) and not _LIVE.search(md("见 www.x.invalid 或 a@x.invalid"))
    # GFM finds links in the text after escapes are undone (a name's https://… was a link in a heading)
    unescaped = md("见 https://x.invalid、www.x.invalid 或 a@x.invalid").replace("\\", "")
    assert not re.search(r"https?://|www\.|\w@\w", unescaped) and unescaped.replace("\u2060", "") == (
        "见 https://x.invalid、www.x.invalid 或 a@x.invalid"
    )
    from actors import account

    from recommender.registry.access import COUNSELLOR
    from webapp.ui.auth import USER

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state[USER] = account(COUNSELLOR, "测试辅导员")  # the 辅导员工作台 below needs a login
    at.run()
    at.text_input(key="pf_name").input(INJECTED)
    at.selectbox(key="pf_region").select("浦东新区")
    [button] = [b for b in at.button if b.label == "开始匹配"]
    button.click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("点此领取补贴" in s for s in _shown(at))  # the heading: 匹配结果：…
    assert not [s for s in _shown(at) if "x.invalid" in s and _LIVE.search(s)]
    at.switch_page("webapp/views/counsellor.py").run()
    header = f"企业名称,注册地,{INJECTED}\n甲公司,浦东新区,1\n"
    at.file_uploader(key="roster_upload").set_value((f"{INJECTED}.csv", header.encode(), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    at.file_uploader(key="roster_upload").set_value((f"{INJECTED}.csv", b"\x00\xff", "text/csv")).run()
    shown = _shown(at)
    assert any("点此领取补贴" in s for s in shown)  # the file name in the error, the header and the name
    assert not [s for s in shown if "x.invalid" in s and _LIVE.search(s)], shown


def test_every_csv_download_makes_formulas_inert():
    import pandas as pd

    from recommender.safe_output import csv_bytes

    frame = pd.DataFrame(
        {"企业名称": ['=HYPERLINK("http://x.invalid","点我")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3"]}
    )
    import csv

    [_, *rows] = csv.reader(io.StringIO(csv_bytes(frame).decode("utf-8-sig")))
    assert [row[0][0] for row in rows] == ["'"] * 4
    sources = "\n".join(p.read_text("utf-8") for p in (ROOT / "webapp").rglob("*.py"))
    assert "to_csv(" not in sources and "csv.writer" not in sources  # every download goes through csv_bytes


# --- item 5: waits -------------------------------------------------------------------------------


def test_reads_never_wait_for_a_writer(registry_url, tmp_path):
    from recommender.registry import db

    if not registry_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    assert cli("import-roster", str(_write(tmp_path / "r.csv", HEADER + GOOD)))[0] == 0
    db.close(db.database_url())  # the reading command opens the database afresh
    writer = sqlite3.connect(registry_url.removeprefix("sqlite:///"), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # an import holding the write lock
    try:
        started = time.perf_counter()
        code, out, err = cli("enterprises", "--format", "json")
        assert code == 0, err
        assert len(json.loads(out)["enterprises"]) == 3 and time.perf_counter() - started < 5
        code, _, err = cli("export-feedback", "-o", str(tmp_path / "cases.yaml"))
        assert code == 0, err
    finally:
        writer.rollback()
        writer.close()


def test_a_server_that_accepts_but_never_answers_is_a_clear_message_within_seconds(monkeypatch):
    from recommender.registry import db

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []

    def accept() -> None:
        with contextlib.suppress(OSError):
            while True:
                held.append(server.accept()[0])

    threading.Thread(target=accept, daemon=True).start()
    url = f"postgresql://u:p@127.0.0.1:{server.getsockname()[1]}/db"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setattr(db, "CONNECT_TIMEOUT_S", 2)
    try:
        started = time.perf_counter()
        code, _, err = cli("enterprises")
        refused(code, err, "连接超时：2 秒内没有应答")
        assert time.perf_counter() - started < 10
    finally:
        server.close()
        for connection in held:
            connection.close()
        db.close(db.database_url())


def test_a_transaction_aborted_for_a_concurrent_one_is_run_again_a_bounded_number_of_times(monkeypatch):
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from recommender.registry import db

    class Conflict(Exception):
        sqlstate = "40001"

    monkeypatch.setattr(db, "RETRY_PAUSE_S", 0.01)
    calls = []

    def flaky(session):
        calls.append(1)
        session.execute(text("SELECT 1"))
        if len(calls) < 3:
            raise OperationalError("UPDATE …", {}, Conflict("could not serialize access"))
        return "done"

    assert db.run(flaky) == "done" and len(calls) == 3
    calls.clear()
    with pytest.raises(OperationalError) as caught:
        db.run(flaky, tries=2)  # it would succeed on the third try only
    assert len(calls) == 2 and "重试 3 次仍未成功" in db.failure_message(caught.value)


def test_a_statement_over_the_time_out_is_stopped_with_a_clear_message(registry_url, monkeypatch):
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from recommender.registry import db

    if not registry_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's statement_timeout")
    db.close(db.database_url())
    monkeypatch.setattr(db, "STATEMENT_TIMEOUT_S", 1)
    try:
        with pytest.raises(OperationalError) as caught, db.reading() as session:
            session.execute(text("SELECT pg_sleep(3)"))
        assert "超过 1 秒未完成，已中止" in db.failure_message(caught.value)
    finally:
        db.close(db.database_url())


def test_the_limits_are_stated_in_the_readme_and_read_from_config():
    readme = (ROOT / "README.md").read_text("utf-8")
    for name in ("file_mb", "profile_kb", "unpacked_mb", "rows", "columns", "cells", "cell_chars", "description_chars"):
        assert f"`{name}`" in readme
    for name in ("connect_timeout", "statement_timeout"):
        assert f"`{name}`" in readme
    assert limits.Limits() == limits.LIMITS  # the shipped config.toml keeps the defaults
    assert os.environ.get("DATABASE_URL")  # the suite's own registry (conftest)


# --- found by the second break-it trial ------------------------------------------------------------


@pytest.mark.parametrize("tag", [b'<c\n s="0"/>', b'<c\ts="0"/>', b"<c/>"])
def test_styled_empty_cells_are_counted_however_the_tag_is_written(monkeypatch, tag):
    from recommender import spreadsheet

    monkeypatch.setattr(spreadsheet, "MAX_CELLS", 1_000)
    row = b'<row r="3">' + tag * 2_000 + b"</row>"
    data = roster_xlsx(lambda d: d.replace(b"</sheetData>", row + b"</sheetData>"))
    with pytest.raises(spreadsheet.SpreadsheetError, match="超过 1,000 个"):
        spreadsheet.read_sheets(data, ".xlsx")


def test_a_csv_over_the_row_limit_is_refused_before_its_lines_are_parsed(monkeypatch):
    from recommender import spreadsheet

    monkeypatch.setattr(spreadsheet, "MAX_ROWS", 100)
    text = "企业名称,注册地\n" + "甲公司,浦东新区\n" * 300
    with pytest.raises(RosterError, match="最多 100 行"):
        read_roster(text.encode(), "r.csv")


def test_a_bad_row_is_named_in_a_short_line_never_repeated_whole():
    text = (
        "企业名称,注册地,职工总数\n" + "\0" * 1_000 + "甲,北京市,1\n" + "乙" * 10_000 + ",北京市,1\n丙公司,金山区,2\n"
    )
    roster = read_roster(text.encode(), "r.csv")
    assert [r.profile.name for r in roster.rows] == ["丙公司"]
    assert len(roster.bad) == 2 and all(len(str(b)) < 300 for b in roster.bad), [len(str(b)) for b in roster.bad]
