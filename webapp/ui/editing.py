"""The registry record the self-check page is editing.

The registry page opens a record there (``open_record``); the self-check page's 保存到企业档案库 box
saves it against the version opened. Both read and write these session keys, and only here.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from . import profile_form
from .registry_data import Record

EDIT = "registry_edit"  # {"id", "version", "name"}: the record the self-check page is editing
MESSAGE = "registry_save_msg"  # (kind, text) of the last save: success | error | conflict


def current() -> dict[str, Any] | None:
    """The record being edited ({"id", "version", "name"}), or None."""
    return st.session_state.get(EDIT)


def remember(record: Record) -> None:
    """The record is now being edited at ``record.version``."""
    st.session_state[EDIT] = {"id": record.id, "version": record.version, "name": record.name}


def forget() -> None:
    """No record is being edited any more; no save message is left over."""
    st.session_state.pop(EDIT, None)
    st.session_state.pop(MESSAGE, None)


def open_record(record: Record) -> None:
    """Put ``record`` into the self-check form, as submitted, with the form open (before it is drawn)."""
    profile_form.load_submitted(record.profile)
    st.session_state[profile_form.OPEN] = True
    st.session_state.pop(MESSAGE, None)  # no message left from an earlier save
    remember(record)
