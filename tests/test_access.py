"""Who may see and change what (issue "Who may see and change what"), through the registry functions the
pages and the command line call: per role, what it can and cannot read and write. Runs on SQLite, and on
PostgreSQL when the suite does (conftest.registry_url)."""

from __future__ import annotations

import datetime as dt

import pytest
from actors import admin, counsellor, staff
from registry_helpers import profile

from recommender.profile import parse_profile
from recommender.registry import (
    accounts,
    consultations,
    db,
    documents,
    enterprises,
    feedback,
    importer,
    push,
    submissions,
)
from recommender.registry.access import ANONYMOUS, AccessDenied, Actor, cli_actor
from recommender.registry.consultations import Discussed
from recommender.registry.errors import RegistryError
from recommender.roster import read_roster

WANG, LI = counsellor("王专员"), counsellor("李专员")
MEASURE = Discussed("js-yingshang-2022/c2.s1.g1.p1", "首次落户奖励", "eligible")


def _db(action):
    with db.transaction() as s:
        return action(s)


def _pool() -> dict[str, int]:
    """Three enterprises: 王专员's, 李专员's, and one unassigned."""
    return {
        name: _db(lambda s, n=name, c=c: enterprises.add(s, profile(n, employees=50), admin(), counsellor=c).id)
        for name, c in (("王氏科技有限公司", "王专员"), ("李氏科技有限公司", "李专员"), ("无主科技有限公司", None))
    }


def test_the_public_reads_and_writes_no_record(policies):
    ids = _pool()
    document = policies[0].document
    for action in (
        lambda s: enterprises.listing(s, ANONYMOUS),
        lambda s: enterprises.registered(s, ANONYMOUS),
        lambda s: push.push_list(s, dt.date(2000, 1, 1), dt.date(2026, 1, 1), ANONYMOUS),
        lambda s: push.audiences(s, [], document, dt.date(2026, 1, 1), ANONYMOUS),
        lambda s: enterprises.count(s, ANONYMOUS),
        lambda s: enterprises.get(s, ids["王氏科技有限公司"], ANONYMOUS),
        lambda s: enterprises.history(s, ids["无主科技有限公司"], ANONYMOUS),
        lambda s: enterprises.add(s, profile("新公司"), ANONYMOUS),
        lambda s: enterprises.update(s, ids["无主科技有限公司"], 1, ANONYMOUS, profile=profile("无主科技有限公司")),
        lambda s: submissions.pending(s, ANONYMOUS),
        lambda s: feedback.all_feedback(s, ANONYMOUS),
    ):
        with pytest.raises(AccessDenied, match="请先登录"):
            _db(action)


def test_a_counsellor_sees_and_changes_their_own_and_the_unassigned_only():
    ids = _pool()
    names = _db(lambda s: [e.name for e in enterprises.listing(s, WANG)])
    assert names == ["无主科技有限公司", "王氏科技有限公司"]
    assert _db(lambda s: [e.name for e in enterprises.registered(s, WANG)]) == names  # push lists, audiences
    assert _db(lambda s: enterprises.count(s, WANG)) == 2
    assert _db(lambda s: enterprises.counsellors(s, WANG)) == ["王专员"]
    with pytest.raises(AccessDenied, match="李专员"):
        _db(lambda s: enterprises.get(s, ids["李氏科技有限公司"], WANG))
    with pytest.raises(AccessDenied):
        _db(lambda s: enterprises.update(s, ids["李氏科技有限公司"], 1, WANG, stage="培育"))
    with pytest.raises(AccessDenied):
        _db(lambda s: consultations.record(s, ids["李氏科技有限公司"], dt.date(2026, 11, 1), "王专员", [MEASURE],
                                           dt.date(2026, 11, 1), WANG))  # fmt: skip
    # the unassigned one: they may take it, not give it to a colleague
    with pytest.raises(AccessDenied, match="只有管理员可以分配给他人"):
        _db(lambda s: enterprises.update(s, ids["无主科技有限公司"], 1, WANG, counsellor="李专员"))
    taken = _db(lambda s: enterprises.update(s, ids["无主科技有限公司"], 1, WANG, counsellor="王专员"))
    assert (taken.counsellor, taken.updated_by) == ("王专员", "王专员")
    assert "无主科技有限公司" not in _db(lambda s: [e.name for e in enterprises.listing(s, LI)])
    visit = _db(lambda s: consultations.record(s, ids["王氏科技有限公司"], dt.date(2026, 11, 1), "王专员",
                                               [MEASURE], dt.date(2026, 11, 1), WANG))  # fmt: skip
    with pytest.raises(AccessDenied):
        _db(lambda s: consultations.set_follow_up(s, visit.measures[0].id, 1, "已申报", LI))
    with pytest.raises(AccessDenied, match="只有管理员可以分配给他人"):
        _db(lambda s: enterprises.add(s, profile("新公司"), WANG, counsellor="李专员"))


