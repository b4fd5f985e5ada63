"""Build the clause corpus from the sources: clean → segment → link → annotate → write."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ..corpus_models import (
    Annotation,
    AnnotationFile,
    Clause,
    Curation,
    DocumentMeta,
    Layout,
    PolicyFile,
    Provenance,
    SourceMeta,
    TableItem,
)
from ..os_reasons import os_reason
from ..paths import ANNOTATIONS, CLAUSES, ROOT, SOURCES
from ..yamlio import DataError, dump_yaml, load_yaml, node_line, validate
from .clean import LOST_MARK, clean_line, repeated_lines
from .extract import repair_departments, split_department_note, targets
from .link import LINK_AT, MERGE_AT, best_article, containment
from .segment import BodyClause, paragraphs, segment, starts_part
from .tables import TableRow, parse_markdown, parse_tsv

LOST_FLAG = f"原文有字符丢失或乱码（以“{LOST_MARK}”标出），请对照原件"


def _region(policy_id: str, layout: Layout, lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The lines of one document inside its source file."""
    start, end = 0, len(lines)
    if layout.begins_at:
        start = next((i for i, (_, raw) in enumerate(lines) if layout.begins_at in clean_line(raw)), None)
        if start is None:
            raise DataError(f"{policy_id}: 找不到 begins_at 标记“{layout.begins_at}”")
        start += 1
    if layout.ends_before:
        end = next((i for i, (_, raw) in enumerate(lines) if i >= start and layout.ends_before in clean_line(raw)), end)
    return lines[start:end]


def _is_table_row(raw: str, table: str | None) -> bool:
    if table == "markdown":
        return raw.lstrip().startswith("|")
    if table == "tsv":
        return sum(1 for c in raw.split("\t") if c.strip()) >= 2
    return False


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def build_document(meta: DocumentMeta, source: Path) -> list[Clause]:
    """The clauses of one document of ``source``: body articles and task-table rows, linked and annotated.

    DataError (file and line) when the source or its annotations do not fit the metadata.
    """
    try:
        text = source.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{_rel(source)}: 不是 UTF-8 编码的文本（第 {exc.start} 字节起无法解码）：请另存为 UTF-8 后再运行"
        ) from exc
    except OSError as exc:
        raise DataError(f"{_rel(source)}: 无法读取（{os_reason(exc)}）") from exc
    return build_lines(meta.policy_id, meta.layout, text.split("\n"), _rel(source))


def build_lines(policy_id: str, layout: Layout, raw_lines: list[str], file: str) -> list[Clause]:
    """The clauses of document ``policy_id`` whose source text is ``raw_lines`` (provenance names ``file``
    and 1-based line numbers in ``raw_lines``): ``build_document`` for a file, the upload path for a text
    read from HTML, Word or PDF. DataError when the ``layout`` markers are not found."""
    lines = _region(policy_id, layout, list(enumerate(raw_lines, 1)))
    cut = next((i for i, (_, raw) in enumerate(lines) if _is_table_row(raw, layout.table)), len(lines))
    paras = paragraphs(lines[:cut], repeated_lines(raw_lines))
    if not layout.begins_at:  # cover letter and preamble come before the first chapter
        first = next((i for i, p in enumerate(paras) if starts_part(p.text)), 0)
        paras = paras[first:]
    body = segment(paras)
    rows: list[TableRow] = []
    if layout.table == "tsv":
        rows = parse_tsv(lines[cut:])
    elif layout.table == "markdown":
        rows = parse_markdown(lines[cut:])

    clauses: dict[str, Clause] = {}
    by_path: dict[str, Clause] = {}
    for part in body:
        text, lead, support = split_department_note(part.text)
        clause = Clause(
            id=f"{policy_id}/{part.path}",
            policy_id=policy_id,
            chapter=part.chapter,
            section=part.section,
            group=part.group,
            article_no=part.article_no,
            title=part.title,
            text=text,
            lead_departments=lead,
            support_departments=support,
            targets=targets(text),
            provenance=Provenance(file=file, lines=part.lines),
        )
        clauses[clause.id] = by_path[part.path] = clause
    known = {d for c in clauses.values() for d in c.lead_departments + c.support_departments}
    _add_table_rows(policy_id, rows, body, by_path, clauses, known, file)
    for clause in clauses.values():
        if LOST_MARK in clause.text or LOST_MARK in (clause.title or ""):
            clause.flags.append(LOST_FLAG)
    return list(clauses.values())


