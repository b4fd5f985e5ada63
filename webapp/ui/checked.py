"""Widget values checked in Python, with a Chinese line, instead of by Streamlit's frontend in English.

Streamlit's frontend checks a number box's ``min_value``/``max_value`` and a date box's range (ten years either
side of its value when none is given) itself, and refuses what is out of them with an English tooltip ("Number
is above the allowed range. Please enter a value less than or equal to 30.", "**Error**: Date set outside
allowed range. …"); its file uploader refuses a type not in ``type`` with "application/pdf files are not
allowed.". These come from its JavaScript and no setting puts them in Chinese. So the pages give number boxes
no bounds, date boxes every date one can type (``ANY_DAY``) and uploaders no types: every value reaches Python,
which says what is wrong in Chinese (``number_problem``, ``recommender.dates.date_problem``; the readers of
uploaded files name the file and the types they read).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import streamlit as st

# a date box's bounds: every date of four-digit years, so the frontend never refuses one (Python checks it)
ANY_DAY = {"min_value": dt.date(1, 1, 1), "max_value": dt.date(9999, 12, 31)}


def number_problem(value: float | None, low: float, high: float | None, whole: bool = True) -> str | None:
    """What is wrong with ``value`` for a box taking ``low`` to ``high`` (None: no upper bound; whole numbers
    when ``whole``), in Chinese; None when nothing is (or when the box is empty)."""
    if value is None:
        return None
    if not math.isfinite(value) or value < low or (high is not None and value > high):
        bounds = f"不小于 {_text(low)}" if high is None else f"在 {_text(low)} 至 {_text(high)} 之间"
        return f"应{bounds}（填的是 {_text(value)}）"
    if whole and value != int(value):
        return f"应为整数（填的是 {_text(value)}）"
    return None


def _text(number: float) -> str:
    """``number`` as people write it: 1000000000000, not 1e+12 (a whole number below 10^15), else 2.5, 1e+20."""
    return str(int(number)) if math.isfinite(number) and number == int(number) and abs(number) < 1e15 else f"{number:g}"


def whole_number(value: float | None, label: str, low: int, high: int | None, required: bool = False) -> int | None:
    """``value`` of the box ``label`` as an int when it is a whole number from ``low`` to ``high``; else None,
    after a red line under the box saying what is wrong (an empty box too when ``required``; see
    ``whole_number_box`` for a box that can hold both)."""
    if value is None and required:
        said(f"{label}：请填写")
        return None
    problem = number_problem(value, low, high)
    if problem is not None:
        said(f"{label}{problem}")
        return None
    return None if value is None else int(value)


def whole_number_box(
    label: str, key: str, start: int, bounds: tuple[int, int | None], step: int = 1, **widget: Any
) -> int | None:
    """A number box ``label`` (``key``) for a whole number within ``bounds``, starting at ``start``, and its
    value checked by ``whole_number`` (required). A float box made with ``value=None`` and its start in the
    session state: an int box rounds 2.5 to 2 and an emptied one turns back to a number, both silently.
    ``widget``: more of ``st.number_input``'s arguments (``help``)."""
    st.session_state.setdefault(key, float(start))
    asked = st.number_input(label, value=None, step=float(step), format="%g", key=key, **widget)
    return whole_number(asked, label, *bounds, required=True)


def said(problem: str) -> None:
    """A red line under the widget: what is wrong with its value."""
    st.markdown(f":red[:material/error: {problem}]")
