"""The attrition (flow) record of a cohort and the error raised when it selects nobody."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import pandas as pd

from revict._core.errors import RevictError
from revict.cohort.tables import ATTRITION_COLUMNS

logger = logging.getLogger("revict")

#: Steps in the order they are applied. Counts are registrations up to and including
#: ``registration_date_missing`` and persons from ``not_first_registration`` on.
STEP_ORDER: tuple[str, ...] = (
    "registrations_read",
    "unlinked",
    "registration_date_missing",
    "not_first_registration",
    "index_outside_entry_window",
    "person_missing",
    "died_or_emigrated_before_index",
    "restricted",
    "missing_covariates",
    "final_cohort",
)

_HINTS: dict[str, str] = {
    "registrations_read": "The victim_registrations extract has no rows; check the --data folder.",
    "unlinked": "No registration has a person_id; check that the extract is the linked one.",
    "registration_date_missing": "No linked registration has a valid registration_date (YYYY-MM-DD); "
    "run `revict validate` on the data.",
    "not_first_registration": "No person has a first registration; run `revict validate` on the data.",
    "index_outside_entry_window": "No first registration lies in entry_window; widen entry_window in the "
    "cohort file or check the data window of the extract.",
    "person_missing": "No registered person is in the persons extract; check that persons and "
    "victim_registrations were linked with the same pseudonyms.",
    "died_or_emigrated_before_index": "Every person died, emigrated or reached the schema's data_end on or "
    "before the index date; check death_date/emigration_date and that entry_window ends before data_end.",
    "restricted": "The `restrict` levels of the cohort file exclude everyone; loosen `restrict`.",
    "missing_covariates": "Every remaining person has an unknown level of a covariate in `exclude_unknown`; "
    "remove it from `exclude_unknown` to keep them with level `unknown`.",
}


class EmptyCohortError(RevictError):
    """The cohort selects nobody; ``step`` names the attrition step that removed everyone.

    Attributes
    ----------
    step : str
        Code of the step after which no one remained.
    attrition : DataFrame
        The attrition table up to and including that step.
    """

    exit_code = 2

    def __init__(self, step: str, description: str, attrition: pd.DataFrame) -> None:
        self.step = step
        self.attrition = attrition
        base = step.split(":", 1)[0]
        super().__init__(
            f"the cohort selects nobody: attrition step '{step}' ({description}) removed everyone left",
            hint=_HINTS.get(base, "Check the cohort file and the data."),
        )


@dataclass
class Flow:
    """Accumulates attrition steps; raises :class:`EmptyCohortError` when none remain."""

    rows: list[tuple[str, str, int, int]] = field(default_factory=list)

    @property
    def remaining(self) -> int:
        """Count remaining after the last step."""
        return self.rows[-1][3] if self.rows else 0

    def step(self, step: str, description: str, n_remaining: int, *, n_removed: int | None = None) -> None:
        """Record a step; ``n_removed`` defaults to the drop from the previous count."""
        removed = (self.remaining - n_remaining) if n_removed is None else n_removed
        self.rows.append((step, description, int(removed), int(n_remaining)))
        logger.info("cohort attrition: %s removed %d, %d remain", step, removed, n_remaining)
        if n_remaining <= 0:
            raise EmptyCohortError(step, description, self.frame())

    def frame(self) -> pd.DataFrame:
        """Return the attrition table (columns step, description, n_removed, n_remaining)."""
        df = pd.DataFrame(self.rows, columns=list(ATTRITION_COLUMNS))
        df["n_removed"] = df["n_removed"].astype("int64")
        df["n_remaining"] = df["n_remaining"].astype("int64")
        return df
