"""The web pages through Streamlit's AppTest: forms, validation, results, rosters."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from actors import account
from streamlit.testing.v1 import AppTest

from recommender.clock import today as shanghai_today
from recommender.consultation import consult
from recommender.engine import Recommender
from recommender.paths import ROOT
from recommender.profile import parse_profile
from recommender.registry.access import COUNSELLOR
from webapp.ui.auth import USER
from webapp.ui.markup import highlight, md

APP = ROOT / "app.py"
ENTERPRISE = {
    "name": "上海张江某芯微电子有限公司",
    "region": "浦东新区",
    "park": "张江科学城",
    "industry": "集成电路",
    "employees": 85,
    "qualifications": ["高新技术企业"],
    "needs": ["资金补贴", "融资贷款"],
}


@pytest.fixture(scope="module", autouse=True)
def warm_engine() -> None:
    Recommender.load()  # the first load may build the index: keep it out of the pages' time-outs


def _app(counsellor: bool = False) -> AppTest:
    """The app as the public opens it, or as a logged-in 辅导员 (who also has 辅导员工作台 and 企业档案库)."""
    at = AppTest.from_file(APP, default_timeout=60)
    if counsellor:
        at.session_state[USER] = account(COUNSELLOR, "测试辅导员")
    at.run()
    assert not at.exception
    return at


def _fill(at: AppTest, data: dict) -> None:
    if "name" in data:
        at.text_input(key="pf_name").input(data["name"])
    for field in ("region", "industry"):
        if field in data:
            at.selectbox(key=f"pf_{field}").select(data[field])
    if "park" in data:
        at.text_input(key="pf_park").input(data["park"])
    for field in ("employees", "rd_staff"):
        if field in data:
            at.number_input(key=f"pf_{field}").set_value(data[field])
    for field in ("qualifications", "needs"):
        for value in data.get(field, []):
            at.multiselect(key=f"pf_{field}").select(value)


def _submit(at: AppTest) -> AppTest:
    [button] = [b for b in at.button if b.label == "开始匹配"]
    button.click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def _as_of(at: AppTest, day: dt.date) -> AppTest:
    """Set the sidebar's 政策有效性判断日期 and press 应用日期, as a person does."""
    at.date_input(key="as_of").set_value(day)
    [apply] = [b for b in at.sidebar.button if b.label == "应用日期"]
    apply.click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_app_opens_on_the_self_check_and_has_the_counsellor_page():
    at = _app()
    assert at.text_input(key="pf_name").label == "企业名称 *"
    assert [b.label for b in at.main.button] == ["开始匹配"]
    at = _app(counsellor=True)
    at.switch_page("webapp/views/counsellor.py").run()  # webapp/views/coverage.py is another page's own tests' business
    assert not at.exception, [e.value for e in at.exception]
    assert at.file_uploader(key="roster_upload").label == "上传企业名单（CSV 或 Excel）"


def test_submitting_the_form_shows_ranked_cards_with_badges_sources_and_contacts():
    at = _app()
    _fill(at, ENTERPRISE)
    _submit(at)
    assert not at.error
    expected = consult(Recommender.load(), parse_profile(ENTERPRISE), as_of=shanghai_today())
    first = expected.measures[0]
    text = _markdown(at)
    assert f"**1. {md(first.title)}**" in text
    assert f"-badge[:material/check_circle: {first.status_label}]" in text or first.status_label != "可申请"
    captions = "\n".join(c.value for c in at.caption)
    assert md(first.source) in captions and md(first.contact) in captions and "有效期" in captions
    # why it was listed (needs served, words shared), as the Word sheet and `recommend` say it (a break-it trial)
    assert first.explanations and all(f":blue[:material/info:] {md(e)}" in text for e in first.explanations)
    assert any("<mark" in h.value for h in at.html)  # matched words are highlighted
    labels = [m.label for m in at.metric]
    assert labels == ["可申请", "需补充条件", "信息不足", "可关注", "已过期"]  # no 待审核 while none is listed
    assert [b.label for b in at.download_button if "咨询单" in b.label] == ["下载政策咨询单（Word）"]
    assert at.session_state["profile_form_open"] is False  # the form folds away, results come first
    if expected.readiness is not None:
        assert "资质准备度" in [t.label for t in at.tabs]
        assert any(f"**{md(expected.readiness[0].name)}**" in m.value for m in at.markdown)


