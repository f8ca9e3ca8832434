"""Harrell's C and its infinitesimal-jackknife SE: weights, strata, clusters, against a pairwise sum.

R values for the coxph fits are in tests/reference (kind "concordance"); these tests pin the
properties R has: case weights of one change nothing, integer weights give the C of replicated
rows, and the SE of case weights is that of the replicated rows clustered on the original row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.typing import NDArray

from revict._core.errors import SpecError
from revict.models import CoxPH, cox_ph
from revict.models._design import concordance


def _data(seed: int, n: int = 120) -> pd.DataFrame:
    """Day-valued times with many ties, a score with ties, integer weights, three strata."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "time": rng.integers(1, 20, n).astype(float),
            "status": rng.integers(0, 2, n),
            "x": rng.integers(0, 7, n) * 0.5,
            "w": rng.integers(1, 4, n).astype(float),
            "s": rng.integers(0, 3, n),
        }
    )


def _pairwise(
    time: NDArray[np.float64], event: NDArray[np.bool_], x: NDArray[np.float64], w: NDArray[np.float64]
) -> tuple[float, float]:
    """C and SE from R's definition written pair by pair (O(n^2); the test's own reference)."""
    n = len(time)
    infl = np.zeros((n, 3))  # weight of concordant, discordant, score-tied partners
    for i in np.flatnonzero(event):
        at_risk = (time > time[i]) | ((time == time[i]) & ~event)
        for j in np.flatnonzero(at_risk):
            k = 0 if x[i] > x[j] else 1 if x[i] < x[j] else 2
            infl[i, k] += w[j]
            infl[j, k] += w[i]
    counts = (w[:, None] * infl).sum(axis=0) / 2  # each pair is seen from both members
    npair = counts.sum()
    somers = (counts[0] - counts[1]) / npair
    dfbeta = w * ((infl[:, 0] - infl[:, 1]) - somers * infl.sum(axis=1)) / npair
    return float((counts[0] + counts[2] / 2) / npair), float(np.sqrt(np.sum(dfbeta**2) / 4))


def _arrays(df: pd.DataFrame) -> tuple[NDArray[np.float64], NDArray[np.bool_], NDArray[np.float64]]:
    return df["time"].to_numpy(float), df["status"].to_numpy() == 1, df["x"].to_numpy(float)


def test_r_example_by_hand() -> None:
    """Four rows: R's concordance(Surv(t, s) ~ x, reverse = TRUE) gives C 0.8, se 0.2039608."""
    out = concordance(np.array([1.0, 2, 3, 4]), np.array([True, True, False, True]), np.array([3.0, 1, 2, 0]))
    assert out["concordance"] == pytest.approx(0.8, abs=1e-12)
    assert out["concordance_se"] == pytest.approx(0.2039608, abs=1e-7)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_equals_pairwise_definition(seed: int) -> None:
    """C and SE equal the pair-by-pair sums, with tied times, tied scores and weights, in small blocks too."""
    df = _data(seed)
    t, e, x = _arrays(df)
    w = df["w"].to_numpy(float) * 0.7
    c_ref, se_ref = _pairwise(t, e, x, w)
    for block in (2_000_000, 5):
        out = concordance(t, e, x, weights=w, block=block)
        assert out["concordance"] == pytest.approx(c_ref, rel=1e-12)
        assert out["concordance_se"] == pytest.approx(se_ref, rel=1e-10)


def test_unit_weights_change_nothing() -> None:
    """Weights of one give exactly the unweighted C, SE and counts."""
    t, e, x = _arrays(_data(4))
    a = concordance(t, e, x)
    b = concordance(t, e, x, weights=np.ones(len(t)))
    assert a == pytest.approx(b, rel=1e-14)


