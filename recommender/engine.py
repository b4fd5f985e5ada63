"""The recommender: profile → rule verdicts + text relevance → ranked, explained measures."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import yaml

from .bm25 import BM25Index
from .corpus import is_valid, load_policies
from .corpus_models import Clause, DocumentMeta, PolicyFile
from .paths import CACHE, CLAUSES, LEXICON, POLICIES
from .profile import Profile, parse_profile
from .rules import STATUS_LABELS, Facts, Gap, Verdict, evaluate
from .text import Analyzer, analyzer

INDEX_VERSION = "1"


@dataclass
class Result:
    rank: int
    clause: Clause
    document: DocumentMeta
    score: float
    verdict: Verdict
    valid: bool
    matched_terms: list[str] = field(default_factory=list)
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
            "reasons": self.verdict.reasons,
            "gaps": [g.as_dict() for g in self.verdict.gaps],
            "departments": c.departments,
            "valid": self.valid,
            # additions to the contract
            "status_label": STATUS_LABELS[self.status] if self.valid else "已过期",
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
        self.measures = np.array([c.kind == "measure" for c in self.clauses])
        self._analyzer: Analyzer | None = None
        self.index = index or BM25Index().fit([self.analyzer.tokens(clause_text(c)) for c in self.clauses])
        self.ranking = ranking or load_ranking()

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
        terms = a.tokens(profile.description or "")
        terms += a.tokens(" ".join(filter(None, [profile.industry, profile.industry_category])))
        for need in profile.needs:
            terms += a.tokens(" ".join([need, *a.need_terms.get(need, [])]))
        terms += a.tokens(" ".join(profile.qualifications))
        return a.expand(terms) if self.domain else terms

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
        if top is not None:
            scored = scored[:top]
        query_set = set(terms)
        results = []
        for rank, (valid, score, i, verdict, components) in enumerate(scored, 1):
            clause = self.clauses[i]
            results.append(
                Result(
                    rank=rank,
                    clause=clause,
                    document=self.documents[clause.policy_id],
                    score=score,
                    verdict=verdict,
                    valid=valid,
                    matched_terms=self._matched_terms(i, query_set),
                    components=components,
                )
            )
        return Recommendation(as_of=as_of, profile=profile, results=results)

    def _matched_terms(self, doc: int, query: set[str]) -> list[str]:
        """Query terms found in the clause, heaviest first (for highlighting)."""
        column = self.index.matrix_[:, doc]
        vocab = self.index.vocab_
        weighted = [(column[vocab[t], 0], t) for t in query if t in vocab]
        return [t for w, t in sorted(weighted, key=lambda x: (-x[0], x[1])) if w > 0][:10]
