"""BM25: our precomputed index against rank-bm25 (the reference) on the real corpus; the tokenizer."""

from __future__ import annotations

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from benchmarks.engine import same_top
from recommender.bm25 import LOOP_FROM, BM25Index, idf_reference, top_k
from recommender.engine import Recommender, clause_text
from recommender.evalset import load_cases
from recommender.paths import LEXICON
from recommender.text import Analyzer, analyzer, jieba


@pytest.fixture(scope="module")
def corpus_tokens(clauses) -> list[list[str]]:
    a = analyzer(True)
    return [a.tokens(clause_text(c)) for c in clauses]


@pytest.fixture(scope="module")
def queries(clauses) -> list[list[str]]:
    engine = Recommender.load()
    out = [engine.query_terms(c.profile) for c in load_cases(clauses=clauses)]
    out += [["高新技术企业", "资助", "资助"], ["融资", "贷款", "信贷", "担保"], ["不在词表里的词"], []]
    return out


def test_scores_agree_with_rank_bm25_on_the_real_corpus(corpus_tokens, queries):
    ours = BM25Index().fit(corpus_tokens)
    reference = BM25Okapi(corpus_tokens)
    assert len(queries) > 40
    for q in queries:
        a, b = ours.scores(q), reference.get_scores(q)
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-9)
        assert same_top(a, b, 10)  # the same top 10, up to documents tied in score


def test_same_top_allows_only_ties():
    a = np.array([3.0, 2.0, 2.0, 1.0])
    assert same_top(a, a + np.array([0, 0, 1e-12, 0]), 2)  # rank 2 is a tie: either document
    assert not same_top(a, np.array([3.0, 1.0, 2.0, 1.0]), 2)


def test_idf_matches_rank_bm25(corpus_tokens):
    reference = BM25Okapi(corpus_tokens)
    ours = idf_reference(corpus_tokens)
    assert ours.keys() == reference.idf.keys()
    assert all(ours[t] == pytest.approx(reference.idf[t]) for t in ours)


def test_long_posting_lists_take_the_other_path_with_the_same_scores():
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(12)]
    docs = [list(rng.choice(words, size=rng.integers(1, 12))) for _ in range(30_000)]
    ours, reference = BM25Index().fit(docs), BM25Okapi(docs)
    q = ["w1", "w2", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "w9", "w10", "x"]
    ids, _ = ours.term_ids(q)
    assert int(np.diff(ours.indptr_)[ids].sum()) > LOOP_FROM * len(ids)  # the np.add.at path
    np.testing.assert_allclose(ours.scores(q), reference.get_scores(q), rtol=1e-12, atol=1e-9)
    short = ["w1", "w2", "w2"]
    few = BM25Index().fit(docs[:300])  # ~75 entries a term: one bincount, the same scores as the add.at path
    ids, _ = few.term_ids(short)
    assert int(np.diff(few.indptr_)[ids].sum()) <= LOOP_FROM * len(ids)
    np.testing.assert_allclose(few.scores(short), BM25Okapi(docs[:300]).get_scores(short), rtol=1e-12, atol=1e-9)


def test_top_k_breaks_ties_by_document_order():
    scores = np.array([1.0, 3.0, 2.0, 3.0, 2.0, 0.0, 2.0])
    assert list(top_k(scores, 3)) == [1, 3, 2]
    assert list(top_k(scores, 4)) == [1, 3, 2, 4]
    assert list(top_k(scores, 10)) == [1, 3, 2, 4, 6, 0, 5]
    assert list(top_k(scores, 0)) == [] and list(top_k(np.array([]), 3)) == []
    assert list(top_k(np.zeros(5), 2)) == [0, 1]


def test_save_load_round_trip_and_views(tmp_path, corpus_tokens, queries):
    index = BM25Index().fit(corpus_tokens)
    index.save(tmp_path)
    loaded = BM25Index.load(tmp_path)
    for q in queries[:10]:
        assert np.array_equal(index.scores(q), loaded.scores(q))
    dense = loaded.matrix_.toarray()  # scipy view, built on demand
    doc = 17
    terms, weights = loaded.doc_terms(doc)
    assert np.allclose(dense[terms, doc], weights) and np.count_nonzero(dense[:, doc]) == len(terms)
    term = next(iter(loaded.vocab_))
    docs = np.arange(loaded.n_docs_)
    assert np.allclose(loaded.weights(term, docs), dense[loaded.vocab_[term]])
    assert not loaded.weights("不在词表里的词", docs).any()


def test_empty_corpus_and_query():
    index = BM25Index().fit([])
    assert index.scores(["x"]).shape == (0,)
    index = BM25Index().fit([["a", "b"], ["b"]])
    assert not index.scores([]).any() and not index.scores(["z"]).any()


# --- the tokenizer: jieba's tokens without loading jieba's dictionary --------------------------------


def _reference_tokens(tokenizer: jieba.Tokenizer, a: Analyzer, text: str) -> list[str]:
    """What the analyzer did before the lazy dictionary: jieba with its whole dictionary loaded."""
    import re

    word = re.compile(r"[\u3400-\u9fffA-Za-z]")
    return [
        t.upper() if t.isascii() else t
        for t in tokenizer.cut_for_search(text)
        if len(t) > 1 and word.search(t) and t not in a.stopwords
    ]


@pytest.mark.parametrize("domain", [True, False])
def test_lazy_dictionary_gives_jiebas_tokens(domain, clauses, tmp_path):
    full = jieba.Tokenizer()
    full.initialize()
    if domain:
        full.load_userdict(str(LEXICON / "userdict.txt"))
    a = Analyzer(domain=domain, cache=tmp_path)  # builds its SQLite dictionary from scratch
    texts = [clause_text(c) for c in clauses]
    texts += ["我们的专利被人侵权了，想找知识产权保护和维权方面的帮助", "IC设计 GOI 2023-2025年 abc\r\n资金周转紧张"]
    for text in texts:
        assert a.tokens(text) == _reference_tokens(full, a, text), text[:40]
