"""The readiness report: the CLI's JSON document (../shared/spec/cli.md) and its table for people."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..profile import Profile
from .readiness import Pathway, QualificationResult
from .wording import num

MARKS = {"met": "✓", "not_met": "✗", "unknown": "?"}


def readiness_document(
    profile: Profile, as_of: dt.date, results: list[QualificationResult], pathways: list[Pathway] | None = None
) -> dict[str, Any]:
    """The ``readiness --format json`` document: date, profile name and region, results, and pathways if given."""
    doc: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "profile": {"name": profile.name, "region": profile.region},
        "qualifications": [r.as_dict() for r in results],
    }
    if pathways is not None:
        doc["pathways"] = [p.as_dict() for p in pathways]
    return doc


def _scores_line(scores: dict[str, Any]) -> str:
    parts = []
    for p in scores["parts"]:
        if p["points"] is not None:
            got = num(p["points"])
        elif p["range"]:
            got = f"{num(p['range'][0])}–{num(p['range'][1])}"
        else:
            got = "?"
        top = f"/{num(p['max'])}" if p["max"] is not None else ""
        parts.append(f"{p['name']} {got}{top}" + ("" if p["verified"] else "（待核实）"))
    total = num(scores["total"]) if scores["total"] is not None else "?"
    return f"{scores['name']}：" + " · ".join(parts) + f" = {total}（需 ≥ {num(scores['required'])}）"


def readiness_lines(
    profile: Profile, as_of: dt.date, results: list[QualificationResult], pathways: list[Pathway] | None = None
) -> list[str]:
    """The ``readiness`` table output, one line each: the results with their gaps, then the pathways if given."""
    lines = [f"{profile.name}（{profile.region}）  资质准备度  判断日期：{as_of.isoformat()}"]
    for r in results:
        lines.append(f"[{r.headline}] {r.name}  —— {r.basis}")
        lines += [f"      · {reason}" for reason in r.reasons if r.held or r.status == "met"]
        lines += [f"      {_scores_line(s)}" for s in r.scores]
        lines += [f"      {MARKS[state]} {g.message}" for g, state in zip(r.gaps, r.states(), strict=True)]
        lines += [f"      ◇ {b}" for b in r.benefits]
        if r.unverified:
            lines.append(f"      待核实：{len(r.unverified)} 项参数（见 --format json 的 unverified）")
    for p in pathways or []:
        label = p.readiness.headline if p.readiness else "未评估"
        ended = sum(not m.valid for m in p.measures)
        note = f"（其中 {ended} 条已过期）" if ended else ""
        lines.append(f"成为“{p.title}”（{label}）可解锁 {len(p.measures)} 条措施{note}：")
        for m in p.measures:
            expired = "" if m.valid else "（已过期）"
            title = m.clause.title or m.clause.text[:40]
            lines.append(f"      {m.rank:>3}. {title}{expired} —— {m.document.short_title}")
    return lines
