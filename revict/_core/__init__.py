"""Shared building blocks: errors, masking, the DuckDB engine, atomic output, base models."""

from revict._core.errors import (
    DisclosureError,
    ModelFitError,
    Problem,
    RevictError,
    RevictWarning,
    Severity,
    SourceError,
    SpecError,
)

__all__ = [
    "DisclosureError",
    "ModelFitError",
    "Problem",
    "RevictError",
    "RevictWarning",
    "Severity",
    "SourceError",
    "SpecError",
]
