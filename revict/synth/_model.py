"""The planted models: first-event baseline and the capture (hidden population) model.

Both are solved numerically once per run from the calibration, before any record
is drawn, so the truth does not depend on the sample.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from revict.synth import _calibration as cal

DAYS_PER_YEAR = 365.25


def linear_predictor(form: np.ndarray, sex: np.ndarray, is_minor: np.ndarray) -> np.ndarray:
    """Planted linear predictor ``x'beta`` from coded covariates.

    Parameters
    ----------
    form : ndarray of int
        Index into :data:`cal.FORMS`.
    sex : ndarray of int
        Index into :data:`cal.SEXES`.
    is_minor : ndarray of bool
        Age at index below 18.
    """
    form_beta = np.array([0.0] + [cal.LOG_HR[f"exploitation_form={f}"] for f in cal.FORMS[1:]])
    sex_beta = np.array([0.0] + [cal.LOG_HR[f"sex={s}"] for s in cal.SEXES[1:]])
    out: np.ndarray = form_beta[form] + sex_beta[sex] + cal.LOG_HR["is_minor"] * is_minor
    return out


def _cohort_covariate_cells() -> tuple[np.ndarray, np.ndarray]:
    """Linear predictor and probability of every covariate cell in the entry years."""
    years = range(cal.COHORT_YEARS[0], cal.COHORT_YEARS[1] + 1)
    w = np.array([cal.REGISTERED_PER_YEAR[y] for y in years], dtype=float)
    p_minor = float(np.dot(w, [cal.MINOR_SHARE[y] for y in years]) / w.sum())
    eta, prob = [], []
    for si, sex in enumerate(cal.SEXES):
        for fi, pf in enumerate(cal.FORM_P_BY_SEX[sex]):
            for minor, pm in ((False, 1 - p_minor), (True, p_minor)):
                lp = linear_predictor(np.array([fi]), np.array([si]), np.array([minor]))[0]
                eta.append(lp)
                prob.append(cal.SEX_P[si] * pf * pm)
    return np.array(eta), np.array(prob)


@dataclass(frozen=True)
class Baseline:
    """Weibull proportional-hazards baseline: ``H0(t) = (t / scale_days) ** shape``."""

    shape: float
    scale_days: float

    def cum_hazard(self, t_days: np.ndarray | float) -> np.ndarray:
        """Baseline cumulative hazard at ``t_days``."""
        return np.asarray(np.power(np.asarray(t_days, dtype=float) / self.scale_days, self.shape))

    def cif(self, t_days: float, eta: np.ndarray) -> np.ndarray:
        """Cumulative incidence ``1 - exp(-H0(t) exp(eta))`` per person, no competing events."""
        return np.asarray(-np.expm1(-self.cum_hazard(t_days) * np.exp(eta)))

    def draw_days(self, eta: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Event day after index (integer >= 1): ceil of the continuous Weibull PH time."""
        e = rng.standard_exponential(eta.shape[0])
        t = self.scale_days * np.power(e * np.exp(-eta), 1.0 / self.shape)
        days: np.ndarray = np.maximum(np.ceil(np.minimum(t, 1e7)), 1).astype(np.int64)
        return days


def solve_baseline() -> Baseline:
    """Weibull shape and scale so the cohort's marginal incidence hits the targets."""
    eta, prob = _cohort_covariate_cells()
    (y1, c1), (y2, c2) = sorted(cal.CI_TARGETS.items())

    def gap(params: np.ndarray) -> np.ndarray:
        b = Baseline(float(np.exp(params[0])), float(np.exp(params[1])))
        return np.array(
            [
                float(np.dot(prob, b.cif(y1 * DAYS_PER_YEAR, eta))) - c1,
                float(np.dot(prob, b.cif(y2 * DAYS_PER_YEAR, eta))) - c2,
            ]
        )

    start = np.log(np.array(cal.WEIBULL_START))
    sol = optimize.root(gap, start, method="hybr", tol=1e-12)
    shape, scale = np.exp(sol.x)
    return Baseline(float(shape), float(scale))


def _histories() -> np.ndarray:
    """All 64 capture histories over the lists; row ``h`` is the binary code of ``h``."""
    k = len(cal.LISTS)
    return np.array(list(itertools.product([0, 1], repeat=k)), dtype=np.int64)


@dataclass(frozen=True)
class CaptureModel:
    """Log-linear capture model over the reporting organisations.

    ``p[h]`` is the probability that a true victim has capture history ``h``
    (row ``h`` of :attr:`histories`; first list = most significant bit).
    """

    main_effects: np.ndarray
    interactions: dict[tuple[str, str], float]
    histories: np.ndarray
    p: np.ndarray

    @property
    def p_caught(self) -> float:
        """Probability that a true victim is on at least one list."""
        return float(1.0 - self.p[0])

    def list_probabilities(self) -> np.ndarray:
        """Marginal probability of being on each list."""
        return np.asarray(self.histories.T @ self.p)

    def conditional_caught(self) -> np.ndarray:
        """Distribution of histories 1..63 given caught by at least one list."""
        q = self.p[1:]
        return np.asarray(q / q.sum())


def _cell_probs(lam: np.ndarray, inter: dict[tuple[str, str], float], hist: np.ndarray) -> np.ndarray:
    eta = hist @ lam
    for (a, b), g in inter.items():
        eta = eta + g * hist[:, cal.LISTS.index(a)] * hist[:, cal.LISTS.index(b)]
    w = np.exp(eta - eta.max())
    return np.asarray(w / w.sum())


def solve_capture_model() -> CaptureModel:
    """Solve the main effects so list sizes follow the weights and 1 / HIDDEN_RATIO are caught."""
    hist = _histories()
    weights = np.array(cal.LIST_WEIGHTS)
    inter = dict(cal.LIST_INTERACTIONS)

    def main_effects(scale: float) -> np.ndarray:
        target = weights * scale
        sol = optimize.root(
            lambda lam: hist.T @ _cell_probs(lam, inter, hist) - target,
            np.log(target / (1 - target)),
            method="hybr",
            tol=1e-12,
        )
        return np.asarray(sol.x)

    def caught_gap(scale: float) -> float:
        return float(1.0 - _cell_probs(main_effects(scale), inter, hist)[0] - 1.0 / cal.HIDDEN_RATIO)

    scale = optimize.brentq(caught_gap, 0.01, 0.9, xtol=1e-12)
    lam = main_effects(scale)
    return CaptureModel(lam, inter, hist, _cell_probs(lam, inter, hist))
