"""The 政策覆盖分析 page as a 政策工作人员 uses it, through Streamlit's AppTest, beside lower bounds from the same run.

Run it in a fresh process (``child.in_child("coverage_page", "bench_coverage_page()")``): the first render
then pays what a freshly started server pays (the page's imports, its cold caches), the engine excepted,
which the app's own first run (another page) has loaded. Every figure is the wall time of one AppTest run
(the whole script, as a browser's click reruns it; a fragment's own rerun, which AppTest cannot send, is
shorter still). The registry is a temporary SQLite file holding one staff account.

Lower bounds, measured after the page in the same process: ``trivial_run_s``, an AppTest run of a one-line
page (Streamlit's and AppTest's own cost per run); ``population_s``, building the default synthetic
population; ``evaluation_s``, the vectorised evaluation (``RuleMatrix``) of every measure for it;
``whatif_eval_s``, ``coverage.what_if`` of the benchmark's hypotheses on a coverage already computed; and
``pandas_import_s``, importing pandas in a fresh process (the first page with a table pays it).
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from recommender.paths import ROOT

from .synthetic import AS_OF

PAGE = "webapp/views/coverage.py"
SIZE = 2000  # the page's default population
TAB = "cov_tab"  # st.session_state key of the page's result tabs
PASSWORD = "基准测试用的足够长的密码12"


def _staff_login() -> str:
    """A 政策工作人员 account in the registry DATABASE_URL names (created here); its login name."""
    from recommender.registry import accounts, db
    from recommender.registry.access import STAFF, cli_actor

    with db.transaction() as session:
        accounts.create(session, cli_actor(), "bench-staff", "基准测试政策人员", STAFF, PASSWORD)
    return "bench-staff"


class _Clock:
    """Wall seconds of AppTest runs, and this process's CPU seconds for each (every thread's: the script runs in
    its own), which a busy machine inflates less."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = {}

    def run(self, name: str, at: Any, change: Callable[[Any], Any] | None = None) -> float:
        """Wall seconds of one run after ``change`` (a widget set on ``at``); RuntimeError if the page failed."""
        if change is not None:
            change(at)
        start, cpu = time.perf_counter(), time.process_time()
        at.run()
        seconds = time.perf_counter() - start
        self.cpu[name] = round(time.process_time() - cpu, 3)
        if at.exception:
            raise RuntimeError(f"coverage page failed ({name}): {at.exception[0].value}")
        return round(seconds, 3)


def _tab(name: str) -> Callable[[Any], None]:
    def choose(at: Any) -> None:
        at.session_state[TAB] = name

    return choose


def _numeric_condition() -> tuple[str, int, float]:
    """The first measure with a numeric condition: its id, the condition's index and its value."""
    from recommender import coverage as cv
    from webapp.ui import resources

    view = cv.CorpusView.from_recommender(resources.recommender())
    for clause in view.measures:
        for i, cond in enumerate(clause.eligibility):
            if cv.editable_value_kind(cond.field) == "number" and isinstance(cond.value, (int, float)):
                return clause.id, i, float(cond.value)
    raise RuntimeError("no measure has a numeric condition")


def _whatifs(clock: _Clock, at: Any) -> tuple[dict[str, float], list[Any]]:
    """假设分析: a document's districts widened, then a numeric threshold halved (seconds each, and the changes)."""
    from recommender import coverage as cv

    times: dict[str, float] = {}
    clock.run("whatif_kind_region", at, lambda a: a.radio(key="cov_wi_kind").set_value("文件的适用区域"))
    clock.run("whatif_doc", at, lambda a: a.selectbox(key="cov_wi_doc").set_value("js-yingshang-2022"))
    widen = ["金山区", "奉贤区"]
    times["region"] = clock.run(
        "whatif_region", at, lambda a: a.multiselect(key="cov_wi_regions_js-yingshang-2022").set_value(widen)
    )
    clause_id, index, value = _numeric_condition()
    clock.run("whatif_kind_condition", at, lambda a: a.radio(key="cov_wi_kind").set_value("条款的一个条件"))
    clock.run("whatif_clause", at, lambda a: a.selectbox(key="cov_wi_clause").set_value(clause_id))
    clock.run("whatif_condition", at, lambda a: a.selectbox(key=f"cov_wi_cond_{clause_id}").set_value(index))
    times["threshold"] = clock.run(
        "whatif_threshold", at, lambda a: a.number_input(key=f"cov_wi_value_{clause_id}_{index}").set_value(value / 2)
    )
    metrics = {m.label: m.value for m in at.metric}
    if "获得资格企业数" not in metrics:
        raise RuntimeError("the what-if showed no result")
    changes = [cv.RegionEdit("js-yingshang-2022", tuple(widen)), (clause_id, index, value / 2)]
    return times, changes


