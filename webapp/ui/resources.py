"""Heavy objects, loaded once per server process and shared (never mutated) by every session."""

from __future__ import annotations

import streamlit as st

from recommender.engine import Recommender
from recommender.services.library import live_recommender


def recommender() -> Recommender:
    """The live policy engine (shipped corpus and published added documents), shared by every session and
    rebuilt only after a publish; a warning on the page when the added documents cannot be read."""
    engine, warning = live_recommender()
    if warning:
        st.warning(warning, icon=":material/warning:")
    return engine
