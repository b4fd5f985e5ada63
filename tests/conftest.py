from __future__ import annotations

import pytest

from recommender.corpus import load_policies
from recommender.corpus_models import PolicyFile


@pytest.fixture(scope="session")
def policies() -> list[PolicyFile]:
    return load_policies()


@pytest.fixture(scope="session")
def clauses(policies):
    return [c for p in policies for c in p.clauses]


@pytest.fixture(scope="session")
def by_id(clauses):
    return {c.id: c for c in clauses}