WIDGETS: dict[str, Callable[[Any], Any]] = {  # one change each, in this order (the tab ones choose a tab)
    "partial": lambda a: a.checkbox(key="cov_partial").check(),
    "dims": lambda a: a.multiselect(key="cov_dims").set_value(["region", "industry"]),
    "min_n": lambda a: a.number_input(key="cov_min_n").set_value(10),
    "include_ended": lambda a: a.checkbox(key="cov_include_ended").check(),
    "include_ended_back": lambda a: a.checkbox(key="cov_include_ended").uncheck(),
    "tab_empty_segments": _tab("无措施的细分"),
    "tab_unmatched": _tab("无人匹配的条款"),
    "inspect": lambda a: a.selectbox(key="cov_inspect").set_value(a.selectbox(key="cov_inspect").options[-1]),
    "tab_duplicates_again": _tab("近似重复条款"),
    "threshold": lambda a: a.slider(key="cov_threshold").set_value(0.6),
    "tab_needs": _tab("诉求满足情况"),
    "tab_heatmap": _tab("覆盖热力图"),
    "tab_overview": _tab("概览"),
    "tab_whatif": _tab("假设分析"),
}


def _page_times() -> tuple[dict[str, Any], dt.date, list[Any]]:
    """The page's runs: the app's first run (another page), the coverage page's first, widget changes, what-ifs."""
    from streamlit.testing.v1 import AppTest

    from webapp.ui.auth import USER

    clock = _Clock()
    login = _staff_login()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.session_state[USER] = login
    at.session_state["as_of"] = AS_OF
    out: dict[str, Any] = {"app_first_run_s": clock.run("app_first_run", at)}
    out["first_render_s"] = clock.run("first_render", at, lambda a: a.switch_page(PAGE))
    as_of = at.session_state["as_of"]
    out["rerun_s"] = clock.run("rerun", at)
    # the similarity of every clause pair: computed on the tab's first opening in a server process, then cached
    out["first_open_duplicates_s"] = clock.run("first_open_duplicates", at, _tab("近似重复条款"))
    clock.run("back", at, _tab("覆盖热力图"))
    out["widget_changes_s"] = {name: clock.run(name, at, change) for name, change in WIDGETS.items()}
    out["whatifs_s"], hypotheses = _whatifs(clock, at)
    out["new_population_s"] = clock.run("new_population", at, lambda a: a.number_input(key="cov_seed").set_value(1))
    other = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)  # another person, the server warm
    other.session_state[USER] = login
    other.session_state["as_of"] = AS_OF
    clock.run("other_session_app", other)
    out["other_session_first_render_s"] = clock.run("other_session_first_render", other, lambda a: a.switch_page(PAGE))
    out["cpu_s"] = clock.cpu
    return out, as_of, hypotheses


def _timed(work: Callable[[], Any]) -> tuple[Any, float, float]:
    """``work()``'s value, wall seconds and CPU seconds."""
    start, cpu = time.perf_counter(), time.process_time()
    value = work()
    return value, time.perf_counter() - start, time.process_time() - cpu


