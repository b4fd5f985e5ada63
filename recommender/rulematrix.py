"""Every clause's eligibility status for one profile at once (numpy), for ranking.

``rules.evaluate`` judges one clause at a time and writes the reasons and gaps; that is what a
person reads, and the engine calls it for the results it shows. To rank, only each clause's
status and its count of specific conditions met are needed, for every clause. Corpora repeat
conditions (the document's area on every clause of a document, the same titles and sizes), so:

- the distinct conditions (field, op, value, hard, otherwise; the quote does not change a state)
  are judged once per profile: numeric comparisons vectorized by (field, op), the others by
  ``rules.check`` itself, so that their meaning stays defined in one place;
- the distinct rules (lists of condition ids) are reduced to a status with numpy over a padded
  rules × conditions array;
- a clause's status is its rule's status (one gather).

``tests/test_rulematrix.py`` checks that this agrees with ``rules.evaluate`` on every clause for many
profiles, and the engine re-checks the statuses of the results it shows.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from .corpus_models import Clause, Condition, DocumentMeta
from .rules import Facts, check, conditions_for

STATUSES = ("eligible", "partial", "unknown", "ineligible")  # status codes 0..3
ELIGIBLE, PARTIAL, UNKNOWN_STATUS, INELIGIBLE = range(4)
MET, NOT_MET, UNKNOWN = 0, 1, 2
_STATE_CODE = {"met": MET, "not_met": NOT_MET, "unknown": UNKNOWN}
_NUMERIC_OPS = {"gte": np.greater_equal, "gt": np.greater, "lte": np.less_equal, "lt": np.less}
_AREA_FIELDS = {"region", "park"}


UNHASHABLE = object()


def hashable_value(value: Any) -> Any:
    """A value usable as a memo key (with its type: 1 and True must not meet), or UNHASHABLE."""
    if isinstance(value, (set, frozenset)):
        return (type(value).__name__, frozenset(value))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(value))
    try:
        hash(value)
    except TypeError:
        return UNHASHABLE
    return (type(value).__name__, value)


def _key(cond: Condition) -> tuple[Any, ...]:
    value = json.dumps(cond.value, ensure_ascii=False, sort_keys=True)
    return (cond.field, cond.op, value, cond.is_hard, cond.otherwise)


class CompiledRules:
    """The eligibility rules of ``clauses`` (those in ``rows``) compiled for vectorized judging."""

    def __init__(self, clauses: list[Clause], documents: dict[str, DocumentMeta], rows: np.ndarray) -> None:
        index: dict[tuple[Any, ...], int] = {}
        self.conditions: list[Condition] = []
        rule_index: dict[tuple[int, ...], int] = {}
        rules: list[tuple[int, ...]] = []
        self.clause_rule = np.full(len(clauses), -1, dtype=np.int64)
        for i in rows.tolist():
            clause = clauses[i]
            ids = []
            for cond in conditions_for(clause, documents[clause.policy_id]):
                cid = index.setdefault(_key(cond), len(index))
                if cid == len(self.conditions):
                    self.conditions.append(cond)
                ids.append(cid)
            rid = rule_index.setdefault(tuple(ids), len(rule_index))
            if rid == len(rules):
                rules.append(tuple(ids))
            self.clause_rule[i] = rid
        n = len(self.conditions)  # index n: padding, always met, never hard, never specific
        width = max((len(r) for r in rules), default=0)
        self.rule_conds = np.full((len(rules), width), n, dtype=np.int64)
        for r, ids in enumerate(rules):
            self.rule_conds[r, : len(ids)] = ids
        hard = np.array([c.is_hard for c in self.conditions] + [False])
        specific = np.array([c.field not in _AREA_FIELDS for c in self.conditions] + [False])
        self._rule_fields = [tuple(dict.fromkeys(self.conditions[c].field for c in r)) for r in rules]
        self.rule_hard = hard[self.rule_conds]
        self.rule_specific = specific[self.rule_conds]
        self.rows = rows
        self._memo: dict[tuple[int, Any], int] = {}
        self._rows_rule = self.clause_rule[rows]
        # numeric conditions: one vectorized comparison per (field, op)
        self._numeric: list[tuple[str, Any, np.ndarray, np.ndarray, np.ndarray]] = []
        groups: dict[tuple[str, str], list[int]] = {}
        self._other: list[int] = []
        for cid, cond in enumerate(self.conditions):
            if cond.op in _NUMERIC_OPS and isinstance(cond.value, (int, float)) and not isinstance(cond.value, bool):
                groups.setdefault((cond.field, cond.op), []).append(cid)
            else:
                self._other.append(cid)
        for (field, op), ids in groups.items():
            values = np.array([float(self.conditions[c].value) for c in ids])
            otherwise = np.array([_STATE_CODE[self.conditions[c].otherwise] for c in ids], dtype=np.int8)
            self._numeric.append((field, _NUMERIC_OPS[op], np.array(ids), values, otherwise))

    def clause_fields(self, i: int) -> tuple[str, ...]:
        """The fields clause i's rule tests (with the document's area), in order."""
        rule = self.clause_rule[i]
        return self._rule_fields[rule] if rule >= 0 else ()

    def condition_states(self, facts: Facts) -> np.ndarray:
        """The state (MET / NOT_MET / UNKNOWN) of each distinct condition, plus the padding (met)."""
        states = np.zeros(len(self.conditions) + 1, dtype=np.int8)
        for field, compare, ids, values, otherwise in self._numeric:
            actual = facts.get(field)
            if actual is None:
                states[ids] = UNKNOWN
            else:
                states[ids] = np.where(compare(float(actual), values), MET, otherwise)
        # a condition's state depends only on the value of its field: judged once per distinct value
        conditions, memo = self.conditions, self._memo
        values: dict[str, Any] = {}
        for cid in self._other:
            field = conditions[cid].field
            if field not in values:
                values[field] = hashable_value(facts.get(field))
            key = (cid, values[field])
            state = memo.get(key) if key[1] is not UNHASHABLE else None
            if state is None:
                state = _STATE_CODE[check(conditions[cid], facts)[0]]
                if key[1] is not UNHASHABLE and len(memo) < 100_000:
                    memo[key] = state
            states[cid] = state
        return states

    def evaluate(self, facts: Facts) -> tuple[np.ndarray, np.ndarray]:
        """Status code (``STATUSES``) and specific conditions met, for every clause in ``rows``.

        Clauses not compiled get INELIGIBLE and 0.
        """
        st = self.condition_states(facts)[self.rule_conds]
        hard = self.rule_hard
        hard_fail = (hard & (st == NOT_MET)).any(axis=1)
        hard_unknown = (hard & (st == UNKNOWN)).any(axis=1)
        soft_open = (~hard & (st != MET)).any(axis=1)
        rule_status = np.where(
            hard_fail, INELIGIBLE, np.where(hard_unknown, UNKNOWN_STATUS, np.where(soft_open, PARTIAL, ELIGIBLE))
        ).astype(np.int8)
        rule_specific = (self.rule_specific & (st == MET)).sum(axis=1)
        status = np.full(len(self.clause_rule), INELIGIBLE, dtype=np.int8)
        specific = np.zeros(len(self.clause_rule), dtype=np.int64)
        status[self.rows] = rule_status[self._rows_rule]
        specific[self.rows] = rule_specific[self._rows_rule]
        return status, specific
