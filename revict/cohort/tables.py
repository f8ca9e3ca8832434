"""The typed value the cohort builder returns: analysis-ready tables.

``first_event`` -- one row per person:

============================  =======  ==============================================
column                        dtype    meaning
============================  =======  ==============================================
person_id                     str      pseudonym (researcher-only; never released)
index_date                    date     date of the first linked registration
index_year                    int      calendar year of index_date
time                          int      days from index to first outcome event or censoring
status                        int      0 censored, 1 outcome, 2 competing event (death)
exploitation_form, sex,       str      covariates at index; missing -> ``unknown``
age_group, origin, reporter,
cross_border
prior_victimisation           str      ``none`` / ``any`` victimisation in the 365 days before index
prior_victimisations_365d     int      number of victimisations in the 365 days before index
age_at_index                  int      index year minus birth year
is_minor                      bool     age_at_index < 18
follow_up_end                 int      days from index to end of follow-up (censoring/death/horizon)
============================  =======  ==============================================

``recurrent`` -- counting-process form, one row per interval, tiling each person's
follow-up ``(0, follow_up_end]``: person_id, start, stop (days since index),
event (0/1), episode (1, 2, ...: the number of the event this interval ends in or
is at risk for), gap_time (stop - start, days since previous event).

``attrition`` -- ordered steps: step, description, n_removed, n_remaining.

``outcome_events`` -- every counted outcome incident: person_id, day (days since
index), offence_category (same-day incidents each listed; the recurrent table
counts one event per day).

Row order: first_event by person_id; recurrent by person_id, start;
outcome_events by person_id, day, offence_category. The rules that produce these
tables are in :mod:`revict.cohort.build` and ``docs/cohort.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from revict.cohort.spec import CohortSpec

FIRST_EVENT_COLUMNS: tuple[str, ...] = (
    "person_id",
    "index_date",
    "index_year",
    "time",
    "status",
    "exploitation_form",
    "sex",
    "age_group",
    "origin",
    "reporter",
    "cross_border",
    "prior_victimisation",
    "prior_victimisations_365d",
    "age_at_index",
    "is_minor",
    "follow_up_end",
)
RECURRENT_COLUMNS: tuple[str, ...] = ("person_id", "start", "stop", "event", "episode", "gap_time")
ATTRITION_COLUMNS: tuple[str, ...] = ("step", "description", "n_removed", "n_remaining")


@dataclass(frozen=True)
class CohortTables:
    """Analysis-ready tables of one cohort.

    Attributes
    ----------
    spec : CohortSpec
        The cohort definition used.
    first_event, recurrent, attrition : DataFrame
        See the module docstring for columns.
    cohort_sha256 : str
        SHA-256 of the cohort file ('' when built from an in-memory spec).
    fingerprints : dict
        ``{source: {"path", "rows", "sha256"}}`` of the input data.
    outcome_events : DataFrame
        One row per counted outcome event during follow-up: person_id, day
        (days since index), offence_category. Feeds "which crimes follow".
    """

    spec: CohortSpec
    first_event: pd.DataFrame
    recurrent: pd.DataFrame
    attrition: pd.DataFrame
    cohort_sha256: str = ""
    fingerprints: dict[str, Any] = field(default_factory=dict)
    outcome_events: pd.DataFrame | None = None

    @property
    def n(self) -> int:
        """Number of persons in the cohort."""
        return len(self.first_event)

    @property
    def n_events(self) -> int:
        """Number of persons with an outcome event (status 1)."""
        return int((self.first_event["status"] == 1).sum())