def _add_table_rows(
    policy_id: str,
    rows: list[TableRow],
    body: list[BodyClause],
    by_path: dict[str, Clause],
    clauses: dict[str, Clause],
    known: set[str],
    file: str,
) -> None:
    seen_labels: set[tuple[int | None, str]] = set()
    for row in rows:
        departments, unmended = repair_departments(row.departments, known)
        article, overlap = best_article(row, body)
        parent = by_path[article.path] if article else None
        label = f"{row.task_no}{row.label}" if row.task_no is not None else row.label
        if parent is not None and overlap >= MERGE_AT:
            parent.table_items.append(
                TableItem(
                    label=label,
                    text=row.text,
                    departments=departments,
                    deadline=row.deadline,
                    provenance=Provenance(file=file, lines=row.lines),
                )
            )
            if row.deadline and row.deadline not in (parent.deadline or ""):
                parent.deadline = "；".join(filter(None, [parent.deadline, row.deadline]))
            parent.flags += [f for f in row.flags if f not in parent.flags]
            continue
        number = row.label.strip("（）*") if row.task_no is not None else str(row.ordinal)
        leaf = f"t{row.task_no}.{number}" if row.task_no is not None else f"t{row.ordinal}"
        flags = list(row.flags)
        if (row.task_no, row.label) in seen_labels:
            flags.append(f"原表序号{row.label}重复，按位置为第{row.ordinal}项")
        seen_labels.add((row.task_no, row.label))
        if unmended:
            flags.append("原表责任单位在单元格边缘被截断，未能全部还原")
        clause = Clause(
            id=f"{policy_id}/{leaf}",
            policy_id=policy_id,
            chapter=parent.chapter if parent else None,
            section=parent.section if parent else row.task,
            label=label,
            title=row.title or row.task,
            text=row.text,
            lead_departments=departments,
            deadline=row.deadline,
            targets=targets(row.text),
            refines=parent.id if parent is not None and overlap >= LINK_AT else None,
            provenance=Provenance(file=file, lines=row.lines),
            flags=flags,
        )
        clauses[clause.id] = clause


def load_source_metas(sources: Path = SOURCES) -> list[tuple[Path, SourceMeta]]:
    """Each source text with its validated ``.meta.yaml``, sorted by file name.

    DataError when a metadata file has no text beside it or there is no metadata file at all.
    """
    metas = []
    for meta_path in sorted(sources.glob("*.meta.yaml")):
        data, node = load_yaml(meta_path)
        meta = validate(SourceMeta, data, meta_path, node)
        source = meta_path.with_name(meta_path.name.replace(".meta.yaml", ".txt"))
        if not source.exists():
            raise DataError(f"{_rel(meta_path)}:1: 找不到对应的原文 {source.name}")
        metas.append((source, meta))
    if not metas:
        raise DataError(f"{_rel(sources)}: 没有 *.meta.yaml 元数据文件")
    return metas


def load_annotations(policy_id: str, clause_ids: set[str], annotations: Path = ANNOTATIONS) -> dict[str, Annotation]:
    """The curated annotations of ``policy_id`` by clause id ({} when the file does not exist).

    DataError (file and line) when the file names another policy or a clause the source does not have.
    """
    path = annotations / f"{policy_id}.yaml"
    if not path.exists():
        return {}
    data, node = load_yaml(path)
    parsed = validate(AnnotationFile, data, path, node)
    if parsed.policy_id != policy_id:
        raise DataError(f"{_rel(path)}:{node_line(node, ('policy_id',))}: policy_id 应为 {policy_id}")
    for clause_id in parsed.clauses:
        if clause_id not in clause_ids:
            line = node_line(node, ("clauses", clause_id))
            raise DataError(f"{_rel(path)}:{line}: 未知条款 {clause_id}（原文中没有这一条）")
    return parsed.clauses


_SENTENCE_END = ("。", "；", "！", "？")