def test_policy_staff_read_every_record_and_change_none():
    ids = _pool()
    assert len(_db(lambda s: enterprises.listing(s, staff()))) == 3
    assert _db(lambda s: enterprises.get(s, ids["李氏科技有限公司"], staff()).name) == "李氏科技有限公司"
    with pytest.raises(AccessDenied, match="政策工作人员"):
        _db(lambda s: enterprises.update(s, ids["无主科技有限公司"], 1, staff(), stage="培育"))
    with pytest.raises(AccessDenied):
        _db(lambda s: enterprises.add(s, profile("新公司"), staff()))
    roster = read_roster("企业名称,注册地\n新公司,金山区\n".encode(), "r.csv")
    with pytest.raises(AccessDenied, match="导入企业名单"):
        _db(lambda s: importer.import_roster(s, roster, staff(), "r.csv"))


def test_only_policy_staff_and_administrators_change_the_policy_library():
    for who in (ANONYMOUS, WANG):
        with pytest.raises(AccessDenied):
            _db(lambda s, w=who: documents.publish(s, "no-such-document", 1, w))


def test_an_import_by_a_counsellor_leaves_a_colleague_s_enterprise_as_a_bad_row():
    _pool()
    text = (
        "企业名称,注册地,职工总数\n李氏科技有限公司,金山区,99\n王氏科技有限公司,金山区,60\n新来科技有限公司,金山区,10\n"
    )
    roster = read_roster(text.encode(), "r.csv")
    with pytest.raises(importer.ImportRefused, match="由专员 李专员 负责"):
        _db(lambda s: importer.import_roster(s, roster, WANG, "r.csv"))
    report = _db(lambda s: importer.import_roster(s, roster, WANG, "r.csv", counsellor="王专员", skip_bad=True))
    assert (report.added, report.updated, [b.row for b in report.bad]) == (
        ["新来科技有限公司"],
        ["王氏科技有限公司"],
        [2],
    )
    assert _db(lambda s: enterprises.find(s, "李氏科技有限公司").profile["employees"]) == 50  # untouched
    with pytest.raises(AccessDenied):
        _db(lambda s: importer.import_roster(s, roster, WANG, "r.csv", counsellor="李专员", skip_bad=True))


def test_a_public_submission_changes_nothing_until_a_counsellor_accepts_it_and_erases_nothing_then():
    ids = _pool()
    full = {"name": "无主科技有限公司", "region": "金山区", "industry": "新材料", "employees": 50, "revenue": 3000}
    _db(lambda s: enterprises.update(s, ids["无主科技有限公司"], 1, admin(), profile=full))
    sent = _db(lambda s: submissions.submit(s, parse_profile(profile("无主科技有限公司", employees=80)), "王经理").id)
    assert _db(lambda s: enterprises.find(s, "无主科技有限公司").profile["employees"]) == 50  # nothing changed yet
    assert [i.id for i in _db(lambda s: submissions.pending(s, LI))[1]] == [sent]  # unassigned: any counsellor sees it
    with pytest.raises(AccessDenied):
        _db(lambda s: submissions.accept(s, sent, staff()))
    accepted = _db(lambda s: submissions.accept(s, sent, WANG))
    assert accepted.profile == {**full, "employees": 80}  # industry and revenue, not sent, are kept
    with pytest.raises(RegistryError, match="已由 王专员 处理过"):
        _db(lambda s: submissions.accept(s, sent, WANG))
    new = _db(lambda s: submissions.submit(s, parse_profile(profile("新企业有限公司")), None).id)
    assert _db(lambda s: submissions.accept(s, new, WANG).counsellor) == "王专员"
    # a submission about a colleague's enterprise is neither shown to nor taken by another counsellor
    other = _db(lambda s: submissions.submit(s, parse_profile(profile("李氏科技有限公司", employees=1)), None).id)
    assert other not in [i.id for i in _db(lambda s: submissions.pending(s, WANG))[1]]
    with pytest.raises(AccessDenied):
        _db(lambda s: submissions.accept(s, other, WANG))
    with pytest.raises(RegistryError, match="原因"):
        _db(lambda s: submissions.decline(s, other, LI, " "))
    assert _db(lambda s: submissions.decline(s, other, LI, "企业已注销").state) == "declined"


