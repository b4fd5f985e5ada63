"""Phrase sets (the shape of the blind sets): scoring, file errors, the command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from recommender.paths import ROOT
from recommender.phrase_eval import PhraseCase, load_phrase_cases, score_case
from recommender.text_clean import squeeze
from recommender.yamlio import DataError

CASE = {
    "id": "t1",
    "as_of": "2024-06-30",
    "profile": {"name": "甲", "region": "浦东新区"},
    "expect": [{"phrase": "首次认定、新引进的", "within": 5}, {"phrase": "房租减免", "within": 10}],
    "forbidden": [{"phrase": "浦东创新贷"}],
}


def _result(text: str, status: str = "eligible", valid: bool = True) -> dict:
    return {"text": text, "status": status, "valid": valid}


def test_phrases_compare_without_punctuation_spaces_or_traditional_characters():
    assert squeeze("對注冊在浦東新區首次認定、新引進的 高新技術企業") == "对注册在浦东新区首次认定新引进的高新技术企业"
    assert squeeze("ＧＯＩ专属展区") == "GOI专属展区"


def test_an_expectation_counts_only_within_its_rank_and_a_forbidden_only_when_applicable_and_valid():
    case = PhraseCase.model_validate(CASE)
    results = [_result(f"无关条款{i}") for i in range(4)]
    results += [_result("对首次认定，新引进的企业予以资助"), _result("浦东创新贷", "unknown")]
    results += [_result("浦东创新贷", "partial", valid=False), _result("房租减免"), _result("浦东创新贷", "partial")]
    out = score_case(case, results)
    assert out.met == 2 and not out.missed
    assert out.forbidden_shown == [("浦东创新贷", 9, "partial")]
    late = score_case(case, [_result("x")] * 5 + [_result("首次认定新引进的")])
    assert late.met == 0 and ("首次认定、新引进的", 5, 6) in late.missed


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ("{not json", ":1:"),
        (json.dumps({**CASE, "expect": [{"phrase": "房租减免", "within": 11}]}), ":1:"),
        ("\n" + json.dumps({k: v for k, v in CASE.items() if k != "as_of"}), ":2:"),
        ("", "没有用例"),
        (json.dumps({**CASE, "expect": [{"phrase": "！！", "within": 5}]}), "不足两个字"),
        (json.dumps({**CASE, "expect": [{"phrase": "房租减免", "within": True}]}), "应为整数"),
        ("[1, 2]", "应为 JSON 对象"),
        ("[" * 100000, "不是有效的 JSON"),
        (json.dumps({**CASE, "id": "\ud800"}), "无法编码"),
        (json.dumps(CASE) + "\n" + json.dumps(CASE), ":2: 用例 id t1 重复"),
    ],
)
def test_a_bad_file_names_the_file_and_line(tmp_path: Path, content: str, where: str):
    path = tmp_path / "set.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=where):
        load_phrase_cases(path)


def test_the_command_scores_every_configuration_and_a_refused_profile_misses(tmp_path: Path):
    refused = {**CASE, "id": "t2", "profile": {"name": "乙", "region": "北京市朝阳区"}}
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in [CASE, refused]), encoding="utf-8")
    cmd = [sys.executable, "-m", "recommender", "evaluate", "--phrases", str(path), "--format", "json"]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    hybrid = next(c for c in data["configurations"] if c["name"] == "hybrid")
    assert hybrid["expectations"] == 4 and "t2" in hybrid["refused"]
    assert {"no_leads", "raw_query", "rules", "bm25"} <= {c["name"] for c in data["configurations"]}
    for name in ["missing.jsonl", ""]:  # a file that is not there, a directory
        bad = subprocess.run([*cmd[:5], str(tmp_path / name)], capture_output=True, text=True, cwd=ROOT)
        assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1, bad.stderr
        assert str(tmp_path) in bad.stderr
