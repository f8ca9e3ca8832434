"""Who is most at risk: Cox vs random survival forest vs gradient boosting, on a held-out set.

:func:`compare_risk_models` fits three scikit-survival models of time to the first
re-victimisation on a seeded, stratified train/test split and scores them on the
test set: Harrell's C, Uno's C, time-dependent AUC at 1, 3, 5 and 7 years, the
integrated Brier score, and -- for the best model -- permutation importance per
covariate. Deaths (``status == 2``) are censored: this is a cause-specific risk
score, not a cumulative-incidence prediction. The scoring itself (C-indices, AUC(t),
Brier, permutation importance) is in :mod:`revict.models._prediction_metrics`.

R equivalents: ``survival::concordance``, ``survAUC::UnoC`` / ``timeROC``,
``pec::pec`` / ``riskRegression::Score`` (Brier), ``randomForestSRC::rfsrc``,
``gbm(distribution = "coxph")``.
"""

from __future__ import annotations

import time as _time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sksurv.ensemble import RandomSurvivalForest
from sksurv.linear_model import CoxPHSurvivalAnalysis

from revict._core.errors import ModelFitError
from revict.models._design import design_matrix
from revict.models._fastgb import FastGradientBoosting as _FastGradientBoosting
from revict.models._prediction_metrics import (
    RSF_TIME_UNIT_DAYS,
    Array,
    _empty_scores,
    _evaluate,
    _importance,
    _km_brier,
    _Log,
    _said,
    _time_points,
    _unit,
)

__all__ = ["PredictionResult", "compare_risk_models"]

MODELS: tuple[str, ...] = ("cox_ph", "random_survival_forest", "gradient_boosting")
MIN_PERSONS = 50
MIN_EVENTS = 10


# --- result --------------------------------------------------------------------------------


def _clean(x: Any) -> Any:
    """JSON-safe copy: numpy scalars to Python, non-finite floats to None."""
    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_clean(v) for v in x]
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and not np.isfinite(x):
        return None
    return x


