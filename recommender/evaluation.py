"""Ranking quality on the labelled set (policies/eval/), and weight tuning by cross-validation.

Metrics are pure functions of a ranking (clause ids, best first) and the labels:

- nDCG@k with gain 2^grade − 1 and discount log2(rank + 1); the ideal ranking is the labels'
  grades sorted; a case with no grade ≥ 1 has no nDCG (left out of the mean);
- Recall@k: share of the clauses graded ≥ 1 that are in the top k;
- reciprocal rank of the first clause graded ≥ 1 (0 when none is shown);
- eligibility precision: of the shown results marked eligible (可申请: status eligible and in
  force), the share that the labels say are truly eligible; results nobody labelled are left out
  of the share and counted apart (``unjudged``);
- forbidden shown as eligible: results graded 0 that are shown as 可申请.

Results and the tuned weights: docs/evaluation.md.
"""

from __future__ import annotations

import copy
import itertools
import math
import random
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .evalset import Case

K = 10
COMPONENTS = ("status", "needs", "text", "specific")

# --- metrics: pure functions --------------------------------------------------------------


def dcg(grades: Sequence[int], k: int = K) -> float:
    """Discounted cumulative gain of the first ``k`` grades: Σ (2^g − 1) / log2(rank + 1)."""
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades[:k]))


def ndcg_at_k(ranking: Sequence[str], grades: dict[str, int], k: int = K) -> float | None:
    """nDCG@k of ``ranking`` against graded labels (unlabelled = 0); None if nothing is relevant."""
    ideal = dcg(sorted((g for g in grades.values() if g > 0), reverse=True), k)
    if ideal == 0:
        return None
    return dcg([grades.get(c, 0) for c in ranking], k) / ideal


def recall_at_k(ranking: Sequence[str], relevant: set[str], k: int = K) -> float | None:
    """The share of ``relevant`` found in the first ``k`` of ``ranking``; None when nothing is relevant."""
    if not relevant:
        return None
    return len(relevant & set(ranking[:k])) / len(relevant)


def reciprocal_rank(ranking: Sequence[str], relevant: set[str]) -> float | None:
    """1 / the rank of the first relevant clause (0.0 if none is ranked); None when nothing is relevant."""
    if not relevant:
        return None
    return next((1.0 / (i + 1) for i, c in enumerate(ranking) if c in relevant), 0.0)


@dataclass
class EligibilityCounts:
    """The results shown as 可申请, how many of them the labels judge, how many are truly eligible and how
    many are graded 0 (forbidden).
    """

    shown_eligible: int = 0  # results shown as 可申请
    judged: int = 0  # … of which the labels judge
    correct: int = 0  # … and say are truly eligible
    forbidden: int = 0  # … graded 0: must not have been shown as eligible

    def add(self, other: EligibilityCounts) -> EligibilityCounts:
        """The sum of two counts, field by field."""
        return EligibilityCounts(*(a + b for a, b in zip(self.astuple(), other.astuple(), strict=True)))

    def astuple(self) -> tuple[int, int, int, int]:
        """The four counts in field order: shown_eligible, judged, correct, forbidden."""
        return (self.shown_eligible, self.judged, self.correct, self.forbidden)

    @property
    def precision(self) -> float | None:
        """可申请准确率: correct ÷ judged; None when none of the shown results is judged."""
        return self.correct / self.judged if self.judged else None


def eligibility_counts(
    shown_eligible: Iterable[str], truly_eligible: dict[str, bool], forbidden: set[str]
) -> EligibilityCounts:
    """Count the results shown as eligible against the labels (``truly_eligible``: judged ones)."""
    counts = EligibilityCounts()
    for clause in shown_eligible:
        counts.shown_eligible += 1
        if clause in truly_eligible:
            counts.judged += 1
            counts.correct += truly_eligible[clause]
        counts.forbidden += clause in forbidden
    return counts


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.fmean(present) if present else None


