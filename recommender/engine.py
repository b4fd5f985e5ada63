"""The recommender: profile → rule verdicts + text relevance → ranked, explained measures."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import yaml

from .bm25 import BM25Index, top_k
from .corpus import is_valid, load_policies
from .corpus_models import Clause, DocumentMeta, PolicyFile
from .eligibility.facts import Facts
from .eligibility.matrix import UNHASHABLE, RuleMatrix, hashable_value
from .eligibility.status import INELIGIBLE, STATUSES, status_label
from .eligibility.verdict import Gap, Verdict, evaluate
from .explain import why
from .paths import CACHE, CLAUSES, LEXICON, POLICIES
from .profile import Profile, parse_profile
from .text import Analyzer, analyzer
from .vocab import BENEFITS

INDEX_VERSION = "2"


@dataclass
class Result:
    rank: int
    clause: Clause
    document: DocumentMeta
    score: float
    verdict: Verdict
    valid: bool
    matched_terms: list[str] = field(default_factory=list)
    explanations: list[str] = field(default_factory=list)  # needs served, words shared (explain.why)
    components: dict[str, float] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return self.verdict.status

    @property
    def gaps(self) -> list[Gap]:
        return self.verdict.gaps

    def as_dict(self) -> dict[str, Any]:
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
            # additions to the contract
            "status_label": status_label(self.status, self.valid),
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
    as_of: dt.date
    profile: Profile
    results: list[Result]

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "profile": self.profile.public_dict(),
            "results": [r.as_dict() for r in self.results],
        }


@dataclass
class CandidateTable:
    """The candidate measures of one query, in corpus order: what ranking weighs."""

    clauses: np.ndarray  # clause indices into Recommender.clauses
    status: np.ndarray  # status codes, see eligibility.status.STATUSES
    valid: np.ndarray  # in force at the as-of date
    components: dict[str, np.ndarray]  # status, needs, text, specific: each in [0, 1]

    def scores(self, weights: dict[str, float]) -> np.ndarray:
        """Σ weight × component, added in the components' order (as the engine does)."""
        score = np.zeros(len(self.clauses))
        for name, values in self.components.items():
            score = score + weights[name] * values
        return score


def clause_text(clause: Clause) -> str:
    """What BM25 indexes: title, section, text, merged table rows and benefit types."""
    parts = [clause.title or "", clause.group or "", clause.section or "", clause.text]
    parts += [item.text for item in clause.table_items]
    parts += clause.benefits
    return " ".join(p for p in parts if p)