def test_a_measure_s_gap_not_known_is_not_marked_as_not_met():
    """尚缺条件 marked every gap ✗, 请补充… (a fact not given) among them (a break-it trial)."""
    at = _app()
    _fill(at, {"name": "某企业", "region": "浦东新区", "employees": 5000})
    _submit(at)
    lines = [m.value for m in at.markdown]
    assert any(line.startswith(":orange[:material/help:] 请补充") for line in lines)
    assert not [line for line in lines if line.startswith(":orange[:material/close:] 请补充")]


def test_results_of_earlier_values_say_so_until_matched_again():
    """After an edit, the cards of the values submitted before were shown without a word (a break-it trial)."""
    at = _app()
    _fill(at, ENTERPRISE)
    _submit(at)
    stale = "表单内容已修改"
    assert not [w for w in at.warning if stale in w.value]
    at.number_input(key="pf_employees").set_value(900).run()
    assert [w for w in at.warning if stale in w.value]
    at.number_input(key="pf_employees").set_value(ENTERPRISE["employees"]).run()  # back as submitted
    assert not [w for w in at.warning if stale in w.value]
    at.number_input(key="pf_employees").set_value(900).run()
    _submit(at)
    assert not [w for w in at.warning if stale in w.value]


def test_when_the_readiness_check_fails_the_page_simply_leaves_that_tab_out(monkeypatch):
    from recommender import consultation

    def failing(profile, as_of):
        raise RuntimeError("the readiness check failed")

    monkeypatch.setattr(consultation, "qualifications", failing)
    at = _app()
    _fill(at, ENTERPRISE)
    _submit(at)
    labels = [t.label for t in at.tabs]
    assert labels[0].startswith("推荐措施") and not any("资质准备度" in t for t in labels)


def test_a_negative_number_is_a_chinese_line_under_its_field_and_stays_typed():
    """The form's number fields have no widget bounds (Streamlit drops an out-of-bounds value with an English
    tooltip): the profile's own check says it in Chinese, under the field, and the typed value stays."""
    at = _app()
    _fill(at, {"name": "某科技公司", "region": "浦东新区", "employees": -5})
    _submit(at)
    assert ":red[:material/error: 职工总数：不能为负数]" in _markdown(at)
    assert at.number_input(key="pf_employees").value == -5
    assert not at.metric


@pytest.mark.parametrize(
    ("typed", "error"),
    [(0.5, "职工总数：应为整数（收到“0.5”）"), (1e16, "职工总数：数值过大（超过 1,000,000,000,000）")],
)
def test_a_count_that_is_not_a_whole_number_or_too_large_is_said_not_changed(typed, error):
    """An int widget once truncated 0.5 employees to 0 and dropped 1e16, with no word: what was typed stays and
    the profile's check says what is wrong."""
    at = _app()
    _fill(at, {"name": "某科技公司", "region": "浦东新区", "employees": typed})
    _submit(at)
    assert f":red[:material/error: {error}" in _markdown(at)
    assert at.number_input(key="pf_employees").value == typed and not at.metric


def test_a_validation_error_names_the_field_and_keeps_what_was_typed():
    at = _app()
    _fill(at, {"name": "某科技公司", "employees": 5, "rd_staff": 9, "needs": ["人才引进"]})
    _submit(at)
    [error] = at.error
    assert "注册地：必填" in error.value
    assert ":red[:material/error: 注册地：必填]" in _markdown(at)  # inline, under the field
    assert at.text_input(key="pf_name").value == "某科技公司"
    assert at.number_input(key="pf_employees").value == 5 and at.number_input(key="pf_rd_staff").value == 9
    assert at.multiselect(key="pf_needs").value == ["人才引进"]
    assert not at.metric  # no results for a profile that is not valid

    at.selectbox(key="pf_region").select("浦东新区")
    _submit(at)
    [error] = at.error
    assert "科技/研发人员数：研发人员数不能大于职工总数" in error.value
    assert at.selectbox(key="pf_region").value == "浦东新区" and at.number_input(key="pf_rd_staff").value == 9

    at.number_input(key="pf_rd_staff").set_value(3)
    _submit(at)
    assert not at.error and at.metric
    assert at.number_input(key="pf_revenue").value is None  # untouched numbers stay unknown, not 0


def _metrics(at: AppTest) -> dict[str, int]:
    return {m.label: int(m.value.removesuffix(" 条")) for m in at.metric}


def _tab(at: AppTest, name: str) -> int | None:
    """The count in the label of the results tab ``name`` (推荐措施（12）→ 12), None when there is no such tab."""
    found = [int(t.label.split("（")[1].rstrip("）")) for t in at.tabs if t.label.startswith(f"{name}（")]
    return found[0] if found else None


