"""BM25 (Okapi, the rank-bm25 formula) with scores precomputed into a sparse matrix.

The index is a terms × documents CSR matrix of each term's BM25 weight in each document (three
numpy arrays: ``indptr_``, ``indices_``, ``data_``). A query adds up the rows of its terms; top-k is
``argpartition``. Scoring needs only numpy, so scipy is imported only when ``matrix_`` is asked
for. The index saves as .npy + JSON. rank-bm25 stays the reference: tests check both give the
same scores (``tests/test_bm25.py``).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

# entries per query term above which a query's rows are added one by one in place (numpy's add.at by intp
# indices) rather than gathered for one weighted bincount: each way timed on queries of 308 to 100,000 documents,
# the one-by-one way pays a call per term and wins from ~200 entries a term (2.7× at 100,000 documents)
LOOP_FROM = 200
DOC_WEIGHTS_MOST = 5_000  # documents whose weights ``BM25Index.doc_weights`` keeps as mappings (~5–10 KB each)


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k best scores, best first; ties broken by position."""
    k = min(k, len(scores))
    if k <= 0:
        return np.array([], dtype=np.int64)
    if k == len(scores):
        return np.lexsort((np.arange(len(scores)), -scores))
    kth = np.partition(scores, len(scores) - k)[len(scores) - k]  # the k-th best score
    above = np.flatnonzero(scores > kth)
    tied = np.flatnonzero(scores == kth)[: k - len(above)]
    chosen = np.concatenate([above, tied])
    return chosen[np.lexsort((chosen, -scores[chosen]))]


