"""`python -m recommender bench`: speed and memory on synthetic corpora and the real one.

A synthetic corpus of N clauses is made from the real one, seeded: each clause's text is 1–4
sentences drawn from the real clauses, its kind, benefit types and eligibility rule are copied
from one real clause, and its document copies a real document's dates and area (the district of
a district document drawn from the 16). Each size runs in a fresh process so that its memory is
its own. Figures of a full run: docs/benchmarks.md. Not a timed test: CI runs ``--quick``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from .paths import ROOT

SIZES = (1_000, 10_000, 100_000)
AS_OF = dt.date(2024, 6, 30)  # most documents in force

# the targets of issue #6 (this machine class: 2 cores)
TARGETS = {
    "p95_ms": {10_000: 10.0, 100_000: 50.0},
    "bm25_vs_bm25s_max": 2.0,  # our scoring time ÷ bm25s's, at most
    "bm25_vs_rank_bm25_min": 100.0,  # rank-bm25 time ÷ ours, at least (at 100k)
    "cold_start_s": 2.0,
    "batch_100k_s": 60.0,
    "rss_mb_100k": 1024.0,
}

_SENTENCE = re.compile(r"[^。；]+[。；]?")

# --- synthetic data -------------------------------------------------------------------------


def synthetic_policies(n: int, seed: int = 0, per_document: int = 40) -> list[Any]:
    """N clauses recombined from the real corpus (see the module docstring)."""
    from .corpus import load_policies
    from .corpus_models import Clause, DocumentMeta, PolicyFile, Provenance
    from .vocab import REGIONS

    rng = random.Random(seed)
    real = load_policies()
    clauses = [c for p in real for c in p.clauses]
    sentences = sorted({s.strip() for c in clauses for s in _SENTENCE.findall(c.text) if len(s.strip()) > 6})
    titles = sorted({c.title for c in clauses if c.title})
    districts = [r for r in REGIONS if r != "上海市外"]
    out = []
    for k in range((n + per_document - 1) // per_document):
        model = rng.choice(real).document
        applies = model.applies_to.model_dump()
        if applies["regions"]:
            applies["regions"] = [rng.choice(districts)]
        doc = DocumentMeta.model_validate(
            {
                **model.model_dump(),
                "policy_id": f"syn-{k:05d}",
                "title": f"{model.title}（样本{k}）",
                "applies_to": applies,
            }
        )
        built = []
        for j in range(min(per_document, n - k * per_document)):
            template = rng.choice(clauses)
            text = "".join(rng.sample(sentences, rng.randint(1, 4)))
            built.append(
                Clause(
                    id=f"{doc.policy_id}/s{j}",
                    policy_id=doc.policy_id,
                    title=rng.choice(titles),
                    text=text,
                    provenance=Provenance(file="synthetic", lines=(j + 1, j + 1)),
                    kind=template.kind,
                    benefits=list(template.benefits),
                    eligibility=[c.model_copy() for c in template.eligibility],
                    curated=True,
                )
            )
        out.append(PolicyFile(source="synthetic", order=k, document=doc, clauses=built))
    return out


_PHRASES = [
    "芯片设计企业",
    "做工业机器人的",
    "生物医药研发",
    "创新药临床前研究",
    "人工智能算法和大模型应用",
    "新材料研发生产",
    "软件开发和信息服务",
    "机械零部件加工",
    "今年首次认定高新技术企业",
    "想了解区里的资助和贷款",
    "最近资金周转紧张",
    "订单增加，需要扩大车间厂房",
    "招工难，想招聘一线工人",
    "我们的专利被人侵权了",
    "自己没有实验室，做不了检测",
    "需要验证技术可行性、做原型",
    "打算明年申报专精特新",
    "准备科创板上市",
    "想找天使投资",
    "员工培训需要补贴",
    "想办理工商变更，流程太复杂",
    "需要法律合规方面的咨询",
    "想参加展会推广新产品",
    "希望与高校合作研发",
    "海外人才落户和住房",
    "办公室租金太贵",
    "产品想进入政府采购目录",
    "想了解税收优惠和研发费用加计扣除",
]


def synthetic_profiles(n: int, seed: int = 1) -> list[dict[str, Any]]:
    """Enterprise profiles of varied districts, parks, industries, sizes, titles and needs."""
    from .vocab import BENEFITS, INDUSTRIES, QUALIFICATIONS, REGIONS, STAGES

    rng = random.Random(seed)
    regions = ["浦东新区"] * 4 + ["金山区"] * 2 + ["徐汇区"] * 2 + list(REGIONS)
    parks = [None, None, "张江科学城", "漕河泾开发区", "金桥", "临港新片区", "碳谷绿湾", "紫竹高新区"]
    out = []
    for k in range(n):
        profile: dict[str, Any] = {
            "name": f"样本企业{k}",
            "region": rng.choice(regions),
            "park": rng.choice(parks),
            "industry": rng.choice([*INDUSTRIES, None]),
            "stage": rng.choice([*STAGES, None]),
            "qualifications": rng.sample(QUALIFICATIONS[:6], rng.choice([0, 0, 1, 1, 2])),
            "needs": rng.sample(BENEFITS, rng.choice([0, 1, 1, 2, 3])),
            "description": "，".join(rng.sample(_PHRASES, rng.randint(1, 3))) + f"，员工约{rng.randint(3, 900)}人",
        }
        if rng.random() < 0.7:
            profile["employees"] = rng.randint(3, 2000)
            profile["revenue"] = round(rng.lognormvariate(7, 1.5), 1)
        out.append({k: v for k, v in profile.items() if v is not None})
    return out


# --- measurements ---------------------------------------------------------------------------


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


def _same_top(a: np.ndarray, b: np.ndarray, k: int = 10, tol: float = 1e-9) -> bool:
    """Whether two score vectors give the same top-k, up to ties (equal within ``tol``)."""
    from .bm25 import top_k

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

    from .engine import Recommender, clause_text
    from .profile import parse_profile
    from .rulematrix import CompiledRules

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
    from .bm25 import BM25Index
    from .text import analyzer

    a = analyzer(True)
    t = time.perf_counter()
    tokens = [a.tokens(clause_text(c)) for c in engine.clauses]
    out["tokenize_cached_s"] = round(time.perf_counter() - t, 3)
    t = time.perf_counter()
    BM25Index().fit(tokens)
    out["bm25_fit_s"] = round(time.perf_counter() - t, 3)
    t = time.perf_counter()
    CompiledRules(engine.clauses, engine.documents, engine._measure_idx)
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

    # BM25 scoring: ours against rank-bm25 (reference; slow, so on a few queries) and bm25s
    queries = [engine.query_terms(p) for p in profiles]
    few = queries[: (5 if quick else 10 if n >= 100_000 else 20)]

    def median_ms(score: Any, qs: list[list[str]]) -> float:
        times = []
        for q in qs:
            t = time.perf_counter()
            score(q)
            times.append(time.perf_counter() - t)
        return statistics.median(times) * 1000

    bm25: dict[str, Any] = {"queries": len(queries), "ours_ms": round(median_ms(engine.index.scores, queries), 4)}
    from rank_bm25 import BM25Okapi

    t = time.perf_counter()
    reference = BM25Okapi(tokens)
    bm25["rank_bm25_build_s"] = round(time.perf_counter() - t, 3)
    bm25["rank_bm25_queries"] = len(few)
    bm25["rank_bm25_ms"] = round(median_ms(reference.get_scores, few), 3)
    bm25["speedup_vs_rank_bm25"] = round(bm25["rank_bm25_ms"] / median_ms(engine.index.scores, few), 1)
    same = sum(_same_top(engine.index.scores(q), reference.get_scores(q)) for q in few)
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
        bm25["bm25s_ms"] = round(median_ms(lambda q: retriever.get_scores(q) if q else None, known), 4)
        bm25["ours_over_bm25s"] = round(bm25["ours_ms"] / bm25["bm25s_ms"], 2)
    out["bm25"] = bm25
    return out


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
    from .corpus import load_policies
    from .engine import Recommender
    from .paths import LEXICON
    from .text import fast_tokenizer

    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        fast_tokenizer(LEXICON / "userdict.txt", cache=Path(tmp))
        dictionary = time.perf_counter() - t
    t = time.perf_counter()
    Recommender(load_policies())
    index = time.perf_counter() - t
    return {"dictionary_s": round(dictionary, 3), "corpus_and_index_s": round(index, 3)}


_WORKER: Any = None


def _init_worker() -> None:
    global _WORKER
    from .engine import Recommender

    _WORKER = Recommender.load()  # inherited from the parent when forked: no loading


def _recommend_chunk(profiles: list[dict[str, Any]]) -> int:
    return sum(len(_WORKER.recommend(p, top=10, as_of=AS_OF).results) for p in profiles)


def bench_batch(n: int, workers: int | None = None) -> dict[str, Any]:
    """Profiles per second against the real corpus: top 10 with reasons and gaps, one process per core."""
    import multiprocessing as mp

    from .engine import Recommender

    workers = workers or os.cpu_count() or 1
    profiles = synthetic_profiles(n, seed=7)
    chunks = [profiles[i : i + 200] for i in range(0, n, 200)]
    t = time.perf_counter()
    engine = Recommender.load()
    engine.recommend(profiles[0], top=10, as_of=AS_OF)  # loads the corpus and tokenizer before forking
    methods = mp.get_all_start_methods()
    context = mp.get_context("fork" if "fork" in methods else "spawn")
    with context.Pool(workers, initializer=_init_worker) as pool:
        pool.map(_recommend_chunk, [[] for _ in range(workers)], chunksize=1)  # workers up
        ready = time.perf_counter() - t
        t = time.perf_counter()
        shown = sum(pool.map(_recommend_chunk, chunks, chunksize=1))
        elapsed = time.perf_counter() - t
    rate = n / elapsed
    return {
        "profiles": n,
        "workers": workers,
        "start_method": context.get_start_method(),
        "results_shown": shown,
        "pool_start_s": round(ready, 3),
        "seconds": round(elapsed, 3),
        "profiles_per_s": round(rate, 1),
        "estimate_100k_s": round(100_000 / rate + ready, 1),
    }


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
    }
    try:
        meminfo = Path("/proc/meminfo").read_text().splitlines()
        total = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
        info["memory_gb"] = round(total / 2**20, 1)
        cpu = Path("/proc/cpuinfo").read_text()
        names = re.findall(r"model name\s*:\s*(.+)", cpu)
        if names:
            info["cpu"] = names[0]
    except OSError:
        pass
    return info


def _size_in_subprocess(n: int, quick: bool) -> dict[str, Any]:
    code = f"import json; from recommender.bench import bench_size; print(json.dumps(bench_size({n}, {quick})))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"bench at {n} clauses failed: {out.stderr.strip().splitlines()[-1:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(sizes: tuple[int, ...] = SIZES, quick: bool = False) -> dict[str, Any]:
    """The whole benchmark; ``quick`` runs the smallest size with few repetitions (a smoke test)."""
    from .registry.bench import bench_registry

    if quick:
        sizes = (min(sizes),)
    result: dict[str, Any] = {
        "machine": machine(),
        "quick": quick,
        "sizes": [_size_in_subprocess(n, quick) for n in sizes],
        "cold_start": bench_cold_start(1 if quick else 5),
        "first_run": bench_first_run(),
        "batch": bench_batch(300 if quick else 10_000),
        "registry": bench_registry(300 if quick else 10_000),
    }
    result["targets"] = check_targets(result)
    return result


def check_targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of issue #6 that this run measured: the figure, the target, met or not."""
    checks = []
    for size in result["sizes"]:
        n = size["clauses"]
        if n in TARGETS["p95_ms"]:
            checks.append(
                _check(f"recommend p95 at {n} clauses (ms)", size["recommend"]["p95_ms"], TARGETS["p95_ms"][n])
            )
        if n == max(s["clauses"] for s in result["sizes"]):
            b = size["bm25"]
            if "ours_over_bm25s" in b:
                checks.append(_check(f"BM25 time ÷ bm25s at {n}", b["ours_over_bm25s"], TARGETS["bm25_vs_bm25s_max"]))
            checks.append(
                _check(
                    f"rank-bm25 time ÷ ours at {n}", b["speedup_vs_rank_bm25"], TARGETS["bm25_vs_rank_bm25_min"], False
                )
            )
            checks.append(
                {
                    "target": f"same top-10 as rank-bm25 at {n}",
                    "value": b["top10_identical"],
                    "limit": "all",
                    "met": b["top10_identical"].split("/")[0] == b["top10_identical"].split("/")[1],
                }
            )
        if n == 100_000:
            checks.append(_check("RSS at 100k clauses (MB)", size["memory"]["rss_total_mb"], TARGETS["rss_mb_100k"]))
    checks.append(_check("CLI cold start (s)", result["cold_start"]["median_s"], TARGETS["cold_start_s"]))
    checks.append(
        _check("batch of 100k profiles, estimated (s)", result["batch"]["estimate_100k_s"], TARGETS["batch_100k_s"])
    )
    return checks


