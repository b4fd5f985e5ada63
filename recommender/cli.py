"""`python -m recommender COMMAND …` — the stable command line (../shared/spec/cli.md)."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from .cli_parser import COMMAND, DATE, OUTPUT, PROFILE, ROSTER, ROSTER_HELP, Parser
from .cli_parser import date_argument as _date
from .clock import today
from .os_reasons import os_reason
from .profile import ProfileError
from .registry.commands import CommandError
from .shortened import shortened
from .yamlio import DataError

if TYPE_CHECKING:
    from .engine import Recommender
    from .profile import Profile


FORMAT_HELP = "输出格式：table（给人看的表格，默认）或 json"


class UsageError(Exception):
    """Bad input from the user: one clear line, exit code 2."""


def _engine() -> Recommender:
    """The live engine (shipped corpus and published added documents); a warning line on stderr when the
    added documents cannot be read."""
    from .services.library import live_recommender

    engine, warning = live_recommender()
    if warning:
        print(f"提示：{warning}", file=sys.stderr)
    return engine


def _profile(path: Path) -> Profile:
    """The profile in ``path``; the unit conversions its reading applied are said on stderr."""
    from .profile import conversion_notes, load_json, parse_profile, source_name

    data = load_json(path)
    profile = parse_profile(data, source_name(path))
    for note in conversion_notes(data):
        print(f"{source_name(path)}: 单位换算：{note}", file=sys.stderr)
    return profile


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def cmd_ingest(args: argparse.Namespace) -> None:
    """`ingest`: rebuild policies/clauses/ from the sources and annotations; print clause counts per document."""
    from .ingest import ingest

    built = ingest()
    for policy in built:
        kinds = [c.kind for c in policy.clauses]
        print(
            f"{policy.document.policy_id}: {len(policy.clauses)} 条"
            f"（措施 {kinds.count('measure')}，线索 {kinds.count('lead')}，内部任务 {kinds.count('internal')}，"
            f"人工审核 {sum(c.curated for c in policy.clauses)}）"
        )
    print(f"合计 {sum(len(p.clauses) for p in built)} 条，已写入 policies/clauses/")


def cmd_corpus(args: argparse.Namespace) -> None:
    """`corpus`: the documents with their metadata and clause counts, as a table or JSON."""
    from .corpus import corpus_summary

    summary = corpus_summary(_engine().policies)
    if args.format == "json":
        _print_json(summary)
        return
    for d in summary["documents"]:
        valid = f"{d['valid_from']} ~ {d['valid_to'] or '未规定'}"
        print(f"{d['policy_id']:<18} {d['clauses']:>4} 条  {d['doc_number'] or '（无文号）':<16} {valid}  {d['title']}")
    print(f"合计 {summary['clauses']} 条")


def _positive(text: str) -> int:
    """A count given on the command line: a whole number from 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为正整数（收到“{text}”）") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"应为正整数（收到“{text}”）")
    return value


def _output(suffix: str) -> Callable[[str], Path]:
    """An output path that must end in ``suffix`` (a .csv name on an Excel file misleads whoever opens it)."""

    def check(text: str) -> Path:
        path = Path(text)
        if path.suffix.lower() != suffix:
            raise argparse.ArgumentTypeError(f"输出文件应以 {suffix} 结尾（收到“{text}”）")
        return path

    return check


def cmd_recommend(args: argparse.Namespace) -> None:
    """`recommend`: ranked measures for one profile, with reasons, gaps and contacts (table or JSON)."""

    from .criteria.report import MARKS
    from .library_scope import district_note

    profile = _profile(args.profile)
    engine = _engine()
    rec = engine.recommend(
        profile, top=args.top, as_of=args.as_of, include_ineligible=args.include_ineligible, leads=not args.no_leads
    )
    if args.format == "json":
        _print_json(rec.as_dict())
        return
    print(f"{profile.name}（{profile.region}）  政策有效性判断日期：{rec.as_of}  共 {len(rec.results)} 条")
    if note := district_note(profile.region, engine.documents.values(), rec.as_of, profile.park):
        print(f"提示：{note}")
    for r in rec.results:
        d = r.as_dict()
        head = f"{r.rank:>2}. [{d['status_label']}] {d['score']:.2f}  {shortened(r.clause.heading, 40)}"
        print(head + f"  —— {r.document.short_title}")
        for reason in r.verdict.reasons[:2]:
            print(f"      ✓ {shortened(reason, 70)}")
        for gap in r.verdict.gaps[:2]:  # ✗ not met, ? not known (criteria.report's marks)
            print(f"      {MARKS.get(gap.state or '', '·')} {shortened(gap.message, 70)}")
        if r.clause.departments:
            print(f"      联系：{'、'.join(r.clause.departments[:3])}")


