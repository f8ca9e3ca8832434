"""Confidence intervals: profile likelihood, log-normal, bootstrap with BCa."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from revict.hidden import estimate_population, read_overlap_table
from revict.hidden.fit import space
from revict.hidden.intervals import bca_limits, bootstrap_interval, profile_interval
from revict.hidden.select import select_model


@pytest.fixture(scope="module")
def korea(mse_dir: Path):
    return read_overlap_table(mse_dir / "mse_korea_3lists.csv")


def test_profile_interval_brackets_estimate_and_is_skewed_right(korea) -> None:
    """The profile interval contains the estimate and stretches further above than below."""
    fm = select_model(space(3), korea.full_counts()).chosen
    ci = profile_interval(korea, fm)
    assert ci.lower < fm.total < ci.upper
    assert ci.upper - fm.total > fm.total - ci.lower
    assert ci.lower > korea.n_observed


def test_profile_limits_are_where_deviance_rises_by_chi2(korea) -> None:
    """At each profile limit the profile deviance exceeds its minimum by chi2_1(0.95) = 3.84."""
    import statsmodels.api as sm

    from revict.hidden.fit import build_design

    sp = space(3)
    fm = select_model(sp, korea.full_counts()).chosen
    ci = profile_interval(korea, fm)
    d = build_design(sp, korea.full_counts(), fm.model)
    for limit in (ci.lower, ci.upper):
        b0 = np.log(limit - korea.n_observed)
        dev = sm.GLM(d.y, d.X[:, 1:], family=sm.families.Poisson(), offset=np.full(d.y.shape, b0)).fit().deviance
        assert dev - fm.fit.deviance == pytest.approx(3.8415, abs=1e-3)


def test_bootstrap_is_reproducible_with_a_seed(korea) -> None:
    """The same seed gives the same replicates; another seed gives others."""
    fm = select_model(space(3), korea.full_counts()).chosen
    a = bootstrap_interval(korea, fm, rule="stepwise", threshold=0.02, n_boot=40, seed=5)
    b = bootstrap_interval(korea, fm, rule="stepwise", threshold=0.02, n_boot=40, seed=5)
    c = bootstrap_interval(korea, fm, rule="stepwise", threshold=0.02, n_boot=40, seed=6)
    assert np.array_equal(a.replicates, b.replicates)
    assert not np.array_equal(a.replicates, c.replicates)
    assert a.interval.method == "bootstrap_bca"
    assert a.interval.lower < fm.total < a.interval.upper


def test_multinomial_bootstrap_resamples_observed_persons(korea) -> None:
    """The SparseMSE (multinomial) bootstrap keeps the observed number of persons in every replicate."""
    fm = select_model(space(3), korea.full_counts(), rule="main").chosen
    res = bootstrap_interval(korea, fm, rule="main", threshold=0.02, n_boot=30, seed=1, method="multinomial")
    assert res.replicates.size == 30
    assert np.all(res.replicates >= korea.n_observed)


def test_bca_without_bias_or_acceleration_is_the_percentile_interval() -> None:
    """With z0 = 0 and a = 0, BCa limits are the plain (type 8) percentiles."""
    reps = np.arange(1.0, 1001.0)
    limits, z0 = bca_limits(reps, 500.5, 0.0, np.array([0.025, 0.975]))
    assert z0 == 0.0
    np.testing.assert_allclose(limits, np.quantile(reps, [0.025, 0.975], method="median_unbiased"), rtol=1e-12)


def test_reported_interval_is_bootstrap_when_bootstrapped(korea) -> None:
    """With bootstrap replicates the reported interval is BCa and every interval is listed."""
    res = estimate_population(korea, bootstrap=30, seed=3)
    assert res.ci.method == "bootstrap_bca"
    assert [i.method for i in res.intervals] == ["wald_log", "profile", "bootstrap_bca"]
    d = res.to_dict()
    assert d["bootstrap"]["n_boot"] == 30
    assert d["bootstrap"]["seed"] == 3


def test_bca_falls_back_to_percentile_when_all_replicates_on_one_side() -> None:
    """When every replicate lies above the estimate the bias correction is infinite and BCa is not used."""
    limits, z0 = bca_limits(np.array([5.0, 6.0, 7.0]), 1.0, 0.0, np.array([0.025, 0.975]))
    assert np.isnan(limits).all()
    assert z0 == -np.inf