@dataclass
class CaseResult:
    """One case ranked by the engine: the top-k clause ids and those of them shown as 可申请."""

    case: Case
    ranking: list[str]  # top-k clause ids
    shown_eligible: list[str]  # those of them shown as 可申请

    @property
    def ndcg(self) -> float | None:
        """nDCG@10 of the ranking against the case's grades; None when nothing is relevant."""
        return ndcg_at_k(self.ranking, self.case.grades)

    @property
    def eligibility(self) -> EligibilityCounts:
        """The case's 可申请 counts against its labels."""
        return eligibility_counts(self.shown_eligible, self.case.eligible, self.case.forbidden)


def summarize(results: Sequence[CaseResult], k: int = K) -> dict[str, Any]:
    """The metrics over all cases (means over the cases that have a relevant label)."""
    counts = EligibilityCounts()
    for r in results:
        counts = counts.add(r.eligibility)
    relevant = [r for r in results if r.case.relevant]
    return {
        f"ndcg_at_{k}": _mean(ndcg_at_k(r.ranking, r.case.grades, k) for r in relevant),
        "recall_at_5": _mean(recall_at_k(r.ranking, r.case.relevant, 5) for r in relevant),
        f"recall_at_{k}": _mean(recall_at_k(r.ranking, r.case.relevant, k) for r in relevant),
        "mrr": _mean(reciprocal_rank(r.ranking, r.case.relevant) for r in relevant),
        "eligibility_precision": counts.precision,
        "forbidden_shown_as_eligible": counts.forbidden,
        "shown_as_eligible": counts.shown_eligible,
        "unjudged_shown_as_eligible": counts.shown_eligible - counts.judged,
        "cases": len(results),
        "cases_with_relevant": len(relevant),
    }


# --- running the engine ---------------------------------------------------------------------


def run_cases(engine: Any, cases: Sequence[Case], k: int = K) -> list[CaseResult]:
    """Recommend (top k, ineligible left out, as the CLI and page do) for every case."""
    out = []
    for case in cases:
        rec = engine.recommend(case.profile, top=k, as_of=case.as_of)
        ranking = [r.clause.id for r in rec.results]
        eligible = [r.clause.id for r in rec.results if r.state == "eligible"]  # shown as 可申请
        out.append(CaseResult(case, ranking, eligible))
    return out


def ranking_with(base: dict[str, Any], **weights: float) -> dict[str, Any]:
    """A copy of the ranking configuration ``base`` with the given weights (components not named get 0)."""
    ranking = copy.deepcopy(base)
    ranking["weights"] = {name: float(weights.get(name, 0.0)) for name in COMPONENTS}
    return ranking


def configurations(engine: Any, plain_engine: Any | None = None) -> dict[str, tuple[str, Any]]:
    """The ablation: name → (what it is, engine). Rules decide what is left out in all of them."""
    base = engine.ranking
    w = base["weights"]
    configs = {
        "rules": (
            "rules only: status + needs + aimed-at (text weight 0)",
            engine.with_ranking(ranking_with(base, status=w["status"], needs=w["needs"], specific=w["specific"])),
        ),
        "bm25": ("BM25 only (text weight 1, all others 0)", engine.with_ranking(ranking_with(base, text=1.0))),
        "hybrid": ("hybrid, policies/ranking.yaml", engine),
        "no_leads": ("hybrid without leads (measures only)", engine.variant(leads=False)),
        "raw_query": (
            "hybrid with the query taken raw: no NFKC/simplified cleaning, sub-words matched",
            engine.variant(whole_words=False),
        ),
    }
    if plain_engine is not None:
        configs["hybrid_plain"] = (
            "hybrid without domain dictionary, stopwords and synonyms (plain jieba)",
            plain_engine.with_ranking(base),
        )
    return configs


def evaluate(cases: Sequence[Case], engine: Any | None = None, plain_engine: Any | None = None) -> dict[str, Any]:
    """The `evaluate` command's JSON: every configuration's metrics."""
    from .engine import Recommender

    engine = engine or Recommender.load()
    if plain_engine is None:
        plain_engine = Recommender.load(domain=False)
    rows = []
    for name, (description, eng) in configurations(engine, plain_engine).items():
        rows.append({"name": name, "description": description, **summarize(run_cases(eng, cases))})
    return {"k": K, "cases": len(cases), "weights": dict(engine.ranking["weights"]), "configurations": rows}


