"""The command line's progress line in a narrow terminal: the percentage and the counts stay whole, the
description (a roster's file name) is shortened first."""

from __future__ import annotations

import fcntl
import os
import re
import struct
import sys
import termios

import pytest

from recommender.progress import MIN_DESC, Bar, fit, shorten, width

LONG = "读取 2025年浦东新区重点企业培育名单（第三批）.csv"


@pytest.mark.parametrize("columns", range(30, 121, 3))
def test_the_counts_are_always_whole_and_the_line_fits(columns):
    for desc, essential, timing, stage in [
        (LONG, "46% 184/400", "[00:02<00:03, 70.10行/s]", ""),
        ("匹配并写入", "100% 400/400", "[00:04<00:00, 95.10行/s]", "正在保存 Excel 文件…"),
        (LONG, "0行", "[00:00, ?行/s]", ""),
    ]:
        line = fit(desc, essential, timing, stage, columns)
        assert essential in line and width(line) <= columns, (columns, line)
        head = line.split(": ", 1)[0]
        assert head == desc or head.endswith("…")  # the description whole, or visibly cut
        if width(desc) + 2 + width(essential) + 1 + width(timing) <= columns:
            assert head == desc  # nothing else goes while the description and the counts fit


def test_the_description_is_shortened_before_the_times_are_dropped():
    counts, times = "46% 184/400", "[00:02<00:03, 70.10行/s]"
    assert fit(LONG, counts, times, "", 200) == f"{LONG}: {counts} {times}"
    roomy = fit(LONG, counts, times, "", 50)
    assert roomy.endswith(f": {counts} {times}") and roomy.startswith("读取 ") and "…" in roomy
    narrow = fit(LONG, counts, times, "", 40)  # the description at its shortest would not leave room for times
    assert narrow.endswith(f": {counts}") and width(narrow.split(": ")[0]) > MIN_DESC
    saving = fit("匹配并写入", "100% 400/400", times, "正在保存 Excel 文件…", 40)
    assert saving == "匹配并写入: 100% 400/400 正在保存 Exce…"  # the stage cut last


def test_shorten_counts_wide_characters_twice():
    assert shorten("企业名单", 8) == "企业名单"
    assert shorten("企业名单", 7) == "企业…" and width("企业…") == 6
    assert shorten("abc", 1) == ""


def _drawn(columns: int, monkeypatch) -> list[str]:
    """What a Bar draws on a terminal ``columns`` wide: each frame (a \\r starts one), its trailing spaces
    dropped."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    terminal = os.fdopen(slave, "w", encoding="utf-8")
    monkeypatch.setattr(sys, "stderr", terminal)
    try:
        with Bar(LONG) as bar:
            bar(0, 400)
            bar(184, 400)
            bar.say("正在保存 Excel 文件…")  # draws at once
            bar(400, 400)
        terminal.flush()
        os.set_blocking(master, False)
        out = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except (BlockingIOError, OSError):
                break
            if not chunk:
                break
            out += chunk
    finally:
        terminal.close()
        os.close(master)
    text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", out.decode("utf-8"))
    return [frame.rstrip() for frame in re.split(r"[\r\n]+", text) if frame.strip()]


@pytest.mark.parametrize("columns", [40, 50, 60])
def test_a_narrow_terminal_shows_the_counts(columns, monkeypatch):
    frames = _drawn(columns, monkeypatch)
    assert frames and all(width(f) < columns for f in frames), frames  # tqdm keeps the last column free
    counted = [f for f in frames if "/400" in f]
    assert counted and all(re.search(r"\d+% \d+/400|\d+%\|.*\| \d+/400", f) for f in counted), frames
    assert any("100%" in f and "400/400" in f for f in frames), frames
