"""Text for people: safe for st.markdown, matched words highlighted (HTML)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~$])")
MARK_STYLE = "background:#ffe58f;padding:0 2px;border-radius:3px;"


def md(text: str) -> str:
    """Literal text inside st.markdown: markdown and HTML characters are escaped."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def highlight(text: str, terms: Iterable[str]) -> str:
    """HTML of ``text`` with every occurrence of ``terms`` (longest first) in <mark>."""
    words = sorted({t for t in terms if t and t.strip()}, key=len, reverse=True)
    if not words:
        return html.escape(text).replace("\n", "<br>")
    pattern = re.compile("|".join(re.escape(w) for w in words))
    parts, last = [], 0
    for m in pattern.finditer(text):
        parts.append(html.escape(text[last : m.start()]))
        parts.append(f'<mark style="{MARK_STYLE}">{html.escape(m.group())}</mark>')
        last = m.end()
    parts.append(html.escape(text[last:]))
    return "".join(parts).replace("\n", "<br>")
