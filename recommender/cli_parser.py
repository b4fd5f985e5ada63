"""The command line's argument parser in Chinese: help titles, usage and argparse's own error messages.

argparse writes its messages in English ("usage:", "error: the following arguments are required: …");
``Parser`` gives its help and usage Chinese titles and says each error in one Chinese line
(``chinese_error``), so that whoever types a command wrong reads what to fix in their language.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

from .clock import SHANGHAI
from .dates import AS_OF_RANGE, date_problem, missing_date

COMMAND = "命令"  # the metavar of the sub-command argument, as errors and help name it
# the metavars of the arguments several commands share: usage, help and errors name them so (argument_name)
PROFILE = "企业档案"
ROSTER = "企业名单"
ROSTER_HELP = "企业名单：CSV（UTF-8 或 GBK）、Excel（.xlsx、.xls）或档案 JSON"
OUTPUT = "输出文件"
DATE = "日期"

_TYPES = {"int": "整数", "float": "数字"}
_FIXED: tuple[tuple[str, Callable[[re.Match[str], Mapping[str, str]], str]], ...] = (
    (r"the following arguments are required: (.+)", lambda m, said: f"缺少必需的参数：{_names(m[1], said)}"),
    (r"unrecognized arguments: (.+)", lambda m, _: f"无法识别的参数：{m[1]}"),
    (r"expected one argument", lambda m, _: "需要一个值"),
    (r"expected at most one argument", lambda m, _: "最多只能有一个值"),
    (r"expected at least one argument", lambda m, _: "至少需要一个值"),
    (r"ambiguous option: (\S+) could match (.+)", lambda m, _: f"选项 {m[1]} 有歧义，可能是：{_names(m[2])}"),
    (r"not allowed with argument (.+)", lambda m, _: f"不能与 {m[1]} 同时使用"),
    (r"one of the arguments (.+) is required", lambda m, _: f"须给出其中之一：{_names(m[1])}"),
    (r"ignored explicit argument '(.*)'", lambda m, _: f"不接受值（收到“{m[1]}”）"),
    (r"invalid (\w+) value: '(.*)'", lambda m, _: f"应为{_TYPES.get(m[1], m[1])}（收到“{m[2]}”）"),
)


def _names(text: str, said: Mapping[str, str] | None = None) -> str:
    """argparse's list of names ("'a', 'b'" or "a, b" or "a/b") in the Chinese way: a、b; a name in ``said``
    as it says it (an option with what it stands for: "-o/--output（输出文件）")."""
    parts = [p.strip().strip("'") for p in re.split(r",\s*", text)]
    return "、".join((said or {}).get(p, p) for p in parts if p)


def _choice(argument: str, value: str, choices: str) -> str:
    if argument == COMMAND:
        return f"没有“{value}”这个命令（可用的命令：{_names(choices)}）"
    return f"{argument} 不能为“{value}”（可选：{_names(choices)}）"


def chinese_error(message: str, said: Mapping[str, str] | None = None) -> str:
    """An argparse error message in Chinese; a message already in Chinese (our own types') is kept. ``said``:
    how to name an argument in a list of missing ones, by argparse's name for it (``Parser.names``)."""
    argument = re.fullmatch(r"argument (\S+?): (.+)", message, re.S)
    if argument:
        name, rest = argument[1], argument[2]
        choice = re.fullmatch(r"invalid choice: '(.*)' \(choose from (.+)\)", rest, re.S)
        if choice:
            return _choice(name, choice[1], choice[2])
        return f"{name}：{chinese_error(rest, said)}"
    for pattern, words in _FIXED:
        if found := re.fullmatch(pattern, message, re.S):
            return words(found, said or {})
    return message


def _is_chinese(text: object) -> bool:
    return isinstance(text, str) and re.search(r"[\u4e00-\u9fff]", text) is not None


def argument_name(action: argparse.Action) -> str:
    """How an error names ``action`` in Chinese: a positional by its metavar (企业名单), an option by its
    spellings, which are what people type, and its metavar (-o/--output（输出文件）); argparse's own name when
    the metavar is not Chinese."""
    if not action.option_strings:
        return str(action.metavar) if _is_chinese(action.metavar) else action.dest
    spelled = "/".join(action.option_strings)
    return f"{spelled}（{action.metavar}）" if _is_chinese(action.metavar) else spelled


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

    def names(self) -> dict[str, str]:
        """argparse's name of each argument (-o/--output, a positional's metavar) → its Chinese (``argument_name``)."""
        out = {}
        for action in self._actions:
            spelled = "/".join(action.option_strings) or str(action.metavar or action.dest)
            out[spelled] = argument_name(action)
        return out

    def error(self, message: str) -> NoReturn:
        """One Chinese line naming the command and what is wrong, and how to see the usage; exit 2."""
        print(f"错误：{self.prog}：{chinese_error(message, self.names())}（查看用法：{self.prog} -h）", file=sys.stderr)
        sys.exit(2)


def moment_argument(text: str) -> dt.date | dt.datetime:
    """A date (``date_argument``), or a date and a time of day in Shanghai time — YYYY-MM-DD HH:MM, a "T" or
    spaces between, seconds allowed, full-width digits and colon as ``date_argument`` reads them — as a
    timezone-aware moment."""
    typed = unicodedata.normalize("NFKC", text).strip()
    found = re.fullmatch(r"(\S+?)(?:T|\s)+([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?", typed)
    if found is None:
        return date_argument(text)
    day = date_argument(found.group(1))
    hour, minute, second = (int(part or 0) for part in found.groups()[1:])
    if hour > 23 or minute > 59 or second > 59:
        raise argparse.ArgumentTypeError(f"时间不存在：应在 00:00 至 23:59 之间（收到“{text}”）")
    return dt.datetime.combine(day, dt.time(hour, minute, second), SHANGHAI)


def date_argument(text: str) -> dt.date:
    """A date given on the command line as YYYY-MM-DD (every date option of every command parses with this).

    Read as NFKC, spaces around dropped: full-width digits and punctuation, as a Chinese keyboard types them
    (２０２５－０３－０１), are the same date. A well-formed date that does not exist says why; anything else is
    said to be in the wrong format (the "does not exist" line is given only when it is true). A date out of
    ``dates.AS_OF_RANGE`` (1800-01-01, 9999-12-31: a slip the pages refuse too) says the range."""
    typed = unicodedata.normalize("NFKC", text).strip()
    try:
        day = dt.date.fromisoformat(typed)
    except ValueError:
        pass
    else:
        if problem := date_problem(day, *AS_OF_RANGE):
            raise argparse.ArgumentTypeError(f"日期{problem}")
        return day
    found = re.fullmatch(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", typed)
    why = missing_date(*(int(x) for x in found.groups())) if found else None
    if why is None:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD，如 2025-06-30（收到“{text}”）") from None
    raise argparse.ArgumentTypeError(f"日期 {typed} 不存在：{why}") from None
