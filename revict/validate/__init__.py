"""Validation of register extracts against a linkage schema, for data stewards.

``validate(schema, data_dir) -> ValidationReport``: every check (conformance,
completeness, plausibility) with counts out of the total and up to five masked
examples with their row numbers. Runs vectorised in DuckDB.
"""

from revict.validate.api import validate, validate_sources
from revict.validate.catalogue import CATALOGUE, Category, CheckDef
from revict.validate.report import Check, Example, ValidationReport

__all__ = [
    "CATALOGUE",
    "Category",
    "Check",
    "CheckDef",
    "Example",
    "ValidationReport",
    "validate",
    "validate_sources",
]
