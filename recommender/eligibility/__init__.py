"""Eligibility: where every status is decided. A rule's meaning changes in one module here.

- ``facts``: the one fact registry (name, label, unit, derivation, evidence) and ``Facts``, a
  profile's facts at a date; clause rules, criteria, pages and sheets read facts from it.
- ``conditions``: what one clause condition tests and how it reads (``check``, ``requirement``).
- ``status``: state and status codes, their labels, and ``status_of``, the one status rule (``combine``
  applies it to arrays).
- ``verdict``: ``evaluate``, the reference for one clause and one profile, with reasons and gaps.
- ``matrix``: ``RuleMatrix``, the vectorised evaluator for many clauses × many enterprises, used
  by ranking, coverage, what-if, audience and push lists.
- ``size``: the enterprise size class (统计上大中小微型企业划分办法 2017), a derived fact.
"""
