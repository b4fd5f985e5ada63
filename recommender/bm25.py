"""BM25 (Okapi, the rank-bm25 formula) with scores precomputed into a sparse matrix.

A query is then a sparse row sum; top-k is ``argpartition``. The index saves as .npy + JSON.
rank-bm25 stays the reference: tests check both give the same scores.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import numpy as np
from scipy import sparse


class BM25Index:
    def __init__(self, k1: float = 1.5, b: float = 0.75, epsilon: float = 0.25) -> None:
        self.k1, self.b, self.epsilon = k1, b, epsilon

    def fit(self, corpus: list[list[str]]) -> BM25Index:
        n_docs = len(corpus)
        vocab: dict[str, int] = {}
        rows, cols, tfs = [], [], []
        for d, tokens in enumerate(corpus):
            for term, tf in Counter(tokens).items():
                rows.append(d)
                cols.append(vocab.setdefault(term, len(vocab)))
                tfs.append(tf)
        rows_a, cols_a = np.array(rows, dtype=np.int32), np.array(cols, dtype=np.int32)
        tf_a = np.array(tfs, dtype=np.float64)
        doc_len = np.array([len(t) for t in corpus], dtype=np.float64)
        avgdl = doc_len.mean() if n_docs else 0.0
        df = np.bincount(cols_a, minlength=len(vocab)).astype(np.float64)
        idf = np.log(n_docs - df + 0.5) - np.log(df + 0.5)
        eps = self.epsilon * idf.mean() if len(idf) else 0.0  # rank-bm25's floor for very common terms
        idf[idf < 0] = eps
        norm = self.k1 * (1 - self.b + self.b * doc_len[rows_a] / avgdl)
        weights = idf[cols_a] * tf_a * (self.k1 + 1) / (tf_a + norm)
        # terms × docs, so that a query term is a row
        self.matrix_ = sparse.csr_matrix((weights, (cols_a, rows_a)), shape=(len(vocab), n_docs))
        self.vocab_ = vocab
        self.n_docs_ = n_docs
        return self

    def term_ids(self, query: list[str]) -> tuple[np.ndarray, np.ndarray]:
        counts = Counter(t for t in query if t in self.vocab_)
        ids = np.fromiter((self.vocab_[t] for t in counts), dtype=np.int64, count=len(counts))
        return ids, np.fromiter(counts.values(), dtype=np.float64, count=len(counts))

    def scores(self, query: list[str]) -> np.ndarray:
        """BM25 score of every document; a term repeated in the query counts again, as in rank-bm25."""
        ids, counts = self.term_ids(query)
        if not len(ids):
            return np.zeros(self.n_docs_)
        return np.asarray(self.matrix_[ids].T @ counts).ravel()

    def top_k(self, scores: np.ndarray, k: int) -> np.ndarray:
        """Indices of the k best scores, best first; ties broken by document order."""
        k = min(k, len(scores))
        if k <= 0:
            return np.array([], dtype=np.int64)
        kth = np.partition(scores, len(scores) - k)[len(scores) - k]  # the k-th best score
        above = np.flatnonzero(scores > kth)
        tied = np.flatnonzero(scores == kth)[: k - len(above)]
        chosen = np.concatenate([above, tied])
        return chosen[np.lexsort((chosen, -scores[chosen]))]

    # --- persistence: .npy + JSON, never pickle ---------------------------------------------

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        m = self.matrix_
        np.save(directory / "bm25_data.npy", m.data)
        np.save(directory / "bm25_indices.npy", m.indices)
        np.save(directory / "bm25_indptr.npy", m.indptr)
        meta = {"k1": self.k1, "b": self.b, "epsilon": self.epsilon, "n_docs": self.n_docs_, "vocab": list(self.vocab_)}
        (directory / "bm25.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> BM25Index:
        meta = json.loads((directory / "bm25.json").read_text(encoding="utf-8"))
        index = cls(meta["k1"], meta["b"], meta["epsilon"])
        index.vocab_ = {t: i for i, t in enumerate(meta["vocab"])}
        index.n_docs_ = meta["n_docs"]
        data = np.load(directory / "bm25_data.npy")
        indices = np.load(directory / "bm25_indices.npy")
        indptr = np.load(directory / "bm25_indptr.npy")
        index.matrix_ = sparse.csr_matrix((data, indices, indptr), shape=(len(index.vocab_), index.n_docs_))
        return index


def idf_reference(corpus: list[list[str]], epsilon: float = 0.25) -> dict[str, float]:
    """rank-bm25's idf, written out, for tests."""
    df = Counter(t for doc in corpus for t in set(doc))
    idf = {t: math.log(len(corpus) - n + 0.5) - math.log(n + 0.5) for t, n in df.items()}
    eps = epsilon * sum(idf.values()) / len(idf)
    return {t: (v if v >= 0 else eps) for t, v in idf.items()}
