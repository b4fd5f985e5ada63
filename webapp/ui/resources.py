"""Heavy objects, loaded once per server process and shared (never mutated) by every session."""

from __future__ import annotations

import streamlit as st

from recommender.engine import Recommender


@st.cache_resource(show_spinner="正在载入政策库…")
def recommender() -> Recommender:
    """The loaded policy Recommender, cached once per server process and shared by every session."""
    return Recommender.load()
