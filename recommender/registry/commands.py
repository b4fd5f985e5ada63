"""Registry commands for `python -m recommender`: import-roster, enterprises, push, export-feedback."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..cli_parser import DATE, OUTPUT, ROSTER, ROSTER_HELP, moment_argument
from ..clock import today
from ..os_reasons import os_reason
from .states import POOL_STAGES, counsellor_name, counsellor_text


class CommandError(Exception):
    """One line for stderr, exit code 2 (cli.main prints it)."""


@contextmanager
def _failures() -> Iterator[None]:
    """The registry's refusals and database failures (time-outs, conflicts) as one CommandError line."""
    from sqlalchemy.exc import SQLAlchemyError

    from . import db
    from .enterprises import RegistryError

    try:
        yield
    except RegistryError as exc:
        raise CommandError(str(exc)) from None
    except SQLAlchemyError as exc:
        raise CommandError(db.failure_message(exc)) from None


def acting(session: Any, username: str | None) -> Any:
    """The actor a command acts as: the active account ``username`` (``--by``) with its role, or, when none
    is named, the command line's own 管理员 (``access.cli_actor``). RegistryError for an unknown or
    disabled account."""
    from .access import cli_actor
    from .accounts import actor_of, get
    from .enterprises import RegistryError

    if username is None:
        return cli_actor()
    account = get(session, username)
    if not account.active:
        raise RegistryError(f"账号 {username} 已停用")
    return actor_of(account)


@contextmanager
def _transaction(read: bool = False) -> Iterator[Any]:
    """A registry transaction (``read``: reading only, never waiting for a writer); failures as ``_failures``."""
    from . import db

    with _failures(), db.reading() if read else db.transaction() as session:
        yield session


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _counsellor(text: str | None) -> str | None:
    """The 专员 of ``--counsellor``: None for none (or 未分配), else the name of an active 辅导员 account, as the
    pages offer (a login or any other text was stored, and no 辅导员 could then work on those enterprises);
    CommandError naming the active 辅导员 otherwise."""
    from .accounts import counsellor_names

    name = counsellor_name(text)
    if name is None:
        return None
    with _transaction(read=True) as session:
        active = counsellor_names(session)
    if name not in active:
        known = f"在用的辅导员：{'、'.join(active)}" if active else "尚无辅导员账号，可用 add-account 创建"
        raise CommandError(f"--counsellor：“{name}”不是在用的辅导员账号的姓名（{known}）")
    return name


def cmd_import(args: argparse.Namespace) -> None:
    """`import-roster`: add a roster to the registry in one transaction; bad rows listed on stderr.

    With bad rows nothing is written unless ``--skip-bad``; CommandError when the roster cannot be read.
    Progress lines on stderr while reading and writing, when stderr is a terminal.
    """
    from ..progress import Bar
    from ..roster import RosterError, read_roster_file
    from .access import COUNSELLOR
    from .importer import ImportReport, import_roster

    counsellor = _counsellor(args.counsellor)
    try:
        with Bar(f"读取 {args.roster.name}") as bar:
            roster = read_roster_file(args.roster, progress=bar)
    except RosterError as exc:
        raise CommandError(str(exc)) from None
    from . import db

    def write(session: Any, progress: Bar) -> ImportReport:
        """The import, as ``by`` (--by); new enterprises' 专员 is ``--counsellor``, else the 辅导员 importing, as
        the page has it (they were left unassigned: a break-it trial); ``--counsellor 未分配`` leaves them so."""
        by = acting(session, args.by)
        own = by.name if args.counsellor is None and by.role == COUNSELLOR else counsellor
        return import_roster(
            session,
            roster,
            by=by,
            source=args.roster.name,
            counsellor=own,
            stage=args.stage,
            skip_bad=args.skip_bad,
            progress=progress,
            renames=args.rename,
        )

    # run again from the start when PostgreSQL aborts it for a concurrent transaction
    with _failures(), Bar("写入档案库（企业及其修改记录）") as bar:
        report = db.run(lambda session: write(session, bar))
    for note in roster.file_notes():
        print(f"{args.roster}: {note}", file=sys.stderr)
    for bad in report.bad:
        print(f"{args.roster}: {bad}", file=sys.stderr)
    for note in report.notes:  # rows taken as a registered enterprise under another name or spelling
        print(f"{args.roster}：{note}")
    print(f"{args.roster}：{report.summary()}（一个事务内写入）")


def cmd_enterprises(args: argparse.Namespace) -> None:
    """`enterprises`: the registered enterprises, filtered by counsellor and stage, as a table or JSON."""
    from .enterprises import listing

    with _transaction(read=True) as session:
        rows = [
            {
                "id": e.id,
                "name": e.name,
                "region": e.profile.get("region"),
                "industry": e.profile.get("industry"),
                "pool_stage": e.pool_stage,
                "counsellor": e.counsellor,
                "version": e.version,
                "updated_at": e.updated_at.isoformat(timespec="seconds"),
                "updated_by": e.updated_by,
            }
            for e in listing(session, acting(session, args.by), counsellor=args.counsellor, stage=args.stage)
        ]
    if args.format == "json":
        _print_json({"enterprises": rows})
        return
    for r in rows:
        who = counsellor_text(r["counsellor"])
        print(f"{r['id']:>5}  {r['name']}  {r['region']}  {r['pool_stage']}  专员：{who}  第 {r['version']} 版")
    print(f"合计 {len(rows)} 家")


