"""Body text → hierarchy: chapter → section → (group) → article or paragraph."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .clean import clean_line, is_boilerplate

CN_NUM = "一二三四五六七八九十"
CHAPTER = re.compile(rf"^([{CN_NUM}]+)、(.+)$")
SECTION = re.compile(rf"^（([{CN_NUM}]+)）(.+)$")
NUMBERED = re.compile(r"^(\d{1,2})[、.．](?!\d)(.+)$")
ZH_CHAPTER = re.compile(rf"^第([{CN_NUM}]+)章\s*(.*)$")  # 规章 layout: 第一章 总则
ARTICLE = re.compile(rf"^第([{CN_NUM}]+)条\s*(.+)$")  # 第一条 为了……
ARTICLE_LABEL = re.compile(rf"第[{CN_NUM}]+条")
DEPARTMENTS_NOTE = re.compile(r"^（牵头部门")
TERMINAL = tuple("。；！？”）——…")
JOINERS = tuple("，、；：")


@dataclass
class Paragraph:
    """A paragraph of the source: its text and its first and last line (1-based)."""

    text: str
    first: int
    last: int


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


def paragraphs(numbered_lines: list[tuple[int, str]], skip: set[str]) -> list[Paragraph]:
    """Clean lines and join those a page break or a line wrap split."""
    out: list[Paragraph] = []
    for lineno, raw in numbered_lines:
        if raw.strip() in skip:
            continue
        text = clean_line(raw)
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
        out.append(Paragraph(text, lineno, lineno))
    return [p for p in out if not is_boilerplate(p.text)]


def lead_title(text: str, limit: int = 24) -> tuple[str | None, str]:
    """Split "强化市级统筹。在……" into a short lead title and the rest."""
    head, sep, rest = text.partition("。")
    if sep and rest and len(head) <= limit and "，" not in head:
        return head, rest
    return None, text


def segment(paras: list[Paragraph]) -> list[BodyClause]:
    """Give every paragraph its place in the hierarchy and a stable structural path."""
    chapter = section = group = None
    ch_no = sec_no = grp_no = 0
    para_no = 0
    out: list[BodyClause] = []

    def path(leaf: str) -> str:
        parts = [f"c{ch_no}"]
        if sec_no:
            parts.append(f"s{sec_no}")
        if grp_no:
            parts.append(f"g{grp_no}")
        return ".".join([*parts, leaf])

    for p in paras:
        text = p.text
        if ((m := CHAPTER.match(text)) or (m := ZH_CHAPTER.match(text))) and _is_heading(text):
            chapter, ch_no = text, cn_number(m.group(1))
            section = group = None
            sec_no = grp_no = para_no = 0
            continue
        if (m := SECTION.match(text)) and _is_heading(text):
            section, sec_no = text, cn_number(m.group(1))
            group, grp_no, para_no = None, 0, 0
            continue
        # 第三条 …, or "三、标题。正文" (a numbered item with its text, not a heading): an article
        article = ARTICLE.match(text) or CHAPTER.match(text)
        m = NUMBERED.match(text)
        if m and not article and _is_heading(text):
            group, grp_no, para_no = m.group(2), int(m.group(1)), 0
            continue
        if not m and not article and _is_heading(text):  # an unnumbered heading line (news layout)
            chapter, ch_no = text, ch_no + 1
            section = group = None
            sec_no = grp_no = para_no = 0
            continue
        if article or m:
            number = cn_number(article.group(1)) if article else int(m.group(1))
            title, body = lead_title((article or m).group(2), limit=40)
            leaf = f"a{number}"
        else:
            number = None
            title, body = lead_title(text)
            para_no += 1
            leaf = f"p{para_no}"
        out.append(
            BodyClause(
                path=path(leaf),
                text=body,
                lines=(p.first, p.last),
                chapter=chapter,
                section=section,
                group=group,
                article_no=number,
                title=title,
            )
        )
    return _rejoin_page_breaks(out)


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
