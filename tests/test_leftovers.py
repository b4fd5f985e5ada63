"""What a killed process leaves (``leftovers``), the Chinese reasons of OS errors (``os_reasons``), and where a
batch's write error is said to be (``services.batch``)."""

from __future__ import annotations

import datetime as dt
import errno
import gc
import io
import os
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from unavailable import unavailable

from recommender.leftovers import owned_tag, remove_stale
from recommender.os_reasons import os_reason
from recommender.paths import ROOT
from recommender.services import batch
from recommender.sheets import SCRATCH, RosterWorkbook, WorkbookEntry


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


class _FullFile(io.RawIOBase):
    """A file on a disk with ``room`` bytes left: a write past it fails with ENOSPC (as does every later one)."""

    def __init__(self, room: int) -> None:
        self.room, self.data = room, bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        if len(b) > self.room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= len(b)
        self.data += bytes(b)
        return len(b)


def test_a_workbook_that_fills_the_disk_raises_once_and_nothing_is_printed_later(monkeypatch):
    """A writer that leaves its zip open when a write fails printed, once collected, "Exception ignored in:
    <function ZipFile.__del__ …>" after the error (XlsxWriter did): the error is raised once, and nothing later."""
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    with RosterWorkbook(dt.date(2025, 1, 1)) as book, pytest.raises(OSError) as info:
        book.save(_FullFile(room=3000))
    assert info.value.errno == errno.ENOSPC
    del info
    gc.collect()
    assert not unraisable, [(u.exc_value, u.object) for u in unraisable]


LISTING = "--- listing ---"  # printed before the output folder's files, in the namespace where it is mounted


def _batch_on_small_disk(
    roster: Path, folder: Path, kb: int | None, temp: Path | None = None
) -> tuple[int, str, list[str]]:
    """``batch roster -o folder/汇总.xlsx`` with ``folder`` a file system of ``kb`` KB (a tmpfs in a mount
    namespace of its own; None: the disk as it is), or, given ``temp``, with TMPDIR there and ``temp`` the small
    file system: the return code, stderr and the files left in ``folder``."""
    if not shutil.which("unshare"):
        unavailable("unshare is missing", "util-linux has it")
    small = temp or folder
    mount = f"mount -t tmpfs -o size={kb}k tmpfs {small} && " if kb is not None else ""
    env = f"TMPDIR={temp} " if temp is not None else ""
    out = folder / "汇总.xlsx"
    batch = f"cd {ROOT} && {env}{sys.executable} -m recommender batch {roster} -o {out} --as-of 2025-06-30"
    script = f"{mount}{batch}; code=$?; echo {LISTING}; ls -A {folder} {temp or ''}; exit $code"
    run = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=300)
    if "mount:" in run.stderr:
        unavailable(f"a small file system cannot be mounted here: {run.stderr.strip()}", "run as root")
    return run.returncode, run.stderr, [f for f in run.stdout.split(LISTING, 1)[1].split() if not f.endswith(":")]


@pytest.fixture(scope="module")
def _whole_workbook(tmp_path_factory) -> tuple[Path, int]:
    """A roster of 40 enterprises (a workbook of ~250 KB: a disk full midway makes the writer print a line of its
    own) and the size of its workbook when the disk has room."""
    from benchmarks.synthetic import write_roster

    folder = tmp_path_factory.mktemp("whole")
    roster = write_roster(folder / "名单.csv", 40)
    code, _, files = _batch_on_small_disk(roster, folder, None)
    assert code == 0 and "汇总.xlsx" in files
    return roster, (folder / "汇总.xlsx").stat().st_size


@pytest.mark.parametrize("short", [0.3, 0.0], ids=["midway", "last-page"])
def test_a_batch_whose_output_disk_is_full_says_one_line_and_nothing_after(tmp_path, _whole_workbook, short):
    """The one error line, and nothing after it or before it (the writer's zip prints a line of its own when a
    write fails; a writer of before printed "Exception ignored in: <function ZipFile.__del__ …>" and a
    traceback after it): when the disk fills midway (a third of the workbook short) and on its last page (the
    disk a whole number of 4 KB pages, the workbook a little more)."""
    roster, whole = _whole_workbook
    folder = tmp_path / "out"
    folder.mkdir()
    kb = int(whole * (1 - short)) // 4096 * 4
    code, stderr, files = _batch_on_small_disk(roster, folder, kb)
    assert code == 2 and stderr == f"错误：{folder / '汇总.xlsx'}: 无法写入（磁盘空间不足）\n", stderr
    assert files == []  # neither the workbook nor its .part


