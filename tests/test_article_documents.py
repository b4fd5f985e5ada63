"""A rules-style document (第一章 总则 … 第X条 … 附则) as policy staff upload it: each article's title stands
apart from its text whatever the layout, and purpose, scope, definitions, interpretation and entry into force
are never proposed, nor published by "全部采纳", as measures an enterprise can apply for.

The document (tests/documents/minhang_tech_sme_2024.txt) was written for these tests in the shape of a district's
若干办法; the project has never been tuned on it.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
from actors import account, admin
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from recommender.corpus_models import Clause, DocumentMeta, Layout, Provenance
from recommender.ingest.build import build_lines
from recommender.ingest.readers import read_document
from recommender.locator import cited, locator, place
from recommender.paths import ROOT
from recommender.profile import parse_profile
from recommender.proposals.clauses import kind_by_layout
from recommender.proposals.document import propose_document
from recommender.registry import db, documents
from recommender.registry.access import STAFF
from recommender.registry.enterprises import RegistryError
from recommender.registry.models import StaffClause
from recommender.services.library import live_recommender
from webapp.ui import library_upload
from webapp.ui.auth import USER

DOCUMENT = Path(__file__).parent / "documents" / "minhang_tech_sme_2024.txt"
TITLES = {
    "c1.a1": "目的和依据",
    "c1.a2": "适用范围",
    "c1.a3": "定义",
    "c2.a4": "高新技术企业认定奖励",
    "c2.a5": "研发投入补贴",
    "c2.a6": "初创企业房租补贴",
    "c2.a7": "专精特新企业奖励",
    "c2.a8": "科技创新券",
    "c3.a9": "解释权",
    "c3.a10": "施行日期",
}
SCOPE = "本办法适用于在本区注册、具有独立法人资格的企业。"
ARTICLE_HEAD = re.compile(r"^(第[一二三四五六七八九十]+条) ([^\n]+)\n", re.MULTILINE)


def _text() -> str:
    return DOCUMENT.read_text(encoding="utf-8")


def _built(text: str) -> dict[str, Clause]:
    lines = read_document(text.encode("utf-8"), "mh.txt").lines
    return {c.id.partition("/")[2]: c for c in build_lines("mh-test", Layout(), lines, "upload:mh.txt")}


# the layouts an article title comes in: on its own line (the fixture), after a space or an ideographic
# space on the same line, in 【】 or （）, as Markdown bold on its own line, and with a full stop
LAYOUTS = {
    "title on its own line": lambda t: t,
    "title and text on one line": lambda t: ARTICLE_HEAD.sub(r"\1 \2 ", t),
    "ideographic spaces": lambda t: ARTICLE_HEAD.sub("\\1\u3000\\2\u3000", t),
    "title in 【】": lambda t: ARTICLE_HEAD.sub(r"\1【\2】", t),
    "title in （）": lambda t: ARTICLE_HEAD.sub(r"\1（\2）", t),
    "title in 【】 on its own line": lambda t: ARTICLE_HEAD.sub(r"\1【\2】\n", t),
    "bold title line": lambda t: ARTICLE_HEAD.sub(r"**\1 \2**\n", t),
    "no blank lines": lambda t: t.replace("\n\n", "\n"),
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_every_article_title_stands_apart_from_its_text(layout):
    clauses = _built(LAYOUTS[layout](_text()))
    articles = {k: c for k, c in clauses.items() if c.article_no}
    assert {k: c.title for k, c in articles.items()} == TITLES
    for key, clause in articles.items():
        assert not clause.text.startswith(TITLES[key]), (key, clause.text)
    assert articles["c1.a2"].text == SCOPE
    # the second paragraph of 第六条 is its own, and the last article's text is not left on its own
    assert articles["c2.a6"].text.endswith("不再重复享受本区其他房租补贴政策。")
    assert articles["c3.a10"].text == "本办法自2024年5月1日起施行，有效期至2027年4月30日。"
    assert set(clauses) - set(articles) <= {"c0.p1", "c1.p1"}  # the cover letter before 第一章


def test_a_title_run_into_its_text_on_one_line_is_read_apart_where_the_words_show_it():
    glued = _built(ARTICLE_HEAD.sub(r"\1 \2", _text()))  # "第二条 适用范围本办法适用于…"
    titles = {k: c.title for k, c in glued.items() if c.article_no}
    # 科技创新券 runs into "企业使用科技创新券…": no word tells where the title ends, so it is left whole
    assert titles == {**TITLES, "c2.a8": None}
    assert glued["c1.a2"].text == SCOPE and glued["c2.a8"].text.startswith("科技创新券企业使用")
    sentence = _built(_text().replace("第二条 适用范围\n", "第二条 支持对象为在本区注册的企业。\n"))["c1.a2"]
    assert sentence.title is None and sentence.text.startswith("支持对象为在本区注册的企业。")  # a sentence stays one
    award = "第四条 高新技术企业认定奖励\n对首次认定的高新技术企业，给予一次性奖励20万元。"
    # a stray space inside a sentence, as PDFs have, is no title's end
    spaced = _built(_text().replace(award, "第四条 对首次认定的 高新技术企业，给予一次性奖励20万元。"))["c2.a4"]
    assert (spaced.title, spaced.text) == (None, "对首次认定的高新技术企业，给予一次性奖励20万元。")


def _html(text: str) -> bytes:
    """The document as a government web page: each article's heading in bold, its text run on after it."""
    body = ARTICLE_HEAD.sub(r"<strong>\1 \2</strong>", text).replace("\n\n", "\n").split("\n")
    paragraphs = "".join(f"<p>{line}</p>" for line in body if line)
    head = "<head><meta charset='utf-8'><title>办法</title></head>"
    return f"<html>{head}<body><div class='article'>{paragraphs}</div></body></html>".encode()