def test_any_earlier_version_is_restored_as_a_new_version():
    eid = _db(lambda s: enterprises.add(s, profile("甲公司", employees=50, industry="新材料"), WANG, "王专员").id)
    _db(lambda s: enterprises.update(s, eid, 1, WANG, profile={"name": "甲公司", "region": "金山区"}, stage="培育"))
    restored = _db(lambda s: enterprises.restore(s, eid, 1, 2, WANG))
    assert (restored.version, restored.pool_stage, restored.profile["employees"]) == (3, "储备", 50)
    history = _db(lambda s: enterprises.history(s, eid, WANG))
    assert [r.version for r, _ in history] == [3, 2, 1] and history[0][0].source == "恢复为第 1 版"
    with pytest.raises(enterprises.ConflictError):
        _db(lambda s: enterprises.restore(s, eid, 2, 2, WANG))
    with pytest.raises(AccessDenied):
        _db(lambda s: enterprises.restore(s, eid, 1, 3, LI))
    with pytest.raises(RegistryError, match="没有第 9 版"):
        _db(lambda s: enterprises.restore(s, eid, 9, 3, WANG))


def test_accounts_log_in_lock_after_repeated_failures_and_only_administrators_manage_them():
    _db(lambda s: accounts.create(s, cli_actor(), "wang", "王专员", "counsellor", "一个足够长的登录密码"))
    actor = accounts.log_in("wang", "一个足够长的登录密码")
    assert (actor.name, actor.role) == ("王专员", "counsellor")
    with pytest.raises(accounts.LoginFailed, match="登录名或密码不正确"):
        accounts.log_in("nobody", "一个足够长的登录密码")
    stored = _db(lambda s: accounts.get(s, "wang").password_hash)
    assert stored.startswith("$argon2id$") and "一个足够长的登录密码" not in stored
    for _ in range(accounts.LOCK_AFTER):
        with pytest.raises(accounts.LoginFailed, match="登录名或密码不正确"):
            accounts.log_in("wang", "wrong password")
    with pytest.raises(accounts.LoginFailed) as locked:
        accounts.log_in("wang", "一个足够长的登录密码")  # the right password, but locked
    assert str(locked.value) == accounts.REFUSED  # said as for a wrong password: nobody learns the name exists
    later = dt.datetime.now(dt.UTC) + accounts.LOCK_FOR + dt.timedelta(seconds=1)
    assert accounts.log_in("wang", "一个足够长的登录密码", at=later).name == "王专员"
    for who in (WANG, staff()):
        with pytest.raises(AccessDenied):
            _db(lambda s, w=who: accounts.create(s, w, "li", "李专员", "counsellor", "一个足够长的登录密码"))
    with pytest.raises(RegistryError, match="至少"):
        _db(lambda s: accounts.create(s, admin(), "li", "李专员", "counsellor", "short"))
    with pytest.raises(RegistryError, match="姓名“王专员”已属于另一个账号"):
        _db(lambda s: accounts.create(s, admin(), "wang2", "王专员", "counsellor", "一个足够长的登录密码"))
    _db(lambda s: accounts.change(s, admin(), "wang", active=False))
    with pytest.raises(accounts.LoginFailed, match="已停用"):
        accounts.log_in("wang", "一个足够长的登录密码", at=later)
    with pytest.raises(accounts.LoginFailed) as wrong:
        accounts.log_in("wang", "wrong password", at=later)  # only the right password learns it is disabled
    assert str(wrong.value) == accounts.REFUSED


def test_the_last_active_administrator_cannot_be_removed():
    _db(lambda s: accounts.create(s, cli_actor(), "boss", "管理员甲", "admin", "一个足够长的登录密码"))
    with pytest.raises(RegistryError, match="至少要保留一个启用的管理员"):
        _db(lambda s: accounts.change(s, admin(), "boss", role="staff"))
    assert _db(lambda s: accounts.get(s, "boss").role) == "admin"  # nothing was written


