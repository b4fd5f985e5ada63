"""Every clause's status for every enterprise of a population at once (numpy).

``verdict.evaluate`` judges one clause for one profile and writes the reasons and gaps: that is
what a person reads. Ranking, coverage, what-if, audience and push lists need only the status
(and the number of specific conditions met) of many clauses for one or many enterprises, so:

- the distinct conditions (field, op, value, hard, otherwise; the quote does not change a state)
  are judged once per enterprise: numeric comparisons vectorised by (field, op) over the whole
  population with the operators ``conditions`` defines, the others by ``conditions.check``
  itself, once per distinct value of their fact
  (memoised), so that a condition's meaning stays defined in one place;
- the distinct rules (lists of condition ids) are reduced to a status by ``status.combine`` over
  a padded population × rules × conditions array;
- a clause's status is its rule's status (one gather).

A matrix can extend another (``base``): the base's conditions keep their ids, and
``condition_states`` given the base's states judges only the conditions the new clauses add (a
what-if changes one condition or one document's area; the rest is already judged).

``tests/test_rulematrix.py`` checks that this agrees with ``evaluate`` on every clause for many
profiles.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from functools import cached_property
from typing import Any

import numpy as np

from ..corpus_models import Clause, Condition, DocumentMeta
from .conditions import NUMERIC_OPS, check, conditions_for, is_area
from .facts import TITLE_AGE_FIELDS, Facts
from .status import ELIGIBLE, INELIGIBLE, MET, STATE_CODES, UNKNOWN, combine

UNHASHABLE = object()
FIELD_MEMO_MOST = 20_000  # (field, value) pairs whose conditions' states ``_one_states`` remembers
OUTCOME_TABLE_MOST = 1_000_000  # rules × state combinations tabulated for ``rule_outcomes`` (3 ** width each)


def hashable_value(value: Any) -> Any:
    """A value usable as a memo key (with its type: 1 and True must not meet), or ``UNHASHABLE``."""
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


def may_unlock(cond: Condition) -> bool:
    """Whether a gap on ``cond`` can name a title that would settle it (``verdict._gap``): a title the
    enterprise could still win (qualifications, any_of, not marked hard), or a fact that exists once a title
    is held (``facts.TITLE_AGE_FIELDS``)."""
    title = cond.field == "qualifications" and cond.op == "any_of" and cond.hard is not True
    return title or cond.field in TITLE_AGE_FIELDS


def _is_numeric(cond: Condition) -> bool:
    return cond.op in NUMERIC_OPS and isinstance(cond.value, (int, float)) and not isinstance(cond.value, bool)


class RuleMatrix:
    """The eligibility rules of ``clauses`` (those at positions ``rows``; default all) compiled once.

    ``documents`` maps policy id → document (its area is part of every clause's rule). With ``base``, the
    base's conditions come first with the same ids (``known`` of them), so that the base's condition
    states can be reused (``condition_states(population, known=...)``).
    """

    def __init__(
        self,
        clauses: Sequence[Clause],
        documents: dict[str, DocumentMeta],
        rows: np.ndarray | None = None,
        base: RuleMatrix | None = None,
    ) -> None:
        rows = np.arange(len(clauses)) if rows is None else rows
        index: dict[tuple[Any, ...], int] = dict(base._index) if base is not None else {}
        self.conditions: list[Condition] = list(base.conditions) if base is not None else []
        self.known = len(self.conditions)  # conditions of ``base``, judged before
        self._index = index
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
        self.rules = rules
        n = len(self.conditions)  # index n: padding, always met, never hard, never specific
        width = max((len(r) for r in rules), default=0)
        self.rule_conds = np.full((len(rules), width), n, dtype=np.int64)
        for r, ids in enumerate(rules):
            self.rule_conds[r, : len(ids)] = ids
        hard = np.array([c.is_hard for c in self.conditions] + [False])
        specific = np.array([not is_area(c) for c in self.conditions] + [False])
        self._rule_fields = [tuple(dict.fromkeys(self.conditions[c].field for c in r)) for r in rules]
        self.rule_hard = hard[self.rule_conds]
        self.rule_specific = specific[self.rule_conds]
        self.rule_unlock = np.array([may_unlock(c) for c in self.conditions] + [False])[self.rule_conds]
        self.rows = rows
        self._rows_rule = self.clause_rule[rows]
        self._memo: dict[tuple[int, Any], int] = {}
        self._field_memo: dict[tuple[str, Any], np.ndarray] = {}  # (field, value key) → its conditions' states
        # numeric conditions: one comparison per (field, op) for the whole population
        groups: dict[tuple[str, str], list[int]] = {}
        self._other: dict[str, list[int]] = {}  # field → ids of its non-numeric conditions
        for cid, cond in enumerate(self.conditions):
            if _is_numeric(cond):
                groups.setdefault((cond.field, cond.op), []).append(cid)
            else:
                self._other.setdefault(cond.field, []).append(cid)
        self._other_ids = {field: np.array(ids, dtype=np.int64) for field, ids in self._other.items()}
        self._numeric = [
            (
                field,
                NUMERIC_OPS[op],
                np.array(ids),
                np.array([float(self.conditions[c].value) for c in ids]),
                np.array([STATE_CODES[self.conditions[c].otherwise] for c in ids], dtype=np.int8),
            )
            for (field, op), ids in groups.items()
        ]

    def clause_fields(self, i: int) -> tuple[str, ...]:
        """The facts clause ``i``'s rule tests (with the document's area), in order; () if not compiled."""
        rule = self.clause_rule[i]
        return self._rule_fields[rule] if rule >= 0 else ()

    def clause_conditions(self, i: int) -> list[int]:
        """Ids (columns of ``condition_states``) of clause ``i``'s conditions, in its rule's order."""
        rule = self.clause_rule[i]
        return list(self.rules[rule]) if rule >= 0 else []

    def condition_states(self, population: Sequence[Facts], known: np.ndarray | None = None) -> np.ndarray:
        """int8 ``[enterprises, conditions + 1]``: MET / NOT_MET / UNKNOWN; the last column is the padding.

        ``known``: the base matrix's ``condition_states`` for the same population (``[enterprises, known +
        1]``); only the conditions this matrix adds are judged then. ValueError when its shape does not fit.
        """
        start = 0
        if known is not None:
            if known.shape != (len(population), self.known + 1):
                raise ValueError(f"known states should be {(len(population), self.known + 1)}, not {known.shape}")
            start = self.known
        elif len(population) == 1:
            return self._one_states(population[0])[None, :]
        states = np.zeros((len(population), len(self.conditions) + 1), dtype=np.int8)
        if known is not None:
            states[:, :start] = known[:, :start]
        for field, compare, ids, values, otherwise in self._numeric:
            new = ids >= start
            if not new.any():
                continue
            actual = np.array([_number(f.get(field)) for f in population], dtype=np.float64)
            present = ~np.isnan(actual)
            states[:, ids[new]] = np.where(
                present[:, None],
                np.where(compare(actual[:, None], values[None, new]), MET, otherwise[None, new]),
                UNKNOWN,
            )
        for field, ids in self._other.items():
            todo = [cid for cid in ids if cid >= start]
            if todo:
                self._judge_field(population, field, todo, states)
        return states

    def _one_states(self, facts: Facts) -> np.ndarray:
        """``condition_states`` for one enterprise (ranking's case): the same tests on scalars, 1-D."""
        states = np.zeros(len(self.conditions) + 1, dtype=np.int8)
        for field, compare, ids, values, otherwise in self._numeric:
            actual = facts.get(field)
            states[ids] = UNKNOWN if actual is None else np.where(compare(float(actual), values), MET, otherwise)
        for field, ids in self._other.items():
            key = hashable_value(facts.get(field))
            states[self._other_ids[field]] = self._field_states(field, ids, key, facts)
        return states

    def _field_states(self, field: str, ids: list[int], key: Any, facts: Facts) -> np.ndarray:
        """The state codes of ``field``'s non-numeric conditions ``ids`` for ``facts``, whose value of the field
        has memo key ``key`` (``_state`` of each), remembered by the field's value as ``_state`` remembers each."""
        memo_key = (field, key)
        remember = key is not UNHASHABLE
        codes = self._field_memo.get(memo_key) if remember else None
        if codes is None:
            codes = np.array([self._state(cid, key, facts) for cid in ids], dtype=np.int8)
            if remember and len(self._field_memo) < FIELD_MEMO_MOST:
                self._field_memo[memo_key] = codes
        return codes

    def _judge_field(self, population: Sequence[Facts], field: str, ids: list[int], states: np.ndarray) -> None:
        """States of one field's non-numeric conditions: ``check`` once per distinct value of the field."""
        distinct: dict[Any, int] = {}  # value → its row in ``table``
        first: list[int] = []  # the first enterprise holding each distinct value
        inverse = np.empty(len(population), dtype=np.int64)
        for row, facts in enumerate(population):
            key = hashable_value(facts.get(field))
            if key is UNHASHABLE:
                key = (UNHASHABLE, row)  # judged on its own
            position = distinct.setdefault(key, len(first))
            if position == len(first):
                first.append(row)
            inverse[row] = position
        table = np.array(
            [[self._state(cid, key, population[first[k]]) for cid in ids] for k, key in enumerate(distinct)],
            dtype=np.int8,
        ).reshape(len(first), len(ids))
        states[:, ids] = table[inverse]

    def _state(self, cid: int, key: Any, facts: Facts) -> int:
        """Condition ``cid``'s state code for ``facts``, whose field value has memo key ``key``."""
        memo_key = (cid, key)
        code = self._memo.get(memo_key)
        if code is None:
            code = STATE_CODES[check(self.conditions[cid], facts)[0]]
            if key is not UNHASHABLE and key[0] is not UNHASHABLE and len(self._memo) < 100_000:
                self._memo[memo_key] = code
        return code

    def evaluate(self, population: Sequence[Facts]) -> tuple[np.ndarray, np.ndarray]:
        """Status codes and specific conditions met, each ``[enterprises, clauses]``.

        Clauses not compiled (not in ``rows``) get INELIGIBLE and 0.
        """
        return self.evaluate_states(self.condition_states(population))

    def may_unlock(self, states: np.ndarray, status: np.ndarray) -> np.ndarray:
        """bool ``[enterprises, clauses]``: clauses that a title might turn eligible (``Verdict.unlocks_with``
        can be non-empty), from the condition ``states`` and the ``status`` codes ``evaluate_states`` gave:
        not eligible, with open conditions that all ``may_unlock``. A superset: the verdict decides."""
        st = states[:, self.rule_conds]
        open_ = st != MET
        rule = open_.any(axis=-1) & ~(open_ & ~self.rule_unlock[None, :, :]).any(axis=-1)
        out = np.zeros(status.shape, dtype=bool)
        out[:, self.rows] = rule[:, self._rows_rule]
        return out & (status != ELIGIBLE)

    @cached_property
    def _outcome_tables(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
        """Every rule's outcomes for every combination of its conditions' states, worked out by ``combine`` and
        the tests of ``evaluate_states`` and ``may_unlock`` themselves: (powers of 3 that number a combination,
        each rule's first entry, status codes, specific conditions met, a title might unlock it), the last three
        flat ``[rules × combinations]``. None when there would be more than OUTCOME_TABLE_MOST entries."""
        rules, width = self.rule_conds.shape
        combos = 3**width
        if rules * combos > OUTCOME_TABLE_MOST:
            return None
        assert sorted(STATE_CODES.values()) == [0, 1, 2], "a combination is numbered by its states in base 3"
        # row k: the states of combination k, the first condition's the most significant digit
        grid = np.array(list(itertools.product(range(3), repeat=width)), dtype=np.int8).reshape(combos, width)
        st = np.broadcast_to(grid[:, None, :], (combos, rules, width))
        status = combine(st, self.rule_hard[None, :, :])
        specific = (self.rule_specific[None, :, :] & (st == MET)).sum(axis=-1)
        open_ = st != MET
        unlock = open_.any(axis=-1) & ~(open_ & ~self.rule_unlock[None, :, :]).any(axis=-1)
        powers = 3 ** np.arange(width - 1, -1, -1, dtype=np.int64)
        starts = np.arange(rules, dtype=np.int64) * combos
        return powers, starts, status.T.ravel(), specific.T.ravel(), unlock.T.ravel()

    def rule_outcomes(self, states: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One enterprise's outcome of every rule (``self.rules``) from its ``condition_states`` row (1-D): status
        codes, specific conditions met, and whether a title might unlock it (``may_unlock`` before its not-eligible
        test), as ``evaluate_states`` and ``may_unlock`` give them for a rule's clauses; looked up in tables of
        every combination of a rule's states (``_outcome_tables``), a few array operations instead of a few tens."""
        tables = self._outcome_tables
        st = states[self.rule_conds]  # rules × width
        if tables is None:
            hard = self.rule_hard
            status = combine(st, hard)
            specific = (self.rule_specific & (st == MET)).sum(axis=-1)
            open_ = st != MET
            return status, specific, open_.any(axis=-1) & ~(open_ & ~self.rule_unlock).any(axis=-1)
        powers, starts, status, specific, unlock = tables
        at = st @ powers + starts
        return status[at], specific[at], unlock[at]

    def evaluate_states(self, states: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``evaluate`` from states already judged (``condition_states``)."""
        st = states[:, self.rule_conds]  # enterprises × rules × width
        rule_status = combine(st, self.rule_hard[None, :, :])
        rule_specific = (self.rule_specific[None, :, :] & (st == MET)).sum(axis=-1)
        n = len(states)
        status = np.full((n, len(self.clause_rule)), INELIGIBLE, dtype=np.int8)
        specific = np.zeros((n, len(self.clause_rule)), dtype=np.int64)
        status[:, self.rows] = rule_status[:, self._rows_rule]
        specific[:, self.rows] = rule_specific[:, self._rows_rule]
        return status, specific


def _number(value: Any) -> float:
    return float("nan") if value is None else float(value)
