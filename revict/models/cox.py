"""Cox proportional hazards (Efron ties), its PH test (R's ``cox.zph``) and robust variance.

R equivalents: ``coxph(Surv(time, status) ~ ..., ties = "efron")``,
``coxph(... + strata(s))``, ``coxph(Surv(start, stop, event) ~ ..., cluster = id)``,
``cox.zph(fit, transform = "km")``. lifelines' ``CoxPHFitter.check_assumptions`` uses
a different test (rank/KM transform of Schoenfeld residuals by regression) and its
counting-process robust variance does not sum score residuals per cluster; both
are therefore implemented here on the shared engine :mod:`revict.models._coxcore`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from revict._core.errors import SpecError
from revict.models import _coxcore as core
from revict.models._design import Design, concordance, design_matrix
from revict.models._util import num, unique_inverse, warn, z_value

#: |log HR| beyond which a coefficient is reported as not estimable (monotone likelihood).
MAX_ABS_LOG_HR = 15.0


@dataclass
class CoxResult:
    """A fitted Cox model.

    Attributes
    ----------
    terms : DataFrame
        One row per term: term, log_hr, se, (robust_se), hr, ci_lower, ci_upper, z, p.
        Estimates that could not be made are NaN here and ``null`` in :meth:`to_dict`.
    concordance : float or None
        Harrell's C of the linear predictor (R's ``fit$concordance["concordance"]``),
        with case weights and within strata; None when not computed.
    concordance_se : float or None
        Its infinitesimal-jackknife standard error (R's ``fit$concordance["std"]``,
        ``se(C)`` in ``summary``), summed per cluster when ``cluster`` is set.
    ph_test : DataFrame or None
        R's ``cox.zph`` table: term (covariates and GLOBAL), chisq, df, p.
    n, n_events : int
    loglik : tuple of float
        (null, fitted) partial log-likelihood.
    warnings : list of str
    """

    terms: pd.DataFrame
    concordance: float | None
    concordance_se: float | None
    ph_test: pd.DataFrame | None
    n: int
    n_events: int
    loglik: tuple[float, float]
    n_iter: int
    converged: bool
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> pd.DataFrame:
        """Terms table (hazard ratios with CI and p)."""
        return self.terms.copy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (NaN becomes ``None``)."""
        rows = [
            {k: (v if isinstance(v, str) else num(v)) for k, v in r.items()}
            for r in self.terms.to_dict(orient="records")
        ]
        ph = None
        if self.ph_test is not None:
            ph = [
                {"term": r["term"], "chisq": num(r["chisq"]), "df": int(r["df"]), "p": num(r["p"])}
                for r in self.ph_test.to_dict(orient="records")
            ]
        return {
            "terms": rows,
            "concordance": num(self.concordance),
            "concordance_se": num(self.concordance_se),
            "ph_test": ph,
            "n": self.n,
            "n_events": self.n_events,
            "loglik": [num(v) for v in self.loglik],
            "n_iter": self.n_iter,
            "converged": self.converged,
            "warnings": list(self.warnings),
        }

    def _repr_html_(self) -> str:
        return str(self.terms.to_html(index=False))


def cox_zph(
    ix: core.RiskSetIndex,
    fit: core.CoreFit,
    time: NDArray[np.float64],
    event: NDArray[np.bool_],
    groups: Mapping[str, Sequence[int]],
) -> pd.DataFrame:
    """Score test of proportional hazards as R's ``cox.zph(fit, transform = "km")``.

    The test adds ``x * g(t)`` for each covariate, with ``g(t) = 1 - KM(t-)`` of the
    pooled data centred on its mean over the events, and computes the score test of
    the added coefficients at ``(beta_hat, 0)`` from the 2p x 2p Efron information;
    one test per covariate (all its columns) and a global test.
    """
    # left-continuous pooled KM at each slot's time (unweighted, as R's cox.zph calls survfitKM)
    ut, inv = unique_inverse(time)
    d = np.bincount(inv, event.astype(float), minlength=len(ut))
    at_risk = np.cumsum(np.bincount(inv, minlength=len(ut))[::-1])[::-1]
    surv = np.cumprod(1 - d / at_risk)
    s_left = np.concatenate([[1.0], surv[:-1]])
    km_at = 1 - s_left[inv]
    gbar = km_at[event].mean()
    g = 1 - s_left[np.searchsorted(ut, ix.slot_time)] - gbar
    t = fit.terms
    p = ix.x.shape[1]
    u2 = core.score_vector(ix, t, g)
    i11, i12, i22 = fit.info, core.information(ix, t, g), core.information(ix, t, g * g)
    imat = np.block([[i11, i12], [i12.T, i22]])
    u = np.concatenate([np.zeros(p), u2])
    rows = []
    for name, cols in groups.items():
        if not cols:
            continue
        kk = np.concatenate([np.arange(p), np.asarray(cols) + p])
        rows.append(_zph_row(name, imat[np.ix_(kk, kk)], u[kk], len(cols)))
    rows.append(_zph_row("GLOBAL", imat, u, p))
    return pd.DataFrame(rows, columns=["term", "chisq", "df", "p"])


