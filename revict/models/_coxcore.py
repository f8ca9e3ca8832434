"""The Cox partial-likelihood engine shared by first-event Cox, Andersen–Gill and PWP.

One vectorised implementation of R's ``coxph`` machinery (``coxfit6``/``agfit4``,
``agscore3``, ``zph1``): risk sets over sorted event times, Efron (or Breslow)
ties, strata, ``(start, stop]`` entry, case weights, and the cluster-robust
sandwich variance of ``coxph(..., cluster = id)``.

How it stays vectorised: within each stratum the distinct event times form a grid
of *slots*. Row ``i`` is at risk in the contiguous slot range ``[lo_i, hi_i]``
(``start_i < t <= stop_i``), so every risk-set sum is a difference array plus a
cumulative sum, and every per-row sum over its risk sets is a difference of a
cumulative sum over slots. Efron's fractional tie steps are expanded once; their
per-slot sums (``sum 1/D``, ``sum f/D``, ``sum 1/D^2``, ...) turn the information
matrix into a few ``p x p`` matrix products. Nothing loops over rows in Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import sparse

from revict.models._util import sorted_position

Array = NDArray[np.float64]


@dataclass
class RiskSetIndex:
    """Row-to-slot bookkeeping for one data set (independent of the coefficients)."""

    x: Array  # (n, p), centred
    center: Array  # (p,)
    w: Array  # (n,)
    lo: NDArray[np.int64]  # first slot at risk
    hi: NDArray[np.int64]  # last slot at risk
    dead: NDArray[np.int64]  # rows with an event
    slot_of_dead: NDArray[np.int64]
    m: int  # number of slots
    slot_time: Array
    slot_stratum: NDArray[np.int64]
    n_dead: Array  # deaths per slot
    mean_wt: Array  # mean case weight of the deaths per slot
    step_slot: NDArray[np.int64] = field(default_factory=lambda: np.empty(0, np.int64))
    step_f: Array = field(default_factory=lambda: np.empty(0))
    diff_op: sparse.csr_matrix | None = None  # (m + 1, n): +1 at (lo_i, i), -1 at (hi_i + 1, i)
    x_dead: Array = field(default_factory=lambda: np.empty((0, 0)))  # x of the rows with an event
    dead_op: sparse.csr_matrix | None = None  # (m, n_dead): 1 at (slot of death, death)


def build_index(
    x: Array,
    stop: Array,
    event: NDArray[np.bool_],
    *,
    start: Array | None = None,
    strata: NDArray[np.int64] | None = None,
    weights: Array | None = None,
    ties: str = "efron",
) -> RiskSetIndex:
    """Sort out the risk sets once (see the module docstring)."""
    n = len(stop)
    x = np.asarray(x, dtype=float).reshape(n, -1)
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    center = (w @ x) / w.sum() if n else np.zeros(x.shape[1])
    xc = np.ascontiguousarray(x - center)
    s = np.zeros(n, np.int64) if strata is None else np.asarray(strata, np.int64)
    lo = np.empty(n, np.int64)
    hi = np.empty(n, np.int64)
    slot_of_row = np.full(n, -1, np.int64)
    times, strat_of_slot = [], []
    offset = 0
    single = bool(np.all(s == s[0])) if n else True
    for k in np.unique(s):
        rows = np.arange(n) if single else np.flatnonzero(s == k)
        ev_rows = rows[event[rows]]
        tt = np.unique(stop[ev_rows])
        lo[rows] = offset + (0 if start is None else sorted_position(tt, start[rows], "right"))
        hi[rows] = offset + sorted_position(tt, stop[rows], "right") - 1
        slot_of_row[ev_rows] = offset + sorted_position(tt, stop[ev_rows], "left")
        times.append(tt)
        strat_of_slot.append(np.full(len(tt), k, np.int64))
        offset += len(tt)
    m = offset
    dead = np.flatnonzero(event)
    slot_of_dead = slot_of_row[dead]
    n_dead = np.bincount(slot_of_dead, minlength=m).astype(float)
    wd = np.bincount(slot_of_dead, weights=w[dead], minlength=m)
    mean_wt = np.divide(wd, n_dead, out=np.zeros(m), where=n_dead > 0)
    # Efron: slot j with d deaths contributes steps f = 0, 1/d, ..., (d-1)/d
    counts = n_dead.astype(np.int64)
    step_slot = np.repeat(np.arange(m), counts)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    step_f = (np.arange(len(step_slot)) - first) / np.maximum(counts[step_slot], 1)
    if ties == "breslow":
        step_f = np.zeros_like(step_f)
    ok = lo <= hi
    rows_ok = np.flatnonzero(ok)
    diff_op = sparse.csr_matrix(
        (np.r_[np.ones(len(rows_ok)), -np.ones(len(rows_ok))], (np.r_[lo[ok], hi[ok] + 1], np.r_[rows_ok, rows_ok])),
        shape=(m + 1, n),
    )
    dead_op = sparse.csr_matrix((np.ones(len(dead)), (slot_of_dead, np.arange(len(dead)))), shape=(m, len(dead)))
    return RiskSetIndex(
        diff_op=diff_op,
        dead_op=dead_op,
        x_dead=np.ascontiguousarray(xc[dead]),
        x=xc,
        center=center,
        w=w,
        lo=lo,
        hi=hi,
        dead=dead,
        slot_of_dead=slot_of_dead,
        m=m,
        slot_time=np.concatenate(times) if times else np.empty(0),
        slot_stratum=np.concatenate(strat_of_slot) if strat_of_slot else np.empty(0, np.int64),
        n_dead=n_dead,
        mean_wt=mean_wt,
        step_slot=step_slot,
        step_f=step_f,
    )


def _slot_sums(ix: RiskSetIndex, v: Array) -> Array:
    """``sum over rows at risk in slot j of v`` for each slot; ``v`` is (n,) or (n, k)."""
    assert ix.diff_op is not None
    out = np.cumsum(ix.diff_op @ v.reshape(len(v), -1), axis=0)[: ix.m]
    return np.asarray(out if v.ndim == 2 else out[:, 0])


def _row_sums(ix: RiskSetIndex, q: Array) -> Array:
    """``sum over slots j in [lo_i, hi_i] of q_j`` for each row; ``q`` is (m,) or (m, k)."""
    hi = np.minimum(ix.hi + 1, ix.m)
    lo = np.minimum(ix.lo, ix.m)
    if q.ndim == 1:
        cq1 = np.concatenate([[0.0], np.cumsum(q)])
        out1 = cq1[hi] - cq1[lo]
        return np.asarray(np.where(ix.lo <= ix.hi, out1, 0.0))
    cq = np.vstack([np.zeros((1, q.shape[1])), np.cumsum(q, axis=0)])
    out = cq[hi] - cq[lo]
    out[ix.lo > ix.hi] = 0.0
    return np.asarray(out)


@dataclass
class SlotTerms:
    """Per-slot sums at one coefficient vector."""

    eta: Array
    score: Array  # exp(eta)
    r: Array  # w * exp(eta)
    s1: Array  # (m, p)
    e1: Array  # (m, p)
    a: Array
    b: Array
    c0: Array
    c1: Array
    c2: Array
    logd: Array
    d_ok: bool


def slot_terms(ix: RiskSetIndex, beta: Array) -> SlotTerms:
    """Risk-set sums and Efron step sums at ``beta``."""
    eta = ix.x @ beta
    score = np.exp(eta)
    r = ix.w * score
    s0 = _slot_sums(ix, r)
    s1 = _slot_sums(ix, r[:, None] * ix.x)
    rd = r[ix.dead]
    assert ix.dead_op is not None
    e0 = np.bincount(ix.slot_of_dead, rd, minlength=ix.m)
    e1 = np.asarray(ix.dead_op @ (rd[:, None] * ix.x_dead))
    j, f = ix.step_slot, ix.step_f
    dk = s0[j] - f * e0[j]
    d_ok = bool(np.all(dk > 0))
    dk = np.where(dk > 0, dk, np.finfo(float).tiny)

    def per_slot(v: Array) -> Array:
        return np.asarray(np.bincount(j, v, minlength=ix.m), dtype=float)

    return SlotTerms(
        eta=eta,
        score=score,
        r=r,
        s1=s1,
        e1=e1,
        a=per_slot(1 / dk),
        b=per_slot(f / dk),
        c0=per_slot(1 / dk**2),
        c1=per_slot(f / dk**2),
        c2=per_slot(f**2 / dk**2),
        logd=per_slot(np.log(dk)),
        d_ok=d_ok,
    )


def loglik(ix: RiskSetIndex, t: SlotTerms) -> float:
    """Partial log-likelihood (Efron or Breslow, as indexed)."""
    return float(ix.w[ix.dead] @ t.eta[ix.dead] - ix.mean_wt @ t.logd)


def score_vector(ix: RiskSetIndex, t: SlotTerms, c: Array | None = None) -> Array:
    """Score ``sum_j c_j [sum_deaths w x - mw sum_k xbar_k]`` (``c`` = time weights, default 1)."""
    cw = ix.mean_wt if c is None else ix.mean_wt * c
    cd = ix.w[ix.dead] if c is None else ix.w[ix.dead] * c[ix.slot_of_dead]
    return np.asarray(cd @ ix.x_dead - cw @ (t.a[:, None] * t.s1 - t.b[:, None] * t.e1))


def information(ix: RiskSetIndex, t: SlotTerms, c: Array | None = None) -> Array:
    """Observed information ``sum_j c_j I_j`` (``c`` = time weights, default 1)."""
    cw = ix.mean_wt if c is None else ix.mean_wt * c
    q = _row_sums(ix, cw * t.a)
    xr = ix.x * (t.r * q)[:, None]
    first = xr.T @ ix.x
    xd = ix.x_dead
    vd = t.r[ix.dead] * (cw * t.b)[ix.slot_of_dead]
    second = (xd * vd[:, None]).T @ xd
    s1, e1 = t.s1, t.e1
    cross = s1.T @ (e1 * (cw * t.c1)[:, None])
    third = s1.T @ (s1 * (cw * t.c0)[:, None]) - cross - cross.T + e1.T @ (e1 * (cw * t.c2)[:, None])
    out: Array = first - second - third
    return (out + out.T) / 2


def score_residuals(ix: RiskSetIndex, t: SlotTerms) -> Array:
    """Score residuals per row, as R's ``residuals(fit, "score")`` (``agscore3``), unweighted."""
    mw = ix.mean_wt
    haz = mw * t.a  # sum_k hazard_k
    xhaz = mw[:, None] * (t.c0[:, None] * t.s1 - t.c1[:, None] * t.e1)  # sum_k hazard_k xbar_k
    mh1 = mw * t.b
    mh2 = mw[:, None] * (t.c1[:, None] * t.s1 - t.c2[:, None] * t.e1)
    nd = np.maximum(ix.n_dead, 1)
    mh3 = (t.a[:, None] * t.s1 - t.b[:, None] * t.e1) / nd[:, None]
    cum_h = _row_sums(ix, haz)
    cum_xh = _row_sums(ix, xhaz)
    resid = t.score[:, None] * (cum_xh - ix.x * cum_h[:, None])
    d, j = ix.dead, ix.slot_of_dead
    resid[d] += (ix.x[d] - mh3[j]) + t.score[d][:, None] * (ix.x[d] * mh1[j][:, None] - mh2[j])
    return resid