def cmd_readiness(args: argparse.Namespace) -> None:
    """`readiness`: each qualification met / not met / unknown with its gaps; ``--pathways`` adds what each unlocks."""
    from .criteria.readiness import check_readiness, unlock_pathways
    from .criteria.report import readiness_document, readiness_lines

    profile = _profile(args.profile)
    as_of = args.as_of
    results = check_readiness(profile, as_of)
    pathways = None
    if args.pathways:
        pathways = unlock_pathways(
            _engine().recommend(profile, top=None, as_of=as_of, include_ineligible=True), results
        )
    if args.format == "json":
        _print_json(readiness_document(profile, as_of, results, pathways))
        return
    print("\n".join(readiness_lines(profile, as_of, results, pathways)))


def cmd_tagger(args: argparse.Namespace) -> None:
    """`tagger`: the auto-tagger's cross-validated accuracy over the curated clauses."""
    from .corpus import all_clauses, load_policies
    from .tagger import cross_validate

    scores = cross_validate(all_clauses(load_policies()), folds=args.folds)
    _print_json(scores) if args.format == "json" else print(
        "\n".join(f"{k}: {v:.3f}" if isinstance(v, float) else f"{k}: {v}" for k, v in scores.items())
    )


def cmd_curation(args: argparse.Namespace) -> None:
    """`curation`: per document, how many clauses are annotated, and the ids of those that are not."""
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


def _write(path: Path, data: bytes) -> None:
    """``data`` written to ``path``, which appears only whole (``whole_file``: a full disk left half a .docx
    under its name); UsageError when it cannot be written."""
    from .services.batch import whole_file

    try:
        with whole_file(path) as part:
            part.write_bytes(data)
    except FileNotFoundError:
        raise UsageError(f"{path}: 无法写入（所在目录不存在）") from None
    except OSError as exc:
        raise UsageError(f"{path}: 无法写入（{os_reason(exc)}）") from None


def cmd_sheet(args: argparse.Namespace) -> None:
    """`sheet`: one enterprise's consultation sheet as a .docx; UsageError when it cannot be written."""
    from .services.sheet import consultation_sheet

    profile = _profile(args.profile)
    sheet = consultation_sheet(_engine(), profile, args.as_of, top=args.top)
    _write(args.output, sheet.docx)
    c = sheet.consultation
    print(f"已写入 {args.output}：{c.profile.name}，{len(c.measures)} 条措施（政策有效性判断日期 {c.as_of}）")


def cmd_batch(args: argparse.Namespace) -> None:
    """`batch`: match a roster; bad rows to stderr, the Excel summary (and optionally a zip of sheets) written
    row by row, with progress lines on stderr when it is a terminal (reading, then matching).

    UsageError when the roster cannot be read, has no good row, or an output cannot be written; an output
    appears under its name only when complete.
    """
    from .progress import Bar
    from .roster import RosterError, read_roster_file
    from .services.batch import write_batch

    if any(out is not None and out.resolve() == args.roster.resolve() for out in (args.output, args.zip)):
        raise UsageError(f"{args.roster}: 输出文件不能是名单本身（会覆盖名单），请换一个文件名")
    try:
        with Bar(f"读取 {args.roster.name}") as bar:
            roster = read_roster_file(args.roster, progress=bar)
    except RosterError as exc:
        raise UsageError(str(exc)) from None
    for note in roster.file_notes():
        print(f"{args.roster}: {note}", file=sys.stderr)
    for bad in roster.bad:
        print(f"{args.roster}: {bad}", file=sys.stderr)
    if not roster.rows:
        raise UsageError(f"{args.roster}: 没有可用的企业行（{len(roster.bad)} 行有误）")
    try:
        with Bar("匹配并写入") as bar:
            matched = write_batch(
                _engine(), roster, args.as_of, args.output, args.zip, top=args.top, progress=bar, stage=bar.say
            )
    except FileNotFoundError as exc:
        raise UsageError(f"{exc.filename}: 无法写入（所在目录不存在）") from None
    except OSError as exc:
        raise UsageError(f"{exc.filename or args.output}: 无法写入（{os_reason(exc)}）") from None
    written = f"{args.output}" + (f" 和 {args.zip}" if args.zip else "")
    print(f"已写入 {written}：{matched} 家企业，{len(roster.bad)} 行有误未导入")


