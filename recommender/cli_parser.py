"""The command line's argument parser in Chinese: help titles, usage and argparse's own error messages.

argparse writes its messages in English ("usage:", "error: the following arguments are required: …");
``Parser`` gives its help and usage Chinese titles and says each error in one Chinese line
(``chinese_error``), so that whoever types a command wrong reads what to fix in their language.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import re
import sys
from collections.abc import Callable
from typing import Any, NoReturn

COMMAND = "命令"  # the metavar of the sub-command argument, as errors and help name it

_TYPES = {"int": "整数", "float": "数字"}
_FIXED: tuple[tuple[str, Callable[[re.Match[str]], str]], ...] = (
    (r"the following arguments are required: (.+)", lambda m: f"缺少必需的参数：{_names(m[1])}"),
    (r"unrecognized arguments: (.+)", lambda m: f"无法识别的参数：{m[1]}"),
    (r"expected one argument", lambda m: "需要一个值"),
    (r"expected at most one argument", lambda m: "最多只能有一个值"),
    (r"expected at least one argument", lambda m: "至少需要一个值"),
    (r"ambiguous option: (\S+) could match (.+)", lambda m: f"选项 {m[1]} 有歧义，可能是：{_names(m[2])}"),
    (r"not allowed with argument (.+)", lambda m: f"不能与 {m[1]} 同时使用"),
    (r"one of the arguments (.+) is required", lambda m: f"须给出其中之一：{_names(m[1])}"),
    (r"ignored explicit argument '(.*)'", lambda m: f"不接受值（收到“{m[1]}”）"),
    (r"invalid (\w+) value: '(.*)'", lambda m: f"应为{_TYPES.get(m[1], m[1])}（收到“{m[2]}”）"),
)


def _names(text: str) -> str:
    """argparse's list of names ("'a', 'b'" or "a, b" or "a/b") in the Chinese way: a、b."""
    parts = [p.strip().strip("'") for p in re.split(r",\s*", text)]
    return "、".join(p for p in parts if p)


def _choice(argument: str, value: str, choices: str) -> str:
    if argument == COMMAND:
        return f"没有“{value}”这个命令（可用的命令：{_names(choices)}）"
    return f"{argument} 不能为“{value}”（可选：{_names(choices)}）"


def chinese_error(message: str) -> str:
    """An argparse error message in Chinese; a message already in Chinese (our own types') is kept."""
    argument = re.fullmatch(r"argument (\S+?): (.+)", message, re.S)
    if argument:
        name, rest = argument[1], argument[2]
        choice = re.fullmatch(r"invalid choice: '(.*)' \(choose from (.+)\)", rest, re.S)
        if choice:
            return _choice(name, choice[1], choice[2])
        return f"{name}：{chinese_error(rest)}"
    for pattern, said in _FIXED:
        if found := re.fullmatch(pattern, message, re.S):
            return said(found)
    return message


class _Formatter(argparse.HelpFormatter):
    """Help with Chinese titles: 用法：, 参数：, 选项：, 命令：."""

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)  # "": a sub-command's prog

    def format_help(self) -> str:
        return re.sub(r"^(\S[^\n]*):$", r"\1：", super().format_help(), flags=re.M)  # section titles


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose help and errors are in Chinese; an error is one line on stderr, exit 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本帮助并退出")

    def error(self, message: str) -> NoReturn:
        """One Chinese line naming the command and what is wrong, and how to see the usage; exit 2."""
        print(f"错误：{self.prog}：{chinese_error(message)}（查看用法：{self.prog} -h）", file=sys.stderr)
        sys.exit(2)


def date_argument(text: str) -> dt.date:
    """A date given on the command line as YYYY-MM-DD; a well-formed date that does not exist says so."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    found = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text.strip())
    if found is None:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD，如 2025-06-30（收到“{text}”）") from None
    year, month, day = (int(x) for x in found.groups())
    if not 1 <= month <= 12:
        why = f"没有 {month} 月"
    elif year < 1:
        why = "年份应从 1 年起"
    elif day < 1:
        why = "日应从 1 日起"
    else:
        why = f"{year} 年 {month} 月只有 {calendar.monthrange(year, month)[1]} 天"
    raise argparse.ArgumentTypeError(f"日期 {text} 不存在：{why}") from None