def _agree(at: AppTest) -> dict[str, int]:
    """The count cards equal what the lists show: the in-force states add up to 推荐措施（N）, 已过期 to the
    上一轮政策已到期 tab; returns the cards."""
    cards = _metrics(at)
    in_force = sum(n for label, n in cards.items() if label not in ("已过期", "尚未生效"))
    assert in_force == _tab(at, "推荐措施"), (cards, [t.label for t in at.tabs])
    assert cards["已过期"] == (_tab(at, "上一轮政策已到期") or 0)
    return cards


def test_the_ended_round_has_its_own_section_with_whom_to_ask_and_the_counts_follow_the_filters():
    at = _app()
    # a 高企: measures asking for the title are 可申请 (those asking only the district are 可关注)
    _fill(at, {"name": "浦东某公司", "region": "浦东新区", "needs": ["资金补贴"], "qualifications": ["高新技术企业"]})
    _submit(at)
    _as_of(at, dt.date(2026, 11, 22))  # the 2023-2025 plans have ended
    ended = _tab(at, "上一轮政策已到期")
    assert ended and _agree(at)["已过期"] == ended
    text = _markdown(at)
    assert "**《浦东新区高新技术企业培育三年行动计划（2023-2025年）》**" in text  # ended measures by document
    captions = [c.value for c in at.caption]
    assert any(
        "已于 2025-12-31 到期。上一轮政策已到期，可向发文单位浦东新区科技和经济委员会咨询是否延续" in c
        for c in captions
    )
    assert any(c.startswith(":material/history: 上一轮政策已到期，可向") and "咨询是否延续" in c for c in captions)
    assert ":gray-badge[:material/history: 已过期]" in text and any("时已过期" in c for c in captions)
    # the district's own documents have all ended: said above the results
    assert any("本库收录的浦东新区政策文件在 2026-11-22 均不在有效期内" in w.value for w in at.warning)

    at.multiselect(key="filter_status").select("eligible").run()  # a filter narrows the cards as the lists
    cards = _agree(at)
    assert cards["已过期"] == 0 and set(n for label, n in cards.items() if label != "可申请") == {0}
    assert any("按当前筛选（匹配状态：可申请）" in c.value for c in at.caption)
    at.multiselect(key="filter_status").unselect("eligible").run()
    at.multiselect(key="filter_benefits").select("人才引进").run()
    cards = _agree(at)
    assert cards["已过期"] < ended and any("按当前筛选（支持方式：人才引进）" in c.value for c in at.caption)

    _as_of(at, dt.date(2024, 6, 30))
    at.multiselect(key="filter_benefits").unselect("人才引进").run()
    at.multiselect(key="filter_status").select("eligible").run()
    badges = [m.value for m in at.markdown if "-badge[:material/" in m.value]
    assert badges and all("可申请" in b for b in badges)
    _agree(at)


def test_a_list_emptied_by_the_filters_says_so_not_that_the_policies_have_ended():
    """With measures in force hidden by the filters, the empty list said 现行有效的政策中没有可列出的措施：本库收录的
    浦东新区政策文件…均不在有效期内 (a break-it trial): the filters emptied it."""
    at = _app()
    _fill(at, {"name": "张江某芯片公司", "region": "浦东新区", "park": "张江科学城", "needs": ["融资贷款"]})
    _submit(at)
    _as_of(at, dt.date(2026, 12, 1))  # Pudong's own plans have ended; Zhangjiang's are in force
    assert _tab(at, "推荐措施")
    at.toggle(key="show_leads").set_value(False).run()
    at.multiselect(key="filter_status").select("unreviewed").run()  # no measure of the seeds is unreviewed
    assert _tab(at, "推荐措施") == 0
    said = [i.value for i in at.info]
    assert any("没有符合筛选条件的现行措施" in s for s in said) and not any("没有可列出的措施" in s for s in said)


