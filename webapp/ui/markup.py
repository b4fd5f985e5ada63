"""Text for people: safe for st.markdown, matched words highlighted (HTML)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

# Markdown's and HTML's own characters, and "@" (e-mail autolinks)
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~$@])")
# what starts a Streamlit directive (:red[…], :material/…:, emoji shortcodes): a colon before a letter
_DIRECTIVE = re.compile(r":(?=[a-z])", re.IGNORECASE)
# where GFM would make a link of plain text (http://…, www.…, a@b.cn): Streamlit's renderer finds these in the
# text after escapes are undone, so a backslash does not stop them; an invisible WORD JOINER between the parts does
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)
WORD_JOINER = "\u2060"
MARK_STYLE = "background:#ffe58f;padding:0 2px;border-radius:3px;"


def md(text: str) -> str:
    """User or document text shown as the plain text it is inside st.markdown and every other Streamlit call
    that renders Markdown (captions, headings, alerts, widget and expander labels): every
    character that would start a link, an image, formatting, HTML or a directive is escaped, and a link GFM
    would find in plain text is broken by a WORD_JOINER; it reads as typed."""
    joined = _AUTOLINK.sub(WORD_JOINER, str(text))  # reads the same, copies with an invisible character
    return _DIRECTIVE.sub(r"\\:", _MD_SPECIAL.sub(r"\\\1", joined))


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
