"""Cohort definitions (``cohorts/*.yaml``) and the cohort builder.

``build_cohort(sources, spec)`` turns loaded registers into analysis-ready tables
(:class:`CohortTables`); ``write_cohort_tables`` writes them as Parquet plus
``attrition.json``.
"""

from revict.cohort.attrition import STEP_ORDER, EmptyCohortError
from revict.cohort.build import OUTCOME_EVENT_COLUMNS, build_cohort
from revict.cohort.spec import CohortSpec, DateWindow, Outcome, load_cohort
from revict.cohort.tables import CohortTables
from revict.cohort.write import attrition_record, read_cohort_tables, write_cohort_tables

__all__ = [
    "OUTCOME_EVENT_COLUMNS",
    "STEP_ORDER",
    "CohortSpec",
    "CohortTables",
    "DateWindow",
    "EmptyCohortError",
    "Outcome",
    "attrition_record",
    "build_cohort",
    "load_cohort",
    "read_cohort_tables",
    "write_cohort_tables",
]
