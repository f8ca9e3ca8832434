"""Calibration of the synthetic registers: every figure, with where it comes from.

Published figures are from ``DOMAIN.md`` (National Rapporteur / CoMensha); the rest
are assumptions, marked as such. The whole block is copied into ``truth.json``.
"""

from __future__ import annotations

import math
from typing import Any

#: Registered victims per year (CoMensha). 2010, 2011 and 2015 are not in DOMAIN.md:
#: they are set so that 2010-2015 sums to the published 8,234 (assumption).
REGISTERED_PER_YEAR: dict[int, int] = {
    2010: 993,
    2011: 1222,
    2012: 1711,
    2013: 1437,
    2014: 1561,
    2015: 1310,
    2016: 952,
    2017: 958,
    2018: 668,
    2019: 1334,
    2020: 984,
    2021: 791,
    2022: 814,
    2023: 868,
}

#: Share of minors (age at index < 18) by year of first registration: published
#: minors / registered where known (2014, 2016-2020, 2023), else 15% (assumption).
MINOR_SHARE: dict[int, float] = {
    2010: 0.15,
    2011: 0.15,
    2012: 0.15,
    2013: 0.15,
    2014: 0.14,
    2015: 0.15,
    2016: 0.24,
    2017: 0.20,
    2018: 0.09,
    2019: 0.08,
    2020: 0.07,
    2021: 0.07,
    2022: 0.065,
    2023: 0.06,
}

SEXES: tuple[str, ...] = ("F", "M", "U")
#: 72% female in 2017, 547 of 984 women in 2020: about 70% (U is an assumption).
SEX_P: tuple[float, ...] = (0.70, 0.295, 0.005)

FORMS: tuple[str, ...] = ("sexual", "labour", "criminal", "other", "unknown")
#: Exploitation form given sex (assumption), chosen so the overall mix is about
#: 55% sexual, 25% labour, 10% criminal, 3% other, 7% unknown (2016-2020 registers).
FORM_P_BY_SEX: dict[str, tuple[float, ...]] = {
    "F": (0.70, 0.13, 0.08, 0.02, 0.07),
    "M": (0.18, 0.55, 0.15, 0.05, 0.07),
    "U": (0.55, 0.25, 0.10, 0.03, 0.07),
}

ORIGINS: tuple[str, ...] = ("NL", "EU", "non-EU", "unknown")
#: About 30% Dutch (2013-2017 registers); the EU / non-EU split is an assumption.
#: Origin is drawn independently of everything else so that emigration (which
#: depends on origin) is independent censoring for the first-event model.
ORIGIN_P: tuple[float, ...] = (0.30, 0.30, 0.30, 0.10)
#: Share of persons whose origin cell is empty (missing), assumption.
ORIGIN_MISSING = 0.01

#: Reporting organisations (the lists of multiple systems estimation), in the order
#: used for capture-history strings in truth.json.
LISTS: tuple[str, ...] = ("police", "border_police", "labour_inspectorate", "care_coordinator", "shelter", "other")
#: Relative list sizes, shaped like the 2016 reporters (police 462, care 240, labour 38,
#: border 12, other 352 incl. shelters), with border police nudged towards its larger
#: 2010-2015 share (K 1,348 of 8,234). The split of "other" into shelter is an assumption.
LIST_WEIGHTS: tuple[float, ...] = (0.44, 0.03, 0.04, 0.20, 0.07, 0.22)
#: Two-way log-linear interactions between lists (log odds ratios), assumption:
#: police and care coordinators refer victims to each other (positive dependence);
#: police and "other" organisations reach different victims (negative dependence).
LIST_INTERACTIONS: dict[tuple[str, str], float] = {
    ("police", "care_coordinator"): math.log(2.5),
    ("police", "other"): math.log(0.5),
}
#: True number of victims / registered victims: about 5 (2010-2015) and 4 (2018-2019).
HIDDEN_RATIO = 4.5
#: Share of caught victims whose records cannot be linked to the population register
#: (no persons row; all their records have an empty person_id), assumption.
UNLINKED_SHARE = 0.05

#: Planted log hazard ratios of the first re-victimisation (DOMAIN.md: assumptions).
LOG_HR: dict[str, float] = {
    "exploitation_form=labour": math.log(0.7),
    "exploitation_form=criminal": math.log(1.3),
    "exploitation_form=other": 0.0,
    "exploitation_form=unknown": 0.0,
    "sex=M": math.log(0.8),
    "sex=U": 0.0,
    "is_minor": math.log(1.5),
}
#: Marginal cumulative incidence targets (Slachtoffermonitor 2016-2020).
CI_TARGETS: dict[int, float] = {5: 0.45, 7: 0.50}
#: Starting values: the Weibull of DOMAIN.md (shape 0.44, scale 16.1 years).
WEIBULL_START = (0.44, 16.1 * 365.25)

