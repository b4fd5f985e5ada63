"""Who may see and change what, through the pages: the login box, the pages each role has, the public's
self-check that never shows or writes a record, a 辅导员 who sees only their own and the unassigned,
policy staff who only read, and the 管理员's 账号管理."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from actors import account, admin
from registry_helpers import profile
from streamlit.testing.v1 import AppTest

from recommender.engine import Recommender
from recommender.paths import ROOT
from recommender.registry import accounts, db, enterprises, submissions
from recommender.registry.access import ADMIN, COUNSELLOR, STAFF, cli_actor
from recommender.registry.errors import RegistryError
from webapp.ui.auth import USER

APP = str(ROOT / "app.py")
T = TypeVar("T")
PASSWORD = "测试用的足够长的密码12"  # actors.account's
PAGES = {
    "self_check": "webapp/views/self_check.py",
    "counsellor": "webapp/views/counsellor.py",
    "registry": "webapp/views/registry.py",
    "coverage": "webapp/views/coverage.py",
    "library": "webapp/views/library.py",
    "accounts": "webapp/views/accounts.py",
}
FIRM = {"name": "上海张江某芯微电子有限公司", "region": "浦东新区", "industry": "集成电路", "employees": 85}


@pytest.fixture(scope="module", autouse=True)
def warm_engine() -> None:
    Recommender.load()


def _db(action: Callable[[Any], T]) -> T:
    with db.transaction() as s:
        return action(s)


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def _app(username: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    if username is not None:
        at.session_state[USER] = username
    return _ok(at.run())


def _reachable(at: AppTest) -> set[str]:
    """The pages this session can switch to (AppTest refuses a page the navigation does not list)."""
    found = set()
    for name, path in PAGES.items():
        try:
            at.switch_page(path)
        except ValueError as exc:
            assert "Could not find a navigation page" in str(exc)
            continue
        found.add(name)
    at.switch_page(PAGES["self_check"])
    return found


@pytest.mark.parametrize(
    ("role", "pages"),
    [
        (None, {"self_check"}),
        (COUNSELLOR, {"self_check", "counsellor", "registry"}),
        (STAFF, {"self_check", "registry", "coverage", "library"}),
        (ADMIN, set(PAGES)),
    ],
)
def test_each_role_has_its_pages(role, pages):
    at = _app(account(role, f"页面{role}") if role else None)
    assert _reachable(at) == pages


def _fill_and_submit(at: AppTest, data: dict) -> AppTest:
    at.text_input(key="pf_name").input(data["name"])
    at.selectbox(key="pf_region").select(data["region"])
    at.selectbox(key="pf_industry").select(data["industry"])
    at.number_input(key="pf_employees").set_value(data["employees"])
    [button] = [b for b in at.button if b.label == "开始匹配"]
    return _ok(button.click().run())


def test_the_public_sees_nothing_of_a_registered_firm_and_sends_a_submission_instead():
    eid = _db(lambda s: enterprises.add(s, {**FIRM, "revenue": 6200}, admin("王五"), counsellor="王五").id)
    at = _fill_and_submit(_app(), FIRM)  # the public types another firm's exact name
    shown = "\n".join(m.value for m in [*at.markdown, *at.caption])
    for secret in ("王五", "储备", "第 1 版", "档案库中已有"):
        assert secret not in shown
    assert not [b for b in at.button if b.key in ("save_update", "save_add")]
    at.text_input(key="save_contact").input("王经理 021-1234")
    _ok(at.button(key="save_submit").click().run())
    assert any("已提交给服务中心" in s.value for s in at.success)
    record = _db(lambda s: enterprises.get(s, eid, admin()))
    assert (record.version, record.profile["revenue"]) == (1, 6200)  # nothing erased, nothing written
    [pending] = _db(lambda s: submissions.pending(s, admin()))[1]
    assert (pending.name, pending.contact, pending.profile["employees"]) == (FIRM["name"], "王经理 021-1234", 85)
    # a double click: the submission stands, said as such (a red line read as if it had failed: a break-it trial)
    _ok(at.button(key="save_submit").click().run())
    assert any("刚才已提交，无需再次提交" in s.value for s in at.success) and not at.error
    at.text_input(key="save_contact").input("王经理 021-5678")  # changed at once: one page cannot flood the queue
    _ok(at.button(key="save_submit").click().run())
    assert any("刚刚已提交过一次（已收到）；修改后的内容请 60 秒后再提交" in e.value for e in at.error)
    assert _db(lambda s: submissions.pending(s, admin()))[0] == 1


def test_a_contact_too_long_is_said_and_kept_never_sent_empty():
    """A contact of 228 characters pasted into a box of max_chars 200 was dropped whole by the browser, and
    "已提交给服务中心" came with no contact stored (a break-it trial): the box has no limit of its own now, the
    registry's line is shown, nothing is sent, and the text stays to be cut."""
    at = _fill_and_submit(_app(), FIRM)
    long = "王经理 021-1234；" * 16  # 240 characters
    assert not at.text_input(key="save_contact").max_chars  # 0: none
    at.text_input(key="save_contact").input(long)
    _ok(at.button(key="save_submit").click().run())
    assert any("联系方式最多 200 个字" in e.value for e in at.error)
    assert not any("已提交给服务中心" in s.value for s in at.success)
    assert at.text_input(key="save_contact").value == long
    assert _db(lambda s: submissions.pending(s, admin()))[0] == 0


