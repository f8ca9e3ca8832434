"""Gradient-boosted Cox survival with an O(n log n) loss (scikit-survival's is O(n^2)).

:class:`FastGradientBoosting` is :class:`sksurv.ensemble.GradientBoostingSurvivalAnalysis`
with the Breslow partial-likelihood loss and gradient computed from cumulative sums
over sorted distinct times. Same numbers as scikit-survival's Cython loss (checked in
tests/models/test_prediction.py), about 300x faster at 20,000 persons.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from sksurv.ensemble import GradientBoostingSurvivalAnalysis
from sksurv.ensemble.survival_loss import CoxPH as _SksurvCoxPHLoss

Array = NDArray[np.float64]


def _risk_sums(time: Array, raw: Array) -> tuple[Array, NDArray[np.intp], Array]:
    """Per distinct time: sum of exp(raw) over the risk set {j: t_j >= t}; shift-stabilised."""
    uniq, inv = np.unique(time, return_inverse=True)
    e: Array = np.exp(raw - raw.max())
    at = np.bincount(inv, weights=e, minlength=len(uniq))
    risk: Array = np.cumsum(at[::-1])[::-1].astype(np.float64)
    return risk, inv.astype(np.intp), e


class FastCoxPHLoss(_SksurvCoxPHLoss):  # type: ignore[misc]
    """scikit-survival's Breslow partial-likelihood loss, vectorised.

    The shipped Cython loss loops over all pairs (O(n^2) per boosting iteration: about
    ten minutes for 20,000 persons); this computes the same numbers from cumulative
    sums over sorted distinct times.
    """

    def __call__(self, y_true: Any, raw_prediction: Any, sample_weight: Any = None) -> float:
        raw = np.asarray(raw_prediction, dtype=float).ravel()
        event = y_true["event"].astype(bool)
        risk, inv, _ = _risk_sums(y_true["time"].astype(float), raw)
        shift = raw.max()
        return float(-np.sum((raw - shift - np.log(risk[inv]))[event]))

    def gradient(self, y_true: Any, raw_prediction: Any, sample_weight: Any = None, **kwargs: Any) -> Array:
        raw = np.asarray(raw_prediction, dtype=float).ravel()
        event = y_true["event"].astype(bool)
        risk, inv, e = _risk_sums(y_true["time"].astype(float), raw)
        d = np.bincount(inv[event], minlength=len(risk))
        cum = np.cumsum(d / risk)
        out: Array = event.astype(float) - e * cum[inv]
        if sample_weight is not None:
            out *= sample_weight
        return out


class FastGradientBoosting(GradientBoostingSurvivalAnalysis):  # type: ignore[misc]
    """:class:`sksurv.ensemble.GradientBoostingSurvivalAnalysis` with :class:`FastCoxPHLoss`."""

    def _get_loss(self, sample_weight: Any) -> Any:
        return FastCoxPHLoss() if self.loss == "coxph" else super()._get_loss(sample_weight)
