"""Aalen–Johansen cumulative incidence with competing risks, with cmprsk's variance.

R equivalents: ``survfit(Surv(time, factor(status)) ~ 1)`` (estimate) and
``cmprsk::cuminc(time, status, cencode = 0)`` (estimate and variance, Fortran ``cinc``).
lifelines' ``AalenJohansenFitter`` breaks tied times by random jitter, so its
estimate changes with the seed; this implementation handles ties exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from revict.models._util import check_conf_type, int_list, num, num_list, prob_ci, unique_inverse, year_days, z_value

Array = NDArray[np.float64]


@dataclass(frozen=True)
class CIFCurve:
    """Cumulative incidence of one cause at every distinct observed time."""

    cause: int
    cif: Array
    std_err: Array
    lower: Array
    upper: Array
    n_event: NDArray[np.int64]


@dataclass(frozen=True)
class AJResult:
    """Aalen–Johansen estimate: overall survival and one CIF per cause.

    Attributes
    ----------
    time : ndarray, days
    n_risk : ndarray of int
    surv : ndarray
        Probability of no event of any cause.
    curves : dict of int to CIFCurve
    """

    time: Array
    n_risk: NDArray[np.int64]
    surv: Array
    curves: dict[int, CIFCurve]
    conf_type: str
    conf_level: float

    def at(self, cause: int, times: Sequence[float]) -> pd.DataFrame:
        """CIF of ``cause`` at ``times`` (step function) with CI and the number at risk."""
        t = np.asarray(times, float)
        c = self.curves[cause]
        idx = np.searchsorted(self.time, t, side="right") - 1
        ok = idx >= 0
        j = np.maximum(idx, 0)
        k = np.searchsorted(self.time, t, side="left")
        return pd.DataFrame(
            {
                "time": t,
                "cif": np.where(ok, c.cif[j], 0.0),
                "std_err": np.where(ok, c.std_err[j], 0.0),
                "lower": np.where(ok, c.lower[j], 0.0),
                "upper": np.where(ok, c.upper[j], 0.0),
                "n_risk": np.where(k < len(self.time), np.append(self.n_risk, 0)[k], 0),
            }
        )

    def yearly(self, cause: int, years: Sequence[int] = range(1, 8)) -> list[dict[str, Any]]:
        """CIF of ``cause`` at whole years with CI and the number at risk."""
        days = [year_days(y) for y in years]
        tab = self.at(cause, days)
        return [
            {
                "year": int(y),
                "time_days": d,
                "estimate": num(f),
                "ci_lower": num(lo),
                "ci_upper": num(up),
                "at_risk": int(nr),
            }
            for y, d, f, lo, up, nr in zip(
                years, days, *(tab[c].to_numpy(float) for c in ("cif", "lower", "upper", "n_risk")), strict=True
            )
        ]

    def summary(self) -> pd.DataFrame:
        """Return the curves as a table: time, n_risk, surv and cif/std_err/lower/upper per cause."""
        out = pd.DataFrame({"time": self.time, "n_risk": self.n_risk, "surv": self.surv})
        for k, c in self.curves.items():
            for name in ("cif", "std_err", "lower", "upper"):
                out[f"{name}_{k}"] = getattr(c, name)
        return out

    def _repr_html_(self) -> str:
        return str(self.summary().to_html(index=False))

    def to_dict(self, names: dict[int, str] | None = None) -> dict[str, Any]:
        """JSON-safe curves; ``names`` maps cause codes to labels (default ``cause_<k>``)."""
        names = names or {}
        out: dict[str, Any] = {"time": num_list(self.time), "n_risk": int_list(self.n_risk)}
        for k, c in self.curves.items():
            out[names.get(k, f"cause_{k}")] = {
                "cif": num_list(c.cif),
                "std_err": num_list(c.std_err),
                "lower": num_list(c.lower),
                "upper": num_list(c.upper),
                "n_event": int_list(c.n_event),
            }
        return out


def _cinc_variance(n: Array, d1: Array, d2: Array, s_prev: Array, s_now: Array, f: Array) -> Array:
    """Compute cmprsk's ``cinc`` variance, vectorised over distinct times (forward-filled between cause-1 times)."""
    with np.errstate(divide="ignore", invalid="ignore"):

        def incr(dk: Array) -> Array:
            t5 = np.where(dk > 1, 1 - (dk - 1) / np.where(n > 1, n - 1, 1), 1.0)
            return s_prev**2 * t5 * dk / n**2

        inv = np.where(s_now > 0, 1 / np.where(s_now > 0, s_now, 1), 0.0)
        t6b = np.where((d2 > 0) & (s_now > 0), incr(d2), 0.0)
        t4b = f * inv
        t6a = np.where(d1 > 0, incr(d1), 0.0)
        t4a = 1 + inv * f
    v1 = np.cumsum(t4b**2 * t6b + t4a**2 * t6a)
    v2 = np.cumsum(inv * t4b * t6b + inv * t4a * t6a)
    v3 = np.cumsum(inv**2 * t6b + inv**2 * t6a)
    v = v1 + f**2 * v3 - 2 * f * v2
    last = np.maximum.accumulate(np.where(d1 > 0, np.arange(len(n)), -1))
    return np.where(last >= 0, v[np.maximum(last, 0)], 0.0)


