"""Design matrices with reference levels, and Harrell's concordance as R computes it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from revict._core.errors import SpecError
from revict.models._util import sorted_position


@dataclass(frozen=True)
class Design:
    """A model matrix and how its columns map to covariates.

    Attributes
    ----------
    x : ndarray of float, shape (n, p)
    terms : list of str
        Column names, ``covariate=level`` for dummies, ``covariate`` for numbers.
    groups : dict of str to list of int
        Columns of each covariate (one test per covariate in ``cox.zph``).
    levels : dict of str to tuple of str
        Levels of each categorical covariate, reference first.
    """

    x: NDArray[np.float64]
    terms: list[str]
    groups: dict[str, list[int]]
    levels: dict[str, tuple[str, ...]]


def _is_numeric(s: pd.Series) -> bool:
    return bool(pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s))


def design_matrix(
    data: pd.DataFrame,
    covariates: Sequence[str],
    *,
    reference_levels: Mapping[str, str] | None = None,
    levels: Mapping[str, Sequence[str]] | None = None,
) -> Design:
    """Treatment-coded model matrix (R's ``model.matrix`` with ``contr.treatment``).

    Numeric and boolean columns enter as they are; string columns become one dummy
    per non-reference level present in the data. The reference is
    ``reference_levels[cov]`` if given, else the first of ``levels[cov]`` (or of the
    sorted observed levels) that occurs.
    """
    reference_levels = dict(reference_levels or {})
    levels = dict(levels or {})
    cols: list[NDArray[np.float64]] = []
    terms: list[str] = []
    groups: dict[str, list[int]] = {}
    lv_out: dict[str, tuple[str, ...]] = {}
    for cov in covariates:
        if cov not in data.columns:
            raise SpecError(
                f"covariate {cov!r} is not a column of the data",
                hint=f"Available columns: {', '.join(map(str, data.columns))}",
            )
        s = data[cov]
        if _is_numeric(s):
            groups[cov] = [len(terms)]
            terms.append(cov)
            cols.append(s.to_numpy(dtype=float))
            continue
        vals = s.astype(str).to_numpy()
        present = set(vals.tolist())
        if not present:  # no rows: no columns
            groups[cov] = []
            continue
        order = [lv for lv in levels.get(cov, sorted(present)) if lv in present]
        order += sorted(present - set(order))
        ref = reference_levels.get(cov)
        if ref is None or ref not in present:
            ref = order[0]
        order = [ref] + [lv for lv in order if lv != ref]
        lv_out[cov] = tuple(order)
        groups[cov] = []
        for lv in order[1:]:
            groups[cov].append(len(terms))
            terms.append(f"{cov}={lv}")
            cols.append((vals == lv).astype(float))
    x = np.column_stack(cols) if cols else np.empty((len(data), 0))
    return Design(x=x, terms=terms, groups=groups, levels=lv_out)


def concordance(
    time: NDArray[np.float64],
    event: NDArray[np.bool_],
    risk: NDArray[np.float64],
    strata: NDArray[np.int64] | None = None,
    *,
    weights: NDArray[np.float64] | None = None,
    cluster: NDArray[Any] | None = None,
    std_err: bool = True,
    block: int = 2_000_000,
) -> dict[str, float]:
    """Harrell's C of a risk score and its standard error, as R's ``coxph`` reports them.

    R equivalent: ``fit$concordance[c("concordance", "std")]`` of ``coxph``, that is
    ``concordance(Surv(time, status) ~ risk, strata = s, weights = w, cluster = id,
    reverse = TRUE)`` (``timewt = "n"``). A pair is comparable when the shorter time is an
    event; pairs tied on an event time are excluded; a censoring at an event's time counts
    as surviving it; ties in the score count one half. Pairs are formed within strata only.
    A pair (event ``i``, at risk ``j``) counts with weight ``w_i w_j``.

    Parameters
    ----------
    time : ndarray of float, shape (n,)
    event : ndarray of bool, shape (n,)
    risk : ndarray of float, shape (n,)
        Higher values predict shorter survival (a Cox linear predictor).
    strata : ndarray of int, shape (n,), optional
    weights : ndarray of float, shape (n,), optional
        Case weights (R's ``weights =``); non-negative and finite.
    cluster : ndarray, shape (n,), optional
        Cluster identifiers; the influence terms are summed per cluster before squaring,
        as ``coxph(..., cluster = id)`` does.
    std_err : bool
        Compute the standard error (about twice the work of C alone).
    block : int
        Cells of the time-slot by score-value counting matrix held at once.

    Returns
    -------
    dict
        ``concordance``; ``concordance_se`` (NaN when ``std_err`` is false or no pair is
        comparable); the weighted pair counts ``concordant``, ``discordant`` and
        ``tied_risk``.

    Notes
    -----
    The standard error is R's infinitesimal jackknife (``survival:::concordancefit``):
    with ``C_i``, ``D_i``, ``T_i`` the weights of the concordant, discordant and
    score-tied comparable partners of observation ``i`` (as the event or as the one at
    risk), ``N`` the weighted number of comparable pairs and ``d = (C - D) / N`` Somers'
    d, ``var(C) = sum_i (w_i ((C_i - D_i) - d (C_i + D_i + T_i)) / N)^2 / 4``. Case
    weights therefore enter squared: integer weights give the C of replicated rows but a
    larger SE, equal to the replicated rows' SE clustered on the original row.

    The work is a counting matrix of event-time slots by distinct score values (scores
    equal to 10 decimals are ties), so it is O(n log n + slots x values), in blocks.

    Examples
    --------
    >>> import numpy as np
    >>> out = concordance(np.array([1.0, 2, 3, 4]), np.array([True, True, False, True]),
    ...                   np.array([3.0, 1, 2, 0]))
    >>> round(out["concordance"], 4), round(out["concordance_se"], 4)
    (0.8, 0.204)
    """
    n = len(time)
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (n,) or not np.all(np.isfinite(w)) or np.any(w < 0):
        raise SpecError(
            "concordance weights must be one finite, non-negative number per row",
            hint="Check the weights column for missing or negative values.",
        )
    s = np.zeros(n, np.int64) if strata is None else np.asarray(strata)
    counts = np.zeros(3)  # concordant, discordant, tied on the score
    infl = np.zeros((n, 3))
    for k in np.unique(s):
        rows = np.flatnonzero(s == k)
        counts += _conc_stratum(time[rows], event[rows], risk[rows], w[rows], rows, infl, block, std_err)
    npair = float(counts.sum())
    out = {"concordance": float("nan"), "concordance_se": float("nan")}
    if npair > 0:
        out["concordance"] = float((counts[0] + counts[2] / 2) / npair)
    if std_err and npair > 0:
        somers = (counts[0] - counts[1]) / npair
        dfbeta = w * ((infl[:, 0] - infl[:, 1]) - somers * infl.sum(axis=1)) / npair
        if cluster is not None:
            dfbeta = np.bincount(pd.factorize(np.asarray(cluster))[0], dfbeta)
        out["concordance_se"] = float(np.sqrt(np.sum(dfbeta**2) / 4))
    return {**out, "concordant": float(counts[0]), "discordant": float(counts[1]), "tied_risk": float(counts[2])}


def _conc_stratum(
    time: NDArray[np.float64],
    event: NDArray[np.bool_],
    risk: NDArray[np.float64],
    w: NDArray[np.float64],
    rows: NDArray[np.int64],
    infl: NDArray[np.float64],
    block: int,
    std_err: bool,
) -> NDArray[np.float64]:
    """Weighted pair counts of one stratum; adds each row's partner weights into ``infl[rows]``.

    ``infl`` columns: weight of concordant, discordant and score-tied partners.
    """
    counts = np.zeros(3)
    tt = np.unique(time[event])
    if len(tt) == 0:
        return counts
    _, code = np.unique(np.round(risk, 10), return_inverse=True)
    code = code.reshape(-1)
    kk = int(code.max()) + 1
    # row i is at risk for the event slots [0, h_i]; an event is at its slot
    h = sorted_position(tt, time, "left") - 1 + (~event & np.isin(time, tt))
    ev = np.flatnonzero(event)
    ev_slot = sorted_position(tt, time[ev], "left")
    order = _order_of_slots(ev_slot, len(tt))
    ev, ev_slot = ev[order], ev_slot[order]
    by_h = _order_of_slots(h, len(tt))
    h_sorted = h[by_h]
    step = max(1, block // kk)
    starts = list(range(0, len(tt), step))
    # risk sets, latest slots first: partners of each event
    carry = np.zeros(kk)
    for j0 in reversed(starts):
        j1 = min(len(tt), j0 + step)
        r = by_h[np.searchsorted(h_sorted, j0) : np.searchsorted(h_sorted, j1)]
        grid = _weight_grid(h[r] - j0, code[r], w[r], j1 - j0, kk)
        cnt = np.cumsum(grid[::-1], axis=0)[::-1] + carry
        carry += np.bincount(code[r], w[r], minlength=kk)
        lo, hi = np.searchsorted(ev_slot, j0), np.searchsorted(ev_slot, j1)
        e = ev[lo:hi]
        part = _partners(cnt, ev_slot[lo:hi] - j0, code[e])
        counts += w[e] @ part  # event's partners at risk with lower, higher, equal score
        if std_err:
            infl[rows[e]] += part
    if not std_err:
        return counts
    # events up to each slot: partners of each row while at risk
    carry = np.zeros(kk)
    for j0 in starts:
        j1 = min(len(tt), j0 + step)
        lo, hi = np.searchsorted(ev_slot, j0), np.searchsorted(ev_slot, j1)
        e = ev[lo:hi]
        cnt = np.cumsum(_weight_grid(ev_slot[lo:hi] - j0, code[e], w[e], j1 - j0, kk), axis=0) + carry
        carry += np.bincount(code[e], w[e], minlength=kk)
        r = by_h[np.searchsorted(h_sorted, j0) : np.searchsorted(h_sorted, j1)]
        part = _partners(cnt, h[r] - j0, code[r])
        infl[rows[r]] += part[:, [1, 0, 2]]  # an event with a higher score is a concordant partner
    return counts


def _weight_grid(
    slot: NDArray[np.int64], code: NDArray[np.int64], w: NDArray[np.float64], n_slots: int, n_codes: int
) -> NDArray[np.float64]:
    """Weights summed into an ``n_slots`` x ``n_codes`` matrix by (slot, code)."""
    flat = np.bincount(slot * n_codes + code, w, minlength=n_slots * n_codes)
    return np.asarray(flat, dtype=np.float64).reshape(n_slots, n_codes)


def _partners(cnt: NDArray[np.float64], slot: NDArray[np.int64], code: NDArray[np.int64]) -> NDArray[np.float64]:
    """Weight in row ``slot`` of ``cnt`` below, above and at column ``code``: shape (len(slot), 3)."""
    cum = np.cumsum(cnt, axis=1)
    tie = cnt[slot, code]
    upto = cum[slot, code]
    return np.column_stack([upto - tie, cum[slot, -1] - upto, tie])


def _order_of_slots(slot: NDArray[np.int64], n_slots: int) -> NDArray[np.int64]:
    """Stable argsort of slot numbers in [-1, n_slots); a radix sort when they fit in int16."""
    key = slot.astype(np.int16) if n_slots < np.iinfo(np.int16).max else slot
    return np.asarray(np.argsort(key, kind="stable"), dtype=np.int64)
