"""`python -m recommender COMMAND …` — the stable command line (../shared/spec/cli.md)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path

from .profile import ProfileError
from .yamlio import DataError


class UsageError(Exception):
    """Bad input from the user: one clear line, exit code 2."""


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def cmd_ingest(args: argparse.Namespace) -> None:
    from .ingest import ingest

    built = ingest()
    for policy in built:
        kinds = [c.kind for c in policy.clauses]
        print(
            f"{policy.document.policy_id}: {len(policy.clauses)} 条"
            f"（措施 {kinds.count('measure')}，内部任务 {kinds.count('internal')}，"
            f"人工审核 {sum(c.curated for c in policy.clauses)}）"
        )
    print(f"合计 {sum(len(p.clauses) for p in built)} 条，已写入 policies/clauses/")


def cmd_corpus(args: argparse.Namespace) -> None:
    from .corpus import corpus_summary, load_policies

    summary = corpus_summary(load_policies())
    if args.format == "json":
        _print_json(summary)
        return
    for d in summary["documents"]:
        valid = f"{d['valid_from']} ~ {d['valid_to'] or '未规定'}"
        print(f"{d['policy_id']:<18} {d['clauses']:>4} 条  {d['doc_number'] or '（无文号）':<16} {valid}  {d['title']}")
    print(f"合计 {summary['clauses']} 条")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD（收到“{text}”）") from None


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def cmd_recommend(args: argparse.Namespace) -> None:
    from .engine import Recommender
    from .profile import read_profile

    profile = read_profile(args.profile)
    rec = Recommender.load().recommend(
        profile, top=args.top, as_of=args.as_of, include_ineligible=args.include_ineligible
    )
    if args.format == "json":
        _print_json(rec.as_dict())
        return
    print(f"{profile.name}（{profile.region}）  政策有效性判断日期：{rec.as_of}  共 {len(rec.results)} 条")
    for r in rec.results:
        d = r.as_dict()
        head = f"{r.rank:>2}. [{d['status_label']}] {d['score']:.2f}  {_short(r.clause.title or r.clause.text, 30)}"
        print(head + f"  —— {r.document.short_title}")
        for reason in r.verdict.reasons[:2]:
            print(f"      ✓ {_short(reason, 70)}")
        for gap in r.verdict.gaps[:2]:
            print(f"      ✗ {_short(gap.message, 70)}")
        if r.clause.departments:
            print(f"      联系：{'、'.join(r.clause.departments[:3])}")


def cmd_tagger(args: argparse.Namespace) -> None:
    from .corpus import all_clauses, load_policies
    from .tagger import cross_validate

    scores = cross_validate(all_clauses(load_policies()), folds=args.folds)
    _print_json(scores) if args.format == "json" else print(
        "\n".join(f"{k}: {v:.3f}" if isinstance(v, float) else f"{k}: {v}" for k, v in scores.items())
    )


def cmd_curation(args: argparse.Namespace) -> None:
    from .ingest.build import build_document, load_annotations, load_source_metas

    for source, meta in load_source_metas():
        for doc in meta.documents:
            if args.policy_id and doc.policy_id != args.policy_id:
                continue
            clauses = build_document(doc, source)
            annotations = load_annotations(doc.policy_id, {c.id for c in clauses})
            missing = [c.id for c in clauses if c.id not in annotations]
            print(f"{doc.policy_id}: {len(annotations)}/{len(clauses)} 条已标注")
            for clause_id in missing:
                print(f"  未标注 {clause_id}")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, no usage dump
        print(f"错误：{self.prog}: {message}", file=sys.stderr)
        sys.exit(2)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m recommender", description="政策北斗：上海企业政策匹配")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def add(name: str, func: Callable[[argparse.Namespace], None], help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help)
        p.set_defaults(func=func)
        return p

    add("ingest", cmd_ingest, "从 policies/sources 重建条款库")
    add("corpus", cmd_corpus, "列出文件与条款数").add_argument("--format", choices=["table", "json"], default="table")
    add("curation", cmd_curation, "检查人工标注文件并列出未标注条款").add_argument("policy_id", nargs="?")
    p = add("recommend", cmd_recommend, "为一家企业推荐适用措施")
    p.add_argument("profile", type=Path, help="企业档案 JSON")
    p.add_argument("--top", type=int, default=10)
    p.add_argument("--as-of", type=_date, default=None, help="判断政策有效性的日期，默认今天")
    p.add_argument("--include-ineligible", action="store_true")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p = add("tagger", cmd_tagger, "自动标注器的交叉验证准确率")
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--format", choices=["table", "json"], default="table")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        args.func(args)
    except (DataError, UsageError, ProfileError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    return 0
