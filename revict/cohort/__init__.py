"""Cohort definitions (``cohorts/*.yaml``) and the cohort builder."""

from revict.cohort.spec import CohortSpec, DateWindow, Outcome, load_cohort
from revict.cohort.tables import CohortTables

__all__ = ["CohortSpec", "CohortTables", "DateWindow", "Outcome", "load_cohort"]