def _docx(text: str) -> bytes:
    """The document as Word: each article's heading a bold run, its text a plain run of the same paragraph."""
    import io

    import docx

    document = docx.Document()
    lines = [line for line in text.replace("\n\n", "\n").split("\n") if line]
    i = 0
    while i < len(lines):
        paragraph = document.add_paragraph()
        if ARTICLE_HEAD.match(lines[i] + "\n") and i + 1 < len(lines):
            paragraph.add_run(lines[i]).bold = True
            paragraph.add_run(lines[i + 1])
            i += 2
            continue
        paragraph.add_run(lines[i])
        i += 1
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("data", "name"), [(_html, "办法.html"), (_docx, "办法.docx")])
def test_a_bold_heading_with_the_text_run_on_after_it_stands_apart(data, name):
    lines = read_document(data(_text()), name).lines
    assert "第二条 适用范围" in lines and SCOPE in lines  # not "第二条 适用范围本办法适用于…"
    clauses = {c.id.partition("/")[2]: c for c in build_lines("mh-test", Layout(), lines, f"upload:{name}")}
    assert {k: c.title for k, c in clauses.items() if c.article_no} == TITLES
    assert clauses["c1.a2"].text == SCOPE


def test_an_article_with_a_short_text_and_no_full_stop_keeps_it_as_its_text():
    text = _text().replace("第九条 解释权\n本办法由区科委负责解释。", "第九条 本办法由区科委负责解释")
    clause = _built(text)["c3.a9"]
    assert (clause.title, clause.text) == (None, "本办法由区科委负责解释")


