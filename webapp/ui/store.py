"""The registry from a page: one transaction per action, refusals as messages, local times.

Pages never show a traceback for the registry: a refusal (RegistryError, ConflictError, ImportRefused)
or a database failure comes back as an exception value whose text is shown with st.error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from recommender.profile import Profile
from recommender.profile_fields import shown
from recommender.registry import accounts, db
from recommender.registry.access import AccessDenied
from recommender.registry.enterprises import ConflictError, RegistryError
from recommender.registry.models import shown_time
from recommender.registry.states import counsellor_text
from webapp.ui.markup import md

T = TypeVar("T")


LOGIN = "auth_user"  # st.session_state key: the logged-in account's login name (webapp.ui.auth)
ROLE = "auth_role"  # and the role this session's pages were drawn for
SSO_EMAIL = "auth_sso_email"  # or the single-sign-on identity's e-mail, when it is that which logged in


def _still_allowed(session: Session) -> None:
    """AccessDenied when the session's account was disabled, removed or given another role since the page
    was drawn: a button drawn for the old role does nothing (the next run draws the page anew)."""
    ss = st.session_state
    if username := ss.get(LOGIN):
        actor = accounts.by_username(session, username)
    elif email := ss.get(SSO_EMAIL):
        actor = accounts.by_email(session, email)
    else:
        return
    if actor is None or actor.role != ss.get(ROLE):
        raise AccessDenied("您的账号已停用或角色已变更，本次操作未执行；请重新登录或刷新页面")


def _outcome(work: Callable[[], T]) -> tuple[T | None, RegistryError | None]:
    """(``work()``, None), or (None, the refusal): the registry's own, or a database failure in one line."""
    try:
        return work(), None
    except RegistryError as exc:
        return None, exc
    except SQLAlchemyError as exc:
        return None, RegistryError(db.failure_message(exc))


def attempt(action: Callable[[Session], T]) -> tuple[T | None, RegistryError | None]:
    """Run ``action`` in one transaction (committed together or not at all): (result, None) or (None, refusal).
    On PostgreSQL ``action`` is run again from the start when aborted for a concurrent transaction (``db.run``).
    The logged-in account is checked again in the same transaction (``_still_allowed``)."""

    def checked(session: Session) -> T:
        _still_allowed(session)
        return action(session)

    return _outcome(lambda: db.run(checked))


def read(action: Callable[[Session], T]) -> tuple[T | None, RegistryError | None]:
    """``attempt`` for an action that only reads: it never waits for a writer (``db.reading``)."""

    def reading() -> T:
        with db.reading() as session:
            return action(session)

    return _outcome(reading)


def local_time(stamp: dt.datetime) -> str:
    """A stored time as users in Shanghai read it (Beijing time)."""
    return shown_time(stamp)


def field_value(name: str, value: Any) -> str:
    """A profile or record field as a person reads it (the 专员 as every page says it: 未分配 when none)."""
    if name in Profile.model_fields:
        return shown(name, value)
    if name == "counsellor":
        return counsellor_text(value)
    return "未填写" if value in (None, "", [], {}) else str(value)


def opened(name: str, version: int, values: dict[str, Any]) -> int:
    """The version a record was opened at. The first time (or when its widgets were gone), remember
    ``version`` and put ``values`` into the widgets; afterwards the widgets keep what the user typed."""
    ss = st.session_state
    version_key = f"{name}__opened"
    if version_key not in ss or any(k not in ss for k in values):
        reopen(name, version, values)
    return ss[version_key]


def reopen(name: str, version: int, values: dict[str, Any]) -> None:
    """Take the latest record: its version and its values into the widgets (call before they are drawn)."""
    st.session_state[f"{name}__opened"] = version
    st.session_state.update(values)


def save_opened(name: str, save: Callable[[Session, int], int]) -> int | None:
    """Form callback body: ``save(session, opened version)`` → the new version, remembered as opened.

    A refusal is kept for ``save_error`` and the widgets keep what the user chose (None is returned).
    """
    ss = st.session_state
    saved, exc = attempt(lambda s: save(s, ss[f"{name}__opened"]))
    if exc is not None:
        ss[f"{name}__error"] = (str(exc), isinstance(exc, ConflictError))
        return None
    ss.pop(f"{name}__error", None)
    ss[f"{name}__opened"] = saved
    return saved


def save_error(name: str, refresh_label: str, key: str, on_refresh: Callable[..., None], args: tuple) -> None:
    """The last refusal of ``save_opened``; after a conflict, a button to take the latest version."""
    if error := st.session_state.get(f"{name}__error"):
        message, conflict = error
        st.error(md(message), icon=":material/error:")
        if conflict:
            st.button(refresh_label, key=key, icon=":material/refresh:", on_click=on_refresh, args=args)