# --- tuning: cross-validated grid search over the weights -----------------------------------


@dataclass
class Prepared:
    """One case's candidate table: re-ranking it under other weights needs no engine call."""

    case: Case
    ids: list[str]
    valid: np.ndarray
    eligible: np.ndarray  # shown as 可申请 if shown (a lead is shown as 可关注)
    matrix: np.ndarray  # candidates × COMPONENTS
    lead: np.ndarray  # the candidate is a lead
    lead_factor: float  # the engine's (ranking.yaml)


def prepare(engine: Any, cases: Sequence[Case]) -> list[Prepared]:
    """Each case's candidate table from ``engine`` (a Recommender), for re-ranking under many weights."""
    out = []
    for case in cases:
        table = engine.candidate_table(case.profile, case.as_of)
        ids = [engine.clauses[i].id for i in table.clauses.tolist()]
        matrix = np.column_stack([table.components[c] for c in COMPONENTS]) if ids else np.zeros((0, 4))
        curated = np.array([engine.clauses[i].curated for i in table.clauses.tolist()], dtype=bool)
        specific = table.components["specific"] > 0  # an eligible rule asking only where it is shows as 可关注
        eligible = (table.status == 0) & table.valid & ~table.lead & curated & specific
        out.append(Prepared(case, ids, table.valid, eligible, matrix, table.lead, engine.ranking["lead_factor"]))
    return out


def rerank(p: Prepared, weights: Sequence[float], k: int = K) -> CaseResult:
    """The engine's ranking of the case under ``weights`` (same sum order, same tie-breaks, same lead factor)."""
    from .engine import rank_order

    score = np.zeros(len(p.ids))
    for j in range(len(COMPONENTS)):
        score = score + weights[j] * p.matrix[:, j]
    score = np.where(p.lead, score * p.lead_factor, score)
    order = rank_order(p.valid, score, k).tolist()
    return CaseResult(p.case, [p.ids[j] for j in order], [p.ids[j] for j in order if p.eligible[j]])


def weight_grid(step: float = 0.1) -> list[tuple[float, ...]]:
    """All weight vectors on the simplex (non-negative, sum 1) with the given step."""
    n = round(1 / step)
    return [
        tuple(round(c * step, 10) for c in combo)
        for combo in itertools.product(range(n + 1), repeat=len(COMPONENTS))
        if sum(combo) == n
    ]


def _objective(summary: dict[str, Any]) -> tuple[float, ...]:
    """Higher is better: nDCG@10, then fewer forbidden shown as eligible, then MRR."""
    return (
        round(summary[f"ndcg_at_{K}"] or 0.0, 6),
        -summary["forbidden_shown_as_eligible"],
        round(summary["mrr"] or 0.0, 6),
    )


def choose_weights(
    prepared: Sequence[Prepared], grid: Sequence[tuple[float, ...]], prefer: Sequence[float]
) -> tuple[tuple[float, ...], dict[str, Any]]:
    """The grid point with the best objective on ``prepared``; ties go to the one nearest ``prefer``."""
    best: tuple[Any, ...] | None = None
    for weights in grid:
        summary = summarize([rerank(p, weights) for p in prepared])
        distance = sum((a - b) ** 2 for a, b in zip(weights, prefer, strict=True))
        key = (*_objective(summary), -distance)
        if best is None or key > best[0]:
            best = (key, weights, summary)
    assert best is not None
    return best[1], best[2]


def folds_of(cases: Sequence[Case], n_folds: int = 5, seed: int = 0) -> list[list[int]]:
    """Case positions split into folds, stratified by area (region and whether in 张江), seeded."""
    rng = random.Random(seed)
    strata: dict[str, list[int]] = {}
    for i, case in enumerate(cases):
        key = case.profile.region + ("/张江" if "张江" in (case.profile.park or "") else "")
        strata.setdefault(key, []).append(i)
    order = []
    for key in sorted(strata):
        members = strata[key]
        rng.shuffle(members)
        order += members
    folds: list[list[int]] = [[] for _ in range(n_folds)]
    for j, i in enumerate(order):
        folds[j % n_folds].append(i)
    return folds