def test_general_and_final_provisions_are_not_measures_and_the_support_articles_are():
    proposal = propose_document(read_document(_text().encode("utf-8"), "mh.txt"))
    kinds = {c.id.partition("/")[2]: p for c, p in zip(proposal.clauses, proposal.proposals, strict=True)}
    for key in ("c1.a1", "c1.a2", "c1.a3", "c3.a9", "c3.a10"):
        assert kinds[key].kind == "internal", key
        assert kinds[key].eligibility == [] and kinds[key].audience == []
    for key in ("c2.a4", "c2.a5", "c2.a6", "c2.a7", "c2.a8"):
        assert kinds[key].kind == "measure", key
    assert proposal.meta["applies_to"]["regions"] == ["闵行区"]  # the scope's 本区, checked for every measure


def test_whom_the_scope_names_is_asked_of_every_measure_of_the_document():
    """An AI-only document's 适用范围 was set aside as 非措施 with nothing taken from it: a restaurant was told it
    could apply for its subsidies. What the scope names is proposed on each measure, quoting the scope."""
    plain = propose_document(read_document(_text().encode("utf-8"), "mh.txt"))
    assert all(not c.quote.startswith("适用范围") for p in plain.proposals for c in p.eligibility)  # names no one
    ai = _text().replace(SCOPE, "本办法适用于在本区注册、具有独立法人资格的人工智能企业。")
    proposal = propose_document(read_document(ai.encode("utf-8"), "mh.txt"))
    kinds = {c.id.partition("/")[2]: p for c, p in zip(proposal.clauses, proposal.proposals, strict=True)}
    for key in ("c2.a4", "c2.a5", "c2.a6", "c2.a7", "c2.a8"):
        [industry] = [c for c in kinds[key].eligibility if c.field == "industry"]
        assert (industry.op, industry.value) == ("in", ["人工智能"]), key
        assert industry.quote == "适用范围：在本区注册、具有独立法人资格的人工智能企业"
    for key in ("c1.a1", "c1.a2", "c1.a3", "c3.a9", "c3.a10"):
        assert kinds[key].eligibility == [], key  # not measures: nothing asked of them


