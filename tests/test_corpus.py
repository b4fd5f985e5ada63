"""The clause corpus: clean text, provenance, stable ids, curation, table-only measures."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import opencc
import pytest

from recommender.ingest import build_corpus, write_corpus
from recommender.ingest.clean import LOST_MARK, mark_lost
from recommender.paths import CLAUSES, ROOT

PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7}\)|（[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7}）")
HTML = re.compile(r"</?[a-zA-Z]+[^>]*>")
SPAM_OR_FOOTER = [
    "成人免费",
    "AV网址",
    "中文字幕",
    "精品综合",
    "声明：",
    "版权归原作者",
    "广告合作",
    "025-847",
    "首页",
    "长三角观察",
    "收藏",
]
HEADER_WORDS = ["序号", "专项任务", "工作内容", "责任单位", "三个服务", "相关行动", "改革事项", "具体举措", "时间节点"]
PAGE_HEADER = "徐汇区发布《关于加快建设具有全球影响力的科技创新中心的实施意见》"


def _texts(clause):
    yield clause.text
    if clause.title:
        yield clause.title
    for item in clause.table_items:
        yield item.text


def test_corpus_command_lists_six_documents_with_metadata():
    out = subprocess.run(
        [sys.executable, "-m", "recommender", "corpus", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    data = json.loads(out.stdout)
    docs = {d["policy_id"]: d for d in data["documents"]}
    assert len(docs) == 6
    assert docs["pd-goi-2023"]["doc_number"] == "浦科经委〔2023〕78号"
    assert docs["pd-hnte-2023"]["issued"] == "2023-05-08"
    assert docs["js-yingshang-2022"]["doc_number"] == "金府办发〔2022〕7号"
    assert docs["xh-kczx-2015"]["issued"] == "2015-08-14"
    assert docs["xh-kczx-2015"]["doc_number"] == "徐委〔2015〕15号"
    # 003 reports two documents; it gives neither 文号 nor exact date, and we say so
    assert docs["zj-opinions-2023"]["issuer"] == "上海市人民政府办公厅"
    assert docs["zj-action-2023"]["issuer"] == "张江高新区管委会"
    assert docs["zj-action-2023"]["doc_number"] is None and docs["zj-action-2023"]["issued"] is None
    for d in docs.values():
        assert d["title"] and d["issuer"] and d["valid_from"] and d["clauses"] > 0
        assert "valid_to" in d
    assert data["clauses"] == sum(d["clauses"] for d in docs.values())


def test_no_pinyin_traditional_html_spam_or_headers(clauses):
    t2s = opencc.OpenCC("t2s")
    for clause in clauses:
        for text in _texts(clause):
            assert not PINYIN.search(text), (clause.id, text)
            assert t2s.convert(text) == text, (clause.id, text)
            assert not HTML.search(text), (clause.id, text)
            assert "**" not in text and "|" not in text and not text.startswith("#"), (clause.id, text)
            assert PAGE_HEADER not in text, clause.id
            for word in SPAM_OR_FOOTER:
                assert word not in text, (clause.id, word)
            assert not any(text.startswith(w) for w in HEADER_WORDS), (clause.id, text)


def test_lost_characters_are_flagged_not_hidden(clauses):
    lost = [c for c in clauses if LOST_MARK in c.text]
    assert len(lost) == 3, "003 loses characters in three clauses; they must stay visible"
    assert all(any("字符丢失" in f for f in c.flags) for c in lost)


def test_no_damaged_text_reaches_a_reader_unmarked(clauses):
    # "??", a lone "?" or pinyin left by the damaged 003 spans: each must be inside a 〔原文缺字〕 mark
    pinyin = re.compile(r"[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7}[)）]")
    for clause in clauses:
        for text in (clause.text, clause.title or ""):
            assert "?" not in text and "\ufffd" not in text, (clause.id, text)
            assert not pinyin.search(text), (clause.id, text)


@pytest.mark.parametrize(
    ("damaged", "shown"),
    [
        ("服务支撑高??萍汲晒?D化和师生创新创业", "服务支撑高〔原文缺字〕化和师生创新创业"),
        ("合成科学等领域?qū）崿F更多创新突破", "合成科学等领域〔原文缺字〕更多创新突破"),
        ("重点园区集中连片开发，规?；?、集约化运营", "重点园区集中连片开发，规〔原文缺字〕、集约化运营"),
        ("GOI企业?", "GOI企业〔原文缺字〕"),
        ("支持AI企业和IC设计", "支持AI企业和IC设计"),
    ],
)
def test_damaged_spans_are_marked_whole(damaged, shown):
    assert mark_lost(damaged) == shown


def test_every_clause_has_provenance_in_its_source(clauses):
    for clause in clauses:
        path = ROOT / clause.provenance.file
        assert path.exists(), clause.id
        first, last = clause.provenance.lines
        n_lines = len(path.read_text(encoding="utf-8").split("\n"))
        assert 1 <= first <= last <= n_lines, clause.id


def test_ids_are_unique_and_stable_across_builds(tmp_path, clauses):
    ids = [c.id for c in clauses]
    assert len(ids) == len(set(ids))
    rebuilt = [c.id for p in build_corpus() for c in p.clauses]
    assert rebuilt == ids


def test_committed_corpus_is_what_ingest_builds(tmp_path):
    write_corpus(build_corpus(), tmp_path / "clauses")
    for path in sorted(CLAUSES.glob("*.yaml")):
        assert (tmp_path / "clauses" / path.name).read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), (
            f"{path.name} is stale: run python -m recommender ingest"
        )


def test_003_is_split_into_its_two_documents(policies):
    by_policy = {p.document.policy_id: p for p in policies}
    opinions = " ".join(c.text for c in by_policy["zj-opinions-2023"].clauses)
    action = " ".join(c.text for c in by_policy["zj-action-2023"].clauses)
    assert "强化市级统筹" in " ".join(c.title or "" for c in by_policy["zj-opinions-2023"].clauses)
    assert "概念验证中心支持政策" in action and "概念验证中心支持政策" not in opinions
    assert all(c.provenance.file.endswith("003_1792129fb4706fd3.txt") for c in by_policy["zj-action-2023"].clauses)


def test_departments_and_time_nodes_are_fields_not_text(by_id, clauses):
    article = by_id["pd-goi-2023/c2.s1.a2"]
    assert article.lead_departments == ["区科经委"]
    assert "区商务委" in article.support_departments
    assert all("（牵头部门：" not in c.text for c in clauses)
    jinshan = [c for c in clauses if c.policy_id == "js-yingshang-2022" and c.deadline]
    assert any("12月" in c.deadline for c in jinshan)


def test_quantitative_targets_are_structured(by_id):
    targets = by_id["pd-hnte-2023/c2.s1.a3"].targets
    assert any(t.value == 100 and t.unit == "家" and t.op == ">=" and "导入优质企业" in t.text for t in targets)


def test_table_rows_link_to_articles_and_table_only_measures_survive(by_id, clauses):
    rent = by_id["pd-hnte-2023/t10"]
    assert "房租减免" in rent.text
    assert rent.refines == "pd-hnte-2023/c2.s1.a3"
    assert rent.kind == "measure" and "场地空间" in rent.benefits
    # a row that only repeats its article is folded in, with its departments, not lost
    goi13 = by_id["pd-goi-2023/c2.s4.a13"]
    assert any("浦东创新贷" in item.text for item in goi13.table_items)
    # the repeated "(20)" of the 高企 table keeps both rows (both fold into article 5, which is
    # split into sub-measures: each row goes to the part it repeats)
    parts = [c for c in clauses if c.part_of == "pd-hnte-2023/c2.s1.a5"]
    labels = [item.label for part in parts for item in part.table_items]
    assert labels.count("（20）") == 2


def test_department_names_cut_at_cell_edges_are_mended(by_id):
    row = by_id["pd-hnte-2023/t2"]
    assert "自贸区各管理局" in row.lead_departments and "度假区管委会" in row.lead_departments


def test_every_seed_clause_is_curated(clauses):
    missing = [c.id for c in clauses if not c.curated]
    assert not missing, f"{len(missing)} clauses lack a curated annotation, e.g. {missing[:5]}"
    for clause in clauses:
        assert clause.kind in {"measure", "lead", "internal"}
        assert "“" in (clause.note or ""), f"{clause.id}: the note quotes the sentence the decision rests on"
        if clause.kind in {"measure", "lead"}:
            assert clause.benefits, clause.id
            assert 2 <= len(clause.phrasings) <= 6, f"{clause.id}: an enterprise's words for it (phrasings)"
        for cond in clause.eligibility:
            assert cond.quote, clause.id


def test_no_housekeeping_is_shown_as_part_of_a_measure_or_lead(clauses):
    # a clause mixing publicity or assessment with an offer is split: only the offer is shown
    housekeeping = re.compile("宣传报道|专栏|考核|督查|舆论引导")
    for clause in clauses:
        if clause.kind != "internal":
            assert not housekeeping.search(clause.text), clause.id


def test_audited_clauses_serve_the_right_audience(by_id):
    # found by the audit of the hidden clauses (issue 18): these serve enterprises
    for clause_id in ["js-yingshang-2022/c2.s2.g5.p1", "js-yingshang-2022/c2.s2.g4.p2", "zj-opinions-2023/c5.p3"]:
        assert by_id[clause_id].kind in {"measure", "lead"}, clause_id
    # 配套资助 is for 立项项目 only: never a plain 可申请
    grant = next(c for c in by_id.values() if c.part_of == "js-yingshang-2022/c2.s3.g9.p3" and "配套资助" in c.text)
    assert any("立项" in str(c.value) for c in grant.eligibility), "the 立项项目 limit is a condition"
    # "鼓励多元主体参与": 人工智能 is not a hard industry condition
    assert not any(c.field == "industry" and c.is_hard for c in by_id["zj-action-2023/c6.p3"].eligibility)
    # one article, several audiences: split into sub-measures with their own rule
    for clause_id in ["pd-hnte-2023/c2.s1.a5", "pd-hnte-2023/c2.s1.a4", "pd-goi-2023/c2.s5.a14"]:
        parts = [c for c in by_id.values() if c.part_of == clause_id]
        assert len(parts) >= 2 and clause_id not in by_id, clause_id
        assert all(p.provenance == parts[0].provenance for p in parts), clause_id


@pytest.mark.parametrize(
    "clause_id", ["pd-hnte-2023/c2.s4.a19", "pd-hnte-2023/c2.s3.a12#a", "js-yingshang-2022/c2.s3.g7.p1"]
)
def test_key_measures_are_measures(by_id, clause_id):
    assert by_id[clause_id].kind == "measure"


def test_internal_tasks_are_internal(by_id):
    for clause_id in ["pd-goi-2023/c3.a19", "pd-goi-2023/c3.a22", "xh-kczx-2015/c10.s1.p1"]:
        assert by_id[clause_id].kind == "internal", clause_id


def test_sources_are_the_seeds_unchanged():
    """The source texts are the seed documents byte for byte (SHA-256 of ../shared/seeds in tests/seeds.sha256)."""
    lines = (Path(__file__).parent / "seeds.sha256").read_text(encoding="utf-8").split("\n")
    digests = dict(line.split()[::-1] for line in lines if line.strip())
    assert len(digests) == 5
    for name, digest in digests.items():
        assert hashlib.sha256((ROOT / "policies" / "sources" / name).read_bytes()).hexdigest() == digest, name


def test_build_does_not_depend_on_hash_seed():
    script = (
        "import json;from recommender.ingest import build_corpus;"
        "print(json.dumps([p.model_dump(mode='json') for p in build_corpus()], ensure_ascii=False))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "3")
    }
    assert len(outputs) == 1


@pytest.mark.parametrize(
    ("parts", "error"),
    [
        ({"a": "对已认定的高新技术企业持续做好跟踪服务", "b": "   "}, "text"),
        ({"a": "对已认定的高新技术企业持续做好跟踪服务"}, "只有一个分项"),
        ({"a#b": "对已认定", "c": "跟踪服务"}, "分项的键"),
        ({"a": "对已认定的高新技术企业", "b": "对已认定的高新技术企业"}, "不重不漏"),
        ({"a": "对已认定的高新技术企业", "b": "并非原文"}, "分项 b 的 text 不是该条原文中的句子"),
        ({"a": "对已认定的高新技术企业", "b": "持续做好跟踪服务。"}, "整句"),
        ({"a": "对已认定的高新技术企业 持续做好", "b": "跟踪服务。"}, "不是该条原文"),
    ],
)
def test_parts_must_make_up_their_clause_exactly(by_id, parts, error):
    from pydantic import ValidationError

    from recommender.corpus_models import Annotation
    from recommender.ingest.build import apply_annotation
    from recommender.yamlio import DataError

    clause = by_id["pd-hnte-2023/c2.s1.a6"].model_copy(update={"text": "对已认定的高新技术企业持续做好跟踪服务。"})
    note = {"kind": "measure", "note": "“…”：测试", "parts": {}}
    note["parts"] = {k: {"text": t, "kind": "measure", "note": "“…”：测试"} for k, t in parts.items()}
    with pytest.raises((ValidationError, DataError), match=error):
        apply_annotation(clause, Annotation.model_validate(note))
