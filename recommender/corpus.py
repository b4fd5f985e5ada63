"""Loading the built corpus (policies/clauses/*.yaml)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .corpus_models import Clause, DocumentMeta, PolicyFile
from .paths import CLAUSES
from .yamlio import DataError, load_yaml, validate


def load_policies(directory: Path = CLAUSES) -> list[PolicyFile]:
    """Every policy file under ``directory`` (sorted by file name), validated.

    DataError when there is none (ingest has not run) or a file does not validate (file and line).
    """
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise DataError(f"{directory}: 没有条款文件，请先运行 python -m recommender ingest")
    policies = []
    for path in files:
        data, node = load_yaml(path)
        policies.append(validate(PolicyFile, data, path, node))
    return sorted(policies, key=lambda p: p.order)


def is_valid(doc: DocumentMeta, as_of: dt.date) -> bool:
    """Whether the document is in force on ``as_of`` (an open end counts as in force)."""
    return doc.valid_from <= as_of and (doc.valid_to is None or as_of <= doc.valid_to)


def validity(doc: DocumentMeta, as_of: dt.date) -> str:
    """The document's validity at ``as_of`` as the CLI contract names it: in_force | not_yet | ended."""
    if as_of < doc.valid_from:
        return "not_yet"
    return "ended" if doc.valid_to is not None and as_of > doc.valid_to else "in_force"


def corpus_summary(policies: list[PolicyFile]) -> dict:
    """The `corpus` command's JSON (../shared/spec/cli.md), with a few added keys."""
    documents = []
    for p in policies:
        d = p.document
        kinds = [c.kind for c in p.clauses]
        documents.append(
            {
                "policy_id": d.policy_id,
                "title": d.title,
                "issuer": d.issuer,
                "doc_number": d.doc_number,
                "issued": d.issued.isoformat() if d.issued else None,
                "issued_year": d.issued_year or (d.issued.year if d.issued else None),
                "valid_from": d.valid_from.isoformat(),
                "valid_to": d.valid_to.isoformat() if d.valid_to else None,
                "date_note": d.date_note,
                "applies_to": d.applies_to.model_dump(exclude_defaults=True),
                "source": p.source,
                "clauses": len(p.clauses),
                "measures": kinds.count("measure"),
                "leads": kinds.count("lead"),
                "internal_tasks": kinds.count("internal"),
                "table_rows_merged": sum(len(c.table_items) for c in p.clauses),
                "curated": sum(c.curated for c in p.clauses),
            }
        )
    return {"documents": documents, "clauses": sum(d["clauses"] for d in documents)}


def all_clauses(policies: list[PolicyFile]) -> list[Clause]:
    """The clauses of all ``policies``, in document order."""
    return [c for p in policies for c in p.clauses]
