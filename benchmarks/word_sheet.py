"""The Word consultation sheet: milliseconds a sheet (``sheets.consultation_docx``) on realistic consultations,
beside a lower bound measured in the same run.

The consultations are those of synthetic enterprises (``synthetic_profiles``) against the live library, ten
measures each as ``batch`` writes them, made before any timing. The lower bound is what writing a sheet cannot
avoid: its own two parts (the body, word/document.xml, and the core properties), already serialised, compressed
into a zip after the parts every sheet shares, which are compressed once. The ratio sets a sheet beside it. For
context: python-docx opening and saving its empty default template (what each sheet cost before any content
when it was built object by object), and a sheet written into the zip of sheets (``sheets.SheetsZip``, as
``batch --zip`` writes it).
"""

from __future__ import annotations

import io
import statistics
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .synthetic import AS_OF, synthetic_profiles

VARYING = ("docProps/core.xml", "word/document.xml", "word/header1.xml")  # the parts that differ sheet to sheet
CONTEXT_RUNS = 30  # python-docx's empty template opened and saved this many times


def _ms(samples: list[float]) -> dict[str, float]:
    """p50 and p95 of ``samples`` (seconds) in milliseconds."""
    ordered = sorted(samples)
    return {
        "p50": round(statistics.median(ordered) * 1e3, 2),
        "p95": round(ordered[int(0.95 * (len(ordered) - 1))] * 1e3, 2),
    }


def _timed(calls: list[Callable[[], Any]]) -> list[float]:
    """The seconds each of ``calls`` takes, one after another."""
    out = []
    for call in calls:
        start = time.perf_counter()
        call()
        out.append(time.perf_counter() - start)
    return out


def _append(shared: bytes, parts: dict[str, bytes]) -> bytes:
    """``parts`` compressed into a copy of the zip ``shared`` (the lower bound's write)."""
    out = io.BytesIO(shared)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as package:
        for name, blob in parts.items():
            package.writestr(name, blob)
    return out.getvalue()


def _open_and_save() -> bytes:
    """python-docx's empty default template opened and saved."""
    from docx import Document

    out = io.BytesIO()
    Document().save(out)
    return out.getvalue()


def bench_word_sheet(n: int = 200) -> dict[str, Any]:
    """Milliseconds a sheet for ``n`` consultations (p50, p95: sheet_ms, the first sheet apart as
    first_sheet_ms, the template compiled in it), the lower bound (bound_ms) and sheet ÷ bound at p50
    (sheet_over_bound), python-docx's empty template opened and saved (python_docx_open_save_ms), a sheet
    added to the zip of sheets (zip_ms) and the median paragraphs a sheet."""
    from recommender.consultation import consult
    from recommender.profile import parse_profile
    from recommender.services.library import live_recommender
    from recommender.sheets import SheetsZip, consultation_docx

    engine = live_recommender()[0]
    consultations = [consult(engine, parse_profile(p), as_of=AS_OF) for p in synthetic_profiles(n, seed=16)]
    start = time.perf_counter()
    first = consultation_docx(consultations[0], AS_OF)
    first_sheet = time.perf_counter() - start
    sheets: list[bytes] = []
    sheet_times = _timed([lambda c=c: sheets.append(consultation_docx(c, AS_OF)) for c in consultations])

    with zipfile.ZipFile(io.BytesIO(first)) as package:
        compressed = io.BytesIO()
        with zipfile.ZipFile(compressed, "w", zipfile.ZIP_DEFLATED) as shared:
            for info in package.infolist():
                if info.filename not in VARYING:
                    shared.writestr(info.filename, package.read(info))
    own = []
    for sheet in sheets:
        with zipfile.ZipFile(io.BytesIO(sheet)) as package:
            own.append({name: package.read(name) for name in VARYING})
    bound_times = _timed([lambda parts=parts: _append(compressed.getvalue(), parts) for parts in own])
    context_times = _timed([_open_and_save] * CONTEXT_RUNS)
    with tempfile.TemporaryDirectory() as tmp, SheetsZip(Path(tmp) / "sheets.zip", AS_OF) as archive:
        zip_times = _timed([lambda c=c: archive.add(c) for c in consultations])

    sheet_ms, bound_ms = _ms(sheet_times), _ms(bound_times)
    paragraphs = [
        parts["word/document.xml"].count(b"<w:p>") + parts["word/document.xml"].count(b"<w:p/>") for parts in own
    ]
    return {
        "sheets": n,
        "paragraphs_p50": statistics.median(paragraphs),
        "first_sheet_ms": round(first_sheet * 1e3, 1),
        "sheet_ms": sheet_ms,
        "bound_ms": bound_ms,
        "sheet_over_bound": round(sheet_ms["p50"] / bound_ms["p50"], 1),
        "python_docx_open_save_ms": _ms(context_times),
        "zip_ms": _ms(zip_times),
    }
