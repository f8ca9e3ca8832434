"""Candidate models side by side: the sensitivity of the estimate to the model.

Each candidate is refitted with statsmodels ``GLM(family=Poisson())`` (R: ``glm(...,
family = poisson)``) on the cells the model keeps, and reported with its estimate, a
log-normal interval (SparseMSE ``estimatepopulation.0``), deviance, residual df, AIC
and BIC (both counting ``-inf`` parameters of empty overlaps).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.stats import norm

from revict._core.errors import SpecError
from revict.hidden.fit import NOT_EXIST, NOT_IDENTIFIABLE, OK, Space, build_design, check_ident, space
from revict.hidden.table import OverlapTable

STATUS = {
    OK: "ok",
    NOT_EXIST: "estimate_does_not_exist",
    NOT_IDENTIFIABLE: "not_identifiable",
    NOT_EXIST + NOT_IDENTIFIABLE: "does_not_exist_and_not_identifiable",
}

STATUS_MESSAGE = {
    NOT_EXIST: "the maximum-likelihood estimate does not exist for this model on these data (the linear-"
    "programming test of Fienberg & Rinaldo 2012 fails: some cells would be fitted as zero)",
    NOT_IDENTIFIABLE: "the parameters are not identifiable (the design over the cells kept has deficient rank; "
    "empty overlaps leave too few cells)",
}


@dataclass(frozen=True)
class CandidateModel:
    """One model's estimate and fit statistics."""

    terms: tuple[str, ...]
    neg_inf_terms: tuple[str, ...]
    status: str
    dark: float | None
    total: float | None
    lower: float | None
    upper: float | None
    deviance: float | None
    df: int | None
    aic: float | None
    bic: float | None
    n_params: int
    chosen_by: tuple[str, ...]
    message: str = ""

    @property
    def name(self) -> str:
        """``"main effects"`` or ``"main + A:B + C:D"``."""
        return "main effects" if not self.terms else "main + " + " + ".join(self.terms)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict."""

        def r(x: float | None, nd: int = 3) -> float | None:
            return None if x is None or not math.isfinite(x) else round(float(x), nd)

        return {
            "model": self.name,
            "terms": list(self.terms),
            "neg_inf_terms": list(self.neg_inf_terms),
            "status": self.status,
            "estimate": r(self.total, 2),
            "dark_figure": r(self.dark, 2),
            "lower": r(self.lower, 2),
            "upper": r(self.upper, 2),
            "ci_method": "wald_log",
            "deviance": r(self.deviance, 4),
            "df": self.df,
            "aic": r(self.aic, 4),
            "bic": r(self.bic, 4),
            "n_params": self.n_params,
            "chosen_by": list(self.chosen_by),
            "message": self.message,
        }


def fit_candidate(
    sp: Space,
    y_full: np.ndarray,
    lists: tuple[str, ...],
    model: tuple[int, ...],
    *,
    chosen_by: tuple[str, ...] = (),
    conf_level: float = 0.95,
) -> CandidateModel:
    """Check and fit one model with statsmodels; a failing model is reported, not fitted."""
    model = tuple(sorted(model))
    d = build_design(sp, y_full, model)
    terms = tuple(sp.pair_names(lists, model))
    neg_inf = tuple(sp.pair_names(lists, d.empty_pairs))
    n_params = d.X.shape[1] + len(d.empty_pairs)
    code = check_ident(sp, y_full, model)
    if code != OK:
        msg = "; ".join(STATUS_MESSAGE[c] for c in (NOT_EXIST, NOT_IDENTIFIABLE) if code & c)
        return CandidateModel(
            terms, neg_inf, STATUS[code], None, None, None, None, None, None, None, None, n_params, chosen_by, msg
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence is judged from the result below, not statsmodels' chatter
        res = sm.GLM(d.y, d.X, family=sm.families.Poisson()).fit(tol=1e-10, maxiter=200)
    b0 = float(res.params[0])
    se = float(res.bse[0])
    n_obs = float(y_full.sum())
    z = norm.ppf(0.5 + conf_level / 2)
    llf = float(res.llf)
    return CandidateModel(
        terms,
        neg_inf,
        "ok",
        math.exp(b0),
        n_obs + math.exp(b0),
        n_obs + math.exp(b0 - z * se),
        n_obs + math.exp(b0 + z * se),
        float(res.deviance),
        int(round(res.df_resid)),
        -2 * llf + 2 * n_params,
        -2 * llf + math.log(n_obs) * n_params,
        n_params,
        chosen_by,
    )


def candidates_frame(cands: list[CandidateModel]) -> pd.DataFrame:
    """Candidates as a DataFrame (one row each), sorted by AIC."""
    df = pd.DataFrame([c.to_dict() for c in cands])
    if df.empty:
        return df
    df = df.drop(columns=["terms", "neg_inf_terms", "ci_method"])
    return df.sort_values("aic", na_position="last").reset_index(drop=True)


def evaluate_model(table: OverlapTable, terms: Sequence[str], *, conf_level: float = 0.95) -> CandidateModel:
    """Check and fit one fixed model: main effects plus the named two-list terms (``"A:B"``).

    R: ``SparseMSE::estimatepopulation.0(zdat, method = "fixed", mX = ...)`` after
    ``checkident``. A model whose estimate does not exist or is not identifiable is
    returned with that ``status`` and a message, and no estimate.
    """
    names = {
        f"{a}:{b}": k
        for k, (a, b) in enumerate((table.lists[i], table.lists[j]) for i, j in space(table.n_lists).pairs)
    }
    names.update(
        {
            f"{b}:{a}": k
            for k, (a, b) in enumerate((table.lists[i], table.lists[j]) for i, j in space(table.n_lists).pairs)
        }
    )
    unknown = [t for t in terms if t not in names]
    if unknown:
        raise SpecError(
            f"unknown two-list term(s) {', '.join(unknown)}",
            hint=f"Name pairs of lists as A:B; the lists are {', '.join(table.lists)}.",
        )
    model = tuple(sorted({names[t] for t in terms}))
    return fit_candidate(space(table.n_lists), table.full_counts(), table.lists, model, conf_level=conf_level)
