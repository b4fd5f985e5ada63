"""What a killed process leaves (``leftovers``), the Chinese reasons of OS errors (``os_reasons``), and where a
batch's write error is said to be (``services.batch``)."""

from __future__ import annotations

import datetime as dt
import errno
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from recommender.leftovers import owned_tag, remove_stale
from recommender.os_reasons import os_reason
from recommender.services import batch
from recommender.sheets import SCRATCH, RosterWorkbook


def _dead_pid() -> int:
    """The id of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_only_what_ended_processes_left_is_removed(tmp_path):
    dead, alive = _dead_pid(), os.getpid()
    (tmp_path / f".汇总.xlsx.{dead}-0a1b2c3d.part").write_bytes(b"half")
    (tmp_path / f".汇总.xlsx.{alive}-0a1b2c3d.part").write_bytes(b"being written")
    (tmp_path / f"{SCRATCH}{dead}-ab_9cdef").mkdir()
    (tmp_path / f"{SCRATCH}{dead}-ab_9cdef" / "sheet1.xml").write_text("<row/>")
    (tmp_path / ".汇总.xlsx.0a1b2c3d.part").write_bytes(b"no process id: not ours to judge")
    (tmp_path / "汇总.xlsx").write_bytes(b"the finished file")
    removed = remove_stale(tmp_path, ".汇总.xlsx.", ".part") + remove_stale(tmp_path, SCRATCH)
    assert sorted(p.name for p in removed) == sorted([f".汇总.xlsx.{dead}-0a1b2c3d.part", f"{SCRATCH}{dead}-ab_9cdef"])
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted([f".汇总.xlsx.{alive}-0a1b2c3d.part", ".汇总.xlsx.0a1b2c3d.part", "汇总.xlsx"])
    assert owned_tag().startswith(f"{os.getpid()}-")


def test_a_new_workbook_removes_the_temporary_files_of_a_killed_one(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)  # read TMPDIR again
    stale = tmp_path / f"{SCRATCH}{_dead_pid()}-abcdefgh"
    stale.mkdir()
    with RosterWorkbook(dt.date(2025, 1, 1)) as book:
        assert not stale.exists() and book.scratch.parent == tmp_path
    assert not list(tmp_path.iterdir())


@pytest.fixture
def temp_folder(tmp_path, monkeypatch) -> Path:
    """The system's temp folder (TMPDIR) is ``tmp_path`` for this test."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)  # read TMPDIR again
    return tmp_path


def test_the_roster_page_removes_what_a_killed_server_left_and_keeps_what_a_running_one_has(temp_folder):
    from webapp.ui.roster_view import TEMPORARY, _temporary

    dead = _dead_pid()
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) as other_server:
        stale = [temp_folder / f"{TEMPORARY}{dead}-ab_9cdef{kind}" for kind in (".xlsx", ".zip")]
        running = temp_folder / f"{TEMPORARY}{other_server.pid}-abcdefgh.zip"
        unowned = temp_folder / f"{TEMPORARY}abcdefgh.xlsx"  # no process id: not ours to judge
        for path in (*stale, running, unowned):
            path.write_bytes(b"PK")
        made = _temporary(".xlsx")
        other_server.kill()
    assert made.name.startswith(f"{TEMPORARY}{os.getpid()}-") and made.suffix == ".xlsx" and made.parent == temp_folder
    assert sorted(temp_folder.iterdir()) == sorted([made, running, unowned])


def test_what_a_sigkilled_page_left_the_next_one_removes(temp_folder):
    """A real SIGKILL: no finalizer runs, the file stays until a page of another process makes its own."""
    code = (
        "import os, signal\n"
        "from webapp.ui.roster_view import _temporary\n"
        "print(_temporary('.zip'), flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parents[1])
    left = Path(run.stdout.strip())
    assert run.returncode == -signal.SIGKILL and left.exists() and left.parent == temp_folder
    from webapp.ui.roster_view import _temporary

    made = _temporary(".zip")
    assert list(temp_folder.iterdir()) == [made] and not left.exists()


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (errno.ENOSPC, "磁盘空间不足"),
        (errno.EACCES, "没有权限"),
        (errno.EROFS, "所在磁盘只读"),
        (errno.ELOOP, "系统错误 ELOOP"),  # not listed: its code name
    ],
)
def test_os_errors_are_given_in_chinese(code, reason):
    assert os_reason(OSError(code, os.strerror(code))) == reason


def test_a_write_error_names_the_file_asked_for_or_the_temp_folder(tmp_path):
    scratch = tmp_path / "tmp" / f"{SCRATCH}1-abcdefgh"
    scratch.mkdir(parents=True)
    out = tmp_path / "汇总.xlsx"

    def raised(output: Path | None, exc: OSError) -> str:
        with pytest.raises(OSError) as info, batch._named(output, scratch):
            raise exc
        assert info.value.errno == exc.errno
        return info.value.filename

    full, temp = errno.ENOSPC, f"临时文件夹 {scratch.parent}（TMPDIR）"
    assert raised(out, OSError(full, "No space", str(tmp_path / ".汇总.xlsx.1-0a1b2c3d.part"))) == str(out)
    assert raised(out, OSError(full, "No space", str(scratch / "sheet1.xml"))) == temp
    assert raised(None, OSError(full, "No space")) == temp
    assert raised(out, OSError(full, "No space")) == str(out)  # an open file's write, both on one disk


def test_a_zip_cut_off_midway_is_discarded_quietly(tmp_path):
    """An error while a sheet is being written (Ctrl-C, a full disk) leaves ZipFile with an open entry: leaving
    the block raises that error alone, and nothing is printed later by ZipFile.__del__."""
    target = tmp_path / "s.zip"
    code = f"""
import sys
from recommender.sheets import SheetsZip
try:
    with SheetsZip({str(target)!r}) as archive:
        entry = archive._archive.open("1.docx", "w")
        entry.write(b"half a sheet")
        raise KeyboardInterrupt
except KeyboardInterrupt:
    print("interrupted")
"""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parents[1])
    assert run.stdout.strip() == "interrupted" and run.stderr == ""
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(target)