def _fingerprint(directory: Path, domain: bool) -> str:
    digest = hashlib.sha256(f"{INDEX_VERSION}:{domain}".encode())
    for path in sorted(directory.glob("*.yaml")) + sorted(LEXICON.glob("*")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def load_ranking(path: Path = POLICIES / "ranking.yaml") -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


class Recommender:
    """Load once (``Recommender.load()``), then ``recommend`` as often as you like."""

    _loaded: ClassVar[dict[tuple[str, bool], Recommender]] = {}

    def __init__(
        self,
        policies: list[PolicyFile],
        index: BM25Index | None = None,
        domain: bool = True,
        ranking: dict[str, Any] | None = None,
    ) -> None:
        self.policies = policies
        self.domain = domain
        self.documents = {p.document.policy_id: p.document for p in policies}
        self.clauses = [c for p in policies for c in p.clauses]
        self.measures = np.array([c.kind == "measure" for c in self.clauses], dtype=bool)
        self._analyzer: Analyzer | None = None
        self.index = index or BM25Index().fit([self.analyzer.tokens(clause_text(c)) for c in self.clauses])
        self.ranking = ranking or load_ranking()
        # precomputed for vectorized ranking
        self._measure_idx = np.flatnonzero(self.measures)
        self._doc_list = [p.document for p in policies]
        doc_pos = {d.policy_id: k for k, d in enumerate(self._doc_list)}
        self._clause_doc = np.array([doc_pos[c.policy_id] for c in self.clauses], dtype=np.int64)
        never = dt.date.max.toordinal()
        self._valid_from = np.array([d.valid_from.toordinal() for d in self._doc_list], dtype=np.int64)[
            self._clause_doc
        ]
        self._valid_to = np.array(
            [d.valid_to.toordinal() if d.valid_to else never for d in self._doc_list], dtype=np.int64
        )[self._clause_doc]
        self._benefit_col = {b: k for k, b in enumerate(BENEFITS)}
        self._benefits = np.zeros((len(self.clauses), len(BENEFITS)), dtype=np.int8)
        for i, clause in enumerate(self.clauses):
            for benefit in set(clause.benefits):
                if benefit in self._benefit_col:
                    self._benefits[i, self._benefit_col[benefit]] = 1
        self.rules_ = RuleMatrix(self.clauses, self.documents, self._measure_idx)
        self._verdicts: dict[tuple[int, tuple[Any, ...]], Verdict] = {}

    def with_ranking(self, ranking: dict[str, Any]) -> Recommender:
        """The same corpus, index and rules with other ranking weights (for evaluation and tuning)."""
        other = copy.copy(self)
        other.ranking = ranking
        return other

    @property
    def analyzer(self) -> Analyzer:
        if self._analyzer is None:
            self._analyzer = analyzer(self.domain)
        return self._analyzer

    @classmethod
    def load(cls, directory: Path = CLAUSES, domain: bool = True) -> Recommender:
        """Cached: the corpus and its BM25 index are read from .cache/ when the data is unchanged."""
        key = (str(directory), domain)
        if key not in cls._loaded:
            cls._loaded[key] = cls._load_uncached(directory, domain)
        return cls._loaded[key]

    @classmethod
    def _load_uncached(cls, directory: Path, domain: bool) -> Recommender:
        cache = CACHE / f"index-{_fingerprint(directory, domain)}"
        if (cache / "corpus.json").exists():
            data = json.loads((cache / "corpus.json").read_text(encoding="utf-8"))
            policies = [PolicyFile.model_validate(p) for p in data]
            return cls(policies, BM25Index.load(cache), domain)
        recommender = cls(load_policies(directory), domain=domain)
        tmp = cache.with_name(cache.name + ".tmp")
        recommender.index.save(tmp)
        (tmp / "corpus.json").write_text(
            json.dumps([p.model_dump(mode="json") for p in recommender.policies], ensure_ascii=False), encoding="utf-8"
        )
        tmp.replace(cache) if not cache.exists() else None
        return recommender

    # --- query ----------------------------------------------------------------------------

    def query_terms(self, profile: Profile) -> list[str]:
        """The text query: description, industry, needs and titles, in the policies' words."""
        a = self.analyzer
        # the enterprise's own words, expanded to the policies' words (lexicon/synonyms.yaml)
        own = a.tokens(profile.description or "")
        own += a.tokens(" ".join(filter(None, [profile.industry, profile.industry_category])))
        terms = a.expand(own) if self.domain else own
        # needs and titles are policy words already (lexicon/needs.yaml): not expanded again
        for need in profile.needs:
            terms += a.tokens(" ".join([need, *a.need_terms.get(need, [])]))
        terms += a.tokens(" ".join(profile.qualifications))
        return terms

    def recommend(
        self,
        profile: Profile | dict[str, Any],
        top: int | None = 10,
        as_of: dt.date | None = None,
        include_ineligible: bool = False,
    ) -> Recommendation:
        profile = parse_profile(profile)
        as_of = as_of or dt.date.today()
        facts = Facts(profile, as_of)
        terms = self.query_terms(profile)
        ranked = self._rank(profile, facts, terms, as_of, top, include_ineligible)
        results = []
        verdicts = {}
        seen: dict[str, Any] = {}
        for _, _, i, _, _ in ranked:
            verdicts[i] = self._verdict(i, facts, seen)
        if any(
            verdicts[i].status != status or (verdicts[i].met_specific > 0) != (components["specific"] > 0)
            for _, _, i, status, components in ranked
        ):
            # the compiled rules disagree with verdict.evaluate (a rule shape they do not know):
            # rank this query the reference way
            ranked = self._rank_reference(profile, facts, terms, as_of, top, include_ineligible)
            verdicts = {i: v for _, _, i, v, _ in ranked}
        query_set = set(terms)
        matched = self._matched_terms_many([i for _, _, i, _, _ in ranked], query_set)
        for rank, (valid, score, i, _, components) in enumerate(ranked, 1):
            clause = self.clauses[i]
            results.append(
                Result(
                    rank=rank,
                    clause=clause,
                    document=self.documents[clause.policy_id],
                    score=score,
                    verdict=verdicts[i],
                    valid=valid,
                    matched_terms=matched[i],
                    explanations=why(clause, profile.needs, matched[i], components["text"]),
                    components=components,
                )
            )
        return Recommendation(as_of=as_of, profile=profile, results=results)

    def _verdict(self, i: int, facts: Facts, seen: dict[str, Any]) -> Verdict:
        """verdict.evaluate for clause i, remembered for the values of the fields its rule tests.

        ``seen`` caches, for one query, each field's value as a memo key.
        """
        clause = self.clauses[i]
        values = []
        for f in self.rules_.clause_fields(i):
            if f not in seen:
                seen[f] = hashable_value(facts.get(f))
            values.append(seen[f])
        if any(v is UNHASHABLE for v in values):
            return evaluate(clause, self.documents[clause.policy_id], facts)
        key = (i, tuple(values))
        known = self._verdicts.get(key)
        if known is None:
            known = evaluate(clause, self.documents[clause.policy_id], facts)
            if len(self._verdicts) < 200_000:
                self._verdicts[key] = known
        if hasattr(known, "__dict__"):  # a shallow copy (faster than copy.copy): callers get their own lists
            verdict = object.__new__(type(known))
            verdict.__dict__.update(known.__dict__)
        else:
            verdict = copy.copy(known)
        verdict.reasons, verdict.gaps = list(known.reasons), list(known.gaps)
        return verdict

    def statuses(self, profile: Profile | dict[str, Any], as_of: dt.date | None = None) -> list[str | None]:
        """The eligibility status of every clause (None for internal tasks), computed at once."""
        facts = Facts(parse_profile(profile), as_of or dt.date.today())
        codes = self.rules_.evaluate([facts])[0][0]
        return [STATUSES[c] if m else None for c, m in zip(codes.tolist(), self.measures.tolist(), strict=True)]

    def candidate_table(
        self, profile: Profile | dict[str, Any], as_of: dt.date | None = None, include_ineligible: bool = False
    ) -> CandidateTable:
        """Every candidate measure with its status, validity and score components (no ranking)."""
        profile = parse_profile(profile)
        as_of = as_of or dt.date.today()
        return self._table(profile, Facts(profile, as_of), self.query_terms(profile), as_of, include_ineligible)

    def _table(
        self, profile: Profile, facts: Facts, terms: list[str], as_of: dt.date, include_ineligible: bool
    ) -> CandidateTable:
        statuses, specifics = self.rules_.evaluate([facts])
        status, met_specific = statuses[0], specifics[0]
        bm25 = self.index.scores(terms)
        candidates = self._measure_idx
        best_text = float(bm25[candidates].max()) if len(candidates) else 0.0
        if not include_ineligible:
            candidates = candidates[status[candidates] != INELIGIBLE]
        status_value = self.ranking["status_value"]
        st = status[candidates]
        status_c = np.array([float(status_value[s]) for s in STATUSES])[st]
        needs = list(dict.fromkeys(profile.needs))
        if needs:
            cols = [self._benefit_col[n] for n in needs if n in self._benefit_col]
            matched = self._benefits[np.ix_(candidates, cols)].sum(axis=1).astype(np.float64)
            needs_c = np.where(matched > 0, 0.7 + 0.3 * matched / len(needs), 0.0)
        else:
            needs_c = np.zeros(len(candidates))
        text_c = bm25[candidates] / best_text if best_text > 0 else np.zeros(len(candidates))
        specific_c = (met_specific[candidates] > 0).astype(np.float64)
        day = as_of.toordinal()  # corpus.is_valid, for all candidates at once
        valid = (self._valid_from[candidates] <= day) & (day <= self._valid_to[candidates])
        return CandidateTable(
            clauses=candidates,
            status=st,
            valid=valid,
            components={"status": status_c, "needs": needs_c, "text": text_c, "specific": specific_c},
        )

    def _rank(
        self,
        profile: Profile,
        facts: Facts,
        terms: list[str],
        as_of: dt.date,
        top: int | None,
        include_ineligible: bool,
    ) -> list[tuple[bool, float, int, str, dict[str, float]]]:
        """The ranked measures as (valid, score, clause index, status, components), vectorized."""
        table = self._table(profile, facts, terms, as_of, include_ineligible)
        score = table.scores(self.ranking["weights"])
        order = rank_order(table.valid, score, top)
        return [
            (
                bool(table.valid[j]),
                float(score[j]),
                int(table.clauses[j]),
                STATUSES[table.status[j]],
                {name: float(values[j]) for name, values in table.components.items()},
            )
            for j in order.tolist()
        ]

    def _rank_reference(
        self,
        profile: Profile,
        facts: Facts,
        terms: list[str],
        as_of: dt.date,
        top: int | None,
        include_ineligible: bool,
    ) -> list[tuple[bool, float, int, Verdict, dict[str, float]]]:
        """The same ranking, one clause at a time through verdict.evaluate (reference for tests)."""
        bm25 = self.index.scores(terms)
        candidates = np.flatnonzero(self.measures)
        best_text = float(bm25[candidates].max()) if len(candidates) else 0.0
        weights, status_value = self.ranking["weights"], self.ranking["status_value"]
        needs = set(profile.needs)
        scored: list[tuple[bool, float, int, Verdict, dict[str, float]]] = []
        for i in candidates:
            clause = self.clauses[i]
            doc = self.documents[clause.policy_id]
            verdict = evaluate(clause, doc, facts)
            if verdict.status == "ineligible" and not include_ineligible:
                continue
            matched = len(needs & set(clause.benefits))
            components = {
                "status": status_value[verdict.status],
                "needs": (0.7 + 0.3 * matched / len(needs)) if matched else 0.0,
                "text": float(bm25[i]) / best_text if best_text > 0 else 0.0,
                "specific": 1.0 if verdict.met_specific else 0.0,
            }
            score = sum(weights[k] * v for k, v in components.items())
            scored.append((is_valid(doc, as_of), score, int(i), verdict, components))
        scored.sort(key=lambda s: (not s[0], -s[1], s[2]))
        return scored if top is None else scored[:top]

    def _matched_terms_many(self, docs: list[int], query: set[str]) -> dict[int, list[str]]:
        """Query terms found in each clause, heaviest first (for highlighting)."""
        vocab = self.index.vocab_
        ids = {vocab[t]: t for t in query if t in vocab}
        out: dict[int, list[tuple[float, str]]] = {d: [] for d in docs}
        if not docs or not ids:
            return {d: [] for d in docs}
        wanted = np.zeros(len(vocab), dtype=bool)
        wanted[list(ids)] = True
        owner, terms, weights = self.index.doc_terms_many(np.array(docs, dtype=np.int64))
        hit = wanted[terms] & (weights > 0)
        for j, t, w in zip(owner[hit].tolist(), terms[hit].tolist(), weights[hit].tolist(), strict=True):
            out[docs[j]].append((w, ids[t]))
        return {d: [t for _, t in sorted(ws, key=lambda x: (-x[0], x[1]))][:10] for d, ws in out.items()}

    def _matched_terms(self, doc: int, query: set[str]) -> list[str]:
        """Query terms found in the clause, heaviest first (for highlighting)."""
        return self._matched_terms_many([doc], query)[doc]


def rank_order(valid: np.ndarray, score: np.ndarray, top: int | None) -> np.ndarray:
    """Positions in result order: valid before expired, then best score, then corpus order."""
    n = len(score)
    if top is None or top < 0 or top >= n:
        order = np.lexsort((np.arange(n), -score, ~valid))
        return order if top is None else order[:top]
    ok = np.flatnonzero(valid)
    chosen = ok[top_k(score[ok], top)]
    if len(chosen) < top:
        expired = np.flatnonzero(~valid)
        chosen = np.concatenate([chosen, expired[top_k(score[expired], top - len(chosen))]])
    return chosen