#: Victimisations after the first post-index one: rate per person-year for the
#: reference group, times exp(log HR) and a gamma frailty (mean 1). Assumption.
RECURRENT_RATE_PER_YEAR = 0.8
FRAILTY_VARIANCE = 1.0
#: Police-registered victimisations before the index registration, per person-year:
#: a background rate, and a higher rate in the 365 days before the index. Assumption.
PRIOR_RATE_PER_YEAR = 0.08
PRIOR_RATE_LAST_YEAR = 0.35

#: Death: constant hazard, independent of covariates (so it is independent censoring
#: for 1-KM); about 3% within seven years. Assumption.
DEATH_RATE_PER_YEAR = 0.0045
#: Emigration within seven years by origin (assumption; migrants leave far more often).
EMIGRATION_7Y: dict[str, float] = {"NL": 0.02, "EU": 0.32, "non-EU": 0.25, "unknown": 0.20}

#: Offence category of victimisations after the index (mostly serious) and in the year
#: before it (exploitation more common). Assumption.
CATEGORIES: tuple[str, ...] = ("violence", "sexual", "threat", "exploitation", "property", "other")
CATEGORY_P_AFTER: tuple[float, ...] = (0.28, 0.10, 0.20, 0.14, 0.18, 0.10)
CATEGORY_P_BEFORE: tuple[float, ...] = (0.20, 0.15, 0.15, 0.30, 0.10, 0.10)

#: Re-registration years later (share of persons; days after index). Assumption.
REREGISTRATION_SHARE = 0.03
REREGISTRATION_DAYS = (365, 2200)
#: Mean delay (days) of a second organisation's registration after the first.
SECOND_LIST_DELAY_MEAN_DAYS = 45.0
#: Share of later same-episode registrations with form recorded as unknown.
SECOND_LIST_UNKNOWN_FORM = 0.08

#: Linkage metadata of linked records. Assumption.
PROBABILISTIC_SHARE = 0.15
PROBABILISTIC_LOW_SCORE_SHARE = 0.08
CROSS_BORDER_P: dict[str, float] = {"NL": 0.10, "EU": 0.90, "non-EU": 0.90, "unknown": 0.50, "": 0.50}
CROSS_BORDER_MISSING = 0.03

#: Offenders: number of linked offenders (0, 1, 2) per registration and per victimisation.
OFFENDERS_PER_REGISTRATION_P: tuple[float, ...] = (0.25, 0.55, 0.20)
OFFENDERS_PER_VICTIMISATION_P: tuple[float, ...] = (0.55, 0.38, 0.07)
#: Same-episode registrations by a second organisation name the same offenders.
SECOND_LIST_SAME_OFFENDERS = 0.7
#: Chance an offender slot is a serial perpetrator / a registered person.
SERIAL_SLOT_P = 0.04
PERSON_SLOT_P = 0.02
#: Persons per serial perpetrator (their number is victims / this), and the skew of
#: how their victims are spread (weight of serial i proportional to (i+1)^-skew).
PERSONS_PER_SERIAL = 400
SERIAL_SKEW = 0.5
#: Share of persons with offenders on the index registration whose perpetrator comes
#: back: each later victimisation with an offender names index offender #1 with
#: probability RETURN_EVENT_P.
RETURNING_PERSON_P = 0.35
RETURN_EVENT_P = 0.5

#: Cohort of the truth's marginal cumulative incidence (cohorts/nr-seven-year.yaml).
COHORT_YEARS = (2012, 2016)


def calibration_record() -> dict[str, Any]:
    """All calibration figures as a JSON-safe dict (copied into ``truth.json``)."""
    return {
        "registered_per_year": {str(k): v for k, v in REGISTERED_PER_YEAR.items()},
        "minor_share": {str(k): v for k, v in MINOR_SHARE.items()},
        "sex_p": dict(zip(SEXES, SEX_P, strict=True)),
        "form_p_by_sex": {s: dict(zip(FORMS, p, strict=True)) for s, p in FORM_P_BY_SEX.items()},
        "origin_p": dict(zip(ORIGINS, ORIGIN_P, strict=True)),
        "origin_missing": ORIGIN_MISSING,
        "unlinked_share": UNLINKED_SHARE,
        "probabilistic_share": PROBABILISTIC_SHARE,
        "category_p_after": dict(zip(CATEGORIES, CATEGORY_P_AFTER, strict=True)),
        "category_p_before": dict(zip(CATEGORIES, CATEGORY_P_BEFORE, strict=True)),
        "reregistration_share": REREGISTRATION_SHARE,
        "second_list_delay_mean_days": SECOND_LIST_DELAY_MEAN_DAYS,
        "offenders_per_registration_p": list(OFFENDERS_PER_REGISTRATION_P),
        "offenders_per_victimisation_p": list(OFFENDERS_PER_VICTIMISATION_P),
    }
