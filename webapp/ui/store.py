"""The registry from a page: one transaction per action, refusals as messages, the operator, local times.

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
from recommender.registry import db
from recommender.registry.enterprises import ConflictError, RegistryError
from recommender.registry.models import shown_time
from webapp.ui.markup import md

T = TypeVar("T")
OPERATOR = "operator"  # st.session_state key of the sidebar's 操作人
COUNSELLOR_DEFAULT = "辅导员"
SELF_SERVICE_DEFAULT = "企业自助"
STAFF_DEFAULT = "政策工作人员"  # the 政策库管理 page's 操作人 when the sidebar leaves it empty


def attempt(action: Callable[[Session], T]) -> tuple[T | None, RegistryError | None]:
    """Run ``action`` in one transaction (committed together or not at all): (result, None) or (None, refusal).
    On PostgreSQL ``action`` is run again from the start when aborted for a concurrent transaction (``db.run``)."""
    try:
        return db.run(action), None
    except RegistryError as exc:
        return None, exc
    except SQLAlchemyError as exc:
        return None, RegistryError(db.failure_message(exc))


def operator(default: str) -> str:
    """The sidebar's 操作人 (written into the history). Empty, or still another page's default, it
    becomes this page's ``default``; a name the user typed stays across pages."""
    ss = st.session_state
    if str(ss.get(OPERATOR) or "").strip() in ("", COUNSELLOR_DEFAULT, SELF_SERVICE_DEFAULT, STAFF_DEFAULT):
        ss[OPERATOR] = default
    value = st.text_input("操作人", key=OPERATOR, help="保存到企业档案库时记入修改历史的姓名", persist_state="session")
    return (value or "").strip() or default


def local_time(stamp: dt.datetime) -> str:
    """A stored time as users in Shanghai read it (Beijing time)."""
    return shown_time(stamp)


def field_value(name: str, value: Any) -> str:
    """A profile or record field as a person reads it."""
    if name in Profile.model_fields:
        return shown(name, value)
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
