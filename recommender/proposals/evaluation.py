"""How good the proposals are: leave-one-document-out on the curated documents, and the same
measures against a blind expected set written for documents the project has never seen.

Per document: kind accuracy, benefit-type micro-F1, and condition precision and recall, a
condition counting as right only when field, operator and value all agree (a list value as a set).
Conditions for the enterprise to confirm (``confirm``) are left out of both sides: they are free
text no proposal makes (``conditions`` module docstring).

Honest scope: the kind and benefit tagger is trained on the other documents only; the condition
patterns and word lists (``policies/lexicon/conditions.yaml``) were written by people who had read
all six curated documents, so their leave-one-out figures are in-sample; the blind set is their test.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from ..corpus_models import Condition, PolicyFile
from ..tagger import ClauseTagger
from .clauses import propose_clauses

if TYPE_CHECKING:
    from .document import DocumentProposal

UNSTATED = ("confirm",)  # condition fields no proposal makes


def condition_key(condition: Condition | dict[str, Any]) -> tuple[str, str, Any]:
    """(field, op, value) with a list value as a frozenset: what must agree for a condition to count."""
    data = condition if isinstance(condition, dict) else condition.model_dump()
    value = data["value"]
    return data["field"], data["op"], frozenset(value) if isinstance(value, list) else value


@dataclass
class Score:
    """Counts for one document; the rates are properties so that sums over documents stay exact."""

    document: str
    clauses: int = 0
    kind_hits: int = 0
    benefit_tp: int = 0
    benefit_fp: int = 0
    benefit_fn: int = 0
    condition_tp: int = 0
    condition_fp: int = 0
    condition_fn: int = 0

    def count_benefits(self, truth: set[str], guess: set[str]) -> None:
        """Add one clause's right, wrong and missed benefit types."""
        self.benefit_tp += len(truth & guess)
        self.benefit_fp += len(guess - truth)
        self.benefit_fn += len(truth - guess)

    def count_conditions(self, truth: set[tuple], guess: set[tuple]) -> None:
        """Add one clause's right, wrong and missed conditions (``condition_key`` tuples)."""
        self.condition_tp += len(truth & guess)
        self.condition_fp += len(guess - truth)
        self.condition_fn += len(truth - guess)

    def add(self, other: Score) -> None:
        """Add ``other``'s counts to these."""
        for name, value in asdict(other).items():
            if isinstance(value, int):
                setattr(self, name, getattr(self, name) + value)

    @property
    def kind_accuracy(self) -> float:
        """Share of clauses whose proposed kind is the curated one."""
        return self.kind_hits / self.clauses if self.clauses else 0.0

    @property
    def benefit_f1(self) -> float:
        """Micro-F1 of proposed against curated benefit types."""
        tp, wrong = self.benefit_tp, self.benefit_fp + self.benefit_fn
        return 2 * tp / (2 * tp + wrong) if tp + wrong else 1.0

    @property
    def condition_precision(self) -> float:
        """Share of proposed conditions that are curated ones (1.0 when none is proposed)."""
        proposed = self.condition_tp + self.condition_fp
        return self.condition_tp / proposed if proposed else 1.0

    @property
    def condition_recall(self) -> float:
        """Share of curated conditions that are proposed (1.0 when there is none)."""
        truth = self.condition_tp + self.condition_fn
        return self.condition_tp / truth if truth else 1.0

    def as_dict(self) -> dict[str, Any]:
        """Counts and rates, JSON-ready (rates to 3 decimals)."""
        return {
            **asdict(self),
            "kind_accuracy": round(self.kind_accuracy, 3),
            "benefit_f1": round(self.benefit_f1, 3),
            "condition_precision": round(self.condition_precision, 3),
            "condition_recall": round(self.condition_recall, 3),
        }


def score_document(policy: PolicyFile, tagger: ClauseTagger) -> Score:
    """Proposals for ``policy``'s curated clauses (from their text alone) against their curation."""
    clauses = [c for c in policy.clauses if c.curated]
    score = Score(policy.document.policy_id, clauses=len(clauses))
    proposals = propose_clauses(clauses, tagger, list(policy.document.applies_to.regions))
    for clause, proposal in zip(clauses, proposals, strict=True):
        score.kind_hits += proposal.kind == clause.kind
        score.count_benefits(set(clause.benefits), set(proposal.benefits))
        score.count_conditions(
            {condition_key(c) for c in clause.eligibility if c.field not in UNSTATED},
            {condition_key(c) for c in proposal.eligibility},
        )
    return score


def leave_one_document_out(policies: list[PolicyFile]) -> list[Score]:
    """Per document, proposals made by a tagger trained on the other documents only; then the total."""
    scores, total = [], Score("合计")
    for policy in policies:
        others = [c for p in policies if p is not policy for c in p.clauses if c.curated]
        score = score_document(policy, ClauseTagger().fit(others))
        scores.append(score)
        total.add(score)
    return [*scores, total]


def format_scores(scores: list[Score]) -> str:
    """A table for people: one line per document."""
    names = ("类别准确率", "受益类型F1", "条件精确率", "条件召回率")
    head = f"{'文件':<20}{'条款':>5}" + "".join(f"{n:>10}" for n in names) + f"{'条件 对/错/漏':>14}"
    rows = [head]
    for s in scores:
        benefit = f"{s.benefit_f1:.3f}" if s.benefit_tp + s.benefit_fp + s.benefit_fn else "—"
        rows.append(
            f"{s.document:<20}{s.clauses:>5}{s.kind_accuracy:>12.3f}{benefit:>12}"
            f"{s.condition_precision:>12.3f}{s.condition_recall:>12.3f}"
            f"{f'{s.condition_tp}/{s.condition_fp}/{s.condition_fn}':>14}"
        )
    return "\n".join(rows)


_CN = "一二三四五六七八九十百"
_NUMBERING = re.compile(rf"^\s*(?:第[{_CN}]+条|[（(][{_CN}]+[）)]|[{_CN}]+、|\d+[、.．])")


def _letters(text: str) -> str:
    """Text without its leading numbering, punctuation or spaces: a title split off its text still matches."""
    return re.sub(r"[^\w]", "", _NUMBERING.sub("", text))


def score_expected(expected: dict[str, Any], proposal: DocumentProposal) -> tuple[Score, list[str]]:
    """A proposed document against an expected set written blind (``<doc>.expected.yaml``: ``clauses``
    of ``quote_start``, ``kind``, ``conditions``); each expected clause is the proposed clause whose
    text contains its ``quote_start``. Returns the score and the quotes no proposed clause contains."""
    score, lost = Score(proposal.meta.get("policy_id", "?")), []
    texts = [_letters(f"{c.title or ''}{c.text}") for c in proposal.clauses]
    for item in expected.get("clauses", []):
        start = str(item["quote_start"])
        found = next((i for i, text in enumerate(texts) if _letters(start) in text), None)
        if found is None:
            lost.append(start)
            continue
        made = proposal.proposals[found]
        score.clauses += 1
        score.kind_hits += made.kind == item["kind"]
        score.count_conditions(
            {condition_key(c) for c in item.get("conditions") or [] if c["field"] not in UNSTATED},
            {condition_key(c) for c in made.eligibility},
        )
    return score, lost
