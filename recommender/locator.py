"""Where a clause stands in its document, in the words people cite it with: 第3条, 任务表（56）, 二、（三）第2段.

Clause ids (``zj-action-2023/c8.p1``) and added documents' default ids (``doc-3bb29511``) are for files and
exports; pages show these instead, with the id beside them only where staff need it (small grey text, the
last column of a table they download).
"""

from __future__ import annotations

import re

from .corpus_models import Clause, DocumentMeta

_NUMBERED = re.compile(r"^(?:第[一二三四五六七八九十百]+[章部分]|[一二三四五六七八九十]+、)")
_SECTION = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
_PATH_STEP = re.compile(r"(?:^|\.)(?P<kind>[gp])(?P<number>\d+)")
SHOWN_CHAPTER = 12  # characters of an unnumbered chapter's name ("营造一流的创新创业环境")


def article_label(number: int) -> str:
    """The article as people cite it, as the consultation sheet does: 第3条."""
    return f"第{number}条"


def _path(clause: Clause) -> tuple[str, str]:
    """The structural path of the clause within its document (``c2.s3.g7.p1``) and its part key (``b``)."""
    local = clause.id.partition("/")[2] or clause.id
    path, _, part = local.partition("#")
    return path, part


def _chapter(chapter: str | None) -> str:
    """A chapter by its number ("二、重点任务" → "二、"), else by its name in 「」 (cut to ``SHOWN_CHAPTER``)."""
    if not chapter:
        return ""
    if m := _NUMBERED.match(chapter):
        return m.group()
    return f"「{chapter[:SHOWN_CHAPTER]}{'…' if len(chapter) > SHOWN_CHAPTER else ''}」"


def place(clause: Clause) -> str:
    """Where the clause stands: 第3条 (an article or numbered item), 任务表（56） (a task-table row), else its
    chapter and section numbers and paragraph (二、（三）第2段, 「营造一流的创新创业环境」第1段), with the
    sub-measure a curator split off (分项b)."""
    path, part = _path(clause)
    if clause.article_no is not None and clause.label is None:
        where = article_label(clause.article_no)
    elif clause.label:
        where = f"任务表{clause.label}"
    else:
        section = m.group() if clause.section and (m := _SECTION.match(clause.section)) else ""
        steps = {m.group("kind"): int(m.group("number")) for m in _PATH_STEP.finditer(path)}
        group = f"第{steps['g']}项" if "g" in steps else ""
        paragraph = f"第{steps['p']}段" if "p" in steps else ""
        where = f"{_chapter(clause.chapter)}{section}{group}{paragraph}" or path
    return f"{where}（分项{part}）" if part else where


def cited(clause: Clause) -> str:
    """The clause's place and heading: "第2条　适用范围", "二、（三）第1段　创新助企招聘服务模式"."""
    return f"{place(clause)}　{clause.heading}"


def locator(clause: Clause, document: DocumentMeta) -> str:
    """The clause as staff cite it: document short title, place and heading ("闵行区促进科技型中小企业…｜第2条
    适用范围")."""
    return f"{document.short_title}｜{cited(clause)}"
