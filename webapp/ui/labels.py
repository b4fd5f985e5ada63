"""Labels of choices that never coincide.

Streamlit's selectbox and multiselect send a choice back as its label and find the option by a mapping of labels
(``SelectboxSerde.formatted_option_to_option_index``): two options labelled alike are one, and choosing the
second lands on the first (two drafts of one title had a deletion land on the other: a break-it trial).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import TypeVar

K = TypeVar("K")


def distinct(labels: Mapping[K, str], more: Callable[[K], str]) -> dict[K, str]:
    """``labels`` (option → label), each label that another option shares followed by ``more(option)`` in
    brackets (an id, a code: what tells them apart); the others as they are."""
    counts = Counter(labels.values())
    return {option: label if counts[label] < 2 else f"{label}（{more(option)}）" for option, label in labels.items()}
