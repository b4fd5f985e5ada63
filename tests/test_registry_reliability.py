"""The registry's reliability promises, each proved on SQLite and on PostgreSQL:

- concurrent edits from two pages do not lose a write (optimistic versioning, a clear conflict message);
- an import of 10k enterprises is one transaction (all or nothing, the bad rows listed);
- the database survives a killed process (WAL on SQLite).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import selectors
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from actors import admin
from registry_helpers import backend, big_roster, committed_counts, observer, profile, sqlite_path
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from recommender.paths import ROOT
from recommender.profile import parse_profile
from recommender.registry import consultations, db, enterprises, importer
from recommender.registry.consultations import Discussed
from recommender.registry.enterprises import ConflictError, RegistryError
from recommender.registry.importer import ImportRefused
from recommender.registry.models import ConsultationMeasure, Enterprise, Revision
from recommender.roster import BadRow, GoodRow, Roster, parse_rows

WORKER = Path(__file__).with_name("registry_worker.py")
TIMEOUT = 60  # seconds a test waits for a signal from another thread or process before failing
VISIT = dt.date(2026, 11, 20)


# --- concurrent edits ----------------------------------------------------------------------------------


def _add(name: str = "上海甲芯微电子有限公司", by: str = "alice") -> int:
    with db.transaction() as s:
        return enterprises.add(s, profile(name), by=admin(by)).id


def test_a_save_from_a_stale_page_is_refused_and_the_first_write_kept():
    eid = _add()
    with db.transaction() as s:  # page A opens the record
        opened_a = enterprises.get(s, eid, admin()).version
    with db.transaction() as s:  # page B opens it too
        opened_b = enterprises.get(s, eid, admin()).version
    assert opened_a == opened_b == 1
    with db.transaction() as s:
        enterprises.update(
            s, eid, opened_a, by=admin("王专员"), profile=profile("上海甲芯微电子有限公司", employees=80)
        )
    with pytest.raises(ConflictError) as conflict, db.transaction() as s:
        enterprises.update(s, eid, opened_b, by=admin("李专员"), stage="提升", counsellor="李专员")
    message = str(conflict.value)
    assert "王专员" in message and "第 1 版" in message and "第 2 版" in message
    assert "没有保存" in message and "上海甲芯微电子有限公司" in message
    with db.transaction() as s:
        e = enterprises.get(s, eid, admin())
        assert (e.version, e.updated_by, e.pool_stage, e.counsellor) == (2, "王专员", "储备", None)
        assert e.profile["employees"] == 80
        assert [r.changed_by for r, _ in enterprises.history(s, eid, admin())] == ["王专员", "alice"]


class Rendezvous:
    """Called by each racer after it has read the record and before it writes.

    PostgreSQL: both racers wait here for each other, so both have read the same version before
    either writes. SQLite: the other racer cannot have read anything yet, because this transaction
    took the write lock at BEGIN IMMEDIATE; proved on the spot with a probe that may not wait.
    """

    def __init__(self, url: str) -> None:
        self.sqlite = backend(url) == "sqlite"
        self.path = sqlite_path(url)
        self.barrier = threading.Barrier(2, timeout=TIMEOUT)
        self.visits: list[str] = []

    def __call__(self) -> None:
        if not self.sqlite:
            self.barrier.wait()
            self.visits.append("both read")
            return
        probe = sqlite3.connect(self.path, timeout=0)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.rollback()
            self.visits.append("unlocked")
        except sqlite3.OperationalError as exc:
            self.visits.append("locked" if "locked" in str(exc) else str(exc))
        finally:
            probe.close()

    def check(self) -> None:
        if self.sqlite:
            assert self.visits == ["locked"], "on SQLite the loser must not get between reading and writing"
        else:
            assert self.visits == ["both read", "both read"]


def _race(*actions: Callable[[Session], object]) -> list[tuple[str, object]]:
    """Run each action in its own thread and its own transaction, all starting together.

    The database is opened first: racing to open (and migrate) it is another test, in a worker."""
    db.engine()
    start = threading.Barrier(len(actions), timeout=TIMEOUT)
    results: list[tuple[str, object]] = [("not run", None)] * len(actions)

    def run(i: int, action: Callable[[Session], object]) -> None:
        start.wait()
        try:
            with db.transaction() as s:
                results[i] = ("saved", action(s))
        except Exception as exc:  # the test looks at what each racer got
            results[i] = ("refused", exc)

    threads = [threading.Thread(target=run, args=(i, a), daemon=True) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
        assert not t.is_alive(), "a racer hung"
    return results


def _one_winner(results: list[tuple[str, object]], refusal: type[Exception]) -> tuple[int, Exception]:
    outcomes = [kind for kind, _ in results]
    assert sorted(outcomes) == ["refused", "saved"], results
    loser = results[outcomes.index("refused")][1]
    assert type(loser) is refusal, repr(loser)
    return outcomes.index("saved"), loser


def test_two_pages_saving_the_same_version_at_once_one_wins_the_other_is_told(registry_url, monkeypatch):
    eid = _add()
    meet = Rendezvous(registry_url)
    real = enterprises.check_stage
    monkeypatch.setattr(enterprises, "check_stage", lambda stage: (meet(), real(stage))[1])
    names = ["王专员", "李专员"]
    results = _race(
        lambda s: enterprises.update(s, eid, 1, by=admin(names[0]), stage="培育").version,
        lambda s: enterprises.update(s, eid, 1, by=admin(names[1]), stage="提升").version,
    )
    winner, conflict = _one_winner(results, ConflictError)
    meet.check()
    assert results[winner][1] == 2
    message = str(conflict)
    assert f"已被 {names[winner]} 于" in message and "第 1 版" in message and "第 2 版" in message
    with db.transaction() as s:
        e = enterprises.get(s, eid, admin())
        assert (e.version, e.updated_by, e.pool_stage) == (2, names[winner], ["培育", "提升"][winner])
        assert [r.version for r, _ in enterprises.history(s, eid, admin())] == [2, 1]


def test_racing_saves_never_both_succeed():
    """No stage managed: threads started together, many times over; every round exactly one save."""
    eid = _add()
    for version in range(1, 11):
        stage = ["培育", "提升"][version % 2]
        results = _race(
            lambda s, v=version, st=stage: (
                enterprises.update(s, eid, v, by=admin("甲"), stage=st, counsellor="甲").version
            ),
            lambda s, v=version, st=stage: (
                enterprises.update(s, eid, v, by=admin("乙"), stage=st, counsellor="乙").version
            ),
        )
        winner, _ = _one_winner(results, ConflictError)
        assert results[winner][1] == version + 1
    with db.transaction() as s:
        assert enterprises.get(s, eid, admin()).version == 11
        assert len(enterprises.history(s, eid, admin())) == 11


def test_two_pages_adding_the_same_enterprise_at_once_get_one_record(registry_url, monkeypatch):
    meet = Rendezvous(registry_url)
    real = enterprises.check_stage
    monkeypatch.setattr(enterprises, "check_stage", lambda stage: (meet(), real(stage))[1])
    results = _race(
        lambda s: enterprises.add(s, profile("上海甲芯微电子有限公司"), by=admin("王专员")).id,
        lambda s: enterprises.add(s, profile("上海甲芯微电子有限公司", employees=9), by=admin("李专员")).id,
    )
    _, refused = _one_winner(results, RegistryError)  # a refusal in Chinese, not a database error
    assert "档案库中已有“上海甲芯微电子有限公司”" in str(refused)
    meet.check()
    with db.transaction() as s:
        assert enterprises.count(s, admin()) == 1


def test_two_counsellors_moving_one_follow_up_at_once(registry_url, monkeypatch):
    eid = _add()
    measure = Discussed("js-yingshang-2022/c2.s1.g1.p1", "首次落户奖励", "eligible")
    with db.transaction() as s:
        visit = consultations.record(
            s, eid, VISIT, counsellor="王专员", measures=[measure], as_of=VISIT, by=admin("王专员")
        )
        mid = visit.measures[0].id
    meet = Rendezvous(registry_url)
    real = consultations.now
    monkeypatch.setattr(consultations, "now", lambda: (meet(), real())[1])
    results = _race(
        lambda s: consultations.set_follow_up(s, mid, 1, "已申报", by=admin("王专员")).follow_up,
        lambda s: consultations.set_follow_up(s, mid, 1, "未获批", by=admin("李专员"), reason="材料逾期").follow_up,
    )
    winner, conflict = _one_winner(results, ConflictError)
    meet.check()
    state, who = [("已申报", "王专员"), ("未获批", "李专员")][winner]
    assert f"已被 {who} 于" in str(conflict) and f"改为“{state}”" in str(conflict)
    with db.transaction() as s:
        m = s.get(ConsultationMeasure, mid)
        assert (m.follow_up, m.updated_by, m.version) == (state, who, 2)


def test_a_page_saving_while_a_roster_import_runs_loses_no_write(registry_url, monkeypatch):
    """The page saves between the import's read of a known enterprise and its write.

    PostgreSQL: the page's save commits in between, so the import finds its copy stale and is refused
    whole (nothing of the roster written). SQLite: the page cannot get in (the import holds the write
    lock), so it saves after the import and is refused, its version being stale. Either way one
    write is refused with a conflict and the other is intact."""
    eid = _add("上海甲芯微电子有限公司")
    roster = Roster(
        rows=[
            GoodRow(2, parse_profile(profile("上海甲芯微电子有限公司", employees=120))),
            GoodRow(3, parse_profile(profile("新入库企业"))),
        ]
    )
    sqlite = backend(registry_url) == "sqlite"
    page: list[object] = []

    def page_save() -> None:
        try:
            with db.transaction() as s:
                page.append(enterprises.update(s, eid, 1, by=admin("王专员"), stage="提升").version)
        except Exception as exc:
            page.append(exc)

    meet = Rendezvous(registry_url)
    real = importer._matched

    def matched_then_page_saves(session, rows, by, renames=False):
        found = real(session, rows, by, renames)
        if sqlite:
            meet()  # proves the page cannot save now
        else:
            saver = threading.Thread(target=page_save, daemon=True)
            saver.start()
            saver.join(TIMEOUT)
        return found

    monkeypatch.setattr(importer, "_matched", matched_then_page_saves)
    try:
        with db.transaction() as s:
            imported = importer.import_roster(s, roster, by=admin("导入员"), source="roster.csv")
    except ConflictError as exc:
        imported = exc
    if sqlite:
        assert meet.visits == ["locked"] and not page
        page_save()
        assert imported.updated == ["上海甲芯微电子有限公司"] and isinstance(page[0], ConflictError)
        assert "导入员" in str(page[0]) and "第 2 版" in str(page[0])
        expected = ("导入员", 120, "储备", 2)
    else:
        assert page == [2] and isinstance(imported, ConflictError), (page, imported)
        assert "未导入任何企业" in str(imported)
        expected = ("王专员", None, "提升", 1)
    with db.transaction() as s:
        e = enterprises.get(s, eid, admin())
        assert (e.updated_by, e.profile.get("employees"), e.pool_stage, enterprises.count(s, admin())) == expected


def test_pages_opening_a_fresh_database_at_once_share_one_migrated_engine():
    worker = _start("open-in-threads")
    try:
        out, err = worker.communicate(timeout=TIMEOUT)
    finally:
        worker.kill()
        worker.wait()
    assert worker.returncode == 0, err
    lines = out.splitlines()
    assert len(lines) == 4 and all(line.startswith("engine ") for line in lines), out
    assert len(set(lines)) == 1, "every page session must get the one engine"
    assert _add() > 0


def test_processes_opening_a_fresh_database_at_once_all_succeed():
    workers = [_start("open", stdin=subprocess.PIPE) for _ in range(3)]
    try:
        for w in workers:
            assert _line(w) == "READY"
        for w in workers:  # all released together
            w.stdin.write("go\n")
            w.stdin.flush()
        for w in workers:
            assert _line(w) == "OPENED", w.stderr.read()
            assert w.wait(TIMEOUT) == 0
    finally:
        for w in workers:
            w.kill()
            w.wait()
    assert _add() > 0


# --- a 10k import is one transaction -----------------------------------------------------------------

N = 10_000


@pytest.fixture(scope="module")
def roster10k() -> Roster:
    return big_roster(N)


def _copy(roster: Roster, extra: list[GoodRow] = (), bad: list[BadRow] = ()) -> Roster:
    return Roster(rows=[*roster.rows, *extra], bad=[*roster.bad, *bad])


def test_10k_enterprises_import_in_one_transaction(registry_url, roster10k, monkeypatch):
    db.engine()  # migrated before the clock starts
    seen_midway: list[tuple[int, int]] = []
    calls = 0

    def revision(*args):  # halfway through (the enterprises inserted), what does another connection see?
        nonlocal calls
        calls += 1
        if calls == N // 2:
            seen_midway.append(committed_counts(registry_url))
        return real_revision_row(*args)

    real_revision_row = importer.revision_row
    monkeypatch.setattr(importer, "revision_row", revision)
    start = time.perf_counter()
    with db.transaction() as s:
        report = importer.import_roster(s, roster10k, by=admin("导入员"), source="roster.csv", counsellor="王专员")
    seconds = time.perf_counter() - start
    print(f"\n10k import on {backend(registry_url)}: {seconds:.2f} s")
    assert seen_midway == [(0, 0)]
    assert len(report.added) == N and not report.updated and not report.bad
    assert report.summary() == f"新增 {N} 家，更新 0 家，未变 0 家"
    assert committed_counts(registry_url) == (N, N)
    with db.transaction() as s:  # every revision belongs to its own enterprise and names its row
        pairs = s.execute(select(Enterprise.name, Revision.source, Revision.profile).join(Revision)).all()
        assert len(pairs) == N
        for name, where, saved in pairs:
            assert saved["name"] == name and where == f"roster.csv 第 {int(name[4:9]) + 2} 行"
        e = enterprises.find(s, "批量企业00041有限公司")
        (rev,) = e.revisions
        assert (e.version, e.counsellor, e.pool_stage, e.updated_by) == (1, "王专员", "储备", "导入员")
        assert (rev.source, rev.changed_by, rev.version) == ("roster.csv 第 43 行", "导入员", 1)
    # the same roster again changes nothing
    with db.transaction() as s:
        again = importer.import_roster(s, roster10k, by=admin("导入员"), source="roster.csv")
    assert len(again.unchanged) == N and not again.added and not again.updated
    assert committed_counts(registry_url) == (N, N)


def test_a_fault_at_the_9999th_enterprise_leaves_nothing_written(registry_url, roster10k, monkeypatch):
    known = roster10k.rows[5].profile.name
    with db.transaction() as s:
        enterprises.add(s, {"name": known, "region": "金山区"}, by=admin("alice"), counsellor="王专员")
    calls, flushed = 0, []

    def revision(*args):
        nonlocal calls
        calls += 1
        row = real_revision_row(*args)
        flushed.append(row["enterprise_id"] is not None)
        if calls == N - 1:
            row["changed_by"] = None  # NOT NULL: the database refuses this row
        return row

    real_revision_row = importer.revision_row
    monkeypatch.setattr(importer, "revision_row", revision)
    with pytest.raises(IntegrityError), db.transaction() as s:
        importer.import_roster(s, roster10k, by=admin("导入员"), source="roster.csv")
    assert calls == N and all(flushed), "the enterprises were written (unflushed) before the fault"
    assert committed_counts(registry_url) == (1, 1)
    with db.transaction() as s:
        e = enterprises.find(s, known)
        assert (e.version, e.profile, e.counsellor) == (1, {"name": known, "region": "金山区"}, "王专员")


def _bad_roster(roster10k: Roster) -> Roster:
    parsed = parse_rows(
        [
            ["企业名称", "注册地", "职工总数"],
            ["x", "浦东新区", "1"],
            ["北京某公司", "北京市", "5"],
            ["负数公司", "金山区", "-3"],
        ]
    )
    assert [b.row for b in parsed.bad] == [3, 4]
    bad = [dataclasses.replace(b, row=b.row + N) for b in parsed.bad]  # rows 10003 and 10004
    first = roster10k.rows[0]
    repeated = GoodRow(N + 5, first.profile)  # the same enterprise again further down
    too_long = GoodRow(N + 6, parse_profile({"name": "㈱" * 100, "region": "金山区"}))  # 300 as compared
    return _copy(roster10k, extra=[repeated, too_long], bad=bad)


def test_a_roster_with_bad_rows_writes_nothing_and_lists_them(registry_url, roster10k):
    roster = _bad_roster(roster10k)
    with pytest.raises(ImportRefused) as refused, db.transaction() as s:
        importer.import_roster(s, roster, by=admin("导入员"), source="roster.csv")
    assert [b.row for b in refused.value.bad] == [N + 3, N + 4, N + 5, N + 6]
    message = str(refused.value)
    assert "名单中有 4 行有问题，未导入任何企业" in message
    assert f"第 {N + 3} 行（北京某公司）：注册地：“北京市”不在可选范围内" in message  # the label, never the code
    assert f"第 {N + 5} 行（{roster10k.rows[0].profile.name}）：与第 2 行是同一家企业" in message
    assert "企业名称过长（300 字" in message
    assert committed_counts(registry_url) == (0, 0)


def test_skip_bad_imports_the_good_rows_and_reports_the_bad(registry_url, roster10k):
    roster = _bad_roster(roster10k)
    with db.transaction() as s:
        report = importer.import_roster(s, roster, by=admin("导入员"), source="roster.csv", skip_bad=True)
    assert len(report.added) == N and [b.row for b in report.bad] == [N + 3, N + 4, N + 5, N + 6]
    assert report.summary().endswith("；跳过有问题的 4 行")
    assert committed_counts(registry_url) == (N, N)


def test_reimport_updates_the_changed_keeps_the_rest_and_records_the_row():
    with db.transaction() as s:
        first = enterprises.add(s, profile("甲公司", employees=5), by=admin("alice"), counsellor="王专员", stage="提升")
        enterprises.add(s, profile("乙公司"), by=admin("alice"))
    roster = Roster(
        rows=[
            GoodRow(2, parse_profile(profile("甲公司", employees=6))),
            GoodRow(3, parse_profile(profile("乙公司"))),
            GoodRow(4, parse_profile(profile("丙公司"))),
        ]
    )
    with pytest.raises(RegistryError, match="培育库阶段"), db.transaction() as s:
        importer.import_roster(s, roster, by=admin("导入员"), source="名单.csv", stage="孵化")
    with db.transaction() as s:
        report = importer.import_roster(
            s, roster, by=admin("导入员"), source="名单.csv", counsellor="李专员", stage="培育"
        )
    assert (report.added, report.updated, report.unchanged) == (["丙公司"], ["甲公司"], ["乙公司"])
    with db.transaction() as s:
        a = enterprises.get(s, first.id, admin())
        assert (a.version, a.counsellor, a.pool_stage, a.profile["employees"]) == (2, "王专员", "提升", 6)
        latest, changes = enterprises.history(s, first.id, admin())[0]
        assert (latest.source, latest.changed_by, latest.version) == ("名单.csv 第 2 行", "导入员", 2)
        assert [(c.field, c.before, c.after) for c in changes] == [("employees", 5, 6)]
        c = enterprises.find(s, "丙公司")
        assert (c.counsellor, c.pool_stage) == ("李专员", "培育")
        assert enterprises.find(s, "乙公司").version == 1


# --- a killed process ---------------------------------------------------------------------------------


def _start(mode: str, stdin: int | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(WORKER), mode],
        cwd=ROOT,
        env=os.environ.copy(),  # DATABASE_URL: this test's database
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _line(proc: subprocess.Popen) -> str:
    """The worker's next line; fails (never hangs) if none comes within TIMEOUT seconds."""
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        if not sel.select(TIMEOUT):
            proc.kill()
            pytest.fail(f"no word from the worker in {TIMEOUT} s")
    line = proc.stdout.readline().strip()
    if not line:
        proc.wait()
        pytest.fail(f"the worker ended (exit {proc.returncode}): {proc.stderr.read()}")
    return line


