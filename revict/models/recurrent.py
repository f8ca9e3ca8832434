"""Recurrent events: mean cumulative function, Andersen–Gill and PWP gap-time models.

R equivalents: ``survfit(Surv(start, stop, event) ~ 1, id = id)`` (``cumhaz`` with
``std.chaz``: the Nelson–Aalen mean cumulative function with the robust,
per-person variance of Lawless & Nadeau), ``coxph(Surv(start, stop, event) ~ x,
cluster = id)`` (Andersen–Gill) and ``coxph(Surv(stop - start, event) ~ x +
strata(episode), cluster = id)`` (PWP gap time). lifelines' ``CoxTimeVaryingFitter``
has no cluster-robust variance summed per person and is slow on ~1M intervals;
scikit-survival has no counting-process input; so these use the shared engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from revict._core.errors import SpecError
from revict.models._coxcore import _slot_sums, build_index
from revict.models._util import check_conf_type, int_list, num_list, sorted_position, unique_inverse, z_value
from revict.models.cox import CoxPH, CoxResult

Array = NDArray[np.float64]


@dataclass(frozen=True)
class MCFResult:
    """Mean cumulative number of events per person at every distinct interval end."""

    time: Array
    n_risk: NDArray[np.int64]
    n_event: NDArray[np.int64]
    mcf: Array
    std_err: Array
    lower: Array
    upper: Array

    def summary(self) -> pd.DataFrame:
        """Return the curve as a table."""
        return pd.DataFrame(
            {k: getattr(self, k) for k in ("time", "n_risk", "n_event", "mcf", "std_err", "lower", "upper")}
        )

    def _repr_html_(self) -> str:
        return str(self.summary().to_html(index=False))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe curve."""
        return {
            "time": num_list(self.time),
            "n_risk": int_list(self.n_risk),
            "n_event": int_list(self.n_event),
            "mcf": num_list(self.mcf),
            "std_err": num_list(self.std_err),
            "lower": num_list(self.lower),
            "upper": num_list(self.upper),
        }


def mean_cumulative_function(
    start: ArrayLike,
    stop: ArrayLike,
    event: ArrayLike,
    person: ArrayLike,
    *,
    conf_level: float = 0.95,
    conf_type: str = "log",
) -> MCFResult:
    """Nelson–Aalen mean cumulative function with the per-person robust variance.

    R equivalent: ``survfit(Surv(start, stop, event) ~ 1, id = person)`` -> ``cumhaz``,
    ``std.chaz``. Variance ``sum_i (sum_{s<=t} (dN_i(s) - Y_i(s) dL(s)) / Y(s))^2``,
    accumulated over event times in closed form (no person-by-time matrix). The CI is
    ``MCF exp(-/+ z se / MCF)`` (also for ``log-log``); ``plain`` gives ``MCF -/+ z se``.
    """
    check_conf_type(conf_type)
    z = z_value(conf_level)
    start = np.asarray(start, float)
    stop = np.asarray(stop, float)
    event = np.asarray(event, bool)
    pid = pd.factorize(pd.Series(person))[0]
    order = np.lexsort((start, pid))
    start, stop, event, pid = start[order], stop[order], event[order], pid[order]
    ix = build_index(np.zeros((len(stop), 1)), stop, event, start=start)
    y = _slot_sums(ix, np.ones(len(stop)))  # at risk per event slot
    d = ix.n_dead
    dl = d / y
    g_inc = dl / y  # dL / Y per slot
    cg = np.concatenate([[0.0], np.cumsum(g_inc)])

    # G(t) including slots with time <= t
    def g_at(t: Array) -> Array:
        return np.asarray(cg[sorted_position(ix.slot_time, t, "right")])

    inv_y_event = np.zeros(len(stop))
    inv_y_event[ix.dead] = 1 / y[ix.slot_of_dead]
    # per interval: offsets from the person's earlier intervals
    a_prev = _grouped_exclusive_cumsum(pid, inv_y_event)
    risk_g = g_at(stop) - g_at(start)
    c_k = _grouped_exclusive_cumsum(pid, risk_g) - g_at(start)
    o = a_prev - c_k
    sum_o_risk = _slot_sums(ix, o)
    sum_o_event = np.bincount(ix.slot_of_dead, o[ix.dead], minlength=ix.m)
    v_inc = 2 / y * (sum_o_event - dl * sum_o_risk) + (d - d**2 / y) / y**2
    # report at every distinct stop time (as survfit)
    ut = unique_inverse(stop)[0]
    k = np.searchsorted(ix.slot_time, ut, side="right")
    mcf = np.concatenate([[0.0], np.cumsum(dl)])[k]
    var = np.concatenate([[0.0], np.cumsum(v_inc)])[k]
    se = np.sqrt(np.maximum(var, 0.0))
    n_risk = _risk_counts(start, stop, ut)
    n_event = np.bincount(sorted_position(ut, stop[event], "left"), minlength=len(ut))
    lower, upper = _mcf_ci(mcf, se, z, conf_type)
    return MCFResult(
        time=ut,
        n_risk=np.asarray(n_risk, np.int64),
        n_event=n_event.astype(np.int64),
        mcf=mcf,
        std_err=se,
        lower=lower,
        upper=upper,
    )


