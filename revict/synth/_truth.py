"""Accumulate the planted truth over chunks and assemble ``truth.json``."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from revict.synth import _calibration as cal
from revict.synth._model import DAYS_PER_YEAR, Baseline, CaptureModel
from revict.synth._victims import Events, Victims

HORIZONS = tuple(range(1, 8))
YEARS = tuple(sorted(cal.REGISTERED_PER_YEAR))


def horizon_days(year: int) -> int:
    """Last day counted at ``year`` years: ``floor(365.25 * year)``."""
    return math.floor(DAYS_PER_YEAR * year)


@dataclass
class TruthAccumulator:
    """Sums over chunks from which the truth is finalised."""

    n_serial: int
    cohort_n: int = 0
    cohort_events_7y: int = 0
    cohort_cif_sum: np.ndarray = field(default_factory=lambda: np.zeros(len(HORIZONS)))
    hist_all: np.ndarray = field(default_factory=lambda: np.zeros((len(YEARS), 64), dtype=np.int64))
    hist_linked: np.ndarray = field(default_factory=lambda: np.zeros((len(YEARS), 64), dtype=np.int64))
    serial_victims: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    returning: list[np.ndarray] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, value: int) -> None:
        """Add to a named count."""
        self.counts[key] = self.counts.get(key, 0) + int(value)

    def add_victims(self, vic: Victims, ev: Events, baseline: Baseline) -> None:
        """Cohort incidence sums (model-based, no censoring) and capture histories."""
        cohort = vic.linked & (vic.year >= cal.COHORT_YEARS[0]) & (vic.year <= cal.COHORT_YEARS[1])
        self.cohort_n += int(cohort.sum())
        eta = vic.eta[cohort]
        for i, y in enumerate(HORIZONS):
            self.cohort_cif_sum[i] += float(baseline.cif(horizon_days(y), eta).sum())
        first = ev.kind == 2
        delay = ev.day[first] - vic.index_day[ev.victim[first]]
        self.cohort_events_7y += int((cohort[ev.victim[first]] & (delay <= 2557)).sum())
        yi = vic.year - YEARS[0]
        np.add.at(self.hist_all, (yi, vic.history), 1)
        np.add.at(self.hist_linked, (yi[vic.linked], vic.history[vic.linked]), 1)

    def add_serial(self, counts: np.ndarray) -> None:
        """Distinct victims per serial perpetrator in one chunk."""
        if self.serial_victims.size == 0:
            self.serial_victims = np.zeros(self.n_serial, dtype=np.int64)
        self.serial_victims += counts


def _history_key(h: int) -> str:
    return format(h, f"0{len(cal.LISTS)}b")


def _histories(row: np.ndarray) -> dict[str, int]:
    return {_history_key(h): int(row[h]) for h in range(1, 64) if row[h] > 0}


def hidden_population_truth(acc: TruthAccumulator, capture: CaptureModel, rng: np.random.Generator) -> dict[str, Any]:
    """Return true totals: registered victims plus a negative-binomial draw of never-registered ones.

    Drawing true victims one by one until ``n`` are caught leaves a negative-binomial
    number uncaught, so this equals simulating the whole population.
    """
    by_year: dict[str, Any] = {}
    tot = {"true_total": 0, "registered": 0, "true_total_linkable": 0, "registered_linked": 0}
    for i, year in enumerate(YEARS):
        caught = int(acc.hist_all[i].sum())
        linked = int(acc.hist_linked[i].sum())
        missed = int(rng.negative_binomial(caught, capture.p_caught)) if caught else 0
        missed_linkable = int(rng.binomial(missed, linked / caught)) if caught else 0
        row = {
            "true_total": caught + missed,
            "registered": caught,
            "true_total_linkable": linked + missed_linkable,
            "registered_linked": linked,
        }
        for k in tot:
            tot[k] += row[k]
        by_year[str(year)] = {**row, "capture_histories_linked": _histories(acc.hist_linked[i])}
    hist_all = acc.hist_all.sum(axis=0)
    multi = sum(int(hist_all[h]) for h in range(64) if bin(h).count("1") >= 2)
    return {
        **tot,
        "definition": (
            "true_total counts all true victims in 2010-2023 by year of (would-be) first registration; "
            "registered = caught by at least one list; *_linkable / *_linked count only victims with a "
            "persons row (linkability is independent of capture, so MSE on linked persons targets "
            "true_total_linkable). Capture histories are over linked persons, by year of first "
            "registration; re-registrations years later are not captures."
        ),
        "lists": list(cal.LISTS),
        "history_key": "one character per list in the order of `lists`, 1 = reported by it",
        "capture_probability": capture.p_caught,
        "list_probabilities": dict(zip(cal.LISTS, capture.list_probabilities().tolist(), strict=True)),
        "log_linear": {
            "main_effects": dict(zip(cal.LISTS, capture.main_effects.tolist(), strict=True)),
            "interactions": {f"{a}:{b}": g for (a, b), g in capture.interactions.items()},
            "model": "P(history h) proportional to exp(sum_k l_k h_k + sum_jk g_jk h_j h_k)",
        },
        "dependence": {
            f"{a}:{b}": {"odds_ratio": math.exp(g), "direction": "positive" if g > 0 else "negative"}
            for (a, b), g in capture.interactions.items()
        },
        "multi_list_share": multi / max(int(hist_all.sum()), 1),
        "capture_histories": _histories(acc.hist_linked.sum(axis=0)),
        "by_year": by_year,
    }


def first_event_truth(acc: TruthAccumulator, baseline: Baseline) -> dict[str, Any]:
    """Return the planted first-event model and its marginal cumulative incidence in the cohort."""
    n = max(acc.cohort_n, 1)
    return {
        "definition": (
            "time from the first registration (index) to the first police-registered victimisation "
            "linked to the person, at least 1 day after the index; covariates as on the index registration; "
            "is_minor = (year of index - birth_year) < 18"
        ),
        "log_hr": dict(cal.LOG_HR),
        "hr": {k: math.exp(v) for k, v in cal.LOG_HR.items()},
        "reference": {"exploitation_form": "sexual", "sex": "F", "is_minor": False},
        "baseline": {
            "model": "weibull_ph",
            "cumulative_hazard": "H0(t) = (t / scale_days) ** shape; H(t|x) = H0(t) * exp(x'beta); t in days",
            "shape": baseline.shape,
            "scale_days": baseline.scale_days,
            "event_day": "ceil(T) with T continuous, so the event day is >= 1",
            "solved_for": {str(k): v for k, v in cal.CI_TARGETS.items()},
        },
        "cumulative_incidence_net": {str(y): float(acc.cohort_cif_sum[i] / n) for i, y in enumerate(HORIZONS)},
        "cumulative_incidence_days": {str(y): horizon_days(y) for y in HORIZONS},
        "cohort": {
            "entry_window": [f"{cal.COHORT_YEARS[0]}-01-01", f"{cal.COHORT_YEARS[1]}-12-31"],
            "follow_up_days": 2557,
            "n_persons": acc.cohort_n,
            "n_first_events_within_2557_days_observed": acc.cohort_events_7y,
        },
        "independent_censoring": (
            "death (constant hazard) and emigration (by origin) are independent of the first-event "
            "covariates, so 1-KM with death and emigration as censoring estimates cumulative_incidence_net"
        ),
    }


def other_truth() -> dict[str, Any]:
    """Recurrent events, prior victimisation, death and emigration."""
    return {
        "recurrent": {
            "applies_to": "victimisations after the first one after the index",
            "model": "Poisson process, rate = rate_per_year * frailty * exp(x'beta) (same log_hr as first_event)",
            "rate_per_year": cal.RECURRENT_RATE_PER_YEAR,
            "log_hr": dict(cal.LOG_HR),
            "frailty": {"distribution": "gamma", "mean": 1.0, "variance": cal.FRAILTY_VARIANCE},
        },
        "prior_victimisation": {
            "rate_per_year_background": cal.PRIOR_RATE_PER_YEAR,
            "rate_per_year_365_days_before_index": cal.PRIOR_RATE_LAST_YEAR,
            "from": "data_start, and not before 1 January of birth_year + 1",
        },
        "death": {"model": "constant hazard from index", "rate_per_year": cal.DEATH_RATE_PER_YEAR},
        "emigration": {
            "model": "constant hazard from index, by origin",
            "probability_within_7_years": dict(cal.EMIGRATION_7Y),
        },
    }
