"""The 一企一档 registry: enterprises with history, consultations, feedback, push lists, migrations.

Every test gets a fresh database (conftest.registry_url): a SQLite file, or a fresh schema on the
PostgreSQL server named by DATABASE_URL. The same tests run on both.
"""

from __future__ import annotations

import datetime as dt
import gc
import time

import pytest
import yaml
from actors import admin, counsellor
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from registry_helpers import (
    backend,
    clause_in,
    day,
    observer,
    profile,
    replace_clause,
    without_clause,
    without_document,
)
from sqlalchemy import JSON, CheckConstraint, Date, DateTime, column, insert, inspect, select, table, text, update
from sqlalchemy.exc import IntegrityError

from recommender.clock import today as shanghai_today
from recommender.corpus_models import Condition
from recommender.eligibility import status
from recommender.eligibility.facts import Facts
from recommender.eligibility.verdict import evaluate as judge
from recommender.evalset import load_cases
from recommender.evaluation import evaluate
from recommender.profile import ProfileError, parse_profile
from recommender.registry import consultations, db, enterprises, feedback, push
from recommender.registry.consultations import Discussed
from recommender.registry.enterprises import ConflictError, RegistryError
from recommender.registry.models import (
    BEIJING,
    Base,
    ClauseVersion,
    ConsultationMeasure,
    Enterprise,
    Feedback,
    Revision,
    now,
)
from recommender.registry.states import FOLLOW_UPS, LEAD_FOLLOW_UPS, LEAD_STATE, POOL_STAGES, follow_ups


