"""Proposed metadata of a newly uploaded policy text: title, issuer, 文号, dates, validity and area.

When policy staff upload a document, ``propose_meta`` reads its lines and proposes each field of the
metadata (``corpus_models.DocumentMeta``) with the words it rests on, for a person to check and edit.
Every field is a ``Found``: the value, the quote and its line. What the text does not say stays
``None``: nothing is guessed. Lines are compared after ``clean.clean_line`` (markup dropped,
traditional → simplified, one spelling of punctuation), so quotes are the cleaned words of the line;
where a value is inferred from another field the quote begins with a note in 〔〕 saying so.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any, Generic, TypeVar

import cn2an

from ..places import park_words, region_of
from .clean import clean_line, is_boilerplate, strip_markup, to_simplified

T = TypeVar("T")

TOP_LINES = 60  # a title, 文号 and heading stand among the first lines that have words
DEFAULT_FROM_NOTE = "〔未写明施行日期，按印发日期〕"
TITLE_YEARS_NOTE = "〔标题期限始于印发之年，按印发日期〕"


@dataclass(frozen=True)
class Found(Generic[T]):
    """One proposed field: its value, the words of the text it rests on and their line.

    ``value`` None: the text does not say (unknown stays unknown). ``quote``: the words of the line as
    ``clean.clean_line`` reads them (a name keeps the space between joint issuers); an inference begins
    with a note in 〔〕. ``line``: 1-based index into the lines given to ``propose_meta``; None when the
    value does not come from them (``title_hint``).
    """

    value: T | None = None
    quote: str | None = None
    line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """``{"value": …, "quote": …, "line": …}``, JSON-ready: a date as ISO text, a list copied."""
        value: Any = self.value
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, list):
            value = list(value)
        return {"value": value, "quote": self.quote, "line": self.line}


@dataclass(frozen=True)
class MetaProposal:
    """The metadata proposed for one document, each field a ``Found`` (see ``propose_meta``).

    ``regions``: official district names ([] = all of Shanghai); ``parks``: park words of
    ``policies/lexicon/parks.yaml`` or district-prefixed zone names; ``zone``: the zone the document is
    about ("张江高新区"). Dates are ``datetime.date``; ``valid_to`` is the last day (inclusive).
    """

    title: Found[str]
    issuer: Found[str]
    doc_number: Found[str]
    issued: Found[dt.date]
    valid_from: Found[dt.date]
    valid_to: Found[dt.date]
    regions: Found[list[str]]
    parks: Found[list[str]]
    zone: Found[str]

    def as_dict(self) -> dict[str, dict[str, Any]]:
        """JSON-ready: ``{"title": {"value": …, "quote": …, "line": …}, …}`` in field order, dates ISO."""
        return {f.name: getattr(self, f.name).as_dict() for f in fields(self)}


# --- the text: each line cleaned (for matching) and softly cleaned (spaces kept, for names) --------------

_SEPARATOR = re.compile(r"[-_=—*·]{3,}")


@dataclass(frozen=True)
class _Text:
    clean: tuple[str, ...]  # clean_line of each line: no spaces between Chinese characters
    soft: tuple[str, ...]  # markup stripped, simplified, runs of spaces as one: names keep their spaces

    @classmethod
    def of(cls, lines: list[str]) -> _Text:
        soft = tuple(" ".join(to_simplified(strip_markup(raw)).split()) for raw in lines)
        return cls(tuple(clean_line(raw) for raw in lines), soft)

    def has_words(self, i: int) -> bool:
        """Whether line ``i`` has words (is not blank nor a ---- rule)."""
        return bool(self.clean[i]) and not _SEPARATOR.fullmatch(self.clean[i])

    def filled(self) -> Iterator[int]:
        """Indices of the lines that have words."""
        return (i for i in range(len(self.clean)) if self.has_words(i))

    def top(self) -> list[int]:
        """The first ``TOP_LINES`` lines that have words."""
        return [i for _, i in zip(range(TOP_LINES), self.filled(), strict=False)]

    def prev(self, i: int) -> int | None:
        """The nearest line with words before line ``i``."""
        return next((j for j in range(i - 1, -1, -1) if self.has_words(j)), None)

    def next(self, i: int) -> int | None:
        """The nearest line with words after line ``i``."""
        return next((j for j in range(i + 1, len(self.clean)) if self.has_words(j)), None)

    def at(self, i: int, value: T | None, quote: str | None = None) -> Found[T]:
        """``value`` found on line ``i`` (0-based), quoting ``quote`` or the whole cleaned line."""
        return Found(value, self.clean[i] if quote is None else quote, i + 1)


# --- dates ------------------------------------------------------------------------------------------------

_YEAR = r"(?:19|20)\d{2}"
_CN_YEAR = r"[〇零○Oo0一二三四五六七八九]{4}"
_CN_DAY = r"[一二三四五六七八九十廿卅]{1,3}"
_DATE = (
    rf"(?:{_YEAR}\s*年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日"
    rf"|(?<!\d){_YEAR}\s*[-/.]\s*\d{{1,2}}\s*[-/.]\s*\d{{1,2}}(?!\d)"
    rf"|{_CN_YEAR}年{_CN_DAY}月{_CN_DAY}日)"
)
_NUMERIC_DATE = re.compile(rf"({_YEAR})(?:年(\d{{1,2}})月(\d{{1,2}})日|([-/.])(\d{{1,2}})\4(\d{{1,2}}))")
_CN_DATE = re.compile(rf"({_CN_YEAR})年({_CN_DAY})月({_CN_DAY})日")
_COMPACT_DATE = re.compile(rf"({_YEAR})(\d{{2,4}})")
_ZEROS = str.maketrans({"O": "〇", "o": "〇", "○": "〇", "0": "〇"})


def _day(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:  # 2月30日 is not a date
        return None


def _cn_int(text: str) -> int | None:
    """A number written in Chinese numerals (cn2an; 〇/零/○/O as zero), None when it is not one."""
    try:
        return int(cn2an.cn2an(text.translate(_ZEROS), "normal"))
    except ValueError:
        return None


def _compact_date(year: int, rest: str) -> dt.date | None:
    """An undelimited date ("2015814"): the one valid reading of month and day, None if none or several."""
    readings = {_day(year, int(rest[:cut]), int(rest[cut:])) for cut in (1, 2) if 0 < len(rest) - cut <= 2}
    readings.discard(None)
    return readings.pop() if len(readings) == 1 else None


def parse_date(text: str) -> dt.date | None:
    """The date the whole of ``text`` spells, or None.

    Accepts "2023年5月22日", "2023-05-22", "2023/5/22", "2023.5.22", Chinese numerals "二〇二三年五月二十二日"
    (〇/零/○/O as zero) and an undelimited "2015814"/"20150814" when exactly one reading is a valid date.
    Spaces are ignored; an impossible date ("2023年2月30日") is None.
    """
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    if m := _NUMERIC_DATE.fullmatch(text):
        month, day = (m[2], m[3]) if m[2] else (m[5], m[6])
        return _day(int(m[1]), int(month), int(day))
    if m := _CN_DATE.fullmatch(text):
        year, month, day = _cn_int(m[1]), _cn_int(m[2]), _cn_int(m[3])
        return None if year is None or month is None or day is None else _day(year, month, day)
    if m := _COMPACT_DATE.fullmatch(text):
        return _compact_date(int(m[1]), m[2])
    return None


# --- 文号 -------------------------------------------------------------------------------------------------

_DOC_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,12})[〔\[(【]((?:19|20)\d{2})[〕\])】]第?(\d{1,5})号?")  # after NFKC


def normalize_doc_number(text: str) -> str | None:
    """The 文号 ``text`` spells, in the standard printed form "浦科经委〔2023〕78号", or None if it is not one.

    The whole of ``text`` must be the number: an agency abbreviation (Chinese characters), the year in
    any bracket (〔〕 [] （） () 【】 ［］), the serial number, 号 optional; spaces ignored. A year bracket
    without a prefix or serial ("（2023-2025年）", "〔2023〕78号") is not a 文号.
    """
    m = _DOC_NUMBER.fullmatch(re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)))
    if m is None or not 1949 <= int(m[2]) <= 2099 or int(m[3]) == 0:
        return None
    return f"{m[1]}〔{m[2]}〕{int(m[3])}号"


# --- labels of web pages ("发布机构：…  发布日期：…") ---------------------------------------------------------

_ISSUER_LABELS = ("发文机关", "发文机构", "发布机构", "发文单位", "发布单位", "发布部门", "制发机关")
_NUMBER_LABELS = ("发文字号", "发文文号", "文号")
_TITLE_LABELS = ("标题", "文件名称", "政策名称", "名称")
_WRITTEN_LABELS = ("成文日期", "成文时间")
_ISSUED_LABELS = ("发布日期", "印发日期", "发文日期", "公布日期", "发布时间", "印发时间", "公布时间")
_OTHER_LABELS = ("来源", "索引号", "主题分类", "体裁分类", "有效性", "浏览次数", "作者", "分类")
_ALL_LABELS = "|".join(
    _ISSUER_LABELS + _NUMBER_LABELS + _TITLE_LABELS + _WRITTEN_LABELS + _ISSUED_LABELS + _OTHER_LABELS
)


def _labelled(text: _Text, labels: tuple[str, ...]) -> Iterator[tuple[int, str, str]]:
    """(line, the label and its value, the value) for each ``labels`` field, its value cut at the next label.

    A label begins a word: "原标题：" is no "标题：" field."""
    pattern = re.compile(
        rf"(?<![\u4e00-\u9fff])(?:{'|'.join(labels)})\s*[:：]\s*(.+?)\s*(?=\s{{2,}}|\s(?:{_ALL_LABELS})\s*[:：]|(?:{_ALL_LABELS})[:：]|$)"
    )
    for i in text.filled():
        for m in pattern.finditer(text.soft[i]):
            yield i, m.group().strip(), m[1]


# --- organisations ----------------------------------------------------------------------------------------

_ORG_END = "委员会|人民政府|政府|办公厅|办公室|管委会|管理委员会|管理局|领导小组|委|局|厅|署|部|中心"
_ORG_PART = re.compile(rf"[\u4e00-\u9fff（）()]{{2,30}}?(?:{_ORG_END})")


def _org_name(text: str) -> str | None:
    """The organisation(s) ``text`` is the name of: joint issuers kept apart by one space, else None."""
    parts = text.split()
    if parts and len(parts) <= 4 and all(_ORG_PART.fullmatch(p) for p in parts):
        return " ".join(parts)
    joined = "".join(parts)
    return joined if _ORG_PART.fullmatch(joined) else None


def _org_line(soft: str) -> str | None:
    """The organisation(s) a line names on its own, including a red-header "…委员会文件"."""
    return _org_name(soft) or (_org_name(soft.removesuffix("文件")) if soft.endswith("文件") else None)


def _spaced(name: str, soft: str) -> str:
    """``name`` (cleaned, no spaces) as the line prints it, joint issuers kept apart by one space."""
    m = re.search(r"\s*".join(map(re.escape, name)), soft)
    return (_org_name(m.group()) or name) if m else name


# A zone is named by a park word or a district (short) name, up to six characters, and one of these ends.
ZONE_ENDS = ("高新区", "科学城", "新片区", "开发区", "保税区", "自贸区", "商务区", "工业区", "示范区")
PARK_ENDS = (*ZONE_ENDS, "产业园", "科技园", "园区", "新城")


def _zones(text: str, ends: tuple[str, ...]) -> list[str]:
    """Zone names in ``text`` ("张江高新区", "漕河泾开发区", "金山工业区"): a park word of the lexicon or a
    district name, then at most six characters, then one of ``ends``."""
    heads = "|".join(map(re.escape, park_words()))
    pattern = rf"(?=(({heads}|[\u4e00-\u9fff]{{2,3}}?)[\u4e00-\u9fff]{{0,6}}?(?:{'|'.join(ends)})))"
    nearest: dict[int, int] = {}  # end → the latest start: "浦东新区支持张江科学城" is "张江科学城"
    for m in re.finditer(pattern, text):
        if m[2] in park_words() or region_of(m[2]):
            nearest[m.start() + len(m[1])] = m.start()
    return list(dict.fromkeys(text[start:end] for end, start in sorted(nearest.items(), key=lambda kv: kv[1])))


def _issuer_like(name: str) -> bool:
    """Whether the subject of "…印发《…》" can be an issuer: an organisation, a district or a zone."""
    return bool(_org_name(name) or region_of(name) or _zones(name, ZONE_ENDS) == [name])


# --- headings and titles ----------------------------------------------------------------------------------

_KIND = (
    r"(?:通知|意见|办法|方案|计划|规定|细则|措施|指南|决定|纲要|规划|条例|指引|公告|通告|批复|规则|要点|政策|"
    r"若干意见|实施意见|行动方案|行动计划|实施细则|若干措施)"
)
_KIND_END = re.compile(rf"{_KIND}(?:（[^（）]{{1,20}}）)*$")
_COVER = re.compile(
    r"^(?P<org>.*?)关于(?:印发|转发|发布|颁布|公布|下发)(?:[^《》]{0,30}?)《(?P<title>[^《》]{2,150})》的通知"
    r"(?P<tail>（[^（）]*）)?$"
)
_COVER_PLAIN = re.compile(
    rf"^(?P<org>.*?)关于(?:印发|转发|发布|颁布|公布|下发)(?P<title>[^《》]{{4,150}}?{_KIND}(?:（[^（）]{{1,20}}）)*)的通知"
    r"(?P<tail>（[^（）]*）)?$"
)
_ABOUT = re.compile(r"^(?P<org>[^《》]{3,60}?)关于")
_SENTENCE = re.compile(r"[。，；！？：]")
_NUMBERED = re.compile(
    r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十\d]+）|第[一二三四五六七八九十百\d]+[章节条]|\d+[.、．])"
)
_NEWS_VERB = re.compile(r"出台|印发|发布|公布|转发|颁布|下发")
_ISSUE_VERB = r"(?:日前|近日|正式|联合)?(?:印发|发布|出台|颁布|公布|制定)了?"
_TOLD = re.compile(rf"{_ISSUE_VERB}《(?P<title>[^《》]{{4,150}})》")
_NAMED = re.compile(rf"^(?P<org>[^《》]{{2,40}}?)(?:{_ISSUE_VERB})?《(?P<title>[^《》]{{4,150}})》(?:（[^（）]*）)?$")
_BRACKET_LINE = re.compile(r"（[^（）]{1,20}）")
_TITLE_YEARS = re.compile(rf"（({_YEAR})年?\s*[-—–~至到]\s*({_YEAR})年?）")


def _heading_like(line: str) -> bool:
    """A short line without sentence punctuation (inside 《》 aside), not a numbered heading or boilerplate."""
    bare = re.sub(r"《[^《》]*》", "《》", line)
    return (
        4 <= len(line) <= 160
        and not _SENTENCE.search(bare)
        and not _NUMBERED.match(line)
        and not is_boilerplate(line)
        and "|" not in line
        and ">" not in line
    )


def _is_title_start(text: _Text, i: int) -> bool:
    """Whether line ``i`` can begin a document's own title (not a name, 文号, date or news headline)."""
    line = text.clean[i]
    return (
        _heading_like(line)
        and _org_line(text.soft[i]) is None
        and normalize_doc_number(line) is None
        and parse_date(line) is None
        and (line.startswith("关于") or not _NEWS_VERB.search(line))
    )


