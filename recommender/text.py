"""The one tokenizer: jieba with the policy-domain dictionary, stopwords and query synonyms.

jieba keeps its whole prefix dictionary (~500k entries) in a dict that takes over a second to
load, yet segmenting a text only ever looks up substrings of that text. So the final dictionary
(jieba's plus the user dictionary) is written once to an SQLite file under ``.cache/`` and jieba's
algorithm runs unchanged against a mapping that looks words up there on demand: the same tokens,
without the load (see ``tests/test_bm25.py``). Tokens are cached per jieba block (the runs of
text between punctuation that jieba segments independently), so repeated sentences are free.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sqlite3
import sys
import tempfile
import threading
from collections.abc import Container, Iterator, Sequence
from functools import lru_cache
from pathlib import Path

from .paths import CACHE, LEXICON
from .text_clean import clean_query
from .yamlio import load_yaml


def _import_jieba():
    # jieba imports pkg_resources only to locate its data files, and that import costs ~0.15 s;
    # without it jieba falls back to a plain open() of the same files.
    hidden = "pkg_resources" not in sys.modules
    if hidden:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]
    try:
        import jieba
    finally:
        if hidden:
            del sys.modules["pkg_resources"]
    return jieba


jieba = _import_jieba()
jieba.setLogLevel(logging.WARNING)

_WORD = re.compile(r"[\u3400-\u9fffA-Za-z]")
_BLOCKS = jieba.re_han_default  # jieba segments each run of these characters on its own
DICT_VERSION = "1"


class LazyFreq:
    """jieba's FREQ mapping, read from SQLite on demand (with an in-memory memo)."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        self._memo: dict[str, int | None] = {}
        total, force_split = self._db.execute("SELECT total, force_split FROM meta").fetchone()
        self.total = int(total)
        self.force_split = [w for w in force_split.split("\n") if w]

    def _lookup(self, word: str) -> int | None:
        try:
            return self._memo[word]
        except KeyError:
            pass
        with self._lock:
            row = self._db.execute("SELECT n FROM freq WHERE w = ?", (word,)).fetchone()
        value = None if row is None else row[0]
        if len(self._memo) < 1_000_000:
            self._memo[word] = value
        return value

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._lookup(word) is not None

    def __getitem__(self, word: str) -> int:
        value = self._lookup(word)
        if value is None:
            raise KeyError(word)
        return value

    def get(self, word: str, default: int | None = None) -> int | None:
        """The word's jieba frequency, or ``default`` when the dictionary does not have it."""
        value = self._lookup(word)
        return default if value is None else value

    def __setitem__(self, word: str, value: int) -> None:  # jieba.add_word after loading
        self._memo[word] = value


