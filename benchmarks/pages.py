"""The 企业自测 page as a person uses it, timed with Streamlit's AppTest on the real corpus: the first render,
and the run after 开始匹配 (the server's part of a submit), beside the lower bound measured in the same run:
``consult(top=None)`` on the same profile (the matching the page needs) plus a rerun of the empty form
(Streamlit's own cost of drawing the page). Run in a fresh process (``child.in_child``) on a temporary registry.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from recommender.paths import ROOT

from .synthetic import AS_OF

FIRM = {"name": "上海张江某芯微电子有限公司", "region": "浦东新区", "industry": "集成电路", "employees": 85}


def _timed(run: Any) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def bench_self_check(repeats: int = 5) -> dict[str, Any]:
    """Seconds (medians of ``repeats``): first_render_s, submit_s, rerun_s, consult_s; bound_s = consult_s +
    rerun_s and submit_over_bound. RuntimeError when the page raises."""
    from streamlit.testing.v1 import AppTest

    from recommender.consultation import consult
    from recommender.profile import parse_profile
    from recommender.services.library import live_recommender

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        engine = live_recommender()[0]
        profile = parse_profile(FIRM)
        consult(engine, profile, as_of=AS_OF, top=None)  # loads corpus, index, rules and jieba
        first, submit, rerun = [], [], []
        for _ in range(repeats):
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
            first.append(_timed(at.run))
            rerun.append(_timed(at.run))  # the empty form again: what Streamlit costs without matching
            at.text_input(key="pf_name").input(FIRM["name"])
            at.selectbox(key="pf_region").select(FIRM["region"])
            at.selectbox(key="pf_industry").select(FIRM["industry"])
            at.number_input(key="pf_employees").set_value(FIRM["employees"])
            [button] = [b for b in at.button if b.label == "开始匹配"]
            submit.append(_timed(button.click().run))
            if at.exception:
                raise RuntimeError(f"企业自测 raised: {[e.value for e in at.exception]}")
        consult_s = statistics.median(_timed(lambda: consult(engine, profile, as_of=AS_OF, top=None)) for _ in range(5))
    out = {
        "first_render_s": round(statistics.median(first), 3),
        "submit_s": round(statistics.median(submit), 3),
        "rerun_s": round(statistics.median(rerun), 3),
        "consult_s": round(consult_s, 4),
    }
    out["bound_s"] = round(out["consult_s"] + out["rerun_s"], 3)
    out["submit_over_bound"] = round(out["submit_s"] / out["bound_s"], 2)
    return out
