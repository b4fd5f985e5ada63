"""Where the project's data lives."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "policies"
SOURCES = POLICIES / "sources"
ANNOTATIONS = POLICIES / "annotations"
CLAUSES = POLICIES / "clauses"
CRITERIA = POLICIES / "criteria"
LEXICON = POLICIES / "lexicon"
CACHE = ROOT / ".cache"