@dataclass
class CoreFit:
    """Result of :func:`fit_core`."""

    beta: Array
    var: Array
    info: Array
    loglik_null: float
    loglik: float
    n_iter: int
    converged: bool
    d_ok: bool
    terms: SlotTerms


def fit_core(ix: RiskSetIndex, *, max_iter: int = 30, eps: float = 1e-11) -> CoreFit:
    """Newton–Raphson with step halving (as R's ``coxph.control``), from beta = 0."""
    p = ix.x.shape[1]
    beta = np.zeros(p)
    t = slot_terms(ix, beta)
    ll0 = ll = loglik(ix, t)
    converged = False
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007
        u = score_vector(ix, t)
        imat = information(ix, t)
        try:
            step = np.linalg.solve(imat, u)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(imat, u, rcond=None)[0]
        new_beta = beta + step
        new_t = slot_terms(ix, new_beta)
        new_ll = loglik(ix, new_t)
        halvings = 0
        while (not np.isfinite(new_ll) or new_ll < ll - 1e-12 * abs(ll)) and halvings < 30:
            step /= 2
            new_beta = beta + step
            new_t = slot_terms(ix, new_beta)
            new_ll = loglik(ix, new_t)
            halvings += 1
        done = abs(new_ll - ll) <= eps * max(abs(ll), 1.0) and np.max(np.abs(step), initial=0.0) < 1e-8
        beta, t, ll = new_beta, new_t, new_ll
        if done:
            converged = True
            break
    imat = information(ix, t)
    try:
        var: Array = np.asarray(np.linalg.inv(imat), dtype=float)
    except np.linalg.LinAlgError:
        var = np.asarray(np.linalg.pinv(imat), dtype=float)
    return CoreFit(
        beta=beta, var=var, info=imat, loglik_null=ll0, loglik=ll, n_iter=it, converged=converged, d_ok=t.d_ok, terms=t
    )


def robust_variance(ix: RiskSetIndex, fit: CoreFit, cluster: NDArray[np.int64]) -> Array:
    """Sandwich variance with score residuals summed per cluster (R's ``coxph(..., cluster = id)``)."""
    dfbeta = score_residuals(ix, fit.terms) @ fit.var * ix.w[:, None]
    codes = pd.factorize(pd.Series(cluster))[0]
    k = int(codes.max()) + 1 if len(codes) else 0
    agg: Array = np.column_stack([np.bincount(codes, dfbeta[:, c], minlength=k) for c in range(dfbeta.shape[1])])
    out: Array = agg.T @ agg
    return out