def cmd_read_roster(args: argparse.Namespace) -> None:
    """`read-roster`: how a roster is understood (each row's profile, the conversions, the refused rows
    with reasons), nothing matched or stored; UsageError when the file cannot be read at all."""
    from .profile_fields import shown_fields
    from .roster import RosterError, preview, read_roster_file

    try:
        roster = read_roster_file(args.roster)
    except RosterError as exc:
        raise UsageError(str(exc)) from None
    data = preview(roster, str(args.roster))
    if args.format == "json":
        _print_json(data)
        return
    header = f"表头在第 {roster.header_row} 行；" if roster.header_row else ""
    print(f"{args.roster}：{header}{len(roster.rows)} 行可用，{len(roster.bad)} 行有误")
    for note in roster.file_notes():
        print(f"  {note}")
    for row in roster.rows:
        print(
            f"第 {row.row} 行：" + "；".join(f"{label} {value}" for label, value in shown_fields(row.profile).items())
        )
        for note in row.notes:
            print(f"    换算：{note}")
    for bad in roster.bad:
        print(str(bad))


def cmd_evaluate(args: argparse.Namespace) -> None:
    """`evaluate`: ranking quality on the labelled set with ablations; ``--tune`` adds cross-validated weights.

    UsageError when ``--folds`` < 2 or ``--step`` does not divide 1.
    """
    from dataclasses import asdict

    from .engine import Recommender
    from .evalset import load_cases
    from .evaluation import evaluate, format_table, tune

    if args.folds < 2:
        raise UsageError(f"--folds 应至少为 2（收到 {args.folds}）")
    if not 0 < args.step <= 0.5 or abs(round(1 / args.step) * args.step - 1) > 1e-9:
        raise UsageError(f"--step 应能整除 1，如 0.1、0.05（收到 {args.step}）")
    engine = Recommender.load()
    if args.phrases is not None:
        from .phrase_eval import evaluate_phrases, format_phrases, load_phrase_cases

        phrases = evaluate_phrases(load_phrase_cases(args.phrases), engine, Recommender.load(domain=False))
        _print_json(phrases) if args.format == "json" else print(format_phrases(phrases))
        return
    cases = load_cases(clauses=engine.clauses)
    result = evaluate(cases, engine)
    if args.tune:
        result["tuning"] = asdict(tune(engine, cases, n_folds=args.folds, step=args.step))
    if args.format == "json":
        _print_json(result)
        return
    print(format_table(result))
    if args.tune:
        t = result["tuning"]
        print(f"\n{args.folds} 折交叉验证（网格步长 {args.step}，{t['grid_size']} 组权重）：")
        print("  选出的权重：" + "，".join(f"{k} {v:g}" for k, v in t["weights"].items()))
        names = {
            "held_out": "留出集（调优）",
            "held_out_current": "同样分折的现用权重",
            "in_sample": "全集（调优，偏乐观）",
        }
        for key, name in names.items():
            m = t[key]
            print(f"  {name}：nDCG@10 {m['ndcg_at_10']:.3f}，Recall@5 {m['recall_at_5']:.3f}，MRR {m['mrr']:.3f}")


