"""The account commands and ``--by``: the first 管理员 from the command line, a command acting as a
辅导员 gets a 辅导员's limits, and every refusal is one line with exit 2."""

from __future__ import annotations

import json

from actors import admin
from registry_helpers import profile
from test_registry_cli import one_error_line, run

from recommender.registry import db, enterprises

PASSWORD = "一个足够长的登录密码\n"


def _add_account(username: str, name: str, role: str) -> None:
    out = run("add-account", username, "--name", name, "--role", role, "--password-stdin", stdin=PASSWORD)
    assert out.returncode == 0 and out.stdout.startswith(f"已创建账号 {username}"), out.stderr


def test_the_first_administrator_then_a_counsellor_acting_with_its_limits(tmp_path):
    _add_account("admin", "管理员甲", "管理员")
    _add_account("wang", "王五", "辅导员")
    listed = json.loads(run("accounts", "--format", "json").stdout)["accounts"]
    assert [(a["username"], a["role"], a["active"], a["password"]) for a in listed] == [
        ("admin", "admin", True, True),
        ("wang", "counsellor", True, True),
    ]
    with db.transaction() as s:
        for name, counsellor in (("李氏公司", "李四"), ("王氏公司", "王五")):
            enterprises.add(s, profile(name), admin(), counsellor=counsellor)
    mine = json.loads(run("enterprises", "--by", "wang", "--format", "json").stdout)["enterprises"]
    assert [e["name"] for e in mine] == ["王氏公司"]
    roster = tmp_path / "名单.csv"
    roster.write_text("企业名称,注册地,职工总数\n李氏公司,金山区,9\n王氏公司,金山区,8\n", encoding="utf-8")
    refused = one_error_line(run("import-roster", str(roster), "--by", "wang"))
    assert "第 2 行" in refused and "由专员 李四 负责" in refused
    assert one_error_line(run("import-roster", str(roster), "--by", "wang", "--counsellor", "李四"))
    done = run("import-roster", str(roster), "--by", "wang", "--skip-bad")
    assert done.returncode == 0 and "更新 1 家" in done.stdout, done.stderr
    assert "无权导出反馈" in one_error_line(run("export-feedback", "-o", str(tmp_path / "f.yaml"), "--by", "wang"))


def test_refusals_are_one_line():
    assert "密码至少 10 个字符" in one_error_line(
        run("add-account", "x1", "--name", "甲", "--role", "辅导员", "--password-stdin", stdin="short\n")
    )
    assert "请在终端中运行" in one_error_line(run("add-account", "x2", "--name", "乙", "--role", "辅导员"))
    assert "角色应为" in one_error_line(run("add-account", "x3", "--name", "丙", "--role", "boss"))
    assert "没有登录名为 nobody 的账号" in one_error_line(run("enterprises", "--by", "nobody"))
    _add_account("admin", "管理员甲", "admin")
    assert "至少要保留一个启用的管理员账号" in one_error_line(run("set-account", "admin", "--disable"))
    assert "登录名" in one_error_line(
        run("add-account", "名字", "--name", "丁", "--role", "辅导员", "--password-stdin", stdin=PASSWORD)
    )


def test_ctrl_d_at_the_password_prompt_is_one_line(monkeypatch, capsys):
    import getpass
    import io

    from recommender.cli import main

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    def eof(prompt: str = "") -> str:
        raise EOFError

    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr(getpass, "getpass", eof)
    assert main(["add-account", "zhao", "--name", "赵六", "--role", "辅导员"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == ["错误：未输入密码，未做任何修改"]
