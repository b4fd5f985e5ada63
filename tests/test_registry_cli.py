"""The registry's commands: `python -m recommender import-roster | enterprises | push | export-feedback`.

Each runs as a subprocess on this test's database (DATABASE_URL is inherited), like tests/test_cli.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from actors import admin
from registry_helpers import committed_counts, profile, without_document

from recommender.clock import today as shanghai_today
from recommender.eligibility.conditions import asks_the_enterprise
from recommender.eligibility.facts import Facts
from recommender.eligibility.verdict import evaluate
from recommender.evalset import load_cases
from recommender.paths import ROOT
from recommender.profile import LABELS, parse_profile
from recommender.profile_fields import SPEC_FIELDS
from recommender.registry import db, enterprises, feedback, push
from recommender.registry.models import BEIJING


def run(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "recommender", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def one_error_line(out: subprocess.CompletedProcess) -> str:
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr, out.stderr
    return out.stderr


def write_roster(path: Path, rows: list[dict[str, object]]) -> Path:
    """A roster with the Chinese headers of the template (recommender.roster.template_csv)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([LABELS[f] for f in SPEC_FIELDS])
    for row in rows:
        writer.writerow([row.get(f, "") for f in SPEC_FIELDS])
    path.write_bytes(out.getvalue().encode("utf-8-sig"))
    return path


ROWS = [
    {"name": "上海甲芯微电子有限公司", "region": "浦东新区", "industry": "集成电路", "employees": 85, "revenue": 6200},
    {"name": "金山乙食品有限公司", "region": "金山区", "needs": "资金补贴、融资贷款"},
    {"name": "徐汇丙软件有限公司", "region": "徐汇", "founded": "2019/4/1", "foreign_invested": "否"},
]
BAD = {"name": "北京丁科技有限公司", "region": "北京市"}


def test_import_roster_writes_the_rows_and_prints_a_summary(tmp_path):
    roster = write_roster(tmp_path / "名单.csv", ROWS)
    made = run(
        "add-account",
        "importer",
        "--name",
        "导入员",
        "--role",
        "管理员",
        "--password-stdin",
        stdin="口令足够长的密码123\n",
    )
    assert made.returncode == 0, made.stderr
    # the 专员 is an active 辅导员's name, as the pages offer: a login or any other text is refused, naming them
    refused = run("import-roster", str(roster), "--counsellor", "王专员", "--by", "importer")
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1
    assert "“王专员”不是在用的辅导员账号的姓名（尚无辅导员账号" in refused.stderr
    password = "口令足够长的密码123\n"
    made = run("add-account", "wangzy", "--name", "王专员", "--role", "辅导员", "--password-stdin", stdin=password)
    assert made.returncode == 0, made.stderr
    login = run("import-roster", str(roster), "--counsellor", "wangzy", "--by", "importer")
    assert "“wangzy”不是在用的辅导员账号的姓名（在用的辅导员：王专员）" in login.stderr
    out = run("import-roster", str(roster), "--counsellor", "王专员", "--stage", "培育", "--by", "importer")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"{roster}：新增 3 家，更新 0 家，未变 0 家（一个事务内写入）"
    assert out.stderr == ""
    listed = run("enterprises", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)["enterprises"]
    assert sorted(r["name"] for r in rows) == sorted(r["name"] for r in ROWS)
    for r in rows:
        assert set(r) == {
            "id", "name", "region", "industry", "pool_stage", "counsellor", "version", "updated_at", "updated_by"
        }  # fmt: skip
        assert (r["pool_stage"], r["counsellor"], r["version"], r["updated_by"]) == ("培育", "王专员", 1, "导入员")
        assert dt.datetime.fromisoformat(r["updated_at"]).tzinfo is not None
    assert {r["name"]: r["region"] for r in rows}["徐汇丙软件有限公司"] == "徐汇区"
    with db.transaction() as s:
        ((revision, _),) = enterprises.history(s, enterprises.find(s, "金山乙食品有限公司").id, admin())
        assert revision.source == "名单.csv 第 3 行"
    # the same file again: nothing new; the table format counts
    assert "未变 3 家" in run("import-roster", str(roster)).stdout
    table = run("enterprises", "--stage", "培育")
    assert table.returncode == 0 and "合计 3 家" in table.stdout and "上海甲芯微电子有限公司" in table.stdout
    assert "合计 0 家" in run("enterprises", "--counsellor", "李专员").stdout
    # a 辅导员 importing without --counsellor: her new enterprises are hers, as on the page (they were left
    # unassigned: a break-it trial); 未分配 said leaves them so
    new = write_roster(tmp_path / "新名单.csv", [{"name": "闵行戊科技有限公司", "region": "闵行区"}])
    assert run("import-roster", str(new), "--by", "wangzy").returncode == 0
    spare = write_roster(tmp_path / "另一名单.csv", [{"name": "闵行己科技有限公司", "region": "闵行区"}])
    assert run("import-roster", str(spare), "--by", "wangzy", "--counsellor", "未分配").returncode == 0
    rows = {
        r["name"]: r["counsellor"] for r in json.loads(run("enterprises", "--format", "json").stdout)["enterprises"]
    }
    assert (rows["闵行戊科技有限公司"], rows["闵行己科技有限公司"]) == ("王专员", None)


