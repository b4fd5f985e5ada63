"""Temporary files and folders named after the process that made them, so that the next run can remove what a
killed one (SIGKILL, a power cut: no ``finally`` runs) left behind."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
from pathlib import Path


def owned_tag() -> str:
    """A tag for a temporary name: this process's id and 8 random hex digits, "12345-0a1b2c3d"."""
    return f"{os.getpid()}-{secrets.token_hex(4)}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def remove_stale(folder: Path, prefix: str, suffix: str = "") -> list[Path]:
    """Remove the files and folders in ``folder`` named ``prefix + owned_tag() + suffix`` (or with 8 other letters,
    digits or "_" after the process id, as ``tempfile.mkdtemp(prefix=prefix + f"{pid}-")`` names them) whose
    process is gone; returns those removed. One that cannot be removed (another user's …) is left."""
    pattern = re.compile(re.escape(prefix) + r"(\d+)-\w{8}" + re.escape(suffix), re.ASCII)
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        found = pattern.fullmatch(entry.name)
        if found is None or _alive(int(found.group(1))):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
        except OSError:
            continue
        removed.append(Path(entry.path))
    return removed


def owned_temporary_file(prefix: str, suffixes: tuple[str, ...], suffix: str) -> Path:
    """A new empty file in the system's temp folder (TMPDIR) named ``prefix``, this process's id, 8 random letters
    and ``suffix`` (one of ``suffixes``); the files named so by a process that is gone (``remove_stale``), with any
    of ``suffixes``, are removed first. OSError when the folder cannot be written."""
    folder = Path(tempfile.gettempdir())
    for kind in suffixes:
        remove_stale(folder, prefix, kind)
    fd, name = tempfile.mkstemp(prefix=f"{prefix}{os.getpid()}-", suffix=suffix, dir=folder)
    os.close(fd)
    return Path(name)
