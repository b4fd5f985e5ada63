"""A roster matched row by row, its outputs written as it goes: the Excel summary and the zip of Word sheets.

No list of consultations is kept: each good row is matched, written to the outputs and dropped, so memory does
not grow with the number of rows (beyond the roster itself). Each output is written to a temporary file beside
its target and renamed at the end, so a failed or killed batch never leaves a half-written file under the
final name.

``write_batch`` matches in worker processes (one per core, forked so that they share the loaded corpus, index
and rules) while this process writes: a worker matches a chunk of rows and returns their workbook rows and
Word sheets as plain values, in roster order; at most a few chunks per worker are in flight, so memory stays
flat. Where fork is not available, or the roster is small, it matches here. With workers, the workbook is written
meanwhile too (``RosterWorkbook.streaming``: its first sheet by a process of its own as the rows come).
"""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
import os
import shutil
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack, closing, contextmanager, suppress
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Event as EventType
from pathlib import Path

from ..clock import today as shanghai_today
from ..consultation import SHEET_TOP, Consultation, consult
from ..criteria.model import load_criteria
from ..engine import Recommender
from ..leftovers import owned_tag, remove_stale
from ..roster import Roster
from ..sheets import PackedEntry, RosterWorkbook, SheetsZip, consultation_docx, workbook_entry
from ..stopping import HelperLost, follow_parent, settled, stops_held

Progress = Callable[[int, int, str], None]  # (rows done, rows in all, the enterprise just matched)


def consultations(
    recommender: Recommender,
    roster: Roster,
    as_of: dt.date,
    top: int = SHEET_TOP,
    progress: Progress | None = None,
) -> Iterator[tuple[int, Consultation]]:
    """(spreadsheet row number, consultation of ``top`` measures in force at ``as_of``) for each good row of
    ``roster``, one at a time in roster order; ``progress(done, total, name)`` after each row."""
    total = len(roster.rows)
    for i, row in enumerate(roster.rows, 1):
        yield row.row, consult(recommender, row.profile, as_of=as_of, top=top)
        if progress is not None:
            progress(i, total, row.profile.name)


NAME_BYTES = 255  # the longest file name the usual file systems take (ext4, APFS, NTFS: 255 bytes or units)
TAG_BYTES = len("4194304-0a1b2c3d")  # the longest ``owned_tag``: Linux's largest process id, 8 hex digits


def _fitting(name: str, most: int) -> str:
    """``name`` cut, on a character's edge, to at most ``most`` bytes of UTF-8."""
    return name.encode()[:most].decode(errors="ignore")


@contextmanager
def whole_file(target: Path) -> Iterator[Path]:
    """A new empty temporary file beside ``target`` (".name.PID-XXXXXXXX.part", the name cut so that the whole
    fits NAME_BYTES) for the block to write; renamed
    to ``target`` when the block ends, removed when it raises. A process killed meanwhile leaves only the
    temporary file, never a half-written ``target``, and the next call for ``target`` removes it. Once the block
    has ended, a stop (Ctrl-C, SIGTERM) is too late and ignored (``stopping.settled``). OSError as the
    file system gives it (no such folder …)."""
    stem = _fitting(target.name, NAME_BYTES - len("...part") - TAG_BYTES)  # an allowed name stays allowed
    remove_stale(target.parent, f".{stem}.", ".part")  # what a killed batch left
    temporary = target.with_name(f".{stem}.{owned_tag()}.part")
    try:
        os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # the umask's permissions
    except OSError as exc:  # named by the target (FileNotFoundError stays one: OSError picks it by errno)
        raise OSError(exc.errno, exc.strerror, str(target)) from None
    try:
        yield temporary
        settled()  # complete: a stop from here on would leave some outputs under their names and not others
        try:
            os.replace(temporary, target)
        except OSError as exc:
            raise OSError(exc.errno, exc.strerror, str(target)) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


CHUNK = 16  # rows a worker matches per task
AHEAD = 4  # tasks in flight per worker: enough to keep it busy, few enough that memory stays flat
PARALLEL_FROM = 2 * CHUNK  # a shorter roster is matched here (starting workers costs more)


@dataclass(frozen=True)
class Job:
    """What every row of one batch is matched with (inherited by forked workers, never pickled)."""

    recommender: Recommender
    roster: Roster
    as_of: dt.date
    top: int
    sheets_today: dt.date | None  # the date printed on Word sheets; None: no sheets


@dataclass
class Matched:
    """One good row matched: its position in ``roster.rows``, its workbook rows (packed) and its Word sheet."""

    position: int
    entry: PackedEntry
    docx: bytes | None


_JOB: Job | None = None  # the job of the batch running, for forked workers
_STOP: EventType | None = None  # set when the batch is stopped: the workers then match nothing more