def _cover(line: str) -> re.Match[str] | None:
    """The heading "…关于印发《X》的通知" (or without 《》 when X ends as a title does), if ``line`` is one."""
    return (_COVER.match(line) or _COVER_PLAIN.match(line)) if _heading_like(line) else None


def _cover_title(text: _Text) -> Found[str]:
    """X of the cover letter's heading "…关于印发《X》的通知", which may wrap onto a second line."""
    for i in text.top():
        if m := _cover(text.clean[i]):
            return text.at(i, m["title"])
        j = text.next(i)
        if "关于" in text.clean[i] and j is not None and (m := _cover(wrapped := text.clean[i] + text.clean[j])):
            return text.at(i, m["title"], wrapped)
    return Found()


def _labelled_title(text: _Text) -> Found[str]:
    """A web page's "标题：…" field (X when it is itself "关于印发《X》的通知")."""
    for i, quote, value in _labelled(text, _TITLE_LABELS):
        title = clean_line(value)
        m = _cover(title)
        return text.at(i, m["title"] if m else title, clean_line(quote))
    return Found()


def _named_title(text: _Text) -> Found[str]:
    """X of a headline "ORG印发《X》" or "ORG《X》（2015年8月发布）" whose ORG can be an issuer."""
    for i in text.top():
        m = _NAMED.match(text.clean[i])
        if m and _heading_like(text.clean[i]) and _issuer_like(m["org"]):
            return text.at(i, m["title"])
    return Found()


