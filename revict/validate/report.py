"""The validation report: every check with counts and masked examples.

Checks are made masked: an :class:`Example` holds a row number and an already
masked value, and a :class:`Check` message holds counts and schema facts only.
Renderers (JSON, HTML, terminal) never see a raw value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from revict._core.errors import Severity
from revict._core.io import write_json_atomic
from revict.validate.catalogue import CATALOGUE, Category

_SEVERITY_RANK = {Severity.ERROR: 0, Severity.WARNING: 1}


@dataclass(frozen=True)
class Example:
    """One failing cell: its 1-based data row number and its masked value."""

    row: int
    value: str

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"row", "value"}``."""
        return {"row": int(self.row), "value": self.value}


@dataclass(frozen=True)
class Check:
    """The outcome of one check on one source (and column).

    Attributes
    ----------
    id : str
        Stable check id (see :data:`revict.validate.catalogue.CATALOGUE`).
    category : Category
        ``conformance``, ``completeness`` or ``plausibility``.
    severity : Severity
        ``error`` (fails validation) or ``warning``.
    source, column : str, str or None
        Where the check looked.
    failed_rows, total_rows : int
        Rows failing, out of the rows checked; ``failed_rows == 0`` means passed.
    message : str
        What was found, with counts; never a raw value.
    description, hint : str
        What the check tests (one line) and how to fix the data.
    examples : tuple of Example
        Up to five failing rows with masked values.
    skipped : bool
        True when the check could not apply (reported as passed, with the reason).
    """

    id: str
    source: str
    column: str | None
    failed_rows: int
    total_rows: int
    message: str
    severity: Severity
    category: Category
    description: str
    hint: str
    examples: tuple[Example, ...] = ()
    skipped: bool = False

    @property
    def passed(self) -> bool:
        """True when no row failed."""
        return self.failed_rows == 0

    @property
    def is_error(self) -> bool:
        """True when this check failed with error severity."""
        return not self.passed and self.severity is Severity.ERROR

    def to_dict(self) -> dict[str, Any]:
        """Return the check in the report's JSON shape."""
        return {
            "id": self.id,
            "category": str(self.category),
            "severity": str(self.severity),
            "source": self.source,
            "column": self.column,
            "passed": self.passed,
            "failed_rows": int(self.failed_rows),
            "total_rows": int(self.total_rows),
            "message": self.message,
            "description": self.description,
            "hint": self.hint,
            "skipped": self.skipped,
            "examples": [e.to_dict() for e in self.examples],
        }


def make_check(
    check_id: str,
    source: str,
    column: str | None,
    *,
    failed_rows: int,
    total_rows: int,
    message: str,
    examples: tuple[Example, ...] = (),
    severity: Severity | None = None,
    hint: str | None = None,
    skipped: bool = False,
) -> Check:
    """Build a :class:`Check`, filling category, description and hint from the catalogue."""
    d = CATALOGUE[check_id]
    return Check(
        id=check_id,
        source=source,
        column=column,
        failed_rows=int(failed_rows),
        total_rows=int(total_rows),
        message=message,
        severity=severity or d.severity,
        category=d.category,
        description=d.description,
        hint=hint or d.hint,
        examples=examples if failed_rows else (),
        skipped=skipped,
    )


def _sort_key(c: Check) -> tuple[Any, ...]:
    share = c.failed_rows / c.total_rows if c.total_rows else (1.0 if c.failed_rows else 0.0)
    return (c.passed, _SEVERITY_RANK[c.severity], -share, -c.failed_rows, c.source, c.column or "", c.id)


@dataclass(frozen=True)
class ValidationReport:
    """The result of :func:`revict.validate.validate`: every check, passed or failed.

    Attributes
    ----------
    schema : str
        Name of the linkage schema the data were checked against.
    files : dict
        ``{source: {"path", "rows", "sha256"}}`` of the files that could be read.
    checks : tuple of Check
        Worst first: failed errors, failed warnings, then passed checks.
    diagnostics : dict
        Link rates per source broken down by year and coded columns, and other
        aggregate counts a steward can act on (no row-level data).
    deep : bool
        Whether the ``--deep`` checks ran.
    """

    schema: str
    files: dict[str, dict[str, Any]]
    checks: tuple[Check, ...]
    diagnostics: dict[str, Any] = field(default_factory=dict)
    deep: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "checks", tuple(sorted(self.checks, key=_sort_key)))

    @property
    def valid(self) -> bool:
        """False exactly when an error-severity check failed."""
        return not any(c.is_error for c in self.checks)

    @property
    def n_errors(self) -> int:
        """Number of failed error-severity checks."""
        return sum(c.is_error for c in self.checks)

    @property
    def n_warnings(self) -> int:
        """Number of failed warning-severity checks."""
        return sum((not c.passed) and c.severity is Severity.WARNING for c in self.checks)

    @property
    def exit_code(self) -> int:
        """0 when valid (warnings allowed), 1 when an error was found."""
        return 0 if self.valid else 1

    def failed(self) -> tuple[Check, ...]:
        """Return the checks that failed, worst first."""
        return tuple(c for c in self.checks if not c.passed)

    def verdict(self) -> str:
        """One line: valid or not, with the numbers of errors, warnings and passed checks."""
        n_pass = sum(c.passed for c in self.checks)
        head = "VALID" if self.valid else "NOT VALID"
        return (
            f"{head}: {self.n_errors} error check(s) failed, {self.n_warnings} warning(s), "
            f"{n_pass} of {len(self.checks)} checks passed"
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-safe report: ``valid``, ``schema``, ``files``, ``checks`` and extras."""
        return {
            "valid": self.valid,
            "schema": self.schema,
            "verdict": self.verdict(),
            "deep": self.deep,
            "files": self.files,
            "checks": [c.to_dict() for c in self.checks],
            "diagnostics": self.diagnostics,
        }

    def summary(self) -> pd.DataFrame:
        """One row per check, worst first (no examples)."""
        cols = ["id", "category", "severity", "source", "column", "passed", "failed_rows", "total_rows", "message"]
        rows = [{k: c.to_dict()[k] for k in cols} for c in self.checks]
        return pd.DataFrame(rows, columns=cols)

    def write_json(self, path: str | Path) -> Path:
        """Write the report as JSON atomically and return the path."""
        return write_json_atomic(path, self.to_dict())

    def write_html(self, path: str | Path) -> Path:
        """Write a self-contained, offline HTML page of the report and return the path."""
        from revict.validate.html import write_report_html

        return write_report_html(self, path)

    def _repr_html_(self) -> str:
        from revict.validate.html import render_html

        return render_html(self, standalone=False)
