"""The whole benchmark of `python -m recommender bench`: each corpus size in a fresh process, then the rest.

Each size runs in its own process so that its memory is its own. Figures of a full run:
docs/benchmarks.md. Not a timed test: CI runs ``--quick``.
"""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path
from typing import Any

from .batch import bench_batch
from .child import in_child
from .engine import bench_cold_start, bench_first_run
from .registry import bench_registry
from .report import check_targets
from .roster_batch import bench_roster_batch

SIZES = (1_000, 10_000, 100_000)
ROSTERS = (1_000, 10_000, 100_000)  # rows of the rosters `batch` runs on end to end (about 40 minutes in all)
QUICK_ROSTERS = (100, 400)


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
        "batch": bench_batch(300 if quick else 10_000),
        "registry": bench_registry(300 if quick else 10_000),
        "roster_batch": [bench_roster_batch(n) for n in (QUICK_ROSTERS if quick else ROSTERS)],
    }
    smallest = min(QUICK_ROSTERS if quick else ROSTERS)
    result["roster_batch"].append(bench_roster_batch(smallest, sheets=True))  # the zip of Word sheets too
    result["targets"] = check_targets(result)
    return result
