"""Stratified estimates add up, and sparse strata are flagged."""

from __future__ import annotations

import numpy as np
import pytest

from revict.hidden import OverlapTable, estimate_stratified
from revict.hidden.table import all_histories


def _simulate(rng: np.random.Generator, n: int, p: tuple[float, ...]) -> OverlapTable:
    m = len(p)
    caught = rng.random((n, m)) < np.array(p)
    caught = caught[caught.any(axis=1)]
    lists = tuple("ABCDEF"[:m])
    return OverlapTable(lists, caught.astype(np.int8), np.ones(len(caught), dtype=np.int64)).tidy()


@pytest.fixture(scope="module")
def strata() -> dict[tuple[str, ...], OverlapTable]:
    rng = np.random.default_rng(3)
    return {
        ("F",): _simulate(rng, 3000, (0.2, 0.15, 0.1, 0.25)),
        ("M",): _simulate(rng, 1500, (0.1, 0.3, 0.2, 0.1)),
        ("U",): _simulate(rng, 60, (0.2, 0.2, 0.2, 0.2)),
    }


def test_strata_add_up(strata) -> None:
    """The stratified total is the sum of the stratum estimates, and its interval contains it."""
    res = estimate_stratified(strata, by=("sex",))
    assert res.total == pytest.approx(sum(r.estimate for r in res.strata.values()))
    assert res.ci.lower < res.total < res.ci.upper
    d = res.to_dict()
    assert [s["key"]["sex"] for s in d["strata"]] == ["F", "M", "U"]
    assert d["pooled"]["n_observed"] == sum(t.n_observed for t in strata.values())


def test_sparse_stratum_is_warned(strata) -> None:
    """A stratum with few observed persons is flagged as sparse."""
    res = estimate_stratified(strata, by=("sex",), pooled=False)
    assert any("stratum U" in w and "sparse" in w for w in res.warnings)


def test_unestimable_stratum_is_reported_not_summed() -> None:
    """A stratum with a single informative list fails, is listed, and the sum says it leaves it out."""
    good = _simulate(np.random.default_rng(1), 2000, (0.3, 0.3, 0.3))
    bad = OverlapTable(("A", "B", "C"), all_histories(3)[:1], np.array([7]))
    res = estimate_stratified({("a",): good, ("b",): bad}, pooled=False)
    assert ("b",) in res.failed
    assert res.total == pytest.approx(res.strata[("a",)].estimate)
    assert any("could not be estimated" in w for w in res.warnings)


def test_bootstrap_interval_of_the_sum(strata) -> None:
    """With bootstrap replicates the sum's interval comes from summed replicates."""
    res = estimate_stratified({k: v for k, v in strata.items() if k != ("U",)}, bootstrap=30, seed=2, pooled=False)
    assert res.ci.method == "bootstrap_percentile_sum"
    assert res.ci.lower < res.total < res.ci.upper