@pytest.fixture
def foreign_server_clock():
    """A server clock in a third zone: times must still be shown in Beijing time, not the server's."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TZ", "America/New_York")
        time.tzset()
        yield
    time.tzset()


def _add(name: str = "上海甲芯微电子有限公司", by: str = "alice", **kwargs) -> int:
    with db.transaction() as s:
        return enterprises.add(s, profile(name, employees=50), by=admin(by), **kwargs).id


# --- enterprises: add, update, history ---------------------------------------------------------


def test_a_counsellor_typed_as_unassigned_is_no_counsellor_and_the_filter_finds_the_unassigned():
    """未分配 is how no 专员 reads: stored as a name it looked unassigned while no filter or 辅导员 found it."""
    typed = _add("上海乙有限公司", counsellor="未分配")
    none = _add("上海丙有限公司")
    assigned = _add("上海丁有限公司", counsellor="王专员")
    with db.transaction() as s:
        assert enterprises.get(s, typed, admin()).counsellor is None
        found = [e.id for e in enterprises.listing(s, admin(), counsellor="未分配")]
    assert sorted(found) == sorted([typed, none]) and assigned not in found


def test_every_change_is_kept_with_who_when_and_source():
    start = dt.datetime.now(dt.UTC)
    with db.transaction() as s:
        e = enterprises.add(
            s, profile("上海甲芯微电子有限公司", employees=50), by=admin("alice"), counsellor=" 王专员 ", stage="储备"
        )
        eid = e.id
        assert (e.version, e.counsellor, e.pool_stage) == (1, "王专员", "储备")
    with db.transaction() as s:
        e = enterprises.update(s, eid, 1, by=admin("bob"), profile=profile("上海甲芯微电子有限公司", employees=80))
        assert e.version == 2
    with db.transaction() as s:
        e = enterprises.update(s, eid, 2, by=admin("carol"), counsellor="李专员", stage="培育", source="辅导员页")
        assert e.version == 3
    end = dt.datetime.now(dt.UTC)

    with db.transaction() as s:
        e = enterprises.get(s, eid, admin())
        assert (e.version, e.updated_by, e.counsellor, e.pool_stage) == (3, "carol", "李专员", "培育")
        assert e.profile["employees"] == 80
        history = enterprises.history(s, eid, admin())
    assert [r.version for r, _ in history] == [3, 2, 1]
    assert [r.changed_by for r, _ in history] == ["carol", "bob", "alice"]
    assert [r.source for r, _ in history] == ["辅导员页", "页面编辑", "页面录入"]
    for r, _ in history:
        assert r.changed_at.tzinfo is not None, "a stored time must come back time-zone aware"
        assert start <= r.changed_at <= end
    assert history[0][0].changed_at >= history[1][0].changed_at >= history[2][0].changed_at
    third, second, first = (changes for _, changes in history)
    assert {(c.field, c.label, c.before, c.after) for c in third} == {
        ("counsellor", "专员", "王专员", "李专员"),
        ("pool_stage", "培育库阶段", "储备", "培育"),
    }
    assert [(c.field, c.before, c.after) for c in second] == [("employees", 50, 80)]
    assert {c.field for c in first} >= {"name", "region", "employees", "counsellor", "pool_stage"}
    assert all(c.before is None for c in first)
    # each revision holds the whole record as it was
    with db.transaction() as s:
        revisions = s.scalars(select(Revision).where(Revision.enterprise_id == eid).order_by(Revision.version)).all()
        assert [r.profile["employees"] for r in revisions] == [50, 80, 80]
        assert [r.pool_stage for r in revisions] == ["储备", "储备", "培育"]


def test_a_save_that_changes_nothing_keeps_the_version():
    eid = _add(counsellor="王专员", stage="培育")
    with db.transaction() as s:
        e = enterprises.update(
            s,
            eid,
            1,
            by=admin("bob"),
            profile=profile("上海甲芯微电子有限公司", employees=50),
            counsellor="王专员",
            stage="培育",
        )
        assert (e.version, e.updated_by) == (1, "alice")
    with db.transaction() as s:
        assert enterprises.get(s, eid, admin()).version == 1
        assert len(enterprises.history(s, eid, admin())) == 1


def test_duplicate_names_are_refused_in_chinese():
    _add("上海甲芯微电子有限公司")
    with pytest.raises(RegistryError, match="档案库中已有“上海甲芯微电子有限公司”"), db.transaction() as s:
        enterprises.add(s, profile(" 上海甲芯微电子有限公司 ", region="浦东新区"), by=admin("bob"))
    other = _add("上海乙芯科技有限公司")
    with (
        pytest.raises(RegistryError, match="已有另一家“上海甲芯微电子有限公司”，企业名称不能重复"),
        db.transaction() as s,
    ):
        enterprises.update(s, other, 1, by=admin("bob"), profile=profile("上海甲芯微电子有限公司"))
    with db.transaction() as s:
        assert enterprises.count(s, admin()) == 2
        assert enterprises.get(s, other, admin()).version == 1


def test_invalid_stage_and_profile_are_refused():
    with (
        pytest.raises(RegistryError, match="培育库阶段应为 储备 / 培育 / 提升 之一（收到“孵化”）"),
        db.transaction() as s,
    ):
        enterprises.add(s, profile("上海甲芯微电子有限公司"), by=admin("alice"), stage="孵化")
    eid = _add()
    with pytest.raises(RegistryError, match="储备 / 培育 / 提升"), db.transaction() as s:
        enterprises.update(s, eid, 1, by=admin("bob"), stage="优秀")
    # a profile that does not validate is a refusal too (and still a ProfileError naming the field)
    with pytest.raises(RegistryError, match="注册地") as refused, db.transaction() as s:
        enterprises.update(s, eid, 1, by=admin("bob"), profile={"name": "上海甲芯微电子有限公司", "region": "北京市"})
    assert isinstance(refused.value, ProfileError)
    with pytest.raises(RegistryError, match="企业名称过长"), db.transaction() as s:
        enterprises.add(s, profile("㈱" * 100), by=admin("alice"))  # 100 characters, 300 as compared (NFKC: (株))
    with db.transaction() as s:
        assert enterprises.get(s, eid, admin()).version == 1 and enterprises.count(s, admin()) == 1


def test_the_database_refuses_an_unknown_stage_even_past_the_code():
    eid = _add()
    with pytest.raises(IntegrityError), db.transaction() as s:
        s.execute(update(Enterprise).where(Enterprise.id == eid).values(pool_stage="孵化"))
    with db.transaction() as s:
        assert enterprises.get(s, eid, admin()).pool_stage == "储备"


def test_listing_filters_and_counsellors():
    _add("上海甲芯微电子有限公司", counsellor="王专员", stage="培育")
    _add("上海乙芯科技有限公司", counsellor="李专员")
    _add("金山100%食品有限公司")
    with db.transaction() as s:
        assert [e.name for e in enterprises.listing(s, admin())] == sorted(
            ["上海甲芯微电子有限公司", "上海乙芯科技有限公司", "金山100%食品有限公司"]
        )
        assert [e.name for e in enterprises.listing(s, admin(), counsellor="王专员")] == ["上海甲芯微电子有限公司"]
        assert [e.name for e in enterprises.listing(s, admin(), stage="储备")] == sorted(
            ["上海乙芯科技有限公司", "金山100%食品有限公司"]
        )
        assert [e.name for e in enterprises.listing(s, admin(), text="芯")] == sorted(
            ["上海甲芯微电子有限公司", "上海乙芯科技有限公司"]
        )
        assert [e.name for e in enterprises.listing(s, admin(), text="100%")] == ["金山100%食品有限公司"]
        assert enterprises.listing(s, admin(), text="0%0") == []
        assert enterprises.counsellors(s, admin()) == ["李专员", "王专员"]
        assert enterprises.count(s, admin()) == 3
        assert enterprises.find(s, " 上海乙芯科技有限公司 ").counsellor == "李专员"
        assert enterprises.profile_of(enterprises.find(s, "上海乙芯科技有限公司")).employees == 50
    with pytest.raises(RegistryError, match="没有编号为 999999 的企业"), db.transaction() as s:
        enterprises.get(s, 999_999, admin())


TYPED = [  # profiles as people type them: places, spellings, units, aliases, dates, a code
    profile("上海甲芯微电子有限公司", region="上海市浦东新区张江", stage="成長期", revenue="1,850万", employees="85"),
    profile("上海乙芯科技有限公司", qualifications="高企、科小", qualification_dates={"高企": "2021年3月5日"}),
    profile("金山丙材料有限公司", industry="生物醫藥", founded="2019/4/1", foreign_invested="外资", needs=["贷款"]),
    profile("徐汇丁软件有限公司", region="徐汇区", rd_staff=3, employees=10, revenue=0, rd_expense=1.5),
    profile("闵行戊有限公司", region="闵行区", credit_code=" 91310000ma1fl0x677 ", main_business_share="85%"),
]


def test_a_stored_profile_reads_back_as_validating_it_again_would():
    """``profile_of`` and the push lists' ``registered`` skip the readers of what people type (what was
    stored went through them): the same Profile as ``parse_profile`` of the stored dict, fields set too."""
    with db.transaction() as s:
        for k, p in enumerate(TYPED):
            enterprises.add(s, p, by=admin("alice"), counsellor="王专员" if k % 2 else None)
        listed = {e.name: e for e in enterprises.listing(s, admin())}
        read = {r.name: r.profile() for r in enterprises.registered(s, admin())}
    assert list(read) == list(listed)
    for name, e in listed.items():
        expected = parse_profile(e.profile)
        for got in (enterprises.profile_of(e), read[name]):
            assert got == expected and got.model_fields_set == expected.model_fields_set, name
            assert type(got) is type(expected) and got.public_dict() == e.profile
    assert read["上海甲芯微电子有限公司"].park == "张江" and read["上海乙芯科技有限公司"].qualifications == [
        "高新技术企业",
        "科技型中小企业",
    ]


def test_a_stored_profile_the_model_no_longer_accepts_is_read_or_refused_as_parse_profile_would(policies):
    """A stored profile edited past the code: one the readers still accept (a spelling) is read as
    ``parse_profile`` reads it; one no check accepts (more R&D staff than staff) is a ProfileError naming
    the enterprise, for its record, the push list and the audience alike."""
    _add("上海甲芯微电子有限公司")
    _add("上海乙芯科技有限公司")
    with db.transaction() as s:
        spelled = {"name": "上海甲芯微电子有限公司", "region": "金山区", "stage": "成長期", "employees": 50}
        s.execute(update(Enterprise).where(Enterprise.name == "上海甲芯微电子有限公司").values(profile=spelled))
        (first,) = [r for r in enterprises.registered(s, admin()) if r.name == "上海甲芯微电子有限公司"]
        assert first.profile() == parse_profile(spelled) and first.profile().stage == "成长期"
        wrong = {"name": "上海乙芯科技有限公司", "region": "金山区", "employees": 5, "rd_staff": 9}
        s.execute(update(Enterprise).where(Enterprise.name == "上海乙芯科技有限公司").values(profile=wrong))
    _sync(without_document(policies, "js-yingshang-2022"), BASELINE_DAY)
    _sync(policies, CHANGE_DAY)
    clause, policy = clause_in(policies, OPEN)
    for read in (
        lambda s: enterprises.profile_of(enterprises.find(s, "上海乙芯科技有限公司")),
        lambda s: push.push_list(s, CHANGE_DAY, CHANGE_DAY, admin()),
        lambda s: push.audience(s, clause, policy.document, CHANGE_DAY, admin()),
    ):
        with pytest.raises(ProfileError, match="上海乙芯科技有限公司: rd_staff") as refused, db.transaction() as s:
            read(s)
        assert [e.code for e in refused.value.errors] == ["too_large"]


def test_a_conflict_message_shows_beijing_time(foreign_server_clock):
    eid = _add()
    with db.transaction() as s:
        winner = enterprises.update(s, eid, 1, by=admin("bob"), stage="提升")
        saved = winner.updated_at
    with pytest.raises(ConflictError) as conflict, db.transaction() as s:
        enterprises.update(s, eid, 1, by=admin("carol"), stage="培育")
    local = (saved.astimezone(dt.UTC) + dt.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
    utc = saved.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M")
    assert local != utc  # the test is only worth something when the two differ
    assert f"已被 bob 于 {local} 修改" in str(conflict.value), str(conflict.value)


# --- migrations ----------------------------------------------------------------------------------


def _differences(url: str) -> list:
    with observer(url) as engine, engine.connect() as c:
        return compare_metadata(MigrationContext.configure(c, opts={"render_as_batch": True}), Base.metadata)


def _tables(url: str) -> set[str]:
    with observer(url) as engine:
        return set(inspect(engine).get_table_names())


def test_migrations_build_the_models_schema_and_come_down_again(registry_url):
    config = db.alembic_config(registry_url)
    assert _tables(registry_url) == set()
    command.upgrade(config, "head")
    assert _tables(registry_url) == {*Base.metadata.tables, "alembic_version"}
    assert _differences(registry_url) == []
    command.downgrade(config, "base")
    assert _tables(registry_url) == {"alembic_version"}
    command.upgrade(config, "head")
    assert _differences(registry_url) == []
    # the app opens the migrated database as it is, and works
    assert _add() > 0


def test_the_database_has_the_models_check_constraints(registry_url):
    db.engine()  # the app migrates on first use
    with observer(registry_url) as engine:
        found = inspect(engine)
        for table in Base.metadata.sorted_tables:
            expected = {c.name for c in table.constraints if isinstance(c, CheckConstraint)}
            assert expected or table.name not in {"enterprises", "consultation_measures", "feedback"}
            assert {c["name"] for c in found.get_check_constraints(table.name)} >= expected, table.name


# every label the pages stored before revision 0002, and the code it stands for
LABEL_CODES = {
    "可申请": "eligible",
    "需补充条件": "partial",
    "信息不足": "unknown",
    "不符合": "ineligible",
    "已过期": "expired",
}


def _insert(c, name: str, row: dict, returning: bool = False) -> int | None:
    """Write ``row`` into table ``name`` as it is at revision 0001 (no model: the models are the newest schema)."""

    def kind(value):
        if isinstance(value, dict):
            return JSON()
        if isinstance(value, dt.datetime):
            return DateTime(timezone=True)
        return Date() if isinstance(value, dt.date) else None

    rows = table(name, column("id"), *(column(k, kind(v)) for k, v in row.items()))
    if returning:
        return c.execute(insert(rows).returning(rows.c.id), row).scalar_one()
    c.execute(insert(rows), row)
    return None


def _rows_with_labels(url: str) -> None:
    """An enterprise, a consultation, and a measure and a feedback per label, as revision 0001 stored them."""
    stamp, held = dt.datetime.now(dt.UTC), day("2026-11-20")
    firm = {"name": "上海甲芯微电子有限公司", "region": "金山区"}
    with observer(url) as engine, engine.begin() as c:
        eid = _insert(
            c,
            "enterprises",
            {"name": firm["name"], "profile": firm, "pool_stage": "储备", "version": 1}
            | {"created_at": stamp, "updated_at": stamp, "updated_by": "alice"},
            returning=True,
        )
        vid = _insert(
            c,
            "consultations",
            {"enterprise_id": eid, "held_on": held, "counsellor": "王专员", "profile_version": 1, "as_of": held}
            | {"created_at": stamp},
            returning=True,
        )
        for i, label in enumerate(LABEL_CODES):
            measure = {"consultation_id": vid, "clause_id": f"c{i}", "title": "措施", "match_status": label}
            _insert(
                c,
                "consultation_measures",
                measure | {"follow_up": "待申报", "version": 1, "updated_at": stamp, "updated_by": "王专员"},
            )
            said = {"profile": firm, "as_of": held, "clause_id": f"c{i}", "shown_status": label, "verdict": "有用"}
            _insert(c, "feedback", said | {"page": "企业自测", "created_by": "企业自助", "created_at": stamp})


def _stored_statuses(url: str) -> tuple[list[str], list[str]]:
    """(consultation_measures.match_status, feedback.shown_status) in the order the rows were written."""
    with observer(url) as engine, engine.connect() as c:
        measures = c.scalars(text("SELECT match_status FROM consultation_measures ORDER BY clause_id")).all()
        shown = c.scalars(text("SELECT shown_status FROM feedback ORDER BY clause_id")).all()
    return list(measures), list(shown)


def _status_checks(url: str) -> set[str]:
    with observer(url) as engine:
        found = inspect(engine)
        return {c["name"] for t in ("consultation_measures", "feedback") for c in found.get_check_constraints(t)}


def test_migration_0002_turns_stored_status_labels_into_codes_and_back(registry_url):
    # the test rows hold every label the app could have stored
    shown = {label: code for code, label in status.STATUS_LABELS.items()} | {status.EXPIRED_LABEL: status.EXPIRED}
    assert shown == LABEL_CODES
    labels, codes = list(LABEL_CODES), list(LABEL_CODES.values())
    config = db.alembic_config(registry_url)
    command.upgrade(config, "0001")
    _rows_with_labels(registry_url)
    assert _stored_statuses(registry_url) == (labels, labels)
    assert not _status_checks(registry_url) & {"match_status_allowed", "shown_status_allowed"}

    command.upgrade(config, "head")
    assert _stored_statuses(registry_url) == (codes, codes)
    assert _status_checks(registry_url) >= {"match_status_allowed", "shown_status_allowed", "follow_up_allowed"}
    assert _differences(registry_url) == []

    command.downgrade(config, "0001")
    assert _stored_statuses(registry_url) == (labels, labels)
    assert not _status_checks(registry_url) & {"match_status_allowed", "shown_status_allowed"}
    assert "rejection_has_reason" in _status_checks(registry_url)  # the other checks survive the batch copy

    command.upgrade(config, "head")
    assert _stored_statuses(registry_url) == (codes, codes)
    with db.transaction() as s:  # the app reads the converted rows
        [visit] = enterprises.find(s, "上海甲芯微电子有限公司").consultations
        assert [m.match_status for m in visit.measures] == codes
        assert [f.shown_status for f in feedback.all_feedback(s, admin())] == codes


# --- consultations ---------------------------------------------------------------------------------

MEASURES = [
    Discussed("js-yingshang-2022/c2.s1.g1.p1", "首次落户奖励", "eligible"),
    Discussed("js-yingshang-2022/c2.s3.g8.p2", "中小企业扶持", "partial"),
    Discussed("js-yingshang-2022/c2.s1.g1.p1", "首次落户奖励", "eligible"),  # shown twice: kept once
]


def _consult(eid: int, held_on: str = "2026-11-20", counsellor: str = "王专员", **kwargs) -> int:
    with db.transaction() as s:
        return consultations.record(
            s,
            eid,
            held_on=day(held_on),
            counsellor=counsellor,
            measures=MEASURES,
            as_of=day(held_on),
            by=admin(counsellor),
            sheet_file="上海甲芯微电子有限公司-政策咨询单.docx",
            note="  企业关心研发补贴  ",
            **kwargs,
        ).id


def test_a_consultation_records_date_counsellor_measures_and_sheet():
    eid = _add()
    with db.transaction() as s:
        enterprises.update(s, eid, 1, by=admin("bob"), stage="培育")
    cid = _consult(eid)
    _consult(eid, held_on="2026-10-01", counsellor="李专员")
    with db.transaction() as s:
        visits = enterprises.get(s, eid, admin()).consultations
        assert [v.held_on for v in visits] == [day("2026-11-20"), day("2026-10-01")]  # newest first
        c = visits[0]
        assert c.id == cid
        assert (c.counsellor, c.profile_version, c.as_of) == ("王专员", 2, day("2026-11-20"))
        assert (c.sheet_file, c.note) == ("上海甲芯微电子有限公司-政策咨询单.docx", "企业关心研发补贴")
        assert [(m.clause_id, m.match_status, m.follow_up, m.version) for m in c.measures] == [
            ("js-yingshang-2022/c2.s1.g1.p1", "eligible", "待申报", 1),
            ("js-yingshang-2022/c2.s3.g8.p2", "partial", "待申报", 1),
        ]
    with pytest.raises(RegistryError, match="辅导员"), db.transaction() as s:
        consultations.record(s, eid, day("2026-11-20"), " ", MEASURES, day("2026-11-20"), by=admin("x"))
    with pytest.raises(RegistryError, match="至少选择一条"), db.transaction() as s:
        consultations.record(s, eid, day("2026-11-20"), "王专员", [], day("2026-11-20"), by=admin("x"))


def test_follow_up_moves_through_its_states_and_a_rejection_needs_its_reason():
    eid = _add()
    _consult(eid)
    with db.transaction() as s:
        mid, other = (m.id for m in consultations.open_applications(s, admin()))
    assert FOLLOW_UPS == ("待申报", "已申报", "已获批", "未获批")
    with db.transaction() as s:
        assert consultations.set_follow_up(s, mid, 1, "已申报", by=admin("王专员")).version == 2
    with pytest.raises(RegistryError, match=r"未获批.*请填写原因"), db.transaction() as s:
        consultations.set_follow_up(s, mid, 2, "未获批", by=admin("王专员"), reason="  ")
    with pytest.raises(RegistryError, match="跟进状态应为"), db.transaction() as s:
        consultations.set_follow_up(s, mid, 2, "已放弃", by=admin("王专员"))
    with db.transaction() as s:
        m = consultations.set_follow_up(s, mid, 2, "未获批", by=admin("李专员"), reason=" 研发投入占比不足 ")
        assert (m.follow_up, m.reason, m.version, m.updated_by) == ("未获批", "研发投入占比不足", 3, "李专员")
    with db.transaction() as s:  # the same again is no change
        assert consultations.set_follow_up(s, mid, 3, "未获批", by=admin("x"), reason="研发投入占比不足").version == 3
    with db.transaction() as s:
        m = consultations.set_follow_up(s, mid, 3, "已获批", by=admin("王专员"))
        assert (m.follow_up, m.reason, m.version) == ("已获批", None, 4)
    with db.transaction() as s:
        assert [m.id for m in consultations.open_applications(s, admin())] == [other]
        assert consultations.open_applications(s, admin(), counsellor="李专员") == []


def test_the_database_stores_statuses_as_codes_and_refuses_labels_even_past_the_code():
    eid = _add()
    _consult(eid)
    with db.transaction() as s:
        mid = consultations.open_applications(s, admin())[0].id
        _feedback(s, profile("x"), USEFUL, "有用")
    for code in ("eligible", "partial", "unknown", "ineligible", "expired"):
        with db.transaction() as s:
            s.execute(update(ConsultationMeasure).where(ConsultationMeasure.id == mid).values(match_status=code))
            s.execute(update(Feedback).values(shown_status=code))
    for label in ("可申请", "已过期"):
        with pytest.raises(IntegrityError), db.transaction() as s:
            s.execute(update(ConsultationMeasure).where(ConsultationMeasure.id == mid).values(match_status=label))
        with pytest.raises(IntegrityError), db.transaction() as s:
            s.execute(update(Feedback).values(shown_status=label))
    with db.transaction() as s:
        assert s.get(ConsultationMeasure, mid).match_status == "expired"
        assert [f.shown_status for f in feedback.all_feedback(s, admin())] == ["expired"]


def test_the_database_refuses_a_rejection_without_reason_even_past_the_code():
    eid = _add()
    _consult(eid)
    with db.transaction() as s:
        mid = consultations.open_applications(s, admin())[0].id
    with pytest.raises(IntegrityError), db.transaction() as s:
        s.execute(update(ConsultationMeasure).where(ConsultationMeasure.id == mid).values(follow_up="未获批"))
    with pytest.raises(IntegrityError), db.transaction() as s:
        s.execute(update(ConsultationMeasure).where(ConsultationMeasure.id == mid).values(follow_up="已放弃"))
    with db.transaction() as s:
        s.execute(
            update(ConsultationMeasure)
            .where(ConsultationMeasure.id == mid)
            .values(follow_up="未获批", reason="材料逾期")
        )
    with db.transaction() as s:
        assert s.get(ConsultationMeasure, mid).follow_up == "未获批"


def test_a_stale_follow_up_is_a_conflict_naming_who_changed_it():
    eid = _add()
    _consult(eid)
    with db.transaction() as s:
        mid = consultations.open_applications(s, admin())[0].id
    with db.transaction() as s:
        consultations.set_follow_up(s, mid, 1, "已申报", by=admin("王专员"))
    with pytest.raises(ConflictError) as conflict, db.transaction() as s:
        consultations.set_follow_up(s, mid, 1, "未获批", by=admin("李专员"), reason="不符合")
    message = str(conflict.value)
    assert "王专员" in message and "已申报" in message and "第 1 版" in message and "第 2 版" in message
    with db.transaction() as s:
        m = s.get(ConsultationMeasure, mid)
        assert (m.follow_up, m.version, m.updated_by) == ("已申报", 2, "王专员")


LEAD = Discussed("js-yingshang-2022/c2.s1.g1.p2", "维护公平竞争秩序", status.LEAD)  # a 可关注 lead


def _consult_lead(eid: int) -> tuple[int, int]:
    """A consultation discussing a lead and an application: (the lead's id, the application's id)."""
    with db.transaction() as s:
        visit = consultations.record(
            s, eid, day("2026-11-20"), "王专员", [LEAD, MEASURES[0]], day("2026-11-20"), admin()
        )
        ids = {m.match_status: m.id for m in visit.measures}
    return ids[status.LEAD], ids["eligible"]


def test_a_lead_is_followed_up_as_a_lead_never_as_an_application():
    """A 可关注 lead saved in a consultation was offered 待申报 … 已获批, as if it could be applied for: it has
    its own states, the registry refuses an application's for it (and a lead's for an application)."""
    assert LEAD_STATE == status.LEAD  # states spells the code itself (it loads no numpy)
    assert follow_ups(status.LEAD) == LEAD_FOLLOW_UPS and not set(LEAD_FOLLOW_UPS) & set(FOLLOW_UPS)
    assert {follow_ups(state) for state in _display_states() - {status.LEAD}} == {FOLLOW_UPS}
    lead, application = _consult_lead(_add())
    with db.transaction() as s:
        assert (s.get(ConsultationMeasure, lead).follow_up, s.get(ConsultationMeasure, application).follow_up) == (
            "待了解",
            "待申报",
        )
        assert [m.id for m in consultations.open_applications(s, admin())] == [application]  # a lead is none
    for state in FOLLOW_UPS:
        with pytest.raises(RegistryError, match=r"是可关注线索.*待了解 / 已告知 / 不适用"), db.transaction() as s:
            consultations.set_follow_up(s, lead, 1, state, by=admin("王专员"), reason="材料逾期")
    for state in LEAD_FOLLOW_UPS:
        with pytest.raises(RegistryError, match="待申报 / 已申报 / 已获批 / 未获批"), db.transaction() as s:
            consultations.set_follow_up(s, application, 1, state, by=admin("王专员"), reason="与企业业务无关")
    with pytest.raises(RegistryError, match=r"不适用.*请填写原因"), db.transaction() as s:
        consultations.set_follow_up(s, lead, 1, "不适用", by=admin("王专员"), reason=" ")
    with db.transaction() as s:
        m = consultations.set_follow_up(s, lead, 1, "已告知", by=admin("王专员"))
        assert (m.follow_up, m.reason, m.version) == ("已告知", None, 2)
    with db.transaction() as s:
        m = consultations.set_follow_up(s, lead, 2, "不适用", by=admin("李专员"), reason=" 与企业业务无关 ")
        assert (m.follow_up, m.reason, m.version, m.updated_by) == ("不适用", "与企业业务无关", 3, "李专员")


def test_the_database_keeps_a_lead_s_follow_up_a_lead_s_even_past_the_code():
    lead, application = _consult_lead(_add())

    def moved(mid: int, **values: str) -> None:
        with db.transaction() as s:
            s.execute(update(ConsultationMeasure).where(ConsultationMeasure.id == mid).values(**values))

    for mid, state in ((lead, "已获批"), (lead, "待申报"), (application, "待了解"), (application, "已告知")):
        with pytest.raises(IntegrityError):
            moved(mid, follow_up=state)
    for blank in (None, "", "  "):  # without its reason: a blank one is none (the code refused it, SQL did not)
        with pytest.raises(IntegrityError):
            moved(lead, follow_up="不适用", reason=blank)
    with pytest.raises(IntegrityError):
        moved(application, match_status=status.LEAD)  # an application made a lead keeps 待申报: refused
    moved(lead, follow_up="不适用", reason="与企业业务无关")
    with db.transaction() as s:
        assert s.get(ConsultationMeasure, lead).follow_up == "不适用"


def _follow_ups(url: str) -> list[tuple[str, str, str | None]]:
    with observer(url) as engine, engine.connect() as c:
        rows = c.execute(text("SELECT clause_id, follow_up, reason FROM consultation_measures ORDER BY clause_id"))
        return [tuple(r) for r in rows]


def test_migration_0007_gives_stored_leads_their_own_follow_up_states_and_back(registry_url):
    config = db.alembic_config(registry_url)
    command.upgrade(config, "0006")
    stamp, held = dt.datetime.now(dt.UTC), day("2026-11-20")
    firm = profile("上海甲芯微电子有限公司")
    rows = [  # (clause, shown as, follow-up as 0006 stored it, reason)
        ("a-lead-open", "lead", "待申报", None),
        ("b-lead-applied", "lead", "已申报", None),
        ("c-lead-approved", "lead", "已获批", None),
        ("d-lead-rejected", "lead", "未获批", "与企业业务无关"),
        ("e-measure", "eligible", "已申报", None),
    ]
    with observer(registry_url) as engine, engine.begin() as c:
        who = {"created_at": stamp, "updated_at": stamp, "updated_by": "alice"}
        eid = _insert(
            c,
            "enterprises",
            {"name": firm["name"], "name_key": firm["name"], "profile": firm, "pool_stage": "储备", "version": 1} | who,
            True,
        )
        visit = {"enterprise_id": eid, "held_on": held, "counsellor": "王专员", "profile_version": 1, "as_of": held}
        vid = _insert(c, "consultations", visit | {"created_at": stamp}, returning=True)
        for clause, shown, state, reason in rows:
            measure = {"consultation_id": vid, "clause_id": clause, "title": "措施", "match_status": shown}
            kept = {"follow_up": state, "reason": reason, "version": 1, "updated_at": stamp, "updated_by": "王专员"}
            _insert(c, "consultation_measures", measure | kept)

    command.upgrade(config, "head")
    assert _follow_ups(registry_url) == [
        ("a-lead-open", "待了解", None),
        ("b-lead-applied", "已告知", None),
        ("c-lead-approved", "已告知", None),
        ("d-lead-rejected", "不适用", "与企业业务无关"),
        ("e-measure", "已申报", None),
    ]
    assert _status_checks(registry_url) >= {"follow_up_fits_match_status", "rejection_has_reason", "follow_up_allowed"}
    assert _differences(registry_url) == []
    command.downgrade(config, "0006")
    assert [r[1] for r in _follow_ups(registry_url)] == ["待申报", "已申报", "已申报", "未获批", "已申报"]
    assert "follow_up_fits_match_status" not in _status_checks(registry_url)
    assert {"rejection_has_reason", "follow_up_allowed"} <= _status_checks(registry_url)
    command.upgrade(config, "head")
    with db.transaction() as s:  # the app works on the converted rows
        [visit] = enterprises.find(s, firm["name"]).consultations
        lead = next(m for m in visit.measures if m.clause_id == "a-lead-open")
        assert consultations.set_follow_up(s, lead.id, lead.version, "已告知", by=admin()).follow_up == "已告知"


def _display_states() -> set[str]:
    """Every state a result can be shown with (``status.display_state`` over all it depends on)."""
    return {
        status.display_state(code.value, valid, kind, not_yet=not_yet, reviewed=reviewed, specific=specific)
        for code in status.Status
        for valid in (True, False)
        for kind in ("measure", status.LEAD)
        for not_yet in (True, False)
        for reviewed in (True, False)
        for specific in (True, False)
    }


def test_a_measure_shown_in_any_state_can_be_recorded_and_given_feedback_on():
    """A 可关注 lead saved in a consultation or given feedback once failed the database's check (lead was not
    an allowed code): every state a page shows must be storable."""
    states = sorted(_display_states())
    assert status.LEAD in states
    eid = _add()
    with db.transaction() as s:
        measures = [Discussed(f"js-yingshang-2022/x{i}", f"措施{i}", state) for i, state in enumerate(states)]
        visit = consultations.record(s, eid, day("2026-11-20"), "王专员", measures, day("2026-11-20"), admin())
        assert sorted(m.match_status for m in visit.measures) == states
        shown = parse_profile(profile("x"))
        for state in states:
            feedback.record(s, shown, day("2026-11-20"), USEFUL, "有用", state, "企业自测", admin())


# --- feedback ----------------------------------------------------------------------------------------

USEFUL = "js-yingshang-2022/c2.s1.g1.p1"
NOT_FOR_US = "js-yingshang-2022/c2.s1.g2.p1"


def _feedback(s, prof, clause_id, verdict, reason=None, as_of="2026-11-20", by=None, enterprise_id=None):
    return feedback.record(
        s,
        parse_profile(prof),
        as_of=day(as_of),
        clause_id=clause_id,
        verdict=verdict,
        shown_status="eligible",
        page="辅导员工作台",
        by=by or admin("王专员"),
        reason=reason,
        rank=1,
        enterprise_id=enterprise_id,
    )


def test_feedback_is_stored_and_not_applicable_needs_a_reason():
    eid = _add()
    with db.transaction() as s:
        _feedback(s, profile("上海甲芯微电子有限公司", employees=50), USEFUL, "有用", enterprise_id=eid)
    with pytest.raises(RegistryError, match=r"不适用.*原因"), db.transaction() as s:
        _feedback(s, profile("x"), NOT_FOR_US, "不适用", reason=" ")
    with pytest.raises(RegistryError, match="有用 / 不适用"), db.transaction() as s:
        _feedback(s, profile("x"), NOT_FOR_US, "还行")
    with db.transaction() as s:
        (stored,) = feedback.all_feedback(s, admin())
        assert (stored.verdict, stored.clause_id, stored.enterprise_id, stored.rank) == ("有用", USEFUL, eid, 1)
        assert stored.shown_status == "eligible"  # a code; the label is added where it is shown
        assert stored.profile == {"name": "上海甲芯微电子有限公司", "region": "金山区", "employees": 50}
        assert stored.as_of == day("2026-11-20") and stored.created_at.tzinfo is not None
    with pytest.raises(IntegrityError), db.transaction() as s:  # the database knows the verdicts too
        s.execute(update(Feedback).values(verdict="还行"))


def test_feedback_exports_as_cases_the_evaluation_set_loads(tmp_path, clauses):
    a = profile("上海甲芯微电子有限公司", employees=50, needs=["资金补贴"])
    b = profile("上海乙芯科技有限公司", region="浦东新区")
    with db.transaction() as s:
        _feedback(s, a, USEFUL, "不适用", reason="已享受过")
        _feedback(s, a, USEFUL, "有用", by=admin("李专员"))  # the latest word on a clause counts
        _feedback(s, a, NOT_FOR_US, "不适用", reason="不在适用区域")
        _feedback(s, a, USEFUL, "有用", as_of="2026-01-05")  # another date: another case
        _feedback(s, b, USEFUL, "不适用", reason="不在金山区")
        _feedback(s, b, "no-such/clause", "有用")
        internal = next(c.id for c in clauses if c.kind == "internal")
        _feedback(s, b, internal, "有用")
        cases, skipped = feedback.as_cases(feedback.all_feedback(s, admin()), {c.id: c for c in clauses})
    assert sorted(d.item.clause_id for d in skipped) == sorted(["no-such/clause", internal])
    lines = {d.item.clause_id: d.line for d in skipped}
    assert "上海乙芯科技有限公司" in lines[internal] and "是政府内部工作" in lines[internal]
    assert "已不在政策库中" in lines["no-such/clause"] and "扶持措施" not in lines["no-such/clause"]
    assert len(cases) == 3
    first = cases[0]
    assert first["as_of"] == "2026-11-20" and first["profile"]["name"] == "上海甲芯微电子有限公司"
    assert {label["clause"]: label["grade"] for label in first["labels"]} == {USEFUL: 2, NOT_FOR_US: 0}
    assert "李专员" in next(lb["why"] for lb in first["labels"] if lb["clause"] == USEFUL)
    assert "不在适用区域" in next(lb["why"] for lb in first["labels"] if lb["clause"] == NOT_FOR_US)

    folder = tmp_path / "eval"
    folder.mkdir()
    (folder / "feedback.yaml").write_text(yaml.safe_dump({"cases": cases}, allow_unicode=True), "utf-8")
    loaded = load_cases(folder, clauses=clauses)
    assert [c.id for c in loaded] == [c["id"] for c in cases]
    assert loaded[0].grades == {USEFUL: 2, NOT_FOR_US: 0}
    assert loaded[2].profile.region == "浦东新区" and loaded[2].forbidden == {USEFUL}
    result = evaluate(loaded)
    assert result["cases"] == 3 and {r["name"] for r in result["configurations"]} >= {"hybrid"}


def test_feedback_on_a_lead_exports_as_a_useful_lead_or_says_why_it_cannot(tmp_path, clauses):
    """Feedback on a 可关注 lead was dropped as "no longer in the corpus (or not a measure)". 有用 on a lead is a
    grade-1 label (useful; grade 2 says the enterprise qualifies, which a lead does not ask); 不适用 cannot be
    said (grade 0 only forbids 可申请, which a lead never shows): skipped, naming the enterprise and the lead."""
    lead, other = [c for c in clauses if c.kind == "lead"][:2]
    a = profile("上海甲芯微电子有限公司", employees=50)
    b = profile("上海乙芯科技有限公司", region="浦东新区")
    with db.transaction() as s:
        _feedback(s, a, USEFUL, "有用")
        _feedback(s, a, lead.id, "有用")
        _feedback(s, b, other.id, "有用")
        _feedback(s, b, other.id, "不适用", reason="与企业业务无关")  # the latest word: the earlier label goes too
        items = feedback.all_feedback(s, admin())
        cases, skipped = feedback.as_cases(items, {c.id: c for c in clauses})
    assert [c["profile"]["name"] for c in cases] == ["上海甲芯微电子有限公司"]  # b's only label was withdrawn
    assert {label["clause"]: label["grade"] for label in cases[0]["labels"]} == {USEFUL: 2, lead.id: 1}
    assert "可关注线索" in next(lb["why"] for lb in cases[0]["labels"] if lb["clause"] == lead.id)
    [said] = skipped
    assert said.item.clause_id == other.id and said.line.startswith(f"跳过反馈 {said.item.id}（上海乙芯科技有限公司）")
    assert f"“{other.heading}”" in said.line and "可关注线索" in said.line and "从不显示为可申请" in said.line
    assert "已不在政策库中" not in said.line

    folder = tmp_path / "eval"
    folder.mkdir()
    (folder / "feedback.yaml").write_text(yaml.safe_dump({"cases": cases}, allow_unicode=True), "utf-8")
    [loaded] = load_cases(folder, clauses=clauses)  # the evaluation set takes a label on a lead
    assert loaded.grades == {USEFUL: 2, lead.id: 1} and loaded.relevant == {USEFUL, lead.id}


# --- push lists ----------------------------------------------------------------------------------------

RELAXED = "js-yingshang-2022/c2.s3.g8.p2"  # 金山: for 中型/小型/微型 enterprises (a soft condition)
OPEN = "js-yingshang-2022/c2.s1.g1.p1"  # 金山: no condition of its own
EXPIRED = "xh-kczx-2015/c2.s4.p1"  # 徐汇, in force 2015–2020: for 科技型中小企业
BASELINE_DAY, CHANGE_DAY, LATER = day("2026-06-01"), day("2026-06-10"), day("2026-06-20")


def _sync(policies, today):
    with db.transaction() as s:
        return push.sync(s, policies, today=today)


def _push(since, as_of=CHANGE_DAY):
    with db.transaction() as s:
        return push.push_list(s, since, as_of, admin())


def _verdict(policies, clause_id, prof, as_of=CHANGE_DAY):
    clause, policy = clause_in(policies, clause_id)
    return judge(clause, policy.document, Facts(parse_profile(prof), as_of))


JINSHAN = profile("金山某芯片设计有限公司", industry="集成电路")  # size unknown: 需补充条件 on RELAXED
PUDONG = profile("浦东某芯片设计有限公司", region="浦东新区", industry="集成电路")
XUHUI = profile("徐汇某软件有限公司", region="徐汇区", industry="软件和信息服务")


def _register(*profiles, counsellor="王专员"):
    with db.transaction() as s:
        for p in profiles:
            enterprises.add(s, p, by=admin("alice"), counsellor=counsellor)


def test_the_first_sync_dates_clauses_by_their_documents(policies):
    report = _sync(policies, BASELINE_DAY)
    assert len(report.added) == sum(len(p.clauses) for p in policies) and not report.changed
    with db.transaction() as s:
        dates = {v.clause_id: v.changed_on for v in s.scalars(select(ClauseVersion))}
    for p in policies:
        assert dates[p.clauses[0].id] == (p.document.issued or p.document.valid_from)
    again = _sync(policies, CHANGE_DAY)
    assert (again.added, again.changed, again.removed) == ([], [], [])
    assert _push(BASELINE_DAY) == ([], [])


def test_a_relaxed_rule_lists_the_enterprise_it_makes_eligible(policies):
    relaxed = replace_clause(policies, RELAXED, eligibility=[])
    assert _verdict(policies, RELAXED, JINSHAN).status == "partial"
    now = _verdict(relaxed, RELAXED, JINSHAN)
    assert now.status == "eligible"
    assert _verdict(relaxed, RELAXED, PUDONG).status == "ineligible"
    _register(JINSHAN, PUDONG)
    _sync(policies, BASELINE_DAY)
    report = _sync(relaxed, CHANGE_DAY)
    assert report.changed == [RELAXED] and not report.added and not report.removed

    changes, items = _push(CHANGE_DAY)
    assert [(c.clause_id, c.change, c.changed_on) for c in changes] == [(RELAXED, "changed", CHANGE_DAY)]
    assert len(items) == 1
    item = items[0]
    assert (item.enterprise, item.counsellor, item.clause_id) == ("金山某芯片设计有限公司", "王专员", RELAXED)
    assert (item.change, item.direction, item.before, item.after) == ("changed", "gained", "partial", "eligible")
    assert item.reasons == now.reasons and any("金山区" in r for r in item.reasons)
    assert item.policy == clause_in(policies, RELAXED)[1].document.short_title
    shown = item.as_dict()  # the JSON line: the labels under the keys they always had, the codes beside them
    assert shown["changed_on"] == CHANGE_DAY.isoformat()
    # relaxed to no condition of its own, the rule asks only the district: 可关注, never 可申请 (display_state)
    assert [shown[k] for k in ("change", "direction", "before", "after")] == ["修改", "新符合", "需补充条件", "可关注"]
    assert [shown[f"{k}_code"] for k in ("change", "direction", "before", "after")] == [
        "changed",
        "gained",
        "partial",
        "eligible",
    ]
    # a date after the change: nothing new
    assert _push(LATER) == ([], [])


def test_a_tightened_rule_lists_the_enterprise_no_longer_eligible_with_the_gap(policies):
    biotech_only = Condition(field="industry", op="in", value=["生物医药"], quote="生物医药企业")
    tightened = replace_clause(policies, OPEN, eligibility=[biotech_only])
    assert _verdict(policies, OPEN, JINSHAN).status == "eligible"
    after = _verdict(tightened, OPEN, JINSHAN)
    assert after.status == "ineligible"
    _register(JINSHAN, PUDONG)
    _sync(policies, BASELINE_DAY)
    _sync(tightened, CHANGE_DAY)
    _, items = _push(CHANGE_DAY)
    assert [(i.enterprise, i.clause_id, i.direction, i.before, i.after) for i in items] == [
        ("金山某芯片设计有限公司", OPEN, "lost", "eligible", "ineligible")
    ]
    assert items[0].reasons == [g.message for g in after.gaps] and "生物医药" in items[0].reasons[0]


def test_a_correction_the_same_day_is_listed_from_a_moment_of_that_day(policies):
    """A clause tightened the day it was first recorded never showed as 不再符合: ``--since`` was a day, so the
    version before the correction and the correction were both "after" (a break-it trial). From a moment of
    that day, the versions recorded before it are "before"."""
    biotech_only = Condition(field="industry", op="in", value=["生物医药"], quote="生物医药企业")
    today = shanghai_today()  # versions are recorded now: their day is today's
    _register(JINSHAN)
    _sync(without_clause(policies, OPEN), BASELINE_DAY)
    _sync(policies, today)  # published: 金山 told 可关注 by a push list of today
    assert [(i.clause_id, i.direction) for i in _push(today, as_of=today)[1]] == [(OPEN, "gained")]
    told_at = now()
    time.sleep(0.01)
    _sync(replace_clause(policies, OPEN, eligibility=[biotech_only]), today)  # corrected that afternoon
    assert _push(today, as_of=today)[1] == []  # by day: added today, never eligible
    changes, items = _push(told_at.astimezone(BEIJING), as_of=today)
    assert [(c.clause_id, c.change) for c in changes] == [(OPEN, "changed")]
    assert [(i.enterprise, i.direction, i.before, i.after) for i in items] == [
        ("金山某芯片设计有限公司", "lost", "eligible", "ineligible")
    ]
    moment = dt.datetime(2026, 6, 10, 6, 5, tzinfo=dt.UTC)
    assert push.since_text(moment) == "2026-06-10 14:05（北京时间）" and push.since_text(today) == today.isoformat()


def test_a_removed_clause_lists_the_enterprises_that_lose_it(policies):
    _register(JINSHAN, PUDONG)
    _sync(policies, BASELINE_DAY)
    report = _sync(without_clause(policies, OPEN), CHANGE_DAY)
    assert report.removed == [OPEN]
    changes, items = _push(CHANGE_DAY)
    assert [(c.clause_id, c.change) for c in changes] == [(OPEN, "removed")]
    assert [(i.enterprise, i.direction, i.before, i.after, i.reasons) for i in items] == [
        ("金山某芯片设计有限公司", "lost", "eligible", None, ["该条款已从政策库中删除"])
    ]
    shown = items[0].as_dict()
    labels = (shown["change"], shown["direction"], shown["before"], shown["after"])
    assert labels == ("删除", "不再符合", "可关注", "无")  # OPEN asks only the district: never 可申请
    assert (shown["change_code"], shown["before_code"], shown["after_code"]) == ("removed", "eligible", None)
    # put back later: added again, eligible again
    assert _sync(policies, LATER).added == [OPEN]
    _, items = _push(LATER, as_of=LATER)
    assert [(i.enterprise, i.change, i.direction) for i in items] == [("金山某芯片设计有限公司", "added", "gained")]


def test_an_enterprise_s_losses_are_listed_before_its_gains(policies):
    later = "js-yingshang-2022/c2.s3.g9.p1"  # 金山: eligible; its id sorts after RELAXED's
    assert later > RELAXED and _verdict(policies, later, JINSHAN).status == "eligible"
    biotech_only = Condition(field="industry", op="in", value=["生物医药"], quote="生物医药企业")
    both = replace_clause(replace_clause(policies, later, eligibility=[biotech_only]), RELAXED, eligibility=[])
    _register(JINSHAN)
    _sync(policies, BASELINE_DAY)
    _sync(both, CHANGE_DAY)
    _, items = _push(CHANGE_DAY)
    assert [(i.clause_id, i.direction) for i in items] == [(later, "lost"), (RELAXED, "gained")]
    assert [i.as_dict()["direction"] for i in items] == ["不再符合", "新符合"]


def test_a_change_reverted_lists_nothing(policies):
    _register(JINSHAN)
    _sync(policies, BASELINE_DAY)
    _sync(replace_clause(policies, RELAXED, eligibility=[]), CHANGE_DAY)
    assert _sync(policies, LATER).changed == [RELAXED]
    assert _push(CHANGE_DAY, as_of=LATER) == ([], [])
    # but since the day it was reverted, the revert itself is news
    _, items = _push(LATER, as_of=LATER)
    assert [(i.clause_id, i.direction) for i in items] == [(RELAXED, "lost")]


def test_a_change_in_an_expired_document_lists_nothing(policies):
    relaxed = replace_clause(policies, EXPIRED, eligibility=[])
    in_force = day("2016-06-01")
    assert _verdict(policies, EXPIRED, XUHUI, in_force).status != "eligible"
    assert _verdict(relaxed, EXPIRED, XUHUI, in_force).status == "eligible"
    _register(XUHUI)
    _sync(policies, BASELINE_DAY)
    _sync(relaxed, CHANGE_DAY)
    changes, items = _push(CHANGE_DAY)
    assert [c.clause_id for c in changes] == [EXPIRED] and items == []
    # while the document was in force the same change would have mattered
    _, items = _push(CHANGE_DAY, as_of=in_force)
    assert [(i.enterprise, i.direction) for i in items] == [("徐汇某软件有限公司", "gained")]


def test_a_document_ending_lists_who_loses_its_measures(policies):
    _, js = clause_in(policies, OPEN)
    ended = [
        p.model_copy(update={"document": p.document.model_copy(update={"valid_to": day("2026-06-05")})})
        if p is js
        else p
        for p in policies
    ]
    _register(JINSHAN)
    _sync(policies, BASELINE_DAY)
    report = _sync(ended, CHANGE_DAY)
    assert set(report.changed) == {c.id for c in js.clauses}
    _, items = _push(CHANGE_DAY)
    assert items and all(i.direction == "lost" and i.after is None and "不在有效期内" in i.reasons[0] for i in items)
    assert OPEN in {i.clause_id for i in items}


def test_a_new_document_lists_the_enterprises_it_concerns(policies):
    _register(JINSHAN, PUDONG)
    _sync(without_document(policies, "js-yingshang-2022"), BASELINE_DAY)
    report = _sync(policies, CHANGE_DAY)
    _, js = clause_in(policies, OPEN)
    assert set(report.added) == {c.id for c in js.clauses}
    changes, items = _push(CHANGE_DAY)
    assert {c.change for c in changes} == {"added"}
    assert {i.enterprise for i in items} == {"金山某芯片设计有限公司"}
    expected = {
        c.id for c in js.clauses if c.kind == "measure" and _verdict(policies, c.id, JINSHAN).status == "eligible"
    }
    assert {i.clause_id for i in items} == expected and OPEN in expected
    assert all(i.direction == "gained" and i.before is None and i.after == "eligible" and i.reasons for i in items)


def test_audience_lists_eligible_before_partial(policies):
    clause, policy = clause_in(policies, RELAXED)
    small = profile("B金山小型软件有限公司", industry="软件和信息服务", employees=30, revenue=800)
    unknown = profile("A金山芯片有限公司", industry="集成电路")  # size unknown: 需补充条件
    _register(small, unknown, PUDONG)
    assert _verdict(policies, RELAXED, small).status == "eligible"
    with db.transaction() as s:
        found = push.audience(s, clause, policy.document, CHANGE_DAY, admin())
        shown = [(a.enterprise.name, a.verdict.status) for a in found]
    assert shown == [("B金山小型软件有限公司", "eligible"), ("A金山芯片有限公司", "partial")]


def _varied_population(n: int = 90) -> list[tuple[dict, str | None]]:
    """Profiles of many districts, industries, sizes and titles (many alike in what a rule tests), some
    with founding and 高企 dates, a zero revenue, a park; each with its 专员 or none."""
    from benchmarks.synthetic import synthetic_profiles

    people = synthetic_profiles(n, seed=11)
    for k, p in enumerate(people):
        if k % 5 == 0:
            p["founded"] = f"{2005 + k % 19}-0{1 + k % 9}-15"
        if k % 7 == 0:
            p["qualifications"] = ["高新技术企业"]
            p["qualification_dates"] = {"高新技术企业": f"{2019 + k % 7}-06-01"} if k % 2 else {}
        if k % 11 == 0:
            p.update(revenue=0.0, rd_expense=12.5, employees=30)
        if k % 13 == 0:
            p.update(region="金山区", park="碳谷绿湾", industry="集成电路")
    return [(p, ["王专员", "李专员", None][k % 3]) for k, p in enumerate(people)]


def _reference_push(s, since, as_of, by):
    """The push list the reference way: every enterprise's profile read and validated anew, every clause
    version judged by ``verdict.evaluate``, one enterprise and one change at a time."""
    changes = push.changes_since(s, since)
    items = []
    for e in enterprises.listing(s, by):
        facts = Facts(parse_profile(e.profile), as_of)
        for c in changes:
            old, new = c.before.verdict(facts, as_of), c.after.verdict(facts, as_of)
            was, now = (v is not None and v.status == "eligible" for v in (old, new))
            if was == now:
                continue
            shown = c.shown
            items.append(
                push.PushItem(
                    enterprise=e.name,
                    counsellor=e.counsellor,
                    clause_id=c.clause_id,
                    title=shown.clause.heading,
                    policy=shown.document.short_title,
                    change=c.change,
                    changed_on=c.changed_on,
                    direction="gained" if now else "lost",
                    before=None if old is None else old.status.value,
                    after=None if new is None else new.status.value,
                    reasons=list(new.reasons) if now else push._why_not(c, new, as_of),
                    before_specific=c.before.asks(),
                    after_specific=c.after.asks(),
                    reviewed=c.after.clause is None or c.after.clause.curated,
                )
            )
    order = {"lost": 0, "gained": 1}
    return changes, sorted(items, key=lambda i: (i.enterprise, order[i.direction], i.changed_on, i.clause_id))


def test_push_lists_are_the_reference_over_a_varied_population(policies, monkeypatch):
    """The push list (columns read, statuses vectorised, reasons remembered, CHUNK enterprises at a time)
    is, line for line, the one ``verdict.evaluate`` gives enterprise by enterprise: for a new document, a
    relaxed, a tightened, a numeric and a removed rule, a document ending; for each role's enterprises."""
    monkeypatch.setattr(push, "CHUNK", 7)  # many chunks: rules compiled and verdicts remembered across them
    people = _varied_population()
    with db.transaction() as s:
        for p, who in people:
            enterprises.add(s, p, by=admin("alice"), counsellor=who)
    numeric = [
        Condition(field="employees", op="gte", value=100, quote="职工100人以上", otherwise="unknown"),
        Condition(field="rd_ratio", op="gte", value=0.03, quote="研发投入占比3%以上", otherwise="unknown"),
    ]
    biotech_only = Condition(field="industry", op="in", value=["生物医药"], quote="生物医药企业")
    changed = replace_clause(policies, RELAXED, eligibility=[])
    changed = replace_clause(changed, OPEN, eligibility=[biotech_only])
    changed = replace_clause(changed, "js-yingshang-2022/c2.s3.g9.p1", eligibility=numeric)
    changed = without_clause(changed, "js-yingshang-2022/c2.s1.g2.p1")
    changed = [  # 高企 measures end before one of the dates judged
        p.model_copy(update={"document": p.document.model_copy(update={"valid_to": day("2024-06-01")})})
        if p.document.policy_id == "pd-hnte-2023"
        else p
        for p in changed
    ]
    _sync(without_document(policies, "zj-opinions-2023"), BASELINE_DAY)
    _sync(changed, CHANGE_DAY)
    lines = 0
    for by in (admin(), counsellor("王专员")):
        for as_of in (CHANGE_DAY, day("2024-06-30")):
            with db.transaction() as s:
                fast = push.push_list(s, CHANGE_DAY, as_of, by)
                assert fast == _reference_push(s, CHANGE_DAY, as_of, by), (by.role, as_of)
            lines += len(fast[1])
            directions = {(i.change, i.direction) for i in fast[1]}
            assert {("added", "gained"), ("changed", "gained"), ("changed", "lost"), ("removed", "lost")} <= directions
    assert lines > 300  # enough lines, many alike, for the remembered reasons to be served from memory