def test_a_counsellor_accepts_a_submission_on_the_registry_page_and_it_keeps_what_was_not_sent():
    _db(lambda s: enterprises.add(s, {**FIRM, "revenue": 6200}, admin(), counsellor=None))
    sent = _db(lambda s: submissions.submit(s, profile(FIRM["name"], region="浦东新区", employees=90), None).id)
    at = _app(account(COUNSELLOR, "王五"))
    at.switch_page(PAGES["registry"])
    _ok(at.run())
    assert any("企业提交的档案（1 份待处理）" in e.label for e in at.expander)
    _ok(at.button(key=f"sub_accept_{sent}").click().run())
    assert any("已采纳" in s.value for s in at.success)
    stored = _db(lambda s: enterprises.find(s, FIRM["name"]))
    assert (stored.profile["employees"], stored.profile["revenue"], stored.updated_by) == (90, 6200, "王五")


def test_a_counsellor_lists_only_their_own_and_the_unassigned():
    for name, counsellor in (("王氏公司", "王五"), ("李氏公司", "李四"), ("无主公司", None)):
        _db(lambda s, n=name, c=counsellor: enterprises.add(s, profile(n), admin(), counsellor=c))
    at = _app(account(COUNSELLOR, "王五"))
    at.switch_page(PAGES["registry"])
    _ok(at.run())
    assert sorted(at.dataframe[0].value["企业名称"]) == ["无主公司", "王氏公司"]
    assert "李氏公司" not in str(at.selectbox(key="reg_pick").options)


def test_policy_staff_read_a_record_but_get_no_form_to_change_it():
    eid = _db(lambda s: enterprises.add(s, profile("王氏公司"), admin(), counsellor="王五").id)
    at = _app(account(STAFF, "政策科"))
    at.switch_page(PAGES["registry"])
    _ok(at.run())
    _ok(at.selectbox(key="reg_pick").select(eid).run())
    assert not [b for b in at.button if b.key in (f"reg_save_{eid}", f"cr_save_{eid}", f"reg_to_self_check_{eid}")]
    assert any("只能查看" in c.value for c in at.caption)


def _log_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="auth_username").input(username)
    at.text_input(key="auth_password").input(password)
    [button] = [b for b in at.button if b.label == "登录"]
    return _ok(button.click().run())


def test_the_login_box_logs_in_refuses_in_one_sentence_and_locks_after_repeated_failures():
    username = account(COUNSELLOR, "王五")
    at = _log_in(_app(), username, "wrong password")
    assert [e.value for e in at.error] == [accounts.REFUSED]
    assert at.text_input(key="auth_password").value == ""  # the password is not kept
    at = _log_in(at, username, PASSWORD)
    assert any("已登录：王五（辅导员）" in c.value for c in at.caption)
    assert "registry" in _reachable(at)
    [logout] = [b for b in at.button if b.label == "退出登录"]
    _ok(logout.click().run())
    assert _reachable(at) == {"self_check"}
    for _ in range(accounts.LOCK_AFTER):
        at = _log_in(at, username, "wrong password")
    at = _log_in(at, username, PASSWORD)
    assert [e.value for e in at.error] == [accounts.REFUSED] and _reachable(at) == {"self_check"}


