"""End to end in a real browser: start `streamlit run app.py`, fill the self-check form as an
enterprise would, see the results, download the Word sheet and read it back.

Playwright drives the system Chromium. Where CI is set a missing browser fails the test; on a
developer's machine without /usr/bin/chromium it is skipped.

Run this file as a script to refresh the screenshots in docs/ (not part of the test run):
    python tests/test_e2e_browser.py             # self_check.png, counsellor.png
    python tests/test_e2e_browser.py coverage    # coverage.png
"""

from __future__ import annotations

import contextlib
import io
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from unavailable import unavailable

from recommender.clock import today as shanghai_today

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ENTERPRISE = {
    "name": "上海张江某芯微电子有限公司",
    "region": "浦东新区",
    "park": "张江科学城",
    "industry": "集成电路",
    "employees": "85",
    "qualifications": ["高新技术企业"],
    "needs": ["资金补贴", "融资贷款"],
    "description": "芯片设计企业，今年首次认定高新技术企业，资金周转有些紧张，想了解区里的资助和贷款",
}
ROSTER_CSV = "\n".join(
    [
        "企业名称,注册地,所在园区,所属行业,职工总数,科技/研发人员,营业收入（万元）,研发费用（万元）,已有资质,诉求,企业描述",
        "上海张江某芯微电子有限公司,浦东新区,张江科学城,集成电路,85,40,6200,1300,高新技术企业,资金补贴、融资贷款,芯片设计企业",
        "上海某生物医药科技有限公司,浦东新区,张江科学城,生物医药,40,25,1800,600,科技型中小企业,人才引进、场地空间,创新药研发",
        "金山某新材料有限公司,金山区,碳谷绿湾,新材料,120,18,9000,380,,场地空间、融资贷款,碳纤维复合材料，需要扩大厂房",
        "北京某软件公司,北京市,,软件,很多,,,,,资金补贴,",
        "徐汇某人工智能有限公司,徐汇区,漕河泾开发区,人工智能,30,22,900,300,,技术合作,大模型应用",
    ]
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, log, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            raise RuntimeError("streamlit did not start:\n" + log.read().decode(errors="replace")[-2000:])
        time.sleep(0.3)


@contextlib.contextmanager
def streamlit_server(timeout: float = 40) -> Iterator[str]:
    """`streamlit run app.py` on a free port; yields its URL and stops it afterwards."""
    port = _free_port()
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
    command += ["--server.port", str(port), "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_healthy(url, proc, log, timeout)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextlib.contextmanager
def chromium_page(width: int = 1400, height: int = 1000) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height}, accept_downloads=True, locale="zh-CN")
            page.set_default_timeout(30_000)
            yield page
        finally:
            browser.close()


IDLE_JS = "() => document.querySelector('[data-testid=\"stApp\"]')?.dataset.testScriptState === 'notRunning'"


def _idle(page, timeout_s: float = 120) -> None:
    """Wait until the app has finished running (Streamlit's script state), twice a short while apart: a click
    starts its run a moment later."""
    for _ in range(2):
        page.wait_for_timeout(300)
        page.wait_for_function(IDLE_JS, timeout=timeout_s * 1000)


def _choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the select box ``label`` once the app is idle: a rerun still running from the previous
    choice redraws the box, closing its list (seen in CI). A list closed all the same is opened again."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = page.get_by_role("combobox", name=label)
    for attempt in range(3):
        _idle(page)
        box.click()
        box.fill(option)
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=10_000)
            return
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")


def _type(page, role: str, label: str, text: str) -> None:
    field = page.get_by_role(role, name=label, exact=True)
    field.fill(text)
    field.press("Tab" if role == "textbox" and label == "企业描述" else "Enter")


def _set_date(page, label: str, digits: str) -> None:
    """Type a date into the sidebar's 政策有效性判断日期 and press 应用日期, as a person does."""
    page.get_by_role("spinbutton", name=f"year, {label}").click()
    page.keyboard.type(digits)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="应用日期").click()


