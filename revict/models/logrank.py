"""Log-rank test across groups (R's ``survdiff(Surv(time, status) ~ group)``, rho = 0)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from revict.models._util import num, num_list, unique_inverse


@dataclass(frozen=True)
class LogRankResult:
    """Observed and expected events per group and the chi-square test."""

    groups: list[str]
    n: list[int]
    observed: NDArray[np.float64]
    expected: NDArray[np.float64]
    chisq: float
    df: int
    p: float

    def summary(self) -> pd.DataFrame:
        """Per-group table: group, n, observed, expected."""
        return pd.DataFrame({"group": self.groups, "n": self.n, "observed": self.observed, "expected": self.expected})

    def _repr_html_(self) -> str:
        return str(self.summary().to_html(index=False))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe values."""
        return {
            "groups": list(self.groups),
            "n": list(self.n),
            "observed": num_list(self.observed),
            "expected": num_list(self.expected),
            "chisq": num(self.chisq),
            "df": self.df,
            "p": num(self.p),
        }


def logrank_test(time: ArrayLike, event: ArrayLike, group: ArrayLike) -> LogRankResult:
    """Log-rank test with the hypergeometric variance, as ``survdiff``.

    ``chisq = (O - E)' V^- (O - E)`` with ``df`` = number of groups with expected > 0 minus 1.
    """
    codes, labels = pd.factorize(pd.Series(group).astype(str), sort=True)
    g = len(labels)
    ut, inv = unique_inverse(np.asarray(time, float))
    m = len(ut)
    ev = np.asarray(event, bool).astype(float)
    tot = np.bincount(inv * g + codes, minlength=m * g).reshape(m, g).astype(float)
    dg = np.bincount(inv * g + codes, ev, minlength=m * g).reshape(m, g)
    ng = np.cumsum(tot[::-1], axis=0)[::-1]
    n = ng.sum(axis=1)
    d = dg.sum(axis=1)
    use = d > 0
    ng, dg, n, d = ng[use], dg[use], n[use], d[use]
    frac = ng / n[:, None]
    expected = (frac * d[:, None]).sum(axis=0)
    observed = dg.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.where(n > 1, d * (n - d) / (n - 1), 0.0)
    var = np.diag((k[:, None] * frac).sum(axis=0)) - (frac * k[:, None]).T @ frac
    diff = observed - expected
    df = int((expected > 0).sum()) - 1
    chisq = float(diff @ np.linalg.pinv(var) @ diff) if df > 0 else float("nan")
    p = float(stats.chi2.sf(chisq, df)) if df > 0 else float("nan")
    return LogRankResult(
        groups=[str(x) for x in labels],
        n=[int(x) for x in tot.sum(axis=0)],
        observed=observed,
        expected=expected,
        chisq=chisq,
        df=df,
        p=p,
    )
