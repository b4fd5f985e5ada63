"""Near-duplicate clauses across documents (TF-IDF cosine over the project tokenizer's terms)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..corpus_models import Clause, DocumentMeta
from ..locator import cited

DEFAULT_DUPLICATE_THRESHOLD = 0.5


def similarity(clauses: Sequence[Clause]) -> np.ndarray:
    """Cosine similarity of the clauses' texts: TF-IDF over the project tokenizer's terms."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from ..text import analyzer

    if not clauses:
        return np.zeros((0, 0))
    vectorizer = TfidfVectorizer(tokenizer=analyzer().tokens, lowercase=False, token_pattern=None)
    matrix = vectorizer.fit_transform([c.text for c in clauses])
    sim = (matrix @ matrix.T).toarray()
    return np.minimum((sim + sim.T) / 2, 1.0)  # exact symmetry despite float rounding


def near_duplicates(
    clauses: Sequence[Clause],
    threshold: float = DEFAULT_DUPLICATE_THRESHOLD,
    measures_only: bool = True,
    documents: Mapping[str, DocumentMeta] | None = None,
) -> pd.DataFrame:
    """Pairs of clauses from different documents whose texts are at least ``threshold`` alike, best first.

    The TF-IDF weights are learnt from all ``clauses``; ``measures_only`` keeps pairs of measures. Each clause
    is shown as people cite it (第3条 …), its id in the last columns.
    """
    columns = ["相似度", "条款A", "文件A", "条款A原文", "条款B", "文件B", "条款B原文", "条款A编号", "条款B编号"]
    clauses = list(clauses)
    sim = similarity(clauses)
    keep = np.array([c.kind == "measure" or not measures_only for c in clauses], dtype=bool)
    policy = np.array([c.policy_id for c in clauses], dtype=object)
    rows = []
    if len(clauses):
        upper = np.triu(sim >= threshold, k=1)
        upper &= policy[:, None] != policy[None, :]
        upper &= keep[:, None] & keep[None, :]
        for i, j in zip(*np.nonzero(upper), strict=True):
            a, b = sorted((clauses[i], clauses[j]), key=lambda c: c.id)
            title = (lambda c: documents[c.policy_id].short_title) if documents else (lambda c: c.policy_id)
            score = round(float(sim[i, j]), 4)
            rows.append([score, cited(a), title(a), a.text, cited(b), title(b), b.text, a.id, b.id])
    frame = pd.DataFrame(rows, columns=columns)
    order = ["相似度", "条款A编号", "条款B编号"]
    return frame.sort_values(order, ascending=[False, True, True], kind="stable").reset_index(drop=True)
