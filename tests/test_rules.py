"""Rule shapes as YAML cases, and the curated corpus rules on real clauses."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from recommender.corpus_models import AppliesTo, Clause, Condition, DocumentMeta, Provenance
from recommender.eligibility.facts import Facts
from recommender.eligibility.verdict import evaluate
from recommender.profile import parse_profile

HERE = Path(__file__).parent / "rules"


def _cases(name: str):
    for block in yaml.safe_load((HERE / name).read_text(encoding="utf-8")):
        for i, case in enumerate(block["cases"]):
            yield pytest.param(block, case, id=f"{block['shape']}-{i}")


def _document(applies_to: dict) -> DocumentMeta:
    return DocumentMeta(
        policy_id="test-doc",
        title="测试文件",
        short_title="测试",
        issuer="测试",
        valid_from=dt.date(2020, 1, 1),
        applies_to=AppliesTo(**applies_to),
    )


@pytest.mark.parametrize(("block", "case"), list(_cases("shapes.yaml")))
def test_rule_shape(block, case):
    clause = Clause(
        id="test-doc/c1.p1",
        policy_id="test-doc",
        text="测试条款",
        provenance=Provenance(file="x", lines=(1, 1)),
        kind="measure",
        eligibility=[Condition(**c) for c in block["eligibility"]],
    )
    profile = parse_profile({"name": "测试企业", **case["profile"]})
    as_of = dt.date.fromisoformat(str(case.get("as_of", "2024-06-30")))
    verdict = evaluate(clause, _document(block["document"]), Facts(profile, as_of))
    assert verdict.status == case["status"], [g.message for g in verdict.gaps]
    if "unlocks_with" in case:
        assert verdict.unlocks_with == case["unlocks_with"]
    if verdict.status != "eligible":
        assert verdict.gaps and all(g.message and g.field and g.required for g in verdict.gaps)
    if verdict.status == "eligible" and block["eligibility"]:
        assert verdict.reasons and all("“" in r or "《" in r for r in verdict.reasons)
