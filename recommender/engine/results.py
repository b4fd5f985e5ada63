"""What a recommendation returns: ranked measures with their verdicts, as objects and as the CLI's JSON."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..corpus_models import Clause, DocumentMeta
from ..eligibility.status import status_label
from ..eligibility.verdict import Gap, Verdict
from ..profile import Profile


@dataclass
class Result:
    """One ranked measure: the clause, its document, score, verdict, validity and matched words."""

    rank: int
    clause: Clause
    document: DocumentMeta
    score: float
    verdict: Verdict
    valid: bool
    matched_terms: list[str] = field(default_factory=list)
    explanations: list[str] = field(default_factory=list)  # needs served, words shared (explain.why)
    components: dict[str, float] = field(default_factory=dict)
    validity: str = "in_force"  # in_force | not_yet | ended at the as-of date (corpus.validity)

    @property
    def status(self) -> str:
        """The rule status code (eligible | partial | unknown | ineligible)."""
        return self.verdict.status

    @property
    def gaps(self) -> list[Gap]:
        """The open conditions, as the verdict states them."""
        return self.verdict.gaps

    def as_dict(self) -> dict[str, Any]:
        """The result as the CLI contract's JSON object (``recommend --format json``), plus additions."""
        c, d = self.clause, self.document
        return {
            "rank": self.rank,
            "clause_id": c.id,
            "policy_id": c.policy_id,
            "policy_title": d.title,
            "text": c.text,
            "score": round(self.score, 4),
            "status": self.status,
            "reasons": self.verdict.reasons + self.explanations,
            "gaps": [g.as_dict() for g in self.verdict.gaps],
            "departments": c.departments,
            "valid": self.valid,
            "validity": self.validity,
            "kind": c.kind,
            "reviewed": c.curated,  # the rule rests on a person's annotation, not only on proposals
            # additions to the contract
            "status_label": status_label(
                self.status, self.valid, c.kind, not_yet=self.validity == "not_yet", reviewed=c.curated
            ),
            "title": c.title,
            "label": c.label,
            "section": c.section,
            "benefits": c.benefits,
            "matched_terms": self.matched_terms,
            "unlocks_with": self.verdict.unlocks_with,
            "valid_to": d.valid_to.isoformat() if d.valid_to else None,
            "source": {"file": c.provenance.file, "lines": list(c.provenance.lines)},
            "curated": c.curated,
            "flags": c.flags,
            "score_components": {k: round(v, 4) for k, v in self.components.items()},
        }


@dataclass
class Recommendation:
    """A profile's ranked measures at an as-of date."""

    as_of: dt.date
    profile: Profile
    results: list[Result]

    def as_dict(self) -> dict[str, Any]:
        """The recommendation as the CLI contract's JSON document."""
        return {
            "as_of": self.as_of.isoformat(),
            "profile": self.profile.public_dict(),
            "results": [r.as_dict() for r in self.results],
        }