def cmd_push(args: argparse.Namespace) -> None:
    """`push`: record the corpus as it is now, then list the enterprises newly eligible or no longer eligible
    through the clauses changed since ``--since``.
    """
    from ..progress import Bar
    from ..services.push_list import push_report
    from .models import now
    from .push import change_label, direction_label, since_text, status_text

    as_of, since = args.as_of, args.since
    # a later day (or moment) was taken without a word, listing nothing (a break-it trial); the page refuses it too
    moment = isinstance(since, dt.datetime)
    if since > now() if moment else since > today():
        late = f"晚于现在（{since_text(now())}）" if moment else f"晚于今天（{today()}）"
        raise CommandError(f"--since {since_text(since)} {late}：请填今天或更早的日期，列出自那时起变化的条款")
    with _transaction() as session, Bar("判断档案库企业", unit="家", delay=1.0) as bar:
        report = push_report(session, since, as_of, acting(session, args.by), args.counsellor, bar)
    if args.format == "json":
        _print_json(report.as_dict())
        return
    synced = report.synced
    if synced.added or synced.changed or synced.removed:
        counts = f"新增 {len(synced.added)} 条，修改 {len(synced.changed)} 条，删除 {len(synced.removed)} 条"
        print(f"政策库已同步：{counts}")
    changed, registered = len(report.changes), report.enterprises
    print(f"{since_text(since)} 以来有变化的条款 {changed} 条；档案库企业 {registered} 家；按 {as_of} 判断")
    current = None
    items = report.items
    for item in items:
        if item.enterprise != current:
            current = item.enterprise
            print(f"\n{item.enterprise}（专员：{counsellor_text(item.counsellor)}）")
        what = f"{item.title}（《{item.policy}》，{change_label(item.change)}于 {item.changed_on}）"
        before = status_text(item.before, specific=item.before_specific)
        moved = f"{before} → {status_text(item.after, item.reviewed, specific=item.after_specific)}"
        print(f"  [{direction_label(item.direction)}] {what} {moved}  {item.clause_id}")
        for reason in item.reasons:
            print(f"      - {reason}")
    if not items:
        print("没有企业因这些变化而新符合或不再符合条件。")


def cmd_export_feedback(args: argparse.Namespace) -> None:
    """`export-feedback`: the pages' feedback as labelled cases (``policies/eval/`` format) in a YAML file."""
    import yaml

    from ..corpus import all_clauses, load_policies
    from ..services.batch import whole_file
    from .feedback import all_feedback, as_cases

    clauses = {c.id: c for c in all_clauses(load_policies())}
    with _transaction(read=True) as session:
        cases, skipped = as_cases(all_feedback(session, acting(session, args.by)), clauses)
    header = "# 用户反馈导出的评测用例（python -m recommender export-feedback）：复核后放入 policies/eval/\n"
    text = header + yaml.safe_dump({"cases": cases}, allow_unicode=True, sort_keys=False)
    try:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        with whole_file(args.output) as part:  # a full disk left an empty file under the name
            part.write_text(text, "utf-8")
    except OSError as exc:  # a folder that cannot be made, a file in the way, no permission, a full disk
        raise CommandError(f"{args.output}: 无法写入（{os_reason(exc)}）") from None
    for item in skipped:
        print(item.line, file=sys.stderr)
    labels = sum(len(c["labels"]) for c in cases)
    print(f"已写入 {args.output}：{len(cases)} 个用例，{labels} 条标注")


def add_commands(
    add: Callable[[str, Callable[[argparse.Namespace], None], str], argparse.ArgumentParser],
    date: Callable[[str], dt.date],
) -> None:
    """Add the registry's commands to the CLI's parser through ``add``; ``date`` parses a date argument."""
    p = add("import-roster", cmd_import, "把企业名单（CSV/XLSX）加入企业档案库（一个事务，全部或全不）")
    p.add_argument("roster", type=Path, metavar=ROSTER, help=ROSTER_HELP)
    p.add_argument("--counsellor", default=None, metavar="姓名", help="新入库企业的专员：在用的辅导员账号的姓名")
    p.add_argument("--stage", choices=POOL_STAGES, default="储备", help="新入库企业的培育库阶段")
    p.add_argument("--skip-bad", action="store_true", help="跳过有问题的行，导入其余各行")
    p.add_argument(
        "--rename", action="store_true", help="确认改名：统一社会信用代码已在档案库、名称不同的行，按代码更新并改名"
    )
    by(p)
    p = add("enterprises", cmd_enterprises, "列出企业档案库中的企业")
    p.add_argument("--counsellor", default=None, metavar="姓名", help="只列此专员的企业（未分配：没有专员的）")
    p.add_argument("--stage", choices=POOL_STAGES, default=None)
    p.add_argument("--format", choices=["table", "json"], default="table")
    by(p)
    p = add("push", cmd_push, "政策条款变化后，列出新符合或不再符合条件的档案库企业")
    p.add_argument(
        "--since",
        type=moment_argument,
        required=True,
        metavar=DATE,
        help="列出这一天及以后新增、修改、删除的条款；可加北京时间（如 “2026-12-01 14:30”）：只列当天此刻以后的变化",
    )
    p.add_argument("--as-of", type=date, default=today(), metavar=DATE, help="判断政策有效性的日期，默认今天")
    p.add_argument("--counsellor", default=None, metavar="姓名", help="只看这位专员负责的企业")
    p.add_argument("--format", choices=["table", "json"], default="table")
    by(p)
    p = add("export-feedback", cmd_export_feedback, "把页面上的“有用/不适用”反馈导出为评测用例（YAML）")
    p.add_argument("-o", "--output", type=Path, required=True, metavar=OUTPUT, help="输出的 .yaml 文件")
    by(p)


def by(parser: argparse.ArgumentParser) -> None:
    """The ``--by ACCOUNT`` option: act as this account, with its role, and record it in history."""
    parser.add_argument(
        "--by",
        default=None,
        metavar="登录名",
        help="以此账号的身份和权限操作并记入历史；不填则以命令行管理员“命令行（系统用户名）”操作",
    )