def test_a_roster_with_a_bad_row_writes_nothing_and_names_the_row(registry_url, tmp_path):
    roster = write_roster(tmp_path / "roster.csv", [ROWS[0], BAD, ROWS[1]])
    message = one_error_line(run("import-roster", str(roster)))
    assert "第 3 行（北京丁科技有限公司）：注册地：" in message and "未导入任何企业" in message
    assert "region" not in message  # people read the label, not the field's code
    assert committed_counts(registry_url) == (0, 0)

    out = run("import-roster", str(roster), "--skip-bad")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("新增 2 家，更新 0 家，未变 0 家；跳过有问题的 1 行（一个事务内写入）")
    assert out.stderr.count("\n") == 1 and "第 3 行（北京丁科技有限公司）" in out.stderr
    assert committed_counts(registry_url) == (2, 2)


def test_a_roster_naming_an_enterprise_twice_is_refused(registry_url, tmp_path):
    roster = write_roster(tmp_path / "roster.csv", [ROWS[0], ROWS[1], {**ROWS[0], "employees": 90}])
    message = one_error_line(run("import-roster", str(roster)))
    assert "第 4 行（上海甲芯微电子有限公司）：与第 2 行是同一家企业" in message
    assert committed_counts(registry_url) == (0, 0)
    one_error_line(run("import-roster", str(tmp_path / "missing.csv")))


JINSHAN = profile("金山某芯片设计有限公司", industry="集成电路")
# the keys a `push --format json` item has had from the start, in their order
PUSH_ITEM_KEYS = (
    "enterprise",
    "counsellor",
    "clause_id",
    "title",
    "policy",
    "change",
    "changed_on",
    "direction",
    "before",
    "after",
    "reasons",
)
PUDONG = profile("浦东某芯片设计有限公司", region="浦东新区", industry="集成电路")


def test_push_lists_the_enterprises_a_new_document_makes_eligible(policies):
    js = next(p for p in policies if p.document.policy_id == "js-yingshang-2022")
    with db.transaction() as s:  # the registry as it was before the document came in
        push.sync(s, without_document(policies, "js-yingshang-2022"), today=dt.date(2026, 1, 5))
        enterprises.add(s, JINSHAN, by=admin("alice"), counsellor="王专员")
        enterprises.add(s, PUDONG, by=admin("alice"), counsellor="李专员")
    today = shanghai_today()
    out = run("push", "--since", today.isoformat(), "--format", "json")
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""  # no progress bar for a script (nor for a short job: push.CHUNK, progress.Bar)
    data = json.loads(out.stdout)
    assert {"since", "as_of", "changes", "items"} <= set(data)
    assert (data["since"], data["as_of"], data["enterprises"]) == (today.isoformat(), today.isoformat(), 2)
    assert {c["clause_id"] for c in data["changes"]} == {c.id for c in js.clauses}
    assert {(c["change"], c["change_code"]) for c in data["changes"]} == {("新增", "added")}
    assert all(set(c) == {"clause_id", "change", "changed_on", "change_code"} for c in data["changes"])
    assert set(data["synced"]["added"]) == {c.id for c in js.clauses}
    facts = Facts(parse_profile(JINSHAN), today)
    eligible = {
        c.id: evaluate(c, js.document, facts)
        for c in js.clauses
        if c.kind == "measure" and evaluate(c, js.document, facts).status == "eligible"
    }
    assert eligible and {i["clause_id"] for i in data["items"]} == set(eligible)
    for item in data["items"]:
        # a contract: the keys it always had keep their (label) values, the codes are new keys beside them
        assert list(item) == [*PUSH_ITEM_KEYS, "change_code", "direction_code", "before_code", "after_code", "reviewed"]
        assert (item["enterprise"], item["counsellor"]) == ("金山某芯片设计有限公司", "王专员")
        asks = asks_the_enterprise(next(c for c in js.clauses if c.id == item["clause_id"]), js.document)
        after = "可申请" if asks else "可关注"  # a rule asking only the district is never 可申请 (display_state)
        assert (item["change"], item["direction"], item["before"], item["after"]) == ("新增", "新符合", "无", after)
        codes = (item["change_code"], item["direction_code"], item["before_code"], item["after_code"])
        assert codes == ("added", "gained", None, "eligible")
        assert item["reasons"] == eligible[item["clause_id"]].reasons and item["changed_on"] == today.isoformat()
        assert item["policy"] == js.document.short_title and item["title"]

    table = run("push", "--since", today.isoformat())  # already synced: the same list, for people
    assert table.returncode == 0, table.stderr
    assert "政策库已同步" not in table.stdout
    assert "金山某芯片设计有限公司（专员：王专员）" in table.stdout and "[新符合]" in table.stdout
    assert "，新增于 " in table.stdout
    assert all(f" 无 → {item['after']}  {item['clause_id']}" in table.stdout for item in data["items"])
    assert not {"gained", "added", "eligible"} & set(table.stdout.split())  # labels for people, not codes
    assert "浦东某芯片设计有限公司" not in table.stdout
    mine = json.loads(run("push", "--since", today.isoformat(), "--counsellor", "李专员", "--format", "json").stdout)
    assert (mine["enterprises"], mine["items"]) == (1, [])
    one_error_line(run("push", "--since", "2026-02-30"))
    later = (today + dt.timedelta(days=1)).isoformat()
    assert f"--since {later} 晚于今天" in one_error_line(run("push", "--since", later))  # was taken, listing nothing
    # a moment of a day (Beijing time): the changes recorded from then on; all of today's were recorded before
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
    assert f"--since {soon}（北京时间） 晚于现在" in one_error_line(run("push", "--since", soon))
    early = json.loads(run("push", "--since", f"{today.isoformat()} 00:00", "--format", "json").stdout)
    assert early["since"] == f"{today.isoformat()}T00:00:00+08:00" and early["items"] == data["items"]
    assert "时间不存在" in one_error_line(run("push", "--since", f"{today.isoformat()} 24:30"))


