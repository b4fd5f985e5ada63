"""Batch throughput: profiles per second against the real corpus, one process per core."""

from __future__ import annotations

import os
import time
from typing import Any

from .synthetic import AS_OF, synthetic_profiles

_WORKER: Any = None


def _init_worker() -> None:
    global _WORKER
    from recommender.engine import Recommender

    _WORKER = Recommender.load()  # inherited from the parent when forked: no loading


def _recommend_chunk(profiles: list[dict[str, Any]]) -> int:
    return sum(len(_WORKER.recommend(p, top=10, as_of=AS_OF).results) for p in profiles)


def bench_batch(n: int, workers: int | None = None) -> dict[str, Any]:
    """Profiles per second against the real corpus: top 10 with reasons and gaps, one process per core."""
    import multiprocessing as mp

    from recommender.engine import Recommender

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