def test_audiences_are_the_reference_over_a_varied_population(policies):
    """Every measure of two documents at once (``push.audiences``, as the library page asks): for each, the
    enterprises and verdicts (reasons, gaps) ``verdict.evaluate`` gives enterprise by enterprise, in order."""
    people = _varied_population()
    with db.transaction() as s:
        for p, who in people:
            enterprises.add(s, p, by=admin("alice"), counsellor=who)
    order = {"eligible": 0, "partial": 1}
    found_any = 0
    for policy_id in ("js-yingshang-2022", "pd-hnte-2023"):
        policy = next(p for p in policies if p.document.policy_id == policy_id)
        measures = [c for c in policy.clauses if c.kind == "measure"]
        for by in (admin(), counsellor("李专员")):
            with db.transaction() as s:
                fast = push.audiences(s, measures, policy.document, CHANGE_DAY, by)
                assert fast[0] == push.audience(s, measures[0], policy.document, CHANGE_DAY, by)
                listed = [(e, Facts(parse_profile(e.profile), CHANGE_DAY)) for e in enterprises.listing(s, by)]
            for clause, found in zip(measures, fast, strict=True):
                verdicts = [(e, judge(clause, policy.document, facts)) for e, facts in listed]
                concerned = [(e, v) for e, v in verdicts if v.status in order]
                concerned.sort(key=lambda ev: (order[ev[1].status], len(ev[1].gaps), ev[0].name))
                expected = [(e.name, e.counsellor, v) for e, v in concerned]
                assert [(a.enterprise.name, a.enterprise.counsellor, a.verdict) for a in found] == expected, clause.id
                found_any += len(found)
    assert found_any > 200


