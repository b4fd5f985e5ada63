"""Heavy objects, loaded once per server process and shared (never mutated) by every session."""

from __future__ import annotations

import streamlit as st

from recommender.engine import Recommender
from recommender.services.library import live_recommender
from webapp.ui.markup import md


def recommender() -> Recommender:
    """The live policy engine (shipped corpus and published added documents), shared by every session and
    rebuilt only after a publish (the shipped corpus alone while the registry cannot be read)."""
    return live_recommender()[0]


def library_notice() -> None:
    """A warning when the added documents cannot be read (app.py shows it once, above every page)."""
    warning = live_recommender()[1]
    if warning:
        st.warning(md(warning), icon=":material/warning:")
