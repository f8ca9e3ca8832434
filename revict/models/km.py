"""Kaplan–Meier curves with Greenwood CIs, cumulative incidence at whole years, and RMST.

R equivalents: ``survfit(Surv(time, status) ~ 1, conf.type = "log" | "log-log")`` and
``summary(survfit(...), rmean = tau)``. lifelines' ``KaplanMeierFitter`` defaults to a
log-log ("exponential Greenwood") interval, not R's log default, and reports no RMST
standard error in R's convention; both are computed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from revict.models._util import check_conf_type, int_list, num, num_list, surv_ci, unique_inverse, year_days, z_value

Array = NDArray[np.float64]


@dataclass(frozen=True)
class KMResult:
    """A Kaplan–Meier curve at every distinct observed time (events and censorings).

    Attributes
    ----------
    time : ndarray, days
    n_risk, n_event, n_censor : ndarray of int
    surv : ndarray
        S(t).
    std_err : ndarray
        Standard error of S(t) (Greenwood), as R's ``summary(fit)$std.err``.
    lower, upper : ndarray
        Pointwise CI (NaN where R gives NA).
    conf_type : str
    conf_level : float
    """

    time: Array
    n_risk: NDArray[np.int64]
    n_event: NDArray[np.int64]
    n_censor: NDArray[np.int64]
    surv: Array
    std_err: Array
    lower: Array
    upper: Array
    conf_type: str
    conf_level: float

    @property
    def n(self) -> int:
        """Number of persons."""
        return int(self.n_risk[0]) if len(self.n_risk) else 0

    def at(self, times: Sequence[float]) -> pd.DataFrame:
        """Step-function values at ``times``: surv, lower, upper and n_risk (persons with time >= t)."""
        t = np.asarray(times, float)
        idx = np.searchsorted(self.time, t, side="right") - 1
        ok = idx >= 0
        j = np.maximum(idx, 0)
        surv = np.where(ok, self.surv[j], 1.0)
        lower = np.where(ok, self.lower[j], 1.0)
        upper = np.where(ok, self.upper[j], 1.0)
        # at risk at t: rows whose time is >= t = n_risk of the first time >= t
        k = np.searchsorted(self.time, t, side="left")
        n_risk = np.where(k < len(self.time), np.append(self.n_risk, 0)[k], 0)
        return pd.DataFrame({"time": t, "surv": surv, "lower": lower, "upper": upper, "n_risk": n_risk})

    def cumulative_incidence(self, years: Sequence[int] = range(1, 8)) -> list[dict[str, Any]]:
        """``1 - S`` at whole years (day ``ceil(365.25 y)``) with CI and the number at risk."""
        days = [year_days(y) for y in years]
        tab = self.at(days)
        return [
            {
                "year": int(y),
                "time_days": d,
                "estimate": num(1 - s),
                "ci_lower": num(1 - up),
                "ci_upper": num(1 - lo),
                "at_risk": int(nr),
            }
            for y, d, s, lo, up, nr in zip(
                years, days, *(tab[c].to_numpy(float) for c in ("surv", "lower", "upper", "n_risk")), strict=True
            )
        ]

    def summary(self) -> pd.DataFrame:
        """Return the curve as a table (R's ``summary(fit, censored = TRUE)``)."""
        return pd.DataFrame(
            {
                k: getattr(self, k)
                for k in ("time", "n_risk", "n_event", "n_censor", "surv", "std_err", "lower", "upper")
            }
        )

    def _repr_html_(self) -> str:
        return str(self.summary().to_html(index=False))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe curve."""
        return {
            "time": num_list(self.time),
            "n_risk": int_list(self.n_risk),
            "n_event": int_list(self.n_event),
            "n_censor": int_list(self.n_censor),
            "surv": num_list(self.surv),
            "std_err": num_list(self.std_err),
            "lower": num_list(self.lower),
            "upper": num_list(self.upper),
        }


def _counts(time: Array, event: NDArray[np.bool_]) -> tuple[Array, Array, Array, Array]:
    ut, inv = unique_inverse(time)
    d = np.bincount(inv, event.astype(float), minlength=len(ut))
    tot = np.bincount(inv, minlength=len(ut)).astype(float)
    n_risk = np.cumsum(tot[::-1])[::-1]
    return np.asarray(ut, float), np.asarray(n_risk, float), np.asarray(d, float), np.asarray(tot - d, float)


def kaplan_meier(time: ArrayLike, event: ArrayLike, *, conf_type: str = "log", conf_level: float = 0.95) -> KMResult:
    """Kaplan–Meier estimate with Greenwood variance.

    R equivalent: ``survfit(Surv(time, event) ~ 1, conf.type = conf_type)``.

    Parameters
    ----------
    time : ndarray of float, shape (n,), days
    event : ndarray of bool, shape (n,)
        True for the outcome; False for censoring (a competing event is censoring here).
    conf_type : {"log", "log-log", "plain"}
    conf_level : float

    Examples
    --------
    >>> import numpy as np
    >>> km = kaplan_meier(np.array([5, 8, 8, 12, 20]), np.array([True, True, False, True, False]))
    >>> km.time.tolist(), km.n_risk.tolist(), km.surv.round(3).tolist()
    ([5.0, 8.0, 12.0, 20.0], [5, 4, 2, 1], [0.8, 0.6, 0.3, 0.3])
    >>> round(float(km.lower[0]), 4), round(float(km.upper[0]), 4)  # R: survfit(..., conf.type = "log")
    (0.5161, 1.0)
    """
    check_conf_type(conf_type)
    z = z_value(conf_level)
    t = np.asarray(time, float)
    e = np.asarray(event, bool)
    ut, n, d, c = _counts(t, e)
    surv: Array = np.asarray(np.cumprod(1 - d / n), float)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = np.where(d > 0, d / (n * (n - d)), 0.0)
    se_log = np.sqrt(np.cumsum(h))
    with np.errstate(invalid="ignore"):
        std_err = np.where(np.isfinite(se_log), surv * se_log, np.nan)
    lower, upper = surv_ci(surv, se_log, z, conf_type)
    return KMResult(
        time=ut,
        n_risk=n.astype(np.int64),
        n_event=d.astype(np.int64),
        n_censor=c.astype(np.int64),
        surv=surv,
        std_err=std_err,
        lower=lower,
        upper=upper,
        conf_type=conf_type,
        conf_level=conf_level,
    )


class KaplanMeier:
    """Estimator twin of :func:`kaplan_meier` (R: ``survfit(Surv(time, status) ~ 1)``).

    Parameters
    ----------
    conf_type : {"log", "log-log", "plain"}
    conf_level : float
    """

    def __init__(self, *, conf_type: str = "log", conf_level: float = 0.95) -> None:
        self.conf_type = conf_type
        self.conf_level = conf_level

    def fit(self, time: ArrayLike, event: ArrayLike) -> KaplanMeier:
        """Fit the curve; the result is ``self.result_``."""
        self.result_ = kaplan_meier(time, event, conf_type=self.conf_type, conf_level=self.conf_level)
        return self


@dataclass(frozen=True)
class RMSTResult:
    """Restricted mean time free of the event up to ``tau`` (R's ``rmean``)."""

    tau: float
    rmst: float
    se: float
    ci_lower: float
    ci_upper: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe values."""
        return {
            "tau_days": num(self.tau),
            "rmst": num(self.rmst),
            "se": num(self.se),
            "ci_lower": num(self.ci_lower),
            "ci_upper": num(self.ci_upper),
        }


def rmst(km: KMResult, tau: float, *, conf_level: float = 0.95) -> RMSTResult:
    """Area under the KM curve on ``[0, tau]`` with R's ``survmean`` standard error.

    R equivalent: ``summary(survfit(...), rmean = tau)$table[, c("rmean", "se(rmean)")]``.
    The CI is normal: ``rmst -/+ z se``.
    """
    z = z_value(conf_level)
    n, d = km.n_risk.astype(float), km.n_event.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        hh = np.where(n - d == 0, 0.0, d / (n * (n - d)))
    keep = km.time <= tau
    if not keep.any():
        temptime, tempsurv, hh = np.array([tau]), np.array([1.0]), np.array([0.0])
    else:
        temptime = np.append(km.time[keep], tau)
        tempsurv = np.append(km.surv[keep], km.surv[keep][-1])
        hh = np.append(hh[keep], 0.0)
    delta = np.diff(np.concatenate([[0.0], temptime]))
    rect = delta * np.concatenate([[1.0], tempsurv[:-1]])
    var = float(np.sum(np.cumsum(rect[1:][::-1]) ** 2 * hh[::-1][1:]))
    mean = float(rect.sum())
    se = float(np.sqrt(var))
    return RMSTResult(tau=float(tau), rmst=mean, se=se, ci_lower=mean - z * se, ci_upper=mean + z * se)
