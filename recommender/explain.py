"""Why a measure is suggested, beyond its rule: the needs it serves and the words it shares."""

from __future__ import annotations

import re
from functools import lru_cache

from .corpus_models import Clause

_SENTENCE = re.compile(r"[^。；]+[。；]?")


@lru_cache(maxsize=4096)  # a clause's text, split once: the same measures are explained to enterprise after enterprise
def _sentences(text: str) -> tuple[str, ...]:
    """The sentences of ``text``, each with the 。 or ； that ends it."""
    return tuple(_SENTENCE.findall(text))


def quote_around(text: str, term: str, width: int = 48) -> str | None:
    """The sentence of ``text`` that contains ``term``, shortened around it."""
    for sentence in _sentences(text):
        at = sentence.find(term)
        if at < 0:
            continue
        sentence = sentence.strip().rstrip("。；")
        if len(sentence) <= width:
            return sentence
        start = max(0, min(at - width // 3, len(sentence) - width))
        return ("…" if start else "") + sentence[start : start + width] + ("…" if start + width < len(sentence) else "")
    return None


RELEVANT_TEXT = 0.3  # share of the best BM25 score below which shared words are not worth a reason


def why(clause: Clause, needs: list[str], matched_terms: list[str], text_score: float) -> list[str]:
    """Reasons in Chinese, quoting the clause's own words."""
    reasons = []
    served = [n for n in needs if n in clause.benefits]
    if served:
        reasons.append(f"对应企业诉求：{'、'.join(served)}")
    for term in matched_terms if text_score >= RELEVANT_TEXT else []:
        if len(term) >= 2 and (snippet := quote_around(clause.text, term)):
            reasons.append(f"与企业填写的情况相关：原文“{snippet}”")
            break
    return reasons
