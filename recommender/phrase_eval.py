"""Evaluation by phrases: a set written from the policy texts alone, scored on what `recommend` shows.

A case is a profile, an as-of date, expected phrases (words of the policy that should appear in
the text of one of the first 5 or 10 results) and forbidden phrases (words of a clause that must
not be shown as eligible or partial while its document is in force). This is the shape of the
blind sets, which are written by people who never saw the engine's output and kept outside the
project (``python -m recommender evaluate --phrases FILE``; format: ``docs/evaluation.md``, “短语评测集”).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError, field_validator

from .profile import ProfileError
from .text_clean import squeeze
from .yamlio import DataError

SHOWN_AS_APPLICABLE = ("eligible", "partial")


class Forbidden(BaseModel):
    """Words of a clause that must not be shown as eligible or partial while in force."""

    model_config = ConfigDict(extra="forbid")
    why: str | None = None
    phrase: str = Field(min_length=2)

    @field_validator("phrase")
    @classmethod
    def _has_words(cls, value: str) -> str:
        if len(squeeze(value)) < 2:
            raise ValueError("短语去掉标点和空白后不足两个字")
        return value


class Expectation(Forbidden):
    """Words that should appear in the text of one of the first ``within`` results."""

    within: StrictInt = Field(ge=1, le=10)


class PhraseCase(BaseModel):
    """One case of a phrase set."""

    model_config = ConfigDict(extra="forbid")
    id: str
    note: str | None = None
    as_of: dt.date
    profile: dict[str, Any]  # parsed when run: a profile the engine refuses misses all its expectations
    expect: list[Expectation] = []
    forbidden: list[Forbidden] = []


def load_phrase_cases(path: Path) -> list[PhraseCase]:
    """The cases of a JSON-lines file (UTF-8, with or without BOM); DataError naming the file, and the
    line and field of a bad case."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = "不是 UTF-8 文本" if isinstance(exc, UnicodeDecodeError) else "文件不存在或不是普通文件"
        raise DataError(f"{path}: 无法读取：{reason}") from None
    cases: list[PhraseCase] = []
    ids: set[str] = set()
    for n, line in enumerate(text.split("\n"), 1):  # not splitlines: U+2028 may sit inside a string
        if line.strip():
            case = _case(path, n, line)
            if case.id in ids:
                raise DataError(f"{path}:{n}: 用例 id {case.id} 重复")
            ids.add(case.id)
            cases.append(case)
    if not cases:
        raise DataError(f"{path}: 没有用例")
    return cases


def _case(path: Path, n: int, line: str) -> PhraseCase:
    try:
        data = json.loads(line)
        json.dumps(data, ensure_ascii=False).encode("utf-8")  # a lone surrogate ("\ud800") cannot be printed
        return PhraseCase.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err["loc"]) or "整行"
        raise DataError(f"{path}:{n}: 用例无法读取：{where}：{_chinese(err)}") from None
    except (ValueError, RecursionError):  # JSONDecodeError, a 5000-digit number, a lone surrogate
        raise DataError(f"{path}:{n}: 用例无法读取：不是有效的 JSON，或含无法编码的字符") from None


_ERROR_WORDS = {
    "missing": "缺少此项",
    "int_type": "应为整数",
    "less_than_equal": "应不大于 10",
    "greater_than_equal": "应不小于 1",
    "string_too_short": "太短",
    "string_type": "应为文字",
    "date_from_datetime_parsing": "应为日期 YYYY-MM-DD",
    "date_parsing": "应为日期 YYYY-MM-DD",
    "model_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
    "list_type": "应为列表",
    "extra_forbidden": "不是用例的字段（见 docs/evaluation.md“短语评测集”）",
}


def _chinese(err: Any) -> str:
    """A pydantic error in Chinese: the checker's own message, or words for its type."""
    if err["type"] == "value_error":
        return str(err["msg"]).removeprefix("Value error, ")
    return _ERROR_WORDS.get(err["type"], "格式不对")


@dataclass
class PhraseResult:
    """One case's outcome: expectations missed (phrase, within, rank found or None) and forbidden shown."""

    case: PhraseCase
    met: int = 0
    missed: list[tuple[str, int, int | None]] = field(default_factory=list)
    forbidden_shown: list[tuple[str, int, str]] = field(default_factory=list)  # phrase, rank, status
    refused: str | None = None  # why the profile was refused