def _mcf_ci(mcf: Array, se: Array, z: float, conf_type: str) -> tuple[Array, Array]:
    """``MCF exp(-/+ z se / MCF)`` (a mean count is not a probability, so ``log-log`` uses this too)."""
    if conf_type == "plain":
        return np.maximum(mcf - z * se, 0.0), mcf + z * se
    pos = mcf > 0
    safe = np.where(pos, mcf, 1.0)
    return np.where(pos, mcf * np.exp(-z * se / safe), 0.0), np.where(pos, mcf * np.exp(z * se / safe), 0.0)


def _risk_counts(start: Array, stop: Array, ut: Array) -> NDArray[np.int64]:
    """Intervals with ``start < t <= stop`` at each ``t`` in ``ut`` (difference array)."""
    lo = sorted_position(ut, start, "right")
    hi = sorted_position(ut, stop, "right")
    diff = np.bincount(lo, minlength=len(ut) + 1) - np.bincount(hi, minlength=len(ut) + 1)
    return np.asarray(np.cumsum(diff)[: len(ut)], np.int64)


def _grouped_exclusive_cumsum(group: NDArray[np.int64], v: Array) -> Array:
    """Cumulative sum of ``v`` within consecutive runs of ``group``, excluding the current row."""
    cs = np.cumsum(v) - v
    first = np.r_[True, group[1:] != group[:-1]]
    base = np.maximum.accumulate(np.where(first, np.arange(len(v)), 0))
    return np.asarray(cs - cs[base])


def _merge_covariates(
    recurrent: pd.DataFrame, persons: pd.DataFrame | None, covariates: Sequence[str], id_col: str
) -> pd.DataFrame:
    missing = [c for c in covariates if c not in recurrent.columns]
    if not missing:
        return recurrent
    if persons is None:
        raise SpecError(
            f"covariates {', '.join(missing)} are not columns of the recurrent table",
            hint="Pass the person table (first_event) to take them from.",
        )
    return recurrent.merge(persons[[id_col, *missing]], on=id_col, how="left", validate="many_to_one")


def andersen_gill(
    recurrent: pd.DataFrame,
    persons: pd.DataFrame | None = None,
    *,
    covariates: Sequence[str],
    reference_levels: Mapping[str, str] | None = None,
    levels: Mapping[str, Sequence[str]] | None = None,
    id_col: str = "person_id",
    conf_level: float = 0.95,
) -> CoxResult:
    """Andersen–Gill Cox model on ``(start, stop]`` intervals with person-robust SE.

    R equivalent: ``coxph(Surv(start, stop, event) ~ covariates, cluster = person_id,
    ties = "efron")``. ``p`` and the CI use the robust SE.
    """
    data = _merge_covariates(recurrent, persons, covariates, id_col)
    model = CoxPH(
        covariates=covariates,
        reference_levels=reference_levels,
        levels=levels,
        cluster=id_col,
        conf_level=conf_level,
        ph_test=False,
        with_concordance=False,
    )
    return model.fit(data, duration_col="stop", event_col="event", start_col="start").result_


def pwp_gap_time(
    recurrent: pd.DataFrame,
    persons: pd.DataFrame | None = None,
    *,
    covariates: Sequence[str],
    reference_levels: Mapping[str, str] | None = None,
    levels: Mapping[str, Sequence[str]] | None = None,
    id_col: str = "person_id",
    episode_col: str = "episode",
    max_episode: int | None = None,
    conf_level: float = 0.95,
) -> CoxResult:
    """Prentice–Williams–Peterson gap-time model, stratified by episode, person-robust SE.

    R equivalent: ``coxph(Surv(stop - start, event) ~ covariates + strata(episode),
    cluster = person_id)``. ``max_episode`` pools episodes above it into one stratum
    (as ``pmin(episode, max_episode)``), since late strata hold few persons.
    """
    data = _merge_covariates(recurrent, persons, covariates, id_col).copy()
    data["_gap"] = data["stop"].to_numpy(float) - data["start"].to_numpy(float)
    ep = data[episode_col].to_numpy()
    data["_stratum"] = np.minimum(ep, max_episode) if max_episode is not None else ep
    model = CoxPH(
        covariates=covariates,
        reference_levels=reference_levels,
        levels=levels,
        cluster=id_col,
        strata="_stratum",
        conf_level=conf_level,
        ph_test=False,
        with_concordance=False,
    )
    return model.fit(data, duration_col="_gap", event_col="event").result_


__all__ = ["MCFResult", "andersen_gill", "mean_cumulative_function", "pwp_gap_time"]