def test_a_district_the_library_does_not_cover_is_said_plainly_with_what_it_covers():
    at = _app()
    _fill(at, {"name": "黄浦某公司", "region": "黄浦区"})
    _submit(at)
    [warning] = [w.value for w in at.warning if "本库暂未收录" in w.value]
    assert warning.startswith("本库暂未收录黄浦区的政策文件，下面的结果不含黄浦区本区的扶持措施")
    assert "已收录的区级文件：浦东新区、徐汇区、金山区" in warning and "张江高新区" in warning
    [panel] = [e for e in at.expander if e.label.startswith("本库收录的政策文件")]
    documents = panel.dataframe[0].value
    assert len(documents) == len(Recommender.load().documents)
    assert set(documents["适用范围"]) >= {"浦东新区", "金山区", "徐汇区"}
    day = f"{shanghai_today()} 时"
    status = dict(zip(documents["文件"], documents[day], strict=True))
    assert status["《关于加快建设具有全球影响力的科技创新中心的实施意见》"] == "已到期"
    assert "2015-08-14 至 2020-12-31" in set(documents["有效期"])
    assert "2022-03-17 起（未规定截止日期）" in set(documents["有效期"])


def test_the_as_of_date_applies_when_applied_and_the_sidebar_says_which_date_is_in_force():
    at = _app()
    today = shanghai_today()
    assert at.date_input(key="as_of").value == today  # Shanghai's date, not the server's
    assert any(f"正在按 **{today}**（今天）判断政策是否有效" in c.value for c in at.sidebar.caption)
    _fill(at, ENTERPRISE)
    _submit(at)
    at.date_input(key="as_of").set_value(dt.date(2024, 6, 30))
    at.run()  # typed, not applied: the results keep the date in force
    assert any(f"政策有效性按 {today} 判断" in c.value for c in at.caption)
    _as_of(at, dt.date(2024, 6, 30))
    assert any(f"正在按 **2024-06-30**（今天是 {today}）" in c.value for c in at.sidebar.caption)
    assert any("政策有效性按 2024-06-30 判断" in c.value for c in at.caption)


def test_leads_show_as_their_own_status_and_a_toggle_hides_them():
    at = _app()
    _fill(
        at,
        {
            "name": "金山某化工厂",
            "region": "金山区",
            "description": "安监环保检查太多，每次都要人陪着",
            "needs": ["政务服务"],
        },
    )
    _submit(at)
    _as_of(at, dt.date(2022, 6, 30))
    at.multiselect(key="filter_status").select("lead").run()
    # 可关注: the leads, and the measures asking nothing but the district (精简优化审批服务 …): every card shown
    while more := [b for b in at.button if b.label.startswith("再显示")]:
        more[0].click().run()
    badges = [m.value for m in at.markdown if "-badge[:material/" in m.value]
    assert badges and all(":violet-badge[:material/campaign: 可关注]" in b for b in badges)
    assert any("陪检" in h.value for h in at.html)  # the joint inspection that cuts 陪检 is a lead
    at.multiselect(key="filter_status").unselect("lead").run()
    at.toggle(key="show_leads").set_value(False).run()
    assert "可关注]" not in _markdown(at)
    numbers = [re.search(r"\*\*(\d+)\. ", m.value) for m in at.markdown if "-badge[:material/" in m.value]
    numbers = [int(n.group(1)) for n in numbers if n]
    shown = min(_tab(at, "推荐措施") or 0, 10)  # the first page of the measures in force, then the other sections
    assert numbers[:shown] == list(range(1, shown + 1)) and numbers == sorted(set(numbers))  # hidden leads not counted
    assert not at.exception


def test_unlock_section_lists_measures_a_title_would_open():
    at = _app()
    _fill(at, {"name": "浦东某公司", "region": "浦东新区", "industry": "集成电路", "needs": ["资金补贴"]})
    _submit(at)
    _as_of(at, dt.date(2024, 6, 30))
    titles = [e.label for e in at.expander]
    assert any(t.startswith("成为“高新技术企业”后，可申请") for t in titles), titles


PUDONG_CHIPS = {"name": "浦东某公司", "region": "浦东新区", "industry": "集成电路", "needs": ["资金补贴"]}


def _unlock_lists(at: AppTest) -> dict[str, list[str]]:
    """The 取得资质可解锁 tab as drawn: title → the measures' titles listed under it."""
    found = {}
    for e in at.expander:
        if e.label.startswith("成为“"):
            title = e.label.removeprefix("成为“").split("”")[0]
            found[title] = [m.value.split("**")[1] for m in e.markdown if m.value.startswith("- **")]
    return found


