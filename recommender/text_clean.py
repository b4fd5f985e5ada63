"""What a person typed, cleaned the way the corpus is: one step shared by queries, place names and profiles."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# control characters (a vertical tab pasted from Word, NUL, ESC, line/paragraph separators) read as a space
_CONTROLS = "\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029"
_CONTROL = re.compile(f"[{_CONTROLS}]")
# Characters that show as nothing or steer how the text around them is shown, none of which a Chinese name,
# query or cell means: every format character (Unicode category Cf: soft hyphen U+00AD, Arabic letter mark U+061C,
# Mongolian vowel separator U+180E, zero-width and bidirectional marks and isolates U+200B–U+200F, U+202A–U+202E,
# U+2060–U+206F, BOM, tags …, as of Unicode 15.1), the other default-ignorable code points (combining grapheme
# joiner U+034F, Hangul fillers, Khmer inherent vowels, Mongolian free variation selectors, the reserved
# U+FFF0–U+FFF8 and U+E0000–U+E0FFF) and lone surrogates (no character: "\ud800" in JSON). Two kinds are kept
# apart, as a name shown keeps them and a key drops them: the zero-width joiner U+200D (inside an emoji sequence
# 👩‍💻 it makes one picture) and the variation selectors U+FE00–U+FE0F, U+E0100–U+E01EF (which glyph: ❤️, a rare
# ideograph's variant).
_IGNORED = (
    "\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    "\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u206f\u3164\ufeff\uffa0\ufff0-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e00ff\U000e01f0-\U000e0fff"
    "\ud800-\udfff"
)
_JOINER = "\u200d"
_SELECTORS = "\ufe00-\ufe0f\U000e0100-\U000e01ef"
_INVISIBLE = re.compile(f"[{_IGNORED}]")
_IGNORABLE = re.compile(f"[{_IGNORED}{_JOINER}{_SELECTORS}]")
_JOINER_RE = re.compile(_JOINER)
_PRESENTATION = re.compile("[\ufe0e\ufe0f]")  # text or emoji style: a selector of symbols, never of 技
_TOUCHED = re.compile(f"[{_CONTROLS}{_IGNORED}{_JOINER}\ufe0e\ufe0f]")  # any character strip_invisible may change
_KEYCAP_BASES = frozenset("0123456789#*")  # 1️⃣: a digit in emoji style
_SKIN_TONES = range(0x1F3FB, 0x1F400)  # emoji modifiers: a ZWJ may follow them (🧑🏽‍💻)
_NOT_WORD = re.compile(r"[\W_]+")
MAX_ROUNDS = 4  # of cleaning until nothing changes (one or two in practice)
# The ideographic space and the half- and full-width forms (，：（）ＡＢ …) as NFKC decomposes them: NFKC gives the
# same, and a text with no other character NFKC changes passes its quick check instead of being composed character
# by character (a Chinese text has full-width punctuation in every sentence)
_WIDE = str.maketrans(
    {c: d for c in map(chr, [0x3000, *range(0xFF00, 0xFFF0)]) if (d := unicodedata.normalize("NFKD", c)) != c}
)


def _emoji_joiner(match: re.Match[str]) -> str:
    """A zero-width joiner kept between two emoji (👩‍💻: one picture), else removed."""
    text, at = match.string, match.start()
    if 0 < at < len(text) - 1:
        before, after = text[at - 1], text[at + 1]
        ends_emoji = unicodedata.category(before) == "So" or before == "\ufe0f" or ord(before) in _SKIN_TONES
        if ends_emoji and unicodedata.category(after) == "So":
            return match.group()
    return ""


def _presentation(match: re.Match[str]) -> str:
    """A text or emoji style selector (U+FE0E, U+FE0F) kept after a symbol (☀️, ❤️) or a keycap's digit, else
    removed: after an ideograph or a letter (星河科技\ufe0f) it selects nothing and shows as nothing."""
    at = match.start()
    before = match.string[at - 1] if at else ""
    keep = bool(before) and (unicodedata.category(before).startswith("S") or before in _KEYCAP_BASES)
    return match.group() if keep else ""


def strip_invisible(text: str) -> str:
    """``text`` as shown: control characters as spaces, format and other invisible characters removed
    (``_IGNORED``: soft hyphens, zero-width, direction and isolate marks …) but for a zero-width joiner inside an
    emoji sequence and the variation selectors, which change what is shown (an emoji-style selector only after
    a symbol or a keycap's digit: ``_presentation``). ``strip_ignorable`` for a key."""
    if not _TOUCHED.search(text):  # most text: one scan instead of four passes that change nothing
        return text
    shown = _PRESENTATION.sub(_presentation, _INVISIBLE.sub("", _CONTROL.sub(" ", text)))
    return _JOINER_RE.sub(_emoji_joiner, shown)  # after the selectors: a joiner may follow one that stays


def strip_ignorable(text: str) -> str:
    """``text`` as compared (a name key, a code): control characters as spaces, every format and
    default-ignorable character removed, the zero-width joiner and the variation selectors too."""
    return _IGNORABLE.sub("", _CONTROL.sub(" ", text))


def _clean_once(text: str) -> str:
    from .ingest.clean import normalize, to_simplified  # the ingest package imports the corpus models

    compatible = unicodedata.normalize("NFKC", text.translate(_WIDE))
    return unicodedata.normalize("NFC", normalize(to_simplified(strip_invisible(compatible))))


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


def one_line(text: str) -> str:
    """``text`` as shown on one line: invisible characters out (``strip_invisible``), each run of spaces, line
    breaks and control characters (\x0b, NUL …) one space, none at the ends."""
    return " ".join(strip_invisible(text).split())


def echo(value: object) -> str:
    """A refused value as a message repeats it, on one line (``one_line``): up to ``ECHO_CHARS`` characters, then
    how long it was."""
    text = one_line(str(value))
    return text if len(text) <= ECHO_CHARS else f"{text[:ECHO_CHARS]}…（共 {len(text)} 字）"