def cmd_bench(args: argparse.Namespace) -> None:
    """`bench`: speed and memory benchmarks (``benchmarks/``, imported here only); UsageError on bad ``--sizes``."""
    from benchmarks.report import format_table  # the one import of benchmarks/ from the runtime package
    from benchmarks.suite import run

    try:
        sizes = tuple(int(x) for x in args.sizes.split(",") if x.strip())
    except ValueError:
        raise UsageError(f"--sizes 应为逗号分隔的条款数，如 1000,10000（收到“{args.sizes}”）") from None
    if not sizes or min(sizes) < 10:
        raise UsageError(f"--sizes 应为不小于 10 的条款数（收到“{args.sizes}”）")
    result = run(sizes, quick=args.quick)
    _print_json(result) if args.format == "json" else print(format_table(result))


def _parser() -> argparse.ArgumentParser:
    # the name people typed, in usage and error lines: the installed command, or the module
    prog = "beidou" if Path(sys.argv[0]).stem == "beidou" else "python -m recommender"
    parser = Parser(prog=prog, description="政策北斗：上海企业政策匹配")
    sub = parser.add_subparsers(title=COMMAND, dest="command", metavar=COMMAND, required=True, parser_class=Parser)

    def add(name: str, func: Callable[[argparse.Namespace], None], help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help)
        p.set_defaults(func=func)
        return p

    add("ingest", cmd_ingest, "从 policies/sources 重建条款库")
    add("corpus", cmd_corpus, "列出文件与条款数").add_argument(
        "--format", choices=["table", "json"], default="table", help=FORMAT_HELP
    )
    add("curation", cmd_curation, "检查人工标注文件并列出未标注条款").add_argument(
        "policy_id", nargs="?", metavar="政策编号", help="只看这份文件（政策编号，如 pd-hnte-2023）"
    )
    p = add("recommend", cmd_recommend, "为一家企业推荐适用措施")
    p.add_argument("profile", type=Path, metavar=PROFILE, help="企业档案 JSON（- 表示从标准输入读取）")
    p.add_argument("--top", type=_positive, default=10, metavar="条数", help="列出的条数，默认 10")
    p.add_argument("--as-of", type=_date, default=today(), metavar=DATE, help="判断政策有效性的日期，默认今天")
    p.add_argument("--include-ineligible", action="store_true", help="也列出不符合条件的措施")
    p.add_argument("--no-leads", action="store_true", help="不列可关注线索（产业方向、服务、联系窗口），只列措施")
    p.add_argument("--format", choices=["table", "json"], default="table", help=FORMAT_HELP)
    p = add("readiness", cmd_readiness, "对照资质认定条件（高企、科小、专精特新等），看还差什么")
    p.add_argument("profile", type=Path, metavar=PROFILE, help="企业档案 JSON（- 表示从标准输入读取）")
    p.add_argument("--as-of", type=_date, default=today(), metavar=DATE, help="按哪一天的认定标准判断，默认今天")
    p.add_argument("--pathways", action="store_true", help="同时列出取得各资质后可解锁的措施")
    p.add_argument("--format", choices=["table", "json"], default="table", help=FORMAT_HELP)
    p = add("sheet", cmd_sheet, "为一家企业生成政策咨询单（Word）")
    p.add_argument("profile", type=Path, metavar=PROFILE, help="企业档案 JSON（- 表示从标准输入读取）")
    p.add_argument("-o", "--output", type=_output(".docx"), required=True, metavar=OUTPUT, help="输出的 .docx 文件")
    p.add_argument("--as-of", type=_date, default=today(), metavar=DATE, help="判断政策有效性的日期，默认今天")
    p.add_argument("--top", type=_positive, default=10, metavar="条数", help="列出的措施条数")
    p = add("batch", cmd_batch, "为企业名单（CSV/XLSX）批量匹配，输出 Excel 汇总")
    p.add_argument("roster", type=Path, metavar=ROSTER, help=ROSTER_HELP)
    p.add_argument("-o", "--output", type=_output(".xlsx"), required=True, metavar=OUTPUT, help="输出的 .xlsx 文件")
    p.add_argument("--as-of", type=_date, default=today(), metavar=DATE, help="判断政策有效性的日期，默认今天")
    p.add_argument("--top", type=_positive, default=10, metavar="条数", help="每家企业列出的措施条数")
    zipped = "另存每家企业的咨询单（Word）到此 .zip 文件"
    p.add_argument("--zip", type=_output(".zip"), default=None, metavar="压缩包", help=zipped)
    p = add("read-roster", cmd_read_roster, "预览企业名单（CSV/XLSX）如何读入：每行档案、单位换算、有误的行")
    p.add_argument("roster", type=Path, metavar=ROSTER, help=ROSTER_HELP)
    p.add_argument("--format", choices=["table", "json"], default="table", help=FORMAT_HELP)
    p = add("tagger", cmd_tagger, "自动标注器的交叉验证准确率")
    p.add_argument("--folds", type=int, default=5, help="交叉验证折数，默认 5")
    p.add_argument("--format", choices=["table", "json"], default="table", help=FORMAT_HELP)
    p = add("evaluate", cmd_evaluate, "在标注评测集上衡量推荐质量（各配置对比）")
    p.add_argument("--tune", action="store_true", help="同时用交叉验证在网格上选择排序权重")
    p.add_argument("--folds", type=int, default=5, help="交叉验证折数，默认 5")
    p.add_argument("--step", type=float, default=0.1, help="权重网格步长")
    p.add_argument(
        "--phrases", type=Path, default=None, help="改用短语评测集（JSON lines，如项目外的盲测集），各配置对比"
    )
    p.add_argument("--format", choices=["table", "json"], default="table", help=FORMAT_HELP)
    p = add("bench", cmd_bench, "速度与内存基准（合成条款库、冷启动、批量）")
    p.add_argument("--sizes", default="1000,10000,100000", help="合成条款库规模，逗号分隔")
    p.add_argument("--quick", action="store_true", help="只跑最小规模、少量重复（冒烟测试）")
    p.add_argument("--format", choices=["table", "json"], default="table", help=FORMAT_HELP)
    from .registry.commands import add_commands  # the registry's commands (SQLAlchemy loads on use only)

    add_commands(add, _date)
    from .registry.document_commands import add_document_commands

    add_document_commands(add)
    from .registry.account_commands import add_account_commands

    add_account_commands(add)
    return parser