def _check(name: str, value: float, limit: float, at_most: bool = True) -> dict[str, Any]:
    met = value <= limit if at_most else value >= limit
    return {"target": name, "value": value, "limit": f"{'≤' if at_most else '≥'} {limit:g}", "met": met}


def format_table(result: dict[str, Any]) -> str:
    m = result["machine"]
    cpu = m.get("cpu", m["processor"])
    lines = [f"机器：{cpu}，{m['nproc']} 核，内存 {m.get('memory_gb', '?')} GB，Python {m['python']}", ""]
    head = (
        "条款数   建索引(s)  RSS(MB)  BM25数组(MB)  推荐p50(ms)  推荐p95(ms)  "
        "BM25(ms)  rank-bm25(ms)  快几倍  bm25s(ms)  ÷bm25s  top10一致"
    )
    lines.append(head)
    for s in result["sizes"]:
        b, r, mem = s["bm25"], s["recommend"], s["memory"]
        nan = float("nan")
        lines.append(
            f"{s['clauses']:>7}  {s['build_s']:>9.2f}  {mem['rss_total_mb']:>7.0f}  {mem['bm25_arrays_mb']:>12.1f}  "
            f"{r['p50_ms']:>11.2f}  {r['p95_ms']:>11.2f}  {b['ours_ms']:>8.2f}  {b['rank_bm25_ms']:>13.1f}  "
            f"{b['speedup_vs_rank_bm25']:>6.0f}  {b.get('bm25s_ms', nan):>9.2f}  "
            f"{b.get('ours_over_bm25s', nan):>6.2f}  {b['top10_identical']:>9}"
        )
    c, f, bt = result["cold_start"], result["first_run"], result["batch"]
    lines.append("")
    lines.append(
        f"CLI 冷启动（recommend，真实条款库）：中位 {c['median_s']:.2f} s，最长 {c['max_s']:.2f} s"
        f"（其中 Python 解释器启动 {c['python_startup_s']:.2f} s）"
    )
    lines.append(f"首次运行建缓存：jieba 词典 {f['dictionary_s']:.2f} s，条款库与索引 {f['corpus_and_index_s']:.2f} s")
    lines.append(
        f"批量：{bt['profiles']} 家企业，{bt['workers']} 进程，{bt['seconds']:.1f} s，"
        f"{bt['profiles_per_s']:.0f} 家/秒；估计 10 万家 {bt['estimate_100k_s']:.0f} s"
    )
    g = result["registry"]
    lines.append(
        f"企业档案库（{g['backend']}）：导入 {g['enterprises']} 家（一个事务）{g['import_s']:.1f} s，"
        f"原样重导 {g['reimport_unchanged_s']:.1f} s；新增 {g['changed_clauses']} 条条款后推送名单 "
        f"{g['push_s']:.1f} s（{g['push_items']} 条）；一条措施的受众 {g['audience_s']:.2f} s（{g['audience']} 家）"
    )
    lines.append("")
    for t in result["targets"]:
        lines.append(f"{'✓' if t['met'] else '✗'} {t['target']}: {t['value']}（目标 {t['limit']}）")
    return "\n".join(lines)
