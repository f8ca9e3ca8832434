"""Poisson log-linear models over capture histories, with the checks of Chan, Silverman & Vincent.

A model is main effects plus a set of two-list interactions, given as indices into
``Space.pairs`` (pairs ``(i, j)``, ``i < j``, in the order of R's ``for i, for j > i``).
As in SparseMSE (``buildmodel``, ``modelfit``), an interaction between two lists that
share nobody (an *empty overlap*, ``N*_ij = 0``) has extended maximum-likelihood
estimate ``-inf``: it is not fitted as a column, every cell holding both lists is
removed instead, and the parameter still counts in AIC/BIC.

Existence and identifiability (SparseMSE ``checkident``): the extended MLE exists
iff a strictly positive table has the same sufficient statistics as the data (the
linear programme of Fienberg & Rinaldo 2012); the parameters are identifiable iff
the design over the kept cells has full column rank. Return code 0 ok, 1 the
estimate does not exist, 2 not identifiable, 3 both -- the codes of ``checkident``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.optimize import linprog
from scipy.special import gammaln

from revict.hidden.table import all_histories

#: ``checkident`` return codes.
OK, NOT_EXIST, NOT_IDENTIFIABLE = 0, 1, 2

_MU_EXISTS = 1e-8  # a converged fit with every fitted cell above this shows existence (no LP needed)
_TOL_EXISTS = 1e-13  # IRLS tolerance for that check: a non-existent MLE leaves cells far below _MU_EXISTS


class Space:
    """The cells and two-list terms of an ``m``-list problem (shared by every model)."""

    def __init__(self, m: int) -> None:
        self.m = m
        self.H = all_histories(m).astype(float)
        self.pairs: list[tuple[int, int]] = list(itertools.combinations(range(m), 2))
        self.P = np.column_stack([self.H[:, i] * self.H[:, j] for i, j in self.pairs])
        self.n_cells = self.H.shape[0]

    def pair_names(self, lists: tuple[str, ...], model: tuple[int, ...]) -> list[str]:
        """``["A:B", ...]`` for a model's pairs."""
        return [f"{lists[self.pairs[p][0]]}:{lists[self.pairs[p][1]]}" for p in model]


@lru_cache(maxsize=16)
def space(m: int) -> Space:
    """Return the cached :class:`Space` for ``m`` lists."""
    return Space(m)


@dataclass(frozen=True)
class Design:
    """Design of one model on one table: kept cells, columns, empty-overlap pairs."""

    X: np.ndarray  # kept cells x (1 + m + fitted pairs)
    y: np.ndarray  # counts of kept cells
    keep: np.ndarray  # bool over all cells
    fitted_pairs: tuple[int, ...]
    empty_pairs: tuple[int, ...]


def build_design(sp: Space, y_full: np.ndarray, model: tuple[int, ...]) -> Design:
    """SparseMSE ``buildmodel``/``buildmodelmatrix``: drop cells of empty-overlap pairs in the model."""
    nstar = sp.P.T @ y_full
    empty = tuple(p for p in model if nstar[p] == 0)
    fitted = tuple(p for p in model if nstar[p] > 0)
    keep = np.ones(sp.n_cells, dtype=bool)
    for p in empty:
        keep &= sp.P[:, p] == 0
    X = np.column_stack([np.ones(sp.n_cells), sp.H, sp.P[:, list(fitted)]])[keep]
    return Design(X, y_full[keep].astype(float), keep, fitted, empty)


@dataclass(frozen=True)
class PoissonFit:
    """A Poisson GLM fit (log link) by iteratively reweighted least squares."""

    beta: np.ndarray
    mu: np.ndarray
    cov: np.ndarray
    loglik: float
    deviance: float
    converged: bool
    iterations: int

    @property
    def n_params(self) -> int:
        """Number of fitted coefficients."""
        return int(self.beta.shape[0])


def _deviance(y: np.ndarray, mu: np.ndarray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(y > 0, y * np.log(y / mu), 0.0)
    return float(2.0 * np.sum(term - (y - mu)))


def poisson_irls(
    X: np.ndarray,
    y: np.ndarray,
    offset: np.ndarray | None = None,
    *,
    tol: float = 1e-11,
    max_iter: int = 200,
    start: np.ndarray | None = None,
) -> PoissonFit:
    """Fit ``log E[y] = offset + X beta`` by IRLS (the algorithm of R ``glm``, tighter tolerance).

    Parameters
    ----------
    X : ndarray, shape (n, p)
        Full-rank design.
    y : ndarray, shape (n,)
        Counts.
    offset : ndarray, shape (n,), optional
        Known part of the linear predictor.
    tol : float
        Convergence when the relative change of the deviance is below ``tol``.
    max_iter : int
        Iteration limit.
    start : ndarray, optional
        Starting coefficients.
    """
    off = np.zeros_like(y) if offset is None else offset
    if start is None:
        mu = y + 0.1
        eta = np.log(mu)
    else:
        eta = off + X @ start
        mu = np.exp(eta)
    dev_old = np.inf
    beta = np.zeros(X.shape[1])
    converged = False
    it = 0
    with np.errstate(all="ignore"):  # a drifting (non-existent) MLE is detected below, not warned about
        for it in range(1, max_iter + 1):  # noqa: B007
            z = eta - off + (y - mu) / mu
            Xw = X * mu[:, None]
            xtwx = X.T @ Xw
            try:
                new = np.linalg.solve(xtwx, Xw.T @ z)
            except np.linalg.LinAlgError:
                new = np.linalg.lstsq(xtwx, Xw.T @ z, rcond=None)[0]
            if not np.all(np.isfinite(new)):
                break
            beta = new
            eta = np.clip(off + X @ beta, -40.0, 700.0)  # keeps IRLS finite when an MLE drifts to the boundary
            mu = np.exp(eta)
            dev = _deviance(y, mu)
            if abs(dev - dev_old) / (abs(dev) + 0.1) < tol:
                converged = True
                break
            dev_old = dev
        xtwx = X.T @ (X * mu[:, None])
        try:
            cov = np.linalg.inv(xtwx)
        except np.linalg.LinAlgError:
            cov = np.full_like(xtwx, np.nan)
    loglik = float(np.sum(y * np.log(np.maximum(mu, 1e-300)) - mu - gammaln(y + 1)))
    return PoissonFit(beta, mu, cov, loglik, _deviance(y, mu), converged, it)


# ------------------------------------------------------------------ existence, identifiability


def _lp_exists(X: np.ndarray, y: np.ndarray) -> bool:
    """Fienberg-Rinaldo LP as in ``checkident``: max s s.t. X'x = X'y, x_j >= s, x >= 0; exists iff s > 0."""
    n, p = X.shape
    c = np.zeros(n + 1)
    c[-1] = -1.0
    a_eq = np.hstack([X.T, np.zeros((p, 1))])
    b_eq = X.T @ y
    a_ub = np.hstack([-np.eye(n), np.ones((n, 1))])
    b_ub = np.zeros(n)
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=[(0, None)] * (n + 1), method="highs")
    if res.status != 0:  # infeasible cannot happen (x = y is feasible); treat solver trouble as "does not exist"
        return False
    return bool(-res.fun > 1e-7)


