"""Commands for documents policy staff add: add-document and export-policies (../shared/spec/cli.md)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..clock import today
from ..os_reasons import os_reason
from ..places import region_of
from ..text_clean import one_line
from ..vocab import REGIONS
from .commands import CommandError, _transaction, acting, by

if TYPE_CHECKING:
    from ..proposals.evaluation import Score


def _overrides(path: Path | None) -> dict:
    """The ``--meta`` YAML as a dict of DocumentMeta fields; CommandError naming the file when it is not one."""
    if path is None:
        return {}
    from ..yamlio import load_yaml

    data, _ = load_yaml(path)
    if isinstance(data, dict) and isinstance(data.get("documents"), list) and len(data["documents"]) == 1:
        data = data["documents"][0]  # a policies/sources/*.meta.yaml file
    if not isinstance(data, dict):
        raise CommandError(f"{path}: 元数据应为“字段: 值”的映射（如 title: …、valid_from: 2024-01-01）")
    area = data.get("applies_to", {})
    if not isinstance(area, dict) or not all(isinstance(area.get(k, []), list) for k in ("regions", "parks")):
        raise CommandError(f"{path}: applies_to 应写成 applies_to: {{regions: [浦东新区], parks: [张江]}}")
    if "applies_to" in data:  # a list left out is none (applies_to: {} is the whole city), as in a meta.yaml
        parks = [one_line(p) if isinstance(p, str) else None for p in area.get("parks", [])]
        if not all(parks):  # not text, or only spaces and invisible characters
            raise CommandError(f"{path}: applies_to 的 parks 应为园区名称的列表（如 [张江]），其中有空项或非文字")
        regions = [_district(path, r) for r in area.get("regions", [])]
        data["applies_to"] = {**area, "regions": list(dict.fromkeys(regions)), "parks": list(dict.fromkeys(parks))}
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}


def _district(path: Path, written: object) -> str:
    """A district of ``applies_to.regions`` as the corpus names it, read as rosters read 注册地 (上海市金山区, 金山 →
    金山区); CommandError naming the meta file and the item when it names no district of Shanghai."""
    found = region_of(written) if isinstance(written, str) else None
    if found is None:
        allowed = "、".join(REGIONS)
        raise CommandError(f"{path}: applies_to 的 regions 中“{written}”不是上海的区（可写：{allowed}）")
    return found


def _parks(area: dict) -> str:
    """The parks a document is limited to, after its districts ("" when none)."""
    return f"（限园区：{'、'.join(area['parks'])}）" if area.get("parks") else ""


def _table(proposal: dict) -> str:
    d = proposal["document"]
    missing = "（未找到）"
    lines = [
        f"文件：{d['title'] or '（未找到标题）'}  编号 {d['policy_id']}",
        f"发文：{d['issuer'] or missing}  文号：{d['doc_number'] or missing}  印发：{d['issued'] or missing}",
        f"有效期：{d['valid_from'] or '（未找到，须填写）'} ~ {d['valid_to'] or '（未规定或未找到）'}"
        f"  适用区域：{'、'.join(d['applies_to']['regions']) or '全市'}{_parks(d['applies_to'])}",
        f"条款 {len(proposal['clauses'])} 条（均为自动提取，待审核）：",
    ]
    kinds = {"measure": "措施", "lead": "线索", "internal": "非措施"}
    for c in proposal["clauses"]:
        p = c["proposed"]
        conditions = "；".join(f"{e['field']} {e['op']} {e['value']}（“{e['quote']}”）" for e in p["eligibility"])
        head = (c["title"] or c["text"])[:30]
        lines.append(f"  {c['clause_id']:<28} [{kinds[p['kind']]}] {head}  第 {c['source_lines'][0]} 行")
        if conditions:
            lines.append(f"      条件：{conditions}")
        elif p["kind"] == "measure":
            lines.append("      条件：未读出任何条件（须逐条确认原文确未列条件，此前对企业显示“待审核·自动提取”）")
    return "\n".join(lines)


def cmd_add_document(args: argparse.Namespace) -> None:
    """`add-document`: propose metadata and per-clause proposals for a document; store with ``--publish``."""
    from ..ingest.readers import DocumentReadError, read_path
    from ..proposals.document import propose_document
    from ..proposals.metadata import document_meta, unlisted_parks
    from ..yamlio import DataError

    try:
        source = read_path(args.file)
        proposal = propose_document(source, _overrides(args.meta))
    except DocumentReadError as exc:
        raise CommandError(str(exc)) from None
    except DataError as exc:
        raise CommandError(str(exc) if str(exc).startswith(args.file.name) else f"{args.file}: {exc}") from None
    data = proposal.as_dict()
    try:
        document_meta(proposal.meta)
        incomplete = None
    except DataError as exc:
        incomplete = str(exc)
    if incomplete and not args.publish:
        print(f"提示：{args.file}: {incomplete}（发布前须补全，可用 --meta 文件）", file=sys.stderr)
    if unlisted := unlisted_parks(proposal.meta):
        print(f"提示：{args.file}: {unlisted}", file=sys.stderr)
    if args.publish:
        from .documents import add_document, publish, shipped_numbers

        if incomplete:
            raise CommandError(f"{args.file}: {incomplete}" + ("" if args.meta else "；可用 --meta 文件补充"))
        with _transaction() as session:
            actor = acting(session, args.by)
            stored = add_document(session, proposal, actor, shipped_numbers())
            publish(session, stored.policy_id, stored.version, actor)
        data["stored"] = {"policy_id": stored.policy_id, "state": "published", "reviewed": False}
    if args.format == "json":
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return
    print(_table(data))
    if args.publish:
        print(f"已发布（待审核）：{proposal.meta['policy_id']}，可在“政策库管理”页逐条审核")
        print(f"谁该知道：python -m recommender push --since {today().isoformat()}")
    else:
        print("未保存任何内容；加 --publish 可存入政策库（待审核）")


def cmd_export_policies(args: argparse.Namespace) -> None:
    """`export-policies`: write the added documents as policies/ YAML (sources, meta, annotations)."""
    from ..yamlio import DataError
    from .export import export_policies

    with _transaction() as session:
        try:
            written = export_policies(session, args.output, drafts=args.drafts)
        except DataError as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise CommandError(f"{args.output}: 无法写入（{os_reason(exc)}）") from None
    for path in written:
        print(f"已写入 {path}")
    print(f"共 {len(written) // 3} 份文件" + ("" if written else "（政策库中没有已发布的新增文件）"))


def _blind_score(expected_path: Path) -> tuple[Score, list[str]]:
    """One blind document proposed and scored against its ``<stem>.expected.yaml``; CommandError naming
    the file when the document cannot be read or the expected file is malformed."""
    from ..ingest.readers import DocumentReadError, read_path
    from ..proposals.document import propose_document
    from ..proposals.evaluation import score_expected
    from ..yamlio import load_yaml

    stem = expected_path.name.removesuffix(".expected.yaml")
    docs = [p for p in expected_path.parent.glob(f"{stem}.*") if not p.name.endswith(".expected.yaml")]
    if len(docs) != 1:
        raise CommandError(f"{expected_path}: 找不到唯一对应的文件 {stem}.*")
    expected, _ = load_yaml(expected_path)
    try:
        proposal = propose_document(read_path(docs[0]))
    except DocumentReadError as exc:
        raise CommandError(str(exc)) from None
    try:
        score, missing = score_expected(expected, proposal)
    except (AttributeError, KeyError, TypeError) as exc:
        raise CommandError(
            f"{expected_path}: 格式不对（应有 clauses 列表，每项有 quote_start 和 kind）：{exc}"
        ) from None
    score.document = stem
    return score, missing


def cmd_evaluate_proposals(args: argparse.Namespace) -> None:
    """`evaluate-proposals`: leave-one-document-out on the curated documents, or ``--blind DIR``: each
    document in DIR against its ``<stem>.expected.yaml`` written by someone who never saw the output."""
    from ..corpus import load_policies
    from ..proposals.evaluation import Score, format_scores, leave_one_document_out

    lost: dict[str, list[str]] = {}
    if args.blind is None:
        scores = leave_one_document_out(load_policies())
    else:
        expected_files = sorted(args.blind.glob("*.expected.yaml")) if args.blind.is_dir() else []
        if not expected_files:
            raise CommandError(f"{args.blind}: 不是含 <名>.expected.yaml 的盲测目录")
        scores, total = [], Score("合计")
        for expected_path in expected_files:
            score, lost_quotes = _blind_score(expected_path)
            lost[score.document] = lost_quotes
            scores.append(score)
            total.add(score)
        scores.append(total)
    if args.format == "json":
        print(json.dumps({"documents": [s.as_dict() for s in scores], "unmatched": lost}, ensure_ascii=False, indent=2))
        return
    print(format_scores(scores))
    for stem, quotes in lost.items():
        for quote in quotes:
            print(f"{stem}: 未切分出以“{quote}”开头的条款")


def add_document_commands(
    add: Callable[[str, Callable[[argparse.Namespace], None], str], argparse.ArgumentParser],
) -> None:
    """Add ``add-document`` and ``export-policies`` to the CLI's parser through ``add``."""
    from ..paths import POLICIES

    p = add("add-document", cmd_add_document, "读入一份新的政策文件（HTML/DOCX/PDF/TXT），给出元数据与逐条建议")
    p.add_argument(
        "file", type=Path, metavar="政策文件", help="政策文件：网页另存的 .html、.docx、带文字层的 .pdf、.txt/.md"
    )
    p.add_argument("--meta", type=Path, default=None, help="元数据 YAML：其中的字段替换自动识别的值")
    p.add_argument("--publish", action="store_true", help="存入政策库并发布（条款标为待审核）")
    by(p)
    p.add_argument("--format", choices=["table", "json"], default="table")
    p = add("export-policies", cmd_export_policies, "把新增的政策文件导出为 policies/ 格式（原文、元数据、标注）")
    p.add_argument("-o", "--output", type=Path, default=POLICIES, help="导出到此目录（默认 policies/）")
    p.add_argument("--drafts", action="store_true", help="同时导出尚未发布的草稿")
    p = add("evaluate-proposals", cmd_evaluate_proposals, "自动建议的质量：留一文件交叉验证，或对照盲测标注")
    p.add_argument("--blind", type=Path, default=None, help="盲测目录：每份文件配一个 <名>.expected.yaml")
    p.add_argument("--format", choices=["table", "json"], default="table")
