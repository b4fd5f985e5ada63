"""What a person typed, cleaned the way the corpus is: one step shared by queries, place names and profiles."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# control characters (a vertical tab pasted from Word, NUL, ESC, line/paragraph separators) read as a space
_CONTROL = re.compile("[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]")
# zero-width and bidirectional marks are nothing, and so are lone surrogates (no character: "\ud800" in JSON)
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\ud800-\udfff]")
_NOT_WORD = re.compile(r"[\W_]+")
MAX_ROUNDS = 4  # of cleaning until nothing changes (one or two in practice)


def strip_invisible(text: str) -> str:
    """``text`` with control characters as spaces and zero-width or direction marks removed."""
    return _INVISIBLE.sub("", _CONTROL.sub(" ", text))


def _clean_once(text: str) -> str:
    from .ingest.clean import normalize, to_simplified  # the ingest package imports the corpus models

    return unicodedata.normalize("NFC", normalize(to_simplified(strip_invisible(unicodedata.normalize("NFKC", text)))))


def clean_query(text: str) -> str:
    """What a person typed, cleaned as the corpus is (``ingest.clean``: traditional → simplified, one
    spelling of punctuation) after Unicode NFKC (full-width ``ＧＯＩ`` → ``GOI``) and ``strip_invisible``.
    Repeated until nothing changes (at most a few rounds): removing a space can join a letter to a combining
    mark ("A ́" → "Á"), which changes how the spaces around it are read, so that cleaning twice changes nothing."""
    cleaned = _clean_once(text)
    for _ in range(MAX_ROUNDS):
        again = _clean_once(cleaned)
        if again == cleaned:
            break
        cleaned = again
    return cleaned


@lru_cache(maxsize=65536)  # park conditions ask for a profile's park once per clause
def fold(text: str) -> str:
    """``squeeze`` in lower case: how names are compared (places, titles, needs). 張江科學城 and "张江 科学城"
    both fold to 张江科学城, ＧＯＩ and goi to goi."""
    return squeeze(text).lower()


def squeeze(text: str) -> str:
    """``clean_query`` without spaces and punctuation: how phrases and place names are compared."""
    return _NOT_WORD.sub("", clean_query(text))


ECHO_CHARS = 40  # how much of a refused value a message repeats


def echo(value: object) -> str:
    """A refused value as a message repeats it, on one line, its runs of spaces and control characters as
    one space: up to ``ECHO_CHARS`` characters, then how long it was."""
    text = " ".join(strip_invisible(str(value)).split())  # one line, no control characters (\x0b, NUL …)
    return text if len(text) <= ECHO_CHARS else f"{text[:ECHO_CHARS]}…（共 {len(text)} 字）"
