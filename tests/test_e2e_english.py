"""Every page each role can open, in Chromium against `streamlit run`: no English word in what a person sees, and
each page's first content within 3 s.

What a person sees: the text of the main area and the sidebar that is rendered (not hidden by CSS, not 1 px
or less high or wide, not transparent, not of font size 0; Material icons, drawn from their names, left out), and
the placeholder of an empty input box that is not made transparent. Streamlit's own words (the uploader's
"Upload", "Choose an option" …) are put in Chinese by webapp/ui/style.py; this test is what says they stay so.

A word is a run of three or more Latin letters. Allowed, and only these: the names of file formats and systems
people know by them and one document's own abbreviation (``ALLOWED``), identifiers (a clause or document id
such as js-yingshang-2022/c2.s3, a login name such as t-管理员-1a2b3c4d: hyphenated with a digit), file names
(名单.csv) and e-mail addresses.

Browser, server start and skip/fail rules are those of test_e2e_browser.py; the server runs on the test's own
registry (conftest's DATABASE_URL), where log_in creates the accounts.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_e2e_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ENTERPRISE,
    ROSTER_CSV,
    _idle,
    _require_browser,
    _set_date,
    _type,
    log_in,
    streamlit_server,
)

from recommender.registry.access import ADMIN, COUNSELLOR, STAFF

FIRST_CONTENT_S = 3.0  # a page's banner must show within this after its link is clicked
ALLOWED = {  # case-insensitive: formats and systems known by these names
    "excel", "word", "csv", "json", "pdf", "sso", "xlsx", "xls", "docx", "html", "htm", "txt", "idf",
    "goi",  # a document's own title: 浦东新区大企业开放创新中心计划（GOI）…
}  # fmt: skip
# Material icons (drawn from their names by a ligature font): Streamlit's own, and :material/…: in markdown
ICONS = '[data-testid="stIconMaterial"], [data-testid="stExpanderIcon"], [translate="no"][aria-hidden="true"], '
ICONS += '[translate="no"][role="img"]'
NAMES = {COUNSELLOR: "界面检查辅导员", STAFF: "界面检查政策人员", ADMIN: "界面检查管理员"}  # who logs in
ROLES = {  # who logs in (None: the public) and the pages they open, by their link in the navigation
    None: ["企业自测"],
    COUNSELLOR: ["辅导员工作台", "企业档案库"],
    STAFF: ["政策覆盖分析", "政策库管理"],
    ADMIN: ["账号管理"],
}
PAGE_TITLES = {  # the banner's title of each page
    "企业自测": "企业政策自测",
    "辅导员工作台": "辅导员工作台",
    "企业档案库": "企业档案库",
    "政策覆盖分析": "政策覆盖分析",
    "政策库管理": "政策库管理",
    "账号管理": "账号管理",
}
IDENTIFIER = re.compile(r"[\w.]*\d[\w.]*(?:-[\w.#/]+)+|[\w.#/]+(?:-[\w.#/]+)*-[\w.#/]*\d[\w.#/]*")
FILE_NAME = re.compile(r"[^\s，。：；（）]+\.(?:csv|xlsx|xls|json|docx|pdf|html?|txt|md)\b", re.IGNORECASE)
EMAIL = re.compile(r"\S+@\S+")
URL = re.compile(r"https?://[^\s)）]+")  # a link in what a user typed (MARKDOWN_NAME)
WORD = re.compile(r"[A-Za-z]{3,}")

# the text a person sees in the main area and the sidebar, and the placeholders of empty boxes
VISIBLE_TEXT_JS = """
(icons) => {
  const shown = (el) => {
    if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true})) return false;
    const style = getComputedStyle(el);
    if (parseFloat(style.fontSize) === 0 || /^rgba\\(.*,\\s*0\\)$|^transparent$/.test(style.color)) return false;
    const box = el.getBoundingClientRect();
    return box.width > 1 && box.height > 1;
  };
  const out = [];
  for (const root of document.querySelectorAll('[data-testid="stMain"], [data-testid="stSidebar"]')) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!node.data.trim() || !el || el.closest(`${icons}, style, script`)) continue;
      if (getComputedStyle(el).fontFamily.includes('Material Symbols')) continue;
      if (shown(el)) out.push(node.data);
    }
    for (const box of root.querySelectorAll('input[placeholder], textarea[placeholder]')) {
      const hint = getComputedStyle(box, '::placeholder');
      const faded = /^rgba\\(.*,\\s*0\\)$|^transparent$/.test(hint.color) || hint.opacity === '0';
      if (box.placeholder && !box.value && shown(box) && !faded) out.push(box.placeholder);
    }
  }
  return out.join('\\n');
}
"""


def english_words(text: str) -> set[str]:
    """The Latin words of ``text`` that are not allowed (ALLOWED, identifiers, file names, e-mail addresses,
    links; a WORD JOINER inside one, which keeps a typed address from becoming a link, is invisible)."""
    # the page draws a typed "https:⁠//…" as three text nodes ("https", ":", "//…"): one address again
    text = re.sub(r"\n?:\n?(?=//)", ":", text.replace("\u2060", ""))
    for pattern in (URL, EMAIL, FILE_NAME, IDENTIFIER):
        text = pattern.sub(" ", text)
    return {w for w in WORD.findall(text) if w.lower() not in ALLOWED}


def test_the_check_finds_english_and_lets_identifiers_through():
    assert english_words("Upload\n50MB per file • CSV, XLSX") == {"Upload", "per", "file"}
    assert english_words("Choose an option") == {"Choose", "option"}  # "an": under three letters
    assert english_words("在措施表“有效”列标为 False") == {"False"}
    assert english_words("js-yingshang-2022/c2.s3.g9.p3#b｜金山区一流营商环境行动方案") == set()
    assert english_words("（pd-goi-2023）登录名 t-管理员-1a2b3c4d，名单 走访企业.xlsx，wang@example.cn") == set()
    assert english_words("下载合成企业名单（CSV）；相似度阈值（TF-IDF 余弦）；Word 咨询单") == set()
    assert english_words("region、stage、confirm") == {"region", "stage", "confirm"}
    assert english_words("上海有限公司[链接](https://example.cn)") == set()


def test_the_css_names_what_this_streamlit_draws():
    """webapp/ui/style.py keys its Chinese on Streamlit's own markup: a Streamlit upgrade that renames a test id,
    a list's special option or a default placeholder fails here, not silently in front of a user."""
    import streamlit

    from webapp.ui.style import PLACEHOLDERS, TOOLBAR_TIPS, locale_css

    bundle = "".join(f.read_text(errors="ignore") for f in (Path(streamlit.__file__).parent / "static").rglob("*.js"))
    css = locale_css(50)
    for test_id in set(re.findall(r"data-testid=([\w-]+)", css)):
        base, _, kind = test_id.partition("-")  # stBaseButton-secondary: `stBaseButton-${kind}`, kind SECONDARY
        assert (f"`{base}-${{" in bundle and f"=`{kind}`" in bundle) if kind else f"`{test_id}`" in bundle, test_id
    for key in set(re.findall(r"data-key=(\w+)", css)):
        assert f"`{key}`" in bundle, key
    for english in [*PLACEHOLDERS, *TOOLBAR_TIPS]:
        assert f"`{english}`" in bundle, english
    for words in ("per file", "Drag and drop a file here", "`Select all`", "`No results`", "Press Enter to "):
        assert words in bundle, words
    assert "单个文件不超过 50 MB" in css and 'content: "选择文件"' in css