def test_integer_weights_equal_replicated_rows() -> None:
    """Integer weights give the C of replicated rows; the SE is the replicated SE clustered by row (R does the same).

    Unclustered, the replicated rows' SE is smaller: R treats weights as case weights,
    not frequencies (checked in R 4 / survival 3.5-3 on this kind of data).
    """
    df = _data(5)
    t, e, x = _arrays(df)
    w = df["w"].to_numpy(float)
    rep = np.repeat(np.arange(len(df)), w.astype(int))
    weighted = concordance(t, e, x, weights=w)
    replicated = concordance(t[rep], e[rep], x[rep])
    clustered = concordance(t[rep], e[rep], x[rep], cluster=rep)
    for key in ("concordance", "concordant", "discordant", "tied_risk"):
        assert weighted[key] == pytest.approx(replicated[key], rel=1e-12)
    assert weighted["concordance_se"] == pytest.approx(clustered["concordance_se"], rel=1e-12)
    assert replicated["concordance_se"] < 0.9 * weighted["concordance_se"]


def test_strata_only_compare_within() -> None:
    """Stratified counts are the sums of per-stratum counts, and C is formed from the sums."""
    df = _data(6)
    t, e, x = _arrays(df)
    s = df["s"].to_numpy()
    w = df["w"].to_numpy(float)
    whole = concordance(t, e, x, s, weights=w)
    parts = [concordance(t[s == k], e[s == k], x[s == k], weights=w[s == k]) for k in range(3)]
    for key in ("concordant", "discordant", "tied_risk"):
        assert whole[key] == pytest.approx(sum(p[key] for p in parts), rel=1e-12)
    conc, disc, tied = (whole[k] for k in ("concordant", "discordant", "tied_risk"))
    assert whole["concordance"] == pytest.approx((conc + tied / 2) / (conc + disc + tied), rel=1e-12)
    assert whole["concordance"] != pytest.approx(concordance(t, e, x, weights=w)["concordance"], rel=1e-6)


def test_reversed_score_mirrors_c_and_keeps_se() -> None:
    """Negating the score gives 1 - C and the same SE."""
    df = _data(7)
    t, e, x = _arrays(df)
    a = concordance(t, e, x, weights=df["w"].to_numpy(float))
    b = concordance(t, e, -x, weights=df["w"].to_numpy(float))
    assert b["concordance"] == pytest.approx(1 - a["concordance"], abs=1e-12)
    assert b["concordance_se"] == pytest.approx(a["concordance_se"], rel=1e-12)


def test_no_comparable_pair_is_nan() -> None:
    """Without events there is no comparable pair: C and SE are NaN."""
    out = concordance(np.array([1.0, 2.0]), np.array([False, False]), np.array([0.0, 1.0]))
    assert np.isnan(out["concordance"])
    assert np.isnan(out["concordance_se"])


def test_std_err_false_skips_se() -> None:
    """``std_err=False`` returns the same C and a NaN SE."""
    t, e, x = _arrays(_data(8))
    out = concordance(t, e, x, std_err=False)
    assert out["concordance"] == concordance(t, e, x)["concordance"]
    assert np.isnan(out["concordance_se"])


@pytest.mark.parametrize("bad", [-1.0, np.nan])
def test_bad_weights_raise(bad: float) -> None:
    """Negative or missing weights are refused with a message."""
    t, e, x = _arrays(_data(9, n=10))
    w = np.ones(10)
    w[3] = bad
    with pytest.raises(SpecError, match="weights"):
        concordance(t, e, x, weights=w)


def test_cox_passes_weights_cluster_and_reports_se() -> None:
    """CoxPH uses its weights (and cluster) for C and SE, and to_dict carries concordance_se."""
    df = _data(10, n=200)
    df["id"] = np.arange(len(df)) // 2
    model = CoxPH(covariates=["x"], weights="w", cluster="id", ph_test=False).fit(df)
    res = model.result_
    eta = model.design_.x @ res.terms["log_hr"].to_numpy()
    t, e, _ = _arrays(df)
    ref = concordance(t, e, eta, weights=df["w"].to_numpy(float), cluster=df["id"].to_numpy())
    assert res.concordance == pytest.approx(ref["concordance"], rel=1e-12)
    assert res.concordance_se == pytest.approx(ref["concordance_se"], rel=1e-12)
    unweighted = cox_ph(df, covariates=["x"], ph_test=False)
    assert res.concordance != pytest.approx(unweighted.concordance, rel=1e-9)
    d = res.to_dict()
    assert d["concordance"] == pytest.approx(res.concordance)
    assert d["concordance_se"] == pytest.approx(res.concordance_se)
    assert 0 < d["concordance_se"] < 0.2