def _match(job: Job, start: int, stop: int, stopped: EventType | None = None) -> list[Matched]:
    """Rows ``start:stop`` of the job's roster, matched; those before ``stopped`` was set, when given."""
    out = []
    for k in range(start, stop):
        if stopped is not None and stopped.is_set():
            break
        row = job.roster.rows[k]
        c = consult(job.recommender, row.profile, as_of=job.as_of, top=job.top)
        docx = consultation_docx(c, job.sheets_today) if job.sheets_today is not None else None
        out.append(Matched(k, workbook_entry(row.row, c).packed(), docx))
    return out


def _match_in_worker(start: int, stop: int) -> list[Matched]:
    assert _JOB is not None and _STOP is not None, "a batch worker must be forked by matched_rows"
    return _match(_JOB, start, stop, _STOP)


def _submit(pool: ProcessPoolExecutor, start: int, stop: int, first: bool) -> Future[list[Matched]]:
    """Rows ``start:stop`` sent to ``pool``. The first call forks the workers, with the stops held meanwhile
    (``stops_held``): a worker is born with them blocked until its initializer (``follow_parent``) ignores them,
    and the pool's own state is whole (one held here arrives when the call returns)."""
    if not first:
        return pool.submit(_match_in_worker, start, stop)
    with stops_held():
        return pool.submit(_match_in_worker, start, stop)


def _workers(requested: int | None, rows: int) -> int:
    """Worker processes for ``rows`` rows: ``requested`` (default one per core), 0 when matching here is better
    (one core, a short roster, or no fork on this system)."""
    count = requested if requested is not None else (os.cpu_count() or 1)
    if count <= 1 or rows < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return count


def matched_rows(job: Job, workers: int | None = None) -> Iterator[Matched]:
    """Every good row of ``job.roster`` matched, in roster order: in ``workers`` forked processes (default one
    per core, see ``_workers``; the first row here), else here. An error in a worker is raised here."""
    total = len(job.roster.rows)
    count = _workers(workers, total)
    if count == 0:
        with _set_aside():
            for start in range(0, total, CHUNK):
                yield from _match(job, start, min(start + CHUNK, total))
        return
    # the first row is matched here: what matching loads on first use (the tokenizer and its lexicon, the
    # qualification criteria, the Word template …: half a second) is loaded once, before the workers are forked,
    # rather than once in each of them
    yield from _match(job, 0, 1)
    with _set_aside():
        yield from _in_workers(job, count, 1)


@contextmanager
def _set_aside() -> Iterator[None]:
    """What is loaded so far (corpus, index, rules, roster, tokenizer …) set aside from the cyclic garbage collector
    while the block runs (``gc.freeze``): its full collections went over all of it again and again (a few per cent
    of a batch), and a forked worker's collections then leave the pages it shares with this process alone."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _in_workers(job: Job, count: int, begin: int) -> Iterator[Matched]:
    """Rows ``begin:`` of the job's roster matched in ``count`` forked workers, in roster order."""
    total = len(job.roster.rows)
    global _JOB, _STOP
    context = multiprocessing.get_context("fork")
    _JOB, _STOP = job, (stop := context.Event())
    try:
        with ProcessPoolExecutor(count, context, follow_parent, (os.getpid(),)) as pool:
            pending: deque[Future[list[Matched]]] = deque()
            workers: list[BaseProcess] = []  # the pool's processes, once the first task has started them
            try:
                for start in range(begin, total, CHUNK):
                    pending.append(_submit(pool, start, min(start + CHUNK, total), first=not workers))
                    workers = workers or list(pool._processes.values())
                    if len(pending) >= count * AHEAD:
                        yield from _result(pending.popleft(), workers)
                while pending:
                    yield from _result(pending.popleft(), workers)
            except BaseException as exc:  # Ctrl-C, SIGTERM, a worker's error or death, the reader gone (GeneratorExit)
                # the tasks sent finish at once, matching nothing more, and the pool shuts down in order. Killing
                # the workers instead can cut a result in the pipe (the pool then waits for its end for ever);
                # cancelling the futures races the pool's thread (CPython 3.11 raises InvalidStateError there):
                # each hung the batch after Ctrl-C, 1 try in 12 to 40. But a worker gone, there is no order left
                stop.set()
                lost = isinstance(exc, BrokenProcessPool | HelperLost)  # the pool saw it first (a submit, a result)
                if lost or any(w.exitcode is not None for w in workers):
                    _abandon(pool, workers)
                if lost:
                    raise HelperLost("匹配进程") from None
                raise
    finally:
        _JOB = _STOP = None


WATCH_S = 1.0  # how often a batch waiting for a result checks that its workers are all still there


def _result(future: Future[list[Matched]], workers: list[BaseProcess]) -> list[Matched]:
    """``future``'s matched rows; HelperLost when one of ``workers`` (the pool's processes) ended meanwhile (killed:
    out of memory, ``kill -9``), which the pool may never notice: it waits for the rest of a result the worker died
    sending."""
    while True:
        try:
            return future.result(timeout=WATCH_S)
        except TimeoutError:
            if any(w.exitcode is not None for w in workers):
                raise HelperLost("匹配进程") from None


