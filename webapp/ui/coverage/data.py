"""Cached work of the coverage page, and the CSV download every table offers."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence

import pandas as pd
import streamlit as st

from recommender import coverage as cv
from recommender import roster
from recommender.engine import Recommender
from recommender.locator import cited
from recommender.profile import Profile

from .. import resources
from ..labels import distinct

# widgets inside the page's tabs keep their value while another tab is open (a tab draws only when open)
KEEP = "page"


def corpus() -> cv.CorpusView:
    """The live corpus (shipped and published added documents) as the coverage functions read it."""
    engine = resources.recommender()
    return _corpus(id(engine), engine)


@st.cache_resource(show_spinner="正在读取政策库…", max_entries=2)
def _corpus(library: int, _engine: Recommender) -> cv.CorpusView:
    """One view per live engine (``library``: its id, which changes when a document is published)."""
    return cv.CorpusView.from_recommender(_engine)


@st.cache_resource(show_spinner=False, max_entries=8)
def synthetic(size: int, seed: int, weights_json: str, missing_rate: float) -> tuple[Profile, ...]:
    """A synthetic population, shared by every session (never changed); ``weights_json`` holds the
    distributions' weights by keyword argument.

    While it is made a progress bar shows how many enterprises are done; the bar is emptied at the end (a
    cached function's elements are replayed when it is not run: an empty placeholder then).
    """
    bar = st.empty()

    def progress(done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0, text=f"正在生成合成企业：{done}/{total}")

    profiles = cv.synthetic_population(
        size, seed, missing_rate=missing_rate, progress=progress, **json.loads(weights_json)
    )
    bar.empty()
    return tuple(profiles)


@st.cache_resource(show_spinner="正在读取名单…", max_entries=4)
def read_uploaded(data: bytes, filename: str) -> tuple[tuple[Profile, ...], list[str], list[str]]:
    """An uploaded roster, shared by the sessions that upload the same file (never changed): its profiles,
    its bad rows (one line each) and the columns it ignored.

    Raises roster.RosterError when the file as a whole cannot be read.
    """
    found = roster.read_roster(data, filename)
    return tuple(found.profiles), [str(b) for b in found.bad], list(found.ignored_columns)


def coverage(population_key: str, as_of: dt.date, valid_only: bool, profiles: Sequence[Profile]) -> cv.Coverage:
    """Every measure of the live corpus judged for every profile at ``as_of`` (cached by the population's key,
    shared by every session: the page only reads it)."""
    view = corpus()
    return _coverage(id(view), population_key, as_of, valid_only, profiles, view)


@st.cache_resource(show_spinner="正在逐企业评估全部措施…", max_entries=6)
def _coverage(
    library: int,
    population_key: str,
    as_of: dt.date,
    valid_only: bool,
    _profiles: Sequence[Profile],
    _view: cv.CorpusView,
) -> cv.Coverage:
    return cv.compute_coverage(cv.PopulationRules(_profiles, as_of), _view, valid_only=valid_only)


def duplicates(threshold: float, measures_only: bool) -> pd.DataFrame:
    """Pairs of clauses of different documents at least ``threshold`` alike (TF-IDF cosine)."""
    view = corpus()
    return _duplicates(id(view), threshold, measures_only, view)


@st.cache_data(show_spinner="正在计算条款相似度…", max_entries=8)
def _duplicates(library: int, threshold: float, measures_only: bool, _view: cv.CorpusView) -> pd.DataFrame:
    return cv.near_duplicates(_view.clauses, threshold, measures_only, documents=_view.documents)


def download(frame: pd.DataFrame | Callable[[], pd.DataFrame], label: str, filename: str) -> None:
    """A 下载…（CSV） button for ``frame`` (disabled when it is empty), or for the table ``frame()`` makes.

    The CSV is written when the button is clicked (Streamlit's deferred download), not on every run; yes/no
    columns are written 是/否 (the page shows them as ticks).
    """
    make = frame if callable(frame) else (lambda: frame)
    st.download_button(
        f"下载{label}（CSV）",
        lambda: cv.csv_bytes(readable(make())),
        file_name=filename,
        mime="text/csv",
        key=f"dl_{filename}",
        disabled=isinstance(frame, pd.DataFrame) and frame.empty,
        on_click="ignore",
    )


CSV_DECIMALS = 4  # a mean or share in a CSV: 0.3333 (33.33 %), not 0.3333333333333333


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its yes/no columns as 是/否 (a CSV would say True/False) and its fractional numbers rounded
    to CSV_DECIMALS places (the page shows two; a CSV said every digit of the float)."""
    flags = [name for name, dtype in frame.dtypes.items() if pd.api.types.is_bool_dtype(dtype)]
    floats = [name for name, dtype in frame.dtypes.items() if pd.api.types.is_float_dtype(dtype)]
    if not flags and not floats:
        return frame
    return frame.assign(
        **{name: frame[name].map({True: "是", False: "否"}) for name in flags},
        **{name: frame[name].round(CSV_DECIMALS) for name in floats},
    )


def clause_labels(view: cv.CorpusView, clause_ids: Iterable[str]) -> dict[str, str]:
    """Each clause as a choice in a list: document short title｜where it stands and its heading (第3条　适用范围);
    with its id where another clause reads the same (``labels.distinct``)."""
    clauses = [view.clause(i) for i in clause_ids]
    return distinct({c.id: f"{view.documents[c.policy_id].short_title}｜{cited(c)}" for c in clauses}, str)