@dataclass(frozen=True)
class PredictionResult:
    """Test-set performance of three risk models (see :func:`compare_risk_models`).

    Attributes
    ----------
    models : dict of str to dict
        Per model (``cox_ph``, ``random_survival_forest``, ``gradient_boosting``):
        ``harrell_c``, ``uno_c``, ``auc`` (``{days: AUC}``), ``mean_auc``,
        ``integrated_brier_score``, ``params``, ``fit_seconds``; ``None`` where missing.
    importance : list of dict
        Permutation importance of the best model per covariate: ``covariate``,
        ``terms``, ``mean_decrease_c``, ``std_decrease_c``, best first.
    best_model : str or None
        Model with the highest Harrell's C on the test set.
    design : dict
        Counts, seeds, time points and settings (``n``, ``n_train``, ``n_test``,
        ``seeds``, ``times_days``, ``uno_tau_days``, ``brier_grid_days``, ...).
    missing : list of dict
        ``{"metric", "model", "reason"}`` for every estimate that could not be made.
    notes, warnings : list of str
        Method statements, and the messages of the :class:`RevictWarning` issued.
    """

    models: dict[str, dict[str, Any]]
    importance: list[dict[str, Any]]
    best_model: str | None
    design: dict[str, Any]
    missing: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict (no NaN: missing numbers are ``None`` and listed in ``missing``)."""
        out = {
            "models": self.models,
            "best_model": self.best_model,
            "best_by": "harrell_c",
            "permutation_importance": self.importance,
            **self.design,
            "missing": self.missing,
            "notes": self.notes,
            "warnings": self.warnings,
        }
        return dict(_clean(out))

    def summary(self) -> pd.DataFrame:
        """One row per model: Harrell's and Uno's C, AUC at each time, integrated Brier score."""
        rows = []
        for name, m in self.models.items():
            row: dict[str, Any] = {"model": name, "harrell_c": m.get("harrell_c"), "uno_c": m.get("uno_c")}
            for t in self.design.get("times_days", []):
                row[f"auc_{t}d"] = (m.get("auc") or {}).get(str(t))
            row["integrated_brier_score"] = m.get("integrated_brier_score")
            row["n_train"], row["n_test"] = self.design.get("n_train_fitted"), self.design.get("n_test")
            rows.append(row)
        return pd.DataFrame(rows).astype(object).where(lambda d: d.notna(), None)

    def importance_table(self) -> pd.DataFrame:
        """Permutation importance of the best model, one row per covariate."""
        return pd.DataFrame(self.importance, columns=["covariate", "terms", "mean_decrease_c", "std_decrease_c"])

    def _repr_html_(self) -> str:
        return str(self.summary().to_html(index=False))


# --- data preparation ----------------------------------------------------------------------


def _check_columns(first_event: pd.DataFrame, covariates: Sequence[str]) -> None:
    need = ["time", "status", *covariates]
    absent = [c for c in need if c not in first_event.columns]
    if absent:
        raise ModelFitError(
            f"prediction: first_event lacks column(s) {', '.join(absent)}",
            hint="Pass the cohort builder's first_event table (revict.cohort.tables) and covariates from its spec.",
        )
    t = pd.to_numeric(first_event["time"], errors="coerce")
    s = pd.to_numeric(first_event["status"], errors="coerce")
    bad_t = int((~np.isfinite(t.to_numpy(float)) | (t < 0).to_numpy()).sum())
    bad_s = int((~s.isin([0, 1, 2])).sum())
    if bad_t or bad_s:
        raise ModelFitError(
            f"prediction: first_event has {bad_t} row(s) with missing/negative time and {bad_s} with status "
            "outside 0/1/2",
            hint="time must be days >= 0 and status 0 (censored), 1 (outcome) or 2 (death).",
        )


def _check_settings(test_size: float, max_train: int, max_test: int, n_estimators: int, repeats: int) -> None:
    bad = []
    if not 0.05 <= test_size <= 0.8:
        bad.append("test_size must be between 0.05 and 0.8")
    if min(max_train, max_test) < 20:
        bad.append("max_train and max_test must be at least 20")
    if n_estimators < 1 or repeats < 0:
        bad.append("n_estimators must be >= 1 and permutation_repeats >= 0")
    if bad:
        raise ModelFitError(f"prediction: {'; '.join(bad)}", hint="Use the defaults unless you have a reason.")


def _split(
    status: NDArray[np.int64], *, test_size: float, max_train: int, max_test: int, seeds: dict[str, int], log: _Log
) -> tuple[NDArray[np.intp], NDArray[np.intp], int]:
    """Stratified (on status) train/test indices, each subsampled (stratified) to its cap; train size before."""
    idx = np.arange(len(status))
    counts = np.bincount(status, minlength=3)
    strat: NDArray[np.int64] | None = status
    if (counts[counts > 0] < 2).any():
        strat = (status == 1).astype(np.int64) if min(counts[1], len(status) - counts[1]) >= 2 else None
        log.notes.append(
            "split stratified on event/no event only (a status class has fewer than 2 persons)"
            if strat is not None
            else "split not stratified (a status class has fewer than 2 persons)"
        )
    train, test = train_test_split(idx, test_size=test_size, random_state=seeds["split"], stratify=strat)
    out = []
    for part, cap, key in ((train, max_train, "subsample_train"), (test, max_test, "subsample_test")):
        if len(part) > cap:
            st = None if strat is None else strat[part]
            part, _ = train_test_split(part, train_size=cap, random_state=seeds[key], stratify=st)
            log.notes.append(f"{key.split('_')[1]} set subsampled (stratified, seed {seeds[key]}) to {cap} persons")
        out.append(np.sort(part))
    return out[0], out[1], len(train)


def _design(
    rows: pd.DataFrame,
    covariates: Sequence[str],
    reference_levels: Mapping[str, str],
    train_mask: NDArray[np.bool_],
    log: _Log,
) -> tuple[Array, list[str], dict[str, list[int]]]:
    """One-hot design (reference dropped); numeric gaps get the training median and a ``=missing`` flag."""
    data = rows.loc[:, list(covariates)].copy()
    for c in covariates:
        if not (pd.api.types.is_numeric_dtype(data[c]) or pd.api.types.is_bool_dtype(data[c])):
            data[c] = data[c].astype("string").fillna("unknown").astype(str)
    d = design_matrix(data, covariates, reference_levels=reference_levels)
    x, terms, groups = d.x.astype(float), list(d.terms), {k: list(v) for k, v in d.groups.items()}
    for cov, cols in list(groups.items()):
        if not cols:
            log.notes.append(f"covariate {cov} has a single level in the analysed persons and contributes nothing")
        for j in [j for j in cols if np.isnan(x[:, j]).any()]:
            gap = np.isnan(x[:, j])
            fill = np.nanmedian(x[train_mask, j]) if np.isfinite(x[train_mask, j]).any() else 0.0
            x[gap, j] = fill
            groups[cov].append(len(terms))
            terms.append(f"{cov}=missing")
            x = np.column_stack([x, gap.astype(float)])
            log.notes.append(
                f"{int(gap.sum())} missing value(s) of {cov} set to the training median, with indicator {cov}=missing"
            )
    for cov, lv in d.levels.items():
        ref = reference_levels.get(cov)
        if ref is not None and lv and lv[0] != ref:
            log.notes.append(f"reference level of {cov} not present; used {lv[0]}")
    return x, terms, groups


def _surv(event: NDArray[np.bool_], time: Array) -> NDArray[Any]:
    y = np.empty(len(time), dtype=[("event", "?"), ("time", "<f8")])
    y["event"], y["time"] = event, time
    return y


# --- models --------------------------------------------------------------------------------


def _make_models(n_train: int, n_estimators: int, seeds: dict[str, int], n_jobs: int) -> dict[str, Any]:
    leaf = int(np.clip(n_train // 200, 5, 50))
    return {
        # small ridge (0.5 * 0.1 * |b|^2 on the log partial likelihood) keeps sparse levels finite
        "cox_ph": CoxPHSurvivalAnalysis(alpha=0.1, ties="efron", n_iter=100),
        "random_survival_forest": RandomSurvivalForest(
            n_estimators=n_estimators,
            max_depth=8,
            min_samples_split=2 * leaf,
            min_samples_leaf=leaf,
            max_features="sqrt",
            max_samples=0.5,
            n_jobs=n_jobs,
            random_state=seeds["random_survival_forest"],
        ),
        "gradient_boosting": _FastGradientBoosting(
            loss="coxph",
            n_estimators=n_estimators,
            learning_rate=0.1,
            max_depth=3,
            min_samples_leaf=leaf,
            subsample=0.5,
            random_state=seeds["gradient_boosting"],
        ),
    }


def _fit(name: str, model: Any, x: Array, y: NDArray[Any], log: _Log) -> tuple[Any | None, float]:
    yy = y.copy()
    yy["time"] = np.ceil(y["time"] / _unit(name))
    t0 = _time.perf_counter()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.fit(x, yy)
    except (ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
        log.miss("fit", name, f"the model could not be fitted ({type(exc).__name__}: {_said(exc)})")
        return None, _time.perf_counter() - t0
    for w in caught:
        if issubclass(w.category, ConvergenceWarning):
            log.warn(f"prediction: {name} did not converge ({_said(w.message)}); its scores may be unstable")
        elif not issubclass(w.category, DeprecationWarning | FutureWarning):
            # library deprecation/future notices are not about the data (dropped); numerical
            # warnings are: they become a RevictWarning naming the model
            log.warn(f"prediction: fitting {name} warned ({w.category.__name__}: {_said(w.message)})")
    return model, _time.perf_counter() - t0


# --- entry point ---------------------------------------------------------------------------


def _seeds(seed: int) -> dict[str, int]:
    keys = ("split", "subsample_train", "subsample_test", "random_survival_forest", "gradient_boosting", "permutation")
    state = np.random.SeedSequence(seed).generate_state(len(keys))
    return {"seed": int(seed), **{k: int(v) for k, v in zip(keys, state, strict=True)}}


def _too_small(n: int, n_events: int, n_covs: int, log: _Log) -> bool:
    reason = None
    if n_covs == 0:
        reason = "no covariates were given"
    elif n_events == 0:
        reason = "the cohort has no outcome events"
    elif n < MIN_PERSONS or n_events < MIN_EVENTS:
        reason = (
            f"too few persons or events for a train/test comparison (need at least {MIN_PERSONS} persons "
            f"and {MIN_EVENTS} outcome events)"
        )
    elif n_events == n:
        reason = "every person had the outcome (a single class): no censoring to weight, no contrast to rank"
    if reason:
        for m in MODELS:
            log.missing.append({"metric": "all", "model": m, "reason": reason})
        log.warn(f"prediction: no risk models fitted: {reason}")
    return reason is not None


def compare_risk_models(
    first_event: pd.DataFrame,
    *,
    covariates: Sequence[str],
    reference_levels: Mapping[str, str] | None = None,
    seed: int = 20211207,
    test_size: float = 0.3,
    times_days: Sequence[int] = (365, 1096, 1826, 2557),
    max_train: int = 20000,
    max_test: int = 20000,
    n_estimators: int = 100,
    permutation_repeats: int = 5,
    n_jobs: int = 2,
) -> PredictionResult:
    """Compare Cox, random survival forest and gradient boosting as risk scores on a held-out set.

    Parameters
    ----------
    first_event : DataFrame
        One row per person with ``time`` (days), ``status`` (0 censored, 1 outcome,
        2 death -- censored here) and the covariates; see :mod:`revict.cohort.tables`.
    covariates : sequence of str
        String columns are one-hot coded without their reference level; numeric
        and boolean columns enter as they are.
    reference_levels : mapping, optional
        Reference level per covariate (default: the first observed level in sort order).
    seed : int
        Seeds the split, the subsamples, the forests and the permutations (all recorded).
    test_size : float
        Share of persons held out (stratified on status).
    times_days : sequence of int
        Times of the time-dependent AUC; those outside the test follow-up are skipped.
        The largest also truncates Uno's C and ends the Brier-score grid.
    max_train, max_test : int
        Train and test sets are subsampled (stratified, seeded) to at most this many persons.
    n_estimators : int
        Trees in the forest and boosting iterations.
    permutation_repeats : int
        Permutations per covariate for the importance of the best model.
    n_jobs : int
        Cores used by the forest.

    Returns
    -------
    PredictionResult
        With ``.summary()`` (one row per model) and ``.to_dict()`` (results.json ``prediction``).

    Raises
    ------
    ModelFitError
        When a column is absent, ``time``/``status`` hold impossible values or a setting is
        out of range. Too little data gives a :class:`RevictWarning` and a result listing
        what is missing instead.

    See Also
    --------
    revict.models.cox_ph : the explanatory Cox model (hazard ratios, ``cox.zph``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> form = rng.choice(["sexual", "labour"], 300)
    >>> t = rng.exponential(np.where(form == "labour", 400.0, 2000.0))
    >>> data = pd.DataFrame({"time": np.ceil(np.minimum(t, 2557)), "status": (t < 2557).astype(int),
    ...                      "exploitation_form": form})
    >>> res = compare_risk_models(data, covariates=["exploitation_form"], n_estimators=10,
    ...                           permutation_repeats=2, n_jobs=1)
    >>> list(res.summary()["model"])
    ['cox_ph', 'random_survival_forest', 'gradient_boosting']
    >>> res.importance[0]["covariate"], res.models["cox_ph"]["harrell_c"] > 0.6
    ('exploitation_form', True)
    """
    reference_levels = dict(reference_levels or {})
    log = _Log()
    _check_columns(first_event, covariates)
    _check_settings(test_size, max_train, max_test, n_estimators, permutation_repeats)
    status = pd.to_numeric(first_event["status"]).to_numpy(np.int64)
    seeds = _seeds(seed)
    n, n_events = len(status), int((status == 1).sum())
    design: dict[str, Any] = {
        "n": n,
        "n_events": n_events,
        "test_size": test_size,
        "seeds": seeds,
        "covariates": list(covariates),
        "times_days": [],
        "times_requested_days": [int(t) for t in times_days],
    }
    log.notes.append("deaths (status 2) are treated as censored: cause-specific risk of re-victimisation")
    if _too_small(n, n_events, len(covariates), log):
        return PredictionResult(
            {m: _empty_scores() for m in MODELS}, [], None, design, log.missing, log.notes, log.warnings
        )
    train, test, n_train = _split(
        status, test_size=test_size, max_train=max_train, max_test=max_test, seeds=seeds, log=log
    )
    rows = first_event.iloc[np.concatenate([train, test])]
    is_train = np.r_[np.ones(len(train), bool), np.zeros(len(test), bool)]
    x, terms, groups = _design(rows, covariates, reference_levels, is_train, log)
    t_all = pd.to_numeric(rows["time"]).to_numpy(float)
    e_all = pd.to_numeric(rows["status"]).to_numpy() == 1
    y_train, y_test = _surv(e_all[is_train], t_all[is_train]), _surv(e_all[~is_train], t_all[~is_train])
    design.update(
        {
            "n_train": n_train,
            "n_train_fitted": len(train),
            "n_test": len(test),
            "n_events_train": int(y_train["event"].sum()),
            "n_events_test": int(y_test["event"].sum()),
            "terms": terms,
        }
    )
    return _run(
        x[is_train],
        x[~is_train],
        y_train,
        y_test,
        terms,
        groups,
        times_days,
        n_estimators,
        permutation_repeats,
        n_jobs,
        seeds,
        design,
        log,
    )


def _run(
    x_train: Array,
    x_test: Array,
    y_train: NDArray[Any],
    y_test: NDArray[Any],
    terms: list[str],
    groups: dict[str, list[int]],
    times_days: Sequence[int],
    n_estimators: int,
    repeats: int,
    n_jobs: int,
    seeds: dict[str, int],
    design: dict[str, Any],
    log: _Log,
) -> PredictionResult:
    ev = _time_points(y_train, y_test, times_days, log)
    design.update(
        {
            "times_days": list(ev.labels),
            "times_evaluated_days": [float(t) for t in ev.times],
            "uno_tau_days": ev.tau if np.isfinite(ev.tau) else None,
            "brier_grid_days": {"start": float(ev.grid[0]), "stop": float(ev.grid[-1]), "n": len(ev.grid)}
            if len(ev.grid)
            else None,
            "km_integrated_brier_score": _km_brier(ev, len(y_test)),
            "rsf_time_unit_days": RSF_TIME_UNIT_DAYS,
        }
    )
    log.notes.append(
        f"the random survival forest is fitted on time in {RSF_TIME_UNIT_DAYS}-day units "
        "(its survival curves step every 30 days) to bound memory; scores use days"
    )
    results: dict[str, dict[str, Any]] = {}
    models = _make_models(len(y_train), n_estimators, seeds, n_jobs)
    fitted: dict[str, Any] = {}
    for name, model in models.items():
        fit, secs = _fit(name, model, x_train, y_train, log)
        params = {k: v for k, v in model.get_params().items() if isinstance(v, int | float | str | None)}
        results[name] = {"params": params, "fit_seconds": round(secs, 3)}
        if fit is None:
            results[name].update(_empty_scores())
            continue
        try:
            results[name].update(_evaluate(name, fit, x_test, ev, log))
            fitted[name] = fit
        except (ValueError, ArithmeticError) as exc:
            results[name].update(_empty_scores())
            log.miss("all", name, f"the fitted model could not be scored ({type(exc).__name__}: {_said(exc)})")
    scored = {k: v["harrell_c"] for k, v in results.items() if k in fitted and v["harrell_c"] is not None}
    best = max(scored, key=lambda k: scored[k]) if scored else None
    importance: list[dict[str, Any]] = []
    if best is not None and repeats > 0:
        importance = _importance(fitted[best], x_test, y_test, groups, terms, repeats, seeds["permutation"])
        log.notes.append(
            "the best model is chosen by Harrell's C on the test set; its permutation importance "
            "is computed on the same test set"
        )
    elif best is None:
        log.miss("permutation_importance", None, "no model has a Harrell's C on the test set")
    return PredictionResult(results, importance, best, design, log.missing, log.notes, log.warnings)
