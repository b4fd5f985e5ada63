"""The one tokenizer: jieba with the policy-domain dictionary, stopwords and query synonyms."""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path

import jieba
import yaml

from .paths import LEXICON

jieba.setLogLevel(logging.WARNING)

_WORD = re.compile(r"[\u3400-\u9fffA-Za-z]")


class Analyzer:
    """Turns text into index terms; with ``domain=False`` it is plain jieba (for ablations)."""

    def __init__(self, lexicon: Path = LEXICON, domain: bool = True) -> None:
        self.domain = domain
        self._jieba = jieba.Tokenizer()
        self.stopwords: set[str] = set()
        self.synonyms: dict[str, list[str]] = {}
        self.need_terms: dict[str, list[str]] = _read_yaml(lexicon / "needs.yaml")
        if domain:
            self._jieba.load_userdict(str(lexicon / "userdict.txt"))
            self.stopwords = {
                w.strip()
                for w in (lexicon / "stopwords.txt").read_text(encoding="utf-8").splitlines()
                if w.strip() and not w.startswith("#")
            }
            self.synonyms = _read_yaml(lexicon / "synonyms.yaml")
        self._cache: dict[str, tuple[str, ...]] = {}

    def tokens(self, text: str) -> list[str]:
        """Index terms of ``text``: search-mode segmentation, no stopwords, no single characters."""
        cached = self._cache.get(text)
        if cached is None:
            cached = tuple(
                t.upper() if t.isascii() else t
                for t in self._jieba.cut_for_search(text)
                if len(t) > 1 and _WORD.search(t) and t not in self.stopwords
            )
            if len(self._cache) < 200_000:
                self._cache[text] = cached
        return list(cached)

    def expand(self, terms: list[str]) -> list[str]:
        """Add the policy words for an enterprise's own words (one step, no chains)."""
        out = list(terms)
        for term in terms:
            for synonym in self.synonyms.get(term, []):
                out += self.tokens(synonym) or [synonym]
        return out


def _read_yaml(path: Path) -> dict[str, list[str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): [str(v) for v in vs] for k, vs in data.items()}


@lru_cache(maxsize=2)
def analyzer(domain: bool = True) -> Analyzer:
    return Analyzer(domain=domain)