class BM25Index:
    """Okapi BM25 (the rank-bm25 formula) precomputed: a terms × documents CSR matrix of weights.

    ``fit`` sets ``vocab_`` (term → row), ``n_docs_`` and the CSR arrays ``data_`` (float64 weights),
    ``indices_`` (document ids, the platform's index integer: numpy adds into an array by them without
    converting them first, a fifth of a query's time at 100k documents) and ``indptr_`` (row starts);
    ``k1``, ``b`` and ``epsilon`` as in rank-bm25 (a negative idf becomes ``epsilon`` × the mean idf).
    """

    def __init__(self, k1: float = 1.5, b: float = 0.75, epsilon: float = 0.25) -> None:
        self.k1, self.b, self.epsilon = k1, b, epsilon

    def fit(self, corpus: list[list[str]]) -> BM25Index:
        """Index ``corpus`` (one token list per document) and return self."""
        n_docs = len(corpus)
        vocab: dict[str, int] = {}
        add = vocab.setdefault
        doc_len = np.fromiter((len(t) for t in corpus), dtype=np.int64, count=n_docs)
        total = int(doc_len.sum())
        keys = np.fromiter((add(t, len(vocab)) for tokens in corpus for t in tokens), dtype=np.int64, count=total)
        n_terms = len(vocab)
        # one entry per (term, document), sorted by term then document: CSR rows are terms
        keys *= max(n_docs, 1)
        keys += np.repeat(np.arange(n_docs, dtype=np.int64), doc_len)
        keys.sort()
        first = np.empty(total, dtype=bool)
        first[:1] = True
        np.not_equal(keys[1:], keys[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        tf = np.diff(np.append(starts, total))
        keys = keys[starts]
        rows, cols = keys // max(n_docs, 1), keys % max(n_docs, 1)
        del keys, first, starts
        tf_a = tf.astype(np.float64)
        doc_len_f = doc_len.astype(np.float64)
        avgdl = doc_len_f.mean() if n_docs else 0.0
        df = np.bincount(rows, minlength=n_terms).astype(np.float64)
        idf = np.log(n_docs - df + 0.5) - np.log(df + 0.5)
        eps = self.epsilon * idf.mean() if len(idf) else 0.0  # rank-bm25's floor for very common terms
        idf[idf < 0] = eps
        norm = self.k1 * (1 - self.b + self.b * doc_len_f[cols] / avgdl) if n_docs else np.zeros(0)
        self.data_ = idf[rows] * tf_a * (self.k1 + 1) / (tf_a + norm)
        self.indices_ = cols.astype(np.intp)
        self.indptr_ = np.concatenate([[0], np.cumsum(df.astype(np.int64))]).astype(np.int64)
        self.vocab_ = vocab
        self.n_docs_ = n_docs
        self._matrix = self._by_doc = None
        return self

    @property
    def matrix_(self) -> Any:
        """The weights as a scipy CSR matrix (terms × documents), built on first use."""
        if getattr(self, "_matrix", None) is None:
            from scipy import sparse

            self._matrix = sparse.csr_matrix(
                (self.data_, self.indices_, self.indptr_), shape=(len(self.vocab_), self.n_docs_)
            )
        return self._matrix

    def term_ids(self, query: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """The query's known terms as row ids and their counts in the query (two 1-D arrays, same length)."""
        counts = Counter(t for t in query if t in self.vocab_)
        ids = np.fromiter((self.vocab_[t] for t in counts), dtype=np.int64, count=len(counts))
        return ids, np.fromiter(counts.values(), dtype=np.float64, count=len(counts))

    def scores(self, query: list[str]) -> np.ndarray:
        """BM25 score of every document; a term repeated in the query counts again, as in rank-bm25."""
        ids, counts = self.term_ids(query)
        if not len(ids):
            return np.zeros(self.n_docs_)
        starts, ends = self.indptr_[ids], self.indptr_[ids + 1]
        lengths = ends - starts
        total = int(lengths.sum())
        if total > LOOP_FROM * len(ids):  # long rows: added one after the other in place
            out = np.zeros(self.n_docs_)
            indices, data = self.indices_, self.data_
            for start, end, count in zip(starts.tolist(), ends.tolist(), counts.tolist(), strict=True):
                np.add.at(out, indices[start:end], data[start:end] if count == 1.0 else data[start:end] * count)
            return out
        # short ones: the positions of all the entries, row after row, then one weighted bincount (the same sums,
        # in the same order)
        positions = np.repeat(ends - np.cumsum(lengths), lengths) + np.arange(total)
        weights = self.data_[positions]
        if (counts != 1).any():
            weights = weights * np.repeat(counts, lengths)
        return np.bincount(self.indices_[positions], weights=weights, minlength=self.n_docs_)

    def _doc_view(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The same weights by document (a CSC view: pointers, term ids, weights), built on first use."""
        if getattr(self, "_by_doc", None) is None:
            order = np.argsort(self.indices_, kind="stable")
            terms = np.repeat(np.arange(len(self.indptr_) - 1, dtype=np.int32), np.diff(self.indptr_))
            counts = np.bincount(self.indices_, minlength=self.n_docs_)
            self._by_doc = (np.concatenate([[0], np.cumsum(counts)]), terms[order], self.data_[order])
        return self._by_doc

    def doc_terms(self, doc: int) -> tuple[np.ndarray, np.ndarray]:
        """The term ids of one document and their weights."""
        ptr, terms, data = self._doc_view()
        return terms[ptr[doc] : ptr[doc + 1]], data[ptr[doc] : ptr[doc + 1]]

    def doc_weights(self, doc: int) -> dict[int, float]:
        """One document's weights by term id (``doc_terms`` as a mapping), kept for the next call about it (a
        roster's enterprises are shown the same measures again and again; at most DOC_WEIGHTS_MOST documents
        kept). Shared between callers: never change it."""
        kept: dict[int, dict[int, float]] | None = getattr(self, "_weights_by_doc", None)
        if kept is None:
            kept = self._weights_by_doc = {}
        found = kept.get(doc)
        if found is None:
            terms, weights = self.doc_terms(doc)
            found = dict(zip(terms.tolist(), weights.tolist(), strict=True))
            if len(kept) < DOC_WEIGHTS_MOST:
                kept[doc] = found
        return found

    def doc_terms_many(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The (position in ``docs``, term id, weight) of every term of the given documents."""
        ptr, terms, data = self._doc_view()
        starts, ends = ptr[docs], ptr[docs + 1]
        lengths = ends - starts
        positions = np.repeat(ends - np.cumsum(lengths), lengths) + np.arange(int(lengths.sum()))
        return np.repeat(np.arange(len(docs)), lengths), terms[positions], data[positions]

    def weights(self, term: str, docs: np.ndarray) -> np.ndarray:
        """The term's weight in each of ``docs`` (0 where it does not occur)."""
        out = np.zeros(len(docs))
        t = self.vocab_.get(term)
        if t is None:
            return out
        row = self.indices_[self.indptr_[t] : self.indptr_[t + 1]]
        pos = np.searchsorted(row, docs)
        hit = pos < len(row)
        hit[hit] = row[pos[hit]] == docs[hit]
        out[hit] = self.data_[self.indptr_[t] + pos[hit]]
        return out

    def top_k(self, scores: np.ndarray, k: int) -> np.ndarray:
        """Indices of the k best scores, best first; ties broken by document order."""
        return top_k(scores, k)

    # --- persistence: .npy + JSON, never pickle ---------------------------------------------

    def save(self, directory: Path) -> None:
        """Write the arrays (``bm25_*.npy``) and the parameters and vocabulary (``bm25.json``) into ``directory``."""
        directory.mkdir(parents=True, exist_ok=True)
        np.save(directory / "bm25_data.npy", self.data_)
        np.save(directory / "bm25_indices.npy", self.indices_)
        np.save(directory / "bm25_indptr.npy", self.indptr_)
        meta = {"k1": self.k1, "b": self.b, "epsilon": self.epsilon, "n_docs": self.n_docs_, "vocab": list(self.vocab_)}
        (directory / "bm25.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> BM25Index:
        """The index ``save`` wrote into ``directory``; OSError or KeyError when files are missing or stale."""
        meta = json.loads((directory / "bm25.json").read_text(encoding="utf-8"))
        index = cls(meta["k1"], meta["b"], meta["epsilon"])
        index.vocab_ = {t: i for i, t in enumerate(meta["vocab"])}
        index.n_docs_ = meta["n_docs"]
        index.data_ = np.load(directory / "bm25_data.npy")
        index.indices_ = np.load(directory / "bm25_indices.npy").astype(np.intp, copy=False)  # an older cache's int32
        index.indptr_ = np.load(directory / "bm25_indptr.npy")
        index._matrix = index._by_doc = None
        return index


def idf_reference(corpus: list[list[str]], epsilon: float = 0.25) -> dict[str, float]:
    """rank-bm25's idf, written out, for tests."""
    df = Counter(t for doc in corpus for t in set(doc))
    idf = {t: math.log(len(corpus) - n + 0.5) - math.log(n + 0.5) for t, n in df.items()}
    eps = epsilon * sum(idf.values()) / len(idf)
    return {t: (v if v >= 0 else eps) for t, v in idf.items()}