def fill_self_check(page, url: str, enterprise: dict = ENTERPRISE) -> None:
    """Open the self-check page, fill the form as an enterprise would, and submit it."""
    page.goto(url)
    page.get_by_role("button", name="开始匹配").wait_for()
    _type(page, "textbox", "企业名称 *", enterprise["name"])
    _choose(page, "注册地 *", enterprise["region"])
    _type(page, "textbox", "所在园区", enterprise["park"])
    _choose(page, "所属行业", enterprise["industry"])
    _type(page, "spinbutton", "职工总数", enterprise["employees"])
    for title in enterprise["qualifications"]:
        _choose(page, "已有资质", title)
    page.keyboard.press("Escape")
    for need in enterprise["needs"]:
        _choose(page, "诉求", need)
    page.keyboard.press("Escape")
    _type(page, "textbox", "企业描述", enterprise["description"])
    page.get_by_role("button", name="开始匹配").click()
    page.get_by_text(f"匹配结果：{enterprise['name']}").wait_for()


def log_in(page, role: str, name: str) -> None:
    """Log in on the page's sidebar as an account of ``role`` named ``name`` (created when missing)."""
    from actors import account

    password = "浏览器测试用的登录密码"
    username = account(role, name, password=password)
    page.get_by_text("工作人员登录", exact=True).click()
    page.get_by_role("textbox", name="登录名").fill(username)
    page.get_by_role("textbox", name="密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.get_by_text(f"已登录：{name}").wait_for()


def _require_browser() -> None:
    if CHROMIUM.exists():
        return
    unavailable(f"Chromium is missing at {CHROMIUM}: the browser test cannot run", "install it")


def test_a_missing_browser_fails_under_ci_and_skips_only_locally(monkeypatch, tmp_path):
    monkeypatch.setattr(sys.modules[__name__], "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        _require_browser()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        _require_browser()


def test_enterprise_fills_the_form_sees_results_and_downloads_a_sheet(tmp_path):
    _require_browser()
    import docx

    from recommender.consultation import consult
    from recommender.engine import Recommender
    from recommender.profile import parse_profile

    today = shanghai_today()
    profile = {k: v for k, v in ENTERPRISE.items() if k != "employees"} | {"employees": int(ENTERPRISE["employees"])}
    expected = consult(Recommender.load(), parse_profile(profile), as_of=today)
    assert expected.measures, "the test enterprise should have measures in force today"
    first = expected.measures[0]

    with streamlit_server() as url, chromium_page() as page:
        fill_self_check(page, url)
        # the 载入档案 uploader states its own limit (it said 50 MB, the roster's, where a profile takes 1 MB)
        hint = ".st-key-profile_upload [data-testid=stFileUploaderDropzoneInstructions] span"
        shown = page.evaluate(f"() => getComputedStyle(document.querySelector('{hint}'), '::after').content")
        assert shown == '"单个文件不超过 1 MB"', shown
        page.get_by_text(first.title, exact=False).first.wait_for()
        assert page.get_by_text(first.status_label).first.is_visible()
        with page.expect_download() as download:
            page.get_by_role("button", name="下载政策咨询单（Word）").click()
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)

        # a file over server.maxUploadSize is refused by the browser: in Chinese (it said "Error: File must be
        # 50.0MB or smaller.": a break-it trial), with the uploader's own limit
        big = tmp_path / "大档案.json"
        with big.open("wb") as file:
            file.truncate(51 * 1024 * 1024)
        page.locator(".st-key-profile_upload input[type=file]").set_input_files(big)
        alert = ".st-key-profile_upload [data-testid=stFileChip][aria-invalid=true] [role=alert]"
        page.locator(alert).wait_for(state="attached")
        said = page.evaluate(f"() => getComputedStyle(document.querySelector('{alert}'), '::after').content")
        assert said == '"未能上传：单个文件不超过 1 MB"', said
        assert page.evaluate(f"() => getComputedStyle(document.querySelector('{alert}')).visibility") == "hidden"
        page.locator(".st-key-profile_upload [data-testid=stFileChip]").hover()  # the tooltip says it too
        tip = "[data-testid=stTooltipErrorContent]"
        page.locator(tip).wait_for(state="attached")
        assert page.evaluate(f"() => getComputedStyle(document.querySelector('{tip}'), '::after').content") == said
        assert page.evaluate(f"() => document.querySelector('{tip}').innerText") == ""

    assert path.suffix == ".docx" and ENTERPRISE["name"] in path.name
    document = docx.Document(io.BytesIO(path.read_bytes()))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert ENTERPRISE["name"] in text
    assert f"政策有效性判断日期：{today.isoformat()}" in text
    assert f"1. 【{first.status_label}】{first.title}" in text
    assert "辅导员（签字）" in text


def test_a_counsellor_logs_in_and_logging_out_leaves_nothing_in_the_form():
    _require_browser()
    from recommender.registry.access import COUNSELLOR

    with streamlit_server() as url, chromium_page() as page:
        page.goto(url)
        page.get_by_role("button", name="开始匹配").wait_for()
        assert page.get_by_role("link", name="企业档案库").count() == 0  # the public has the self-check only
        log_in(page, COUNSELLOR, "王五")
        page.get_by_text("已登录：王五（辅导员）").wait_for()
        page.get_by_role("link", name="企业档案库").wait_for()
        _type(page, "textbox", "企业名称 *", ENTERPRISE["name"])
        _choose(page, "注册地 *", ENTERPRISE["region"])
        page.get_by_role("button", name="开始匹配").click()
        page.get_by_text(f"匹配结果：{ENTERPRISE['name']}").wait_for()
        page.get_by_role("button", name="退出登录").click()
        page.get_by_text("工作人员登录").wait_for()
        from playwright.sync_api import expect

        # the form is emptied by the rerun after logging out (a busy machine may take a few seconds)
        expect(page.get_by_role("textbox", name="企业名称 *")).to_have_value("", timeout=15_000)
        assert page.get_by_role("link", name="企业档案库").count() == 0


def test_a_staff_page_s_address_says_in_chinese_who_may_use_it_and_to_log_in():
    """A reload logs staff out; the page's address then showed an English "Page not found" box and served
    企业自测 (a break-it trial). It says who may use the page and to log in, and opens after logging in."""
    _require_browser()
    from recommender.registry.access import COUNSELLOR

    with streamlit_server() as url, chromium_page() as page:
        page.goto(url + "/counsellor")
        page.get_by_text("“辅导员工作台”仅供辅导员、管理员使用，请在左侧“工作人员登录”中登录").wait_for()
        assert page.get_by_text("Page not found").count() == 0
        log_in(page, COUNSELLOR, "孙七")
        page.get_by_text("上传企业名单（CSV 或 Excel）").wait_for()  # the page itself, at the same address
        page.goto(url + "/coverage")
        page.get_by_text("“政策覆盖分析”仅供政策工作人员、管理员使用").wait_for()


def test_a_reload_puts_back_what_the_enterprise_typed_in_that_tab_only():
    """A reload (F5, a dropped connection) starts a new session and emptied the form: what an enterprise had
    typed was lost (a break-it trial). It is kept in the tab's sessionStorage (the browser keeps it to that
    tab, until it is closed): back after a reload; cleared while staff are logged in."""
    _require_browser()
    from playwright.sync_api import expect

    from recommender.registry.access import COUNSELLOR

    with streamlit_server() as url, chromium_page() as page:
        page.goto(url)
        page.get_by_role("button", name="开始匹配").wait_for()
        _type(page, "textbox", "企业名称 *", ENTERPRISE["name"])
        _choose(page, "注册地 *", ENTERPRISE["region"])
        _type(page, "spinbutton", "职工总数", ENTERPRISE["employees"])
        _idle(page)
        page.reload()
        expect(page.get_by_role("textbox", name="企业名称 *")).to_have_value(ENTERPRISE["name"], timeout=30_000)
        expect(page.get_by_role("spinbutton", name="职工总数")).to_have_value(str(ENTERPRISE["employees"]))
        page.get_by_text("已恢复本标签页中刚才填写的内容").wait_for()
        log_in(page, COUNSELLOR, "赵六")  # staff in the tab: the draft is cleared, a reload logs out
        _idle(page)
        page.reload()
        page.get_by_role("button", name="开始匹配").wait_for()
        _idle(page)
        expect(page.get_by_role("textbox", name="企业名称 *")).to_have_value("")


def test_policy_staff_open_the_coverage_page_download_its_population_and_try_a_district():
    """What AppTest cannot show: the population's CSV written when the button is clicked, and the what-if
    (a fragment) answering in a real browser."""
    _require_browser()
    from recommender.engine import Recommender
    from recommender.registry.access import STAFF

    documents = Recommender.load().documents
    document = documents["js-yingshang-2022"]
    assert [d.short_title for d in documents.values()].count(document.short_title) == 1  # named without its id
    with streamlit_server() as url, chromium_page() as page:
        page.goto(url)
        page.get_by_role("button", name="开始匹配").wait_for()
        log_in(page, STAFF, "赵六")
        page.get_by_role("link", name="政策覆盖分析").click()
        page.get_by_text("分析对象").wait_for(timeout=90_000)
        with page.expect_download() as download:
            page.get_by_role("button", name="下载合成企业名单（CSV）").click()
        data = Path(download.value.path()).read_bytes()
        page.get_by_role("tab", name="假设分析").click()
        page.get_by_text("文件的适用区域", exact=True).click()
        _choose(page, "文件", document.short_title)
        _choose(page, "适用的区", "奉贤区")
        page.keyboard.press("Escape")
        page.get_by_text("获得资格企业数").wait_for()
        assert page.get_by_text("假设：").first.is_visible()
    assert data.startswith("\ufeff".encode()) and data.count(b"\n") == 2001  # the header and 2000 enterprises


# --- screenshots (run by hand: python tests/test_e2e_browser.py) -----------------------------


def take_screenshots(out: Path = ROOT / "docs") -> list[Path]:
    shots = []
    with streamlit_server() as url, chromium_page(1400, 2200) as page:
        fill_self_check(page, url)
        page.wait_for_timeout(1500)
        shots.append(out / "self_check.png")
        page.screenshot(path=shots[-1])

        roster = Path(tempfile.mkdtemp()) / "走访企业名单.csv"
        roster.write_bytes(ROSTER_CSV.encode("gbk"))
        from recommender.registry.access import COUNSELLOR

        log_in(page, COUNSELLOR, "王五")
        page.get_by_role("link", name="辅导员工作台").click()
        page.get_by_text("1　上传企业名单").wait_for()
        _set_date(page, "政策有效性判断日期", "20250630")  # inside the 2023-2025 plans: a fuller table
        page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(roster)
        page.get_by_text("2　匹配结果").wait_for()
        page.wait_for_timeout(2500)
        shots.append(out / "counsellor.png")
        page.screenshot(path=shots[-1])
    return shots


def coverage_screenshot(out: Path = ROOT / "docs" / "coverage.png") -> Path:
    """docs/coverage.png: 政策覆盖分析 as it opens (概览), judged on 2025-06-30 (inside the 2023-2025 plans)."""
    from recommender.registry.access import STAFF

    with streamlit_server() as url, chromium_page(1400, 1000) as page:
        page.goto(url)
        page.get_by_role("button", name="开始匹配").wait_for()
        log_in(page, STAFF, "赵六")
        _set_date(page, "政策有效性判断日期", "20250630")
        page.get_by_role("link", name="政策覆盖分析").click()
        page.get_by_text("分析对象").wait_for(timeout=90_000)
        page.wait_for_timeout(2500)
        height = page.evaluate("document.querySelector('[data-testid=\"stMainBlockContainer\"]').scrollHeight")
        page.set_viewport_size({"width": 1400, "height": height + 40})
        page.wait_for_timeout(1500)
        page.screenshot(path=out)
    return out


if __name__ == "__main__":  # python tests/test_e2e_browser.py [coverage]: every screenshot, or docs/coverage.png
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
    for shot in [coverage_screenshot()] if sys.argv[1:] == ["coverage"] else take_screenshots():
        print(shot)