def _seen(page, where: str, found: dict[str, set[str]]) -> None:
    words = english_words(page.evaluate(VISIBLE_TEXT_JS, ICONS))
    if words:
        found[where] = words


def _open(page, link: str, timings: dict[str, float]) -> None:
    """Open ``link`` from the navigation (the public page: reload it), timing its banner."""
    start = time.perf_counter()
    if page.get_by_role("link", name=link).count():
        page.get_by_role("link", name=link).click()
    else:
        page.reload()
    page.locator(".pb-banner h1", has_text=PAGE_TITLES[link]).wait_for(timeout=60_000)
    timings[link] = time.perf_counter() - start
    _idle(page)


def _visit(page, link: str, found: dict[str, set[str]]) -> None:
    """The page as it opens, then each of its tabs in turn."""
    _seen(page, link, found)
    names = [t.inner_text().strip() for t in page.get_by_role("tab").all() if t.is_visible()]
    for name in names:
        tab = page.get_by_role("tab", name=name, exact=True)
        if tab.count() != 1 or not tab.is_visible():
            continue  # a tab inside another tab, hidden now
        tab.click()
        _idle(page)
        _seen(page, f"{link} › {name}", found)


MARKDOWN_NAME = "上海**粗体**科技_斜体_有限公司[链接](https://example.cn)"  # a name Markdown would rewrite


def _match_one_enterprise(page, tmp_path) -> str:
    """企业自测 filled in and matched, under a name full of Markdown: the results as an enterprise sees them,
    the name shown as typed (not bold, italic or a link) wherever the page repeats it."""
    _type(page, "textbox", "企业名称 *", MARKDOWN_NAME)
    box = page.get_by_role("combobox", name="注册地 *")
    box.click()
    box.fill(ENTERPRISE["region"])
    page.get_by_role("option", name=ENTERPRISE["region"], exact=True).click()
    page.get_by_role("button", name="开始匹配").click()
    heading = page.get_by_text(re.compile(re.escape(f"匹配结果：{MARKDOWN_NAME[:8]}")))
    heading.wait_for()
    # as typed; "://" holds an invisible WORD JOINER, so that it is no link (markup.md)
    assert heading.inner_text().replace("\u2060", "") == f"匹配结果：{MARKDOWN_NAME}"
    main = page.locator('[data-testid="stMain"]')
    # the name's own words, not a measure's ("精准链接本地中小企业" is a card title, bold as every title is)
    rendered = main.locator("strong, em").filter(has_text=re.compile("粗体|斜体"))
    assert rendered.count() == 0, rendered.all_inner_texts()
    assert main.locator("a[href='https://example.cn']").count() == 0
    return "匹配结果"