def _heading_title(text: _Text) -> Found[str]:
    """The first heading near the top that ends as a document title does (…办法, …意见（2023-2025年）),
    joined over up to three lines, with a year bracket standing on the next line."""
    for i in text.top():
        if _is_title_start(text, i) and (found := _assemble(text, i)).value:
            return found
    return Found()


def _assemble(text: _Text, i: int) -> Found[str]:
    parts, j = [text.clean[i]], i
    while not _KIND_END.search("".join(parts)):
        nxt = text.next(j)
        if len(parts) == 3 or nxt is None or not _is_title_start(text, nxt):
            return Found()
        parts.append(text.clean[nxt])
        j = nxt
    after = text.next(j)
    if after is not None and _BRACKET_LINE.fullmatch(text.clean[after]):
        parts.append(text.clean[after])
    title = "".join(parts)
    return text.at(i, title, title)


def _told_title(text: _Text) -> Found[str]:
    """X of the first sentence "…，ORG正式出台《X》" whose ORG can be an issuer (a news report)."""
    for i in text.filled():
        for m in _TOLD.finditer(text.clean[i]):
            if _issuer_like(subject := _subject(text.clean[i][: m.start()])):
                return text.at(i, m["title"], subject + m.group())
    return Found()


def _subject(before: str) -> str:
    """The words just before a verb, back to the previous sentence punctuation."""
    return re.split(r"[。，；！？：“”]", before)[-1].strip()


