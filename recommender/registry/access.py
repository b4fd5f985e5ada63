"""Who may see and change what: the roles, the acting account, and the checks every registry function makes.

The checks live here and are called by the library functions the pages and the command line use, so a
hidden button is never the only guard. Roles (issue "Who may see and change what"):

- the public (not logged in): the self-check only; never reads or writes a registry record, may send its
  profile to the service centre as a submission that a 辅导员 accepts;
- 辅导员 (``counsellor``): the enterprises assigned to them (专员 = their name) and the pool's unassigned ones;
  may import rosters, record consultations and accept submissions for those;
- 政策工作人员 (``staff``): reads every record; the policy library, push lists and feedback export;
- 管理员 (``admin``): accounts and the assignment of enterprises to 辅导员, and everything the others may do.

The command line is run by someone with access to the server (and so to the database file): it acts as
a 管理员 named after the operating-system user, so its history names who ran it.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass

from .errors import RegistryError

PUBLIC, COUNSELLOR, STAFF, ADMIN = "public", "counsellor", "staff", "admin"
ROLES = (COUNSELLOR, STAFF, ADMIN)  # the roles an account may hold
ROLE_LABELS = {PUBLIC: "公众", COUNSELLOR: "辅导员", STAFF: "政策工作人员", ADMIN: "管理员"}


class AccessDenied(RegistryError):
    """The acting account may not do this: nothing was read or written."""


@dataclass(frozen=True)
class Actor:
    """Who acts: ``username`` (the login), ``name`` (shown, written into history, compared with 专员)
    and ``role`` (one of PUBLIC and ROLES)."""

    username: str
    name: str
    role: str

    @property
    def label(self) -> str:
        """The actor as people read it: 张三（辅导员）."""
        return f"{self.name}（{ROLE_LABELS[self.role]}）"


ANONYMOUS = Actor("", "公众", PUBLIC)


def cli_actor() -> Actor:
    """The command line's actor: a 管理员 named after the operating-system user who runs it."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        user = "unknown"
    return Actor(f"cli:{user}", f"命令行（{user}）", ADMIN)


def _refuse(actor: Actor, what: str) -> AccessDenied:
    if actor.role == PUBLIC:  # nothing of the record is named to someone not logged in
        return AccessDenied("请先登录：此操作需要辅导员、政策工作人员或管理员账号")
    return AccessDenied(f"{actor.label}无权{what}")


def require(actor: Actor, roles: tuple[str, ...], what: str) -> None:
    """AccessDenied (naming ``what``, e.g. "导入企业名单") unless ``actor`` holds one of ``roles`` or is 管理员."""
    if actor.role != ADMIN and actor.role not in roles:
        raise _refuse(actor, what)


def may_read(actor: Actor, counsellor: str | None) -> bool:
    """Whether ``actor`` may read an enterprise whose 专员 is ``counsellor`` (None: unassigned)."""
    if actor.role in (ADMIN, STAFF):
        return True
    return actor.role == COUNSELLOR and counsellor in (None, actor.name)


def may_write(actor: Actor, counsellor: str | None) -> bool:
    """Whether ``actor`` may change an enterprise whose 专员 is ``counsellor`` (None: unassigned)."""
    return actor.role == ADMIN or (actor.role == COUNSELLOR and counsellor in (None, actor.name))


def check_read(actor: Actor, name: str, counsellor: str | None) -> None:
    """AccessDenied unless ``actor`` may read the enterprise ``name`` assigned to ``counsellor``."""
    if not may_read(actor, counsellor):
        raise _refuse(actor, f"查看“{name}”的档案（专员：{counsellor}）" if counsellor else "查看企业档案")


def check_write(actor: Actor, name: str, counsellor: str | None) -> None:
    """AccessDenied unless ``actor`` may change the enterprise ``name`` assigned to ``counsellor``."""
    if not may_write(actor, counsellor):
        why = f"（专员：{counsellor}）" if counsellor and actor.role == COUNSELLOR else ""
        raise _refuse(actor, f"修改“{name}”的档案{why}")


def check_assign(actor: Actor, name: str, counsellor: str | None) -> None:
    """AccessDenied unless ``actor`` may set the 专员 of ``name`` to ``counsellor``: a 管理员 assigns anyone,
    a 辅导员 only themselves (or back to the unassigned pool): whom they could then change it as."""
    if may_write(actor, counsellor):
        return
    raise _refuse(actor, f"把“{name}”分配给专员 {counsellor}（只有管理员可以分配给他人）")
