"""Tabs that stay where the user is when their labels change.

A tab label that carries a count ("咨询记录（1）") changes when something is saved; Streamlit then sees
new tabs and opens the first one, hiding the message and the buttons the save just showed. These
tabs keep their state under a key and, when the label of the open tab changes, move that state to
the tab of the same name with its new count.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator


def stem(label: str) -> str:
    """A tab's name without its count: "咨询记录（2）" → "咨询记录"."""
    return label.split("（")[0]


def kept(labels: Sequence[str], key: str) -> Sequence[DeltaGenerator]:
    """``st.tabs(labels)`` that stay on the tab the user opened (by name) across reruns and count changes."""
    ss = st.session_state
    chosen = ss.get(key)
    if chosen is not None and chosen not in labels:
        ss[key] = next((label for label in labels if stem(label) == stem(chosen)), labels[0])
    return st.tabs(list(labels), key=key, on_change="rerun")