def _zph_row(name: str, imat: NDArray[np.float64], u: NDArray[np.float64], df: int) -> dict[str, Any]:
    try:
        chisq = float(np.linalg.solve(imat, u) @ u)
    except np.linalg.LinAlgError:
        chisq = float("nan")
    return {"term": name, "chisq": chisq, "df": df, "p": float(stats.chi2.sf(chisq, df))}


class CoxPH:
    """Cox proportional hazards model on the shared risk-set engine.

    R equivalent: ``coxph(Surv(time, status) ~ covariates [+ strata(s)], ties = "efron")``;
    with ``start_col``, ``coxph(Surv(start, stop, event) ~ ...)``; with ``cluster``,
    the robust (sandwich) variance of ``coxph(..., cluster = id)``.

    Parameters
    ----------
    covariates : sequence of str
        Columns entering the model (strings are treatment-coded, booleans/numbers as is).
    reference_levels, levels : mapping, optional
        Reference and level order of categorical covariates.
    strata : str, optional
        Column to stratify the baseline hazard by.
    cluster : str, optional
        Column identifying clusters (persons) for the robust variance.
    weights : str, optional
        Column of case weights (R: ``weights =``); Efron ties use the deaths' mean weight as
        R does. Concordance and its SE use them as R's ``coxph`` does.
    ties : {"efron", "breslow"}
    conf_level : float
    ph_test : bool
        Compute R's ``cox.zph`` (right-censored data only).
    with_concordance : bool
    max_iter : int
    """

    def __init__(
        self,
        *,
        covariates: Sequence[str],
        reference_levels: Mapping[str, str] | None = None,
        levels: Mapping[str, Sequence[str]] | None = None,
        strata: str | None = None,
        cluster: str | None = None,
        weights: str | None = None,
        ties: str = "efron",
        conf_level: float = 0.95,
        ph_test: bool = True,
        with_concordance: bool = True,
        max_iter: int = 30,
    ) -> None:
        self.covariates = covariates
        self.reference_levels = reference_levels
        self.levels = levels
        self.strata = strata
        self.cluster = cluster
        self.weights = weights
        self.ties = ties
        self.conf_level = conf_level
        self.ph_test = ph_test
        self.with_concordance = with_concordance
        self.max_iter = max_iter

    def fit(
        self,
        data: pd.DataFrame,
        *,
        duration_col: str = "time",
        event_col: str = "status",
        start_col: str | None = None,
        event_value: int = 1,
    ) -> CoxPH:
        """Fit on ``data``; events are rows with ``event_col == event_value`` (others censored)."""
        if self.ties not in ("efron", "breslow"):
            raise SpecError(f"ties must be 'efron' or 'breslow', got {self.ties!r}", hint="Use 'efron' (R's default).")
        z = z_value(self.conf_level)
        msgs: list[str] = []
        data = _complete_rows(data, self.covariates, msgs)
        stop = data[duration_col].to_numpy(dtype=float)
        event = data[event_col].to_numpy() == event_value
        design = design_matrix(data, list(self.covariates), reference_levels=self.reference_levels, levels=self.levels)
        refs = _references_with_events(data, design, event, msgs)
        if refs:
            design = design_matrix(
                data,
                list(self.covariates),
                reference_levels={**(self.reference_levels or {}), **refs},
                levels=self.levels,
            )
        start = None if start_col is None else data[start_col].to_numpy(dtype=float)
        strata = None
        if self.strata is not None:
            strata = pd.factorize(data[self.strata].astype(str), sort=True)[0].astype(np.int64)
        keep_cols, dropped = _estimable_columns(design, event, msgs)
        self.design_ = design
        self.result_ = self._fit_columns(design, keep_cols, dropped, stop, event, start, strata, data, z, msgs)
        return self

    def _fit_columns(
        self,
        design: Design,
        keep: list[int],
        dropped: set[int],
        stop: NDArray[np.float64],
        event: NDArray[np.bool_],
        start: NDArray[np.float64] | None,
        strata: NDArray[np.int64] | None,
        data: pd.DataFrame,
        z: float,
        msgs: list[str],
    ) -> CoxResult:
        n, n_ev = len(stop), int(event.sum())
        p = len(design.terms)
        beta = np.full(p, np.nan)
        se = np.full(p, np.nan)
        rse = np.full(p, np.nan)
        conc: tuple[float | None, float | None] = (None, None)
        ph = None
        ll: tuple[float, float] = (float("nan"), float("nan"))
        n_iter, converged = 0, False
        if n_ev == 0:
            warn("Cox model not fitted: there are no events, so no hazard ratio can be estimated.", msgs)
        elif keep:
            w = None if self.weights is None else data[self.weights].to_numpy(dtype=float)
            ix = core.build_index(design.x[:, keep], stop, event, start=start, strata=strata, weights=w, ties=self.ties)
            fit = core.fit_core(ix, max_iter=self.max_iter)
            n_iter, converged, ll = fit.n_iter, fit.converged, (fit.loglik_null, fit.loglik)
            b, v = fit.beta, np.diag(fit.var)
            bad = _flag_unstable(design, keep, b, v, fit, msgs)
            beta[keep], se[keep] = b, np.sqrt(np.where(v >= 0, v, np.nan))
            if self.cluster is not None:
                rv = np.diag(core.robust_variance(ix, fit, data[self.cluster].to_numpy()))
                rse[keep] = np.sqrt(np.where(rv >= 0, rv, np.nan))
            for c in bad:
                beta[keep[c]] = se[keep[c]] = rse[keep[c]] = np.nan
            conc, ph = self._extras(design, keep, ix, fit, stop, event, start, strata, data, msgs)
        use = rse if self.cluster is not None else se
        with np.errstate(invalid="ignore", over="ignore"):
            zz = beta / use
            table = pd.DataFrame(
                {
                    "term": design.terms,
                    "log_hr": beta,
                    "se": se,
                    **({"robust_se": rse} if self.cluster is not None else {}),
                    "hr": np.exp(beta),
                    "ci_lower": np.exp(beta - z * use),
                    "ci_upper": np.exp(beta + z * use),
                    "z": zz,
                    "p": 2 * stats.norm.sf(np.abs(zz)),
                }
            )
        return CoxResult(
            terms=table,
            concordance=conc[0],
            concordance_se=conc[1],
            ph_test=ph,
            n=n,
            n_events=n_ev,
            loglik=ll,
            n_iter=n_iter,
            converged=converged,
            warnings=msgs,
        )

    def _extras(
        self,
        design: Design,
        keep: list[int],
        ix: core.RiskSetIndex,
        fit: core.CoreFit,
        stop: NDArray[np.float64],
        event: NDArray[np.bool_],
        start: NDArray[np.float64] | None,
        strata: NDArray[np.int64] | None,
        data: pd.DataFrame,
        msgs: list[str],
    ) -> tuple[tuple[float | None, float | None], pd.DataFrame | None]:
        conc: tuple[float | None, float | None] = (None, None)
        ph = None
        if self.with_concordance and start is None:
            c = concordance(
                stop,
                event,
                fit.terms.eta,
                strata,
                weights=None if self.weights is None else data[self.weights].to_numpy(dtype=float),
                cluster=None if self.cluster is None else data[self.cluster].to_numpy(),
            )
            conc = (c["concordance"], c["concordance_se"])
        if self.ph_test and start is None:
            pos = {c: i for i, c in enumerate(keep)}
            groups = {cov: [pos[c] for c in cols if c in pos] for cov, cols in design.groups.items()}
            ph = cox_zph(ix, fit, stop, event, groups)
            if not np.all(np.isfinite(ph["chisq"])):
                warn("Proportional-hazards test: some statistics could not be computed (singular information).", msgs)
        return conc, ph


