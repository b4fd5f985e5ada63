"""The command line's words for people: dates typed on a Chinese keyboard, missing arguments named in Chinese.

In-process (``cli._parser``, ``cli.main``): no subprocess, no corpus loaded for what the parser alone decides.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import json
import re
import unicodedata

import pytest

from recommender.cli import _parser, main
from recommender.cli_parser import DATE, date_argument, moment_argument
from recommender.clock import SHANGHAI
from recommender.dates import AS_OF_RANGE, date_problem


def _commands() -> dict[str, argparse.ArgumentParser]:
    [sub] = [a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def _error(argv: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as stopped:
        _parser().parse_args(argv)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err  # one line
    return err


# --- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["２０２５－０３－０１", "2025－03－01", "２０２５-０３-０１", "2025-03-０１", " 2025-03-01 ", "\u30002025-03-01"],
)
def test_a_date_typed_full_width_or_with_spaces_is_that_date(typed):
    assert date_argument(typed) == dt.date(2025, 3, 1)


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("２０２５－０２－３０", "日期 2025-02-30 不存在：2025 年 2 月只有 28 天"),
        ("2024－13－01", "日期 2024-13-01 不存在：没有 13 月"),
        ("2024-01-00", "日期 2024-01-00 不存在：日应从 1 日起"),
        ("0000-01-01", "日期 0000-01-01 不存在：年份应从 1 年起"),
    ],
)
def test_a_date_that_does_not_exist_says_why_also_when_typed_full_width(typed, why):
    with pytest.raises(argparse.ArgumentTypeError) as refused:
        date_argument(typed)
    assert str(refused.value) == why


@pytest.mark.parametrize(
    "typed",
    [
        "２０２５－０３－０１",  # a real date: was "日期 … 不存在：2025 年 3 月只有 31 天"
        "2025-03-０１",
        " 2025-03-01 ",
        "٢٠٢٥-٠٣-٠١",  # Arabic-Indic digits: \d matched them, and the date "did not exist"
        "2025-3-1",
        "2025/03/01",
        "2025年3月1日",
        "2025-02-30",
        "2025－02－29",
        "2024-02-29",
        "9999-12-31",
        "20250230",
        "",
    ],
)
def test_what_a_date_error_says_is_true(typed):
    """Either the date is read, or the message is one of two, each true of what was typed: it does not exist
    (then it is YYYY-MM-DD in ASCII once normalised, and no date), or its format is not YYYY-MM-DD."""
    try:
        date_argument(typed)
        return
    except argparse.ArgumentTypeError as exc:
        said = str(exc)
    normal = unicodedata.normalize("NFKC", typed).strip()
    if "之间" in said:
        day = dt.date.fromisoformat(normal)
        assert not AS_OF_RANGE[0] <= day <= AS_OF_RANGE[1], said
        assert said == f"日期应在 2000-01-01 至 2099-12-31 之间（填的是 {day.isoformat()}）"
    elif "不存在" in said:
        year, month, day = (int(x) for x in re.fullmatch(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", normal).groups())
        exists = year >= 1 and 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]
        assert not exists, said
        assert said.startswith(f"日期 {normal} 不存在：")
    else:
        assert said == f"日期格式应为 YYYY-MM-DD，如 2025-06-30（收到“{typed}”）"
        assert re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", normal) is None


@pytest.mark.parametrize("typed", ["1800-01-01", "1999-12-31", "2100-01-01", "9999-12-31"])
def test_a_date_out_of_the_pages_range_is_refused_as_the_pages_refuse_it(typed):
    """--as-of 1800-01-01 and 9999-12-31 were taken (a break-it trial): every measure then "ended" or "not yet
    in force", without a word; the 政策有效性判断日期 box refuses them."""
    with pytest.raises(argparse.ArgumentTypeError) as refused:
        date_argument(typed)
    assert str(refused.value) == f"日期应在 2000-01-01 至 2099-12-31 之间（填的是 {typed}）"
    assert date_problem(dt.date.fromisoformat(typed), *AS_OF_RANGE) is not None  # the page's check, the same range


def test_the_ends_of_the_range_are_dates():
    assert date_argument("2000-01-01") == dt.date(2000, 1, 1)
    assert date_argument("2099-12-31") == dt.date(2099, 12, 31)


