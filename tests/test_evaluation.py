"""Evaluation: metric functions, the labelled set, the evaluate command, tuning, the notebook."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time

import pytest

from recommender.corpus import is_valid
from recommender.engine import Recommender
from recommender.evalset import EVAL, load_cases
from recommender.evaluation import (
    COMPONENTS,
    EligibilityCounts,
    dcg,
    eligibility_counts,
    folds_of,
    ndcg_at_k,
    prepare,
    recall_at_k,
    reciprocal_rank,
    rerank,
    run_cases,
    summarize,
    weight_grid,
)
from recommender.paths import ROOT
from recommender.vocab import REGIONS
from recommender.yamlio import DataError

# --- metrics on hand-made rankings ---------------------------------------------------------------


def test_dcg_and_ndcg_by_hand():
    assert dcg([2, 0, 1]) == pytest.approx(3 / math.log2(2) + 0 + 1 / math.log2(4))
    grades = {"a": 2, "b": 1, "x": 0}
    assert ndcg_at_k(["a", "b", "c"], grades) == pytest.approx(1.0)
    worse = ndcg_at_k(["b", "a"], grades)
    assert worse == pytest.approx((1 + 3 / math.log2(3)) / (3 + 1 / math.log2(3)))
    assert ndcg_at_k(["x", "c"], grades) == 0.0
    assert ndcg_at_k(["c", "d", "a"], grades, k=2) == 0.0
    assert ndcg_at_k(["a"], {"x": 0}) is None  # nothing relevant: undefined, left out of means


def test_recall_and_reciprocal_rank_by_hand():
    relevant = {"a", "b", "c", "d"}
    ranking = ["x", "a", "y", "b", "z", "c"]
    assert recall_at_k(ranking, relevant, 5) == pytest.approx(0.5)
    assert recall_at_k(ranking, relevant, 10) == pytest.approx(0.75)
    assert reciprocal_rank(ranking, relevant) == pytest.approx(0.5)
    assert reciprocal_rank(["x", "y"], relevant) == 0.0
    assert recall_at_k(ranking, set(), 5) is None and reciprocal_rank(ranking, set()) is None


def test_eligibility_counts_by_hand():
    truth = {"a": True, "b": False, "f": False}
    counts = eligibility_counts(["a", "b", "f", "u"], truth, forbidden={"f"})
    assert counts.astuple() == (4, 3, 1, 1)
    assert counts.precision == pytest.approx(1 / 3)
    assert EligibilityCounts().precision is None
    assert counts.add(counts).astuple() == (8, 6, 2, 2)


def test_weight_grid_and_folds():
    grid = weight_grid(0.1)
    assert len(grid) == math.comb(10 + 3, 3) and all(abs(sum(w) - 1) < 1e-9 and min(w) >= 0 for w in grid)
    assert len(weight_grid(0.5)) == math.comb(2 + 3, 3)


# --- the labelled set ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def engine() -> Recommender:
    return Recommender.load()


@pytest.fixture(scope="module")
def cases(engine):
    return load_cases(clauses=engine.clauses)


def test_labelled_set_is_large_and_covers_every_area(cases, engine):
    assert len(cases) >= 40
    regions = {c.profile.region for c in cases}
    parks = " ".join(c.profile.park or "" for c in cases)
    for doc in engine.documents.values():
        assert not doc.applies_to.regions or set(doc.applies_to.regions) & regions, doc.policy_id
        assert all(p in parks for p in doc.applies_to.parks), doc.policy_id
        # each document has cases judging its measures while it is in force
        judged = [c for c in cases for lb in c.labels if lb.clause.startswith(doc.policy_id + "/") and lb.grade > 0]
        assert any(is_valid(doc, c.as_of) for c in judged), doc.policy_id
    covered = {r for d in engine.documents.values() for r in d.applies_to.regions}
    assert regions - covered - {"上海市外"}, "no case from a district that no document covers"
    assert "上海市外" in regions
    assert {c.profile.stage for c in cases} >= {"初创期", "成长期", "成熟期", "拟上市"}
    assert len({c.profile.industry_category for c in cases}) >= 8
    assert len({n for c in cases for n in c.profile.needs or []}) >= 12


def test_labels_are_explained_and_consistent(cases, engine):
    documents = engine.documents
    by_id = {c.id: c for c in engine.clauses}
    for case in cases:
        assert any(lb.grade == 0 for lb in case.labels), case.id
        for label in case.labels:
            assert len(label.why) >= 4
            if label.grade == 0:
                assert not label.truly_eligible
            elif label.truly_eligible:  # a measure the enterprise may use must be in force
                assert is_valid(documents[by_id[label.clause].policy_id], case.as_of), (case.id, label.clause)
    assert len(cases) == len({c.id for c in cases})


def test_bad_label_names_file_and_line(tmp_path, engine):
    bad = (EVAL / "xuhui.yaml").read_text(encoding="utf-8").replace("xh-kczx-2015/c7.s3.p2", "xh-kczx-2015/nope", 1)
    (tmp_path / "x.yaml").write_text(bad, encoding="utf-8")
    with pytest.raises(DataError, match=r"x\.yaml:\d+: 条款 xh-kczx-2015/nope 不存在"):
        load_cases(tmp_path, clauses=engine.clauses)
    text = (EVAL / "xuhui.yaml").read_text(encoding="utf-8")
    internal = text.replace("xh-kczx-2015/c7.s3.p2", "xh-kczx-2015/c1.s1.p1", 1)
    (tmp_path / "x.yaml").write_text(internal, encoding="utf-8")
    with pytest.raises(DataError, match="内部任务"):
        load_cases(tmp_path, clauses=engine.clauses)


# --- the evaluation ----------------------------------------------------------------------------------


def test_evaluate_command_json():
    out = subprocess.run(
        [sys.executable, "-m", "recommender", "evaluate", "--format", "json"], capture_output=True, text=True, cwd=ROOT
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["cases"] >= 40 and data["k"] == 10
    names = [c["name"] for c in data["configurations"]]
    assert names == ["rules", "bm25", "hybrid", "no_leads", "raw_query", "hybrid_plain"]
    for config in data["configurations"]:
        for key in ["ndcg_at_10", "recall_at_5", "recall_at_10", "mrr", "eligibility_precision"]:
            assert 0 <= config[key] <= 1, (config["name"], key)
        assert config["forbidden_shown_as_eligible"] >= 0 and config["cases"] == data["cases"]
    hybrid = next(c for c in data["configurations"] if c["name"] == "hybrid")
    assert hybrid["ndcg_at_10"] >= 0.8  # a floor well below today's figure (docs/evaluation.md)


def test_evaluate_bad_options_exit_2_with_one_line():
    for args in (["--tune", "--folds", "1"], ["--tune", "--step", "0.3"]):
        out = subprocess.run(
            [sys.executable, "-m", "recommender", "evaluate", *args], capture_output=True, text=True, cwd=ROOT
        )
        assert out.returncode == 2 and out.stderr.count("\n") == 1 and args[1] in out.stderr


def test_reranking_for_tuning_is_the_engines_ranking(engine, cases):
    weights = tuple(engine.ranking["weights"][c] for c in COMPONENTS)
    prepared = prepare(engine, cases)
    fast = [rerank(p, weights) for p in prepared]
    real = run_cases(engine, cases)
    assert [r.ranking for r in fast] == [r.ranking for r in real]
    assert [r.shown_eligible for r in fast] == [r.shown_eligible for r in real]
    assert summarize(fast) == summarize(real)
    other = (0.2, 0.3, 0.4, 0.1)
    weights = dict(zip(COMPONENTS, other, strict=True))
    with_other = run_cases(engine.with_ranking({**engine.ranking, "weights": weights}), cases)
    assert [rerank(p, other).ranking for p in prepared] == [r.ranking for r in with_other]


def test_folds_partition_the_cases_and_are_stratified(cases):
    folds = folds_of(cases, 5, seed=0)
    assert sorted(i for f in folds for i in f) == list(range(len(cases)))
    assert max(map(len, folds)) - min(map(len, folds)) <= 1
    assert folds == folds_of(cases, 5, seed=0)
    jinshan = {i for i, c in enumerate(cases) if c.profile.region == "金山区"}
    assert all(jinshan & set(f) for f in folds)  # every fold has cases of a large area


def test_tuning_never_chooses_on_the_held_out_fold(engine, cases, monkeypatch):
    from recommender import evaluation

    seen: list[set[str]] = []
    real = evaluation.choose_weights

    def spy(prepared, grid, prefer):
        seen.append({p.case.id for p in prepared})
        return real(prepared, grid, prefer)

    monkeypatch.setattr(evaluation, "choose_weights", spy)
    subset = cases[:20]
    result = evaluation.tune(engine, subset, n_folds=4, step=0.5)
    folds = evaluation.folds_of(subset, 4, seed=0)
    assert len(seen) == 5  # one choice per fold, then one on all cases
    for chosen_on, test in zip(seen, folds, strict=False):
        assert chosen_on.isdisjoint({subset[i].id for i in test})
        assert len(chosen_on) == len(subset) - len(test)
    assert seen[-1] == {c.id for c in subset}
    assert abs(sum(result.weights.values()) - 1) < 1e-9 and result.grid_size == 10
    assert result.held_out["cases"] == len(subset) and len(result.folds) == 4


def test_regions_in_cases_are_known(cases):
    assert {c.profile.region for c in cases} <= set(REGIONS)


# --- the notebook ------------------------------------------------------------------------------------


def test_notebook_executes():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(ROOT / "notebooks" / "evaluation.ipynb", as_version=4)
    start = time.perf_counter()
    nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "notebooks")}}
    ).execute()
    assert time.perf_counter() - start < 60
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    charts = [o for o in outputs if "data" in o and any("vega" in str(v) for v in o["data"].values())]
    assert charts, "the ablation chart is drawn"
