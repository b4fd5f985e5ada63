"""Added documents written back in the ``policies/`` format, to be reviewed and shipped like the rest.

Per document: ``sources/u_<policy_id>.txt`` (the text as read), ``sources/u_<policy_id>.meta.yaml``
and ``annotations/<policy_id>.yaml`` (each clause's rule as it stands, ``reviewed: false`` while
any proposal of it is undecided). ``python -m recommender ingest`` then rebuilds them as shipped clauses.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..paths import POLICIES
from ..proposals.metadata import document_meta
from ..yamlio import dump_yaml
from .documents import effective
from .models import StaffDocument

HEADER = "# Exported by `python -m recommender export-policies` from the documents policy staff added ({state}).\n"


def _annotation(document: StaffDocument) -> dict:
    clauses = {}
    for row in document.clauses:
        clause = effective(row)
        note = {
            "kind": clause.kind,
            "benefits": clause.benefits,
            "audience": clause.audience,
            "eligibility": [c.model_dump(mode="json", exclude_defaults=True) for c in clause.eligibility],
            "note": clause.note,
            "reviewed": clause.curated,
            "departments": clause.lead_departments,
        }
        clauses[clause.id] = {k: v for k, v in note.items() if v not in ([], None)}
    return {"policy_id": document.policy_id, "clauses": clauses}


def export_policies(session: Session, target: Path = POLICIES, drafts: bool = False) -> list[Path]:
    """Write every published added document (and drafts when ``drafts``) under ``target``; return the
    files written. DataError when a document's metadata is incomplete (a draft not ready to ship)."""
    query = select(StaffDocument).order_by(StaffDocument.created_at, StaffDocument.policy_id)
    if not drafts:
        query = query.where(StaffDocument.state == "published")
    written = []
    for document in session.scalars(query):
        meta = document_meta(document.meta).model_dump(mode="json", exclude_defaults=True)
        sources, annotations = target / "sources", target / "annotations"
        sources.mkdir(parents=True, exist_ok=True)
        annotations.mkdir(parents=True, exist_ok=True)
        stem = sources / f"u_{document.policy_id}"
        header = HEADER.format(state="已发布" if document.state == "published" else "草稿")
        files = {
            stem.with_suffix(".txt"): "\n".join(document.lines) + "\n",
            stem.with_suffix(".meta.yaml"): header + dump_yaml({"documents": [meta]}),
            annotations / f"{document.policy_id}.yaml": header + dump_yaml(_annotation(document)),
        }
        for path, text in files.items():
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written