def test_a_submission_sent_twice_is_one_and_keeps_the_registered_name_when_taken_in():
    eid = _db(lambda s: enterprises.add(s, profile("甲公司", credit_code="91310115MA1K3Y8P1B"), admin()).id)
    renamed = parse_profile(profile("恶意改名有限公司", credit_code="91310115MA1K3Y8P1B", employees=9))
    first = _db(lambda s: submissions.submit(s, renamed, None).id)
    assert _db(lambda s: submissions.submit(s, renamed, None).id) == first
    accepted = _db(lambda s: submissions.accept(s, first, WANG))
    assert (accepted.id, accepted.name, accepted.profile["employees"]) == (eid, "甲公司", 9)


def test_a_submission_whose_name_and_code_disagree_is_listed_and_can_only_be_declined():
    _db(lambda s: enterprises.add(s, profile("甲公司", credit_code="91310115MA1K3Y8P1B"), admin()))
    _db(lambda s: enterprises.add(s, profile("乙公司"), admin()))
    odd = _db(lambda s: submissions.submit(s, parse_profile(profile("乙公司", credit_code="91310115MA1K3Y8P1B")), None))
    total, shown = _db(lambda s: submissions.pending(s, WANG))
    assert (total, [i.id for i in shown]) == (1, [odd.id])
    assert _db(lambda s: submissions.registered(s, s.get(type(odd), odd.id)))[1]  # why, in words
    with pytest.raises(RegistryError, match="不能采纳"):
        _db(lambda s: submissions.accept(s, odd.id, WANG))
    assert _db(lambda s: submissions.decline(s, odd.id, WANG, "名称与代码不符").state) == "declined"


@pytest.mark.parametrize("name", ["张三\u200b", "公众", "命令行（root）", "ＡＢ", "\u0410nna"])
def test_an_account_name_that_looks_like_another_or_the_system_is_refused(name):
    with pytest.raises(RegistryError, match="姓名"):
        _db(lambda s: accounts.create(s, admin(), "someone", name, "counsellor", "一个足够长的登录密码"))


def test_a_password_of_spaces_only_is_refused():
    """Ten spaces passed the length check (a break-it trial)."""
    with pytest.raises(RegistryError, match="密码不能只有空格"):
        _db(lambda s: accounts.create(s, admin(), "someone", "某人", "staff", " " * 12))
    among = " 中间 有 空格 的 密码 "  # spaces among other characters are fine
    _db(lambda s: accounts.create(s, admin(), "someone", "某人", "staff", among))


def test_a_login_name_differing_only_in_case_from_another_is_refused():
    """STAFF1 was created beside staff1, and the 账号管理 picker, which ignores case, changed the other one (a
    break-it trial)."""
    _db(lambda s: accounts.create(s, admin(), "staff1", "王政策", "staff", "一个足够长的登录密码"))
    with pytest.raises(RegistryError, match="登录名 STAFF1 已被使用（与 staff1 只差大小写）"):
        _db(lambda s: accounts.create(s, admin(), "STAFF1", "王政策二", "staff", "一个足够长的登录密码"))


def test_an_account_email_must_look_like_one():
    with pytest.raises(RegistryError, match="不是有效的邮箱地址"):
        _db(lambda s: accounts.create(s, admin(), "someone", "某人", "staff", None, "![a](http://x.invalid/e.png)"))


def test_a_single_sign_on_identity_is_its_linked_active_account_or_the_public():
    _db(lambda s: accounts.create(s, admin(), "wang", "王专员", "counsellor", None, "Wang@Example.gov.cn"))
    assert _db(lambda s: accounts.by_email(s, " wang@example.GOV.cn ")) == Actor("wang", "王专员", "counsellor")
    assert _db(lambda s: accounts.by_email(s, "nobody@example.gov.cn")) is None
    with pytest.raises(accounts.LoginFailed):
        accounts.log_in("wang", "")  # an SSO-only account has no password to guess
    _db(lambda s: accounts.change(s, admin(), "wang", active=False))
    assert _db(lambda s: accounts.by_email(s, "wang@example.gov.cn")) is None
    with pytest.raises(RegistryError, match="需要密码"):
        _db(lambda s: accounts.create(s, admin(), "li", "李专员", "counsellor"))