def run() -> NoReturn:
    """The command's process (``python -m recommender``, ``beidou``): ``main``, then exit with its code. A command
    stopped by a signal has removed its unfinished files by then and exits at once: the interpreter's exit
    would wait for any child process still there (a batch's worker), which ends itself when its parent is
    gone."""
    from .stopping import HANDLED, stopped_code

    code = main()
    if code in {stopped_code(s) for s in HANDLED}:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


BROKEN_PIPE = 128 + signal.SIGPIPE  # the exit code of a command whose reader stopped, as a shell shows SIGPIPE's
HELPER_LOST = 1  # the exit code of a command one of whose helper processes was killed (nothing wrong in its input)


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the exit code: 0, or 2 after one Chinese line on stderr for bad input or data,
    HELPER_LOST after one line when a process it forked was killed, BROKEN_PIPE when its output's reader stopped
    before it finished (never 0: a batch stopped so keeps only the outputs complete by then, its last line
    unread), the stop's code after a signal (``stopping``)."""
    from .stopping import HelperLost, Stopped, stop_on_signals, stopped_code, stopped_words

    try:
        with stop_on_signals():
            args = _parser().parse_args(argv)
            args.func(args)
    except (DataError, UsageError, ProfileError, CommandError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except HelperLost as exc:  # a worker or writer killed (out of memory): its unfinished files removed
        print(f"错误：{exc}", file=sys.stderr)
        return HELPER_LOST
    except BrokenPipeError:  # the reader stopped early (… | head): the command stops unfinished, its files removed
        sys.stderr.close()
        return BROKEN_PIPE
    except KeyboardInterrupt as exc:  # Ctrl-C, SIGTERM, SIGHUP: a file being written is removed (its .part)
        signum = exc.signum if isinstance(exc, Stopped) else signal.SIGINT
        print(f"{stopped_words(signum)}：未完成的输出文件未保留", file=sys.stderr)
        return stopped_code(signum)
    return 0
