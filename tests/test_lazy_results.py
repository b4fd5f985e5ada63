"""Results carry their reasons lazily: a query listing every measure writes verdicts only for those read,
and a consultation built from the vectorised statuses is the one built from every verdict."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from test_rulematrix import DATES, random_profiles

from benchmarks.synthetic import synthetic_policies, synthetic_profiles
from recommender.consultation import consult
from recommender.eligibility.facts import Facts
from recommender.eligibility.status import Status
from recommender.eligibility.verdict import evaluate
from recommender.engine import Recommender
from recommender.pathways import by_unlocking_title
from recommender.profile import parse_profile


@pytest.fixture(scope="module")
def engine() -> Recommender:
    return Recommender.load()


def _reference(engine: Recommender, profile, as_of: dt.date, top: int | None) -> dict:
    """The consultation as it was built before: every result made and its verdict read."""
    results = list(engine.recommend(profile, top=None, as_of=as_of, include_ineligible=True).results)
    in_force = [r for r in results if r.valid]
    shown = [r for r in in_force if r.status != Status.INELIGIBLE][:top]
    expired = [r for r in results if not r.valid and r.status != Status.INELIGIBLE]
    unlocks = {t: [r.clause.id for r in rs] for t, rs in by_unlocking_title(in_force).items()}
    return {
        "measures": [(k, r.clause.id, r.verdict.reasons, [g.message for g in r.gaps]) for k, r in enumerate(shown, 1)],
        "expired": [r.clause.id for r in expired],
        "unlocks": unlocks,
    }


def _fast(engine: Recommender, profile, as_of: dt.date, top: int | None) -> dict:
    c = consult(engine, profile, as_of=as_of, top=top)
    return {
        "measures": [(m.rank, m.clause_id, m.reasons, m.gaps) for m in c.measures],
        "expired": [m.clause_id for m in c.expired],
        "unlocks": {t: [m.clause_id for m in ms] for t, ms in c.unlocks.items()},
    }


@pytest.mark.parametrize("top", [10, None])
def test_consultation_from_vectorised_statuses_is_the_one_from_every_verdict(engine, top):
    profiles = [parse_profile(p) for p in synthetic_profiles(30, seed=11)] + random_profiles(30, seed=12)
    unlocked = 0
    for k, profile in enumerate(profiles):
        as_of = DATES[k % 3]
        fast = _fast(engine, profile, as_of, top)
        assert fast == _reference(engine, profile, as_of, top), (k, profile.name)
        unlocked += sum(map(len, fast["unlocks"].values()))
    assert unlocked > 0  # the comparison covered measures a title unlocks


def test_unlock_candidates_are_a_superset_on_a_corpus_with_many_titles():
    """Synthetic clauses asking for titles (some hard, some soft, some with numbers too)."""
    engine = Recommender(synthetic_policies(400, seed=5))
    for k, profile in enumerate(parse_profile(p) for p in synthetic_profiles(25, seed=6)):
        facts = Facts(profile, DATES[1])
        rec = engine.recommend(profile, top=None, as_of=DATES[1], include_ineligible=True)
        results = rec.results
        for j in np.flatnonzero(results.valid & ~results.may_unlock).tolist():
            r = results[j]
            assert evaluate(r.clause, r.document, facts).unlocks_with == [], (k, r.clause.id)


def test_listing_every_measure_writes_reasons_only_for_those_read(engine, monkeypatch):
    calls = []
    real = Recommender._verdict

    def counted(self, i, facts, seen):
        calls.append(i)
        return real(self, i, facts, seen)

    monkeypatch.setattr(Recommender, "_verdict", counted)
    profile = random_profiles(1, seed=3)[0]
    rec = engine.recommend(profile, top=None, as_of=DATES[1], include_ineligible=True)
    assert len(rec.results) > 100
    checked = len(calls)
    assert checked <= 10  # the first page, checked against the reference evaluator
    assert rec.results[150].verdict.status == rec.results[150].status
    assert len(calls) == checked + 1
    assert rec.results[150].gaps == rec.results[150].verdict.gaps
    assert len(calls) == checked + 1  # written once


def test_a_verdict_read_alone_is_the_one_explained_later(engine, monkeypatch):
    """A title's unlock candidates have their verdict read only: no matched words looked up, and when the result
    is shown after all, its explanation keeps that verdict instead of writing another."""
    import recommender.engine.recommender as engine_module

    looked_up = []
    real = engine_module.matched_terms

    def counted(index, clauses, mask):
        looked_up.append(list(clauses))
        return real(index, clauses, mask)

    monkeypatch.setattr(engine_module, "matched_terms", counted)
    rec = engine.recommend(random_profiles(1, seed=5)[0], top=None, as_of=DATES[1], include_ineligible=True)
    result = rec.results[120]
    before = len(looked_up)
    verdict = result.verdict
    assert len(looked_up) == before and result.verdict is verdict
    assert result.explanations is not None and len(looked_up) == before + 1
    assert result.verdict is verdict


def test_words_of_one_clause_are_those_of_many(engine):
    """A shown result looks its query's words up in its clause's mapping (``BM25Index.doc_weights``); the words,
    their order and the at-most-10 cut are those the many-clause path (arrays) gives."""
    from recommender.engine.index import QueryMask, matched_terms

    index = engine.index
    vocab = sorted(index.vocab_)
    rng = np.random.default_rng(7)
    docs = rng.choice(index.n_docs_, size=60, replace=False).tolist()
    compared = 0
    for _ in range(40):
        query = set(rng.choice(vocab, size=int(rng.integers(1, 60)), replace=False).tolist())
        mask = QueryMask(index, query)
        many = matched_terms(index, docs, mask)
        for doc in docs:
            assert matched_terms(index, [doc], mask)[doc] == many[doc], (doc, sorted(query))
            compared += bool(many[doc])
    assert compared > 100  # words were found, not only empty lists compared
    terms, weights = index.doc_terms(docs[0])
    assert index.doc_weights(docs[0]) == dict(zip(terms.tolist(), weights.tolist(), strict=True))


def test_results_select_without_being_made(engine):
    rec = engine.recommend(random_profiles(1, seed=4)[0], top=None, as_of=DATES[1], include_ineligible=True)
    results = rec.results
    made = list(results)
    assert [r.valid for r in made] == results.valid.tolist()
    assert [r.status for r in made] == [Status(s) for s in np.array(list(Status))[results.status]]
    assert results[-1] is made[-1] and results[1:3] == made[1:3]
    with pytest.raises(IndexError):
        results[len(results)]


def test_views_of_one_clause_are_whole_and_their_own(engine):
    """A view is made from what its clause shows at a date, worked out once (``consultation._clause_view``): each
    view still has every field of MeasureView, the same as one made by its constructor, and lists of its own."""
    from dataclasses import fields

    from recommender.consultation import MeasureView, measure_view

    profile = parse_profile(synthetic_profiles(1, seed=3)[0])
    result = next(iter(engine.recommend(profile, top=1, as_of=DATES[0]).results))
    first, second = measure_view(result, DATES[0]), measure_view(result, DATES[0], rank=7)
    names = {f.name for f in fields(MeasureView)}
    assert set(vars(first)) == set(vars(second)) == names
    built = MeasureView(**{name: getattr(first, name) for name in names})
    assert vars(built) == vars(first)
    assert second.rank == 7 and first.rank == result.rank
    for name in ("benefits", "lead_departments", "other_departments", "flags"):
        getattr(first, name).append("改动")
        assert "改动" not in getattr(second, name), name
    assert measure_view(result, DATES[0]).benefits == second.benefits
