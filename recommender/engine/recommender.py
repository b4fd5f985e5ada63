"""The recommender: profile → rule verdicts + text relevance → ranked, explained measures."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ..bm25 import BM25Index
from ..corpus import is_valid, validity
from ..corpus_models import PolicyFile
from ..eligibility.facts import Facts
from ..eligibility.matrix import UNHASHABLE, RuleMatrix, hashable_value
from ..eligibility.status import ELIGIBLE, INELIGIBLE, STATUSES, Status
from ..eligibility.verdict import Verdict, evaluate
from ..explain import why
from ..paths import CLAUSES
from ..profile import Profile, parse_profile
from ..text import Analyzer, analyzer
from ..vocab import BENEFITS
from .index import QueryMask, build_index, cache_dir, load_cached, matched_terms, save_cache
from .ranking import CandidateTable, Ranked, load_ranking, needs_component, rank_order
from .results import Explained, Recommendation, Result, Results

CHECKED = 10  # results whose vectorised status is checked against the reference verdict in every query


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
        """Index ``policies`` (or take ``index``, built from the same clauses) and compile their rules."""
        self.policies = policies
        self.domain = domain
        self.documents = {p.document.policy_id: p.document for p in policies}
        self.clauses = [c for p in policies for c in p.clauses]
        self.measures = np.array([c.kind == "measure" for c in self.clauses], dtype=bool)
        self.leads = np.array([c.kind == "lead" for c in self.clauses], dtype=bool)
        self._analyzer: Analyzer | None = None
        self.index = index or build_index(self.clauses, self.analyzer)
        self.ranking = ranking or load_ranking()
        # precomputed for vectorized ranking
        self._measure_idx = np.flatnonzero(self.measures | self.leads)  # what a recommendation may list
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
        # the same of each clause a recommendation may list (``_measure_idx``), for ``_table``
        self._measure_rule = self.rules_.clause_rule[self._measure_idx]
        self._measure_lead = self.leads[self._measure_idx]
        self._measure_benefits = self._benefits[self._measure_idx]
        self._measure_from = self._valid_from[self._measure_idx]
        self._measure_to = self._valid_to[self._measure_idx]
        self._verdicts: dict[tuple[int, tuple[Any, ...]], Verdict] = {}
        self._query_words: dict[str, tuple[list[str], list[str]]] = {}  # short text → query_tokens of it
        self.show_leads = True  # ablation switches (``variant``)
        self.whole_words = True

    def variant(self, *, leads: bool = True, whole_words: bool = True) -> Recommender:
        """The same engine without leads, or with the query taken raw (jieba search mode, no cleaning,
        sub-words matched): the ablations of ``evaluate``."""
        other = copy.copy(self)
        other.show_leads, other.whole_words = leads, whole_words
        return other

    def with_ranking(self, ranking: dict[str, Any]) -> Recommender:
        """The same corpus, index and rules with other ranking weights (for evaluation and tuning)."""
        other = copy.copy(self)
        other.ranking = ranking
        return other

    @property
    def analyzer(self) -> Analyzer:
        """The tokenizer (with the domain lexicon unless ``domain`` is False), made on first use."""
        if self._analyzer is None:
            self._analyzer = analyzer(self.domain)
        return self._analyzer

    @classmethod
    def load(cls, directory: Path = CLAUSES, domain: bool = True) -> Recommender:
        """Cached: the corpus and its BM25 index are read from .cache/ when the data is unchanged."""
        key = (str(directory), domain)
        if key not in cls._loaded:
            cache = cache_dir(directory, domain)
            policies, index = load_cached(cache, directory)
            cls._loaded[key] = cls(policies, index, domain)
            if index is None:
                save_cache(cache, policies, cls._loaded[key].index)
        return cls._loaded[key]

    # --- query ----------------------------------------------------------------------------

    def query_terms(self, profile: Profile) -> list[str]:
        """The text query: description, industry, needs and titles, in the policies' words.

        The profile's words are cleaned like the corpus and matched as whole words (``Analyzer.query_tokens``);
        with ``whole_words`` off (an ablation), taken raw in jieba's search mode.
        """
        a = self.analyzer

        def words(text: str) -> tuple[list[str], list[str]]:
            if not self.whole_words:
                return a.tokens(text), []
            found = self._query_words.get(text)
            if found is None:
                found = a.query_tokens(text, self.index.vocab_)
                if len(text) <= 200 and len(self._query_words) < 100_000:  # as Analyzer.tokens remembers
                    self._query_words[text] = found
            return list(found[0]), list(found[1])

        # the enterprise's own words, expanded to the policies' words (lexicon/synonyms.yaml)
        own, inside = words(" ".join(filter(None, [profile.description, profile.industry, profile.industry_category])))
        terms = a.expand(own, inside) if self.domain else own
        # needs and titles are policy words already (lexicon/needs.yaml): not expanded again
        for need in profile.needs or []:
            terms += words(" ".join([need, *a.need_terms.get(need, [])]))[0]
        return terms + words(" ".join(profile.qualifications or []))[0]

    def recommend(
        self,
        profile: Profile | dict[str, Any],
        *,
        as_of: dt.date,
        top: int | None = 10,
        include_ineligible: bool = False,
        leads: bool | None = None,
    ) -> Recommendation:
        """The ``top`` measures and leads (all when None) for the profile at ``as_of``, with reasons and gaps.

        Without ``include_ineligible`` those ruled out are left out; with ``leads`` False, leads are
        (None: the engine's setting). ProfileError for a dict that does not validate.
        """
        profile = parse_profile(profile)
        facts = Facts(profile, as_of)
        terms = self.query_terms(profile)
        options = (include_ineligible, self.show_leads if leads is None else leads)
        table, score, order = self._ordered(profile, facts, terms, top, options)
        explain = _Explainer(self, profile, facts, terms)
        # the table's columns as Python values (a list read costs less than a numpy scalar and its conversion)
        positions, clause_ids, scores = order.tolist(), table.clauses.tolist(), score.tolist()
        codes, valid = table.status.tolist(), table.valid.tolist()
        columns = [(name, values.tolist()) for name, values in table.components.items()]

        def make(k: int) -> Result:
            j = positions[k]
            i = clause_ids[j]
            clause = self.clauses[i]
            document = self.documents[clause.policy_id]
            components = {name: values[j] for name, values in columns}
            return Result(
                rank=k + 1,
                clause=clause,
                document=document,
                score=scores[j],
                status=STATUSES[codes[j]],
                valid=valid[j],
                components=components,
                validity=validity(document, as_of),
                explain=lambda verdict: explain(i, components["text"], verdict),
                judge=lambda: explain.verdict(i),
            )

        results = Results(make, table.valid[order], table.status[order], table.may_unlock[order])
        if not all(_agrees(r) for r in results[:CHECKED]):
            # the compiled rules disagree with verdict.evaluate (a rule shape they do not know):
            # rank this query the reference way
            results = Results.of(self._results_reference(profile, facts, terms, top, options))
        return Recommendation(as_of=as_of, profile=profile, results=results)

    def _verdict(self, i: int, facts: Facts, seen: dict[str, Any]) -> Verdict:
        """``verdict.evaluate`` for clause i, remembered for the values of the fields its rule tests.

        ``seen`` caches, for one query, each field's value as a memo key (an unknown one with what
        would settle it, which its gap names).
        """
        clause = self.clauses[i]
        values = []
        for f in self.rules_.clause_fields(i):
            if f not in seen:
                fact = facts.fact(f)
                seen[f] = hashable_value(fact.value) if fact.value is not None else (None, fact.missing, fact.note)
            values.append(seen[f])
        if any(v is UNHASHABLE for v in values):
            return evaluate(clause, self.documents[clause.policy_id], facts)
        key = (i, tuple(values))
        known = self._verdicts.get(key)
        if known is None:
            known = evaluate(clause, self.documents[clause.policy_id], facts)
            if len(self._verdicts) < 200_000:
                self._verdicts[key] = known
        # a shallow copy (faster than copy.copy): callers get their own lists
        verdict = object.__new__(Verdict)
        verdict.__dict__.update(known.__dict__)
        verdict.reasons, verdict.gaps = list(known.reasons), list(known.gaps)
        return verdict

    def statuses(self, profile: Profile | dict[str, Any], as_of: dt.date) -> list[Status | None]:
        """The eligibility status of every clause (None for internal tasks), computed at once."""
        facts = Facts(parse_profile(profile), as_of)
        codes = self.rules_.evaluate([facts])[0][0]
        return [STATUSES[c] if m else None for c, m in zip(codes.tolist(), self.measures.tolist(), strict=True)]

    def candidate_table(
        self, profile: Profile | dict[str, Any], as_of: dt.date, include_ineligible: bool = False, leads: bool = True
    ) -> CandidateTable:
        """Every candidate measure (and lead) with its status, validity and score components (no ranking)."""
        profile = parse_profile(profile)
        return self._table(profile, Facts(profile, as_of), self.query_terms(profile), (include_ineligible, leads))

    def _table(self, profile: Profile, facts: Facts, terms: list[str], options: tuple[bool, bool]) -> CandidateTable:
        """``options``: (include_ineligible, leads). Worked out for every clause a recommendation may list
        (``_measure_idx``, each with its rule: ``RuleMatrix.rule_outcomes``), then those left out dropped."""
        include_ineligible, leads = options
        rule = self._measure_rule
        rule_status, rule_specific, rule_unlock = self.rules_.rule_outcomes(self.rules_.condition_states([facts])[0])
        status = rule_status[rule]
        text = self.index.scores(terms)[self._measure_idx]
        best_text = float(text.max()) if len(text) else 0.0
        keep: np.ndarray | None = None  # the clauses kept, when not all
        if not include_ineligible:
            keep = status != INELIGIBLE
        if not leads:
            keep = ~self._measure_lead if keep is None else keep & ~self._measure_lead
        if keep is None:
            candidates, lead, benefits = self._measure_idx, self._measure_lead.copy(), self._measure_benefits
            valid_from, valid_to = self._measure_from, self._measure_to
        else:
            candidates, lead, benefits = self._measure_idx[keep], self._measure_lead[keep], self._measure_benefits[keep]
            valid_from, valid_to = self._measure_from[keep], self._measure_to[keep]
            rule, status, text = rule[keep], status[keep], text[keep]
        status_value = self.ranking["status_value"]
        status_c = np.array([float(status_value[s]) for s in STATUSES])[status]
        needs = list(dict.fromkeys(profile.needs or []))
        cols = [self._benefit_col[n] for n in needs if n in self._benefit_col]
        matched = benefits[:, cols].sum(axis=1).astype(np.float64)
        text_c = text / best_text if best_text > 0 else np.zeros(len(candidates))
        specific_c = (rule_specific[rule] > 0).astype(np.float64)
        day = facts.as_of.toordinal()  # corpus.is_valid, for all candidates at once
        return CandidateTable(
            clauses=candidates,
            status=status,
            valid=(valid_from <= day) & (day <= valid_to),
            lead=lead,
            components={
                "status": status_c,
                "needs": needs_component(matched, len(needs)),
                "text": text_c,
                "specific": specific_c,
            },
            may_unlock=rule_unlock[rule] & (status != ELIGIBLE),
        )

    def _ordered(
        self, profile: Profile, facts: Facts, terms: list[str], top: int | None, options: tuple[bool, bool]
    ) -> tuple[CandidateTable, np.ndarray, np.ndarray]:
        """The candidate table, its scores and the positions of the ``top`` in result order (``rank_order``)."""
        table = self._table(profile, facts, terms, options)
        score = table.scores(self.ranking["weights"], self.ranking["lead_factor"])
        return table, score, rank_order(table.valid, score, top)

    def _rank(
        self, profile: Profile, facts: Facts, terms: list[str], top: int | None, options: tuple[bool, bool]
    ) -> list[Ranked]:
        """The ranked measures and leads, vectorized, as ``Ranked`` (to compare with ``_rank_reference``);
        ``options``: (include_ineligible, leads)."""
        table, score, order = self._ordered(profile, facts, terms, top, options)
        return [
            Ranked(
                index=int(table.clauses[j]),
                valid=bool(table.valid[j]),
                score=float(score[j]),
                status=STATUSES[table.status[j]],
                components={name: float(values[j]) for name, values in table.components.items()},
            )
            for j in order.tolist()
        ]

    def _rank_reference(
        self, profile: Profile, facts: Facts, terms: list[str], top: int | None, options: tuple[bool, bool]
    ) -> list[Ranked]:
        """The same ranking, one clause at a time through ``verdict.evaluate`` (reference for tests)."""
        include_ineligible, leads = options
        bm25 = self.index.scores(terms)
        candidates = self._measure_idx
        best_text = float(bm25[candidates].max()) if len(candidates) else 0.0
        if not leads:
            candidates = candidates[~self.leads[candidates]]
        weights, status_value = self.ranking["weights"], self.ranking["status_value"]
        needs = set(profile.needs or [])
        scored: list[Ranked] = []
        for i in candidates:
            clause = self.clauses[i]
            doc = self.documents[clause.policy_id]
            verdict = evaluate(clause, doc, facts)
            if verdict.status == Status.INELIGIBLE and not include_ineligible:
                continue
            matched = len(needs & set(clause.benefits))
            components = {
                "status": status_value[verdict.status],
                "needs": (0.7 + 0.3 * matched / len(needs)) if matched else 0.0,
                "text": float(bm25[i]) / best_text if best_text > 0 else 0.0,
                "specific": 1.0 if verdict.met_specific else 0.0,
            }
            score = sum(weights[k] * v for k, v in components.items())
            if clause.kind == "lead":
                score *= self.ranking["lead_factor"]
            scored.append(Ranked(int(i), is_valid(doc, facts.as_of), score, verdict.status, components, verdict))
        scored.sort(key=lambda r: (not r.valid, -r.score, r.index))
        return scored if top is None else scored[:top]

    def _results_reference(
        self, profile: Profile, facts: Facts, terms: list[str], top: int | None, options: tuple[bool, bool]
    ) -> list[Result]:
        """``_rank_reference`` as results (every verdict written by ``evaluate``)."""
        ranked = self._rank_reference(profile, facts, terms, top, options)
        matched = matched_terms(self.index, [r.index for r in ranked], set(terms))
        results = []
        for rank, r in enumerate(ranked, 1):
            clause = self.clauses[r.index]
            assert r.verdict is not None
            done = Explained(
                r.verdict, matched[r.index], why(clause, profile.needs or [], matched[r.index], r.components["text"])
            )
            results.append(
                Result(
                    rank=rank,
                    clause=clause,
                    document=self.documents[clause.policy_id],
                    score=r.score,
                    status=r.status,
                    valid=r.valid,
                    components=r.components,
                    validity=validity(self.documents[clause.policy_id], facts.as_of),
                    explain=lambda _verdict, done=done: done,
                )
            )
        return results


def _agrees(result: Result) -> bool:
    """The vectorised status and specific-condition flag are those of the reference verdict."""
    verdict = result.verdict
    return verdict.status == result.status and (verdict.met_specific > 0) == (result.components["specific"] > 0)


class _Explainer:
    """Writes one query's results' verdicts, matched words and explanations on demand; the facts' memo keys
    (``seen``) are shared by the query's results."""

    def __init__(self, engine: Recommender, profile: Profile, facts: Facts, terms: list[str]) -> None:
        self.engine, self.needs, self.facts, self.terms = engine, profile.needs or [], facts, set(terms)
        self.seen: dict[str, Any] = {}
        self.mask: QueryMask | None = None  # made on the first explanation

    def verdict(self, i: int) -> Verdict:
        """Clause ``i``'s verdict alone."""
        return self.engine._verdict(i, self.facts, self.seen)

    def __call__(self, i: int, text: float, verdict: Verdict | None = None) -> Explained:
        """Clause ``i``'s verdict (``verdict`` when already written), matched words and explanations (``text``:
        its text score component)."""
        if verdict is None:
            verdict = self.verdict(i)
        if self.mask is None:
            self.mask = QueryMask(self.engine.index, self.terms)
        matched = matched_terms(self.engine.index, [i], self.mask)[i]
        return Explained(verdict, matched, why(self.engine.clauses[i], self.needs, matched, text))