def test_a_district_measure_reads_only_the_enterprises_registered_there(policies, monkeypatch):
    """谁该知道 for a measure of 金山区's document reads the profiles of 金山区's enterprises only (the database
    narrows by the stored 注册地: 10,000 profiles were read and judged for a few hundred); a measure that no
    district bounds (a clause naming its own park, softly) still reads everyone, and the audience is the same
    as judging every enterprise (``test_audiences_are_the_reference_over_a_varied_population``)."""
    people = [("金山甲有限公司", "金山区"), ("金山乙有限公司", "金山区"), ("徐汇丙有限公司", "徐汇区")]
    people += [("外地丁有限公司", "上海市外")]
    _register(*(profile(name, region=region, industry="集成电路") for name, region in people))
    jinshan = next(p for p in policies if p.document.policy_id == "js-yingshang-2022")
    measure = next(c for c in jinshan.clauses if c.kind == "measure")
    assert push.area_regions([measure], jinshan.document) == {"金山区"}
    read = []
    original = enterprises.Registered.profile
    monkeypatch.setattr(enterprises.Registered, "profile", lambda self: read.append(self.name) or original(self))
    with db.transaction() as s:
        found = push.audience(s, measure, jinshan.document, CHANGE_DAY, admin())
    assert sorted(read) == ["金山乙有限公司", "金山甲有限公司"]
    assert {a.enterprise.name for a in found} <= set(read)
    # a record whose stored 注册地 is not a district's name as written (edited outside the product) is read: it
    # reads as 金山区 (a break-it trial: "上海市金山区" and " 金山区" were left out of every 金山 list)
    with db.transaction() as s:
        record = s.scalar(select(Enterprise).where(Enterprise.name == "外地丁有限公司"))
        s.execute(
            update(Enterprise)
            .where(Enterprise.id == record.id)
            .values(profile={**record.profile, "region": " 上海市金山区"})
        )
    read.clear()
    with db.transaction() as s:
        again = push.audience(s, measure, jinshan.document, CHANGE_DAY, admin())
    assert sorted(read) == ["外地丁有限公司", "金山乙有限公司", "金山甲有限公司"]
    assert {a.enterprise.name for a in again} == {a.enterprise.name for a in found} | {"外地丁有限公司"}
    park = Condition(field="park", op="contains_any", value=["碳谷绿湾"], otherwise="unknown", quote="碳谷绿湾")
    own_park = measure.model_copy(update={"eligibility": [park]})
    assert push.area_regions([own_park], jinshan.document) is None
    assert push.area_regions([measure, own_park], jinshan.document) is None
    read.clear()
    with db.transaction() as s:
        push.audience(s, own_park, jinshan.document, CHANGE_DAY, admin())
    assert len(read) == len(people)