def test_the_command_line_says_which_articles_are_no_measures_and_which_measure_states_no_condition():
    done = subprocess.run(
        [sys.executable, "-m", "recommender", "add-document", str(DOCUMENT)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any(line.endswith("[非措施] 适用范围  第 11 行") for line in lines)
    voucher = next(i for i, line in enumerate(lines) if "[措施] 科技创新券" in line)
    assert "未读出任何条件" in lines[voucher + 1]


def _clause(text: str, title: str | None = None, chapter: str | None = None) -> Clause:
    return Clause(
        id="x/c1.a1",
        policy_id="x",
        chapter=chapter,
        title=title,
        text=text,
        provenance=Provenance(file="x", lines=(1, 1)),
    )


@pytest.mark.parametrize(
    ("title", "text", "chapter"),
    [
        ("适用范围", "本办法适用于在本区注册的科技型中小企业。", None),
        ("适用对象", "在本区依法登记注册、具有独立法人资格的高新技术企业。", None),
        ("定义", "本办法所称“小巨人”企业，是指经认定的专精特新企业。", None),
        ("有效期", "本办法有效期五年。", None),
        (None, "区财政每年安排专项资金，对符合本办法规定的企业给予支持。", "第一章总则"),
        (None, "企业同时符合本区其他政策的，按照从高不重复原则给予奖励。", "第五章附则"),
    ],
)
def test_the_layout_of_general_and_final_provisions_settles_their_kind(title, text, chapter):
    assert kind_by_layout(_clause(text, title, chapter)) == "internal"


def test_a_support_article_is_still_a_measure():
    award = _clause("对首次认定的高新技术企业，给予一次性奖励20万元。", "认定奖励", "第二章支持措施")
    assert kind_by_layout(award) == "measure"


# --- reviewing and publishing it ----------------------------------------------------------------------------

POLICY_ID = "mh-kjzx-2024"
VOUCHER = f"{POLICY_ID}/c2.a8"  # 科技创新券: a measure whose text states no condition
HNTE = f"{POLICY_ID}/c2.a4"
FIRM = {"name": "上海闵行某科技有限公司", "region": "闵行区", "qualifications": ["高新技术企业"], "employees": 30}


def _published() -> list[str]:
    """The document stored and published as proposed (every clause unreviewed); its clause ids."""
    proposal = propose_document(read_document(_text().encode("utf-8"), "mh.txt"), {"policy_id": POLICY_ID})
    with db.transaction() as s:
        doc = documents.add_document(s, proposal, admin("政策科小李"), documents.shipped_numbers())
        documents.publish(s, doc.policy_id, doc.version, admin("政策科小李"))
    return [c.id for c in proposal.clauses]


def _row(clause_id: str) -> StaffClause:
    with db.transaction() as s:
        return s.scalar(select(StaffClause).where(StaffClause.clause_id == clause_id))


def _accept_all(clause_id: str) -> StaffClause:
    """What "其余 N 项全部采纳" does."""
    with db.transaction() as s:
        return documents.accept_pending(s, clause_id, _row(clause_id).version, admin("审核员王"))


def _decide(clause_id: str, key: str, action: str, value=None) -> StaffClause:
    with db.transaction() as s:
        return documents.decide(s, clause_id, key, action, value, _row(clause_id).version, admin("审核员王"))


def _shown() -> dict[str, dict]:
    """What the enterprise FIRM is shown on 2025-01-01, by clause id (ineligible ones too)."""
    engine, warning = live_recommender()
    assert warning is None
    rec = engine.recommend(parse_profile(FIRM), top=None, as_of=dt.date(2025, 1, 1), include_ineligible=True)
    return {r.clause.id: r.as_dict() for r in rec.results if r.clause.policy_id == POLICY_ID}


def test_accepting_everything_publishes_no_scope_article_and_no_unchecked_measure_as_applicable():
    ids = _published()
    for clause_id in ids:
        _accept_all(clause_id)
    shown = _shown()
    provisions = [i for i in ids if i.partition("/")[2].startswith(("c1.", "c3."))]
    assert provisions and not set(provisions) & set(shown)  # 总则 and 附则: never a result
    assert {documents.effective(_row(i)).kind for i in provisions} == {"internal"}
    assert shown[HNTE]["reviewed"] is True  # its conditions were proposed from its words and accepted
    # the voucher has no condition: accepting everything leaves it waiting for someone to say its text states none
    assert documents.pending(_row(VOUCHER)) == [documents.NO_CONDITIONS]
    assert shown[VOUCHER]["status_label"] == "待审核·自动提取" and shown[VOUCHER]["reviewed"] is False

    _decide(VOUCHER, documents.NO_CONDITIONS, "accepted")
    assert documents.pending(_row(VOUCHER)) == [] and documents.effective(_row(VOUCHER)).curated
    # a reviewer said so: 闵行区 is all it asks. Reviewed, it is no longer 待审核; with nothing of the enterprise
    # to check it is 可关注, never 可申请 (status.display_state)
    assert _shown()[VOUCHER]["status_label"] == "可关注" and _shown()[VOUCHER]["reviewed"] is True


def test_no_conditions_is_confirmed_only_and_an_added_condition_withdraws_the_confirmation():
    _published()
    _accept_all(VOUCHER)
    for action, value in (("rejected", None), ("edited", {"field": "employees", "op": "lte", "value": 50})):
        with pytest.raises(RegistryError, match="只能确认"):
            _decide(VOUCHER, documents.NO_CONDITIONS, action, value)
    _decide(VOUCHER, documents.NO_CONDITIONS, "accepted")
    added = {"field": "region", "op": "in", "value": ["闵行区"], "quote": "企业使用科技创新券购买检验检测"}
    row = _decide(VOUCHER, "eligibility.0", "edited", added)
    assert documents.NO_CONDITIONS not in row.decisions and documents.NO_CONDITIONS not in documents.proposal_keys(row)
    assert documents.effective(row).curated
    row = _decide(VOUCHER, "eligibility.0", "rejected")  # withdrawn: nothing is checked again
    assert documents.pending(row) == [documents.NO_CONDITIONS] and not documents.effective(row).curated


def test_a_clause_made_a_measure_by_a_reviewer_waits_for_its_conditions_to_be_looked_at():
    _published()
    scope = f"{POLICY_ID}/c1.a2"
    assert _row(scope).proposal["kind"] == "internal"
    _decide(scope, "kind", "edited", "measure")  # no condition was proposed for what was not a measure
    row = _accept_all(scope)
    assert documents.pending(row) == [documents.NO_CONDITIONS]
    assert _shown()[scope]["status_label"] == "待审核·自动提取"


def _review_page(clause_id: str) -> AppTest:
    """政策库管理 → 审核, logged in as a 政策工作人员, the document saved as a draft and ``clause_id`` open."""
    draft = library_upload.accept(_text().encode("utf-8"), "闵行科技型中小企业办法.txt")
    at = AppTest.from_file(ROOT / "app.py", default_timeout=90)
    at.session_state[USER] = account(STAFF, "张三")
    at.session_state[library_upload.DRAFT] = draft
    at.run()
    at.switch_page("webapp/views/library.py").run()
    at.text_input(key=library_upload.POLICY_ID).input(POLICY_ID)
    [save] = [b for b in at.button if b.label == "保存为草稿（待审核）"]
    save.click().run()
    at.selectbox(key="lib_clause").set_value(clause_id).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_review_page_accepts_the_rest_but_asks_for_the_confirmation_of_a_measure_without_conditions():
    at = _review_page(VOUCHER)
    [bulk] = [b for b in at.button if b.key == "lib_do_accept_rest"]
    assert bulk.label == "其余 4 项全部采纳"  # kind, benefits, audience, departments: not the confirmation
    assert any("“全部采纳”不代为确认" in c.value for c in at.caption)
    bulk.click().run()
    assert any("请对照原文确认确未列条件" in s.value for s in at.success)
    assert documents.pending(_row(VOUCHER)) == [documents.NO_CONDITIONS]
    assert not [b for b in at.button if b.key == "lib_do_accept_rest"]  # nothing left to accept in bulk
    at.button(key="lib_do_no_conditions").click().run()
    assert not at.exception and documents.pending(_row(VOUCHER)) == []
    assert documents.effective(_row(VOUCHER)).curated


# --- where a clause stands, for people ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clause_id", "where"),
    [
        ("pd-hnte-2023/c2.s4.a17", "第17条"),
        ("pd-hnte-2023/t56", "任务表（56）"),
        ("xh-kczx-2015/c7.s3.p1", "七、（三）第1段"),
        ("zj-action-2023/c8.p1", "「营造一流的创新创业环境」第1段"),
        ("js-yingshang-2022/c2.s3.g7.p1", "二、（三）第7项第1段"),
        ("xh-kczx-2015/c5.s2.p2#c", "五、（二）第2段（分项c）"),
    ],
)
def test_a_clause_is_cited_by_where_it_stands_in_its_document(by_id, clause_id, where):
    assert place(by_id[clause_id]) == where


def test_an_added_documents_clause_is_cited_by_its_short_title_and_article_not_its_ids():
    proposal = propose_document(read_document(_text().encode("utf-8"), "mh.txt"))
    assert proposal.meta["policy_id"].startswith("doc-")  # the default id nobody chose
    scope = next(c for c in proposal.clauses if c.text == SCOPE)
    assert cited(scope) == "第2条　适用范围"
    meta = DocumentMeta.model_validate({**proposal.meta, "valid_from": "2024-05-01"})
    assert locator(scope, meta) == "闵行区促进科技型中小企业高质量发展的若干…｜第2条　适用范围"
    assert proposal.meta["policy_id"] not in locator(scope, meta)