def _dictionary_fingerprint(userdict: Path | None) -> str:
    main = Path(jieba.__file__).parent / "dict.txt"
    stat = main.stat()
    digest = hashlib.sha256(f"{DICT_VERSION}:{jieba.__version__}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    if userdict is not None:
        digest.update(userdict.read_bytes())
    return digest.hexdigest()[:16]


def _build_dictionary(path: Path, userdict: Path | None) -> None:
    """Load jieba the slow way once and write its final FREQ (and total) to SQLite."""
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    force_split: list[str] = []
    if userdict is not None:
        before = set(jieba.finalseg.Force_Split_Words)
        tokenizer.load_userdict(str(userdict))
        force_split = sorted(set(jieba.finalseg.Force_Split_Words) - before)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    db.execute("CREATE TABLE freq (w TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID")
    db.execute("CREATE TABLE meta (total INTEGER NOT NULL, force_split TEXT NOT NULL)")
    db.executemany("INSERT INTO freq VALUES (?, ?)", tokenizer.FREQ.items())
    db.execute("INSERT INTO meta VALUES (?, ?)", (tokenizer.total, "\n".join(force_split)))
    db.commit()
    db.close()
    os.replace(tmp, path)  # atomic: concurrent builders write the same content


def fast_tokenizer(userdict: Path | None, cache: Path = CACHE) -> jieba.Tokenizer:
    """A jieba.Tokenizer whose dictionary is jieba's plus ``userdict``, looked up lazily."""
    path = cache / f"jieba-{_dictionary_fingerprint(userdict)}.sqlite"
    if not path.exists():
        try:
            _build_dictionary(path, userdict)
        except (OSError, sqlite3.Error):  # a read-only checkout: built in the system's temporary folder instead
            path = Path(tempfile.gettempdir()) / "zhengce-beidou" / path.name
            if not path.exists():
                _build_dictionary(path, userdict)
    freq = LazyFreq(path)
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ = freq
    tokenizer.total = freq.total
    tokenizer.initialized = True
    for word in freq.force_split:
        jieba.finalseg.add_force_split(word)
    return tokenizer


class Analyzer:
    """Turns text into index terms; with ``domain=False`` it is plain jieba (for ablations)."""

    def __init__(self, lexicon: Path = LEXICON, domain: bool = True, cache: Path = CACHE) -> None:
        self.domain = domain
        self._jieba = fast_tokenizer(lexicon / "userdict.txt" if domain else None, cache)
        self.stopwords: set[str] = set()
        self.synonyms: dict[str, list[str]] = {}
        self.need_terms: dict[str, list[str]] = _read_yaml(lexicon / "needs.yaml")
        if domain:
            words = [w.strip() for w in (lexicon / "stopwords.txt").read_text(encoding="utf-8").splitlines()]
            # Latin words in any case: "and", "And" and the indexed "AND" alike
            self.stopwords = {v for w in words if w and not w.startswith("#") for v in (w, w.lower(), w.upper())}
            self.synonyms = _read_yaml(lexicon / "synonyms.yaml")
        self._cache: dict[str, tuple[str, ...]] = {}  # jieba block → its terms
        self._word_cache: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {}  # block → whole words, sub-words
        self._texts: dict[str, tuple[str, ...]] = {}  # short texts (queries, synonyms) → terms
        self._expansions: dict[str, tuple[str, ...]] = {}

    def _block(self, block: str) -> tuple[str, ...]:
        cached = self._cache.get(block)
        if cached is None:
            cached = tuple(t for t in map(_as_term, self._jieba.cut_for_search(block)) if self._is_term(t))
            if len(self._cache) < 500_000:
                self._cache[block] = cached
        return cached

    def iter_tokens(self, text: str) -> Iterator[str]:
        """The index terms of ``text`` as ``tokens`` gives them, lazily; blocks are cached, the whole text not."""
        # re.split with a group alternates: text between blocks (punctuation, spaces: only
        # single characters or blanks, which never make a term), then a block.
        parts = _BLOCKS.split(text)
        for i in range(1, len(parts), 2):
            yield from self._block(parts[i])

    def query_tokens(self, text: str, known: Container[str]) -> tuple[list[str], list[str]]:
        """An enterprise's words as query terms, and the sub-words they contain.

        The text is cleaned like the corpus (``clean_query``) and cut into whole dictionary words;
        a word's sub-words ("材料" of "新材料") are terms only when the corpus does not know the whole
        word (``known``: the index vocabulary), so a query never matches inside a longer word. The
        sub-words of known words come back apart: ``expand`` may look them up in the synonym list.
        """
        terms: list[str] = []
        subwords: list[str] = []
        parts = _BLOCKS.split(clean_query(text))
        for block in parts[1::2]:
            for term, inside in self._words(block):
                if term in known:
                    terms += [term] if self._is_term(term) else []
                    subwords += inside
                else:
                    terms += [*inside, *([term] if self._is_term(term) else [])]
        return terms, subwords

    def _words(self, block: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """A block's whole dictionary words (jieba's precise mode), each with its sub-words; cached."""
        cached = self._word_cache.get(block)
        if cached is None:
            cached = tuple(
                (term, tuple(t for t in self._block(word) if t != term))
                for word in self._jieba.cut(block)
                for term in (_as_term(word),)
            )
            if len(self._word_cache) < 500_000:
                self._word_cache[block] = cached
        return cached

    def _is_term(self, term: str) -> bool:
        """A word (as ``_as_term`` gives it) is a term: two characters or more, a letter or 汉字 in it, no stopword."""
        return len(term) > 1 and bool(_WORD.search(term)) and term not in self.stopwords

    def tokens(self, text: str) -> list[str]:
        """Index terms of ``text``: search-mode segmentation, no stopwords, no single characters."""
        cached = self._texts.get(text)
        if cached is None:
            cached = tuple(self.iter_tokens(text))
            if len(text) <= 200 and len(self._texts) < 100_000:
                self._texts[text] = cached
        return list(cached)

    def expand(self, terms: list[str], subwords: Sequence[str] = ()) -> list[str]:
        """Add the policy words for an enterprise's own words and the sub-words in them (one step, no chains)."""
        out = list(terms)
        for term in [*terms, *subwords]:
            added = self._expansions.get(term)
            if added is None:
                added = tuple(t for synonym in self.synonyms.get(term, []) for t in self.tokens(synonym) or [synonym])
                self._expansions[term] = added
            out += added
        return out


def _as_term(word: str) -> str:
    """A word as the index holds it: Latin words in upper case ("ai" and "AI" alike)."""
    return word.upper() if word.isascii() else word


def _read_yaml(path: Path) -> dict[str, list[str]]:
    data = load_yaml(path)[0] or {}  # DataError names the file and line
    return {str(k): [str(v) for v in vs] for k, vs in data.items()}


@lru_cache(maxsize=2)
def analyzer(domain: bool = True) -> Analyzer:
    """The shared Analyzer (domain dictionary, stopwords and synonyms, or plain jieba), one per setting."""
    return Analyzer(domain=domain)