def _plain_heading(text: _Text) -> Found[str]:
    """The first heading-like line near the top, whatever it ends with."""
    return next((text.at(i, text.clean[i]) for i in text.top() if _is_title_start(text, i)), Found())


def _hint_title(hint: str | None) -> Found[str]:
    if not hint:
        return Found()
    hint = re.sub(r"\.(?:pdf|docx?|txt|html?|md)$", "", hint.strip(), flags=re.IGNORECASE)
    title = clean_line(re.split(r"\s+[-–—|｜]\s+|_|｜", hint)[0])  # a page title's " - 站点名" dropped
    m = _cover(title)
    return Found(m["title"] if m else title or None, None, None)


def _title(text: _Text, hint: str | None) -> Found[str]:
    for finder in (_cover_title, _labelled_title, _named_title, _heading_title, _told_title):
        if (found := finder(text)).value:
            return found
    hinted = _hint_title(hint)
    return hinted if hinted.value else _plain_heading(text)


# --- issuer -----------------------------------------------------------------------------------------------


def _labelled_issuer(text: _Text) -> Found[str]:
    for i, quote, value in _labelled(text, _ISSUER_LABELS):
        return text.at(i, value, quote)
    return Found()


def _heading_issuer(text: _Text) -> Found[str]:
    """ORG of a heading "ORG关于…" (the cover letter's or the document's own)."""
    for i in text.top():
        m = _ABOUT.match(text.clean[i])
        if m and _heading_like(text.clean[i]) and _org_name(m["org"]):
            return text.at(i, _spaced(m["org"], text.soft[i]))
    return Found()


