"""Account commands for `python -m recommender`: add-account (the first 管理员 too), accounts, set-account.

The command line acts as a 管理员 (``access.cli_actor``): whoever can run it can read the database anyway.
A password is read without echo from the terminal (twice), or from the first line of standard input with
``--password-stdin`` (for scripts); it is never an argument, which other users could see in ``ps``.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable

from .access import ROLE_LABELS, ROLES
from .commands import CommandError, _transaction, acting, by

ROLE_CHOICES = {ROLE_LABELS[r]: r for r in ROLES} | {r: r for r in ROLES}  # 辅导员 or counsellor …


def _password(from_stdin: bool) -> str:
    """The new password: stdin's first line, or typed twice without echo; CommandError otherwise."""
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise CommandError("标准输入中没有密码（--password-stdin 读取第一行）")
        return line
    if not sys.stdin.isatty():
        raise CommandError("请在终端中运行以输入密码，或用 --password-stdin 从标准输入读取")
    try:
        first = getpass.getpass("新密码：")
        again = getpass.getpass("再输入一次：")
    except EOFError:  # Ctrl-D at the prompt
        raise CommandError("未输入密码，未做任何修改") from None
    if again != first:
        raise CommandError("两次输入的密码不一致，未做任何修改")
    return first


def _role(text: str) -> str:
    if text not in ROLE_CHOICES:
        raise argparse.ArgumentTypeError(f"角色应为 {' / '.join(ROLE_LABELS[r] for r in ROLES)} 之一")
    return ROLE_CHOICES[text]


def cmd_add_account(args: argparse.Namespace) -> None:
    """`add-account`: a new account with a password (or only an email for single sign-on)."""
    from .accounts import create

    password = None if args.sso_only else _password(args.password_stdin)
    with _transaction() as session:
        account = create(session, acting(session, args.by), args.username, args.name, args.role, password, args.email)
        said = f"已创建账号 {account.username}（{account.name}，{ROLE_LABELS[account.role]}）"
    print(said)


def cmd_accounts(args: argparse.Namespace) -> None:
    """`accounts`: every account with its role and state, as a table or JSON."""
    from .accounts import listing, locked

    with _transaction() as session:
        rows = [
            {
                "username": a.username,
                "name": a.name,
                "role": a.role,
                "role_label": ROLE_LABELS[a.role],
                "email": a.email,
                "active": a.active,
                "password": a.password_hash is not None,
                "locked_until": a.locked_until.isoformat(timespec="seconds") if locked(a) else None,
            }
            for a in listing(session, acting(session, args.by))
        ]
    if args.format == "json":
        print(json.dumps({"accounts": rows}, ensure_ascii=False, indent=2))
        return
    for r in rows:
        state = ("启用" if r["active"] else "停用") + (f"（锁定至 {r['locked_until']}）" if r["locked_until"] else "")
        print(f"{r['username']}  {r['name']}  {r['role_label']}  {state}  {r['email'] or ''}".rstrip())
    print(f"合计 {len(rows)} 个账号")


def cmd_set_account(args: argparse.Namespace) -> None:
    """`set-account`: change an account's role, disable or enable it, or set a new password (unlocks it)."""
    from .accounts import change

    active = False if args.disable else True if args.enable else None
    if args.role is None and active is None and not args.password:
        raise CommandError("没有要修改的内容：可用 --role、--disable、--enable 或 --password")
    password = _password(args.password_stdin) if args.password else None
    with _transaction() as session:
        account = change(session, acting(session, args.by), args.username, args.role, active, password)
        state = "启用" if account.active else "停用"
        said = f"已修改账号 {account.username}：{ROLE_LABELS[account.role]}，{state}"
    print(said)


def add_account_commands(
    add: Callable[[str, Callable[[argparse.Namespace], None], str], argparse.ArgumentParser],
) -> None:
    """Add ``add-account``, ``accounts`` and ``set-account`` to the CLI's parser through ``add``."""
    roles = "、".join(ROLE_LABELS[r] for r in ROLES)
    p = add("add-account", cmd_add_account, "创建登录账号（第一个管理员也用它创建）")
    p.add_argument("username", metavar="登录名", help="登录名：英文字母、数字或 _ . @ -")
    p.add_argument("--name", required=True, metavar="姓名", help="姓名：记入修改历史，也是企业档案中的专员名")
    p.add_argument(
        "--role", type=_role, required=True, metavar="角色", help=f"角色：{roles}（或 counsellor / staff / admin）"
    )
    p.add_argument("--email", default=None, help="统一身份认证（OIDC）登录时用来识别此账号的邮箱")
    p.add_argument("--password-stdin", action="store_true", help="从标准输入的第一行读取密码")
    p.add_argument("--sso-only", action="store_true", help="不设密码，只能通过统一身份认证登录（需 --email）")
    by(p)
    p = add("accounts", cmd_accounts, "列出登录账号")
    p.add_argument("--format", choices=["table", "json"], default="table")
    by(p)
    p = add("set-account", cmd_set_account, "修改账号：角色、停用/启用、重设密码（同时解除锁定）")
    p.add_argument("username", metavar="登录名", help="要修改的账号的登录名")
    p.add_argument("--role", type=_role, default=None, metavar="角色", help=f"新角色：{roles}")
    state = p.add_mutually_exclusive_group()
    state.add_argument("--disable", action="store_true", help="停用账号")
    state.add_argument("--enable", action="store_true", help="启用账号")
    p.add_argument("--password", action="store_true", help="重设密码（在终端输入，或配合 --password-stdin）")
    p.add_argument("--password-stdin", action="store_true", help="从标准输入的第一行读取密码")
    by(p)
