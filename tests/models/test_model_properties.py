"""Properties of the estimators on random data (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from revict.models import aalen_johansen, kaplan_meier, logrank_test, mean_cumulative_function

cohorts = st.lists(
    st.tuples(st.integers(1, 60), st.integers(0, 2), st.sampled_from(["a", "b", "c"])), min_size=2, max_size=80
)


def _arrays(rows: list[tuple[int, int, str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    time = np.array([r[0] for r in rows], float)
    status = np.array([r[1] for r in rows])
    group = np.array([r[2] for r in rows])
    return time, status, group


@settings(max_examples=60, deadline=None)
@given(cohorts, st.sampled_from(["log", "log-log", "plain"]))
def test_km_is_a_probability_that_never_increases(rows: list[tuple[int, int, str]], conf_type: str) -> None:
    """S(t) stays in [0, 1], never increases, and lies inside its interval."""
    time, status, _ = _arrays(rows)
    km = kaplan_meier(time, status == 1, conf_type=conf_type)
    assert np.all((km.surv >= 0) & (km.surv <= 1))
    assert np.all(np.diff(km.surv) <= 1e-15)
    ok = ~np.isnan(km.lower)
    assert np.all(km.lower[ok] <= km.surv[ok] + 1e-12)
    assert np.all(km.upper[ok] >= km.surv[ok] - 1e-12)


@settings(max_examples=60, deadline=None)
@given(cohorts)
def test_cumulative_incidences_and_survival_sum_to_one(rows: list[tuple[int, int, str]]) -> None:
    """At every time the CIFs of all causes plus event-free survival sum to 1."""
    time, status, _ = _arrays(rows)
    aj = aalen_johansen(time, status, causes=(1, 2))
    total = aj.surv + aj.curves[1].cif + aj.curves[2].cif
    np.testing.assert_allclose(total, 1.0, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(cohorts, st.integers(0, 2**32 - 1))
def test_shuffling_rows_changes_nothing(rows: list[tuple[int, int, str]], seed: int) -> None:
    """Row order changes neither the KM curve, the CIFs nor the log-rank statistic."""
    time, status, group = _arrays(rows)
    perm = np.random.default_rng(seed).permutation(len(rows))
    a, b = kaplan_meier(time, status == 1), kaplan_meier(time[perm], status[perm] == 1)
    np.testing.assert_array_equal(a.surv, b.surv)
    np.testing.assert_array_equal(aalen_johansen(time, status).time, aalen_johansen(time[perm], status[perm]).time)
    la, lb = logrank_test(time, status == 1, group), logrank_test(time[perm], status[perm] == 1, group[perm])
    np.testing.assert_allclose(la.expected, lb.expected)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(1, 30), min_size=1, max_size=4), min_size=2, max_size=30))
def test_mcf_never_decreases_and_counts_events(gaps: list[list[int]]) -> None:
    """The MCF is non-decreasing and its increments sum to events over the at-risk numbers."""
    start, stop, event, pid = [], [], [], []
    for i, g in enumerate(gaps):
        t = 0
        for k, gap in enumerate(g):
            start.append(t)
            stop.append(t + gap)
            event.append(k < len(g) - 1)
            pid.append(i)
            t += gap
    mcf = mean_cumulative_function(np.array(start, float), np.array(stop, float), np.array(event), np.array(pid))
    assert np.all(np.diff(mcf.mcf) >= 0)
    np.testing.assert_allclose(mcf.mcf[-1], np.sum(mcf.n_event / np.maximum(mcf.n_risk, 1)))
    assert np.all(mcf.std_err >= 0)
