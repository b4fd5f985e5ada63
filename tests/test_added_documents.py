"""Documents policy staff add: read from the file as people get it, proposals unreviewed, stored as a
layer in the registry, reviewed proposal by proposal with versioned saves, published live without a
restart, shown as 待审核·自动提取 / 尚未生效, exported back to the policies/ format."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from actors import admin
from sqlalchemy import func, select

from recommender.consultation import consult
from recommender.corpus import load_policies
from recommender.eligibility.status import NOT_YET, UNREVIEWED
from recommender.ingest.build import build_corpus
from recommender.ingest.readers import read_document
from recommender.paths import ANNOTATIONS, ROOT, SOURCES
from recommender.profile import parse_profile
from recommender.proposals.document import propose_document
from recommender.registry import db, documents
from recommender.registry.enterprises import ConflictError, RegistryError
from recommender.registry.export import export_policies
from recommender.registry.models import StaffClause, StaffReview
from recommender.services.library import live_recommender
from recommender.yamlio import DataError

PAGE = """<html><head><meta charset="utf-8"><title>黄浦区支持科技企业若干措施_黄浦区人民政府</title></head>
<body><div class="nav">首页 &gt; 政务公开 &gt; 政策文件</div>
<div class="article"><h1>黄浦区关于支持科技创新企业发展的若干措施</h1>
<p>黄府规〔2024〕3号</p>
<p>一、支持高新技术企业发展。对首次认定的高新技术企业，给予一次性奖励。</p>
<p>二、支持初创企业。对成立未满三年、职工人数不超过50人的科技型企业，给予房租补贴。</p>
<p>三、加强组织领导。区科委牵头建立工作推进机制，各部门加强协同，定期开展督查考核。</p>
<p>四、本措施自2024年3月1日起施行，有效期至2026年12月31日。</p>
<p>上海市黄浦区人民政府</p><p>2024年2月20日</p></div>
<div class="footer">版权所有 黄浦区人民政府 沪ICP备</div></body></html>"""
HNTE = "对首次认定的高新技术企业"
FIRM = {"name": "上海黄浦某芯科技有限公司", "region": "黄浦区", "qualifications": ["高新技术企业"]}


def _proposal(page: str = PAGE, overrides: dict | None = None):
    return propose_document(read_document(page.encode("utf-8"), "hp.html"), overrides)


def _clause(proposal, words: str):
    return next(c for c in proposal.clauses if words in c.text)


def _stored(proposal, publish: bool = True) -> str:
    with db.transaction() as s:
        shipped = {p.document.policy_id: p.document.doc_number for p in load_policies()}
        doc = documents.add_document(s, proposal, admin("政策科小李"), shipped)
        if publish:
            documents.publish(s, doc.policy_id, doc.version, admin("政策科小李"))
        return doc.policy_id


def _row(clause_id: str) -> StaffClause:
    with db.transaction() as s:
        return s.scalar(select(StaffClause).where(StaffClause.clause_id == clause_id))


def _result(clause_id: str, as_of: dt.date = dt.date(2025, 1, 1)):
    engine, warning = live_recommender()
    assert warning is None
    rec = engine.recommend(parse_profile(FIRM), top=None, as_of=as_of, include_ineligible=True)
    return next((r for r in rec.results if r.clause.id == clause_id), None)


def test_metadata_and_clauses_are_proposed_with_the_words_they_rest_on():
    p = _proposal()
    assert p.meta["title"] == "黄浦区关于支持科技创新企业发展的若干措施"
    assert p.meta["doc_number"] == "黄府规〔2024〕3号"
    assert (p.meta["valid_from"], p.meta["valid_to"]) == ("2024-03-01", "2026-12-31")
    assert p.meta["applies_to"]["regions"] == ["黄浦区"]
    assert "2024年3月1日" in p.found.valid_from.quote
    assert not any("版权所有" in c.text or "首页" in c.text for c in p.clauses)
    hnte = p.proposals[p.clauses.index(_clause(p, HNTE))]
    assert hnte.kind == "measure"
    assert {(c.field, c.op) for c in hnte.eligibility} == {("qualifications", "any_of"), ("hnte_age_years", "lte")}
    assert all(c.quote in _clause(p, HNTE).text for c in hnte.eligibility)
    housekeeping = p.proposals[p.clauses.index(_clause(p, "督查考核"))]
    assert housekeeping.kind == "internal" and housekeeping.eligibility == []
    start = p.proposals[p.clauses.index(_clause(p, "房租补贴"))]
    assert {(c.field, c.op, c.value) for c in start.eligibility} == {("employees", "lte", 50), ("age_years", "lt", 3)}
    data = p.as_dict()
    assert set(data["document"]) >= {"policy_id", "title", "issuer", "doc_number", "issued", "valid_from", "valid_to"}
    assert all(c["reviewed"] is False and c["source_lines"] for c in data["clauses"])


def test_no_date_in_the_text_stays_unknown_and_publishing_asks_for_it():
    page = PAGE.replace("四、本措施自2024年3月1日起施行，有效期至2026年12月31日。", "").replace("2024年2月20日", "")
    p = _proposal(page)
    assert p.meta["valid_from"] is None and p.meta["issued"] is None and p.meta["valid_to"] is None
    policy_id = _stored(p, publish=False)
    with db.transaction() as s, pytest.raises(DataError, match="生效日期"):
        documents.publish(s, policy_id, 1, admin("小李"))
    assert live_recommender()[0].documents.keys().isdisjoint({policy_id})  # a draft is not live


def test_published_unreviewed_measure_shows_as_such_then_as_reviewed_once_every_proposal_is_decided():
    p = _proposal()
    clause_id = _clause(p, HNTE).id
    _stored(p)
    result = _result(clause_id)
    assert result is not None and not result.clause.curated
    assert result.as_dict()["status_label"] == "待审核·自动提取" and result.as_dict()["reviewed"] is False
    c = consult(live_recommender()[0], parse_profile(FIRM), dt.date(2025, 1, 1), top=None)
    assert next(m for m in c.measures if m.clause_id == clause_id).state == UNREVIEWED

    row = _row(clause_id)
    for key in documents.proposal_keys(row):
        with db.transaction() as s:
            row = documents.decide(s, clause_id, key, "accepted", None, row.version, admin("审核员王"))
    assert documents.pending(row) == []
    result = _result(clause_id)
    assert result.clause.curated and "审核员王" in result.clause.note
    assert result.as_dict()["reviewed"] is True and result.as_dict()["status_label"] != "待审核·自动提取"


def test_a_document_not_yet_in_force_is_not_shown_as_expired():
    p = _proposal()
    clause_id = _clause(p, HNTE).id
    _stored(p)
    result = _result(clause_id, as_of=dt.date(2024, 1, 1))
    assert result.validity == "not_yet" and result.as_dict()["status_label"] == "尚未生效"
    c = consult(live_recommender()[0], parse_profile(FIRM), dt.date(2024, 1, 1), top=None)
    assert next(m for m in c.expired if m.clause_id == clause_id).state == NOT_YET


def test_edit_reject_and_add_conditions_and_every_decision_is_logged():
    p = _proposal()
    clause_id = _clause(p, HNTE).id
    _stored(p)
    row = _row(clause_id)
    keys = [k for k in documents.proposal_keys(row) if k.startswith("eligibility.")]
    first = row.proposal["eligibility"][0]
    edited = {**first, "value": ["高新技术企业", "科技型中小企业"]} if first["field"] == "qualifications" else first
    with db.transaction() as s:
        row = documents.decide(s, clause_id, keys[0], "edited", edited, row.version, admin("王"))
        row = documents.decide(s, clause_id, keys[1], "rejected", None, row.version, admin("王"))
        added = {"field": "region", "op": "in", "value": ["黄浦区"], "quote": "黄浦区关于支持科技创新企业发展"}
        row = documents.decide(s, clause_id, f"eligibility.{len(keys)}", "edited", added, row.version, admin("李"))
    clause = documents.effective(row)
    fields = [c.field for c in clause.eligibility]
    assert fields.count(row.proposal["eligibility"][1]["field"]) == (
        1 if row.proposal["eligibility"][1]["field"] in (first["field"], "region") else 0
    )
    assert "region" in fields and not clause.curated  # kind, benefits … still undecided
    with db.transaction() as s:
        log = s.scalars(select(StaffReview).where(StaffReview.clause_id == clause_id)).all()
    assert [(r.action, r.reviewed_by) for r in log] == [("edited", "王"), ("rejected", "王"), ("edited", "李")]


def test_bad_decisions_are_refused_in_chinese_and_write_nothing():
    p = _proposal()
    clause_id = _clause(p, HNTE).id
    _stored(p)
    row = _row(clause_id)
    cases = [
        ("kind", "rejected", None, "类别不能驳回"),
        ("kind", "edited", "subsidy", "类别须为"),
        ("benefits", "edited", ["发钱"], "未知的受益类型"),
        (
            "eligibility.0",
            "edited",
            {"field": "employees", "op": "lte", "value": "五十", "quote": "不超过50人"},
            "条件有误",
        ),
        ("nothing", "accepted", None, "没有待审核项"),
    ]
    for key, action, value, message in cases:
        with db.transaction() as s, pytest.raises(RegistryError, match=message):
            documents.decide(s, clause_id, key, action, value, row.version, admin("王"))
    assert _row(clause_id).version == row.version and _row(clause_id).decisions == {}


def test_two_reviewers_at_once_the_second_is_told_and_the_first_is_kept():
    p = _proposal()
    clause_id = _clause(p, HNTE).id
    _stored(p)
    opened = _row(clause_id).version
    with db.transaction() as s:
        documents.decide(s, clause_id, "kind", "accepted", None, opened, admin("王"))
    with db.transaction() as s, pytest.raises(ConflictError, match="王"):
        documents.decide(s, clause_id, "kind", "edited", "lead", opened, admin("李"))
    row = _row(clause_id)
    assert row.decisions["kind"]["by"] == "王" and row.decisions["kind"]["action"] == "accepted"
    with db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(StaffReview)) == 1


def test_the_same_document_twice_is_refused():
    p = _proposal()
    _stored(p)
    with pytest.raises(RegistryError, match="已在政策库中"):
        _stored(_proposal())


def test_export_writes_the_policies_format_and_ingest_rebuilds_the_same_clauses(tmp_path):
    p = _proposal()
    clause_id = _clause(p, HNTE).id
    policy_id = _stored(p)
    row = _row(clause_id)
    for key in documents.proposal_keys(row):
        with db.transaction() as s:
            row = documents.decide(s, clause_id, key, "accepted", None, row.version, admin("王"))
    shutil.copytree(SOURCES, tmp_path / "sources")
    shutil.copytree(ANNOTATIONS, tmp_path / "annotations")
    with db.transaction() as s:
        written = export_policies(s, tmp_path)
        live = [documents.effective(r) for r in documents.documents(s)[0].clauses]
    assert len(written) == 3
    built = next(
        f for f in build_corpus(tmp_path / "sources", tmp_path / "annotations") if f.document.policy_id == policy_id
    )
    assert [c.id for c in built.clauses] == [c.id for c in live]
    for shipped, stored in zip(built.clauses, live, strict=True):
        assert (shipped.text, shipped.kind, shipped.eligibility, shipped.curated) == (
            stored.text,
            stored.kind,
            stored.eligibility,
            stored.curated,
        )
    assert [c.curated for c in built.clauses].count(True) == 1  # the one reviewed clause only


def _cli(*args: str, env_url: str) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, "DATABASE_URL": env_url}
    return subprocess.run(
        [sys.executable, "-m", "recommender", *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120
    )


def test_add_document_command_prints_the_contract_and_stores_only_with_publish(tmp_path, registry_url):
    page = tmp_path / "黄浦措施.html"
    page.write_text(PAGE, encoding="utf-8")
    out = _cli("add-document", str(page), "--format", "json", env_url=registry_url)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["document"]["doc_number"] == "黄府规〔2024〕3号"
    clause = next(c for c in data["clauses"] if HNTE in c["text"])
    assert clause["reviewed"] is False and clause["proposed"]["kind"] == "measure"
    assert {"field", "op", "value", "quote"} <= set(clause["proposed"]["eligibility"][0])
    assert live_recommender()[0].documents.keys() == {p.document.policy_id for p in load_policies()}

    out = _cli("add-document", str(page), "--publish", env_url=registry_url)
    assert out.returncode == 0, out.stderr
    profile = tmp_path / "firm.json"
    profile.write_text(json.dumps(FIRM, ensure_ascii=False), encoding="utf-8")
    out = _cli(
        "recommend", str(profile), "--as-of", "2025-01-01", "--format", "json", "--top", "50", env_url=registry_url
    )
    listed = [r for r in json.loads(out.stdout)["results"] if r["policy_id"] == data["document"]["policy_id"]]
    assert listed and all(r["reviewed"] is False for r in listed)
    table = _cli("recommend", str(profile), "--as-of", "2025-01-01", "--top", "50", env_url=registry_url).stdout
    assert "[待审核·自动提取]" in table


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("scan.pdf", b"%PDF-1.4 broken", "scan.pdf"),
        ("old.doc", b"\xd0\xcf\x11\xe0 old word", "docx"),
        ("empty.html", b"", "empty.html"),
    ],
)
def test_add_document_refuses_unreadable_files_in_one_line(tmp_path, registry_url, name, data, says):
    path = tmp_path / name
    path.write_bytes(data)
    out = _cli("add-document", str(path), env_url=registry_url)
    assert out.returncode == 2
    assert says in out.stderr and len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr


def test_publish_without_a_date_on_the_command_line_asks_for_meta(tmp_path, registry_url):
    page = tmp_path / "nodate.html"
    page.write_text(
        PAGE.replace("四、本措施自2024年3月1日起施行，有效期至2026年12月31日。", "").replace("2024年2月20日", "")
    )
    out = _cli("add-document", str(page), "--publish", env_url=registry_url)
    assert out.returncode == 2 and "生效日期" in out.stderr and "--meta" in out.stderr
    meta = tmp_path / "meta.yaml"
    meta.write_text("valid_from: 2024-03-01\nissuer: 上海市黄浦区人民政府\n", encoding="utf-8")
    out = _cli("add-document", str(page), "--meta", str(meta), "--publish", env_url=registry_url)
    assert out.returncode == 0, out.stderr


@pytest.mark.parametrize(
    ("area", "shown"), [("{}", "适用区域：全市"), ("{parks: [张江]}", "适用区域：全市（限园区：张江）")]
)
def test_a_meta_file_may_leave_out_the_regions_or_the_parks(tmp_path, registry_url, area, shown):
    """applies_to without one of its lists (a municipal document, a park's): read as none, not a traceback after
    the document was stored (a break-it trial: KeyError 'regions', exit 1, yet published)."""
    page = tmp_path / "muni.html"
    page.write_text(PAGE, encoding="utf-8")
    meta = tmp_path / "meta.yaml"
    meta.write_text(f"valid_from: 2024-03-01\napplies_to: {area}\n", encoding="utf-8")
    out = _cli("add-document", str(page), "--meta", str(meta), "--publish", env_url=registry_url)
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
    assert shown in out.stdout


@pytest.mark.parametrize(
    ("meta", "says"),
    [
        ("applies_to: {regions: [1, 2]}", "“1”不是上海的区"),
        ("applies_to: {regions: [火星区]}", "“火星区”不是上海的区"),
        ("applies_to: {parks: ['']}", "parks 应为园区名称的列表"),
        ("title: [a, b]", "标题：应为文字"),
        ("valid_from: notadate", "生效日期：应为日期（如 2024-03-01）（收到“notadate”）"),
        ("policy_id: ../../x", "只能用英文小写字母、数字和连字符"),
    ],
)
def test_a_wrong_meta_value_is_one_chinese_line_and_nothing_is_stored(tmp_path, registry_url, meta, says):
    """A break-it trial: regions [1, 2] gave a TypeError traceback, and wrong values were refused in pydantic's
    English ("Input should be a valid string")."""
    page = tmp_path / "doc.html"
    page.write_text(PAGE, encoding="utf-8")
    path = tmp_path / "meta.yaml"
    path.write_text(f"valid_from: 2024-03-01\n{meta}\n" if "valid_from" not in meta else meta + "\n", encoding="utf-8")
    out = _cli("add-document", str(page), "--meta", str(path), "--publish", env_url=registry_url)
    assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
    assert says in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert "Input should" not in out.stderr and "String should" not in out.stderr
    assert live_recommender()[0].documents.keys() == {p.document.policy_id for p in load_policies()}


def _added(tmp_path, registry_url: str, meta: str, *flags: str):
    """`add-document` of PAGE with the --meta YAML ``meta`` (and ``flags``, e.g. --publish): the finished run."""
    page = tmp_path / "doc.html"
    page.write_text(PAGE, encoding="utf-8")
    path = tmp_path / "meta.yaml"
    path.write_text(meta, encoding="utf-8")
    return _cli("add-document", str(page), "--meta", str(path), *flags, env_url=registry_url)


UNLISTED = (
    "不在园区名录（policies/lexicon/parks.yaml）中，请按名录写法填写，每项一个园区："
    "所在园区不含这一写法的企业都会被请求确认是否位于该园区；如是新园区，请将其加入园区名录"
)


@pytest.mark.parametrize(
    ("parks", "warned"),
    [
        ("[火星园]", "适用园区“火星园”" + UNLISTED),
        ("[张江, 上海市张江, 張江, 金桥]", None),  # the gazetteer's words, the city or traditional characters aside
        # a longer name, several in one item, a district: enterprises writing the gazetteer's word are not met
        ("[张江高科技园区]", "适用园区“张江高科技园区”（名录中为“张江”）" + UNLISTED),
        ("[张江、火星园, 火星园, 火星园]", "适用园区“张江、火星园”（名录中为“张江”）、“火星园”" + UNLISTED),
        ("[浦东新区]", "适用园区中“浦东新区”是区名：限定的区请写在适用区域（regions）中"),
    ],
)
def test_a_park_the_gazetteer_does_not_know_is_pointed_out(tmp_path, registry_url, parks, warned):
    """A park missing from the gazetteer (a typo, a new park) was published without a word; every enterprise whose
    所在园区 does not contain it is then asked to confirm it lies there (a break-it trial). A second trial found
    longer names and several parks in one item passed as listed, and repeated names said and stored twice."""
    for publish in ([], ["--publish"]):
        out = _added(tmp_path, registry_url, f"valid_from: 2024-03-01\napplies_to: {{parks: {parks}}}\n", *publish)
        assert out.returncode == 0, out.stderr
        said = [line for line in out.stderr.splitlines() if "园区" in line]
        assert said == ([f"提示：{tmp_path / 'doc.html'}: {warned}"] if warned else []), out.stderr
    if "火星园, 火星园" in parks:
        assert "限园区：张江、火星园、火星园）" in out.stdout  # each park once


def test_the_park_note_shows_beside_other_wrong_metadata_and_a_blank_park_is_refused(tmp_path, registry_url):
    out = _added(tmp_path, registry_url, "valid_from: 2024-03-01\napplies_to: {parks: [火星园], zones: [x]}\n")
    assert out.returncode == 0, out.stderr
    lines = out.stderr.splitlines()
    assert len(lines) == 2 and "适用区域中的“zones”：不是文件信息的字段" in lines[0] and "“火星园”" in lines[1]
    out = _added(tmp_path, registry_url, 'valid_from: 2024-03-01\napplies_to: {parks: ["\\u200b "]}\n', "--publish")
    assert out.returncode == 2 and "parks 应为园区名称的列表" in out.stderr and len(out.stderr.splitlines()) == 1


def test_a_district_in_a_meta_file_is_read_as_a_roster_reads_it(tmp_path, registry_url):
    out = _added(tmp_path, registry_url, "valid_from: 2024-03-01\napplies_to: {regions: [上海市金山区, 松江]}\n")
    assert out.returncode == 0, out.stderr
    assert "适用区域：金山区、松江区" in out.stdout


def test_the_live_library_reports_an_unreachable_registry_and_keeps_the_shipped_corpus(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody:secret@127.0.0.1:1/none")
    engine, warning = live_recommender()
    assert engine.documents.keys() == {p.document.policy_id for p in load_policies()}
    assert warning and "内置政策库" in warning and "secret" not in warning


def test_exported_path_is_under_the_target_only(tmp_path):
    _stored(_proposal())
    with db.transaction() as s:
        written = export_policies(s, tmp_path / "out")
    assert all(Path(p).is_relative_to(tmp_path / "out") for p in written)


def test_the_app_says_once_when_added_documents_cannot_be_read(monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody:secret@127.0.0.1:9/none")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    notices = [w.value for w in at.warning if "内置政策库" in w.value]
    assert len(notices) == 1 and "127.0.0.1:9/none" in notices[0] and "secret" not in notices[0]


def test_publish_records_the_clause_versions_and_the_push_list_names_who_should_hear(registry_url):
    from recommender.clock import today
    from recommender.registry import enterprises
    from recommender.registry.models import ClauseVersion
    from recommender.services.push_list import push_report

    recognised = {**FIRM, "qualification_dates": {"高新技术企业": "2024-06-01"}}  # first recognised last year
    with db.transaction() as s:
        enterprises.add(s, parse_profile(recognised), by=admin("王专员"))
    p = _proposal()
    clause_id = _clause(p, HNTE).id
    _stored(p)
    with db.transaction() as s:
        recorded = set(s.scalars(select(ClauseVersion.clause_id)))
        assert {c.id for c in p.clauses} <= recorded
        report = push_report(s, since=today(), as_of=dt.date(2025, 1, 1), by=admin())
    assert report.synced.added == []  # publish already recorded them
    assert any(i.clause_id == clause_id and i.enterprise == FIRM["name"] for i in report.items)


def test_a_condition_a_reviewer_added_can_be_withdrawn():
    p = _proposal()
    clause_id = _clause(p, HNTE).id
    _stored(p)
    row = _row(clause_id)
    key = f"eligibility.{len(row.proposal['eligibility'])}"
    added = {"field": "region", "op": "in", "value": ["黄浦区"], "quote": "黄浦区关于支持科技创新企业发展"}
    with db.transaction() as s:
        row = documents.decide(s, clause_id, key, "edited", added, row.version, admin("李"))
        assert "region" in [c.field for c in documents.effective(row).eligibility]
        row = documents.decide(s, clause_id, key, "rejected", None, row.version, admin("李"))
        assert "region" not in [c.field for c in documents.effective(row).eligibility]
    with db.transaction() as s, pytest.raises(RegistryError, match="没有待审核项"):
        documents.decide(
            s,
            clause_id,
            f"eligibility.{len(row.proposal['eligibility']) + 5}",
            "rejected",
            None,
            row.version,
            admin("李"),
        )


def test_a_policy_id_people_cannot_use_is_refused_in_chinese():
    with pytest.raises(RegistryError, match="只能用英文小写字母"):
        _stored(_proposal(overrides={"policy_id": "黄浦 2024"}))


def test_condition_values_and_quotes_must_be_real():
    p = _proposal()
    clause_id = _clause(p, HNTE).id
    _stored(p)
    row = _row(clause_id)
    key = f"eligibility.{len(row.proposal['eligibility'])}"
    wrong_value = {"field": "size_class", "op": "in", "value": ["中小企业"], "quote": "对首次认定的高新技术企业"}
    invented = {"field": "employees", "op": "lte", "value": 500, "quote": "职工人数不超过500人"}
    for condition, message in ((wrong_value, "可选：大型、中型、小型、微型"), (invented, "原文依据须是")):
        with db.transaction() as s, pytest.raises(RegistryError, match=message):
            documents.decide(s, clause_id, key, "edited", condition, row.version, admin("李"))


def test_stated_thresholds_are_proposed_as_hard_conditions():
    p = _proposal()
    start = p.proposals[p.clauses.index(_clause(p, "房租补贴"))]
    assert all(c.is_hard for c in start.eligibility)


def test_ingest_keeps_what_an_exported_unreviewed_clause_says(tmp_path):
    p = _proposal()
    clause_id = _clause(p, "房租补贴").id
    _stored(p)
    row = _row(clause_id)
    with db.transaction() as s:
        documents.decide(s, clause_id, "kind", "edited", "lead", row.version, admin("王"))  # the tagger says measure
    shutil.copytree(SOURCES, tmp_path / "sources")
    shutil.copytree(ANNOTATIONS, tmp_path / "annotations")
    with db.transaction() as s:
        export_policies(s, tmp_path)
    built = {c.id: c for f in build_corpus(tmp_path / "sources", tmp_path / "annotations") for c in f.clauses}
    assert built[clause_id].kind == "lead" and not built[clause_id].curated


def test_the_push_command_says_when_a_rule_is_unreviewed(tmp_path, registry_url):
    from recommender.registry import enterprises

    with db.transaction() as s:
        enterprises.add(
            s, parse_profile({**FIRM, "qualification_dates": {"高新技术企业": "2024-06-01"}}), by=admin("王")
        )
    _stored(_proposal())
    out = _cli("push", "--since", "2026-01-01", "--as-of", "2025-01-01", "--format", "json", env_url=registry_url)
    items = json.loads(out.stdout)["items"]
    assert items and all(i["reviewed"] is False and i["after"] == "待审核·自动提取" for i in items)
    table = _cli("push", "--since", "2026-01-01", "--as-of", "2025-01-01", env_url=registry_url).stdout
    assert "→ 待审核·自动提取" in table and "→ 可申请" not in table


def test_the_word_sheet_names_measures_not_yet_in_force_apart_from_expired_ones():
    import io

    from docx import Document

    from recommender.services.sheet import consultation_sheet

    _stored(_proposal())
    sheet = consultation_sheet(live_recommender()[0], parse_profile(FIRM), dt.date(2024, 1, 1))
    text = "\n".join(p.text for p in Document(io.BytesIO(sheet.docx)).paragraphs)
    assert "所在文件尚未生效" in text and "支持高新技术企业发展" in text
    assert "已过期" not in text.split("所在文件尚未生效")[1]


def test_a_second_upload_of_the_same_document_is_refused_and_a_draft_can_be_deleted():
    first = _stored(_proposal(), publish=False)
    again = PAGE.replace("<p>上海市黄浦区人民政府</p>", "<p>上海市黄浦区人民政府办公室</p>")  # other text, same 文号
    with pytest.raises(RegistryError, match=r"黄府规〔2024〕3号 的文件已在政策库中.*如需替换请先删除原草稿"):
        _stored(_proposal(again))
    with db.transaction() as s:
        documents.delete_draft(s, first, 1, admin("小李"))
    assert _stored(_proposal(again)) != first
    with db.transaction() as s, pytest.raises(RegistryError, match="已发布，不能删除"):
        documents.delete_draft(s, documents.documents(s)[0].policy_id, 2, admin("小李"))
    shipped = _proposal(overrides={"doc_number": "浦科经委〔2023〕68号", "policy_id": "copy-of-hnte"})
    # a shipped document is no draft staff can delete (a newcomer trial read "请先删除原草稿" for it)
    with pytest.raises(RegistryError, match=r"pd-hnte-2023.*它随系统提供，如需更新请联系维护人员") as refused:
        _stored(shipped)
    assert "草稿" not in str(refused.value)


def test_metadata_people_cannot_mean_is_refused_in_one_chinese_line(tmp_path, registry_url):
    page = tmp_path / "p.html"
    page.write_text(PAGE, encoding="utf-8")
    cases = {
        "applies_to: 浦东新区\n": "applies_to 应写成",
        "valid_to: 2023-01-01\n": "早于生效日期",
        "policy_id: '--'\n": "文件编号",
    }
    for text, says in cases.items():
        meta = tmp_path / "m.yaml"
        meta.write_text(text, encoding="utf-8")
        out = _cli("add-document", str(page), "--meta", str(meta), "--publish", env_url=registry_url)
        assert out.returncode == 2 and says in out.stderr, (text, out.stderr)
        assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr


def test_a_given_title_gives_the_short_title_too():
    p = _proposal(overrides={"title": "长宁区关于支持数字经济企业发展的若干措施（试行）"})
    assert p.meta["short_title"].startswith("长宁区关于支持数字经济")


def test_export_to_a_file_path_says_why_in_one_line(tmp_path, registry_url):
    _stored(_proposal())
    target = tmp_path / "a-file"
    target.write_text("x")
    out = _cli("export-policies", "-o", str(target), env_url=registry_url)
    assert out.returncode == 2 and "无法写入" in out.stderr and "Traceback" not in out.stderr


def test_the_same_text_under_another_id_is_refused():
    _stored(_proposal(overrides={"doc_number": None}))
    with pytest.raises(RegistryError, match="同样内容的文件已在政策库中"):
        _stored(_proposal(overrides={"doc_number": None, "policy_id": "another-id"}))


def test_a_copy_in_traditional_characters_without_its_number_is_refused_as_the_same_document():
    """The same text in traditional characters and full-width digits, its 文号 line left out, was stored and
    published beside the first: enterprises got one measure twice with different rules (a break-it trial)."""
    import opencc

    _stored(_proposal())
    copy = opencc.OpenCC("s2t").convert(PAGE.replace("<p>黄府规〔2024〕3号</p>\n", "")).replace("2024", "２０２４")
    with pytest.raises(RegistryError, match=r"内容几乎相同（相同 \d+%"):
        _stored(_proposal(copy, overrides={"doc_number": None, "policy_id": "another-id"}))
    other = PAGE.replace("给予一次性奖励", "给予一次性奖励20万元").replace("房租补贴", "房租补贴和人才公寓")
    other = other.replace("加强组织领导。区科委牵头建立工作推进机制", "强化资金保障。区财政安排专项资金")
    assert documents._likeness(documents._shingles([copy]), documents._shingles([other])) < documents.NEAR_COPY


def test_a_document_exported_and_shipped_is_not_counted_twice(monkeypatch):
    policy_id = _stored(_proposal())
    shipped = load_policies()
    with db.transaction() as s:
        again = documents.staff_policies(s, len(shipped), skip=frozenset({policy_id}))
    assert again == []