def test_the_unlock_tab_follows_the_filters_the_other_tabs_obey():
    """取得资质可解锁 listed every measure a title unlocks whatever the 支持方式, 匹配状态 and 线索 filters
    (and its count with them): it now keeps what ``Filters.keep`` keeps, as the other tabs do."""
    from webapp.ui.results import Filters, unlock_count, unlockable

    c = consult(Recommender.load(), parse_profile(PUDONG_CHIPS), as_of=dt.date(2024, 6, 30), top=None)
    everything = Filters(leads=True, benefits=[], statuses=[])
    assert unlockable(c, everything) == c.unlocks and unlock_count(c.unlocks) > 1
    for filters in (
        Filters(True, ["资金补贴"], []),
        Filters(True, ["技术合作", "政务服务"], []),
        Filters(True, [], [next(m.state for ms in c.unlocks.values() for m in ms)]),
        Filters(True, [], ["eligible"]),
        Filters(False, [], []),
    ):
        kept = unlockable(c, filters)
        expected = {
            t: [m.clause_id for m in ms if filters.keep(m)]
            for t, ms in c.unlocks.items()
            if any(filters.keep(m) for m in ms)
        }
        assert {t: [m.clause_id for m in ms] for t, ms in kept.items()} == expected, filters
        assert all(
            (set(m.benefits) & set(filters.benefits) or not filters.benefits)
            and (m.state in filters.statuses or not filters.statuses)
            and (filters.leads or m.kind != "lead")
            for ms in kept.values()
            for m in ms
        )
        lengths = [len(ms) for ms in kept.values()]
        assert lengths == sorted(lengths, reverse=True)  # the title unlocking most first
    funds = unlockable(c, Filters(True, ["资金补贴"], []))
    assert 0 < unlock_count(funds) < unlock_count(c.unlocks)

    at = _app()
    _fill(at, PUDONG_CHIPS)
    _submit(at)
    _as_of(at, dt.date(2024, 6, 30))
    shown = _unlock_lists(at)
    assert shown == {t: [m.title for m in ms] for t, ms in c.unlocks.items()}
    assert _tab(at, "取得资质可解锁") == unlock_count(c.unlocks)
    at.multiselect(key="filter_benefits").select("资金补贴").run()
    assert _unlock_lists(at) == {t: [m.title for m in ms] for t, ms in funds.items()}
    assert _tab(at, "取得资质可解锁") == unlock_count(funds)
    assert any("按当前筛选（支持方式：资金补贴）列出" in c.value for c in at.caption)
    at.multiselect(key="filter_status").select("eligible").run()  # they are 信息不足 now (titles not said)
    assert not _unlock_lists(at) and _tab(at, "取得资质可解锁") == unlock_count(
        unlockable(c, Filters(True, ["资金补贴"], ["eligible"]))
    )
    assert any("没有符合筛选条件的、取得资质即可解锁的措施" in i.value for i in at.info)
    assert not at.exception


def test_a_saved_profile_loads_back_into_the_form():
    at = _app()
    saved = {**ENTERPRISE, "founded": "2019-04-01", "revenue": 6200, "foreign_invested": False}
    saved["qualification_dates"] = {"高新技术企业": "2023-10-15"}
    at.sidebar.file_uploader[0].set_value(
        ("档案.json", json.dumps(saved, ensure_ascii=False).encode(), "application/json")
    )
    at.run()
    assert not at.exception
    assert at.text_input(key="pf_name").value == ENTERPRISE["name"]
    assert at.selectbox(key="pf_region").value == "浦东新区"
    assert at.number_input(key="pf_revenue").value == 6200
    assert at.date_input(key="pf_founded").value == dt.date(2019, 4, 1)
    assert at.selectbox(key="pf_foreign_invested").value == "否"
    assert at.multiselect(key="pf_needs").value == ["资金补贴", "融资贷款"]
    from webapp.ui.profile_form import QUALIFICATIONS

    assert at.date_input(key=f"pf_qdate_{QUALIFICATIONS.index('高新技术企业')}").value == dt.date(2023, 10, 15)
    _submit(at)
    assert at.metric and not at.error

    at.sidebar.file_uploader[0].set_value(("坏.json", '{"name": "x", "region": "火星"}'.encode(), "application/json"))
    at.run()
    assert any("注册地" in w.value for w in at.sidebar.warning)
    assert at.text_input(key="pf_name").value == "x"  # what could be read is kept

    # one title the list does not know: the others are kept (all were dropped: a break-it trial)
    partly = {
        "name": "y",
        "region": "浦东新区",
        "qualifications": ["高新技术企业", "不存在的资质"],
        "needs": ["资金补贴", "飞行"],
    }
    at.sidebar.file_uploader[0].set_value(
        ("部分.json", json.dumps(partly, ensure_ascii=False).encode(), "application/json")
    )
    at.run()
    assert any("不存在的资质" in w.value for w in at.sidebar.warning)
    assert at.multiselect(key="pf_qualifications").value == ["高新技术企业"]
    assert at.multiselect(key="pf_needs").value == ["资金补贴"]


