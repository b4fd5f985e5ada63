"""The targets of issue #6, checked against a run, and the run as a table in Chinese."""

from __future__ import annotations

from typing import Any

# the targets of issue #6 (this machine class: 2 cores)
TARGETS = {
    "p95_ms": {10_000: 10.0, 100_000: 50.0},
    "bm25_vs_bm25s_max": 2.0,  # our scoring time ÷ bm25s's, at most
    "bm25_vs_rank_bm25_min": 100.0,  # rank-bm25 time ÷ ours, at least (at 100k)
    "cold_start_s": 2.0,
    "batch_100k_s": 60.0,
    "rss_mb_100k": 1024.0,
}


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
    """A run of ``suite.run`` as the table ``bench`` prints (Chinese labels; ✓ / ✗ per target)."""
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
    lines.append("batch 命令端到端（合成名单 CSV，stderr 为终端）：")
    for r in result["roster_batch"]:
        first = "—" if r["first_progress_s"] is None else f"{r['first_progress_s']:.2f} s"
        zipped = "（含 Word 咨询单 zip）" if r["sheets"] else ""
        rss = f"峰值 RSS {r['peak_rss_mb']:.0f} MB"
        rss += f"（只读名单 {r['read_peak_rss_mb']:.0f} MB，×{r['rss_over_reader']:.2f}）"
        bound = f"下界 {r['bound_s']:.1f} s（读名单 {r['read_s']:.1f} s + 每行匹配 {r['match_ms_per_row']:.1f} ms）"
        lines.append(
            f"  {r['rows']:>7} 行{zipped}：{r['wall_s']:.1f} s，{rss}；首条进度 {first}，"
            f"开始匹配 {r['first_matching_s']} s；{bound}，×{r['wall_over_bound']:.2f}"
        )
    lines.append("")
    for t in result["targets"]:
        lines.append(f"{'✓' if t['met'] else '✗'} {t['target']}: {t['value']}（目标 {t['limit']}）")
    return "\n".join(lines)
