"""A new policy document as policy staff bring it: read, cut into clauses, with proposed metadata and
proposed kind, benefits, audience, departments and conditions per clause, all unreviewed.

Nothing here stores anything: ``registry.documents`` keeps a proposal once someone saves it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..corpus import all_clauses
from ..corpus_models import Clause, Layout
from ..ingest.build import LOST_FLAG, build_lines
from ..ingest.clean import LOST_MARK
from ..ingest.meta_proposal import MetaProposal, propose_meta
from ..ingest.readers import SourceText
from ..tagger import ClauseTagger
from ..yamlio import DataError
from .clauses import ClauseProposal, apply_proposal, propose_clauses
from .metadata import short_title

MAX_CLAUSES = 2000  # a policy document has tens to hundreds; more is not one document


@lru_cache(maxsize=1)
def base_tagger() -> ClauseTagger:
    """The kind and benefit tagger trained on every curated clause of the shipped corpus (once per process)."""
    from ..engine import Recommender  # its cache reads the corpus faster than parsing the YAML again

    return ClauseTagger().fit([c for c in all_clauses(Recommender.load().policies) if c.curated])


def upload_id(source: SourceText) -> str:
    """A policy id for an uploaded text: ``doc-`` and 8 hex digits of its content (same text, same id)."""
    return "doc-" + hashlib.sha256("\n".join(source.lines).encode("utf-8")).hexdigest()[:8]


def proposed_meta(found: MetaProposal, policy_id: str) -> dict[str, Any]:
    """DocumentMeta fields as JSON from what the text says; unknown values stay None (never a default)."""
    title = found.title.value or ""
    return {
        "policy_id": policy_id,
        "title": title,
        "short_title": short_title(title),
        "issuer": found.issuer.value or "",
        "doc_number": found.doc_number.value,
        "issued": found.issued.value.isoformat() if found.issued.value else None,
        "valid_from": found.valid_from.value.isoformat() if found.valid_from.value else None,
        "valid_to": found.valid_to.value.isoformat() if found.valid_to.value else None,
        "applies_to": {
            "regions": list(found.regions.value or []),
            "parks": list(found.parks.value or []),
            **({"zone": found.zone.value} if found.zone.value else {}),
        },
    }


@dataclass
class DocumentProposal:
    """An uploaded document with its proposals: what ``add-document`` prints and the review page shows."""

    source: SourceText
    found: MetaProposal  # each metadata field with the words it rests on
    meta: dict[str, Any]  # DocumentMeta fields as JSON, overrides applied; may lack valid_from
    clauses: list[Clause]  # as built from the text, before any proposal
    proposals: list[ClauseProposal]

    def proposed_clauses(self) -> list[Clause]:
        """Each clause carrying its proposals, unreviewed."""
        return [apply_proposal(c, p) for c, p in zip(self.clauses, self.proposals, strict=True)]

    def as_dict(self) -> dict[str, Any]:
        """The ``add-document --format json`` document (../shared/spec/cli.md), with the quotes each
        metadata field rests on under ``found`` and each clause's flags (e.g. characters lost)."""
        return {
            "document": {**self.meta, "source": self.source.name, "format": self.source.format},
            "found": self.found.as_dict(),
            "clauses": [
                {
                    "clause_id": c.id,
                    "title": c.title,
                    "text": c.text,
                    "source_lines": list(c.provenance.lines),
                    "proposed": p.as_dict(),
                    "reviewed": False,
                    "flags": list(c.flags),
                }
                for c, p in zip(self.clauses, self.proposals, strict=True)
            ],
        }


def propose_document(source: SourceText, overrides: dict[str, Any] | None = None) -> DocumentProposal:
    """Read ``source`` into clauses and propose everything about it; ``overrides`` (e.g. from ``--meta``)
    replace proposed metadata fields. DataError when the text has no clause at all."""
    found = propose_meta(source.lines, source.title)
    overrides = dict(overrides or {})
    policy_id = str(overrides.get("policy_id") or upload_id(source))
    meta = {**proposed_meta(found, policy_id), **overrides}
    if "title" in overrides and "short_title" not in overrides:
        meta["short_title"] = short_title(str(overrides["title"]))
    clauses = build_lines(policy_id, Layout(), source.lines, f"upload:{source.name}")
    if not clauses:
        raise DataError(f"{source.name}: 未能从文件中分出任何条款（没有“一、”“（一）”“第一条”等条目，也没有成段正文）")
    if len(clauses) > MAX_CLAUSES:
        raise DataError(f"{source.name}: 分出 {len(clauses)} 条，超过 {MAX_CLAUSES} 条上限；请确认这是单份政策文件")
    for clause in clauses:
        if LOST_MARK in clause.text and LOST_FLAG not in clause.flags:
            clause.flags.append(LOST_FLAG)
    regions = list(meta.get("applies_to", {}).get("regions") or [])
    return DocumentProposal(source, found, meta, clauses, propose_clauses(clauses, base_tagger(), regions))