def _orgs_above(text: _Text, i: int) -> Found[str]:
    """The organisation lines just above line ``i`` (文号 lines passed over), joined by a space."""
    names: list[tuple[int, str]] = []
    j = text.prev(i)
    while j is not None and len(names) < 4:
        if (name := _org_line(text.soft[j])) is not None:
            names.insert(0, (j, name))
        elif names or normalize_doc_number(text.clean[j]) is None:
            break
        j = text.prev(j)
    if not names:
        return Found()
    joined = " ".join(name for _, name in names)
    return Found(joined, " ".join(text.soft[j] for j, _ in names), names[0][0] + 1)


def _block_issuer(text: _Text) -> Found[str]:
    """The name(s) standing above the first heading: a red header "…文件" or "ORG / 关于…的意见"."""
    for i in text.top():
        line = text.clean[i]
        if _heading_like(line) and (line.startswith("关于") or _cover(line) or _KIND_END.search(line)):
            return _orgs_above(text, i)
    return Found()


def _signature(text: _Text) -> tuple[Found[str], Found[dt.date]]:
    """The first signature: organisation line(s) and, on the next line with words, a date alone."""
    for i in text.filled():
        day = parse_date(text.clean[i])
        if day is not None and (orgs := _orgs_above(text, i)).value:
            return orgs, text.at(i, day)
        same = re.fullmatch(rf"(.+?)\s+({_DATE})", text.soft[i])  # "上海市徐汇区人民政府 2024年3月20日"
        if same and (name := _org_name(same[1])) and (day := parse_date(same[2])) is not None:
            return text.at(i, name, same[1]), text.at(i, day, same[2])
    return Found(), Found()


