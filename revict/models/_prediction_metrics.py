"""Scoring of fitted risk models for :mod:`revict.models.prediction`: C-indices, AUC(t), Brier, importance.

Split from ``prediction.py`` (which fits and compares); everything here takes fitted
models and structured ``(event, time)`` arrays and returns plain numbers, recording
what could not be estimated in a :class:`_Log` instead of raising.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sksurv.metrics import (
    concordance_index_censored,
    concordance_index_ipcw,
    cumulative_dynamic_auc,
    integrated_brier_score,
)
from sksurv.nonparametric import kaplan_meier_estimator

from revict._core.errors import RevictWarning
from revict.models._design import concordance

Array = NDArray[np.float64]
RSF_TIME_UNIT_DAYS = 30
BRIER_GRID_POINTS = 100
_BATCH = 4000


def _said(exc: BaseException | Warning | str) -> str:
    """Return a library's message without numbers (they can be one person's time)."""
    return re.sub(r"\d+(?:\.\d+)?", "#", str(exc))[:160]


def _empty_scores() -> dict[str, Any]:
    return {"harrell_c": None, "uno_c": None, "auc": {}, "mean_auc": None, "integrated_brier_score": None}


class _Log:
    """Collects notes, missing estimates and warnings while the comparison runs."""

    def __init__(self) -> None:
        self.notes: list[str] = []
        self.missing: list[dict[str, Any]] = []
        self.warnings: list[str] = []

    def miss(self, metric: str, model: str | None, reason: str, *, warn: bool = True) -> None:
        self.missing.append({"metric": metric, "model": model, "reason": reason})
        if warn:
            self.warn(f"prediction: {metric}{f' of {model}' if model else ''} not estimated: {reason}")

    def warn(self, msg: str) -> None:
        if msg not in self.warnings:
            self.warnings.append(msg)
            warnings.warn(msg, RevictWarning, stacklevel=4)


def _unit(name: str) -> float:
    """Time unit (days) a model is fitted in: the forest stores a curve per leaf over distinct times."""
    return float(RSF_TIME_UNIT_DAYS) if name == "random_survival_forest" else 1.0


def _batched(fn: Callable[[Array], Array], x: Array) -> Array:
    return np.concatenate([fn(x[i : i + _BATCH]) for i in range(0, max(len(x), 1), _BATCH)]) if len(x) else np.empty(0)


def _risk(model: Any, x: Array) -> Array:
    return np.asarray(_batched(model.predict, x), dtype=float)


def _survival_at(model: Any, name: str, x: Array, times_days: Array) -> Array:
    """Predicted P(no outcome by t) at each time, shape (n, len(times_days))."""
    t = times_days / _unit(name)

    def one(xb: Array) -> Array:
        fns = model.predict_survival_function(xb)
        lo, hi = fns[0].domain
        tt = np.clip(t, lo, hi)
        return np.vstack([f(tt) for f in fns])

    return _batched(one, x).reshape(len(x), len(t))


# --- metrics -------------------------------------------------------------------------------


def _guard(log: _Log, metric: str, model: str, fn: Callable[[], float]) -> float | None:
    try:
        with warnings.catch_warnings():
            # sksurv's metrics divide by zero when a time has no cases/controls; the NaN is caught below
            warnings.simplefilter("ignore", RuntimeWarning)
            v = float(fn())
    except (ValueError, ZeroDivisionError, IndexError) as exc:
        log.miss(metric, model, f"{type(exc).__name__}: {_said(exc)}")
        return None
    if not np.isfinite(v):
        log.miss(metric, model, "not defined on this test set (no comparable cases and controls)")
        return None
    return v


@dataclass(frozen=True)
class _Eval:
    y_train: NDArray[Any]
    y_test: NDArray[Any]
    times: Array
    tau: float
    grid: Array
    labels: tuple[int, ...]  # requested day of each entry of times


def _auc_at(ev: _Eval, surv_t: Array, t: float) -> float:
    """Cumulative/dynamic AUC at ``t`` of the predicted risk by ``t`` (1 - survival)."""
    return float(cumulative_dynamic_auc(ev.y_train, ev.y_test, 1.0 - surv_t, [t])[0][0])


def _evaluate(name: str, model: Any, x_test: Array, ev: _Eval, log: _Log) -> dict[str, Any]:
    out = _empty_scores()
    risk = _risk(model, x_test)
    e, t = ev.y_test["event"], ev.y_test["time"]
    out["harrell_c"] = _guard(log, "harrell_c", name, lambda: concordance_index_censored(e, t, risk)[0])
    if np.isfinite(ev.tau):
        out["uno_c"] = _guard(
            log, "uno_c", name, lambda: concordance_index_ipcw(ev.y_train, ev.y_test, risk, tau=ev.tau)[0]
        )
    pts = np.unique(np.concatenate([ev.times, ev.grid]))
    surv = _survival_at(model, name, x_test, pts) if len(pts) else np.empty((len(t), 0))
    for tk, label in zip(ev.times, ev.labels, strict=True):
        col = surv[:, np.searchsorted(pts, tk)]
        out["auc"][str(label)] = _guard(
            log,
            f"auc_{label}d",
            name,
            partial(_auc_at, ev, col, float(tk)),
        )
    aucs = [v for v in out["auc"].values() if v is not None]
    out["mean_auc"] = float(np.mean(aucs)) if aucs else None
    if len(ev.grid) >= 2:
        s_grid = surv[:, np.searchsorted(pts, ev.grid)]
        out["integrated_brier_score"] = _guard(
            log, "integrated_brier_score", name, lambda: integrated_brier_score(ev.y_train, ev.y_test, s_grid, ev.grid)
        )
    return out


def _time_points(y_train: NDArray[Any], y_test: NDArray[Any], times_days: Sequence[int], log: _Log) -> _Eval:
    """Choose AUC times, Uno's tau and the Brier grid inside the test follow-up and the training range."""
    t_test = y_test["time"]
    lo, upper = float(t_test.min()), min(float(t_test.max()), float(y_train["time"].max()))
    at: dict[int, float] = {int(t): float(t) for t in times_days if lo <= t < upper}
    for t in sorted({int(t) for t in times_days if upper <= t <= upper + 1 and upper - 1 >= lo}):
        # a horizon equal to the end of follow-up (e.g. 2557 days when everyone is followed 2557 days)
        # cannot be scored at the last time itself; score it on the day before
        at[t] = upper - 1
        log.notes.append(f"AUC at {t} days is evaluated one day earlier, the day before the end of the test follow-up")
    times = np.array(sorted(at.values()), dtype=float)
    for t in sorted({int(t) for t in times_days} - set(at)):
        log.miss(
            f"auc_{t}d",
            None,
            f"{t} days is beyond the test follow-up (or the training follow-up the censoring weights use)",
            warn=False,
        )
    hi = min(float(max(times_days, default=upper)), upper - 1)
    grid = np.unique(np.linspace(lo, hi, BRIER_GRID_POINTS)) if hi > lo else np.empty(0)
    if len(grid) < 2:
        log.miss("integrated_brier_score", None, "test follow-up too short for a time grid")
    tau = min(float(max(times_days, default=upper)), upper)
    return _Eval(y_train, y_test, times, tau if tau > lo else float("nan"), grid, tuple(sorted(at)))


