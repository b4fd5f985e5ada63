"""Link task-table rows to the articles they refine; fold in the rows that only repeat them."""

from __future__ import annotations

import re

from .segment import BodyClause
from .tables import TableRow

MERGE_AT = 0.7  # share of a row's character pairs found in its article: above this it adds nothing new
LINK_AT = 0.2  # below this the row is unrelated to any article

_NOT_WORDS = re.compile(r"[^\w]")


def bigrams(text: str) -> set[str]:
    """The set of character bigrams of ``text``, punctuation and spaces left out."""
    chars = _NOT_WORDS.sub("", text)
    return {chars[i : i + 2] for i in range(len(chars) - 1)}


def containment(part: str, whole: str) -> float:
    """The share (0–1) of ``part``'s bigrams found in ``whole``; 0.0 when ``part`` has none."""
    grams = bigrams(part)
    return len(grams & bigrams(whole)) / len(grams) if grams else 0.0


def best_article(row: TableRow, articles: list[BodyClause]) -> tuple[BodyClause | None, float]:
    """The article a row refines: by its task number where the table has one, else by wording."""
    if row.task_no is not None:
        numbered = [a for a in articles if a.article_no == row.task_no]
        if numbered:
            return numbered[0], containment(row.text, numbered[0].text)
    best, best_score = None, 0.0
    for article in articles:
        whole = f"{article.title or ''}。{article.text}"
        score = containment(row.text, whole)
        if row.task and article.title:
            score += 0.3 * containment(row.task, article.title)
        if score > best_score:
            best, best_score = article, score
    if best is None:
        return None, 0.0
    return best, containment(row.text, f"{best.title or ''}。{best.text}")