def _told_issuer(text: _Text) -> Found[str]:
    """ORG of the headline or sentence that gave the title: "ORG印发《X》", "ORG《X》"."""
    for i in text.filled():
        line = text.clean[i]
        named = _NAMED.match(line)
        said = [(named["org"], line)] if named and _heading_like(line) else []
        said += [((s := _subject(line[: m.start()])), s + m.group()) for m in _TOLD.finditer(line)]
        for subject, quote in said:
            if _issuer_like(subject):
                return text.at(i, _spaced(subject, text.soft[i]), quote)
    return Found()


def _issuer(text: _Text, signed: Found[str]) -> Found[str]:
    for finder in (_labelled_issuer, _heading_issuer, _block_issuer):
        if (found := finder(text)).value:
            return found
    return signed if signed.value else _told_issuer(text)


# --- 文号 in the text ---------------------------------------------------------------------------------------


def _doc_number(text: _Text) -> Found[str]:
    """The document's own 文号: a "文号：" field, a line of its own, or the bracket closing the heading.

    A 文号 inside a sentence (another document cited) or a year bracket of a title is never taken.
    """
    for i, quote, value in _labelled(text, _NUMBER_LABELS):
        if number := normalize_doc_number(value):
            return text.at(i, number, clean_line(quote))
    for i in text.filled():
        first, _, rest = text.soft[i].partition(" ")
        own = text.clean[i] if not rest.startswith("签发人") else first
        if number := normalize_doc_number(own):
            return text.at(i, number)
    for i in text.top():
        m = _cover(text.clean[i])
        if m and m["tail"] and (number := normalize_doc_number(m["tail"][1:-1])):
            return text.at(i, number, m["tail"])
    return Found()


# --- date of issue ----------------------------------------------------------------------------------------


def _labelled_date(text: _Text, labels: tuple[str, ...]) -> Found[dt.date]:
    pattern = re.compile(rf"(?:{'|'.join(labels)})：\s*({_DATE})")
    for i in text.filled():
        if (m := pattern.search(text.clean[i])) and (day := parse_date(m[1])) is not None:
            return text.at(i, day, m.group())
    return Found()


def _printed_date(text: _Text) -> Found[dt.date]:
    """The 版记 line "2023-05-23 印发" (the day it was printed)."""
    for i in text.filled():
        if (m := re.fullmatch(rf"({_DATE})印发", text.clean[i])) and (day := parse_date(m[1])) is not None:
            return text.at(i, day)
    return Found()


def _issued(text: _Text, signed: Found[dt.date]) -> Found[dt.date]:
    """成文日期 field, else the signature date, else 发布/印发日期 field, else the 版记 date; never a body date."""
    for found in (
        _labelled_date(text, _WRITTEN_LABELS),
        signed,
        _labelled_date(text, _ISSUED_LABELS),
        _printed_date(text),
    ):
        if found.value is not None:
            return found
    return Found()


# --- validity ---------------------------------------------------------------------------------------------

_TAKE_EFFECT = r"(?:正式)?(?:施行|实施|执行|生效|试行)"
_FROM_DATE = re.compile(rf"(?:自|从|于)?({_DATE})起{_TAKE_EFFECT}")
_FROM_ISSUE = re.compile(rf"自(?:印发|发布|公布|颁布|发文|下发)之日起{_TAKE_EFFECT}")
_SPAN = rf"(?:{_DATE}|{_YEAR}年\d{{1,2}}月|{_YEAR}年?)"
_PERIOD = re.compile(
    rf"(?<!项目)(?:有效期|实施期限|实施期|执行期限|执行期|试行期|施行期)(?:为|是|：|自|从)?({_SPAN})起?"
    rf"(?:至|到|—|－|-|–|~)({_SPAN})止?"
)
_UNTIL = re.compile(rf"(?:有效期|执行|实施|施行)(?:至|到|截至|截止到?)({_DATE})止?")
_YEARS = re.compile(r"有效期(?:为|是)?(\d{1,2}|[一二两三四五六七八九十]{1,2})年")
_OWN_DOCUMENT = re.compile(rf"本(?:{_KIND})|起{_TAKE_EFFECT}")