def _feedback(given: list[tuple[str, str, str | None]], shown: str, page: str, by: str) -> None:
    """(clause id, verdict, reason) feedback on the 金山 enterprise at 2026-11-20, as shown with ``shown``."""
    with db.transaction() as s:
        for clause_id, verdict, reason in given:
            feedback.record(
                s,
                parse_profile(JINSHAN),
                as_of=dt.date(2026, 11, 20),
                clause_id=clause_id,
                verdict=verdict,
                shown_status=shown,
                page=page,
                by=admin(by),
                reason=reason,
            )


def test_export_feedback_writes_cases_the_evaluation_set_accepts(tmp_path, clauses):
    measure = "js-yingshang-2022/c2.s1.g1.p1"
    unfit = ("js-yingshang-2022/c2.s1.g2.p1", "不适用", "已享受过")
    _feedback([(measure, "有用", None), unfit, ("gone/clause", "有用", None)], "eligible", "企业自测", "企业自助")
    output = tmp_path / "cases" / "feedback.yaml"
    out = run("export-feedback", "-o", str(output))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"已写入 {output}：1 个用例，2 条标注"
    assert out.stderr.count("\n") == 1 and "gone/clause" in out.stderr
    (case,) = load_cases(output.parent, clauses=clauses)
    assert case.grades == {measure: 2, "js-yingshang-2022/c2.s1.g2.p1": 0}
    assert case.profile.name == "金山某芯片设计有限公司" and case.as_of == dt.date(2026, 11, 20)


def test_export_feedback_keeps_a_useful_lead_and_says_in_one_line_why_a_lead_s_not_applicable_is_left_out(
    tmp_path, clauses
):
    """Feedback on a 可关注 lead was skipped as "no longer in the corpus (or not a measure)"."""
    useful, unfit = [c for c in clauses if c.kind == "lead"][:2]
    _feedback([(useful.id, "有用", None), (unfit.id, "不适用", "与企业业务无关")], "lead", "辅导员工作台", "王专员")
    output = tmp_path / "cases" / "feedback.yaml"
    out = run("export-feedback", "-o", str(output))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"已写入 {output}：1 个用例，1 条标注"
    [line] = out.stderr.splitlines()
    assert line.startswith(f"跳过反馈 2（{JINSHAN['name']}）：“{unfit.heading}”（{unfit.id}）是可关注线索"), line
    assert "不是扶持措施" not in line and "已不在政策库中" not in line
    (case,) = load_cases(output.parent, clauses=clauses)
    assert case.grades == {useful.id: 1}


def test_an_unreachable_database_is_one_line_without_the_password():
    for url, args in [
        ("postgresql://u:secret@127.0.0.1:1/x", ["enterprises"]),  # nobody listening
        ("postgresql://u:secret@127.0.0.1:1/x", ["push", "--since", "2026-01-01"]),
        ("postgresql://u:secret@127.0.0.1:notaport/x", ["enterprises"]),  # cannot be parsed
        ("postgresql://u:secret/x", ["enterprises"]),
    ]:
        out = run(*args, env={"DATABASE_URL": url})
        message = one_error_line(out)
        assert "企业档案库" in message and "未写入任何内容" in message, message
        assert "secret" not in message + out.stdout, message
        if ":1/" in url:
            assert "127.0.0.1:1/x" in message and "Connection refused" in message


def test_the_alembic_command_migrates_the_database_the_app_uses(registry_url):
    def alembic(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "alembic", *args], capture_output=True, text=True, cwd=ROOT, timeout=120
        )

    up = alembic("upgrade", "head")
    assert up.returncode == 0, up.stderr
    current = alembic("current")
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(db.alembic_config(registry_url)).get_current_head()
    assert current.returncode == 0 and f"{head} (head)" in current.stdout, current.stderr
    check = alembic("check")  # the models and the migrations agree
    assert check.returncode == 0 and "No new upgrade operations detected" in check.stdout, check.stdout + check.stderr
    assert committed_counts(registry_url) == (0, 0)
