"""What a recommendation returns: ranked measures with their verdicts, as objects and as the CLI's JSON."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np

from ..corpus_models import Clause, DocumentMeta
from ..eligibility.status import STATUSES, Status, display_label, display_state
from ..eligibility.verdict import Gap, Verdict
from ..profile import Profile

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Explained:
    """What a person reads of one result, written on first demand: the verdict (reasons and gaps), the
    query words the clause contains and the sentences saying why it was listed."""

    verdict: Verdict
    matched_terms: list[str]
    explanations: list[str]


class Result:
    """One ranked measure: the clause, its document, score, status, validity and score components; its
    verdict (reasons, gaps), matched words and explanations are written on first access (``explain``), so
    that a query listing every measure pays for the reasons of those a person is shown only."""

    def __init__(
        self,
        *,
        rank: int,
        clause: Clause,
        document: DocumentMeta,
        score: float,
        status: Status,
        valid: bool,
        components: dict[str, float],
        validity: str,
        explain: Callable[[Verdict | None], Explained],
        judge: Callable[[], Verdict] | None = None,
    ) -> None:
        """``validity``: in_force | not_yet | ended at the as-of date (``corpus.validity``). ``explain(verdict)``
        writes the verdict (when not given), matched words and explanations; ``judge()`` the verdict alone, for
        a result whose verdict only is read (a title it would unlock). Each is called at most once."""
        self.rank, self.clause, self.document, self.score = rank, clause, document, score
        self._status, self.valid, self.components, self.validity = status, valid, components, validity
        self._explain: Callable[[Verdict | None], Explained] | None = explain
        self._judge = judge
        self._judged: Verdict | None = None
        self._explained: Explained | None = None

    def _checked(self, verdict: Verdict) -> Verdict:
        if verdict.status != self._status:  # the first page is checked (CHECKED); not this one
            log.warning("clause %s: compiled status %s, verdict %s", self.clause.id, self._status, verdict.status)
        return verdict

    def _detail(self) -> Explained:
        if self._explained is None:
            assert self._explain is not None
            judged = self._judged
            self._explained, self._explain, self._judge = self._explain(judged), None, None
            if judged is None:
                self._checked(self._explained.verdict)
        return self._explained

    @property
    def verdict(self) -> Verdict:
        """The clause's verdict (reasons and gaps), as ``eligibility.verdict.evaluate`` writes it."""
        if self._explained is not None:
            return self._explained.verdict
        if self._judge is None:
            return self._detail().verdict
        if self._judged is None:
            self._judged = self._checked(self._judge())
        return self._judged

    @property
    def matched_terms(self) -> list[str]:
        """Query words the clause contains, heaviest first, at most 10."""
        return self._detail().matched_terms

    @property
    def explanations(self) -> list[str]:
        """Needs served and words shared (``explain.why``)."""
        return self._detail().explanations

    @property
    def status(self) -> str:
        """The rule status code (eligible | partial | unknown | ineligible)."""
        return self._status

    @property
    def state(self) -> str:
        """The display state (``status.display_state``): the rule status, or lead, unreviewed, expired,
        not_yet; an eligible measure whose rule asks nothing but where the enterprise is shows as a lead
        (its ``specific`` component is 0: no condition beyond the area was met)."""
        c = self.clause
        return display_state(
            self.status,
            self.valid,
            c.kind,
            not_yet=self.validity == "not_yet",
            reviewed=c.curated,
            specific=self.components["specific"] > 0,
        )

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
            "status_label": display_label(self.state),
            "title": c.title,
            "heading": c.heading,  # the title as lists show it, told apart from another clause's of the same title
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


class Results(Sequence[Result]):
    """The ranked results of one query, each made when first asked for (``make(k)`` → the k-th, 0-based),
    with the arrays that select among them without making them: ``valid`` (in force at the as-of date),
    ``status`` (codes, ``eligibility.status.STATUSES``) and ``may_unlock`` (a title might turn it
    eligible: ``RuleMatrix.may_unlock``), each in result order."""

    def __init__(
        self, make: Callable[[int], Result], valid: np.ndarray, status: np.ndarray, may_unlock: np.ndarray
    ) -> None:
        self._make, self.valid, self.status, self.may_unlock = make, valid, status, may_unlock
        self._made: dict[int, Result] = {}

    @classmethod
    def of(cls, results: list[Result]) -> Results:
        """Results already made (the reference ranking's)."""
        status = np.array([STATUSES.index(Status(r.status)) for r in results], dtype=np.int8)
        valid = np.array([r.valid for r in results], dtype=bool)
        return cls(results.__getitem__, valid, status, np.ones(len(results), dtype=bool))

    def __len__(self) -> int:
        return len(self.valid)

    @overload
    def __getitem__(self, k: int) -> Result: ...
    @overload
    def __getitem__(self, k: slice) -> list[Result]: ...
    def __getitem__(self, k: int | slice) -> Result | list[Result]:
        if isinstance(k, slice):
            return [self[j] for j in range(*k.indices(len(self)))]
        if k < 0:
            k += len(self)
        if not 0 <= k < len(self):
            raise IndexError(k)
        made = self._made.get(k)
        if made is None:
            made = self._made[k] = self._make(k)
        return made

    def at(self, positions: Iterable[int]) -> list[Result]:
        """The results at ``positions`` (0-based, result order)."""
        return [self[int(k)] for k in positions]

    def unlock_candidates(self, in_force: bool = False) -> list[Result]:
        """The results a title might make eligible (``may_unlock``; those in force only when ``in_force``), in
        result order: what ``pathways.by_unlocking_title`` needs to read, not every result."""
        return self.at(np.flatnonzero(self.may_unlock & (self.valid | (not in_force))))


@dataclass
class Recommendation:
    """A profile's ranked measures at an as-of date."""

    as_of: dt.date
    profile: Profile
    results: Results

    def as_dict(self) -> dict[str, Any]:
        """The recommendation as the CLI contract's JSON document."""
        return {
            "as_of": self.as_of.isoformat(),
            "profile": self.profile.public_dict(),
            "results": [r.as_dict() for r in self.results],
        }