def test_a_temp_folder_that_fills_while_the_workbook_is_written_says_one_line_naming_it(tmp_path, _whole_workbook):
    """The writer's own temporary files (the sheets' XML) fill TMPDIR after the rows were kept there: its panic
    was a Rust traceback after all the matching (break-it, 2026-11-30)."""
    roster, _ = _whole_workbook
    folder, temp = tmp_path / "out", tmp_path / "temp"
    folder.mkdir()
    temp.mkdir()
    code, stderr, files = _batch_on_small_disk(roster, folder, 1200, temp)  # the rows fit (~0.9 MB), not the XML
    assert code == 2 and stderr == f"错误：临时文件夹 {temp}（TMPDIR）: 无法写入（磁盘空间不足）\n", stderr
    assert files == []  # no workbook, no .part, and the temp folder emptied


def test_a_missing_temp_folder_is_one_the_writer_does_not_need(tmp_path):
    """TMPDIR naming no folder: Python keeps its files in /tmp, and the writer (which read TMPDIR as it was and
    failed after all the matching) keeps its own with them."""
    from benchmarks.synthetic import write_roster

    roster, out = write_roster(tmp_path / "名单.csv", 40), tmp_path / "汇总.xlsx"
    argv = [sys.executable, "-m", "recommender", "batch", str(roster), "-o", str(out), "--as-of", "2025-06-30"]
    env = {**os.environ, "TMPDIR": str(tmp_path / "无此文件夹")}
    run = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, env=env)
    assert run.returncode == 0 and run.stderr == "", run.stderr
    assert zipfile.ZipFile(out).testzip() is None


def test_two_workbooks_saved_at_once_leave_stderr_where_it_was(tmp_path):
    """The page saves in the server's threads: two saves at once each moved stderr (file descriptor 2) and put
    back what the other had put there, so the server's log went to a deleted file for good (break-it)."""
    import threading
    import time

    before = os.fstat(2)
    books = []
    for _ in range(2):  # a second or so of writing each
        book = RosterWorkbook(dt.date(2025, 1, 1))
        for i in range(1500):
            v = f"企业{i}" * 20
            detail = [[i, v, "浦东新区", "", 1, "可申请", v, v * 5, v, v, "", v, v, "", v, v, v, "c"]] * 10
            book.add_entry(WorkbookEntry(detail, [i, v], [[i, v, "高企", "未满足", v, v]] * 9))
        books.append(book)
    threads = [threading.Thread(target=books[k].save, args=(tmp_path / f"{k}.xlsx",)) for k in range(2)]
    threads[0].start()
    time.sleep(0.3)  # the second begins while the first writes
    threads[1].start()
    for t in threads:
        t.join()
    after = os.fstat(2)
    assert (after.st_dev, after.st_ino) == (before.st_dev, before.st_ino)
    assert all(zipfile.ZipFile(tmp_path / f"{k}.xlsx").testzip() is None for k in range(2))


def test_a_sheet_that_fills_the_disk_leaves_no_half_file(tmp_path, monkeypatch, capsys):
    """``sheet -o``: a full disk midway left half a .docx under the name asked for."""
    from recommender.cli import main

    profile, out = tmp_path / "p.json", tmp_path / "咨询单.docx"
    profile.write_text('{"name": "某企业", "region": "金山区"}', encoding="utf-8")
    real = Path.write_bytes

    def half_then_full(self: Path, data: bytes) -> int:
        real(self, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Path, "write_bytes", half_then_full)
    assert main(["sheet", str(profile), "-o", str(out), "--as-of", "2025-06-30"]) == 2
    assert capsys.readouterr().err == f"错误：{out}: 无法写入（磁盘空间不足）\n"
    assert not list(tmp_path.glob("*.docx*")) and not list(tmp_path.glob(".*.part"))


def test_export_feedback_on_a_full_disk_leaves_no_file(tmp_path, monkeypatch, capsys):
    """A full disk left an empty feedback.yaml under its name after the error line."""
    from recommender.cli import main

    out = tmp_path / "cases" / "feedback.yaml"
    real = Path.write_text

    def half_then_full(self: Path, data: str, *args: object, **kwargs: object) -> int:
        real(self, data[: len(data) // 2], *args, **kwargs)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Path, "write_text", half_then_full)
    assert main(["export-feedback", "-o", str(out)]) == 2
    assert capsys.readouterr().err.endswith(f"{out}: 无法写入（磁盘空间不足）\n")
    assert not list(out.parent.iterdir())  # neither the file nor its hidden part
