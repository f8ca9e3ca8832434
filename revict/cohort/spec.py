"""The cohort-file format (``cohorts/*.yaml``) as a pydantic v2 model."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import (
    Field,
    NonNegativeInt,
    PositiveInt,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from revict._core.model import RevictModel, load_yaml_model

OffenceCategory = Literal["violence", "sexual", "threat", "exploitation", "property", "other"]
Covariate = Literal[
    "exploitation_form", "sex", "age_group", "origin", "reporter", "cross_border", "prior_victimisation"
]
SERIOUS: tuple[str, ...] = ("violence", "sexual", "threat", "exploitation")
Reporter = Literal["police", "border_police", "labour_inspectorate", "care_coordinator", "shelter", "other"]
HiddenStratum = Literal["year", "exploitation_form", "sex", "minor", "origin", "age_group"]
ListName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_]{1,24}$")]

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


def _age_labels(bounds: tuple[int, ...]) -> tuple[str, ...]:
    labels = [f"{lo}-{hi - 1}" for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)]
    return (*labels, f"{bounds[-1]}+")


def _levels(covariate: str, age_groups: tuple[int, ...] | None) -> tuple[str, ...]:
    """Levels of a covariate; age groups from the given bounds (``unknown`` included)."""
    if covariate == "age_group":
        return (*_age_labels(age_groups), "unknown") if age_groups else ("unknown",)
    return COVARIATE_LEVELS[covariate]


class DateWindow(RevictModel):
    """An inclusive date window."""

    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end < self.start:
            raise ValueError(
                f"end ({self.end.isoformat()}) is before start ({self.start.isoformat()}): the window is "
                "inverted; swap start and end"
            )
        return self


class Outcome(RevictModel):
    """Which victimisations count as the outcome.

    ``categories``: ``any`` (every police-registered victimisation), ``serious``
    (the schema's serious categories) or a list of offence categories.
    """

    categories: Literal["any", "serious"] | tuple[OffenceCategory, ...] = "any"

    @field_validator("categories", mode="before")
    @classmethod
    def _known_categories(cls, v: object) -> object:
        allowed = ("violence", "sexual", "threat", "exploitation", "property", "other")
        if isinstance(v, str) and v not in ("any", "serious"):
            raise ValueError(f"use `any`, `serious` or a list of offence categories ({', '.join(allowed)})")
        if isinstance(v, list | tuple):
            bad = [c for c in v if c not in allowed]
            if bad:
                raise ValueError(f"unknown offence category; choose from {', '.join(allowed)}")
            if not v:
                raise ValueError("the list is empty; use `any` or name at least one category")
        return v

    def category_list(self, serious: tuple[str, ...] = SERIOUS) -> tuple[str, ...] | None:
        """Return the categories that count, or ``None`` for any."""
        if self.categories == "any":
            return None
        if self.categories == "serious":
            return tuple(serious)
        return tuple(self.categories)


class HiddenSpec(RevictModel):
    """How ``revict hidden`` and ``revict run`` estimate the victims no organisation registered.

    Command-line flags of ``revict hidden`` override these settings.
    """

    lists: dict[Reporter, ListName] | None = Field(
        default=None,
        description=(
            "Reporter -> list name; reporters sharing a name are merged into one list, reporters left out are not "
            "used. Default: one list per organisation (police P, border_police K, labour_inspectorate I, "
            "care_coordinator R, shelter O, other Z)."
        ),
    )
    period: Literal["all", "year"] = Field(
        default="all", description="One overlap table for the whole entry window, or one per registration year."
    )
    strata: tuple[HiddenStratum, ...] = Field(
        default=(), description="Estimate separately per stratum and add up (the pooled estimate is kept)."
    )
    rule: Literal["stepwise", "aic", "bic", "main"] = Field(
        default="stepwise", description="How the two-list interactions are chosen."
    )
    threshold: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        default=0.02, description="p-value threshold of the stepwise rule (0.02 as Chan, Silverman & Vincent 2021)."
    )

    @field_validator("lists")
    @classmethod
    def _two_lists(cls, v: dict[str, str] | None) -> dict[str, str] | None:
        if v is not None and len(set(v.values())) < 2:
            raise ValueError(
                "the mapping leaves fewer than two lists; multiple systems estimation needs at least two "
                "(give different list names to at least two reporters)"
            )
        return v

    @field_validator("strata")
    @classmethod
    def _distinct(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(v)) != len(v):
            raise ValueError("a stratum is named twice; name each once")
        return v


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
    hidden: HiddenSpec = Field(
        default_factory=HiddenSpec,
        description="Settings of the hidden-population estimate (multiple systems estimation).",
    )

    @field_validator("blackout_days")
    @classmethod
    def _blackout_inside_follow_up(cls, v: int, info: ValidationInfo) -> int:
        fu = info.data.get("follow_up_days")
        if fu is not None and v >= fu:
            raise ValueError(f"blackout_days ({v}) must be shorter than follow_up_days ({fu}); lower it")
        return v

    @field_validator("age_groups")
    @classmethod
    def _age_bounds(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        if not v or list(v) != sorted(set(v)) or v[0] != 0:
            raise ValueError("age_groups must be increasing lower bounds starting at 0, e.g. [0, 18, 25, 35, 50]")
        return v

    @field_validator("reference_levels")
    @classmethod
    def _reference_levels_exist(cls, v: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        for cov, level in v.items():
            levels = _levels(cov, info.data.get("age_groups"))
            if level not in levels:
                raise ValueError(f"{cov}: {level!r} is not a level of {cov}; choose one of {', '.join(levels)}")
        return v

    @field_validator("restrict")
    @classmethod
    def _restrict_levels_exist(cls, v: dict[str, tuple[str, ...]], info: ValidationInfo) -> dict[str, tuple[str, ...]]:
        for cov, keep in v.items():
            levels = _levels(cov, info.data.get("age_groups"))
            bad = [lv for lv in keep if lv not in levels]
            if bad or not keep:
                raise ValueError(f"{cov}: unknown or no level(s); choose from {', '.join(levels)}")
        return v

    @property
    def age_group_labels(self) -> tuple[str, ...]:
        """Labels of the age groups, e.g. ``("0-17", "18-24", ..., "50+")``."""
        return _age_labels(self.age_groups)

    def levels(self, covariate: str) -> tuple[str, ...]:
        """Possible levels of a covariate (age groups plus ``unknown``)."""
        return _levels(covariate, self.age_groups)

    @property
    def strata_covariates(self) -> tuple[str, ...]:
        """Covariates used for stratified descriptive curves."""
        return tuple(self.strata) if self.strata is not None else tuple(self.covariates)


def load_cohort(path: str | Path) -> CohortSpec:
    """Read and validate a cohort YAML file (raises :class:`revict.SpecError`)."""
    return load_yaml_model(path, CohortSpec)