def _references_with_events(
    data: pd.DataFrame, design: Design, event: NDArray[np.bool_], msgs: list[str]
) -> dict[str, str]:
    """Replace a reference level without events by the level with the most events (with a warning)."""
    out: dict[str, str] = {}
    if not event.any():
        return out
    for cov, levels in design.levels.items():
        counts = pd.Series(event).groupby(data[cov].astype(str).to_numpy()).sum()
        if counts.get(levels[0], 0) == 0 and len(levels) > 1:
            new = str(counts.idxmax())
            warn(
                f"Cox covariate {cov}: the reference level {levels[0]} has no events, so hazard ratios "
                f"against it are infinite; using {new} as the reference instead.",
                msgs,
            )
            out[cov] = new
    return out


def _complete_rows(data: pd.DataFrame, covariates: Sequence[str], msgs: list[str]) -> pd.DataFrame:
    """Drop rows with a missing covariate value, as R's ``na.omit`` (with a warning)."""
    cols = [c for c in covariates if c in data.columns]
    miss = data[cols].isna().any(axis=1).to_numpy() if cols else np.zeros(len(data), bool)
    if not miss.any():
        return data
    which = [c for c in cols if data[c].isna().any()]
    warn(f"Cox model: {int(miss.sum())} of {len(data)} rows excluded because {', '.join(which)} is missing.", msgs)
    out = data.loc[~miss]
    return out.astype(
        {
            c: (float if not pd.api.types.is_bool_dtype(out[c]) else bool)
            for c in which
            if pd.api.types.is_numeric_dtype(out[c]) or pd.api.types.is_bool_dtype(out[c])
        }
    )


