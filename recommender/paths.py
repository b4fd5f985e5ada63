"""Where the project's data lives, and its settings file.

Everything is found from this file's folder, never from the working folder, so `beidou` (and `python -m
recommender` with the clone on the path) answers the same from any folder. The data stays in the clone:
requirements.txt installs the project editable (``-e .``)."""

import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "policies"
SOURCES = POLICIES / "sources"
ANNOTATIONS = POLICIES / "annotations"
CLAUSES = POLICIES / "clauses"
CRITERIA = POLICIES / "criteria"
LEXICON = POLICIES / "lexicon"
CACHE = ROOT / ".cache"
CONFIG = ROOT / "config.toml"  # the deployment's settings: [registry], [limits]


def config_section(name: str) -> dict[str, Any]:
    """The ``[name]`` section of config.toml ({} when it has none); OSError or tomllib.TOMLDecodeError as
    reading the file gives them."""
    with CONFIG.open("rb") as f:
        return dict(tomllib.load(f).get(name, {}))
