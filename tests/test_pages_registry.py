"""The pages that read and write the 一企一档 registry, through Streamlit's AppTest.

Every test has a database of its own (conftest's ``registry_url``: SQLite, or a PostgreSQL schema
when DATABASE_URL is set); data are set up and checked with the recommender.registry API.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from actors import account, admin, counsellor
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from recommender.clock import today as shanghai_today
from recommender.consultation import consult
from recommender.corpus import is_valid
from recommender.engine import Recommender
from recommender.paths import ROOT
from recommender.profile import parse_profile
from recommender.registry import consultations, db, enterprises
from recommender.registry.access import ADMIN, COUNSELLOR
from recommender.registry.models import ClauseVersion, ConsultationMeasure, Feedback
from recommender.registry.states import FOLLOW_UPS, LEAD_FOLLOW_UPS, UNASSIGNED
from webapp.ui import profile_form
from webapp.ui.auth import USER
from webapp.ui.badges import state_badge

T = TypeVar("T")
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
JINSHAN = {"name": "金山某新材料有限公司", "region": "金山区", "park": "碳谷绿湾", "industry": "新材料"}
ROSTER = """企业名称,注册地,所在园区,所属行业,职工总数,诉求
上海张江某芯微电子有限公司,浦东新区,张江科学城,集成电路,85,资金补贴、融资贷款
北京某软件公司,北京市,,软件,很多,资金补贴
金山某新材料有限公司,金山区,碳谷绿湾,新材料,120,"场地空间,融资贷款"
"""


@pytest.fixture(scope="module", autouse=True)
def warm_engine() -> None:
    Recommender.load()  # the first load may build the index: keep it out of the pages' time-outs


def _db(action: Callable[[Session], T]) -> T:
    with db.transaction() as session:
        return action(session)


def _add(profile: dict, counsellor: str | None = None, by: str = "测试") -> int:
    return _db(lambda s: enterprises.add(s, profile, by=admin(by), counsellor=counsellor).id)


def _record(enterprise_id: int) -> dict[str, Any]:
    def read(s: Session) -> dict[str, Any]:
        e = enterprises.get(s, enterprise_id, admin())
        return {"counsellor": e.counsellor, "stage": e.pool_stage, "version": e.version, "profile": e.profile}

    return _db(read)


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def _counsellors(*names: str) -> None:
    """辅导员 accounts named ``names``: whom a 管理员 can choose as 专员."""
    for name in names:
        account(COUNSELLOR, name)


def _page(path: str, as_name: str | None = "测试管理员", role: str = ADMIN, **state: Any) -> AppTest:
    """``path`` opened by the account of ``role`` named ``as_name`` (None: the public, not logged in)."""
    at = AppTest.from_file(APP, default_timeout=90)
    if as_name is not None:
        at.session_state[USER] = account(role, as_name)
    for k, v in state.items():
        at.session_state[k] = v
    _ok(at.run())
    return _ok(at.switch_page(path).run())


def _errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def _fill_and_submit(at: AppTest, data: dict) -> None:
    """Fill the self-check form as test_pages does, and press 开始匹配."""
    at.text_input(key="pf_name").input(data["name"])
    for field in ("region", "industry"):
        if field in data:
            at.selectbox(key=f"pf_{field}").select(data[field])
    if "park" in data:
        at.text_input(key="pf_park").input(data["park"])
    if "employees" in data:
        at.number_input(key="pf_employees").set_value(data["employees"])
    for field in ("qualifications", "needs"):
        for value in data.get(field, []):
            at.multiselect(key=f"pf_{field}").select(value)
    _submit(at)


def _submit(at: AppTest) -> None:
    [button] = [b for b in at.button if b.label == "开始匹配"]
    _ok(button.click().run())


# --- 企业档案库 -----------------------------------------------------------------------------------------


def test_registry_page_lists_enterprises_filters_them_and_shows_history():
    first = _add(ENTERPRISE, counsellor="王五")
    _add(JINSHAN, counsellor="李四")
    _db(lambda s: enterprises.update(s, first, expected_version=1, by=admin("李四"), counsellor="赵六", stage="培育"))

    at = _page("webapp/views/registry.py")
    table = at.dataframe[0].value
    assert list(table["企业名称"]) == sorted([ENTERPRISE["name"], JINSHAN["name"]])
    row = table.set_index("企业名称").loc[ENTERPRISE["name"]]
    assert (row["注册地"], row["培育库阶段"], row["专员"], row["版本"], row["最近修改人"]) == (
        "浦东新区",
        "培育",
        "赵六",
        2,
        "李四",
    )
    assert "下载企业名单（CSV）" in [b.label for b in at.download_button]

    _ok(at.selectbox(key="reg_f_counsellor").select("李四").run())
    assert list(at.dataframe[0].value["企业名称"]) == [JINSHAN["name"]]
    _ok(at.selectbox(key="reg_f_counsellor").set_value(None).run())
    _ok(at.text_input(key="reg_f_text").input("张江").run())
    assert list(at.dataframe[0].value["企业名称"]) == [ENTERPRISE["name"]]
    _ok(at.text_input(key="reg_f_text").input("没有这家").run())  # an empty table said "empty" in English
    assert not at.dataframe and "没有符合筛选条件的企业，可以放宽上面的筛选条件。" in [i.value for i in at.info]
    _ok(at.text_input(key="reg_f_text").input("张江").run())

    _ok(at.selectbox(key="reg_pick").select(first).run())
    assert [t.label for t in at.tabs] == ["档案", "修改历史（2）", "咨询记录（0）"]
    profile = at.dataframe[1].value
    assert dict(zip(profile["项目"], profile["内容"], strict=True))["所在园区"] == "张江科学城"
    text = _markdown(at)
    assert "**第 2 版** · 李四" in text and "- 专员：王五 → 赵六\n- 培育库阶段：储备 → 培育" in text
    assert text.index("**第 2 版**") < text.index("**第 1 版**")  # newest first
    assert "- 所在园区：张江科学城" in text  # the first version lists what the record was created with


def test_the_history_calls_an_enterprise_without_a_counsellor_what_the_list_calls_it():
    """修改历史 said 专员：未填写 where the list, the header and the filter say 未分配 (states.UNASSIGNED)."""
    eid = _add(ENTERPRISE, counsellor="王五")
    _db(lambda s: enterprises.update(s, eid, expected_version=1, by=admin("李四"), counsellor=None))
    _db(lambda s: enterprises.update(s, eid, expected_version=2, by=admin("李四"), counsellor="赵六"))
    at = _page("webapp/views/registry.py")
    assert list(at.dataframe[0].value["专员"]) == ["赵六"]
    _ok(at.selectbox(key="reg_pick").select(eid).run())
    text = _markdown(at)
    assert f"- 专员：王五 → {UNASSIGNED}" in text and f"- 专员：{UNASSIGNED} → 赵六" in text
    assert "未填写" not in "\n".join(line for line in text.splitlines() if line.startswith("- 专员"))

    _db(lambda s: enterprises.update(s, eid, expected_version=3, by=admin("李四"), counsellor=None))
    _ok(at.run())
    assert list(at.dataframe[0].value["专员"]) == [UNASSIGNED]  # the list's word, the history's too
    assert f"- 专员：赵六 → {UNASSIGNED}" in _markdown(at)


def test_an_empty_registry_says_how_to_add_enterprises():
    at = _page("webapp/views/registry.py")
    [info] = at.info
    assert "档案库中还没有企业" in info.value and "辅导员工作台" in info.value
    assert not at.dataframe


def test_a_save_over_someone_elses_write_is_refused_and_keeps_what_the_user_typed():
    _counsellors("王五", "张三", "赵六")
    eid = _add(ENTERPRISE, counsellor="王五")
    at = _page("webapp/views/registry.py")
    _ok(at.selectbox(key="reg_pick").select(eid).run())
    assert at.selectbox(key=f"reg_counsellor_{eid}").value == "王五"

    # another page saves first
    _db(lambda s: enterprises.update(s, eid, expected_version=1, by=admin("李四"), counsellor="赵六"))
    at.selectbox(key=f"reg_counsellor_{eid}").select("张三")
    at.selectbox(key=f"reg_stage_{eid}").select("提升")
    _ok(at.button(key=f"reg_save_{eid}").click().run())

    [error] = _errors(at)
    assert "保存失败" in error and "李四" in error and "您打开的是第 1 版，现在是第 2 版" in error
    record = _record(eid)
    assert (record["counsellor"], record["stage"], record["version"]) == ("赵六", "储备", 2)  # the other write kept
    assert at.selectbox(key=f"reg_counsellor_{eid}").value == "张三"  # and the user's input too
    assert at.selectbox(key=f"reg_stage_{eid}").value == "提升"

    _ok(at.button(key=f"reg_refresh_{eid}").click().run())
    assert not _errors(at)
    assert at.selectbox(key=f"reg_counsellor_{eid}").value == "赵六"
    at.selectbox(key=f"reg_stage_{eid}").select("提升")
    _ok(at.button(key=f"reg_save_{eid}").click().run())
    assert any("第 3 版" in s.value for s in at.success)
    record = _record(eid)
    assert (record["counsellor"], record["stage"], record["version"]) == ("赵六", "提升", 3)
    history = _db(lambda s: enterprises.history(s, eid, admin()))
    assert history[0][0].changed_by == "测试管理员" and history[0][0].source == "页面编辑"


def test_a_consultation_is_recorded_with_its_sheet_and_follow_ups_are_versioned():
    eid = _add(ENTERPRISE, counsellor="王五")
    at = _page("webapp/views/registry.py", "王五", COUNSELLOR)
    _ok(at.selectbox(key="reg_pick").select(eid).run())
    at.session_state[f"reg_tabs_{eid}"] = "咨询记录（0）"  # the user opens the 咨询记录 tab
    [measures] = [m for m in at.multiselect if m.key.startswith(f"cr_measures_{eid}")]
    _ok(at.button(key=f"cr_save_{eid}").click().run())
    assert _errors(at) == ["请至少选择一条讨论过的措施"]

    expected = consult(Recommender.load(), parse_profile(ENTERPRISE), as_of=shanghai_today())
    # a measure to apply for first (its follow-ups are tried below), then the first other one listed
    applied = next(m for m in expected.measures if m.state != "lead")
    other = next(m for m in expected.measures if m is not applied)
    chosen = [applied.clause_id, other.clause_id]
    shown = {m.clause_id: m for m in (applied, other)}
    assert [measures.format_func(cid) for cid in chosen] == [f"{m.title}（{m.status_label}）" for m in shown.values()]
    at.multiselect(key=measures.key).set_value(chosen)
    at.text_area(key=f"cr_note_{eid}").input("企业计划明年申报")
    _ok(at.button(key=f"cr_save_{eid}").click().run())
    assert not _errors(at)
    assert "下载本次咨询单（Word）" in [b.label for b in at.download_button]
    assert [t.label for t in at.tabs][2] == "咨询记录（1）"
    # the page stays on 咨询记录 (its label's count changed), where the message and the sheet button are
    assert at.session_state[f"reg_tabs_{eid}"] == "咨询记录（1）"
    assert any("咨询记录（2 条措施）" in s.value for s in at.success)

    def visits(s: Session) -> list[tuple]:
        [c] = enterprises.get(s, eid, admin()).consultations
        return [
            (c.counsellor, c.note, c.sheet_file, c.profile_version, m.clause_id, m.follow_up, m.match_status)
            for m in c.measures
        ]

    rows = _db(visits)
    # a measure starts 待申报, a 可关注 one (a lead, or a measure asking only the district) 待了解
    first = {cid: "待了解" if m.state == "lead" else "待申报" for cid, m in shown.items()}
    assert [r[4] for r in rows] == chosen and [r[5] for r in rows] == [first[cid] for cid in chosen]
    assert rows[0][:4] == ("王五", "企业计划明年申报", f"{ENTERPRISE['name']}-政策咨询单.docx", 1)
    assert [r[6] for r in rows] == [shown[cid].state for cid in chosen]  # stored as codes
    for m in shown.values():  # and shown with their labels
        assert state_badge(m.state) in _markdown(at) and m.status_label in state_badge(m.state)

    mid = _db(lambda s: s.scalars(select(ConsultationMeasure.id).order_by(ConsultationMeasure.id)).first())
    at.selectbox(key=f"fu_state_{mid}").select("未获批")
    _ok(at.button(key=f"fu_save_{mid}").click().run())
    assert any("请填写原因" in e for e in _errors(at))
    assert _db(lambda s: s.get(ConsultationMeasure, mid).follow_up) == "待申报"
    at.text_input(key=f"fu_reason_{mid}").input("研发投入占比不足")
    _ok(at.button(key=f"fu_save_{mid}").click().run())
    assert not _errors(at)
    assert _db(lambda s: (lambda m: (m.follow_up, m.reason, m.version))(s.get(ConsultationMeasure, mid))) == (
        "未获批",
        "研发投入占比不足",
        2,
    )

    _db(lambda s: consultations.set_follow_up(s, mid, 2, "已申报", by=admin("李四")))  # behind the page's back
    at.selectbox(key=f"fu_state_{mid}").select("已获批")
    _ok(at.button(key=f"fu_save_{mid}").click().run())
    assert any("已被 李四" in e and "请刷新后再改" in e for e in _errors(at))
    assert _db(lambda s: s.get(ConsultationMeasure, mid).follow_up) == "已申报"
    assert at.selectbox(key=f"fu_state_{mid}").value == "已获批"


def test_a_lead_in_a_consultation_is_offered_a_lead_s_follow_ups_not_an_application_s():
    """A 可关注 lead was offered 待申报 … 已获批 as if it could be applied for: the page offers what the registry
    allows for each measure, a lead's states for a lead and an application's for the others."""
    eid = _add(ENTERPRISE, counsellor="王五")
    discussed = [
        consultations.Discussed("js-yingshang-2022/c2.s1.g1.p2", "维护公平竞争秩序", "lead"),
        consultations.Discussed("js-yingshang-2022/c2.s1.g1.p1", "首次落户奖励", "eligible"),
    ]
    visit = _db(
        lambda s: {
            m.match_status: m.id
            for m in consultations.record(
                s, eid, shanghai_today(), "王五", discussed, shanghai_today(), admin()
            ).measures
        }
    )
    lead, application = visit["lead"], visit["eligible"]
    at = _page("webapp/views/registry.py", "王五", COUNSELLOR)
    _ok(at.selectbox(key="reg_pick").select(eid).run())
    at.session_state[f"reg_tabs_{eid}"] = "咨询记录（1）"
    assert at.selectbox(key=f"fu_state_{lead}").options == list(LEAD_FOLLOW_UPS)
    assert at.selectbox(key=f"fu_state_{lead}").value == "待了解"
    assert at.text_input(key=f"fu_reason_{lead}").placeholder == "标记“不适用”时必填"
    assert at.selectbox(key=f"fu_state_{application}").options == list(FOLLOW_UPS)
    assert at.text_input(key=f"fu_reason_{application}").placeholder == "标记“未获批”时必填"

    at.selectbox(key=f"fu_state_{lead}").select("不适用")
    _ok(at.button(key=f"fu_save_{lead}").click().run())
    assert any("不适用" in e and "请填写原因" in e for e in _errors(at))
    at.text_input(key=f"fu_reason_{lead}").input("与企业业务无关")
    _ok(at.button(key=f"fu_save_{lead}").click().run())
    assert not _errors(at)
    saved = _db(lambda s: (lambda m: (m.follow_up, m.reason, m.version))(s.get(ConsultationMeasure, lead)))
    assert saved == ("不适用", "与企业业务无关", 2)


# --- 企业自测 ---------------------------------------------------------------------------------------------


def test_self_check_adds_the_enterprise_then_offers_to_update_it():
    _counsellors("王五")
    at = _page("webapp/views/self_check.py")
    _fill_and_submit(at, ENTERPRISE)
    at.selectbox(key="save_counsellor").select("王五")
    at.selectbox(key="save_stage").select("培育")
    _ok(at.button(key="save_add").click().run())
    assert any("已加入企业档案库" in s.value for s in at.success)

    [found] = _db(
        lambda s: [(e.id, e.name, e.counsellor, e.pool_stage, e.profile) for e in enterprises.listing(s, admin())]
    )
    assert found[1:4] == (ENTERPRISE["name"], "王五", "培育") and found[4]["employees"] == 85
    [(rev, _)] = _db(lambda s: enterprises.history(s, found[0], admin()))
    assert (rev.changed_by, rev.source) == ("测试管理员", "企业自测页")

    assert "档案库中已有" in _markdown(at) and not [b for b in at.button if b.key == "save_add"]
    at.number_input(key="pf_employees").set_value(90)
    _submit(at)
    _ok(at.button(key="save_update").click().run())
    assert _record(found[0])["profile"]["employees"] == 90 and _record(found[0])["version"] == 2


def test_self_check_add_is_refused_for_a_name_already_taken_meanwhile():
    at = _page("webapp/views/self_check.py")
    _fill_and_submit(at, ENTERPRISE)
    assert [b for b in at.button if b.key == "save_add"]
    _add(ENTERPRISE, counsellor="李四", by="李四")  # another page adds it first
    _ok(at.button(key="save_add").click().run())
    assert any("档案库中已有" in e for e in _errors(at))
    assert _db(lambda s: enterprises.count(s, admin())) == 1


def test_feedback_on_a_card_is_stored_and_not_applicable_needs_a_reason():
    at = _page("webapp/views/self_check.py", as_name=None)  # the public gives feedback too
    _fill_and_submit(at, ENTERPRISE)
    expected = consult(Recommender.load(), parse_profile(ENTERPRISE), as_of=shanghai_today(), top=None)
    first = expected.measures[0]
    cid = first.clause_id

    at.radio(key=f"fb_verdict_{cid}").set_value("不适用")
    _ok(at.button(key=f"fb_send_{cid}").click().run())
    assert any("请写明原因" in e for e in _errors(at))
    assert _db(lambda s: s.scalars(select(Feedback)).all()) == []
    assert at.radio(key=f"fb_verdict_{cid}").value == "不适用"  # the choice is kept

    at.text_input(key=f"fb_reason_{cid}").input("已享受过")
    _ok(at.button(key=f"fb_send_{cid}").click().run())
    assert not _errors(at) and at.toast
    assert any("已反馈：不适用（已享受过）" in c.value for c in at.caption)

    second = expected.measures[1].clause_id
    _ok(at.button(key=f"fb_send_{second}").click().run())  # 有用 is the default choice

    def stored(s: Session) -> list[tuple]:
        return [
            (f.clause_id, f.verdict, f.reason, f.rank, f.shown_status, f.page, f.created_by, f.enterprise_id, f.as_of)
            for f in s.scalars(select(Feedback).order_by(Feedback.id))
        ]

    today = shanghai_today()
    assert _db(stored) == [
        (cid, "不适用", "已享受过", 1, first.state, "企业自测", "公众", None, today),
        (second, "有用", None, 2, expected.measures[1].state, "企业自测", "公众", None, today),
    ]
    profile = _db(lambda s: s.scalars(select(Feedback.profile)).first())
    assert profile["name"] == ENTERPRISE["name"] and profile["park"] == "张江科学城"


def test_feedback_names_the_registered_enterprise():
    eid = _add(ENTERPRISE)
    at = _page("webapp/views/self_check.py")
    _fill_and_submit(at, ENTERPRISE)
    cid = consult(Recommender.load(), parse_profile(ENTERPRISE), as_of=shanghai_today()).measures[0].clause_id
    _ok(at.button(key=f"fb_send_{cid}").click().run())
    assert _db(lambda s: s.scalars(select(Feedback.enterprise_id)).all()) == [eid]


def test_editing_a_record_on_the_self_check_page_saves_against_the_version_opened():
    eid = _add(ENTERPRISE, counsellor="王五")
    at = _page("webapp/views/registry.py")
    _ok(at.selectbox(key="reg_pick").select(eid).run())
    _ok(at.button(key=f"reg_to_self_check_{eid}").click().run())
    assert at.text_input(key="pf_name").value == ENTERPRISE["name"]  # st.switch_page went to the self-check
    assert at.number_input(key="pf_employees").value == 85
    assert "正在修改档案库中的“上海张江某芯微电子有限公司”（打开时为第 1 版）" in _markdown(at)
    assert not [w for w in at.warning if "表单内容已修改" in w.value]  # the record's own values: results current
    at.switch_page("webapp/views/self_check.py")  # AppTest would otherwise rerun the page it was last switched to

    at.number_input(key="pf_employees").set_value(90)
    _submit(at)
    _db(lambda s: enterprises.update(s, eid, expected_version=1, by=admin("李四"), stage="提升"))  # meanwhile
    _ok(at.button(key="save_edit").click().run())
    [error] = _errors(at)
    assert "保存失败" in error and "您打开的是第 1 版，现在是第 2 版" in error
    assert at.number_input(key="pf_employees").value == 90  # the form keeps its values
    record = _record(eid)
    assert (record["version"], record["stage"], record["profile"]["employees"]) == (2, "提升", 85)

    _ok(at.button(key="save_reload").click().run())
    assert at.number_input(key="pf_employees").value == 85 and not _errors(at)
    at.number_input(key="pf_employees").set_value(95)
    _submit(at)
    _ok(at.button(key="save_edit").click().run())
    assert any("第 3 版" in s.value for s in at.success)
    record = _record(eid)
    assert (record["version"], record["stage"], record["profile"]["employees"]) == (3, "提升", 95)
    rev, changes = _db(lambda s: enterprises.history(s, eid, admin()))[0]
    assert (rev.source, rev.changed_by) == ("企业自测页编辑", "测试管理员")
    assert [(c.label, c.before, c.after) for c in changes] == [("职工总数", 85, 95)]


def test_editing_a_record_parses_the_form_once_per_change_not_on_every_rerun(monkeypatch):
    eid = _add(ENTERPRISE, counsellor="王五")
    at = _page("webapp/views/registry.py")
    _ok(at.selectbox(key="reg_pick").select(eid).run())
    _ok(at.button(key=f"reg_to_self_check_{eid}").click().run())
    at.switch_page("webapp/views/self_check.py")
    parsed: list[dict] = []

    def counted(data, *args, **kwargs):
        parsed.append(data)
        return parse_profile(data, *args, **kwargs)

    monkeypatch.setattr(profile_form, "parse_profile", counted)
    unsubmitted = "表单中有尚未提交的修改"

    def note_shown() -> bool:
        return any(unsubmitted in c.value for c in at.caption)

    for _ in range(3):  # reruns with the form as it was: no parse
        _ok(at.run())
        assert not note_shown() and "正在修改档案库中的" in _markdown(at)
    assert parsed == []
    at.number_input(key="pf_employees").set_value(90)  # typed, not submitted: parsed once
    _ok(at.run())
    assert note_shown() and len(parsed) == 1 and parsed[0]["employees"] == 90
    for _ in range(2):
        _ok(at.run())
        assert note_shown()
    assert len(parsed) == 1
    at.number_input(key="pf_employees").set_value(85)  # back as it was submitted
    _ok(at.run())
    assert not note_shown() and len(parsed) == 2
    at.selectbox(key="pf_region").set_value(None)  # a required field emptied: does not validate
    _ok(at.run())
    _ok(at.run())
    assert note_shown() and len(parsed) == 3


def test_the_pages_work_on_when_the_registry_cannot_be_reached(monkeypatch):
    with monkeypatch.context() as m:
        m.setenv("DATABASE_URL", "postgresql://nobody:secret@127.0.0.1:9/none")
        at = _page("webapp/views/self_check.py", as_name=None, **{USER: "somebody"})  # logged in before it went
        _fill_and_submit(at, ENTERPRISE)
        assert at.metric  # the results are there
        [library] = [w for w in at.warning if "新增政策文件" in w.value]
        assert "仅按内置政策库匹配" in library.value and "secret" not in library.value
        # the login cannot be confirmed: the session goes on as the public's, and says why
        [login] = _errors(at)
        assert "暂时无法确认登录" in login and "企业档案库（127.0.0.1:9/none）" in login and "secret" not in login


# --- 辅导员工作台 ------------------------------------------------------------------------------------------


def _uploaded(roster: str = ROSTER) -> AppTest:
    _counsellors("王五")
    at = _page("webapp/views/counsellor.py")
    at.file_uploader(key="roster_upload").set_value(("走访名单.csv", roster.encode("gbk"), "text/csv"))
    return _ok(at.run())


def test_a_roster_with_bad_rows_imports_nothing_unless_told_to_skip_them():
    at = _uploaded()
    # the button says what it would do: nothing, while the bad row is neither fixed nor skipped
    [go] = [b for b in at.button if b.key == "import_go"]
    assert go.label == "导入 0 家到档案库" and go.disabled
    assert any("现在导入不会写入任何企业" in c.value and "导入其余 2 家" in c.value for c in at.caption)
    at.selectbox(key="import_counsellor").select("王五")
    at.selectbox(key="import_stage").select("培育")
    assert _db(lambda s: enterprises.count(s, admin())) == 0
    assert list(at.dataframe[1].value["企业名称"]) == [ENTERPRISE["name"], JINSHAN["name"]]  # the roster stays

    at.checkbox(key="import_skip").check()
    _ok(at.run())
    [go] = [b for b in at.button if b.key == "import_go"]
    assert go.label == "导入 2 家到档案库" and not go.disabled
    _ok(at.button(key="import_go").click().run())
    assert any("新增 2 家，更新 0 家，未变 0 家；跳过有问题的 1 行" in s.value for s in at.success)
    stored = _db(
        lambda s: [(e.name, e.counsellor, e.pool_stage, e.revisions[0].source) for e in enterprises.listing(s, admin())]
    )
    assert stored == [
        (ENTERPRISE["name"], "王五", "培育", "走访名单.csv 第 2 行"),
        (JINSHAN["name"], "王五", "培育", "走访名单.csv 第 4 行"),
    ]
    assert list(at.dataframe[1].value["企业名称"]) == [ENTERPRISE["name"], JINSHAN["name"]]


def test_a_clean_roster_imports_and_updates_known_enterprises():
    known = _add({**ENTERPRISE, "employees": 60}, counsellor="李四")
    clean = "\n".join(line for line in ROSTER.splitlines() if "北京" not in line) + "\n"
    at = _uploaded(clean)
    assert not [c for c in at.checkbox if c.key == "import_skip"]
    _ok(at.button(key="import_go").click().run())
    assert any("新增 1 家，更新 1 家，未变 0 家" in s.value for s in at.success)
    record = _record(known)
    assert (record["counsellor"], record["profile"]["employees"], record["version"]) == ("李四", 85, 2)


def test_a_row_renaming_a_registered_enterprise_is_said_and_imported_only_once_confirmed():
    """A row with a registered enterprise's 统一社会信用代码 under another name renamed it and overwrote its
    district and figures, the button saying only 导入 1 家 (a break-it trial: a copied code, the template's)."""
    code = "91310104MA1K3Y8P1D"
    known = _add({**ENTERPRISE, "credit_code": code})
    roster = f"企业名称,注册地,统一社会信用代码\n上海历史数据科技有限公司,徐汇区,{code}\n"
    at = _uploaded(roster)
    [warning] = [w.value for w in at.warning if "导入会把该企业改名" in w.value]
    assert f"属于档案库中的“{ENTERPRISE['name']}”" in warning and "注册地 浦东新区 → 徐汇区" in warning
    assert at.button(key="import_go").disabled and at.button(key="import_go").label == "导入 0 家到档案库"
    _ok(at.checkbox(key="import_renames").check().run())
    assert at.button(key="import_go").label == "导入 1 家到档案库"
    _ok(at.button(key="import_go").click().run())
    assert _record(known)["profile"]["name"] == "上海历史数据科技有限公司"


def test_repeated_names_are_refused_and_can_then_be_skipped():
    repeated = ROSTER.replace(
        "北京某软件公司,北京市,,软件,很多,资金补贴", "金山某新材料有限公司,金山区,碳谷绿湾,新材料,100,"
    )
    at = _uploaded(repeated)
    # the repeated row is named when the roster is read, before matching or importing
    assert "与第 3 行是同一家企业" in at.dataframe[0].value["原因"][0]
    assert at.button(key="import_go").disabled  # not without skipping it
    _ok(at.checkbox(key="import_skip").check().run())
    _ok(at.button(key="import_go").click().run())
    assert _db(lambda s: [e.name for e in enterprises.listing(s, admin())]) == [ENTERPRISE["name"], JINSHAN["name"]]


def test_a_colleague_s_enterprise_in_the_roster_is_not_counted_on_the_import_button():
    """The button says what the import will do: a row of another 辅导员's enterprise is refused, so the count
    leaves it out and says why, before anything is pressed (the button said 导入 2 家, and the import was refused)."""
    colleague = _add(ENTERPRISE, counsellor="李四")
    _counsellors("李四")
    at = _page("webapp/views/counsellor.py", "王五", COUNSELLOR)
    clean = "\n".join(line for line in ROSTER.splitlines() if "北京" not in line) + "\n"
    at.file_uploader(key="roster_upload").set_value(("走访名单.csv", clean.encode("gbk"), "text/csv"))
    _ok(at.run())
    [go] = [b for b in at.button if b.key == "import_go"]
    assert go.label == "导入 0 家到档案库" and go.disabled
    assert any(
        "名单中有 1 行有问题，现在导入不会写入任何企业" in c.value and "导入其余 1 家" in c.value for c in at.caption
    )
    [why] = [d.value for d in at.dataframe if "原因" in d.value.columns]
    assert list(why["行号"]) == [2] and "由专员 李四 负责" in why["原因"][0]

    _ok(at.checkbox(key="import_skip").check().run())
    [go] = [b for b in at.button if b.key == "import_go"]
    assert go.label == "导入 1 家到档案库" and not go.disabled
    _ok(at.button(key="import_go").click().run())
    assert any("新增 1 家，更新 0 家，未变 0 家；跳过有问题的 1 行" in s.value for s in at.success)
    assert not _errors(at) and _record(colleague)["version"] == 1  # the colleague's record untouched
    assert _db(lambda s: [e.name for e in enterprises.listing(s, admin())]) == sorted(
        [ENTERPRISE["name"], JINSHAN["name"]]
    )
    # a 辅导员 imports for herself unless she picks another 专员 (未分配 left each one to be taken by hand)
    [imported] = _db(lambda s: [e.counsellor for e in enterprises.listing(s, admin()) if e.name == JINSHAN["name"]])
    assert imported == "王五"


def test_the_registry_lists_the_unassigned_pool_on_its_own():
    """A 辅导员 reads her own enterprises and the unassigned ones: the 专员 filter offers 未分配 to list the pool."""
    _add(ENTERPRISE, counsellor="王五")
    _add(JINSHAN)
    at = _page("webapp/views/registry.py", "王五", COUNSELLOR)
    box = at.selectbox(key="reg_f_counsellor")
    assert box.options == ["王五", "未分配"]
    _ok(box.select("未分配").run())
    [listed] = [d.value for d in at.dataframe if "企业名称" in d.value.columns]
    assert list(listed["企业名称"]) == [JINSHAN["name"]] and list(listed["专员"]) == ["未分配"]


def test_refused_rows_names_exactly_the_rows_the_import_refuses():
    """``importer.refused_rows``, which the button counts by, names exactly the rows the import refuses."""
    from recommender.registry import importer
    from recommender.roster import read_roster

    _add(ENTERPRISE, counsellor="李四")
    _add(JINSHAN, counsellor="王五")
    roster = read_roster(ROSTER.encode("gbk"), "走访名单.csv")
    by = counsellor("王五")
    refused = _db(lambda s: importer.refused_rows(s, roster, by))
    assert [b.row for b in refused] == [2, 3]  # the colleague's enterprise, the unreadable row
    with pytest.raises(importer.ImportRefused) as raised:
        _db(lambda s: importer.import_roster(s, roster, by=by, source="走访名单.csv"))
    assert [b.row for b in raised.value.bad] == [b.row for b in refused]
    admin_refused = _db(lambda s: importer.refused_rows(s, roster, admin()))
    assert [b.row for b in admin_refused] == [3]  # a 管理员 may update any enterprise


# --- 政策覆盖分析 ------------------------------------------------------------------------------------------


def _coverage(tab: str) -> AppTest:
    """The coverage page open at its ``tab`` (only the open one is drawn)."""
    return _page("webapp/views/coverage.py", cov_size=150, cov_page_tab=tab)


def test_coverage_lists_who_should_hear_about_a_measure():
    at = _coverage("谁该知道这条措施")
    assert any("企业档案库中还没有企业" in i.value for i in at.info)

    expected = consult(Recommender.load(), parse_profile(ENTERPRISE), as_of=shanghai_today(), top=None)
    # a measure in force asking nothing but where the enterprise is: in reach, shown 可关注 (never 可申请)
    measure = next(m for m in expected.measures if m.kind == "measure" and m.state == "lead")
    _add(ENTERPRISE, counsellor="王五")
    _add(JINSHAN, counsellor="李四")
    at.selectbox(key="push_clause").select(measure.clause_id)
    _ok(at.run())
    [table] = [d.value for d in at.dataframe if "尚缺" in d.value.columns]
    assert list(table["企业"]) == [ENTERPRISE["name"]]  # 金山 is outside the measure's area
    assert list(table["专员"]) == ["王五"] and list(table["状态"]) == ["可关注"]
    assert table["依据"][0]
    assert "档案库 2 家企业中，**1** 家在适用范围内（本措施除注册地、园区外未列出企业条件" in _markdown(at)
    assert "下载该知道这条措施的企业（CSV）" in [b.label for b in at.download_button]


def test_who_should_hear_opens_on_a_measure_in_force_and_marks_the_others():
    at = _coverage("谁该知道这条措施")
    today = shanghai_today()
    live = {d.short_title: is_valid(d, today) for d in Recommender.load().documents.values()}
    labels = at.selectbox(key="push_clause").options
    in_force = [live[label.split("｜")[0]] for label in labels]
    assert any(in_force) and not all(in_force), "the corpus has documents in force and ended today"
    assert in_force == sorted(in_force, reverse=True)  # those in force first: the list opens on one
    assert all(("（不在有效期内）" in label) != ok for label, ok in zip(labels, in_force, strict=True))


def test_coverage_push_list_syncs_the_corpus_and_lists_newly_eligible_enterprises():
    _add(ENTERPRISE, counsellor="王五")
    _add(JINSHAN)  # no 专员: 未分配, never None
    at = _coverage("政策变化推送")
    at.date_input(key="push_since").set_value(dt.date(2015, 1, 1))
    _ok(at.run())
    _ok(at.button(key="push_go").click().run())
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["有变化的条款"]) > 0 and metrics["档案库企业数"] == "2" and int(metrics["新符合"]) > 0
    [table] = [d.value for d in at.dataframe if "变化对企业" in d.value.columns]
    assert set(table["企业"]) == {ENTERPRISE["name"], JINSHAN["name"]} and set(table["变化对企业"]) == {"新符合"}
    counsellors = dict(zip(table["企业"], table["专员"], strict=True))
    assert counsellors == {ENTERPRISE["name"]: "王五", JINSHAN["name"]: "未分配"}
    assert set(table["条款变化"]) == {"新增"}
    assert _db(lambda s: s.scalar(select(func.count()).select_from(ClauseVersion))) > 0  # the sync was stored
    # from a moment of today (a correction after a push list of the day): the first sync dated every clause by
    # its document, so nothing changed since then
    at.date_input(key="push_since").set_value(shanghai_today())
    at.time_input(key="push_since_time").set_value(dt.time(0, 0))
    _ok(at.run())
    _ok(at.button(key="push_go").click().run())
    since = f"{shanghai_today().isoformat()} 00:00（北京时间）"
    assert f"{since} 以来的条款变化没有使档案库中的企业新符合或不再符合条件。" in [i.value for i in at.info]


def test_the_push_progress_bar_is_drawn_only_for_a_long_job():
    from webapp.ui.push_view import _Progress

    drawn = []

    class Slot:
        def progress(self, value: float, text: str) -> None:
            drawn.append((value, text))

    late = _Progress(Slot(), delay=3600)  # a job done before the delay draws nothing
    late(5_000, 10_000)
    late(10_000, 10_000)
    assert drawn == []
    _Progress(Slot(), delay=0)(10_000, 10_000)
    assert drawn == [(1.0, "正在判断档案库企业（10000/10000）…")]