def test_extra_model_fields_are_optional_and_ratios_are_percentages_on_screen():
    from recommender.profile_fields import extra_fields, is_ratio

    ratios = [f for f in extra_fields() if is_ratio(f)]
    assert ratios, "the profile model's readiness extensions include share fields"
    field = ratios[0]
    at = _app(counsellor=True)
    _fill(at, {"name": "某公司", "region": "徐汇区"})
    at.number_input(key=f"pf_{field}").set_value(35.0)
    _submit(at)
    assert getattr(at.session_state["submitted_profile"], field) == 0.35
    at.sidebar.file_uploader[0].set_value(
        ("p.json", json.dumps({"name": "某公司", "region": "徐汇区", field: 0.6}).encode(), "application/json")
    )
    at.run()
    assert at.number_input(key=f"pf_{field}").value == 60


def test_a_share_out_of_range_is_said_in_the_box_s_own_percent():
    """资产负债率（%） 150 said "不能大于 1.0（比例请填小数，如 0.35 表示 35%）": following it, 0.35 read as 0.35 %
    (a break-it trial). The bound is said in percent; a value under 1 in a box of percent is asked about."""
    at = _app(counsellor=True)
    _fill(at, {"name": "某公司", "region": "徐汇区"})
    at.number_input(key="pf_debt_ratio").set_value(150.0)
    _submit(at)
    said = [m.value for m in at.markdown if "资产负债率" in m.value]
    assert said == [":red[:material/error: 资产负债率：不能大于 100%（填的是 150%）]"]
    [summary] = [e.value for e in at.error if "请修改以下内容" in e.value]  # the list above the button too
    assert "资产负债率：不能大于 100%（填的是 150%）" in summary and "小数" not in summary
    at.number_input(key="pf_debt_ratio").set_value(0.35)
    _submit(at)
    assert any("填的是 0.35%；如指 35%，请填 35" in c.value for c in at.caption)
    assert at.session_state["submitted_profile"].debt_ratio == 0.0035  # as typed: asked, never changed


def test_a_share_keeps_its_decimals_both_ways():
    """资产负债率 99.999999 % was saved as 1.0 (rounded to six places of the fraction) and 35.123456 % shown back as
    35.1235 (a break-it trial)."""
    at = _app(counsellor=True)
    _fill(at, {"name": "某公司", "region": "徐汇区"})
    at.number_input(key="pf_debt_ratio").set_value(99.999999)
    at.number_input(key="pf_rd_domestic_share").set_value(35.1)
    _submit(at)
    submitted = at.session_state["submitted_profile"]
    assert submitted.debt_ratio == 0.99999999 and submitted.rd_domestic_share == 0.351
    at.sidebar.file_uploader[0].set_value(
        ("p.json", json.dumps({"name": "某公司", "region": "徐汇区", "debt_ratio": 0.35123456}).encode(), "x")
    )
    at.run()
    assert at.number_input(key="pf_debt_ratio").value == 35.123456


ROSTER = """企业名称,注册地,所在园区,所属行业,职工总数,诉求
上海张江某芯微电子有限公司,浦东新区,张江科学城,集成电路,85,资金补贴、融资贷款
北京某软件公司,北京市,,软件,很多,资金补贴
金山某新材料有限公司,金山区,碳谷绿湾,新材料,120,"场地空间,融资贷款"
"""


def _counsellor() -> AppTest:
    at = _app(counsellor=True)
    at.switch_page("webapp/views/counsellor.py").run()
    assert not at.exception
    return at