@dataclass
class TuningResult:
    """The weights chosen by cross-validation, per-fold results, and held-out and in-sample metrics."""

    weights: dict[str, float]  # chosen on all cases by the same procedure
    folds: list[dict[str, Any]] = field(default_factory=list)  # per fold: chosen weights, held-out metrics
    held_out: dict[str, Any] = field(default_factory=dict)  # mean of the held-out metrics
    # the weights in use (policies/ranking.yaml) on the same folds: a held-out figure only if they
    # were not themselves chosen on this set
    held_out_current: dict[str, Any] = field(default_factory=dict)
    in_sample: dict[str, Any] = field(default_factory=dict)  # the final weights on all cases (optimistic)
    grid_size: int = 0
    step: float = 0.1


def tune(engine: Any, cases: Sequence[Case], n_folds: int = 5, step: float = 0.1, seed: int = 0) -> TuningResult:
    """k-fold cross-validation of choosing the weights from a grid (status values kept fixed).

    For each fold, the weights are chosen on the other folds only and scored on it; the mean of
    those held-out scores estimates how well the procedure generalizes. The weights to use are
    then chosen the same way on all cases.
    """
    prepared = prepare(engine, cases)
    grid = weight_grid(step)
    current = tuple(float(engine.ranking["weights"][c]) for c in COMPONENTS)
    folds = folds_of(cases, n_folds, seed)
    per_fold, held, held_current = [], [], []
    for f, test in enumerate(folds):
        train = [prepared[i] for i in range(len(prepared)) if i not in set(test)]
        chosen, train_summary = choose_weights(train, grid, current)
        test_results = [rerank(prepared[i], chosen) for i in test]
        current_results = [rerank(prepared[i], current) for i in test]
        held += test_results
        held_current += current_results
        per_fold.append(
            {
                "fold": f + 1,
                "cases": len(test),
                "weights": dict(zip(COMPONENTS, chosen, strict=True)),
                "train": _short(train_summary),
                "held_out": _short(summarize(test_results)),
                "held_out_current": _short(summarize(current_results)),
            }
        )
    final, in_sample = choose_weights(prepared, grid, current)
    return TuningResult(
        weights=dict(zip(COMPONENTS, final, strict=True)),
        folds=per_fold,
        held_out=summarize(held),
        held_out_current=summarize(held_current),
        in_sample=in_sample,
        grid_size=len(grid),
        step=step,
    )


def _short(summary: dict[str, Any]) -> dict[str, Any]:
    keys = (
        f"ndcg_at_{K}",
        "recall_at_5",
        f"recall_at_{K}",
        "mrr",
        "eligibility_precision",
        "forbidden_shown_as_eligible",
    )
    return {k: summary[k] for k in keys}


# --- presentation -----------------------------------------------------------------------------

METRIC_LABELS = {
    f"ndcg_at_{K}": f"nDCG@{K}",
    "recall_at_5": "Recall@5",
    f"recall_at_{K}": f"Recall@{K}",
    "mrr": "MRR",
    "eligibility_precision": "可申请准确率",
    "forbidden_shown_as_eligible": "禁止项显示为可申请",
}


def format_table(result: dict[str, Any]) -> str:
    """The ``evaluate`` result as a table in Chinese: one row per configuration, one column per metric."""

    def cell(v: Any) -> str:
        return "—" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)

    head = ["配置", *METRIC_LABELS.values(), "显示为可申请（未标注）"]
    rows = [
        [
            r["name"],
            *(cell(r[k]) for k in METRIC_LABELS),
            f"{r['shown_as_eligible']}（{r['unjudged_shown_as_eligible']}）",
        ]
        for r in result["configurations"]
    ]
    widths = [max(_width(x) for x in col) for col in zip(head, *rows, strict=True)]
    lines = ["  ".join(_pad(x, w) for x, w in zip(row, widths, strict=True)) for row in [head, *rows]]
    weights = "，".join(f"{k} {v:g}" for k, v in result["weights"].items())
    lines.append("")
    lines.append(f"{result['cases']} 个评测用例，前 {result['k']} 条；混合排序权重：{weights}")
    return "\n".join(lines)


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