def aalen_johansen(
    time: ArrayLike,
    status: ArrayLike,
    *,
    conf_type: str = "log",
    conf_level: float = 0.95,
    causes: Sequence[int] | None = None,
) -> AJResult:
    """Cumulative incidence of each cause (status 1, 2, ...; 0 = censored).

    R equivalent: ``cmprsk::cuminc(time, status, cencode = 0)`` and
    ``survfit(Surv(time, factor(status)) ~ 1)``. CI: ``F exp(-/+ z se / F)`` for ``log``.
    ``causes`` lists causes to report even when they have no events.

    Examples
    --------
    >>> import numpy as np
    >>> aj = aalen_johansen(np.array([2, 3, 3, 5, 7, 9]), np.array([1, 2, 1, 0, 1, 0]))
    >>> aj.curves[1].cif.round(4).tolist(), aj.curves[2].cif.round(4).tolist()
    ([0.1667, 0.3333, 0.3333, 0.5833, 0.5833], [0.0, 0.1667, 0.1667, 0.1667, 0.1667])
    """
    check_conf_type(conf_type)
    z = z_value(conf_level)
    t = np.asarray(time, float)
    st = np.asarray(status).astype(np.int64)
    ut, inv = unique_inverse(t)
    n = np.cumsum(np.bincount(inv, minlength=len(ut))[::-1])[::-1].astype(float)
    found = [int(k) for k in np.unique(st) if k > 0]
    causes = sorted(set(found) | set(causes or ()))
    dk = {k: np.asarray(np.bincount(inv, (st == k).astype(float), minlength=len(ut)), float) for k in causes}
    d_all = np.asarray(np.bincount(inv, (st > 0).astype(float), minlength=len(ut)), float)
    surv = np.cumprod(1 - d_all / n)
    s_prev = np.concatenate([[1.0], surv[:-1]])
    curves = {}
    for k in causes:
        f = np.cumsum(s_prev * dk[k] / n)
        var = _cinc_variance(n, dk[k], d_all - dk[k], s_prev, surv, f)
        se = np.sqrt(np.maximum(var, 0.0))
        lo, up = prob_ci(f, se, z, conf_type)
        curves[k] = CIFCurve(cause=k, cif=f, std_err=se, lower=lo, upper=up, n_event=dk[k].astype(np.int64))
    return AJResult(
        time=ut, n_risk=n.astype(np.int64), surv=surv, curves=curves, conf_type=conf_type, conf_level=conf_level
    )


class AalenJohansen:
    """Estimator twin of :func:`aalen_johansen` (R: ``cmprsk::cuminc``)."""

    def __init__(self, *, conf_type: str = "log", conf_level: float = 0.95) -> None:
        self.conf_type = conf_type
        self.conf_level = conf_level

    def fit(self, time: ArrayLike, status: ArrayLike) -> AalenJohansen:
        """Fit; the result is ``self.result_``."""
        self.result_ = aalen_johansen(time, status, conf_type=self.conf_type, conf_level=self.conf_level)
        return self