def _curate(clause: Clause, note: Curation) -> None:
    clause.kind, clause.benefits, clause.audience = note.kind, list(note.benefits), list(note.audience)
    clause.eligibility, clause.phrasings = list(note.eligibility), list(note.phrasings)
    clause.note, clause.curated = note.note, note.reviewed
    if note.departments is not None:
        clause.lead_departments, clause.support_departments = list(note.departments), []


def apply_annotation(clause: Clause, note: Annotation | None, annotations: Path = ANNOTATIONS) -> list[Clause]:
    """The clause with its annotation merged, or the sub-measures it is split into (``note.parts``).

    A part keeps the clause's place, departments and provenance, and the task-table rows folded into
    the clause go to the part they repeat most (``link.containment``). The parts' texts, in order,
    must make up the clause's text exactly, whole sentences, nothing left out or repeated (DataError
    naming the annotation file and the clause otherwise).
    """
    if note is None:
        return [clause]
    if not note.parts:
        _curate(clause, note)
        return [clause]
    path = _rel(annotations / f"{clause.policy_id}.yaml")
    pieces = [part.text for part in note.parts.values()]
    if "".join(pieces) != clause.text:
        where = next((k for k, p in zip(note.parts, pieces, strict=True) if p not in clause.text), None)
        what = f"分项 {where} 的 text 不是该条原文中的句子" if where else "各分项的 text 须按顺序拼成该条全文，不重不漏"
        raise DataError(f"{path}: {clause.id}：{what}")
    cut = next((k for k, p in zip(note.parts, pieces[:-1], strict=False) if not p.endswith(_SENTENCE_END)), None)
    if cut is not None:
        raise DataError(f"{path}: {clause.id}：分项 {cut} 须以整句结束（以。；！？结尾）")
    rows: list[list[TableItem]] = [[] for _ in pieces]
    for item in clause.table_items:
        scores = [containment(item.text, text) for text in pieces]
        rows[scores.index(max(scores))].append(item)
    parts = []
    for (key, part), items in zip(note.parts.items(), rows, strict=True):
        sub = clause.model_copy(
            update={
                "id": f"{clause.id}#{key}",
                "text": part.text,
                "table_items": items,
                "targets": targets(part.text),
                "part_of": clause.id,
                "flags": list(clause.flags),
            },
            deep=True,
        )
        _curate(sub, part)
        parts.append(sub)
    return parts


def build_corpus(sources: Path = SOURCES, annotations: Path = ANNOTATIONS) -> list[PolicyFile]:
    """Everything in memory and checked; nothing is written here."""
    from ..tagger import propose

    built: list[PolicyFile] = []
    policy_ids: set[str] = set()
    for source, meta in load_source_metas(sources):
        for doc in meta.documents:
            if doc.policy_id in policy_ids:
                raise DataError(f"{doc.policy_id}: policy_id 重复")
            policy_ids.add(doc.policy_id)
            clauses = build_document(doc, source)
            curated = load_annotations(doc.policy_id, {c.id for c in clauses}, annotations)
            clauses = [part for c in clauses for part in apply_annotation(c, curated.get(c.id), annotations)]
            built.append(PolicyFile(source=_rel(source), order=len(built), document=doc, clauses=clauses))
    propose(built)
    return built


def write_corpus(built: list[PolicyFile], target: Path = CLAUSES) -> None:
    """Replace the built corpus as a whole, so a failed build leaves the old one untouched."""
    staging = target.with_name(f".{target.name}.new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for policy in built:
        data = policy.model_dump(mode="json", exclude_defaults=True)
        data["document"] = policy.document.model_dump(mode="json", exclude_defaults=True)
        header = (
            f"# Built by `python -m recommender ingest` from {policy.source}; edit the annotations, not this file.\n"
        )
        (staging / f"{policy.document.policy_id}.yaml").write_text(header + dump_yaml(data), encoding="utf-8")
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)


def ingest(sources: Path = SOURCES, annotations: Path = ANNOTATIONS, target: Path = CLAUSES) -> list[PolicyFile]:
    """Build the corpus from ``sources`` and ``annotations`` and replace ``target`` with it; return it."""
    built = build_corpus(sources, annotations)
    write_corpus(built, target)
    return built