def _span(words: str, end: bool) -> dt.date | None:
    """A date, a month ("2024年1月") or a year ("2024年") as its first day, or its last when ``end``."""
    if (day := parse_date(words)) is not None:
        return day
    m = re.fullmatch(rf"({_YEAR})年?(?:(\d{{1,2}})月)?", words)
    if m is None:
        return None
    year = int(m[1])
    if m[2] is None:
        return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
    month = int(m[2])
    if not 1 <= month <= 12:
        return None
    return dt.date(year, month, calendar.monthrange(year, month)[1] if end else 1)


def _plus_years(start: dt.date, years: int) -> dt.date:
    """The last day of ``years`` years from ``start`` (inclusive): 2024-01-01 + 5 → 2028-12-31."""
    anniversary = _day(start.year + years, start.month, start.day) or dt.date(start.year + years, 3, 1)
    return anniversary - dt.timedelta(days=1)


def _last(text: _Text, pattern: re.Pattern[str], own: bool = False) -> tuple[int, re.Match[str]] | None:
    """The last match of ``pattern`` (validity clauses close a document); with ``own``, only in a sentence
    about the document itself ("本办法…", "…起施行"), not about a qualification's 有效期."""
    hit = None
    for i in text.filled():
        for sentence in re.split(r"(?<=[。；])", text.clean[i]):
            for m in pattern.finditer(sentence):
                if not own or _OWN_DOCUMENT.search(sentence) or sentence.startswith("有效期"):
                    hit = (i, m)
    return hit


def _found_span(text: _Text, hit: tuple[int, re.Match[str]] | None, group: int, end: bool) -> Found[dt.date]:
    if hit is None:
        return Found()
    i, m = hit
    day = _span(m[group], end)
    return text.at(i, day, m.group()) if day is not None else Found()


def _title_years(title: Found[str]) -> tuple[re.Match[str], int | None] | None:
    m = _TITLE_YEARS.search(title.value or "")
    if m is None or not 0 <= int(m[2]) - int(m[1]) <= 20:
        return None
    return m, title.line


def _valid_from(text: _Text, title: Found[str], issued: Found[dt.date]) -> Found[dt.date]:
    """自DATE起施行 / a period's start / 自印发之日起施行 (= issued) / the title's first year / issued."""
    if (found := _found_span(text, _last(text, _FROM_DATE), 1, end=False)).value:
        return found
    if (found := _found_span(text, _last(text, _PERIOD), 1, end=False)).value:
        return found
    if (hit := _last(text, _FROM_ISSUE)) is not None and issued.value is not None:
        return text.at(hit[0], issued.value, hit[1].group())
    if years := _title_years(title):
        m, line = years
        if issued.value is not None and issued.value.year == int(m[1]):
            return Found(issued.value, f"{TITLE_YEARS_NOTE}{m.group()}", line)
        return Found(dt.date(int(m[1]), 1, 1), m.group(), line)
    if issued.value is not None:
        return Found(issued.value, f"{DEFAULT_FROM_NOTE}{issued.quote}", issued.line)
    return Found()


def _valid_to(text: _Text, title: Found[str], valid_from: Found[dt.date]) -> Found[dt.date]:
    """A period's end / 有效期至DATE / 有效期N年 from ``valid_from`` / the title's last year; else open (None)."""
    if (found := _found_span(text, _last(text, _PERIOD), 2, end=True)).value:
        return found
    if (found := _found_span(text, _last(text, _UNTIL), 1, end=True)).value:
        return found
    hit = _last(text, _YEARS, own=True)
    if hit is not None and valid_from.value is not None:
        years = int(hit[1][1]) if hit[1][1].isdigit() else _cn_int(hit[1][1])
        if years:
            return text.at(hit[0], _plus_years(valid_from.value, years), hit[1].group())
    if years_in_title := _title_years(title):
        m, line = years_in_title
        return Found(dt.date(int(m[2]), 12, 31), m.group(), line)
    return Found()


# --- area -------------------------------------------------------------------------------------------------

_APPLIES = re.compile(rf"(?:本(?:{_KIND})适用于|适用范围[为是：])([^。；]*)")