def test_every_date_option_of_every_command_reads_dates_alike():
    dated = {
        (name, action.dest): action
        for name, command in _commands().items()
        for action in command._actions
        if action.metavar == DATE or action.dest in {"as_of", "since"} or action.type is date_argument
    }
    assert {("recommend", "as_of"), ("readiness", "as_of"), ("sheet", "as_of"), ("batch", "as_of")} <= set(dated)
    assert {("push", "since"), ("push", "as_of")} <= set(dated)
    for (name, dest), action in dated.items():
        # push --since also takes a time of day (moment_argument), a date read by date_argument
        readers = (date_argument, moment_argument) if (name, dest) == ("push", "since") else (date_argument,)
        assert action.type in readers and action.metavar == DATE, (name, dest)
    args = _parser().parse_args(["push", "--since", "２０２５－０１－０２", "--as-of", "2025－03－01"])
    assert (args.since, args.as_of) == (dt.date(2025, 1, 2), dt.date(2025, 3, 1))


def test_a_full_width_as_of_is_used_by_the_command(tmp_path, capsys):
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps({"name": "某企业", "region": "金山区"}, ensure_ascii=False), encoding="utf-8")
    assert main(["readiness", str(profile), "--as-of", "２０２５－０３－０１", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["as_of"] == "2025-03-01"


# --- missing arguments ----------------------------------------------------------------------------

OPTION = re.compile(r"(?<![\w-])-{1,2}[A-Za-z][\w-]*(?:/-{1,2}[A-Za-z][\w-]*)*")


def _required(command: argparse.ArgumentParser) -> list[argparse.Action]:
    return [
        a
        for a in command._actions
        if a.required or (not a.option_strings and a.nargs is None and not isinstance(a, argparse._SubParsersAction))
    ]


def test_each_commands_missing_arguments_are_named_in_chinese(capsys):
    """Every command run without its required arguments names each in Chinese, in one line: its options by
    their spellings (what people type) with what they stand for, never a dest or an English metavar."""
    checked = 0
    for name, command in _commands().items():
        required = _required(command)
        if not required:
            continue
        err = _error([name], capsys)
        said = err.split(f"python -m recommender {name}：", 1)[1]
        assert said.startswith("缺少必需的参数："), err
        for action in required:
            if action.option_strings:
                assert f"{'/'.join(action.option_strings)}（{action.metavar}）" in said, (name, err)
            assert re.search(r"[\u4e00-\u9fff]", str(action.metavar)), (name, action.dest)
            assert str(action.metavar) in said, (name, err)
        words = OPTION.sub(" ", said.replace(f"python -m recommender {name} -h", " "))
        assert not re.findall(r"[A-Za-z]{2,}", words), err
        checked += 1
    assert checked >= 10  # recommend, readiness, sheet, batch, read-roster, import-roster, push, …


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["batch"], "缺少必需的参数：企业名单、-o/--output（输出文件）（"),
        (["batch", "名单.csv"], "缺少必需的参数：-o/--output（输出文件）（"),
        (["sheet", "p.json"], "缺少必需的参数：-o/--output（输出文件）（"),
        (["recommend"], "缺少必需的参数：企业档案（"),
        (["push"], "缺少必需的参数：--since（日期）（"),
        (["add-account", "wang"], "缺少必需的参数：--name（姓名）、--role（角色）（"),
        (["set-account"], "缺少必需的参数：登录名（"),
        (["add-document"], "缺少必需的参数：政策文件（"),
    ],
)
def test_a_missing_argument_is_named_as_the_help_names_it(argv, said, capsys):
    assert said in _error(argv, capsys)


def test_the_help_names_the_arguments_as_the_errors_do(capsys):
    with pytest.raises(SystemExit):
        _parser().parse_args(["batch", "-h"])
    usage = capsys.readouterr().out
    assert "-o 输出文件" in usage and "企业名单" in usage and "--as-of 日期" in usage
    assert "roster" not in usage and "OUTPUT" not in usage and "AS_OF" not in usage


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("2026-11-30 14:30", dt.datetime(2026, 11, 30, 14, 30, tzinfo=SHANGHAI)),
        ("２０２６－１１－３０Ｔ１４：３０：０５", dt.datetime(2026, 11, 30, 14, 30, 5, tzinfo=SHANGHAI)),
        ("2026-11-30", dt.date(2026, 11, 30)),
    ],
)
def test_push_since_takes_a_time_of_day_in_shanghai_time(typed, said):
    assert moment_argument(typed) == said


@pytest.mark.parametrize(("typed", "why"), [("2026-11-30 24:00", "时间不存在"), ("2026-02-30 10:00", "不存在")])
def test_a_time_of_day_that_cannot_be_is_refused(typed, why):
    with pytest.raises(argparse.ArgumentTypeError, match=why):
        moment_argument(typed)
