"""The report-file format (``reports/*.yaml``): which sections, which groupings, which language."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import Field

from revict._core.model import RevictModel, load_yaml_model
from revict.cohort.spec import Covariate
from revict.disclosure.rules import DisclosureRules

SectionName = Literal[
    "headline",
    "cohort_flow",
    "descriptives",
    "cumulative_incidence",
    "offences",
    "hazard_ratios",
    "recurrence",
    "perpetrators",
    "hidden_population",
    "method",
]
ALL_SECTIONS: tuple[SectionName, ...] = get_args(SectionName)


class Title(RevictModel):
    """A title in both report languages."""

    en: str = "Repeat victimisation of registered victims of human trafficking"
    nl: str = "Herhaald slachtofferschap van geregistreerde slachtoffers van mensenhandel"


class ReportSpec(RevictModel):
    """What a policy report shows: sections, groupings, language and disclosure rules.

    The ``method`` section is always included: a report never appears without the
    disclosure rules it was made under.
    """

    spec_version: Literal[1] = 1
    name: Annotated[str, Field(pattern=r"^[a-z0-9-]+$")] = "policy-brief"
    title: Title = Title()
    lang: Literal["en", "nl"] = Field(default="en", description="Default language; `--lang` overrides it.")
    sections: tuple[SectionName, ...] = Field(
        default=ALL_SECTIONS, min_length=1, description="Sections in order of appearance."
    )
    groupings: tuple[Covariate, ...] = Field(
        default=("exploitation_form", "sex", "age_group", "origin"),
        description="Groupings offered by the selectors under the curves (when present in the results).",
    )
    headline_grouping: Covariate = Field(
        default="exploitation_form", description="The grouping whose largest groups the headline shows."
    )
    headline_groups: Annotated[int, Field(ge=0, le=6)] = 3
    horizon_years: Annotated[int, Field(ge=1, le=20)] = 7
    disclosure: DisclosureRules = Field(
        default_factory=DisclosureRules, description="Disclosure-control settings applied before rendering."
    )

    @property
    def section_list(self) -> tuple[SectionName, ...]:
        """Sections to render; ``method`` is appended when missing."""
        return self.sections if "method" in self.sections else (*self.sections, "method")


def load_report_spec(path: str | Path) -> ReportSpec:
    """Read and validate a report YAML file (raises :class:`revict.SpecError`)."""
    return load_yaml_model(path, ReportSpec)