def _abandon(pool: ProcessPoolExecutor, workers: list[BaseProcess]) -> None:
    """A pool one of whose ``workers`` was killed, made able to shut down: the others ignore the SIGTERM it sends
    them (``follow_parent``), and its reader may wait for the rest of a result cut off, so the batch hung for ever
    without a word (a break-it trial). They are killed, and the pool's own end of its results' pipe closed, so that
    its reader meets the pipe's end (CPython's ProcessPoolExecutor keeps that pipe in ``_result_queue``: there is
    no public way)."""
    for worker in workers:
        worker.kill()
        worker.join()
    with suppress(AttributeError, OSError):
        pool._result_queue._writer.close()


def write_batch(
    recommender: Recommender,
    roster: Roster,
    as_of: dt.date,
    workbook: Path,
    sheets: Path | None = None,
    top: int = SHEET_TOP,
    progress: Progress | None = None,
    workers: int | None = None,
    stage: Callable[[str], None] | None = None,
) -> int:
    """Match every good row of ``roster`` (``matched_rows``, in ``workers`` processes) and write, as it goes,
    the Excel summary to ``workbook`` (``sheets.RosterWorkbook``, the bad rows included) and, when given, the
    zip of Word sheets to ``sheets`` (``sheets.SheetsZip``). Returns the number of enterprises matched. Both
    files appear under their names only when all is written (``whole_file``); OSError when one cannot be
    written. ``stage(text)`` is told when the rows are done and the files are being finished (seconds at 100k)."""
    today = shanghai_today()
    job = Job(recommender, roster, as_of, top, today if sheets is not None else None)
    total = len(roster.rows)
    with ExitStack() as stack:
        book = stack.enter_context(RosterWorkbook(as_of, today))
        zipped: tuple[SheetsZip, Path] | None = None  # the zip of Word sheets and its file
        if sheets is not None:
            with _named(sheets, None):
                target = stack.enter_context(whole_file(sheets))
                zipped = stack.enter_context(SheetsZip(target, today, roster.last_row)), sheets
        workbook_part = stack.enter_context(whole_file(workbook))
        if _workers(workers, total) > 0:  # matched in other processes: the workbook is written meanwhile
            detail_most = total * max(1, len(recommender.clauses) if top is None else top)
            stack.enter_context(book.streaming(workbook_part, roster, detail_most, total * len(load_criteria())))
        rows = stack.enter_context(closing(matched_rows(job, workers)))  # on an error, the workers stop first
        for done, matched in enumerate(rows, 1):
            with _named(workbook, book.scratch):
                book.add_entry(matched.entry)
            row = roster.rows[matched.position]
            profile = row.profile
            if zipped is not None and matched.docx is not None:
                with _named(zipped[1], None):
                    zipped[0].add_sheet(profile, matched.docx, row.row)
            if progress is not None:
                progress(done, total, profile.name)
        if stage is not None:
            stage("正在保存 Excel 文件…")
        with _named(workbook, book.scratch):
            book.save(workbook_part, roster)
        if zipped is not None:
            with _named(zipped[1], None):
                zipped[0].close()
    return book.matched


@contextmanager
def _named(output: Path | None, scratch: Path | None) -> Iterator[None]:
    """An OSError in the block named by the file people asked for, ``output`` (never the hidden ".part" file
    written in its place), or by the temp folder (TMPDIR) when it came from the workbook's temporary files in
    ``scratch`` (``output`` None: the block writes nothing else; ``scratch`` None: the block writes ``output``
    alone, as the zip does)."""
    try:
        yield
    except OSError as exc:
        where = Path(exc.filename) if isinstance(exc.filename, str) else None
        if scratch is None:
            raise OSError(exc.errno, exc.strerror, str(output)) from exc
        temp = f"临时文件夹 {scratch.parent}（TMPDIR）"
        if output is None or (where is not None and where.is_relative_to(scratch)):
            named = temp
        elif where is None and not _same_disk(output.parent, scratch):  # a write to an open file: the full disk
            full = [_nearly_full(output.parent), _nearly_full(scratch)]
            named = temp if full == [False, True] else str(output) if full == [True, False] else f"{output} 或{temp}"
        else:
            named = str(output)
        raise OSError(exc.errno, exc.strerror, named) from exc


def _nearly_full(folder: Path) -> bool:
    """Less than 1 MB free on ``folder``'s disk (False when that cannot be read)."""
    try:
        return shutil.disk_usage(folder).free < 1 << 20
    except OSError:
        return False


def _same_disk(a: Path, b: Path) -> bool:
    try:
        return a.stat().st_dev == b.stat().st_dev
    except OSError:
        return False
