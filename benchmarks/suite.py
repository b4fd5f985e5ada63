"""The whole benchmark of `python -m recommender bench`: what users run, end to end, each beside its lower bound.

Each corpus size, the pages and the Word sheets run in their own fresh process, so that memory and caches are
their own; `batch` runs as a command. Figures of a full run: docs/benchmarks.md. Not a timed test: CI runs
``--quick``.
"""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path
from typing import Any

from .child import in_child
from .engine import bench_cold_start, bench_first_run
from .report import check_targets
from .roster_batch import bench_roster_batch

SIZES = (1_000, 10_000, 100_000)
ROSTERS = (1_000, 10_000, 100_000)  # rows of the rosters `batch` runs on end to end
QUICK_ROSTERS = (100, 400)
# times `batch` runs on each roster (its median is the figure): three, but two at 100k rows (four minutes each)
BATCH_REPEATS = {1_000: 3, 10_000: 3, 100_000: 2}
QUICK_REPEATS = 2
REGISTRY = (10_000, 100_000)  # registered enterprises push lists and audiences run over
QUICK_REGISTRY = (300,)
SHEETS_ROWS = 1_000  # rows of the roster `batch --zip` runs on (QUICK_ROSTERS[0] when quick)


def machine() -> dict[str, Any]:
    """The machine of the run: cores, Python, platform, processor, and (on Linux) memory in GB and CPU model."""
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


def run(sizes: tuple[int, ...] = SIZES, quick: bool = False) -> dict[str, Any]:
    """The whole benchmark; ``quick`` runs the smallest size with few repetitions (a smoke test)."""
    if quick:
        sizes = (min(sizes),)
    result: dict[str, Any] = {
        "machine": machine(),
        "quick": quick,
        "sizes": [in_child("engine", f"bench_size({n}, {quick})") for n in sizes],
        "cold_start": bench_cold_start(1 if quick else 5),
        "first_run": bench_first_run(),
        "registry": [in_child("registry", f"bench_registry({n})") for n in (QUICK_REGISTRY if quick else REGISTRY)],
        "word_sheet": in_child("word_sheet", f"bench_word_sheet({20 if quick else 200})"),
        "self_check": in_child("pages", f"bench_self_check({1 if quick else 5})"),
        "coverage_page": in_child("coverage_page", "bench_coverage_page()"),
        "roster_batch": [
            bench_roster_batch(n, repeats=QUICK_REPEATS if quick else BATCH_REPEATS.get(n, 1))
            for n in (QUICK_ROSTERS if quick else ROSTERS)
        ],
    }
    rows = QUICK_ROSTERS[0] if quick else SHEETS_ROWS
    result["roster_batch"].append(bench_roster_batch(rows, sheets=True))  # the zip of Word sheets too
    result["targets"] = check_targets(result)
    return result