def _pandas_import_s() -> float:
    """Seconds a fresh process takes to import pandas once streamlit is imported: the app's other pages do
    without it, so the coverage page's first run in a fresh server pays it (its tables need it)."""
    code = "import time, streamlit; t = time.perf_counter(); import pandas; print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def _lower_bounds(as_of: dt.date, hypotheses: list[Any]) -> tuple[dict[str, float], dict[str, float]]:
    """Streamlit's own cost per run, and the page's unavoidable work done directly: wall seconds, CPU seconds."""
    from streamlit.testing.v1 import AppTest

    from recommender import coverage as cv
    from webapp.ui import resources

    trivial = AppTest.from_string("import streamlit as st\nst.write('政策覆盖分析')", default_timeout=60)
    runs = [_timed(trivial.run)[1:] for _ in range(5)]
    view = cv.CorpusView.from_recommender(resources.recommender())
    profiles, population_s, population_cpu = _timed(lambda: cv.synthetic_population(SIZE, 0))
    cov, evaluation_s, evaluation_cpu = _timed(lambda: cv.compute_coverage(cv.PopulationRules(profiles, as_of), view))
    region, (clause_id, index, value) = hypotheses
    condition = cv.with_value(view.clause(clause_id).eligibility[index], value)
    whatif = [
        _timed(lambda c=c: cv.what_if(cov, c))[1:] for c in (region, cv.ConditionEdit(clause_id, index, condition))
    ]
    wall = {
        "trivial_run_s": statistics.median(w for w, _ in runs),
        "pandas_import_s": _pandas_import_s(),
        "population_s": population_s,
        "evaluation_s": evaluation_s,
        "whatif_eval_s": max(w for w, _ in whatif),
    }
    cpu = {
        "trivial_run": statistics.median(c for _, c in runs),
        "population": population_cpu,
        "evaluation": evaluation_cpu,
        "whatif_eval": max(c for _, c in whatif),
    }
    return {k: round(v, 3) for k, v in wall.items()}, {k: round(v, 3) for k, v in cpu.items()}


def bench_coverage_page() -> dict[str, Any]:
    """The coverage page on its default population (2000 synthetic enterprises), logged in as 政策工作人员.

    Seconds (wall): app_first_run_s (the app's default page, which loads the engine), first_render_s (the
    coverage page's first run), rerun_s (a run with nothing changed), first_open_duplicates_s (the 近似重复条款
    tab's first opening: scikit-learn imported, every clause pair compared), widget_changes_s (per widget or
    tab, one run each) and widget_change_s (their largest), whatifs_s and whatif_s (their largest),
    new_population_s (a new seed: the population built and judged again), other_session_first_render_s (a
    second session opening the page: the server's caches warm); cpu_s, this process's CPU seconds of each run
    and bound (less inflated by a busy machine); the lower bounds (``_lower_bounds``) and the bounds of each
    figure: new_population_bound_s = trivial run + population + evaluation, first_render_bound_s = that +
    importing pandas (in a fresh process), widget_change_bound_s = trivial run, whatif_bound_s = trivial
    run + what-if evaluation; and each figure over its bound (``*_ratio``). The page is judged at
    ``synthetic.AS_OF`` (the date the other benchmarks use), so that runs on different days compare.
    RuntimeError when the page fails.
    """
    previous = os.environ.get("DATABASE_URL")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'registry.sqlite3'}"
        try:
            page, as_of, hypotheses = _page_times()
            bounds, bounds_cpu = _lower_bounds(as_of, hypotheses)
        finally:
            from recommender.registry import db

            db.close(os.environ["DATABASE_URL"])
            if previous is None:
                os.environ.pop("DATABASE_URL", None)
            else:
                os.environ["DATABASE_URL"] = previous
    out: dict[str, Any] = {"population": SIZE, "as_of": as_of.isoformat(), **page, **bounds}
    out["cpu_s"].update(bounds_cpu)
    out["widget_change_s"] = max(page["widget_changes_s"].values())
    out["whatif_s"] = max(page["whatifs_s"].values())
    build = bounds["trivial_run_s"] + bounds["population_s"] + bounds["evaluation_s"]
    out["first_render_bound_s"] = round(build + bounds["pandas_import_s"], 3)
    out["new_population_bound_s"] = round(build, 3)
    out["widget_change_bound_s"] = bounds["trivial_run_s"]
    out["whatif_bound_s"] = round(bounds["trivial_run_s"] + bounds["whatif_eval_s"], 3)
    for name in ("first_render", "new_population", "widget_change", "whatif"):
        out[f"{name}_ratio"] = round(out[f"{name}_s"] / out[f"{name}_bound_s"], 2)
    return out
