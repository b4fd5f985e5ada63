"""`python -m recommender COMMAND …` — the stable command line (../shared/spec/cli.md)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

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


def cmd_tagger(args: argparse.Namespace) -> None:
    from .corpus import all_clauses, load_policies
    from .tagger import cross_validate

    scores = cross_validate(all_clauses(load_policies()), folds=args.folds)
    _print_json(scores) if args.format == "json" else print(
        "\n".join(f"{k}: {v:.3f}" if isinstance(v, float) else f"{k}: {v}" for k, v in scores.items())
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m recommender", description="政策北斗：上海企业政策匹配")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, func: Callable[[argparse.Namespace], None], help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help)
        p.set_defaults(func=func)
        return p

    add("ingest", cmd_ingest, "从 policies/sources 重建条款库")
    add("corpus", cmd_corpus, "列出文件与条款数").add_argument("--format", choices=["table", "json"], default="table")
    p = add("tagger", cmd_tagger, "自动标注器的交叉验证准确率")
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--format", choices=["table", "json"], default="table")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        args.func(args)
    except (DataError, UsageError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    return 0
