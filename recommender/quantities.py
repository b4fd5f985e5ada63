"""Numbers as people type them into a profile, a roster cell or a form: one reader for every entry point.

``read_money("18,500,000.00", "元")`` → ``Quantity(1850.0, "18,500,000.00 元 → 1,850 万元")``: the value in
万元 and the note a person sees; ``read_count`` and ``read_share`` read people and patents, and shares. Accepted:
thousands separators (``1,234``、``1，234``), full-width digits (NFKC), Chinese numerals and magnitude
words (``八十五``、``3.5亿``、``1200万``, read by cn2an), a unit in the cell (``万元``、``元``、``人``), a
percentage for a share (``3%``、``百分之三``). Money is kept in 万元 (../shared/spec/profile.md); the unit
comes from the cell, else from the column header, else 万元. Nothing is guessed: a cell whose unit
contradicts its header, or whose value is out of any plausible range for its field, is refused with the
reason (``QuantityError``, one Chinese line).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass

from .text_clean import echo, strip_invisible

# 万元 per unit (the profile's money unit is 万元)
MONEY_UNITS: dict[str, float] = {
    "元": 1e-4,
    "千元": 0.1,
    "万元": 1.0,
    "百万元": 100.0,
    "千万元": 1000.0,
    "亿元": 1e4,
}
# a magnitude word after a number, without 元 ("1200万", "3.5亿"): a multiplier, also for counts
_MAGNITUDE = {"千": 1e3, "万": 1e4, "百万": 1e6, "千万": 1e7, "亿": 1e8}
_COUNT_UNITS = ("人", "名", "件", "项", "个", "家", "年")
# between two digits: an underscore (Python would read 4_0 as 40) or an invisible mark (85\u200b40)
_GLUED = re.compile(r"\d[_\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]+\d")
_CHINESE_DIGIT = re.compile("[零〇一二两三四五六七八九十]")  # 百, 千, 万, 亿 after Arabic digits are magnitudes
_SEPARATORS = re.compile(r"(?<=\d)[,，\s'](?=\d{3}(?:\D|$))")
# Input sanity, not policy thresholds: beyond these a value is a unit slip ("营业收入（万元）" holding 元).
# The largest Shanghai enterprise (SAIC) reports about 7,000 亿元 of revenue a year, i.e. 7e7 万元.
MAX_MONEY_WAN = 1e8  # 1 万亿元
MAX_COUNT = 1e6  # people or patents of one enterprise
LARGE_WAN = 1e6  # 100 亿元: money this large with no unit written anywhere is said back (元 read as 万元?)


class QuantityError(ValueError):
    """A cell that is not a number of this field: the Chinese reason, one line."""


@dataclass(frozen=True)
class Quantity:
    """A number read from a cell: ``value`` in the field's unit (万元 for money, a fraction for a share),
    ``note`` the conversion a person should see ("18,500,000.00 元 → 1,850 万元"), or "" when none."""

    value: float
    note: str = ""
    unit_guessed: bool = False  # money of over LARGE_WAN read in 万元 with no unit written anywhere (元 meant?)


def _plain(text: str) -> str:
    """NFKC (full-width digits), no invisible characters, no thousands separators. QuantityError for a
    superscript or circled digit (NFKC would make "10²" 102) and for a space inside the number ("85 40"
    is two numbers, not 8540; a space that groups thousands, "1 000 000", is a separator)."""
    if any(unicodedata.category(c) == "No" for c in text):
        raise QuantityError(f"“{echo(text.strip())}”含有上标、下标或带圈的数字，请只写数字")
    text = unicodedata.normalize("NFKC", text).strip()
    if _GLUED.search(text):
        raise QuantityError(f"“{echo(strip_invisible(text))}”中间有空格、下划线或不可见字符，不是一个数字")
    text = _SEPARATORS.sub("", strip_invisible(text))
    if re.search(r"\s", text):
        raise QuantityError(f"“{echo(text)}”中间有空格，不是一个数字")
    if any(c.isdigit() and not c.isascii() for c in text) or (re.search(r"\d", text) and _CHINESE_DIGIT.search(text)):
        raise QuantityError(f"“{echo(text)}”混用了不同写法的数字，请只用阿拉伯数字或只用中文数字")
    return text


def numeral(text: str) -> float:
    """Arabic or Chinese numerals with magnitude words ("85", "八十五", "两百", "3.5亿" → 350000000), read by
    cn2an; QuantityError when ``text`` is not one."""
    if not text:
        raise QuantityError("不是数字")
    try:
        return float(text)
    except ValueError:
        pass
    import cn2an  # 0.2 s to import: only when a cell holds Chinese numerals

    try:
        return float(cn2an.cn2an(text.replace("两", "二"), "smart"))
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        raise QuantityError(f"“{echo(text)}”不是数字") from exc


_ARABIC_UNIT = re.compile(
    r"^([0-9]+(?:\.[0-9]+)?)(百万元|千万元|千元|万元|亿元|元|百万|千万|千|万|亿|人|名|件|项|个|家|年|%)?$"
)


def _split_unit(text: str) -> tuple[float, str | None]:
    """(the number, the unit written after it or None): "1850万元" → (1850, "万元"), "1.2万" → (1.2, "万").
    Chinese numerals carry their own magnitude words, which cn2an reads: "一千二百万元" → (12000000, "元")."""
    m = _ARABIC_UNIT.match(text)
    if m:
        return float(m.group(1)), m.group(2)
    for unit in ("元", *_COUNT_UNITS, "%"):
        if len(text) > len(unit) and text.endswith(unit):
            return numeral(text.removesuffix(unit)), unit
    return numeral(text), None


def number_text(value: float) -> str:
    """A number as a person writes it: 18500000.0 → "18,500,000", 0.5 → "0.5" (never 1.85e+07; from 10^15 on,
    and for what is not finite, 1.850e+15)."""
    if not math.isfinite(value) or abs(value) >= 1e15:
        return f"{value:.3e}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def _check_sign(value: float, raw: str) -> None:
    if not math.isfinite(value):
        raise QuantityError(f"应为有限的数字，不能是无穷大或 NaN（收到“{raw}”）")
    if value < 0:
        raise QuantityError(f"不能为负数（收到“{raw}”）")


def _money_words(cell: str, raw: str) -> tuple[float, str | None, bool]:
    """(number, the unit the cell writes or None, whether the cell states its own amount of 元 by a
    magnitude word, so that the header's unit does not apply): "1850万元" → (1850, 万元, False),
    "3.5亿" → (350000000, 元, True), "一千二百万" → (12000000, 元, True), "1850" → (1850, None, False)."""
    text = _plain(cell)
    try:
        number, own = _split_unit(text)
    except QuantityError as exc:
        raise QuantityError(f"“{raw}”不是金额（请写数字，可带 元、万元、亿元）") from exc
    if own in _COUNT_UNITS or own == "%":
        raise QuantityError(f"“{raw}”不是金额")
    if own in _MAGNITUDE:  # "1200万", "3.5亿": an amount of 元 in its own words, whatever the header says
        return number * _MAGNITUDE[own], "元", True
    if own is None and re.search("[万亿]", text):  # Chinese numerals with their magnitude: 一千二百万
        return number, "元", True
    return number, own, False


def read_money(cell: object, header_unit: str | None = None) -> Quantity:
    """A money cell in 万元. ``header_unit``: the column's unit (元, 千元, 万元, 百万元, 千万元, 亿元) or None
    (万元). A cell's own unit ("1850万元", "18500000元") is used when the header states none or the same one;
    when they differ, QuantityError. A magnitude word ("3.5亿", "1200万", "五千万") states an amount of 元
    whatever the header says. Out of [0, 1 万亿元]: QuantityError naming the unit slip. Money of over 100
    亿元 with no unit written anywhere is read in 万元 and said back (``Quantity.note``)."""
    if header_unit is not None and header_unit not in MONEY_UNITS:
        raise QuantityError(f"单位“{header_unit}”无法识别：金额请用元、千元、万元、百万元或亿元")
    if isinstance(cell, bool):
        raise QuantityError("应为数字，不是 是/否")
    if isinstance(cell, (dt.date, dt.time)):
        raise QuantityError(f"应为金额，收到日期或时间“{cell}”（单元格格式是日期？）")
    raw = number_text(float(cell)) if isinstance(cell, (int, float)) else echo(str(cell).strip())
    number, own, absolute = (float(cell), None, False) if isinstance(cell, (int, float)) else _money_words(cell, raw)
    header = None if absolute else header_unit
    if own and header and own != header:
        raise QuantityError(f"“{raw}”的单位{own}与表头单位{header}不一致，请统一单位")
    unit = own or header or "万元"
    wan = number * MONEY_UNITS[unit]
    _check_sign(wan, raw)
    if wan > MAX_MONEY_WAN:
        hint = "" if unit == "元" else "（是否应为元？）"
        raise QuantityError(f"“{raw}”按{unit}读为 {number_text(wan)} 万元，超过 1 万亿元，请检查单位{hint}")
    wan = round(wan, 6)
    note = "" if unit == "万元" else f"{raw}{'' if own else ' ' + unit} → {number_text(wan)} 万元"
    if unit == "万元" and not own and not header and wan > LARGE_WAN:
        note = f"{raw} 按万元读入，即 {number_text(wan / 1e4)} 亿元；如单位是元，请在表头注明（元）"
        return Quantity(wan, note, unit_guessed=True)
    return Quantity(wan, note)


def read_count(cell: object, *, integer: bool = True) -> Quantity:
    """A count (people, patents, years): "85", "八十五", "85人", "1.2万" → 12000. QuantityError when it is
    not a number, negative, above 1,000,000, or not whole where ``integer``."""
    if isinstance(cell, bool):
        raise QuantityError("应为数字，不是 是/否")
    if isinstance(cell, (int, float)):
        number = float(cell)
    else:
        number, unit = _split_unit(_plain(str(cell)))
        if unit in MONEY_UNITS or unit == "%":
            raise QuantityError(f"“{echo(str(cell).strip())}”不是数量")
        number *= _MAGNITUDE.get(unit or "", 1.0)
    _check_sign(number, echo(str(cell).strip()))
    if number > MAX_COUNT:
        raise QuantityError(f"“{echo(cell)}”超过 1,000,000，请检查")
    if integer and not float(number).is_integer():
        raise QuantityError(f"“{echo(cell)}”应为整数")
    return Quantity(number)


def read_share(cell: object) -> Quantity:
    """A share as a fraction 0..1: "3%", "3％", "百分之三", "0.03" → 0.03. A bare number above 1 is not
    taken as a percentage (QuantityError asking for "%"): 3 could mean 3 % or 300 %."""
    if isinstance(cell, bool):
        raise QuantityError("应为数字，不是 是/否")
    if isinstance(cell, (int, float)):
        value = float(cell)
    else:
        text = _plain(str(cell))
        if text.startswith("百分之"):
            value = numeral(text.removeprefix("百分之")) / 100
        else:
            value, unit = _split_unit(text)
            if unit not in (None, "%"):
                raise QuantityError(f"“{echo(str(cell).strip())}”不是比例")
            value /= 100 if unit == "%" else 1
    _check_sign(value, echo(str(cell).strip()))
    if value > 1:
        raise QuantityError(f"“{echo(cell)}”大于 1：比例请写小数（0.03）或百分数（3%）")
    return Quantity(round(value, 9))