def districts_in(text: str) -> list[str]:
    """The Shanghai districts ``text`` names ("上海市浦东新区科技和经济委员会" → ["浦东新区"]), in order.

    Recognised by ``profile.region_of`` on each "XX区"/"XX新区"/"XX县" of the text (traditional characters
    read as simplified); a park or zone ("张江高新区") is not a district.
    """
    simplified = to_simplified(text)
    names = (region_of(m[1]) for m in re.finditer(r"(?=([\u4e00-\u9fff]{1,3}?(?:新区|区|县)))", simplified))
    return list(dict.fromkeys(n for n in names if n and n != "上海市外"))


def _regions(issuer: Found[str], title: Found[str]) -> Found[list[str]]:
    """Districts named by the issuer, then the title; [] (all of Shanghai) when a known issuer or a title
    with 上海 names none; None when there is neither issuer nor such a title."""
    named = [(f, names) for f in (issuer, title) if f.value and (names := districts_in(f.value))]
    if named:
        regions = list(dict.fromkeys(n for _, names in named for n in names))
        return Found(regions, named[0][0].quote, named[0][0].line)
    if issuer.value:  # a municipal, national or zone body: not one district
        return Found([], issuer.quote, issuer.line)
    return Found([], title.quote, title.line) if "上海" in (title.value or "") else Found()


def _parks_in(text: str) -> list[str]:
    """Park words of the lexicon (longest first, no overlap) and district-prefixed zone names, in order."""
    taken: list[tuple[int, str]] = []
    covered: set[int] = set()
    for word in park_words():
        for m in re.finditer(re.escape(word), text):
            if not covered & set(range(m.start(), m.end())):
                taken.append((m.start(), word))
                covered |= set(range(m.start(), m.end()))
    for zone in _zones(text, PARK_ENDS):
        if not zone.startswith(park_words()):
            taken.append((text.index(zone), zone))
    return list(dict.fromkeys(name for _, name in sorted(taken)))


def _applies(text: _Text) -> list[Found[str]]:
    """The 适用范围 / 本办法适用于… sentences."""
    return [text.at(i, m[1], m.group()) for i in text.filled() for m in _APPLIES.finditer(text.clean[i])]


def _parks(text: _Text, title: Found[str]) -> Found[list[str]]:
    """Parks named by the title or the 适用范围 sentences; [] when the title names none."""
    sources = [f for f in (title, *_applies(text)) if f.value]
    for source in sources:
        if parks := _parks_in(source.value or ""):
            rest = [p for s in sources for p in _parks_in(s.value or "")]
            return Found(list(dict.fromkeys(parks + rest)), source.quote, source.line)
    return Found([], title.quote, title.line) if title.value else Found()


def _zone(issuer: Found[str], title: Found[str]) -> Found[str]:
    """The zone the title, else the issuer, names ("张江高新区", "临港新片区")."""
    for source in (title, issuer):
        if source.value and (zones := _zones(source.value, ZONE_ENDS)):
            return Found(zones[0], source.quote, source.line)
    return Found()


# --- the proposal -----------------------------------------------------------------------------------------


def propose_meta(lines: list[str], title_hint: str | None = None) -> MetaProposal:
    """Propose a document's metadata from its text, each field with the words it rests on.

    ``lines``: the document's text, one string a line (a cover letter "关于印发《…》的通知" may come
    first; markup, traditional characters and web-page fields are fine). ``title_hint``: a title from
    outside the text (a file name), used only when the text shows none. Returns a ``MetaProposal``
    whose ``Found.line`` are 1-based indices into ``lines``. Never raises on odd text: a field the text
    does not state has value None (``valid_to`` None also means open-ended).
    """
    text = _Text.of(lines)
    title = _title(text, title_hint)
    signer, signed = _signature(text)
    issuer = _issuer(text, signer)
    issued = _issued(text, signed)
    valid_from = _valid_from(text, title, issued)
    return MetaProposal(
        title=title,
        issuer=issuer,
        doc_number=_doc_number(text),
        issued=issued,
        valid_from=valid_from,
        valid_to=_valid_to(text, title, valid_from),
        regions=_regions(issuer, title),
        parks=_parks(text, title),
        zone=_zone(issuer, title),
    )


__all__ = [
    "DEFAULT_FROM_NOTE",
    "Found",
    "MetaProposal",
    "districts_in",
    "normalize_doc_number",
    "parse_date",
    "propose_meta",
]