def _estimable_columns(design: Design, event: NDArray[np.bool_], msgs: list[str]) -> tuple[list[int], set[int]]:
    """Drop dummy columns whose level has no events (log HR would be minus infinity)."""
    keep, dropped = [], set()
    for i, term in enumerate(design.terms):
        col = design.x[:, i]
        if "=" in term and event.any() and not np.any(event & (col == 1)):
            warn(
                f"Cox term {term}: no events in this level, so its hazard ratio is not estimable "
                "(it would be zero); reported as null.",
                msgs,
            )
            dropped.add(i)
        elif np.ptp(col) == 0 if len(col) else True:
            warn(
                f"Cox term {term}: the covariate is constant, so its hazard ratio is not estimable; reported as null.",
                msgs,
            )
            dropped.add(i)
        else:
            keep.append(i)
    return keep, dropped


def _flag_unstable(
    design: Design,
    keep: list[int],
    beta: NDArray[np.float64],
    var: NDArray[np.float64],
    fit: core.CoreFit,
    msgs: list[str],
) -> list[int]:
    bad = []
    for c, col in enumerate(keep):
        if abs(beta[c]) > MAX_ABS_LOG_HR or not np.isfinite(var[c]) or var[c] <= 0 or var[c] > 1e6:
            warn(
                f"Cox term {design.terms[col]}: coefficient may be infinite (monotone likelihood, "
                "e.g. perfect separation); reported as null.",
                msgs,
            )
            bad.append(c)
    if not fit.converged and not bad:  # an infinite coefficient already explains non-convergence
        warn(f"Cox model did not converge in {fit.n_iter} iterations; estimates may be unreliable.", msgs)
    return bad


def cox_ph(
    data: pd.DataFrame,
    *,
    covariates: Sequence[str],
    duration_col: str = "time",
    event_col: str = "status",
    start_col: str | None = None,
    event_value: int = 1,
    **kwargs: Any,
) -> CoxResult:
    """Fit a Cox model and return its result (functional twin of :class:`CoxPH`).

    R equivalent: ``coxph(Surv(time, status == 1) ~ covariates, ties = "efron")``
    (``strata=``/``cluster=``/``weights=`` keywords as in :class:`CoxPH`).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"time": [4, 6, 6, 9, 12, 15, 18, 20], "status": [1, 1, 0, 1, 1, 0, 1, 0],
    ...                    "form": ["labour", "sexual", "labour", "labour", "sexual", "sexual", "labour", "sexual"]})
    >>> res = cox_ph(df, covariates=["form"], reference_levels={"form": "sexual"}, ph_test=False)
    >>> res.terms["term"].tolist()
    ['form=labour']
    >>> bool(res.terms["hr"].iloc[0] > 1)
    True
    """
    model = CoxPH(covariates=covariates, **kwargs).fit(
        data, duration_col=duration_col, event_col=event_col, start_col=start_col, event_value=event_value
    )
    return model.result_
