"""The readiness report: the CLI's JSON document (../shared/spec/cli.md) and its table for people."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from ..profile import Profile
from .readiness import Pathway, QualificationResult
from .wording import num

if TYPE_CHECKING:
    from ..engine import Result

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
        lines += pathway_lines(p)
    return lines


def _out_of_force(m: Result) -> str:
    """The mark of a measure whose document is not in force: "[已到期 2025-12-31，上一轮政策]", "[尚未生效 …]"."""
    doc = m.document
    if m.validity == "not_yet":
        return f" [尚未生效，{doc.valid_from.isoformat()} 起施行]"
    return f" [已到期 {doc.valid_to.isoformat()}，上一轮政策]" if doc.valid_to else " [已到期]"


def pathway_lines(p: Pathway) -> list[str]:
    """What one title unlocks: the measures in force counted and listed first; those of ended (上一轮) or not
    yet effective documents counted apart and marked, never added to what the title unlocks now."""
    label = p.readiness.headline if p.readiness else "未评估"
    live = [m for m in p.measures if m.valid]
    ended = [m for m in p.measures if m.validity == "ended"]
    waiting = [m for m in p.measures if m.validity == "not_yet"]
    apart = [f"{len(ended)} 条属已到期的上一轮政策（可向发文部门咨询是否延续）"] if ended else []
    apart += [f"{len(waiting)} 条所在文件尚未生效"] if waiting else []
    more = f"；另有 {'，'.join(apart)}" if apart else ""
    lines = [f"成为“{p.title}”（{label}）可解锁 {len(live)} 条现行措施{more}："]
    for m in live + ended + waiting:
        title = m.clause.heading
        mark = "" if m.valid else _out_of_force(m)
        lines.append(f"      {m.rank:>3}. {title}{mark} —— {m.document.short_title}")
    return lines