def test_a_killed_process_leaves_the_committed_data_and_nothing_half_written(registry_url):
    from registry_worker import COMMITTED, ROWS, UNCOMMITTED_PREFIX

    worker = _start("import-then-wait")
    try:
        assert _line(worker) == f"READY {ROWS}"
        if backend(registry_url) == "sqlite":  # the uncommitted rows reached the file, not only memory
            wal = Path(sqlite_path(registry_url) + "-wal")
            assert wal.exists() and wal.stat().st_size > 1_000_000
        worker.send_signal(signal.SIGKILL)
        assert worker.wait(TIMEOUT) == -signal.SIGKILL
    finally:
        worker.kill()
        worker.wait()
        worker.stdout.close()
        worker.stderr.close()

    assert committed_counts(registry_url) == (1, 1)
    with db.transaction() as s:
        assert [e.name for e in enterprises.listing(s, admin())] == [COMMITTED]
        assert s.scalar(select(Enterprise).where(Enterprise.name.startswith(UNCOMMITTED_PREFIX))) is None
        enterprises.add(s, profile("之后的企业"), by=admin("alice"))  # and the database takes writes again
    assert committed_counts(registry_url) == (2, 2)
    if backend(registry_url) == "sqlite":
        with observer(registry_url) as engine, engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert c.exec_driver_sql("PRAGMA integrity_check").scalars().all() == ["ok"]
