"""Ingestion: raw policy documents → the clause corpus under policies/clauses/."""

from .build import build_corpus, ingest, write_corpus

__all__ = ["build_corpus", "ingest", "write_corpus"]