_IDENT_CACHE: dict[tuple[int, tuple[int, ...], bytes], int] = {}


def check_ident(sp: Space, y_full: np.ndarray, model: tuple[int, ...], *, fit: PoissonFit | None = None) -> int:
    """``checkident``: 0 ok, 1 the (extended) MLE does not exist, 2 not identifiable, 3 both.

    Existence depends only on which cells are positive, so results are cached on the
    support. A converged fit whose fitted values are all clearly positive is a finite
    maximum of a strictly concave likelihood, which proves existence without the LP.
    """
    support = (y_full > 0).tobytes()
    key = (sp.m, tuple(model), support)
    hit = _IDENT_CACHE.get(key)
    if hit is not None:
        return hit
    d = build_design(sp, y_full, model)
    rankdef = d.X.shape[1] - int(np.linalg.matrix_rank(d.X))
    if rankdef > 0:
        exists = _lp_exists(d.X, d.y)
    elif np.all(d.y > 0):
        exists = True
    else:
        f = poisson_irls(d.X, d.y, max_iter=60, tol=_TOL_EXISTS, start=None if fit is None else fit.beta)
        exists = True if (f.converged and float(f.mu.min()) > _MU_EXISTS) else _lp_exists(d.X, d.y)
    code = (0 if exists else NOT_EXIST) + (NOT_IDENTIFIABLE if rankdef > 0 else 0)
    if len(_IDENT_CACHE) > 200_000:
        _IDENT_CACHE.clear()
    _IDENT_CACHE[key] = code
    return code


def count_triples(histories: np.ndarray, counts: np.ndarray) -> int:
    """SparseMSE ``count_triples``: triples of lists every pair of which overlaps.

    Zero means the model with every two-list term is not identifiable.
    """
    h = histories[counts > 0].astype(np.int64)
    adj = (h.T @ h > 0).astype(np.int64)
    np.fill_diagonal(adj, 0)
    return int(np.sum(adj * (adj @ adj)) // 6)


def _subset_search(n: int, check: object) -> list[tuple[int, ...]]:
    """``subsetsearch`` (testnull = FALSE): every non-empty subset where ``check`` holds, pruning supersets."""
    true_sets: list[tuple[int, ...]] = []
    candidates: list[tuple[int, ...]] = [(j,) for j in range(n)]
    k = 0
    while k < len(candidates):
        zs = candidates[k]
        k += 1
        if check(zs):  # type: ignore[operator]
            true_sets.append(zs)
            candidates.extend((*zs, j) for j in range(zs[-1] + 1, n))
    return true_sets


def check_all_models(sp: Space, y_full: np.ndarray, *, max_top_models: int = 4096) -> list[tuple[int, ...]]:
    """SparseMSE ``checkallmodels``: every model (set of pairs) whose extended MLE does not exist.

    Searches the ``2**k`` top-level models (all overlapping pairs plus a subset of the
    ``k`` non-overlapping ones); below a top-level model that fails, drops overlapping
    pairs with a pruned subset search (dropping an overlapping pair never destroys
    existence). Raises ``ValueError`` when ``2**k`` exceeds ``max_top_models``.
    """
    nstar = sp.P.T @ y_full
    empty = [p for p in range(len(sp.pairs)) if nstar[p] == 0]
    overlap = [p for p in range(len(sp.pairs)) if nstar[p] > 0]
    if 2 ** len(empty) > max_top_models:
        raise ValueError(f"{2 ** len(empty)} top-level models to check; limit {max_top_models}")
    failing: list[tuple[int, ...]] = []
    for bits in range(2 ** len(empty)):
        chosen = tuple(p for b, p in enumerate(empty) if bits >> b & 1)

        def fails(drop: tuple[int, ...], chosen: tuple[int, ...] = chosen) -> bool:
            dropped = {overlap[i] for i in drop}
            model = tuple(sorted((*chosen, *(p for p in overlap if p not in dropped))))
            d = build_design(sp, y_full, model)
            return not _lp_exists(d.X, d.y)

        if fails(()):
            top = tuple(sorted((*chosen, *overlap)))
            failing.append(top)
            for drop in _subset_search(len(overlap), fails):
                dropped = {overlap[i] for i in drop}
                failing.append(tuple(p for p in top if p not in dropped))
    return failing