def _km_brier(ev: _Eval, n_test: int) -> float | None:
    """Integrated Brier score of the covariate-free Kaplan-Meier curve: the bar a model must beat."""
    if len(ev.grid) < 2:
        return None
    ut, s = kaplan_meier_estimator(ev.y_train["event"], ev.y_train["time"])
    s_grid = np.r_[1.0, s][np.searchsorted(ut, ev.grid, side="right")]
    try:
        return float(integrated_brier_score(ev.y_train, ev.y_test, np.tile(s_grid, (n_test, 1)), ev.grid))
    except ValueError:
        return None


def _importance(
    model: Any,
    x: Array,
    y: NDArray[Any],
    groups: dict[str, list[int]],
    terms: list[str],
    repeats: int,
    seed: int,
) -> list[dict[str, Any]]:
    """Mean drop in Harrell's C when a covariate's columns are permuted together.

    Uses the vectorised Harrell's C of :func:`revict.models._design.concordance` (R's
    definition; equal to sksurv's ``concordance_index_censored`` but about 8x faster).
    """
    rng = np.random.default_rng(seed)
    t, e = y["time"].astype(float), y["event"].astype(bool)

    def c_of(xx: Array) -> float:
        return float(concordance(t, e, _risk(model, xx), std_err=False)["concordance"])

    base = c_of(x)
    rows = []
    for cov, cols in groups.items():
        if not cols:
            continue
        drops = []
        for _ in range(repeats):
            xp = x.copy()
            xp[:, cols] = x[rng.permutation(len(x))][:, cols]
            drops.append(base - c_of(xp))
        rows.append(
            {
                "covariate": cov,
                "terms": [terms[j] for j in cols],
                "mean_decrease_c": float(np.mean(drops)),
                "std_decrease_c": float(np.std(drops, ddof=1)) if repeats > 1 else None,
            }
        )
    return sorted(rows, key=lambda r: -r["mean_decrease_c"])
