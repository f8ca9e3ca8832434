"""Model selection over two-list interactions: stepwise p-values (SparseMSE) and AIC/BIC.

* ``stepwise`` -- SparseMSE ``stepwisefit`` / MultipleSystemsEstimation
  ``estimate_population_stepwise``: start from main effects; for each two-list term
  not in the model, the number of persons on both lists (``N*_ij``) is Poisson under
  the current model with mean the sum of fitted values of the cells holding both
  lists; its two-sided p-value is ``min(P(X <= N*), P(X >= N*))``. A term whose model
  would fail ``checkident`` gets p = 1. The term with the smallest p (first in pair
  order on ties) is added while p < threshold (default 0.02, Chan, Silverman &
  Vincent 2021). Empty overlaps may enter (with parameter ``-inf``).
* ``aic`` / ``bic`` -- the model minimising AIC = -2 logL + 2 (p + e) or
  BIC = -2 logL + log(n_observed) (p + e), with ``e`` the number of ``-inf``
  parameters (SparseMSE's AIC adjustment; BIC as in MultipleSystemsEstimation).
  Exhaustive over every set of two-list terms when there are few lists, otherwise
  forward stepwise on the criterion. Models failing ``checkident`` are skipped.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy.special import pdtr, pdtrc

from revict.hidden.fit import OK, PoissonFit, Space, build_design, check_ident, poisson_irls

Rule = Literal["stepwise", "aic", "bic", "main"]
RULES: tuple[str, ...] = ("stepwise", "aic", "bic", "main")
EXHAUSTIVE_MAX_LISTS = 5


@dataclass(frozen=True)
class FittedModel:
    """One fitted model (numpy IRLS) with its criteria."""

    model: tuple[int, ...]
    fit: PoissonFit
    empty_pairs: tuple[int, ...]
    n_observed: int

    @property
    def n_params(self) -> int:
        """Fitted coefficients plus the ``-inf`` parameters of empty overlaps."""
        return self.fit.n_params + len(self.empty_pairs)

    @property
    def dark(self) -> float:
        """Estimated number of persons on no list, ``exp(intercept)``."""
        return float(np.exp(self.fit.beta[0]))

    @property
    def total(self) -> float:
        """Observed plus estimated unobserved."""
        return self.n_observed + self.dark

    @property
    def aic(self) -> float:
        """AIC with the SparseMSE adjustment for ``-inf`` parameters."""
        return -2.0 * self.fit.loglik + 2.0 * self.n_params

    @property
    def bic(self) -> float:
        """BIC with log(observed persons) per parameter."""
        return -2.0 * self.fit.loglik + math.log(self.n_observed) * self.n_params


def fit_model(sp: Space, y_full: np.ndarray, model: tuple[int, ...]) -> FittedModel:
    """Fit main effects plus the given pairs (empty overlaps handled as ``-inf``)."""
    d = build_design(sp, y_full, tuple(sorted(model)))
    return FittedModel(tuple(sorted(model)), poisson_irls(d.X, d.y), d.empty_pairs, int(y_full.sum()))


@dataclass
class Selection:
    """The outcome of a selection rule."""

    rule: str
    chosen: FittedModel
    path: list[FittedModel] = field(default_factory=list)
    examined: list[FittedModel] = field(default_factory=list)
    rejected: dict[tuple[int, ...], int] = field(default_factory=dict)  # model -> checkident code
    threshold: float | None = None
    search: str = ""


def pvalues(nstar: np.ndarray, pstar: np.ndarray) -> np.ndarray:
    """Two-sided Poisson p-values ``min(ppois(n, m), ppois(n - 1, m, lower = FALSE))``, vectorised."""
    m = np.maximum(pstar, 1e-300)
    lower = pdtr(nstar, m)
    upper = np.where(nstar > 0, pdtrc(np.maximum(nstar - 1, 0), m), 1.0)
    p = np.minimum(lower, upper)
    return np.where(pstar > 0, p, np.where(nstar == 0, 1.0, 0.0))


def stepwise(sp: Space, y_full: np.ndarray, *, threshold: float = 0.02) -> Selection:
    """SparseMSE ``stepwisefit(zdat, pthresh)``; see the module docstring."""
    current = fit_model(sp, y_full, ())
    sel = Selection("stepwise", current, [current], threshold=threshold, search="forward, Poisson p-values")
    if threshold <= 0:
        return sel
    nstar = sp.P.T @ y_full
    included: set[int] = set()
    for _ in range(len(sp.pairs)):
        d = build_design(sp, y_full, current.model)
        mu_full = np.zeros(sp.n_cells)
        mu_full[d.keep] = current.fit.mu
        pstar = sp.P.T @ mu_full
        pv = pvalues(nstar, pstar)
        pvals = sorted((float(pv[j]), j) for j in range(len(sp.pairs)) if j not in included)
        pick = None
        for p, j in pvals:  # first candidate (smallest p, then pair order) whose model passes checkident
            if p >= threshold:
                break
            model = tuple(sorted((*current.model, j)))
            code = check_ident(sp, y_full, model)
            if code == OK:
                pick = j
                break
            sel.rejected[model] = code
        if pick is None:
            break
        included.add(pick)
        current = fit_model(sp, y_full, tuple(sorted((*current.model, pick))))
        sel.path.append(current)
    sel.chosen = current
    return sel


def _criterion(fm: FittedModel, rule: str) -> float:
    return fm.aic if rule == "aic" else fm.bic


def _try(sp: Space, y_full: np.ndarray, model: tuple[int, ...], sel: Selection) -> FittedModel | None:
    fm = fit_model(sp, y_full, model)
    code = check_ident(sp, y_full, fm.model, fit=fm.fit)
    if code != OK:
        sel.rejected[fm.model] = code
        return None
    return fm


_EXHAUSTIVE_MEMO: dict[bytes, tuple[list[FittedModel], dict[tuple[int, ...], int]]] = {}


def _exhaustive(sp: Space, y_full: np.ndarray) -> tuple[list[FittedModel], dict[tuple[int, ...], int]]:
    """Fit every set of two-list terms once (memoised so AIC and BIC share the work)."""
    key = sp.m.to_bytes(1, "little") + np.ascontiguousarray(y_full, dtype=np.int64).tobytes()
    hit = _EXHAUSTIVE_MEMO.get(key)
    if hit is not None:
        return hit
    scratch = Selection("exhaustive", fit_model(sp, y_full, ()))
    examined = [scratch.chosen]
    npairs = len(sp.pairs)
    for k in range(1, npairs + 1):
        for model in itertools.combinations(range(npairs), k):
            fm = _try(sp, y_full, model, scratch)
            if fm is not None:
                examined.append(fm)
    if len(_EXHAUSTIVE_MEMO) > 8:
        _EXHAUSTIVE_MEMO.clear()
    _EXHAUSTIVE_MEMO[key] = (examined, scratch.rejected)
    return examined, scratch.rejected


def information_criterion(
    sp: Space, y_full: np.ndarray, *, rule: str = "aic", exhaustive_max_lists: int = EXHAUSTIVE_MAX_LISTS
) -> Selection:
    """Choose the model minimising AIC or BIC (exhaustive for few lists, else forward stepwise)."""
    main = fit_model(sp, y_full, ())
    sel = Selection(rule, main, [main], search="")
    npairs = len(sp.pairs)
    if sp.m <= exhaustive_max_lists:
        sel.search = f"exhaustive over all {2**npairs} sets of two-list terms"
        examined, rejected = _exhaustive(sp, y_full)
        sel.examined = list(examined)
        sel.rejected = dict(rejected)
        best = main
        for cand in examined:
            if _criterion(cand, rule) < _criterion(best, rule) - 1e-9:
                best = cand
        sel.chosen = best
        return sel
    sel.search = "forward stepwise on the criterion"
    current = main
    while True:
        best_step = None
        for j in range(npairs):
            if j in current.model:
                continue
            fm = _try(sp, y_full, tuple(sorted((*current.model, j))), sel)
            if fm is None:
                continue
            sel.examined.append(fm)
            if _criterion(fm, rule) < _criterion(best_step or current, rule) - 1e-9:
                best_step = fm
        if best_step is None:
            break
        current = best_step
        sel.path.append(current)
    sel.chosen = current
    return sel


def select_model(
    sp: Space,
    y_full: np.ndarray,
    *,
    rule: str = "stepwise",
    threshold: float = 0.02,
    exhaustive_max_lists: int = EXHAUSTIVE_MAX_LISTS,
) -> Selection:
    """Apply a selection rule: ``stepwise``, ``aic``, ``bic`` or ``main`` (main effects only)."""
    if rule == "stepwise":
        return stepwise(sp, y_full, threshold=threshold)
    if rule in ("aic", "bic"):
        return information_criterion(sp, y_full, rule=rule, exhaustive_max_lists=exhaustive_max_lists)
    if rule == "main":
        main = fit_model(sp, y_full, ())
        return Selection("main", main, [main], search="main effects only")
    raise ValueError(f"unknown rule {rule!r}; choose one of {', '.join(RULES)}")