def score_case(case: PhraseCase, results: Sequence[dict[str, Any]]) -> PhraseResult:
    """Score ``results`` (``recommend --format json`` results, best first) against the case."""
    texts = [squeeze(r["text"]) for r in results]
    out = PhraseResult(case)
    for e in case.expect:
        phrase = squeeze(e.phrase)
        found = next((i + 1 for i, t in enumerate(texts) if phrase in t), None)
        if found is not None and found <= e.within:
            out.met += 1
        else:
            out.missed.append((e.phrase, e.within, found))
    for f in case.forbidden:
        phrase = squeeze(f.phrase)
        for i, (r, t) in enumerate(zip(results, texts, strict=True)):
            if phrase in t and r["status"] in SHOWN_AS_APPLICABLE and r["valid"]:
                out.forbidden_shown.append((f.phrase, i + 1, r["status"]))
    return out


def run_phrase_cases(engine: Any, cases: Sequence[PhraseCase], top: int = 10) -> list[PhraseResult]:
    """``engine.recommend`` (top 10, ruled-out measures left out, as the CLI does) scored for every case.

    A profile the engine refuses misses every expectation of its case (``refused`` says why).
    """
    out = []
    for c in cases:
        try:
            results = [r.as_dict() for r in engine.recommend(c.profile, top=top, as_of=c.as_of).results]
        except ProfileError as exc:
            out.append(score_case(c, []))
            out[-1].refused = str(exc)
            continue
        out.append(score_case(c, results))
    return out


def summarize_phrases(results: Sequence[PhraseResult]) -> dict[str, Any]:
    """Expectations met (count and share) and forbidden phrases shown as applicable, over all cases."""
    expected = sum(len(r.case.expect) for r in results)
    met = sum(r.met for r in results)
    return {
        "expectations": expected,
        "met": met,
        "met_share": met / expected if expected else None,
        "forbidden_shown": sum(len(r.forbidden_shown) for r in results),
        "cases": len(results),
        "refused": {r.case.id: r.refused for r in results if r.refused},
        "missed": [
            {"case": r.case.id, "phrase": p, "within": w, "found_at": at} for r in results for p, w, at in r.missed
        ],
        "forbidden": [
            {"case": r.case.id, "phrase": p, "rank": k, "status": s} for r in results for p, k, s in r.forbidden_shown
        ],
    }


def evaluate_phrases(cases: Sequence[PhraseCase], engine: Any, plain_engine: Any | None = None) -> dict[str, Any]:
    """Every configuration of ``evaluation.configurations`` (hybrid and its ablations) on a phrase set."""
    from .evaluation import configurations

    rows = []
    for name, (description, eng) in configurations(engine, plain_engine).items():
        rows.append({"name": name, "description": description, **summarize_phrases(run_phrase_cases(eng, cases))})
    return {"cases": len(cases), "configurations": rows}


def format_phrases(result: dict[str, Any]) -> str:
    """The phrase evaluation as a table for people, then what the hybrid missed."""
    lines = [f"{'配置':<14}期望命中            禁止项显示为可申请/需补充"]
    for row in result["configurations"]:
        share = f"{row['met_share']:.1%}" if row["met_share"] is not None else "—"
        lines.append(
            f"{row['name']:<16}{row['met']}/{row['expectations']}（{share}）".ljust(34) + str(row["forbidden_shown"])
        )
    hybrid = next(r for r in result["configurations"] if r["name"] == "hybrid")
    lines.append(f"\n{result['cases']} 个用例，前 10 条。混合排序未命中：")
    for m in hybrid["missed"]:
        where = f"第 {m['found_at']} 条" if m["found_at"] else "未出现"
        lines.append(f"  {m['case']}：“{m['phrase']}”应在前 {m['within']} 条，{where}")
    for f in hybrid["forbidden"]:
        lines.append(f"  {f['case']}：禁止项“{f['phrase']}”显示为 {f['status']}（第 {f['rank']} 条）")
    for case, why in hybrid["refused"].items():
        lines.append(f"  {case}：企业信息被拒：{why}")
    return "\n".join(lines)
