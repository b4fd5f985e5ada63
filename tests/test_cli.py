"""The command line contract (../shared/spec/cli.md)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import openpyxl
import pytest

from recommender.paths import ROOT


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "recommender", *args], capture_output=True, text=True, cwd=ROOT)


def test_recommend_json_follows_the_contract(tmp_path):
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps({"name": "某企业", "region": "金山区", "needs": ["场地空间"]}, ensure_ascii=False))
    out = run("recommend", str(profile), "--top", "3", "--as-of", "2025-06-30", "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["as_of"] == "2025-06-30" and data["profile"]["region"] == "金山区"
    assert 0 < len(data["results"]) <= 3
    for key in [
        "rank",
        "clause_id",
        "policy_id",
        "policy_title",
        "text",
        "score",
        "status",
        "reasons",
        "gaps",
        "departments",
        "valid",
        "validity",
        "kind",
        "reviewed",
    ]:
        assert key in data["results"][0]
    assert data["results"][0]["status"] in {"eligible", "partial", "unknown", "ineligible"}
    for r in data["results"]:
        assert r["validity"] in {"in_force", "not_yet", "ended"} and r["valid"] is (r["validity"] == "in_force")
        assert r["kind"] in {"measure", "lead"} and isinstance(r["reviewed"], bool)


def test_a_document_not_yet_in_force_is_not_called_expired(tmp_path):
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps({"name": "某企业", "region": "浦东新区"}, ensure_ascii=False))
    out = run("recommend", str(profile), "--top", "500", "--as-of", "2000-01-01", "--format", "json")
    results = json.loads(out.stdout)["results"]
    assert results and all(r["validity"] == "not_yet" and r["status_label"] == "尚未生效" for r in results)


def test_recommend_table_is_for_people(tmp_path):
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps({"name": "某企业", "region": "金山区"}, ensure_ascii=False))
    out = run("recommend", str(profile), "--top", "2")
    assert out.returncode == 0 and "1." in out.stdout and "某企业" in out.stdout


def test_a_gap_is_marked_not_met_or_not_known_as_it_is(tmp_path):
    """Every gap of the table was marked ✗, 请补充… (a fact not given) among them (a break-it trial); the JSON
    did not say which. A large enterprise: its not-met size conditions, and facts it did not give."""
    profile = tmp_path / "p.json"
    data = {"name": "某企业", "region": "浦东新区", "employees": 5000, "revenue": 500000}
    profile.write_text(json.dumps(data, ensure_ascii=False))
    args = ("recommend", str(profile), "--top", "200", "--as-of", "2025-06-30", "--include-ineligible")
    table = run(*args)
    assert table.returncode == 0, table.stderr
    marked = [line.strip() for line in table.stdout.splitlines() if line.strip()[:1] in {"✗", "?", "·"}]
    assert any(line.startswith("? 请补充") for line in marked)
    assert any(line.startswith("✗ 本措施需") for line in marked)
    assert not [line for line in marked if line.startswith("✗ 请补充") or line.startswith("? 本措施需")]
    gaps = [g for r in json.loads(run(*args, "--format", "json").stdout)["results"] for g in r["gaps"]]
    assert {g["state"] for g in gaps} == {"not_met", "unknown"}
    assert all(g["state"] == "unknown" for g in gaps if g["message"].startswith(("请补充", "请确认")))


def test_bad_profiles_exit_2_with_one_line(tmp_path):
    cases = {
        "notjson.json": "{name: 1",
        "types.json": json.dumps({"name": "x", "region": "浦东新区", "employees": "很多"}),
        "negative.json": json.dumps({"name": "x", "region": "浦东新区", "revenue": -5}),
        "district.json": json.dumps({"name": "x", "region": "北京市"}),
        "staff.json": json.dumps({"name": "x", "region": "浦东新区", "employees": 5, "rd_staff": 9}),
        "infinite.json": '{"name": "x", "region": "浦东新区", "revenue": Infinity}',
        "nan.json": '{"name": "x", "region": "浦东新区", "revenue": NaN}',
        "deep.json": "[" * 100_000,
        "twice.json": json.dumps(
            {
                "name": "x",
                "region": "浦东新区",
                "qualifications": ["高新技术企业"],
                "qualification_dates": {"高企": "2026-10-15", "高新技术企业": "2020-01-01"},
            },
            ensure_ascii=False,
        ),
        "three_years.json": json.dumps({"name": "x", "region": "浦东新区", "revenue": 15000, "revenue_3y": 100}),
        "string_huge.json": json.dumps({"name": "x", "region": "浦东新区", "revenue": "1e13"}),
    }
    expect = {
        "twice.json": "两个取得日期",
        "three_years.json": "revenue_3y",
        "string_huge.json": "超过 1 万亿元",
        "infinite.json": "有限的数字",
        "nan.json": "有限的数字",
        "deep.json": "嵌套",
        "notjson.json": "JSON",
        "types.json": "employees",
        "negative.json": "revenue",
        "district.json": "region",
        "staff.json": "rd_staff",
    }
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        out = run("recommend", str(path))
        assert out.returncode == 2, name
        assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr, out.stderr
        assert expect[name] in out.stderr and name in out.stderr
    assert run("recommend", str(tmp_path / "missing.json")).returncode == 2
    (tmp_path / "folder.json").mkdir()
    folder = run("readiness", str(tmp_path / "folder.json"))
    assert folder.returncode == 2 and "文件夹" in folder.stderr and "Traceback" not in folder.stderr
    assert run("recommend", str(tmp_path / "types.json"), "--as-of", "2025-02-30").returncode == 2


def test_broken_policy_yaml_names_file_and_line_and_changes_nothing(tmp_path, monkeypatch):
    import shutil

    from recommender import cli
    from recommender.ingest import build

    sources = tmp_path / "sources"
    annotations = tmp_path / "annotations"
    target = tmp_path / "clauses"
    shutil.copytree(ROOT / "policies" / "sources", sources)
    shutil.copytree(ROOT / "policies" / "annotations", annotations)
    shutil.copytree(ROOT / "policies" / "clauses", target)
    before = {p.name: p.read_bytes() for p in target.iterdir()}

    meta = sources / "001_8bc55a1b0390d75f.meta.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("issued: 2023-05-08", "issued: 2023-13-45"), "utf-8")
    notes = annotations / "pd-goi-2023.yaml"
    monkeypatch.setattr(build, "SOURCES", sources)
    monkeypatch.setattr(build, "ANNOTATIONS", annotations)
    monkeypatch.setattr(build, "CLAUSES", target)
    monkeypatch.setattr(build.ingest, "__defaults__", (sources, annotations, target))

    code = cli.main(["ingest"])
    assert code == 2
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before

    meta.write_text(meta.read_text(encoding="utf-8").replace("issued: 2023-13-45", "issued: 2023-05-08"), "utf-8")
    notes.write_text(notes.read_text(encoding="utf-8").replace("kind: measure", "kind: maybe", 1), "utf-8")
    assert cli.main(["ingest"]) == 2
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before


def test_broken_yaml_message_has_file_and_line(tmp_path, capsys):
    import pytest

    from recommender.ingest.build import load_source_metas
    from recommender.yamlio import DataError

    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "x.txt").write_text("一、总则\n", encoding="utf-8")
    (sources / "x.meta.yaml").write_text("documents:\n  - policy_id: x\n    title: [unclosed\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_source_metas(sources)
    assert "x.meta.yaml:" in str(err.value) and "\n" not in str(err.value)
    (sources / "x.meta.yaml").write_text(
        "documents:\n  - policy_id: x\n    title: t\n    short_title: t\n    issuer: i\n"
        "    valid_from: 2020-01-01\n    applies_to: {regions: [火星区]}\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as err:
        load_source_metas(sources)
    assert "x.meta.yaml:7" in str(err.value) and "regions" in str(err.value)


def test_readiness_survives_dates_at_the_end_of_the_calendar(tmp_path):
    path = tmp_path / "p.json"
    held = {"qualifications": ["高新技术企业"], "qualification_dates": {"高新技术企业": "2019-12-30"}}
    path.write_text(json.dumps({"name": "x", "region": "浦东新区", **held}), encoding="utf-8")
    # the library judges any date (a term's end past 9999 once raised); the command takes 2000 to 2099
    from recommender.criteria.readiness import check_readiness
    from recommender.profile import parse_profile

    assert check_readiness(parse_profile(json.loads(path.read_text(encoding="utf-8"))), dt.date(9999, 12, 31))
    out = run("readiness", str(path), "--as-of", "9999-12-31", "--format", "json")
    assert out.returncode == 2 and "2000-01-01 至 2099-12-31" in out.stderr and out.stderr.count("\n") == 1
    # a founding or title date in the year 9999 is a typing slip: one line, exit 2
    late = {"qualifications": ["高新技术企业"], "qualification_dates": {"高新技术企业": "9999-12-30"}}
    for slip in ({"founded": "9999-12-30"}, late):
        path.write_text(json.dumps({"name": "x", "region": "浦东新区", **slip}), encoding="utf-8")
        out = run("readiness", str(path), "--as-of", "2099-12-31")
        assert out.returncode == 2 and "1900 年至今天" in out.stderr and out.stderr.count("\n") == 1


def test_a_rosters_bad_rows_name_fields_by_their_chinese_label_only(tmp_path):
    """People read the roster's headers, not the profile's field codes: 职工总数, never employees（职工总数）."""
    roster = tmp_path / "名单.csv"
    roster.write_text("企业名称,注册地,职工总数\n,浦东新区,5\n某公司,浦东新区,很多\n", encoding="utf-8")
    read = run("read-roster", str(roster))
    assert read.returncode == 0, read.stderr
    assert "第 2 行：企业名称：必填" in read.stdout and "第 3 行（某公司）：职工总数：" in read.stdout
    batch = run("batch", str(roster), "-o", str(tmp_path / "out.xlsx"))
    assert "第 3 行（某公司）：职工总数：" in batch.stderr
    for text in (read.stdout, batch.stderr):
        assert "employees" not in text and "name（" not in text
    twice = tmp_path / "两列.csv"
    twice.write_text("企业名称,注册地,营业收入,营业收入（万元）\n甲,浦东新区,1,2\n", encoding="utf-8")
    out = run("read-roster", str(twice))
    assert out.returncode == 2 and "revenue" not in out.stderr and "营业收入（万元）" in out.stderr


def test_a_date_that_does_not_exist_is_named_as_such_and_a_bad_format_as_a_format(tmp_path):
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps({"name": "某企业", "region": "金山区"}, ensure_ascii=False))
    out = run("recommend", str(profile), "--as-of", "2024-02-30")
    assert out.returncode == 2 and "日期 2024-02-30 不存在：2024 年 2 月只有 29 天" in out.stderr
    assert "没有 13 月" in run("recommend", str(profile), "--as-of", "2024-13-01").stderr
    assert "格式" not in out.stderr
    slashed = run("recommend", str(profile), "--as-of", "2024/02/01")
    assert slashed.returncode == 2 and "日期格式应为 YYYY-MM-DD" in slashed.stderr


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["recommend"], "缺少必需的参数：企业档案"),
        ([], "缺少必需的参数：命令"),
        (["bogus"], "没有“bogus”这个命令（可用的命令：ingest、corpus"),
        (["corpus", "--format", "xml"], "--format 不能为“xml”（可选：table、json）"),
        (["corpus", "--bogus"], "无法识别的参数：--bogus"),
        (["evaluate", "--folds", "x"], "--folds：应为整数（收到“x”）"),
        (["readiness", "p.json", "--as-of"], "--as-of：需要一个值"),
    ],
)
def test_bad_usage_is_one_chinese_line(args, said):
    out = run(*args)
    assert out.returncode == 2 and out.stderr.count("\n") == 1, out.stderr
    assert said in out.stderr and out.stderr.startswith("错误：python -m recommender")
    for english in ("usage", "error:", "argument", "required", "invalid", "choose from"):
        assert english not in out.stderr


def test_help_is_titled_in_chinese():
    out = run("recommend", "-h")
    assert out.returncode == 0 and out.stdout.startswith("用法：python -m recommender recommend")
    assert "参数：" in out.stdout and "选项：" in out.stdout and "显示本帮助并退出" in out.stdout
    for english in ("usage:", "positional arguments", "options:", "show this help"):
        assert english not in out.stdout


def test_recommend_says_when_the_library_does_not_cover_the_district(tmp_path):
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps({"name": "黄浦某公司", "region": "黄浦区"}, ensure_ascii=False))
    out = run("recommend", str(profile), "--top", "2", "--as-of", "2025-06-30")
    assert out.returncode == 0 and "提示：本库暂未收录黄浦区的政策文件" in out.stdout
    profile.write_text(json.dumps({"name": "金山某公司", "region": "金山区"}, ensure_ascii=False))
    assert "提示：" not in run("recommend", str(profile), "--top", "2", "--as-of", "2025-06-30").stdout


def test_readiness_pathways_text_counts_ended_measures_apart_and_marks_them(tmp_path):
    profile = tmp_path / "p.json"
    data = {"name": "张江某公司", "region": "浦东新区", "park": "张江", "qualifications": [], "industry": "集成电路"}
    profile.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    asked = ("readiness", str(profile), "--pathways", "--as-of", "2026-11-30")
    text, as_json = run(*asked), json.loads(run(*asked, "--format", "json").stdout)
    lines = text.stdout.splitlines()
    for pathway in as_json["pathways"]:
        ended = [m for m in pathway["measures"] if m["validity"] == "ended"]
        live = [m for m in pathway["measures"] if m["valid"]]
        [head] = [line for line in lines if line.startswith(f"成为“{pathway['title']}”")]
        assert f"可解锁 {len(live)} 条现行措施" in head
        assert (f"另有 {len(ended)} 条属已到期的上一轮政策" in head) == bool(ended)
        for m in ended:  # every ended measure carries its mark on its line
            [line] = [x for x in lines if x.strip().startswith(f"{m['rank']}. ")]
            assert "[已到期 2025-12-31，上一轮政策]" in line
    assert any(m["validity"] == "ended" for p in as_json["pathways"] for m in p["measures"])  # the case is there


def test_a_batch_whose_reader_stops_early_exits_non_zero_and_leaves_no_file(tmp_path):
    """``beidou batch 名单.csv -o out.xlsx 2>&1 | head -1``: the reader of its messages gone, the batch stopped
    and wrote nothing, yet exited 0 (a break-it trial). It exits 141 (a shell's code for SIGPIPE)."""
    roster = tmp_path / "名单.csv"
    roster.write_text("企业名称,注册地\n" + ",浦东新区\n" * 3 + "好公司,浦东新区\n", encoding="utf-8")
    out = tmp_path / "out.xlsx"
    command = [sys.executable, "-m", "recommender", "batch", str(roster), "-o", str(out)]
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert child.stderr is not None
    child.stderr.close()  # the reader is gone before the first line
    assert child.wait(timeout=120) == 141
    assert list(tmp_path.iterdir()) == [roster]  # no workbook, no unfinished file


def test_the_workbook_says_which_roster_it_read_and_how(tmp_path):
    """How the roster was read (a column not read, money converted from 元) was printed on stderr only: the
    辅导员 who opens the workbook later never saw it. 说明 now names the file and lists those lines."""
    roster = tmp_path / "走访名单.csv"
    roster.write_text("企业名称,注册地,营业收入（元）,备注甲\n某公司,浦东新区,18500000,老客户\n", encoding="utf-8")
    out = tmp_path / "out.xlsx"
    batch = run("batch", str(roster), "-o", str(out))
    assert batch.returncode == 0, batch.stderr
    notes = dict(openpyxl.load_workbook(out)["说明"].iter_rows(min_row=2, values_only=True))
    assert notes["企业名单"] == "走访名单.csv"
    read = notes["名单读取说明"].splitlines()
    assert any(line.startswith("未读取的列：备注甲") for line in read)
    assert any(line.startswith("单位换算：") and "营业收入" in line for line in read)
    assert all(line in batch.stderr for line in read)  # the same lines as on stderr


def test_a_profile_on_standard_input_is_read_with_dash():
    """`recommend -` was refused as a missing file named "-" (a break-it trial): ``-`` is standard input, as Unix
    tools take it, and messages name it 标准输入."""
    profile = json.dumps({"name": "甲公司", "region": "浦东新区", "revenue": "1亿元"}, ensure_ascii=False)
    done = subprocess.run(
        [sys.executable, "-m", "recommender", "recommend", "-", "--format", "json", "--top", "1"],
        input=profile, capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["profile"]["name"] == "甲公司"
    assert "标准输入: 单位换算：营业收入" in done.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "recommender", "readiness", "-"], input="{", capture_output=True, text=True, cwd=ROOT
    )
    assert bad.returncode == 2 and bad.stderr.startswith("错误：标准输入: 不是有效的 JSON")
