"""Accounts: create, log in (Argon2id hashes by argon2-cffi, a lock after repeated failures), change role,
disable, reset a password, and find the account a single-sign-on (OIDC) identity belongs to.

Every function works inside the caller's transaction; those that change accounts need a 管理员 (access).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..text_clean import echo, strip_invisible
from . import db
from .access import ADMIN, COUNSELLOR, ROLE_LABELS, ROLES, Actor, require
from .errors import RegistryError
from .models import Account, now

PASSWORD_MIN = 10  # characters; NIST SP 800-63B asks at least 8 and no composition rules
PASSWORD_MAX = 200
LOCK_AFTER = 5  # consecutive failed logins before the account is locked for LOCK_FOR
LOCK_FOR = dt.timedelta(minutes=15)
# a name in history and as 专员: Han characters, Latin letters, digits and a few marks (张三, 阿依古丽·买买提,
# Li Na); no Cyrillic or Greek look-alikes of Latin letters (Аnna with a Cyrillic А beside Anna)
_NAME = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fffA-Za-z0-9·\-_.() ]+")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
RESERVED_NAMES = ("公众",)  # what history records for the public (access.ANONYMOUS); 命令行（…） for the CLI
_USERNAME = re.compile(r"[A-Za-z0-9_.@-]{2,50}")
_HASHER = PasswordHasher()  # Argon2id with the library's defaults (RFC 9106 second recommendation)
_DUMMY = _HASHER.hash("never a password")  # verified for unknown names, so their answer takes as long


class LoginFailed(RegistryError):
    """The name or password is wrong, the account is disabled or locked: one sentence that does not tell
    which of name and password was wrong."""


def check_password(password: str) -> str:
    """``password`` when it is acceptable (PASSWORD_MIN..PASSWORD_MAX characters, not spaces only); RegistryError
    otherwise."""
    if not password.strip():  # ten spaces passed the length check (a break-it trial)
        raise RegistryError("密码不能只有空格")
    if len(password) < PASSWORD_MIN:
        raise RegistryError(f"密码至少 {PASSWORD_MIN} 个字符")
    if len(password) > PASSWORD_MAX:
        raise RegistryError(f"密码最多 {PASSWORD_MAX} 个字符")
    return password


def _check_fields(username: str, name: str, role: str) -> None:
    if not _USERNAME.fullmatch(username):
        raise RegistryError("登录名应为 2 到 50 个英文字母、数字或 _ . @ -")
    if not name.strip() or len(name) > 100:
        raise RegistryError("姓名不能为空，最多 100 个字")
    if strip_invisible(name) != name or unicodedata.normalize("NFKC", name) != name or not _NAME.fullmatch(name):
        raise RegistryError(
            "姓名只能用汉字、英文字母、数字、空格和 · - _ . ( )，不能有不可见字符或其他文字的字母"
            "（以免与他人的姓名看起来一样）"
        )
    if name in RESERVED_NAMES or name.startswith("命令行"):
        raise RegistryError(f"姓名“{name}”留作系统使用（历史中记公众和命令行操作）")
    if role not in ROLES:
        raise RegistryError(f"角色应为 {' / '.join(ROLE_LABELS[r] for r in ROLES)} 之一（收到“{role}”）")


def _taken(exc: IntegrityError, username: str, name: str, email: str | None) -> RegistryError:
    text = str(exc.orig)
    if "email" in text:
        return RegistryError(f"邮箱 {email} 已属于另一个账号")
    if "account_name" in text or "accounts.name" in text:
        return RegistryError(f"姓名“{name}”已属于另一个账号（姓名也是企业档案中的专员名，不能重复）")
    return RegistryError(f"登录名 {username} 已被使用")


def create(
    session: Session,
    by: Actor,
    username: str,
    name: str,
    role: str,
    password: str | None = None,
    email: str | None = None,
) -> Account:
    """A new active account; ``password`` None makes it single-sign-on only (``email`` then links it).

    AccessDenied unless ``by`` is a 管理员; RegistryError for a bad or taken login name, name or email.
    """
    require(by, (ADMIN,), "创建账号")
    username, name, email = username.strip(), name.strip(), (email or "").strip().lower() or None
    _check_fields(username, name, role)
    if email is not None and not _EMAIL.fullmatch(email):
        raise RegistryError(f"邮箱“{echo(email)}”不是有效的邮箱地址")
    if password is None and email is None:
        raise RegistryError("账号需要密码，或用于统一身份认证登录的邮箱")
    twin = session.scalar(select(Account.username).where(func.lower(Account.username) == username.lower()))
    if twin is not None:  # STAFF1 beside staff1: one look alike in histories, and a picker took one for the other
        raise RegistryError(f"登录名 {username} 已被使用" + ("" if twin == username else f"（与 {twin} 只差大小写）"))
    stamp = now()
    account = Account(
        username=username,
        name=name,
        role=role,
        password_hash=_HASHER.hash(check_password(password)) if password is not None else None,
        email=email,
        active=True,
        failed_logins=0,
        created_at=stamp,
        created_by=by.name,
        updated_at=stamp,
        updated_by=by.name,
    )
    session.add(account)
    try:
        session.flush()
    except IntegrityError as exc:
        raise _taken(exc, username, name, email) from None
    return account


def locked(account: Account, at: dt.datetime | None = None) -> bool:
    """Whether ``account`` is locked now (or at ``at``) after repeated wrong passwords."""
    return account.locked_until is not None and account.locked_until > (at or now())


def count_admins(session: Session) -> int:
    """How many active 管理员 accounts exist."""
    query = select(func.count()).select_from(Account).where(Account.role == ADMIN, Account.active.is_(True))
    return session.scalar(query) or 0


def actor_of(account: Account) -> Actor:
    """The actor an account acts as."""
    return Actor(account.username, account.name, account.role)


REFUSED = f"登录名或密码不正确（连续输错 {LOCK_AFTER} 次的账号会锁定 {LOCK_FOR.seconds // 60} 分钟）"


def log_in(username: str, password: str, at: dt.datetime | None = None) -> Actor:
    """The actor of the active account ``username`` whose password is ``password``.

    LoginFailed otherwise, with one sentence (REFUSED) for an unknown name, a wrong password and a locked
    account alike, in about the same time, so that nobody learns which names exist; only the holder of
    the right password of a disabled account is told it is disabled. LOCK_AFTER failures in a row lock
    the account for LOCK_FOR. The slow hash is checked outside any transaction (a burst of logins never
    holds the database); the count is then written in a short one that re-reads the row (FOR UPDATE on
    PostgreSQL, BEGIN IMMEDIATE on SQLite), so parallel guesses are all counted.
    """
    at = at or now()
    with db.reading() as session:
        found = session.scalar(select(Account).where(Account.username == username.strip()))
        known = None if found is None or found.password_hash is None else (found.id, found.password_hash)
    right = _verify(known[1] if known else _DUMMY, password)
    if known is None:
        raise LoginFailed(REFUSED)
    with db.transaction() as session:
        outcome = _counted(session.get(Account, known[0], with_for_update=True), right, password, at)
    if isinstance(outcome, LoginFailed):
        raise outcome
    return outcome


def _counted(account: Account | None, right: bool, password: str, at: dt.datetime) -> Actor | LoginFailed:
    """The outcome of a checked password on ``account`` as it stands now, the failure count kept."""
    if account is None or locked(account, at):
        return LoginFailed(REFUSED)
    if not right:
        account.failed_logins += 1
        if account.failed_logins >= LOCK_AFTER:
            account.locked_until, account.failed_logins = at + LOCK_FOR, 0
        return LoginFailed(REFUSED)
    if not account.active:
        return LoginFailed("该账号已停用，请联系管理员")
    account.failed_logins, account.locked_until = 0, None
    if _HASHER.check_needs_rehash(account.password_hash or ""):
        account.password_hash = _HASHER.hash(password)
    return actor_of(account)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def by_username(session: Session, username: str) -> Actor | None:
    """The actor of the active account ``username``; None when there is none or it is disabled (a login that
    ends)."""
    account = session.scalar(select(Account).where(Account.username == username, Account.active.is_(True)))
    return actor_of(account) if account is not None else None


def by_email(session: Session, email: str) -> Actor | None:
    """The actor of the active account linked to a single-sign-on ``email`` (compared in lower case); None
    when no active account is linked to it (the person then stays a member of the public)."""
    account = session.scalar(select(Account).where(Account.email == email.strip().lower(), Account.active.is_(True)))
    return actor_of(account) if account is not None else None


def get(session: Session, username: str) -> Account:
    """The account ``username``; RegistryError when there is none."""
    account = session.scalar(select(Account).where(Account.username == username))
    if account is None:
        raise RegistryError(f"没有登录名为 {username} 的账号")
    return account


def listing(session: Session, by: Actor) -> list[Account]:
    """Every account by login name; AccessDenied unless ``by`` is a 管理员."""
    require(by, (ADMIN,), "查看账号")
    return list(session.scalars(select(Account).order_by(Account.username)))


def change(
    session: Session,
    by: Actor,
    username: str,
    role: str | None = None,
    active: bool | None = None,
    password: str | None = None,
) -> Account:
    """Change an account's role, switch it on or off, or set a new password (which also unlocks it).

    AccessDenied unless ``by`` is a 管理员; RegistryError for an unknown role, or for a change that would
    take away the last active 管理员.
    """
    require(by, (ADMIN,), "修改账号")
    account = get(session, username)
    was_admin = account.role == ADMIN and account.active
    if role is not None:
        _check_fields(account.username, account.name, role)
        account.role = role
    if active is not None:
        account.active = active
    if password is not None:
        account.password_hash = _HASHER.hash(check_password(password))
        account.failed_logins, account.locked_until = 0, None
    account.updated_at, account.updated_by = now(), by.name
    session.flush()
    if was_admin and count_admins(session) == 0:
        raise RegistryError("至少要保留一个启用的管理员账号")
    return account


def counsellor_names(session: Session) -> list[str]:
    """The names of the active 辅导员 accounts, sorted: whom an enterprise can be assigned to."""
    query = select(Account.name).where(Account.role == COUNSELLOR, Account.active.is_(True)).order_by(Account.name)
    return list(session.scalars(query))
