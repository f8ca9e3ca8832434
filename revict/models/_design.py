"""Design matrices with reference levels, and Harrell's concordance as R computes it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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
    block: int = 2_000_000,
) -> dict[str, float]:
    """Harrell's C of a risk score as R's ``concordance(..., reverse = TRUE)`` in ``coxph``.

    A pair is comparable when the shorter time is an event; pairs tied on an event
    time are excluded; a censoring at an event's time counts as surviving it; ties
    in the score count one half. Within strata when given. The work is a counting
    matrix of event-time slots by distinct score values.
    """
    s = np.zeros(len(time), np.int64) if strata is None else np.asarray(strata)
    tot = {"concordant": 0.0, "discordant": 0.0, "tied_risk": 0.0}
    for k in np.unique(s):
        rows = s == k
        _conc_stratum(time[rows], event[rows], risk[rows], tot, block)
    denom = tot["concordant"] + tot["discordant"] + tot["tied_risk"]
    c = (tot["concordant"] + tot["tied_risk"] / 2) / denom if denom > 0 else float("nan")
    return {"concordance": c, **tot}


def _conc_stratum(
    time: NDArray[np.float64], event: NDArray[np.bool_], risk: NDArray[np.float64], tot: dict[str, float], block: int
) -> None:
    tt = np.unique(time[event])
    if len(tt) == 0:
        return
    _, code = np.unique(np.round(risk, 10), return_inverse=True)
    kk = int(code.max()) + 1
    # row i is comparable for event slots [0, h_i]
    h = sorted_position(tt, time, "left") - 1
    cens_at = ~event & np.isin(time, tt)
    h = h + cens_at
    ev_slot = sorted_position(tt, time[event], "left")
    step = max(1, block // kk)
    for j0 in range(0, len(tt), step):
        j1 = min(len(tt), j0 + step)
        nj = j1 - j0
        # counts of rows with h >= j, for j in [j0, j1)
        hh = np.clip(h, j0 - 1, j1 - 1) - (j0 - 1)  # 0 means h < j0
        cnt = np.bincount(hh * kk + code, minlength=(nj + 1) * kk).reshape(nj + 1, kk)[1:]
        cnt = np.cumsum(cnt[::-1], axis=0)[::-1]
        sel = (ev_slot >= j0) & (ev_slot < j1)
        e = np.bincount((ev_slot[sel] - j0) * kk + code[event][sel], minlength=nj * kk).reshape(nj, kk)
        below = np.cumsum(cnt, axis=1) - cnt
        above = cnt.sum(axis=1, keepdims=True) - below - cnt
        tot["concordant"] += float((e * below).sum())
        tot["discordant"] += float((e * above).sum())
        tot["tied_risk"] += float((e * cnt).sum())
