"""Error types and the ``Problem`` record.

Every message says what, where, why and how to fix it -- and never contains a raw
value from the data. Values are masked where the message is made
(:mod:`revict._core.masking`), not by a renderer afterwards.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How bad a problem is: ``error`` fails validation, ``warning`` does not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One finding about input data or a specification file.

    Attributes
    ----------
    code : str
        Stable identifier, e.g. ``"date_outside_window"``.
    severity : Severity
        ``error`` or ``warning``.
    source : str
        Source table or file the problem is in.
    column : str or None
        Column (or key path for spec files), if any.
    failed_rows, total_rows : int
        Rows failing the check, out of all rows checked.
    rows : tuple of int
        First few 1-based data row numbers (never values).
    message : str
        What is wrong, with counts, never a raw value.
    hint : str
        How to fix it.
    """

    code: str
    severity: Severity
    source: str
    column: str | None
    message: str
    hint: str
    failed_rows: int = 0
    total_rows: int = 0
    rows: tuple[int, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        d = asdict(self)
        d["severity"] = str(self.severity)
        d["rows"] = list(self.rows)
        return d

    def __str__(self) -> str:
        where = self.source + (f".{self.column}" if self.column else "")
        return f"[{self.code}] {where}: {self.message} -- {self.hint}"


class RevictError(Exception):
    """Base class of every error revict raises on purpose.

    Parameters
    ----------
    message : str
        What went wrong (no raw data values).
    hint : str, optional
        How to fix it.
    problems : sequence of Problem, optional
        All findings collected before failing.
    """

    exit_code = 2

    def __init__(self, message: str, *, hint: str = "", problems: tuple[Problem, ...] = ()) -> None:
        self.message = message
        self.hint = hint
        self.problems = tuple(problems)
        text = message if not hint else f"{message}\nHow to fix: {hint}"
        super().__init__(text)


class SpecError(RevictError):
    """A schema, cohort or report file is invalid (exit code 2)."""


class SourceError(RevictError):
    """An input file is missing, unreadable or malformed (exit code 2)."""


class ModelFitError(RevictError):
    """A model could not be fitted."""

    exit_code = 1


class DisclosureError(RevictError):
    """Disclosure control blocked a release (exit code 3)."""

    exit_code = 3


class RevictWarning(UserWarning):
    """Base class of revict warnings."""
