"""The look shared by every page: a service banner, a few CSS touches, and Chinese for Streamlit's own words.

Streamlit (1.67) has no setting for the language of its widgets' own words (streamlit/streamlit#1353 and
#13500 are open): the file uploader's "Upload" button and "50MB per file • CSV" hint, the multiselect's
"Select all", "Select 3 matches" and "No results", a selectbox's "Choose an option", a text box's "Press Enter
to apply", an empty date's "yyyy/mm/dd". ``locale_css`` hides each of those words and shows Chinese in its place
(``::after``), keyed on the widgets' ``data-testid`` and, for placeholders, on Streamlit's exact English default
(a placeholder a page sets itself is never touched). Hidden text is made invisible (``visibility: hidden``, or
``font-size: 0`` where the element must stay clickable), so a browser's innerText no longer holds it.
tests/test_e2e_english.py checks every page for English in a browser, and that the markup the CSS keys on is
still in Streamlit's frontend. The tooltips of a table's toolbar ("Download as CSV", "Search" …) are matched
to the button hovered (``body:has(button:hover)``). Out of reach of CSS, left in English: a table's column
menu (sort, format, pin) and its search box, and the labels only a screen reader reads (aria-label: "Help
for …", "Choose date", "Remove …").

The frontend's refusals of a value ("Number is above the allowed range…", "Date set outside allowed range…",
"… files are not allowed.") are not replaced here but never made: the widgets have no bounds and no types, and
Python says what is wrong (``checked``). Still in English, as a file chip's tooltip: a file over the size limit
and a second file dropped on a one-file uploader.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import streamlit as st

from recommender.limits import LIMITS

from .profile_form import UPLOAD as PROFILE_UPLOAD

_CSS = """
.pb-banner {background: linear-gradient(100deg, #0b3d91 0%, #1f5fbf 65%, #2f7be0 100%);
  color: #fff; padding: 18px 26px 16px; border-radius: 10px; margin-bottom: 6px;}
.pb-banner .pb-org {font-size: 0.82rem; letter-spacing: 0.12em; opacity: 0.85;}
.pb-banner h1 {color: #fff; font-size: 1.65rem; margin: 2px 0 4px; padding: 0;}
.pb-banner p {margin: 0; opacity: 0.92; font-size: 0.95rem;}
"""

# Streamlit's default placeholders (frontend utils: the select widgets' placeholder when none is given)
PLACEHOLDERS = {
    "Choose an option": "请选择",
    "Choose options": "请选择（可多选）",
    "Choose or add an option": "请选择或输入",
    "Choose or add options": "请选择或输入（可多选）",
    "Add an option": "请输入",
    "Add options": "请输入（可多选）",
    "No options to select": "没有可选的项",
}
# the tooltips of a table's or chart's toolbar: the tooltip (drawn apart from its button) of the one hovered
TOOLBAR_TIPS = {
    "Show/hide columns": "显示/隐藏列",
    "Download as CSV": "下载为 CSV",
    "Search": "搜索",
    "Fullscreen": "全屏",
    "Close fullscreen": "退出全屏",
    "Add row": "添加一行",
    "Delete row(s)": "删除所选行",
    "Clear selection": "清除选择",
    "Show data": "显示数据",
    "Show chart": "显示图表",
    "Download as PNG": "下载为 PNG",
}
OWN_LIMITS = {PROFILE_UPLOAD: LIMITS.profile_bytes}  # uploaders whose readers take less than server.maxUploadSize
HIDE = "font-size: 0 !important; visibility: hidden;"
SHOW = "visibility: visible; font-size: {size};"


def _replace(selector: str, text: str, size: str = "14px") -> str:
    """CSS hiding the text of ``selector`` and showing ``text`` in its place, at ``size``."""
    return f'{selector} {{{HIDE}}}\n{selector}::after {{content: "{text}"; {SHOW.format(size=size)}}}\n'


def _placeholder(english: str, chinese: str) -> str:
    """CSS showing ``chinese`` over an empty select box whose placeholder is Streamlit's ``english`` default."""
    empty = f'input[placeholder="{english}"]:placeholder-shown'
    return (
        f'input[placeholder="{english}"]::placeholder {{color: transparent !important; opacity: 0 !important;}}\n'
        f":is([data-testid=stSelectbox], [data-testid=stMultiSelect]) :has(> {empty}) {{position: relative;}}\n"
        f":is([data-testid=stSelectbox], [data-testid=stMultiSelect]) :has(> {empty})::before {{"
        f'content: "{chinese}"; position: absolute; left: 8px; top: 50%; transform: translateY(-50%); '
        f"font-size: 14px; color: rgba(31, 41, 55, 0.6); pointer-events: none; white-space: nowrap;}}\n"
    )


def _toolbar_tip(english: str, chinese: str) -> str:
    """CSS showing ``chinese`` in the tooltip while the toolbar button labelled ``english`` is hovered or focused
    (``:has``: the tooltip is not inside its button)."""
    button = f'[data-testid=stBaseButton-elementToolbar][aria-label="{english}"]'
    tip = "[role=tooltip] [data-testid=stTooltipContent] p"
    return _replace(f"body:has({button}:is(:hover, :focus-visible)) {tip}", chinese)


def size_text(size_bytes: int) -> str:
    """A file size limit as its hint says it: 50 MB, 1 MB, 512 KB (whole megabytes, else kilobytes)."""
    kb = size_bytes / 1024
    return f"{kb / 1024:g} MB" if kb >= 1024 and kb % 1024 == 0 else f"{kb:g} KB"


def locale_css(max_upload_mb: int, own_limits: Mapping[str, int] | None = None) -> str:
    """The CSS that puts Chinese in place of Streamlit's own English words (``max_upload_mb``: the uploaders'
    limit, server.maxUploadSize, which their hint states; ``own_limits``: uploader key → bytes, for an uploader
    whose reader takes less, whose hint states that instead)."""
    dropzone = "[data-testid=stFileUploaderDropzone]"
    hint = "[data-testid=stFileUploaderDropzoneInstructions] span"
    refused = "[data-testid=stFileChip][aria-invalid=true] [role=alert]"  # "Error: File must be 50.0MB or smaller."
    instructions = "[data-testid=InputInstructions] > span:first-child"
    date_segment = "[data-testid=stDateInput] [role=spinbutton][data-placeholder=true]"
    parts = [
        # the uploader: its button, the size and type hint (the label names the types), the text while dragging
        _replace(f"{dropzone} [data-testid=stBaseButton-secondary] [data-testid=stMarkdownContainer] p", "选择文件"),
        _replace(hint, f"单个文件不超过 {max_upload_mb} MB"),
        *(_replace(f".st-key-{key} {hint}", f"单个文件不超过 {size_text(n)}") for key, n in (own_limits or {}).items()),
        # a file the browser refused to send: too large (no uploader names types), or an upload that failed; said
        # under the file's name and in the tooltip over it (a page holds one refused upload's tooltip at a time)
        _replace(refused, f"未能上传：单个文件不超过 {max_upload_mb} MB", "12px"),
        _replace("[data-testid=stTooltipErrorContent]", f"未能上传：单个文件不超过 {max_upload_mb} MB", "12px"),
        *(
            _replace(f".st-key-{key} {refused}", f"未能上传：单个文件不超过 {size_text(n)}", "12px")
            + _replace(
                f"body:has(.st-key-{key} [data-testid=stFileChip][aria-invalid=true]:hover) "
                "[data-testid=stTooltipErrorContent]",
                f"未能上传：单个文件不超过 {size_text(n)}",
                "12px",
            )
            for key, n in (own_limits or {}).items()
        ),
        _replace(f"{dropzone} > div:not([data-testid]) > span", "将文件拖放到这里"),
        # the select widgets' lists
        _replace("[data-key=__select_all__] [data-item-hl]", "全选"),
        _replace("[data-key=__select_matches__] [data-item-hl]", "选择全部匹配项"),  # "Select 3 matches"
        _replace("[data-key=__creatable__] [data-item-hl]", "添加输入的内容"),  # "Add: …" (the box shows it)
        _replace("[role=listbox][data-empty=true] [role=option] > span", "没有匹配的选项"),
        *(_placeholder(english, chinese) for english, chinese in PLACEHOLDERS.items()),
        # a text box's hint while typing (the count of characters, when there is one, stays)
        _replace(f":is([data-testid=stTextInput], [data-testid=stNumberInput]) {instructions}", "按回车键确认", "12px"),
        _replace(f"[data-testid=stTextArea] {instructions}", "按 Ctrl+Enter（Mac 上 ⌘+Enter）确认", "12px"),
        _replace(
            f"[data-testid=stForm] :is([data-testid=stTextInput], [data-testid=stNumberInput]) {instructions}",
            "按回车键提交",
            "12px",
        ),
        _replace(
            f"[data-testid=stForm] [data-testid=stTextArea] {instructions}",
            "按 Ctrl+Enter（Mac 上 ⌘+Enter）提交",
            "12px",
        ),
        *(_toolbar_tip(english, chinese) for english, chinese in TOOLBAR_TIPS.items()),
        # an empty date: 年-月-日 instead of yyyy-mm-dd (the segments stay clickable: no visibility: hidden)
        f"{date_segment} {{font-size: 0 !important;}}\n",
        *(
            f'{date_segment}[data-type={part}]::after {{content: "{word}"; font-size: 14px;}}\n'
            for part, word in (("year", "年"), ("month", "月"), ("day", "日"))
        ),
    ]
    return "".join(parts)


def page_header(title: str, subtitle: str) -> None:
    """The banner at the top of a page (styles included: the banner's, and Chinese for Streamlit's own words)."""
    css = _CSS + locale_css(int(st.get_option("server.maxUploadSize")), OWN_LIMITS)
    st.html(
        f"<style>{css}</style>"
        f'<div class="pb-banner"><div class="pb-org">政策北斗 · 上海企业政策匹配服务</div>'
        f"<h1>{html.escape(title)}</h1><p>{html.escape(subtitle)}</p></div>"
    )