def test_a_push_list_tells_its_progress_and_leaves_the_cycle_collector_as_it_was(policies, monkeypatch):
    monkeypatch.setattr(push, "CHUNK", 2)
    _register(*(profile(f"金山{k}号有限公司", industry="集成电路") for k in range(5)))
    _sync(without_document(policies, "js-yingshang-2022"), BASELINE_DAY)
    _sync(policies, CHANGE_DAY)
    told = []
    with db.transaction() as s:
        _, items = push.push_list(s, CHANGE_DAY, CHANGE_DAY, admin(), progress=lambda *a: told.append(a))
    assert told == [(2, 5), (4, 5), (5, 5)] and len({i.enterprise for i in items}) == 5
    assert gc.isenabled()
    gc.disable()
    try:
        with db.transaction() as s:
            push.push_list(s, CHANGE_DAY, CHANGE_DAY, admin())
        assert not gc.isenabled()  # off before, off after
    finally:
        gc.enable()
    with pytest.raises(ZeroDivisionError), push.cycle_collection_paused():
        assert not gc.isenabled()
        _ = 1 / 0
    assert gc.isenabled()


def test_the_registry_uses_the_configured_backend(registry_url):
    """Guard: the suite really runs where DATABASE_URL says (SQLite by default, PostgreSQL in CI)."""
    engine = db.engine()
    assert engine.dialect.name == backend(registry_url)
    assert set(POOL_STAGES) == {"储备", "培育", "提升"}
    with engine.connect() as c:
        if engine.dialect.name == "sqlite":
            assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        else:
            assert c.execute(text("SELECT current_schema()")).scalar().startswith("t_")


def test_a_push_line_of_a_measure_asking_only_where_the_enterprise_is_reads_as_a_lead():
    """Such a measure is never 可申请 (``status.display_state``); its push lines said 可申请 all the same."""
    assert push.status_text("eligible", specific=False) == "可关注"
    assert push.status_text("eligible", specific=True) == "可申请"
    assert push.status_text("partial", specific=False) == "需补充条件"  # what is open is said as it is
    assert push.status_text(None, specific=False) == "无"
