"""The cohort-file format (``cohorts/*.yaml``) as a pydantic v2 model."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import Field, NonNegativeInt, PositiveInt, StringConstraints, model_validator

from revict._core.model import RevictModel, load_yaml_model

OffenceCategory = Literal["violence", "sexual", "threat", "exploitation", "property", "other"]
Covariate = Literal[
    "exploitation_form", "sex", "age_group", "origin", "reporter", "cross_border", "prior_victimisation"
]
SERIOUS: tuple[str, ...] = ("violence", "sexual", "threat", "exploitation")

#: Levels of every categorical covariate other than ``age_group`` (which the cohort defines).
COVARIATE_LEVELS: dict[str, tuple[str, ...]] = {
    "exploitation_form": ("sexual", "labour", "criminal", "other", "unknown"),
    "sex": ("F", "M", "U", "unknown"),
    "origin": ("NL", "EU", "non-EU", "unknown"),
    "reporter": (
        "police",
        "border_police",
        "labour_inspectorate",
        "care_coordinator",
        "shelter",
        "other",
        "unknown",
    ),
    "cross_border": ("yes", "no", "unknown"),
    "prior_victimisation": ("none", "any"),
}


class DateWindow(RevictModel):
    """An inclusive date window."""

    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end < self.start:
            raise ValueError("end must not be before start (the window is inverted)")
        return self


class Outcome(RevictModel):
    """Which victimisations count as the outcome.

    ``categories``: ``any`` (every police-registered victimisation), ``serious``
    (the schema's serious categories) or a list of offence categories.
    """

    categories: Literal["any", "serious"] | tuple[OffenceCategory, ...] = "any"

    def category_list(self, serious: tuple[str, ...] = SERIOUS) -> tuple[str, ...] | None:
        """Return the categories that count, or ``None`` for any."""
        if self.categories == "any":
            return None
        if self.categories == "serious":
            return tuple(serious)
        return tuple(self.categories)


class CohortSpec(RevictModel):
    """A study design: who enters, when follow-up starts and ends, what counts as the outcome."""

    spec_version: Literal[1] = 1
    name: Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+$")]
    description: str = ""
    index_event: Literal["first_victim_registration"] = "first_victim_registration"
    entry_window: DateWindow
    follow_up_days: PositiveInt = 2557
    outcome: Outcome = Outcome()
    blackout_days: NonNegativeInt = 0
    censor_at: tuple[Literal["death", "emigration", "data_end"], ...] = ("death", "emigration", "data_end")
    competing_risks: tuple[Literal["death"], ...] = ("death",)
    covariates: tuple[Covariate, ...] = ("exploitation_form", "sex", "age_group", "origin")
    age_groups: tuple[NonNegativeInt, ...] = (0, 18, 25, 35, 50)
    reference_levels: dict[Covariate, str] = Field(default_factory=dict)
    restrict: dict[Covariate, tuple[str, ...]] = Field(
        default_factory=dict, description="Keep only persons whose covariate at index has one of these levels."
    )
    exclude_unknown: tuple[Covariate, ...] = Field(
        default=(), description="Covariates for which persons with a missing value are excluded (else level `unknown`)."
    )
    strata: tuple[Covariate, ...] | None = Field(
        default=None, description="Covariates to stratify descriptive curves by (default: the covariates)."
    )
    min_cell: Annotated[int, Field(ge=1)] = 10

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.blackout_days >= self.follow_up_days:
            raise ValueError("blackout_days must be shorter than follow_up_days")
        if list(self.age_groups) != sorted(set(self.age_groups)) or not self.age_groups or self.age_groups[0] != 0:
            raise ValueError("age_groups must be increasing lower bounds starting at 0, e.g. [0, 18, 25, 35, 50]")
        for cov, level in self.reference_levels.items():
            levels = self.levels(cov)
            if level not in levels:
                raise ValueError(f"reference_levels.{cov}: {level!r} is not a level; choose one of {', '.join(levels)}")
        for cov, keep in self.restrict.items():
            bad = [lv for lv in keep if lv not in self.levels(cov)]
            if bad:
                raise ValueError(f"restrict.{cov}: unknown level(s); choose from {', '.join(self.levels(cov))}")
        return self

    @property
    def age_group_labels(self) -> tuple[str, ...]:
        """Labels of the age groups, e.g. ``("0-17", "18-24", ..., "50+")``."""
        b = self.age_groups
        labels = [f"{lo}-{hi - 1}" for lo, hi in zip(b[:-1], b[1:], strict=True)]
        return (*labels, f"{b[-1]}+")

    def levels(self, covariate: str) -> tuple[str, ...]:
        """Possible levels of a covariate (age groups plus ``unknown``)."""
        if covariate == "age_group":
            return (*self.age_group_labels, "unknown")
        return COVARIATE_LEVELS[covariate]

    @property
    def strata_covariates(self) -> tuple[str, ...]:
        """Covariates used for stratified descriptive curves."""
        return tuple(self.strata) if self.strata is not None else tuple(self.covariates)


def load_cohort(path: str | Path) -> CohortSpec:
    """Read and validate a cohort YAML file (raises :class:`revict.SpecError`)."""
    return load_yaml_model(path, CohortSpec)
