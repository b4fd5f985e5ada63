"""What a person typed, cleaned the way the corpus is: one step shared by queries, place names and profiles."""

from __future__ import annotations

import re
import unicodedata

# control characters (a vertical tab pasted from Word, NUL, ESC, line/paragraph separators) read as a space
_CONTROL = re.compile("[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]")
# zero-width and bidirectional marks are nothing
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_NOT_WORD = re.compile(r"[\W_]+")


def strip_invisible(text: str) -> str:
    """``text`` with control characters as spaces and zero-width or direction marks removed."""
    return _INVISIBLE.sub("", _CONTROL.sub(" ", text))


def clean_query(text: str) -> str:
    """What a person typed, cleaned as the corpus is (``ingest.clean``: traditional → simplified, one
    spelling of punctuation) after Unicode NFKC (full-width ``ＧＯＩ`` → ``GOI``) and ``strip_invisible``."""
    from .ingest.clean import normalize, to_simplified  # the ingest package imports the corpus models

    cleaned = normalize(to_simplified(strip_invisible(unicodedata.normalize("NFKC", text))))
    # removing spaces can join a letter to a combining mark ("A ́"): compose again, so that cleaning twice
    # changes nothing
    return unicodedata.normalize("NFC", cleaned)


def squeeze(text: str) -> str:
    """``clean_query`` without spaces and punctuation: how phrases and place names are compared."""
    return _NOT_WORD.sub("", clean_query(text))


ECHO_CHARS = 40  # how much of a refused value a message repeats


def echo(value: object) -> str:
    """A refused value as a message repeats it: up to ``ECHO_CHARS`` characters, then how long it was."""
    text = str(value)
    return text if len(text) <= ECHO_CHARS else f"{text[:ECHO_CHARS]}…（共 {len(text)} 字）"