def _upload_roster(page, tmp_path) -> str:
    """辅导员工作台 with a roster uploaded: how it was read, the bad row, the matches."""
    roster = tmp_path / "走访企业名单.csv"
    roster.write_bytes(ROSTER_CSV.encode("gbk"))
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(roster)
    page.get_by_text("2　匹配结果").wait_for()
    return "上传名单后"


def _coverage_of_a_roster(page, tmp_path) -> str:
    """政策覆盖分析 with its settings box open and a roster uploaded in place of the synthetic population."""
    page.get_by_role("tab", name="覆盖分析", exact=True).click()
    _idle(page)
    page.get_by_text("企业样本与分析设置").click()
    page.get_by_text("分布设置（相对权重，可直接修改）").click()
    _idle(page)
    words: dict[str, set[str]] = {}
    _seen(page, "settings", words)
    assert not words, f"English words in the coverage page's settings: {words}"
    roster = tmp_path / "覆盖分析名单.csv"
    roster.write_bytes(ROSTER_CSV.encode("utf-8"))
    page.get_by_text("上传企业名单", exact=True).click()
    _idle(page)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(roster)
    page.get_by_text("上传的企业名单").first.wait_for()
    return "上传名单后"


ACTIONS = {  # a page's state after its main use
    "企业自测": _match_one_enterprise,
    "辅导员工作台": _upload_roster,
    "政策覆盖分析": _coverage_of_a_roster,
}


@pytest.fixture
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    _require_browser()
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def test_every_page_of_every_role_shows_no_english_and_its_first_content_within_3_s(browser, tmp_path):
    found: dict[str, set[str]] = {}
    timings: dict[str, float] = {}
    with streamlit_server() as url:
        for role, links in ROLES.items():
            context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.goto(url)
            page.get_by_role("button", name="开始匹配").wait_for(timeout=120_000)  # the engine loads once
            _idle(page)
            if role is not None:
                log_in(page, role, NAMES[role])
                _idle(page)
            for link in links:
                _open(page, link, timings)
                _visit(page, link, found)
                if link in ACTIONS:
                    state = ACTIONS[link](page, tmp_path)
                    _idle(page)
                    _visit(page, f"{link} › {state}", found)
            context.close()
    slow = {link: round(s, 2) for link, s in timings.items() if s > FIRST_CONTENT_S}
    assert not found, f"English words on the pages: {found}"
    assert not slow, f"pages whose first content took over {FIRST_CONTENT_S} s: {slow} (all: {timings})"
    print("first content (s):", {link: round(s, 2) for link, s in timings.items()})


def _refused(page, where: str, found: dict[str, set[str]]) -> None:
    """What the page shows now, and the tooltip of any file refused by the uploader (shown on hover)."""
    _seen(page, where, found)
    for chip in page.locator("[data-testid=stFileChip]").all():
        chip.hover()
        page.wait_for_timeout(300)
        words = english_words("\n".join(page.locator("[role=tooltip]").all_inner_texts()))
        if words:
            found[f"{where} (tooltip)"] = words


def test_values_out_of_range_and_files_of_other_types_are_refused_in_chinese(browser, tmp_path):
    """A count of measures above its range, an as-of date past its range and a PDF given for a roster: Streamlit's
    frontend refused each in English ("Number is above the allowed range…", "Date set outside allowed range…",
    "application/pdf files are not allowed."); the pages take them and say in Chinese what is wrong."""
    found: dict[str, set[str]] = {}
    with streamlit_server() as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(url)
        page.get_by_role("button", name="开始匹配").wait_for(timeout=120_000)
        _idle(page)
        log_in(page, COUNSELLOR, NAMES[COUNSELLOR])
        _idle(page)
        _open(page, "辅导员工作台", {})
        _type(page, "spinbutton", "每家企业列出措施数", "100")
        page.get_by_text("每家企业列出措施数应在 3 至 30 之间（填的是 100）").wait_for()
        _refused(page, "措施数 100", found)
        _set_date(page, "政策有效性判断日期", "21500101")
        page.get_by_text("判断日期应在 2000-01-01 至 2099-12-31 之间（填的是 2150-01-01），未应用").wait_for()
        _refused(page, "判断日期 2150-01-01", found)
        pdf = tmp_path / "走访说明.pdf"
        pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
        page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(pdf)
        page.get_by_text("不支持的文件类型“.pdf”").wait_for()
        _refused(page, "名单为 PDF", found)
        context.close()
    assert not found, f"English words where a value was refused: {found}"
