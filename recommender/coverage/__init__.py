"""Coverage analysis for policy staff: who the measures serve, who they miss, what a change would do.

Everything works on a *population* (an uploaded roster's profiles or a seeded synthetic one,
``population``) and a *corpus view* (clauses and documents, copied, never the cached engine's
own objects). Statuses come from the one vectorised evaluator of ``recommender.eligibility``.

- ``population``: the seeded synthetic population;
- ``analysis``: the population's facts, the corpus view, the enterprises × measures matrix;
- ``tables``: per enterprise, segment, need and measure (as CSV by ``safe_output.csv_bytes``);
- ``unmatched``: measures nobody can use and the condition that stops them;
- ``duplicates``: near-duplicate clauses across documents;
- ``whatif``: a changed condition or district list, and who gains or loses.
"""

from ..eligibility.status import STATUSES
from ..safe_output import csv_bytes
from .analysis import (
    DIMENSIONS,
    CorpusView,
    Coverage,
    OutOfForce,
    PopulationRules,
    compute_coverage,
    out_of_force,
    segment_values,
)
from .duplicates import DEFAULT_DUPLICATE_THRESHOLD, near_duplicates, similarity
from .population import (
    DEFAULT_INDUSTRIES,
    DEFAULT_NEEDS,
    DEFAULT_REGIONS,
    DEFAULT_SIZES,
    DEFAULT_STAGES,
    SIZE_CLASSES,
    population_frame,
    synthetic_population,
)
from .tables import (
    CLAUSE_ID,
    VALID,
    enterprise_table,
    measure_table,
    needs_table,
    segment_label,
    segment_table,
    uncovered_segments,
)
from .unmatched import (
    ConditionCount,
    Unmatched,
    condition_counts,
    conditions_table,
    unmatched_conditions_table,
    unmatched_measures,
    unmatched_table,
)
from .whatif import (
    Change,
    ConditionEdit,
    RegionEdit,
    WhatIf,
    apply_change,
    changed_statuses,
    describe_change,
    editable_value_kind,
    new_condition,
    value_options,
    what_if,
    what_if_table,
    with_value,
)

__all__ = [
    "CLAUSE_ID",
    "DEFAULT_DUPLICATE_THRESHOLD",
    "DEFAULT_INDUSTRIES",
    "DEFAULT_NEEDS",
    "DEFAULT_REGIONS",
    "DEFAULT_SIZES",
    "DEFAULT_STAGES",
    "DIMENSIONS",
    "SIZE_CLASSES",
    "STATUSES",
    "VALID",
    "Change",
    "ConditionCount",
    "ConditionEdit",
    "CorpusView",
    "Coverage",
    "OutOfForce",
    "PopulationRules",
    "RegionEdit",
    "Unmatched",
    "WhatIf",
    "apply_change",
    "changed_statuses",
    "compute_coverage",
    "condition_counts",
    "conditions_table",
    "csv_bytes",
    "describe_change",
    "editable_value_kind",
    "enterprise_table",
    "measure_table",
    "near_duplicates",
    "needs_table",
    "new_condition",
    "out_of_force",
    "population_frame",
    "segment_label",
    "segment_table",
    "segment_values",
    "similarity",
    "synthetic_population",
    "uncovered_segments",
    "unmatched_conditions_table",
    "unmatched_measures",
    "unmatched_table",
    "value_options",
    "what_if",
    "what_if_table",
    "with_value",
]