def test_counsellor_roster_lists_the_bad_row_and_matches_the_rest():
    at = _counsellor()
    at.file_uploader(key="roster_upload").set_value(("走访名单.csv", ROSTER.encode("gbk"), "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    [warning] = [w for w in at.warning if "共读取" in w.value]
    assert "共读取 3 家企业：2 家可以匹配，1 行有误" in warning.value
    # the library's reach, for the districts on the roster (浦东新区's own plans ended in 2025)
    today = shanghai_today()
    pudong = [w.value for w in at.warning if w.value.startswith("名单中注册地为浦东新区的 1 家：")]
    assert len(pudong) == (today > dt.date(2025, 12, 31))
    assert not [w for w in at.warning if "金山区" in w.value]  # its document is in force
    [panel] = [e for e in at.expander if e.label.startswith("本库收录的政策文件")]
    assert "覆盖的区：浦东新区、徐汇区、金山区" in panel.caption[0].value
    bad = at.dataframe[0].value
    assert list(bad["行号"]) == [3] and list(bad["企业名称"]) == ["北京某软件公司"]
    assert "注册地" in bad["原因"][0] and "职工总数" in bad["原因"][0]
    assert "下载有误的行及原因（CSV）" in [b.label for b in at.download_button]  # the whole reasons, to fix and resend
    read = at.dataframe[1].value  # how each usable row was read, before matching
    assert list(read["行号"]) == [2, 4] and list(read["所在园区"]) == ["张江科学城", "碳谷绿湾"]
    assert list(read["职工总数"]) == ["85", "120"]
    overview = at.dataframe[2].value
    assert list(overview["企业名称"]) == ["上海张江某芯微电子有限公司", "金山某新材料有限公司"]
    assert list(overview["行号"]) == [2, 4]
    labels = [b.label for b in at.download_button]
    # the file's 判断日期 is on the button, so a date typed but not yet applied shows before the download
    assert f"下载匹配汇总（Excel，{shanghai_today()}）" in labels and "下载咨询单（Word）" in labels
    assert at.selectbox(key="roster_pick").value == "第 2 行 · 上海张江某芯微电子有限公司"
    # the zip of Word sheets is made on request, with a progress bar, then offered
    [make] = [b for b in at.button if b.label == "生成全部咨询单（2 份 Word）"]
    make.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "下载全部咨询单（2 份）" in [b.label for b in at.download_button]
    assert not [b for b in at.button if b.label.startswith("生成全部咨询单")]


def test_counsellor_steps_are_numbered_as_shown():
    """With 每家企业列出措施数 emptied nothing is matched: the steps shown are 1 and 2, never 1 and 4."""
    at = _counsellor()
    at.file_uploader(key="roster_upload").set_value(("走访名单.csv", ROSTER.encode("gbk"), "text/csv"))
    at.number_input(key="roster_top").set_value(None)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    steps = [m.value for m in at.markdown if m.value.startswith("##### ")]
    assert steps == ["##### 1　上传企业名单", "##### 2　加入企业档案库"]
    at.number_input(key="roster_top").set_value(10).run()
    steps = [m.value for m in at.markdown if m.value.startswith("##### ")]
    assert [s.split("　")[0] for s in steps] == ["##### 1", "##### 2", "##### 3", "##### 4"]


def test_the_roster_result_is_made_again_when_only_its_bad_rows_change():
    """The Excel summary lists the bad rows (未导入行): a roster whose bad row was corrected elsewhere, or another
    bad row added, must not reuse the summary made before (the good rows being the same)."""
    from recommender.roster import read_roster
    from webapp.ui.roster_view import _signature

    before = read_roster(ROSTER.encode(), "名单.csv")
    after = read_roster(ROSTER.replace("软件,很多", "软件,许多").encode(), "名单.csv")
    assert [r.profile for r in before.rows] == [r.profile for r in after.rows] and before.bad != after.bad
    day = dt.date(2025, 1, 1)
    assert _signature(before, day, 10) != _signature(after, day, 10)
    assert _signature(before, day, 10) == _signature(read_roster(ROSTER.encode(), "名单.csv"), day, 10)


def test_counsellor_sees_each_conversion_before_matching():
    at = _counsellor()
    roster = '企业名称,注册地,营业收入（元）\n上海某软件有限公司,上海市浦东新区,"18,500,000.00"\n'
    at.file_uploader(key="roster_upload").set_value(("名单.csv", roster.encode(), "text/csv"))
    at.run()
    assert not at.exception
    assert any("18,500,000.00 元 → 1,850 万元" in c.value for c in at.caption)
    read = at.dataframe[0].value
    assert list(read["注册地"]) == ["浦东新区"] and list(read["营业收入（万元）"]) == ["1,850"]
    assert list(read["换算"]) == ["营业收入（元） 18,500,000.00 元 → 1,850 万元"]


def test_counsellor_roster_outlives_a_visit_to_another_page():
    at = _counsellor()
    at.file_uploader(key="roster_upload").set_value(("走访名单.csv", ROSTER.encode(), "text/csv")).run()
    at.switch_page("webapp/views/registry.py").run()
    at.session_state["roster_upload"] = None  # what leaving the page does to an uploader's file
    at.switch_page("webapp/views/counsellor.py").run()
    assert not at.exception
    assert any("正在使用之前上传的“走访名单.csv”" in c.value for c in at.caption)
    assert at.selectbox(key="roster_pick").value == "第 2 行 · 上海张江某芯微电子有限公司"


def test_counsellor_unreadable_file_says_why():
    at = _counsellor()
    at.file_uploader(key="roster_upload").set_value(("名单.csv", "公司,地址\n甲,乙\n".encode(), "text/csv"))
    at.run()
    [error] = at.error
    assert "没有找到含 企业名称、注册地 的表头行" in error.value


def test_counsellor_sees_the_enterprise_submitted_on_the_self_check_page():
    at = _app(counsellor=True)
    _fill(at, ENTERPRISE)
    _submit(at)
    at.switch_page("webapp/views/counsellor.py").run()
    assert not at.exception
    assert any(ENTERPRISE["name"] in e.label for e in at.expander)
    assert "下载咨询单（Word）" in [b.label for b in at.download_button]
    at.file_uploader(key="roster_upload").set_value(("名单.csv", ROSTER.encode(), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]  # the same enterprise in both places
    assert [b.label for b in at.download_button].count("下载咨询单（Word）") == 2


def test_highlight_escapes_html_and_marks_longest_terms_first():
    html = highlight("<b>融资贷款</b>与融资", ["融资", "融资贷款", ""])
    assert html.startswith("&lt;b&gt;<mark") and html.count("<mark") == 2
    assert ">融资贷款</mark>" in html and "&lt;/b&gt;与<mark" in html
    assert md("*1* [a](b) $x$") == r"\*1\* \[a\](b) \$x\$"


def test_titles_left_blank_are_unknown_and_none_is_said_with_the_option():
    """An empty choice is "not stated" (unknown); the 无 option says "no titles" and comes back on load."""
    at = _app()
    _fill(at, {"name": "某公司", "region": "徐汇区"})
    _submit(at)
    assert at.session_state["submitted_profile"].qualifications is None
    at.multiselect(key="pf_qualifications").select("无")
    _submit(at)
    assert at.session_state["submitted_profile"].qualifications == []
    saved = at.session_state["submitted_profile"].public_dict()
    assert saved["qualifications"] == []
    at.sidebar.file_uploader[0].set_value(("p.json", json.dumps(saved).encode(), "application/json"))
    at.run()
    assert at.multiselect(key="pf_qualifications").value == ["无"]


def test_a_held_title_s_term_is_a_note_not_a_condition_met():
    """The readiness card ticked "首次取得于 …，首个有效期至 …，已届满：请核实…" and "以下差距供重新认定（复审）参考" as
    if they were conditions met (a break-it trial)."""
    from webapp.ui.cards import reason_marks

    held = {**ENTERPRISE, "qualification_dates": {"高新技术企业": "2019-03-01"}}
    items = consult(Recommender.load(), parse_profile(held), as_of=dt.date(2024, 6, 30)).readiness
    assert items is not None
    [hnte] = [i for i in items if i.name == "高新技术企业"]
    lines = reason_marks(hnte)
    ended = [line for line in lines if "已届满" in line]
    assert ended and all(line.startswith(":blue[:material/info:]") for line in ended)
    assert lines[0].startswith(":green[:material/check:] 已持有")
    assert not [line for line in lines if "以下差距" in line]


def test_the_unlock_tab_marks_each_gap_by_its_state():
    """The unlock tab listed a title's readiness gaps as plain bullets, not met and not known alike."""
    at = _app()
    _fill(at, PUDONG_CHIPS)
    _submit(at)
    _as_of(at, dt.date(2024, 6, 30))
    [hnte] = [e for e in at.expander if e.label.startswith("成为“高新技术企业”")]
    gaps = [m.value for m in hnte.markdown if not m.value.startswith(("- **", "认定准备度"))]
    assert gaps and all(g.startswith((":red[:material/close:]", ":orange[:material/help:] 待补充")) for g in gaps)


def test_a_park_outside_the_chosen_district_is_asked_about_under_the_box():
    """徐汇区 + 金桥 was taken without a word (a break-it trial): a line under 所在园区 asks to confirm."""
    at = _app()
    _fill(at, {"name": "某公司", "region": "徐汇区", "park": "金桥"})
    at.run()
    assert any("所在园区“金桥”在浦东新区，注册地为徐汇区：请确认两者" in c.value for c in at.caption)
