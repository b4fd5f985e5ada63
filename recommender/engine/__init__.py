"""The engine: ``index`` (corpus + BM25), ``ranking`` (components, weights, order), ``results`` and ``Recommender``."""

from .index import clause_text
from .ranking import CandidateTable, rank_order
from .recommender import Recommender
from .results import Recommendation, Result, Results

__all__ = ["CandidateTable", "Recommendation", "Recommender", "Result", "Results", "clause_text", "rank_order"]
