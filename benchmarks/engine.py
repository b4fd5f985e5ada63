"""Engine timings on a synthetic corpus of N clauses: index build, memory, recommend latency, BM25.

Also the CLI's cold start and what a first run pays to fill .cache/, both on the real corpus.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from recommender.paths import ROOT

from .synthetic import AS_OF, synthetic_policies, synthetic_profiles


def _rss_mb() -> dict[str, float]:
    """Resident memory now and at its peak (Linux /proc; falls back to getrusage)."""
    try:
        text = Path("/proc/self/status").read_text()
        values = {
            k: int(v.split()[0]) / 1024
            for k, v in (line.split(":", 1) for line in text.splitlines())
            if k in {"VmRSS", "VmHWM"}
        }
        return {"rss_mb": round(values["VmRSS"], 1), "peak_rss_mb": round(values["VmHWM"], 1)}
    except (OSError, KeyError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return {"rss_mb": round(peak, 1), "peak_rss_mb": round(peak, 1)}


def _percentiles(seconds: list[float]) -> dict[str, float]:
    ms = np.array(seconds) * 1000
    return {"p50_ms": round(float(np.percentile(ms, 50)), 3), "p95_ms": round(float(np.percentile(ms, 95)), 3)}


def same_top(a: np.ndarray, b: np.ndarray, k: int = 10, tol: float = 1e-9) -> bool:
    """Whether two score vectors give the same top-k, up to ties (equal within ``tol``)."""
    from recommender.bm25 import top_k

    ta, tb = top_k(a, k), top_k(b, k)
    if np.array_equal(ta, tb):
        return True
    # the same scores rank by rank, and any swapped document is tied with what it swapped with
    if not np.allclose(a[ta], b[tb], rtol=0, atol=tol):
        return False
    return bool(np.allclose(a[tb], a[ta], rtol=0, atol=tol) and np.allclose(b[ta], b[tb], rtol=0, atol=tol))


def bench_size(n: int, quick: bool = False, seed: int = 0) -> dict[str, Any]:
    """One corpus size: build, memory, recommend latency, BM25 against rank-bm25 and bm25s."""
    import gc

    from recommender.eligibility.matrix import RuleMatrix
    from recommender.engine import Recommender, clause_text
    from recommender.profile import parse_profile

    out: dict[str, Any] = {"clauses": n}
    base = _rss_mb()["rss_mb"]
    t = time.perf_counter()
    policies = synthetic_policies(n, seed)
    out["generate_s"] = round(time.perf_counter() - t, 3)
    gc.collect()
    corpus_rss = _rss_mb()["rss_mb"]

    t = time.perf_counter()
    engine = Recommender(policies)  # tokenize (cold caches) + BM25 fit + rules compile
    out["build_s"] = round(time.perf_counter() - t, 3)
    gc.collect()
    mem = _rss_mb()
    from recommender.bm25 import BM25Index
    from recommender.text import analyzer

    a = analyzer(True)
    t = time.perf_counter()
    tokens = [a.tokens(clause_text(c)) for c in engine.clauses]
    out["tokenize_cached_s"] = round(time.perf_counter() - t, 3)
    t = time.perf_counter()
    BM25Index().fit(tokens)
    out["bm25_fit_s"] = round(time.perf_counter() - t, 3)
    t = time.perf_counter()
    RuleMatrix(engine.clauses, engine.documents, engine._measure_idx)
    out["rules_compile_s"] = round(time.perf_counter() - t, 3)
    idx = engine.index
    index_bytes = idx.data_.nbytes + idx.indices_.nbytes + idx.indptr_.nbytes
    rules = engine.rules_
    rule_bytes = (
        rules.rule_conds.nbytes + rules.rule_hard.nbytes + rules.rule_specific.nbytes + rules.clause_rule.nbytes
    )
    out["memory"] = {
        "rss_before_mb": base,
        "rss_corpus_mb": round(corpus_rss - base, 1),
        "rss_index_mb": round(mem["rss_mb"] - corpus_rss, 1),
        "rss_total_mb": mem["rss_mb"],
        "peak_rss_mb": mem["peak_rss_mb"],
        "bm25_arrays_mb": round(index_bytes / 2**20, 1),
        "rule_arrays_mb": round(rule_bytes / 2**20, 2),
        "distinct_conditions": len(rules.conditions),
        "distinct_rules": len(rules.rule_conds),
        "vocabulary": len(idx.vocab_),
    }

    profiles = [parse_profile(p) for p in synthetic_profiles(100 if quick else 500, seed + 1)]
    for p in profiles[:20]:
        engine.recommend(p, top=10, as_of=AS_OF)  # warm
    seconds = []
    for p in profiles:
        t = time.perf_counter()
        engine.recommend(p, top=10, as_of=AS_OF)  # rules, scoring, reasons and gaps of the top 10
        seconds.append(time.perf_counter() - t)
    out["recommend"] = {"profiles": len(profiles), **_percentiles(seconds)}
    out["recommend_all"] = _bench_all_results(engine, profiles)

    # BM25 scoring: ours against rank-bm25 (reference; slow, so on a few queries) and bm25s
    queries = [engine.query_terms(p) for p in profiles]
    few = queries[: (5 if quick else 10 if n >= 100_000 else 20)]

    def times_ms(score: Any, qs: list[list[str]]) -> list[float]:
        times = []
        for q in qs:
            t = time.perf_counter()
            score(q)
            times.append((time.perf_counter() - t) * 1000)
        return times

    def median_ms(score: Any, qs: list[list[str]]) -> float:
        return statistics.median(times_ms(score, qs))

    ours = times_ms(engine.index.scores, queries)
    bm25: dict[str, Any] = {
        "queries": len(queries),
        "ours_ms": round(statistics.median(ours), 4),
        "ours_p95_ms": round(float(np.percentile(ours, 95)), 4),
    }
    from rank_bm25 import BM25Okapi

    t = time.perf_counter()
    reference = BM25Okapi(tokens)
    bm25["rank_bm25_build_s"] = round(time.perf_counter() - t, 3)
    bm25["rank_bm25_queries"] = len(few)
    bm25["rank_bm25_ms"] = round(median_ms(reference.get_scores, few), 3)
    bm25["speedup_vs_rank_bm25"] = round(bm25["rank_bm25_ms"] / median_ms(engine.index.scores, few), 1)
    same = sum(same_top(engine.index.scores(q), reference.get_scores(q)) for q in few)
    bm25["top10_identical"] = f"{same}/{len(few)}"
    del reference
    gc.collect()
    try:
        import bm25s
    except ImportError:
        bm25["bm25s"] = "not installed"
    else:
        retriever = bm25s.BM25(method="robertson", k1=1.5, b=0.75)
        t = time.perf_counter()
        retriever.index(tokens, show_progress=False)
        bm25["bm25s_build_s"] = round(time.perf_counter() - t, 3)
        vocab = retriever.vocab_dict
        known = [[w for w in q if w in vocab] for q in queries]
        bm25["bm25s"] = bm25s.__version__
        # interleaved, query by query and each first in turn, so that a busy moment weighs on both alike
        ours, theirs = [], []
        for k, (q, kq) in enumerate(zip(queries, known, strict=True)):
            pair = [(ours, engine.index.scores, q), (theirs, lambda x: retriever.get_scores(x) if x else None, kq)]
            for times, score, query in pair if k % 2 else pair[::-1]:
                times += times_ms(score, [query])
        bm25["ours_ms"] = round(statistics.median(ours), 4)
        bm25["ours_p95_ms"] = round(float(np.percentile(ours, 95)), 4)
        bm25["bm25s_ms"] = round(statistics.median(theirs), 4)
        bm25["bm25s_p95_ms"] = round(float(np.percentile(theirs, 95)), 4)
        bm25["ours_over_bm25s"] = round(bm25["ours_ms"] / bm25["bm25s_ms"], 2)
        bm25["ours_over_bm25s_p95"] = round(bm25["ours_p95_ms"] / bm25["bm25s_p95_ms"], 2)
    out["bm25"] = bm25
    return out


PAGE = 10  # cards a page shows first (webapp.ui.results), whose reasons are written


def _bench_all_results(engine: Any, profiles: list[Any]) -> dict[str, Any]:
    """What the page asks for: every result (``top=None``, ruled-out ones too) with the reasons of the first
    PAGE; ``consult(top=None)`` (the page's call, every measure's view); beside the lower bound, the vectorised
    table alone (BM25 scores, rule statuses, score, order: ``candidate_table`` + ``rank_order``)."""
    from recommender.consultation import consult
    from recommender.engine.ranking import rank_order

    def page(p: Any) -> int:
        rec = engine.recommend(p, top=None, as_of=AS_OF, include_ineligible=True)
        return sum(len(r.verdict.reasons) + len(r.matched_terms) for r in rec.results[:PAGE])

    def table(p: Any) -> int:
        t = engine.candidate_table(p, AS_OF, include_ineligible=True)
        return len(rank_order(t.valid, t.scores(engine.ranking["weights"], engine.ranking["lead_factor"]), None))

    def views(p: Any) -> int:
        c = consult(engine, p, as_of=AS_OF, top=None)
        return sum(len(m.reasons) + len(m.gaps) for m in c.measures[:PAGE])

    timed: dict[str, Any] = {}
    for name, run in (("page", page), ("bound", table), ("consult", views)):
        seconds = []
        for p in profiles[:200]:
            t = time.perf_counter()
            run(p)
            seconds.append(time.perf_counter() - t)
        timed[name] = _percentiles(seconds)
    timed["page_over_bound_p95"] = round(timed["page"]["p95_ms"] / timed["bound"]["p95_ms"], 2)
    return timed


def bench_cold_start(repeats: int = 5) -> dict[str, Any]:
    """Wall time of ``python -m recommender recommend`` in a fresh process (real corpus, caches built)."""
    profile = {
        "name": "上海某芯微电子有限公司",
        "region": "浦东新区",
        "park": "张江科学城",
        "industry": "集成电路",
        "qualifications": ["高新技术企业"],
        "needs": ["资金补贴", "融资贷款"],
        "description": "芯片设计企业，今年首次认定高新技术企业，想了解区里的资助和贷款",
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "profile.json"
        path.write_text(json.dumps(profile, ensure_ascii=False), encoding="utf-8")
        command = [sys.executable, "-m", "recommender", "recommend", str(path), "--format", "json"]
        subprocess.run(command, cwd=ROOT, capture_output=True, check=True)  # builds .cache if missing
        seconds = []
        for _ in range(repeats):
            t = time.perf_counter()
            subprocess.run(command, cwd=ROOT, capture_output=True, check=True)
            seconds.append(time.perf_counter() - t)
    return {
        "runs": repeats,
        "median_s": round(statistics.median(seconds), 3),
        "max_s": round(max(seconds), 3),
        "python_startup_s": round(_python_startup(), 3),
    }


def _python_startup() -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - t


def bench_first_run() -> dict[str, float]:
    """What a first run pays once to fill .cache/: jieba's dictionary into SQLite, the index."""
    from recommender.corpus import load_policies
    from recommender.engine import Recommender
    from recommender.paths import LEXICON
    from recommender.text import fast_tokenizer

    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        fast_tokenizer(LEXICON / "userdict.txt", cache=Path(tmp))
        dictionary = time.perf_counter() - t
    t = time.perf_counter()
    Recommender(load_policies())
    index = time.perf_counter() - t
    return {"dictionary_s": round(dictionary, 3), "corpus_and_index_s": round(index, 3)}
