"""No widget gives Streamlit's frontend a reason to refuse a value in English: number boxes have no bounds, date
boxes take every date one can type, uploaders take every type; Python checks each value and says in Chinese
what is wrong (``webapp.ui.checked``, the readers of uploaded files)."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
from actors import account
from streamlit.testing.v1 import AppTest

from recommender.clock import today
from recommender.dates import date_problem
from recommender.engine import Recommender
from recommender.paths import ROOT
from recommender.registry.access import COUNSELLOR, STAFF
from webapp.ui.auth import USER
from webapp.ui.checked import ANY_DAY, number_problem

APP = ROOT / "app.py"
WIDGETS = {  # Streamlit's widget → the arguments that make its frontend refuse a value in English
    "number_input": {"min_value", "max_value"},
    "date_input": {"min_value", "max_value"},
    "file_uploader": {"type"},
}


def _calls() -> list[tuple[Path, ast.Call, str]]:
    out = []
    for path in sorted((ROOT / "webapp").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WIDGETS:
                out.append((path, node, node.func.attr))
    return out


def test_no_widget_has_bounds_or_types_and_every_date_box_takes_any_day():
    calls = _calls()
    assert sum(kind == "date_input" for *_, kind in calls) >= 6 and len(calls) >= 15  # the scan finds them
    for path, call, kind in calls:
        where = f"{path.relative_to(ROOT)}:{call.lineno} {kind}"
        named = {k.arg for k in call.keywords if k.arg is not None}
        assert not named & WIDGETS[kind], where
        if kind == "date_input":
            spread = [k.value for k in call.keywords if k.arg is None]
            assert any(isinstance(v, ast.Name) and v.id == "ANY_DAY" for v in spread), where


def test_the_checks_say_what_is_wrong_in_chinese():
    assert number_problem(100, 3, 30) == "应在 3 至 30 之间（填的是 100）"
    assert number_problem(4.5, 3, 30) == "应为整数（填的是 4.5）"
    assert number_problem(2.5, 0, 1e12, whole=False) is None
    assert number_problem(-1, 0, 1e12, whole=False) == "应在 0 至 1000000000000 之间（填的是 -1）"
    assert number_problem(0, 1, None) == "应不小于 1（填的是 0）"
    assert number_problem(float("inf"), 1, None) == "应不小于 1（填的是 inf）"
    assert number_problem(None, 3, 30) is None and number_problem(3, 3, 30) is None
    day = dt.date(2150, 1, 1)
    assert date_problem(day, dt.date(2000, 1, 1), dt.date(2099, 12, 31)) == (
        "应在 2000-01-01 至 2099-12-31 之间（填的是 2150-01-01）"
    )
    assert date_problem(None, dt.date(2000, 1, 1), dt.date(2000, 1, 2)) is None
    assert (ANY_DAY["min_value"], ANY_DAY["max_value"]) == (dt.date(1, 1, 1), dt.date(9999, 12, 31))


@pytest.fixture(scope="module", autouse=True)
def warm_engine() -> None:
    Recommender.load()  # the first load may build the index: keep it out of the pages' time-outs


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def _counsellor_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state[USER] = account(COUNSELLOR, "界面测试辅导员")
    _ok(at.run())
    return _ok(at.switch_page("webapp/views/counsellor.py").run())


def _in_force(at: AppTest) -> str:
    [line] = [c.value for c in at.sidebar.caption if c.value.startswith("正在按")]
    return line


def _red(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith(":red[")]


def test_a_count_of_measures_out_of_range_is_refused_in_chinese():
    at = _counsellor_page()
    box = at.number_input(key="roster_top")
    assert box.min is None and box.max is None  # nothing for the frontend to refuse in English
    assert not _red(at)
    _ok(box.set_value(100).run())
    assert _red(at) == [":red[:material/error: 每家企业列出措施数应在 3 至 30 之间（填的是 100）]"]
    _ok(at.number_input(key="roster_top").set_value(4.5).run())
    assert _red(at) == [":red[:material/error: 每家企业列出措施数应为整数（填的是 4.5）]"]
    _ok(at.number_input(key="roster_top").set_value(30).run())
    assert not _red(at)
    _ok(at.number_input(key="roster_top").set_value(None).run())  # emptied: said, never silently back to 10
    assert _red(at) == [":red[:material/error: 每家企业列出措施数：请填写]"]
    assert at.number_input(key="roster_top").value is None


def test_the_synthetic_population_s_numbers_are_never_changed_silently():
    """企业数 150.5 ran as 150 and an emptied 随机种子 as 0 (int boxes round and fall back): now each is said."""
    at = AppTest.from_file(str(ROOT / "webapp/views/coverage.py"), default_timeout=120)
    at.session_state[USER] = account(STAFF, "测试")
    _ok(at.run())
    _ok(at.number_input(key="cov_size").set_value(150.5).run())
    assert ":red[:material/error: 企业数应为整数（填的是 150.5）]" in _red(at)
    _ok(at.number_input(key="cov_size").set_value(None).run())
    assert ":red[:material/error: 企业数：请填写]" in _red(at)
    _ok(at.number_input(key="cov_size").set_value(150).run())
    _ok(at.number_input(key="cov_seed").set_value(None).run())
    assert _red(at) == [":red[:material/error: 随机种子：请填写]"]
    assert any("标红的设置" in i.value for i in at.info)


def test_an_as_of_date_out_of_range_is_not_applied_and_said_in_chinese():
    at = _counsellor_page()
    box = at.date_input(key="as_of")
    assert (box.min, box.max) == (dt.date(1, 1, 1), dt.date(9999, 12, 31))
    box.set_value(dt.date(2024, 6, 30))
    [apply] = [b for b in at.sidebar.button if b.label == "应用日期"]
    _ok(apply.click().run())
    assert "正在按 **2024-06-30**" in _in_force(at)
    at.date_input(key="as_of").set_value(dt.date(2150, 1, 1))
    [apply] = [b for b in at.sidebar.button if b.label == "应用日期"]
    _ok(apply.click().run())
    said = [m.value for m in at.sidebar.markdown if m.value.startswith(":red[")]
    assert said == [":red[:material/error: 判断日期应在 2000-01-01 至 2099-12-31 之间（填的是 2150-01-01），未应用]"]
    assert "正在按 **2024-06-30**" in _in_force(at)  # the last date applied stays in force


def test_the_self_checks_dates_take_any_day_and_the_checks_say_what_is_wrong():
    at = AppTest.from_file(APP, default_timeout=90)
    _ok(at.run())
    founded = at.date_input(key="pf_founded")
    assert (founded.min, founded.max) == (dt.date(1, 1, 1), dt.date(9999, 12, 31))
    at.text_input(key="pf_name").input("某公司")
    at.selectbox(key="pf_region").select("浦东新区")
    founded.set_value(today() + dt.timedelta(days=400))
    at.multiselect(key="pf_qualifications").select("高新技术企业")
    _ok(at.run())
    at.date_input(key="pf_qdate_0").set_value(dt.date(2099, 1, 1))
    [button] = [b for b in at.button if b.label == "开始匹配"]
    _ok(button.click().run())
    [error] = [e.value for e in at.error]
    assert "成立日期" in error and "不在 1900 年至今天之间" in error
    # one range, the profile's (the form's own check said 1990 to a year from today beside it: a break-it trial)
    assert "高新技术企业的取得日期 2099-01-01 不在 1900 年至今天之间" in error and error.count("2099-01-01") == 1


def test_choices_labelled_alike_are_told_apart():
    """A selectbox finds a choice by its label: two options labelled alike are one (see webapp/ui/labels.py)."""
    from webapp.ui.labels import distinct

    same, other = "上海某公司（浦东新区）", "上海乙公司（金山区）"
    labels = distinct({1: same, 2: same, 3: other}, lambda i: f"编号 {i}")
    assert labels == {1: f"{same}（编号 1）", 2: f"{same}（编号 2）", 3: other}
    assert len(set(labels.values())) == len(labels)
