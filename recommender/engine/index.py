"""The corpus and its BM25 index over each clause's text, cached in ``.cache/`` while the data is unchanged."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path

import numpy as np

from ..bm25 import BM25Index
from ..corpus import load_policies
from ..corpus_models import Clause, PolicyFile
from ..ingest.clean import LOST_MARK
from ..paths import CACHE, LEXICON
from ..text import Analyzer

INDEX_VERSION = "3"


def clause_text(clause: Clause) -> str:
    """What BM25 indexes: title, section, text, merged table rows, benefit types and the curated
    phrasings an enterprise would use for it (document expansion); 〔原文缺字〕 marks left out.
    """
    parts = [clause.title or "", clause.group or "", clause.section or "", clause.text]
    parts += [item.text for item in clause.table_items]
    parts += clause.benefits + clause.phrasings
    return " ".join(p for p in parts if p).replace(LOST_MARK, " ")


def cache_dir(directory: Path, domain: bool) -> Path:
    """Where the index of ``directory``'s clauses is cached: named by a digest of the clause and lexicon files."""
    digest = hashlib.sha256(f"{INDEX_VERSION}:{domain}".encode())
    for path in sorted(directory.glob("*.yaml")) + sorted(LEXICON.glob("*")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return CACHE / f"index-{digest.hexdigest()[:16]}"


def build_index(clauses: list[Clause], analyzer: Analyzer) -> BM25Index:
    """A BM25 index of the clauses' texts (``clause_text``), tokenised by ``analyzer``."""
    return BM25Index().fit([analyzer.tokens(clause_text(c)) for c in clauses])


def load_cached(cache: Path, directory: Path) -> tuple[list[PolicyFile], BM25Index | None]:
    """The corpus and its index from ``cache``, or the corpus of ``directory`` and None when not cached."""
    if (cache / "corpus.json").exists():
        data = json.loads((cache / "corpus.json").read_text(encoding="utf-8"))
        return [PolicyFile.model_validate(p) for p in data], BM25Index.load(cache)
    return load_policies(directory), None


def save_cache(cache: Path, policies: list[PolicyFile], index: BM25Index) -> None:
    """Store the corpus and its index in ``cache`` for ``load_cached`` (written aside, then moved into place).
    Where nothing can be written (a read-only checkout) nothing is cached: the next start builds it again."""
    tmp = cache.with_name(cache.name + ".tmp")
    try:
        index.save(tmp)
        (tmp / "corpus.json").write_text(
            json.dumps([p.model_dump(mode="json") for p in policies], ensure_ascii=False), encoding="utf-8"
        )
        if not cache.exists():
            tmp.replace(cache)
    except OSError:
        return


class QueryMask:
    """A query's terms as vocabulary ids (``ids``: id → term) and a mask over the vocabulary (``wanted``), made
    once per query and shared by the matched_terms calls of its results."""

    def __init__(self, index: BM25Index, query: set[str]) -> None:
        vocab = index.vocab_
        self.ids = {vocab[t]: t for t in query if t in vocab}
        self._size = len(vocab)

    @cached_property
    def wanted(self) -> np.ndarray:
        """bool over the vocabulary: the query's terms. Made on first use: only the many-clause path of
        ``matched_terms`` reads it (one clause looks the ids up in its own weights)."""
        wanted = np.zeros(self._size, dtype=bool)
        wanted[list(self.ids)] = True
        return wanted


def matched_terms(index: BM25Index, docs: list[int], query: set[str] | QueryMask) -> dict[int, list[str]]:
    """Query terms found in each clause (by index position), heaviest first, at most 10 (for highlighting)."""
    mask = query if isinstance(query, QueryMask) else QueryMask(index, query)
    ids = mask.ids
    out: dict[int, list[tuple[float, str]]] = {d: [] for d in docs}
    if not docs or not ids:
        return {d: [] for d in docs}
    if len(docs) == 1:  # one result explained on demand: its own slice of the index, no gathering
        return {docs[0]: _matched_in(index, docs[0], mask)}
    owner, terms, weights = index.doc_terms_many(np.array(docs, dtype=np.int64))
    hit = mask.wanted[terms] & (weights > 0)
    for j, t, w in zip(owner[hit].tolist(), terms[hit].tolist(), weights[hit].tolist(), strict=True):
        out[docs[j]].append((-w, ids[t]))
    return {d: _heaviest(ws) for d, ws in out.items()}


def _matched_in(index: BM25Index, doc: int, mask: QueryMask) -> list[str]:
    """``matched_terms`` of one clause: the query terms it contains, heaviest first, at most 10."""
    weights = index.doc_weights(doc)
    ids = mask.ids  # the terms both hold (a set operation over the smaller side); their order does not matter
    return _heaviest((-w, ids[t]) for t in ids.keys() & weights.keys() if (w := weights[t]) > 0)


def _heaviest(found: Iterable[tuple[float, str]]) -> list[str]:
    """The terms of (-weight, term) pairs, heaviest first (ties by term), at most 10."""
    return [t for _, t in sorted(found)][:10]
