"""Confidence intervals for the population total.

* ``wald_log`` -- SparseMSE ``estimatepopulation.0``: the dark figure is log-normal with
  the intercept's standard error (conditional on the chosen model).
* ``profile`` -- profile likelihood for the intercept ``log E[n_0]``: the values whose
  profile deviance is within ``chi2_1(conf)`` of the minimum (conditional on the model).
* ``bootstrap`` -- the whole selection procedure is repeated on each replicate, so the
  interval includes model-selection uncertainty (Chan, Silverman & Vincent 2021, s. 3.3).
  ``multinomial`` resamples the observed persons (SparseMSE ``estimatepopulation``);
  ``parametric`` draws the observed number from Binomial(round(N), observed share) and
  the cells from the fitted model (SparseMSE ``BICandbootstrapsim``). BCa limits use the
  delete-one jackknife over capture histories for the acceleration and R's quantile
  type 8 (``bcaconfvalues``); when the bias correction is infinite the percentile
  interval is reported instead.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import statsmodels.api as sm
from scipy.optimize import brentq
from scipy.stats import chi2, norm

from revict._core.errors import ModelFitError, SourceError
from revict.hidden.fit import Space, build_design, space
from revict.hidden.select import FittedModel, select_model
from revict.hidden.table import OverlapTable


@dataclass(frozen=True)
class Interval:
    """A confidence interval for the total population."""

    method: str
    conf_level: float
    lower: float
    upper: float
    note: str = ""

    def to_dict(self) -> dict[str, object]:
        """JSON-safe dict (an unbounded limit is ``None``)."""
        return {
            "method": self.method,
            "conf_level": self.conf_level,
            "lower": _finite(self.lower),
            "upper": _finite(self.upper),
            "note": self.note,
        }


def _finite(x: float) -> float | None:
    return round(float(x), 3) if math.isfinite(x) else None


def wald_log_interval(fm: FittedModel, conf_level: float = 0.95) -> Interval:
    """Log-normal interval of SparseMSE ``estimatepopulation.0``."""
    se = float(np.sqrt(fm.fit.cov[0, 0]))
    z = norm.ppf(0.5 + conf_level / 2)
    b0 = float(fm.fit.beta[0])
    n = fm.n_observed
    return Interval("wald_log", conf_level, n + math.exp(b0 - z * se), n + math.exp(b0 + z * se))


def _glm_deviance(y: np.ndarray, X: np.ndarray, offset: np.ndarray) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels' own convergence chatter; divergence shows in the deviance
        res = sm.GLM(y, X, family=sm.families.Poisson(), offset=offset).fit(tol=1e-10, maxiter=200)
    return float(res.deviance)


def profile_interval(
    table: OverlapTable, fm: FittedModel, conf_level: float = 0.95, *, max_log_steps: float = 25.0
) -> Interval:
    """Profile-likelihood interval for the dark figure (statsmodels GLM with an offset intercept)."""
    sp = space(table.n_lists)
    d = build_design(sp, table.full_counts(), fm.model)
    y, Xr = d.y, d.X[:, 1:]
    b_hat = float(fm.fit.beta[0])
    dev_hat = fm.fit.deviance
    crit = float(chi2.ppf(conf_level, 1))
    se = float(np.sqrt(fm.fit.cov[0, 0]))
    step = max(se, 0.05)

    def excess(b0: float) -> float:
        return _glm_deviance(y, Xr, np.full(y.shape, b0)) - dev_hat - crit

    limits = []
    for sign in (-1.0, 1.0):
        b = b_hat
        lo_val = None
        while abs(b - b_hat) < max_log_steps:
            nb = b + sign * step
            if excess(nb) > 0:
                lo_val = brentq(excess, min(b, nb), max(b, nb), xtol=1e-8)
                break
            b = nb
            step *= 1.5
        limits.append(lo_val)
        step = max(se, 0.05)
    lower = fm.n_observed + math.exp(limits[0]) if limits[0] is not None else float(fm.n_observed)
    upper = fm.n_observed + math.exp(limits[1]) if limits[1] is not None else math.inf
    note = "" if limits[1] is not None else "the profile likelihood does not bound the estimate from above"
    return Interval("profile", conf_level, lower, upper, note)


# ------------------------------------------------------------------ bootstrap


def estimate_total(table: OverlapTable, *, rule: str, threshold: float) -> float:
    """Point estimate of the total with the full selection rule (lists without information dropped)."""
    t, _removed = table.drop_noninformative()
    sp: Space = space(t.n_lists)
    sel = select_model(sp, t.full_counts(), rule=rule, threshold=threshold)
    return sel.chosen.total


@dataclass(frozen=True)
class BootstrapResult:
    """Bootstrap replicates and the intervals made from them."""

    replicates: np.ndarray
    n_failed: int
    method: str
    seed: int | None
    ahat: float
    z0: float
    interval: Interval
    percentile: Interval

    def to_dict(self) -> dict[str, object]:
        """JSON-safe summary (not the replicates)."""
        return {
            "n_boot": int(self.replicates.size + self.n_failed),
            "n_failed": self.n_failed,
            "method": self.method,
            "seed": self.seed,
            "acceleration": round(self.ahat, 6),
            "bias_correction_z0": _finite(self.z0),
            "interval": self.interval.to_dict(),
            "percentile": self.percentile.to_dict(),
        }


def _quantile8(x: np.ndarray, q: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.quantile(x, q, method="median_unbiased")  # R quantile type 8
    return out


def bca_limits(reps: np.ndarray, estimate: float, ahat: float, alpha: np.ndarray) -> tuple[np.ndarray, float]:
    """SparseMSE ``bcaconfvalues``: BCa quantiles of the replicates; returns (limits, z0)."""
    share = float(np.mean(reps < estimate))
    if reps.size == 0 or share in (0.0, 1.0):
        return np.full(alpha.shape, np.nan), (math.inf if share == 1.0 else -math.inf)
    z0 = float(norm.ppf(share))
    za = norm.ppf(alpha)
    za0 = za + z0
    zq = norm.cdf(z0 + za0 / (1 - ahat * za0))
    return _quantile8(reps, zq), z0


def _jackknife_acceleration(table: OverlapTable, est: Callable[[OverlapTable], float]) -> float:
    t = table.tidy()
    jack = np.zeros(t.counts.size)
    for k in range(t.counts.size):
        c = t.counts.copy()
        c[k] -= 1
        keep = c > 0
        jack[k] = est(OverlapTable(t.lists, t.histories[keep], c[keep], t.label))
    w = t.counts.astype(float)
    jr = np.sum(w * jack) / w.sum() - jack
    denom = 6.0 * np.sum(w * jr**2) ** 1.5
    return float(np.sum(w * jr**3) / denom) if denom > 0 else 0.0


def _draw(table: OverlapTable, fm: FittedModel, method: str, rng: np.random.Generator) -> np.ndarray:
    sp = space(table.n_lists)
    y_full = table.full_counts()
    n = int(y_full.sum())
    if method == "multinomial":
        return rng.multinomial(n, y_full / n)
    d = build_design(sp, y_full, fm.model)
    mu = np.zeros(sp.n_cells)
    mu[d.keep] = fm.fit.mu
    total = round(fm.total)
    n_obs = rng.binomial(total, min(1.0, mu.sum() / fm.total))
    return rng.multinomial(n_obs, mu / mu.sum())


def bootstrap_interval(
    table: OverlapTable,
    fm: FittedModel,
    *,
    rule: str,
    threshold: float,
    n_boot: int,
    seed: int | None,
    method: str = "parametric",
    conf_level: float = 0.95,
) -> BootstrapResult:
    """Bootstrap the whole selection procedure; BCa interval where feasible, else percentile.

    Parameters
    ----------
    table : OverlapTable
        The data.
    fm : FittedModel
        The model chosen on the data (its total is the point estimate).
    rule, threshold : str, float
        The selection rule re-run on every replicate.
    n_boot : int
        Number of replicates.
    seed : int or None
        Seed of ``numpy.random.default_rng``.
    method : {"parametric", "multinomial"}
        How replicates are drawn (see the module docstring).
    conf_level : float
        Coverage of the interval.
    """
    if method not in ("parametric", "multinomial"):
        raise ValueError("bootstrap method must be 'parametric' or 'multinomial'")
    rng = np.random.default_rng(seed)
    hist = OverlapTable(table.lists, table.tidy().histories, table.tidy().counts, table.label)
    full_h = space(table.n_lists).H.astype(np.int8)

    def est(t: OverlapTable) -> float:
        return estimate_total(t, rule=rule, threshold=threshold)

    reps, failed = [], 0
    for _ in range(n_boot):
        counts = _draw(hist, fm, method, rng)
        keep = counts > 0
        try:
            value = est(OverlapTable(table.lists, full_h[keep], counts[keep], table.label))
        except (ArithmeticError, ValueError, np.linalg.LinAlgError, SourceError):
            failed += 1  # e.g. fewer than two informative lists left in the replicate
            continue
        if math.isfinite(value):
            reps.append(value)
        else:
            failed += 1
    arr = np.asarray(reps)
    a = (1 - conf_level) / 2
    alpha = np.array([a, 1 - a])
    if arr.size < 2:
        raise ModelFitError(
            f"{table.label or 'table'}: fewer than two bootstrap replicates could be estimated",
            hint="Use more lists or persons, or report the profile-likelihood interval.",
        )
    perc = _quantile8(arr, alpha)
    percentile = Interval("bootstrap_percentile", conf_level, float(perc[0]), float(perc[1]))
    ahat = _jackknife_acceleration(hist, est)
    limits, z0 = bca_limits(arr, fm.total, ahat, alpha)
    if math.isfinite(z0) and np.all(np.isfinite(limits)):
        interval = Interval(
            "bootstrap_bca",
            conf_level,
            float(limits[0]),
            float(limits[1]),
            f"{method} bootstrap, {arr.size} replicates, model re-selected by {rule}",
        )
    else:
        interval = Interval(
            "bootstrap_percentile",
            conf_level,
            float(perc[0]),
            float(perc[1]),
            "BCa not feasible (every replicate on one side of the estimate); percentile interval",
        )
    return BootstrapResult(arr, failed, method, seed, ahat, z0, interval, percentile)
