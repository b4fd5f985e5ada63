"""Text for people: safe for st.markdown, matched words highlighted (HTML)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

# Markdown's and HTML's own characters, and "@" (e-mail autolinks)
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~$@])")
# what starts a link without brackets (GFM autolinks http://…, www.…) or a Streamlit directive (:red[…],
# :material/…:, emoji shortcodes): the "/" after a colon, the "." after www, a colon before a letter
_LINK_START = re.compile(r"(?<=:)/|(?<=www)\.|:(?=[a-z])", re.IGNORECASE)
MARK_STYLE = "background:#ffe58f;padding:0 2px;border-radius:3px;"


def md(text: str) -> str:
    """User or document text shown as the plain text it is inside st.markdown and every other Streamlit call
    that renders Markdown (captions, headings, alerts, widget and expander labels): every
    character that would start a link, an image, formatting, HTML or a directive is escaped; it reads as typed."""
    return _LINK_START.sub(lambda m: "\\" + m.group(), _MD_SPECIAL.sub(r"\\\1", str(text)))


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
