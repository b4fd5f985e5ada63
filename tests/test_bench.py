"""`bench --quick` as a smoke test (benchmarks are not timed tests; figures: docs/benchmarks.md)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from benchmarks.synthetic import synthetic_policies, synthetic_profiles
from recommender.corpus import load_policies
from recommender.paths import ROOT
from recommender.profile import parse_profile


def test_bench_quick_runs_and_prints_the_keys():
    out = subprocess.run(
        [sys.executable, "-m", "recommender", "bench", "--quick", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    parts = {"machine", "sizes", "cold_start", "first_run", "registry", "word_sheet", "self_check", "coverage_page"}
    assert parts | {"roster_batch", "targets"} <= data.keys()
    assert data["quick"] and [s["clauses"] for s in data["sizes"]] == [1000]
    size = data["sizes"][0]
    keys = [
        "generate_s",
        "build_s",
        "tokenize_cached_s",
        "bm25_fit_s",
        "rules_compile_s",
        "memory",
        "recommend",
        "recommend_all",
        "bm25",
    ]
    assert set(keys) <= size.keys()
    assert size["memory"]["rss_total_mb"] > 0 and size["memory"]["bm25_arrays_mb"] > 0
    assert 0 < size["recommend"]["p50_ms"] <= size["recommend"]["p95_ms"]
    bm25 = size["bm25"]
    assert {"ours_ms", "rank_bm25_ms", "speedup_vs_rank_bm25", "top10_identical"} <= bm25.keys()
    done, total = bm25["top10_identical"].split("/")
    assert done == total  # same top 10 as rank-bm25 on every query
    every = size["recommend_all"]  # every result, as the page asks, beside the vectorised table alone
    assert every["page"]["p95_ms"] > 0 and every["bound"]["p95_ms"] > 0 and every["page_over_bound_p95"] > 0
    assert data["cold_start"]["median_s"] > 0
    [registry] = data["registry"]
    assert registry["enterprises"] == 300 and registry["push_s"] > 0 and registry["push_over_bound"] > 0
    assert registry["audience_s"] > 0 and registry["audience_over_bound"] > 0
    check = data["self_check"]
    assert 0 < check["consult_s"] < check["bound_s"] and check["submit_s"] > 0
    page = data["coverage_page"]
    for key in ("first_render", "widget_change", "whatif"):
        assert page[f"{key}_s"] > 0 and page[f"{key}_bound_s"] > 0 and page[f"{key}_ratio"] > 0, key
    assert all({"target", "value", "limit", "met"} <= t.keys() for t in data["targets"])
    runs = data["roster_batch"]
    assert [(r["rows"], r["sheets"]) for r in runs] == [(100, False), (400, False), (100, True)]
    for r in runs:
        assert r["returncode"] == 0 and "已写入" in r["stdout"]
        assert 0 < r["first_progress_s"] <= r["first_matching_s"] < r["wall_s"]  # drawn on a terminal
        # the Excel batches run twice: the figure is their median, the fastest and every run beside it
        assert len(r["walls_s"]) == (1 if r["sheets"] else 2)
        assert r["best_wall_s"] == min(r["walls_s"]) <= r["wall_s"] <= max(r["walls_s"])
        assert r["peak_rss_mb"] > 0 and r["bound_s"] > 0 and r["wall_over_bound"] > 0
        assert r["match_ms_per_row"] > 0 and r["write_ms_per_row"] > 0
        # the machine's bound counts the speedup its cores gave, at most one per core: never below the bound
        assert 0 < r["cores_speedup"] <= (os.cpu_count() or 1) and r["machine_bound_s"] >= r["bound_s"]
    table = subprocess.run(
        [sys.executable, "-c", f"from benchmarks.report import format_table; print(format_table({data!r}))"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert table.returncode == 0, table.stderr
    assert "用户实际运行的操作" in table.stdout and "÷下界" in table.stdout
    assert "batch 各运行多次，实测为中位数" in table.stdout
    assert len(re.findall(r"2 次 [0-9.]+、[0-9.]+ s，最快", table.stdout)) == 2  # the two Excel batches' runs


def test_bench_table_and_bad_sizes():
    out = subprocess.run(
        [sys.executable, "-m", "recommender", "bench", "--sizes", "1000,x"], capture_output=True, text=True, cwd=ROOT
    )
    assert out.returncode == 2 and "--sizes" in out.stderr and out.stderr.count("\n") == 1


def test_synthetic_corpus_is_seeded_and_realistic():
    a, b = synthetic_policies(500, seed=1), synthetic_policies(500, seed=1)
    clauses = [c for p in a for c in p.clauses]
    assert len(clauses) == 500
    assert [c.text for c in clauses] == [c.text for p in b for c in p.clauses]
    assert [c.text for c in clauses] != [c.text for p in synthetic_policies(500, seed=2) for c in p.clauses]
    real = [c for p in load_policies() for c in p.clauses]
    real_rules = {tuple(x.model_dump_json() for x in c.eligibility) for c in real}
    assert all(tuple(x.model_dump_json() for x in c.eligibility) in real_rules for c in clauses)
    real_text = "".join(c.text for c in real)
    assert all(s in real_text for c in clauses[:50] for s in re.findall(r"[^。；]+[。；]?", c.text))
    assert {"measure", "internal"} <= {c.kind for c in clauses} <= {"measure", "lead", "internal"}
    profiles = [parse_profile(p) for p in synthetic_profiles(200)]
    assert len({p.region for p in profiles}) > 10


def test_word_sheet_bench_gives_the_sheet_and_its_lower_bound():
    from benchmarks.word_sheet import bench_word_sheet

    data = bench_word_sheet(3)
    assert data["sheets"] == 3 and data["paragraphs_p50"] > 50 and data["first_sheet_ms"] > 0
    for key in ("sheet_ms", "bound_ms", "python_docx_open_save_ms", "zip_ms"):
        assert 0 < data[key]["p50"] <= data[key]["p95"], key
    assert data["sheet_over_bound"] == round(data["sheet_ms"]["p50"] / data["bound_ms"]["p50"], 1)


def test_registry_bench_reports_push_and_audience_beside_their_lower_bounds():
    from benchmarks.registry import bench_registry

    got = bench_registry(40)
    kept = ["import_s", "reimport_unchanged_s", "push_s", "changed_clauses", "push_items", "audience_s", "audience"]
    bounds = ["fetch_s", "profiles_s", "push_statuses_s", "audience_statuses_s", "push_bound_s", "audience_bound_s"]
    assert set(kept + bounds + ["audience_fetch_s"]) <= got.keys() and got["enterprises"] == 40
    assert got["changed_clauses"] > 0 and got["push_items"] > 0 and got["audience"] > 0
    for name, fetch in (("push", "fetch_s"), ("audience", "audience_fetch_s")):
        bound = got[fetch] + got[f"{name}_statuses_s"]
        assert got[f"{name}_bound_s"] == bound > 0
        assert got[f"{name}_over_bound"] == round(got[f"{name}_s"] / bound, 2)
