"""End to end in a real browser: policy staff upload a Word file and a saved web page on 政策库管理,
review one clause, publish, and an enterprise on 企业自测 (another session, no restart) sees the
reviewed measure with its normal status and an unreviewed one as 待审核·自动提取.

The server runs on the test's own registry (conftest's DATABASE_URL). Browser, server start and
skip/fail rules are those of test_e2e_browser.py.

Run this file as a script to refresh docs/library.png (not part of the test run):
    python tests/test_e2e_library.py
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import sys
import tempfile
from pathlib import Path

import docx

if __name__ == "__main__":  # run as a script: the project and tests/ are not on the path yet
    sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]

from test_e2e_browser import ROOT, _require_browser, chromium_page, fill_self_check, log_in, streamlit_server

from recommender.clock import today as shanghai_today
from recommender.registry.access import STAFF

HNTE_TITLE = "支持首次认定的高新技术企业"
RD_TITLE = "支持企业加大研发投入"
LOAN_TITLE = "贷款贴息支持"
ENTERPRISE = {
    "name": "上海黄浦某高新科技有限公司",
    "region": "黄浦区",
    "park": "",
    "industry": "软件和信息服务",
    "employees": "60",
    "qualifications": ["高新技术企业"],
    "needs": ["资金补贴"],
    "description": "软件企业，今年首次认定高新技术企业，想了解区里的奖励和研发资助",
}


def _cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def hnte_docx(issued: dt.date, start: dt.date) -> bytes:
    """A 黄浦区 measure document as a Word file: 文号, four articles, dates in the text."""
    document = docx.Document()
    for line in [
        "黄浦区科学技术委员会",
        "黄浦区关于支持高新技术企业发展的若干措施",
        f"黄科规〔{issued.year}〕3号",
        "为加快建设具有全球影响力的科创中心功能区，支持区内科技企业发展，制定本措施。",
        f"一、{HNTE_TITLE}。对首次认定的高新技术企业给予一次性奖励20万元。",
        f"二、{RD_TITLE}。对研发投入不低于1000万元的企业，按研发投入的10%给予资助，最高100万元。",
        "三、加强服务保障。由区科委负责建立企业服务专员制度，为企业提供政策咨询服务。",
        f"四、附则。本措施自{_cn(start)}起施行，有效期三年。",
        "黄浦区科学技术委员会",
        _cn(issued),
    ]:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def loan_html(issued: dt.date, start: dt.date) -> bytes:
    """A 黄浦区 financing document as a saved government web page (navigation and footer around it)."""
    paragraphs = [
        "为缓解区内中小企业融资难、融资贵问题，优化营商环境，结合本区实际，制定本办法。",
        f"一、{LOAN_TITLE}。对区内中小企业获得的银行流动资金贷款，按实际支付利息的50%给予贴息，每家企业每年最高50万元。",
        "二、担保费补贴。对区内中小企业通过融资担保机构获得贷款的，按担保费的50%给予补贴。",
        "三、组织保障。由区商务委负责本办法的组织实施和政策解释，区财政局做好资金保障。",
        f"四、本办法自{_cn(start)}起施行。",
    ]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        "<title>黄浦区促进中小企业融资发展的实施办法_黄浦区人民政府</title></head><body>"
        '<div class="nav"><a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a></div>'
        '<div class="article"><h1>黄浦区促进中小企业融资发展的实施办法</h1><p>黄浦区商务委员会</p>'
        f'{body}<p style="text-align:right">黄浦区商务委员会</p><p style="text-align:right">{_cn(issued)}</p></div>'
        '<div class="footer">主办：上海市黄浦区人民政府 版权所有</div></body></html>'
    ).encode()


def _files(folder: Path) -> tuple[Path, Path]:
    today = shanghai_today()
    issued, start = today - dt.timedelta(days=20), today - dt.timedelta(days=10)
    word = folder / "黄浦区高新技术企业措施.docx"
    word.write_bytes(hnte_docx(issued, start))
    page = folder / "黄浦区中小企业融资办法.html"
    page.write_bytes(loan_html(issued, start))
    return word, page


def _step(page, name: str) -> None:
    page.locator("[data-testid='stRadio'] label").filter(has_text=re.compile(f"^{name}$")).click()


def _click(page, key: str) -> None:
    page.locator(f".st-key-{key} button").click()


def upload(page, path: Path, policy_id: str) -> None:
    """上传文件: the file, its proposed metadata as read, saved as a draft under ``policy_id``."""
    _step(page, "上传文件")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(path)
    page.get_by_role("button", name="保存为草稿（待审核）").wait_for(timeout=90_000)  # the tagger may still train
    page.get_by_role("textbox", name="文件编号 *").fill(policy_id)
    page.get_by_role("button", name="保存为草稿（待审核）").click()
    page.get_by_text("已保存草稿").wait_for()


def review_first_clause(page) -> None:
    """审核 opens on the first clause (the 高企 award): accept its kind, reject 首次认定≤1年, accept the rest."""
    page.get_by_text(re.compile(rf"^第1条\s*{HNTE_TITLE}$")).first.wait_for()  # cited by its article, not its id
    _click(page, "lib_do_accepted_kind")
    page.get_by_text("已采纳了“类别”").wait_for()
    _click(page, "lib_do_rejected_eligibility_1")
    page.get_by_text("已驳回了“条件 2”").wait_for()
    _click(page, "lib_do_accept_rest")
    page.get_by_text("本条审核完毕").wait_for()


def publish(page, title: str) -> None:
    """发布: choose the document and publish it as it stands."""
    _step(page, "发布")
    box = page.get_by_role("combobox", name="选择文件")
    box.click()
    page.get_by_role("option", name=re.compile(re.escape(title))).click()
    page.get_by_role("button", name="发布", exact=True).click()
    page.get_by_text("已发布，企业自测等页面即刻可见").first.wait_for()
    page.get_by_text("谁该知道").wait_for()


def _badge_of(page, title: str) -> str:
    """The first line of the result card titled ``title``: its status badge, rank and title."""
    line = page.locator("[data-testid='stMarkdownContainer'] p").filter(has_text=re.compile(rf"\d+\. {title}"))
    line.first.wait_for()
    return line.first.inner_text()


def test_staff_upload_review_and_publish_and_the_enterprise_sees_both_states(tmp_path):
    _require_browser()
    word, web = _files(tmp_path)
    with streamlit_server() as url, chromium_page(1400, 1600) as page:
        page.goto(url)
        log_in(page, STAFF, "政策科小李")
        page.get_by_role("link", name="政策库管理").click()
        upload(page, word, "hp-hnte-e2e")
        review_first_clause(page)
        upload(page, web, "hp-loan-e2e")
        publish(page, "黄浦区促进中小企业融资发展的实施办法")
        publish(page, "黄浦区关于支持高新技术企业发展的若干措施")

        fill_self_check(page, url, ENTERPRISE)  # a new session, as an enterprise: no restart in between
        reviewed = _badge_of(page, HNTE_TITLE)
        unreviewed = _badge_of(page, RD_TITLE)
        loan = _badge_of(page, LOAN_TITLE)

    assert "可申请" in reviewed and "待审核" not in reviewed
    assert "待审核·自动提取" in unreviewed
    assert "待审核·自动提取" in loan


# --- screenshot (run by hand: python tests/test_e2e_library.py) ------------------------------


def take_screenshot(out: Path = ROOT / "docs" / "library.png") -> Path:
    """The review step of a freshly uploaded document, on a registry of its own."""
    folder = Path(tempfile.mkdtemp())
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'registry.sqlite3'}"
    word, _ = _files(folder)
    with streamlit_server() as url, chromium_page(1400, 2000) as page:
        page.goto(url)
        log_in(page, STAFF, "政策科小李")
        page.get_by_role("link", name="政策库管理").click()
        upload(page, word, "hp-hnte-demo")
        _click(page, "lib_do_accepted_kind")
        page.get_by_text("已采纳了“类别”").wait_for()
        page.wait_for_timeout(1500)
        page.screenshot(path=out)
    return out


if __name__ == "__main__":
    print(take_screenshot())