def test_a_disabled_account_is_logged_out_at_its_next_click():
    username = account(COUNSELLOR, "王五")
    at = _app(username)
    assert "registry" in _reachable(at)
    _db(lambda s: accounts.change(s, cli_actor(), username, active=False))
    _ok(at.run())
    assert any("已停用" in e.value for e in at.error) and _reachable(at) == {"self_check"}


def test_the_administrator_creates_an_account_on_the_accounts_page():
    at = _app(account(ADMIN, "管理员甲"))
    at.switch_page(PAGES["accounts"])
    _ok(at.run())
    at.text_input(key="acc_user").input("zhao")
    at.text_input(key="acc_name").input("赵六")
    at.selectbox(key="acc_role").select("counsellor")
    at.text_input(key="acc_pw").input(PASSWORD)
    at.text_input(key="acc_pw2").input(PASSWORD)
    [create] = [b for b in at.button if b.label == "创建"]
    _ok(create.click().run())
    assert any("已创建账号 zhao" in s.value for s in at.success)
    assert accounts.log_in("zhao", PASSWORD).name == "赵六"
    assert "zhao" in list(at.dataframe[0].value["登录名"])


def _create_after_disabling(at: AppTest, username: str) -> None:
    """On 账号管理, fill 新建账号 (login sneaky); disable ``username`` (the page's own account) meanwhile,
    elsewhere; click 创建: no account sneaky is made."""
    at.switch_page(PAGES["accounts"])
    _ok(at.run())
    at.text_input(key="acc_user").input("sneaky")
    at.text_input(key="acc_name").input("偷偷")
    at.text_input(key="acc_pw").input(PASSWORD)
    at.text_input(key="acc_pw2").input(PASSWORD)
    _db(lambda s: accounts.change(s, cli_actor(), username, active=False))
    [create] = [b for b in at.button if b.label == "创建"]
    create.click().run()
    with pytest.raises(RegistryError):
        _db(lambda s: accounts.get(s, "sneaky"))


def test_a_button_drawn_before_the_account_was_disabled_does_nothing():
    username = account(ADMIN, "管理员乙")
    account(ADMIN, "管理员甲")  # another one stays, so this one may be disabled
    _create_after_disabling(_app(username), username)


def test_a_consultation_is_recorded_under_the_logged_in_counsellor():
    eid = _db(lambda s: enterprises.add(s, {**FIRM}, admin(), counsellor="王五").id)
    at = _app(account(COUNSELLOR, "王五"))
    at.switch_page(PAGES["registry"])
    _ok(at.run())
    _ok(at.selectbox(key="reg_pick").select(eid).run())
    assert at.text_input(key=f"cr_by_{eid}").disabled and at.text_input(key=f"cr_by_{eid}").value == "王五"


def test_a_submission_whose_name_and_code_disagree_does_not_jam_the_list():
    code = "91310115MA1K3Y8P1B"
    _db(lambda s: enterprises.add(s, profile("甲公司", credit_code=code), admin()))
    _db(lambda s: enterprises.add(s, profile("乙公司"), admin()))
    odd = _db(lambda s: submissions.submit(s, profile("乙公司", credit_code=code), None).id)
    at = _app(account(ADMIN, "管理员甲"))
    at.switch_page(PAGES["registry"])
    _ok(at.run())
    assert any("企业提交的档案（1 份待处理）" in e.label for e in at.expander)
    assert any(code in w.value for w in at.warning)
    keys = {b.key for b in at.button}
    assert f"sub_decline_{odd}" in keys and f"sub_accept_{odd}" not in keys


def test_a_single_sign_on_session_is_its_linked_account_and_checked_again_at_each_action(monkeypatch):
    from webapp.ui import auth

    _db(lambda s: accounts.create(s, cli_actor(), "sso-admin", "统一认证管理员", ADMIN, None, "boss@example.gov.cn"))
    account(ADMIN, "管理员甲")  # another one stays, so this one may be disabled
    monkeypatch.setattr(auth, "_sso_email", lambda: "Boss@Example.gov.cn")  # as Streamlit's st.user would give it
    at = _app()
    assert PAGES.keys() == _reachable(at)
    _create_after_disabling(at, "sso-admin")
    assert _reachable(at) == {"self_check"}  # and the identity is the public's from then on
