"""One enterprise, however it is typed: the identity key of a company name, and the 统一社会信用代码.

A name is kept as typed for display; ``name_key`` is only what two names are compared by. The
统一社会信用代码 (unified social credit code) is checked by GB 32100-2015《法人和其他组织统一社会信用代码编码规则》.
"""

from __future__ import annotations

import re
import unicodedata

from .text_clean import echo, strip_ignorable

# after NFKC (which already turns （） into ()), every bracket kind a roster may use for the same (上海)
_BRACKETS = str.maketrans({"[": "(", "]": ")", "【": "(", "】": ")", "〔": "(", "〕": ")", "〖": "(", "〗": ")"})
_SPACES = re.compile(r"\s+")
_LATIN = re.compile(r"[A-Za-z0-9]")


def _space(match: re.Match[str]) -> str:
    """A run of spaces: one space between two Latin letters or digits ("ABC Tech"), else nothing."""
    text, start, end = match.string, match.start(), match.end()
    between_words = start > 0 and end < len(text) and _LATIN.match(text[start - 1]) and _LATIN.match(text[end])
    return " " if between_words else ""


def name_key(name: str) -> str:
    """What a company name is compared by: two names with the same key are the same enterprise.

    Every format and default-ignorable character (soft hyphen, zero-width and direction marks, bidi isolates,
    joiners, variation selectors …) is removed and control characters read as spaces (``strip_ignorable``);
    Unicode NFKC (full-width （） and ＡＢＣ become () and ABC); every bracket kind becomes ( ); spaces are
    dropped, except one between two Latin letters or digits; traditional characters become simplified
    (OpenCC ``t2s``: 上海張江智算 is 上海张江智算). Letter case is kept. Changing this rule needs a migration
    that recomputes ``enterprises.name_key`` (see registry migrations 0004 and 0008).

    >>> name_key("上海示例云图软件（上海）有限公司")
    '上海示例云图软件(上海)有限公司'
    >>> name_key(" 上海示例云图软件 (上海)有限公司\\u200b") == name_key("上海示例云图软件【上海】有限公司")
    True
    >>> name_key("ＡＢＣ  Technology（上海） 有限公司")
    'ABC Technology(上海)有限公司'
    >>> name_key("上海張江智算科技有限公司")
    '上海张江智算科技有限公司'
    """
    from .ingest.clean import t2s  # the ingest package loads the corpus models: only when a name is keyed

    key = t2s(unicodedata.normalize("NFKC", strip_ignorable(name))).translate(_BRACKETS)
    # until nothing changes: a dropped space may bring a combining mark to a letter it composes with,
    # which may change the letter's neighbours (each round only shortens the text, so it ends)
    while (folded := unicodedata.normalize("NFKC", _SPACES.sub(_space, key))) != key:
        key = folded
    return key


CREDIT_CODE_LENGTH = 18
# GB 32100-2015: the 31 characters of the code (digits and capitals without I, O, Z, S, V), valued 0–30 in this order
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUES = {c: i for i, c in enumerate(CREDIT_CODE_CHARS)}
_WEIGHTS = tuple(3**i % 31 for i in range(CREDIT_CODE_LENGTH - 1))  # 1, 3, 9, 27, 19, 26, 16 … 28: 3^(i−1) mod 31
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―]+")


class CreditCodeError(ValueError):
    """A 统一社会信用代码 that is not one: ``str()`` is the whole Chinese line, ``detail`` the same without
    the words 统一社会信用代码 (for a message that already names the field)."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(f"统一社会信用代码{detail}")


def credit_check_char(body: str) -> str:
    """The 18th character (校验码) of a code whose first 17 characters are ``body`` (GB 32100-2015):
    C18 = 31 − (Σ value(Ci) × Wi mod 31), Wi = 3^(i−1) mod 31, with 31 written as 0 and 10–30 as A … Y.

    ``body`` is 17 characters of ``CREDIT_CODE_CHARS``; KeyError or ValueError otherwise.
    """
    if len(body) != CREDIT_CODE_LENGTH - 1:
        raise ValueError(f"a credit code body has {CREDIT_CODE_LENGTH - 1} characters, not {len(body)}")
    total = sum(_VALUES[c] * w for c, w in zip(body, _WEIGHTS, strict=True))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def check_credit_code(text: str) -> str:
    """The 统一社会信用代码 in ``text``, normalised and checked by GB 32100-2015.

    Normalised: invisible characters removed (``strip_ignorable``), NFKC (full-width ９１３１ → 9131), upper
    case, spaces and hyphens dropped. Checked: 18 characters, each a digit or a capital other than I, O, Z, S,
    V, and the 18th the check character of the first 17 (``credit_check_char``). CreditCodeError (one Chinese
    line) otherwise. "91440300708461136t" → "91440300708461136T".
    """
    # a leading apostrophe is Excel's mark for a cell typed as text
    code = _SEPARATORS.sub("", unicodedata.normalize("NFKC", strip_ignorable(text)).upper()).lstrip("'")
    if len(code) != CREDIT_CODE_LENGTH:
        raise CreditCodeError(f"应为 {CREDIT_CODE_LENGTH} 位（“{echo(code)}”是 {len(code)} 位），请核对")
    wrong = [c for c in dict.fromkeys(code) if c not in _VALUES]
    if wrong:
        shown = "、".join(f"“{c}”" for c in wrong)
        raise CreditCodeError(f"“{code}”含有不使用的字符 {shown}（只用数字和除 I、O、Z、S、V 以外的大写字母），请核对")
    if credit_check_char(code[:-1]) != code[-1]:
        raise CreditCodeError(f"“{code}”校验位不符，请核对")
    return code
