"""Body text → hierarchy: chapter → section → (group) → article or paragraph."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .clean import clean_line, is_boilerplate, strip_markup

CN_NUM = "一二三四五六七八九十"
CHAPTER = re.compile(rf"^([{CN_NUM}]+)、(.+)$")
SECTION = re.compile(rf"^（([{CN_NUM}]+)）(.+)$")
NUMBERED = re.compile(r"^(\d{1,2})[、.．](?!\d)(.+)$")
ZH_CHAPTER = re.compile(rf"^第([{CN_NUM}]+)章\s*(.*)$")  # 规章 layout: 第一章 总则
ARTICLE = re.compile(rf"^第([{CN_NUM}]+)条\s*(.+)$")  # 第一条 为了……
ARTICLE_LABEL = re.compile(rf"第[{CN_NUM}]+条")
# "第二条 适用范围 本办法适用于…": an article title set off by spaces, which cleaning removes (read from the raw line)
_GAP = r"[ \t\u3000]+"
SPACED_TITLE = re.compile(
    rf"^\s*(?P<label>第[{CN_NUM}]+条){_GAP}(?P<title>[^\s，。；：、！？,.;:!?]{{2,16}}){_GAP}(?P<body>\S.*)$"
)
# a sentence's first words, never a title: "第五条 对首次认定的 企业…" (a stray space, as PDFs have) is not split
SENTENCE_OPENER = re.compile(r"^(?:对|为|凡|根据|按照|由|本|各|如)")
# "第二条【适用范围】本办法…", "第二条（适用范围）本办法…": an article title in brackets
BRACKETED_TITLE = re.compile(r"^[【〔\[（(](?P<title>[^【】〔〕\[\]（）()，。；：]{2,20})[】〕\]）)](?P<body>.*)$")
TITLE_ONLY = 20  # characters: "第二条 适用范围" with its text on the next lines
# "第二条 适用范围本办法适用于…": a rules-style title run into its text with nothing between them. Only titles
# such documents use, and only before the words their text opens with, so that a sentence is never cut
# ("支持对象为…", "解释本办法…", "施行本办法…" stay whole).
GLUED_TITLE = re.compile(
    r"^(?P<title>目的和依据|制定目的|适用范围|适用对象|定义|释义|名词解释|用语含义|基本原则|工作原则|职责分工|部门职责"
    r"|资金来源|资金管理|支持对象|扶持对象|奖励对象|申请条件|申报条件|支持方式|支持内容|支持标准|扶持标准|奖励标准"
    r"|补贴标准|资助标准|申报程序|申报流程|申报材料|申请材料|监督管理|监督检查|绩效评价|法律责任|解释权|施行日期"
    r"|实施日期|施行时间|实施时间|有效期限|生效日期)"
    r"(?P<body>(?:本(?:办法|细则|措施|规定|方案|条|区|市)|为(?:了|进一步|加快|落实|推动|促进|规范|加强)|根据|按照"
    r"|凡|对|在本区|企业|申请人|申报单位|符合|同一).+)$"
)
# "第四条 高新技术企业认定奖励对首次认定的高新技术企业，给予…": a support article's title (ending in what it
# gives) run into its "对…给予…" sentence
GLUED_SUPPORT_TITLE = re.compile(
    r"^(?P<title>[^，。；：、“”（）《》]{2,14}?(?:奖励|补贴|资助|补助|贴息|奖补|支持|扶持|激励))"
    r"(?P<body>对(?!象|于)[^。；]*?给予.+)$"
)
_SENTENCE_MARKS = re.compile(r"[。，；：、！？]")
DEPARTMENTS_NOTE = re.compile(r"^[（(](?:牵头部门|牵头单位|责任单位|责任部门)")
TERMINAL = tuple("。；！？”）——…")
JOINERS = tuple("，、；：")


@dataclass
class Paragraph:
    """A paragraph of the source: its text and its first and last line (1-based)."""

    text: str
    first: int
    last: int
    title: str | None = None  # an article title set off by spaces in the source ("第二条 适用范围 本办法…")


@dataclass
class BodyClause:
    """A clause of a document's body: its structural path (``c2.s4.a19``), text, lines and place in the
    hierarchy.
    """

    path: str
    text: str
    lines: tuple[int, int]
    chapter: str | None = None
    section: str | None = None
    group: str | None = None
    article_no: int | None = None
    title: str | None = None
    extra: dict = field(default_factory=dict)


def cn_number(text: str) -> int:
    """一 → 1, 十二 → 12 (enough for headings)."""
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + CN_NUM.index(text[1]) + 1
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (CN_NUM.index(tens) + 1) * 10 + (CN_NUM.index(ones) + 1 if ones else 0)
    return CN_NUM.index(text) + 1


def starts_part(text: str) -> bool:
    """Whether a line begins a chapter, section or article in any of the numbering styles read here."""
    return any(p.match(text) for p in (CHAPTER, SECTION, NUMBERED, ZH_CHAPTER, ARTICLE))


def _is_heading(text: str) -> bool:
    if "。" in text:
        return False
    if CHAPTER.match(text) or SECTION.match(text) or NUMBERED.match(text):
        return True
    return len(text) <= 30 and not any(c in text for c in "，：；")


def _cleaned(raw: str) -> tuple[str, str | None]:
    """A source line cleaned, and the article title its spaces set apart ("第二条 适用范围 本办法…" →
    "第二条本办法…", "适用范围"); cleaning drops the spaces between Chinese words, so they are read first."""
    m = SPACED_TITLE.match(strip_markup(raw))
    if m is None or SENTENCE_OPENER.match(m.group("title")):
        return clean_line(raw), None
    return clean_line(m.group("label") + m.group("body")), clean_line(m.group("title")) or None


def paragraphs(numbered_lines: list[tuple[int, str]], skip: set[str]) -> list[Paragraph]:
    """Clean lines and join those a page break or a line wrap split."""
    out: list[Paragraph] = []
    for lineno, raw in numbered_lines:
        if raw.strip() in skip:
            continue
        text, title = _cleaned(raw)
        if not text:
            continue
        if out:
            prev = out[-1]
            wrapped = prev.text.endswith(JOINERS) or ("。" in prev.text and not prev.text.endswith(TERMINAL))
            starts_new = bool(starts_part(text))
            label_alone = bool(ARTICLE_LABEL.fullmatch(prev.text))  # "第三条" on a line of its own
            if DEPARTMENTS_NOTE.match(text) or label_alone or (wrapped and not starts_new):
                if label_alone:
                    prev.text += " "
                prev.text += text
                prev.last = lineno
                continue
        out.append(Paragraph(text, lineno, lineno, title))
    return [p for p in out if not is_boilerplate(p.text)]


def lead_title(text: str, limit: int = 24) -> tuple[str | None, str]:
    """Split "强化市级统筹。在……" into a short lead title and the rest."""
    head, sep, rest = text.partition("。")
    if sep and rest and len(head) <= limit and "，" not in head:
        return head, rest
    return None, text


def article_parts(rest: str, title: str | None = None) -> tuple[str | None, str]:
    """The title and text of an article from what follows its "第X条": a ``title`` read off the raw line, a
    bracketed one ("【适用范围】本办法…"), a title alone ("适用范围": its text follows, so the text is
    empty), a rules-style title run into its text ("适用范围本办法…", "认定奖励对…给予…"), or a lead title
    ("适用范围。本办法…"); the title is never glued to the text."""
    if title:
        return title, rest
    if (m := BRACKETED_TITLE.match(rest)) and not re.fullmatch(rf"[{CN_NUM}\d]+", m.group("title")):
        return m.group("title"), m.group("body")
    if len(rest) <= TITLE_ONLY and not _SENTENCE_MARKS.search(rest):
        return rest, ""
    if m := GLUED_TITLE.match(rest) or GLUED_SUPPORT_TITLE.match(rest):
        return m.group("title"), m.group("body")
    return lead_title(rest, limit=40)


@dataclass
class _Place:
    """Where the segmenter is in the hierarchy: chapter → section → group, and the paragraph count."""

    chapter: str | None = None
    section: str | None = None
    group: str | None = None
    ch_no: int = 0
    sec_no: int = 0
    grp_no: int = 0
    para_no: int = 0

    def path(self, leaf: str) -> str:
        parts = (
            [f"c{self.ch_no}"]
            + ([f"s{self.sec_no}"] if self.sec_no else [])
            + ([f"g{self.grp_no}"] if self.grp_no else [])
        )
        return ".".join([*parts, leaf])

    def enter_chapter(self, text: str, number: int) -> None:
        self.chapter, self.ch_no = text, number
        self.section = self.group = None
        self.sec_no = self.grp_no = self.para_no = 0

    def enter_section(self, text: str, number: int) -> None:
        self.section, self.sec_no = text, number
        self.group, self.grp_no, self.para_no = None, 0, 0


def _clause(place: _Place, p: Paragraph, leaf: str, body: str, title: str | None, number: int | None) -> BodyClause:
    return BodyClause(
        path=place.path(leaf),
        text=body,
        lines=(p.first, p.last),
        chapter=place.chapter,
        section=place.section,
        group=place.group,
        article_no=number,
        title=title,
    )


def segment(paras: list[Paragraph]) -> list[BodyClause]:
    """Give every paragraph its place in the hierarchy and a stable structural path.

    Numbering read: 一、 (chapter), （一） (section), 1. (group or article), 第一章 and 第一条; an item
    "三、标题。正文" with its text is an article, "（三）标题。正文" a section holding its own text, and
    in a 第X条 document the （一）/1. items inside an article stay part of it.
    """
    place = _Place()
    out: list[BodyClause] = []
    in_article = False  # the last clause is a 第X条 article: its paragraphs and enumerated items belong to it
    for p in paras:
        text, heading = p.text, _is_heading(p.text)
        article = ARTICLE.match(text)
        if in_article and not article and _continues(out[-1], text, heading):
            out[-1].text += text
            out[-1].lines = (out[-1].lines[0], p.last)
            continue
        in_article = False
        if ((m := CHAPTER.match(text)) or (m := ZH_CHAPTER.match(text))) and heading:
            place.enter_chapter(text, cn_number(m.group(1)))
            continue
        if m := SECTION.match(text):
            if heading:
                place.enter_section(text, cn_number(m.group(1)))
                continue
            title, body = lead_title(m.group(2), limit=40)
            place.enter_section(
                f"（{m.group(1)}）{title}" if title else text[: text.index("）") + 1], cn_number(m.group(1))
            )
            out.append(_clause(place, p, "p1", body, title, None))
            place.para_no = 1
            continue
        numbered = NUMBERED.match(text)
        if not article and heading and numbered:
            place.group, place.grp_no, place.para_no = numbered.group(2), int(numbered.group(1)), 0
            continue
        if not article and heading:  # an unnumbered heading line (news layout)
            place.enter_chapter(text, place.ch_no + 1)
            continue
        item = article or CHAPTER.match(text) or numbered  # 第三条 …, "三、标题。正文", "3. …"
        if item:
            number = cn_number(item.group(1)) if item is not numbered else int(item.group(1))
            title, body = article_parts(item.group(2), p.title) if article else lead_title(item.group(2), limit=40)
            out.append(_clause(place, p, f"a{number}", body, title, number))
            in_article = article is not None
            continue
        title, body = lead_title(text)
        place.para_no += 1
        out.append(_clause(place, p, f"p{place.para_no}", body, title, None))
    return _rejoin_page_breaks(_titles_alone_are_text(out))


def _titles_alone_are_text(clauses: list[BodyClause]) -> list[BodyClause]:
    """An article read as a title with no text after it ("第九条 本办法自发布之日起施行" followed by 第十条):
    those words were its text."""
    for clause in clauses:
        if not clause.text:
            clause.title, clause.text = None, clause.title or ""
    return clauses


def _continues(article: BodyClause, text: str, heading: bool) -> bool:
    """Whether a paragraph after a 第X条 article is part of it: its enumerated items ("（一）", "1."), its
    text after a title line ("第二条 适用范围" / "本办法适用于…"), or a further paragraph of its text."""
    if SECTION.match(text) or NUMBERED.match(text):
        return True
    return not starts_part(text) and (not article.text or not heading)


def _rejoin_page_breaks(clauses: list[BodyClause]) -> list[BodyClause]:
    """An unnumbered paragraph between articles n and n+1 is article n cut by a page break."""
    out: list[BodyClause] = []
    for i, clause in enumerate(clauses):
        prev = out[-1] if out else None
        nxt = clauses[i + 1] if i + 1 < len(clauses) else None
        if (
            clause.article_no is None
            and prev is not None
            and prev.article_no is not None
            and nxt is not None
            and nxt.article_no == prev.article_no + 1
        ):
            prev.text += (clause.title + "。" if clause.title else "") + clause.text
            prev.lines = (prev.lines[0], clause.lines[1])
            continue
        out.append(clause)
    return out
