"""Kaplan–Meier, RMST and Aalen–Johansen: against lifelines and basic properties."""

from __future__ import annotations

import numpy as np
import pytest
from lifelines import KaplanMeierFitter, NelsonAalenFitter

from revict._core.errors import SpecError
from revict.models import KaplanMeier, aalen_johansen, kaplan_meier, mean_cumulative_function, rmst


@pytest.fixture
def small() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    time = np.ceil(rng.exponential(300, 150))
    event = rng.random(150) < 0.7
    return time, event


def test_km_matches_lifelines_survival(small: tuple[np.ndarray, np.ndarray]) -> None:
    """The KM estimate equals lifelines' survival function at every time."""
    time, event = small
    ours = kaplan_meier(time, event)
    kmf = KaplanMeierFitter().fit(time, event)
    theirs = kmf.survival_function_.iloc[:, 0].reindex(ours.time).to_numpy()
    np.testing.assert_allclose(ours.surv, theirs, atol=1e-12)


def test_km_log_log_ci_matches_lifelines(small: tuple[np.ndarray, np.ndarray]) -> None:
    """The log-log interval equals lifelines' default (exponential Greenwood) interval."""
    time, event = small
    ours = kaplan_meier(time, event, conf_type="log-log")
    ci = KaplanMeierFitter().fit(time, event).confidence_interval_.reindex(ours.time)
    ok = (ours.surv > 0) & (ours.surv < 1)
    np.testing.assert_allclose(ours.lower[ok], ci.iloc[:, 0].to_numpy()[ok], atol=1e-10)
    np.testing.assert_allclose(ours.upper[ok], ci.iloc[:, 1].to_numpy()[ok], atol=1e-10)


def test_km_estimator_twin_gives_same_result(small: tuple[np.ndarray, np.ndarray]) -> None:
    """KaplanMeier().fit stores the same curve as kaplan_meier."""
    time, event = small
    np.testing.assert_array_equal(KaplanMeier().fit(time, event).result_.surv, kaplan_meier(time, event).surv)


def test_km_at_is_a_right_continuous_step_function() -> None:
    """S(t) between event times is the value at the last event time, and 1 before the first."""
    km = kaplan_meier(np.array([2.0, 4.0, 6.0]), np.array([True, True, False]))
    tab = km.at([1, 2, 3, 4, 10])
    np.testing.assert_allclose(tab["surv"], [1, 2 / 3, 2 / 3, 1 / 3, 1 / 3])
    np.testing.assert_array_equal(tab["n_risk"], [3, 3, 2, 2, 0])


def test_cumulative_incidence_rows_at_whole_years() -> None:
    """1 - S is reported at days 365, 730, ... 2556 with the interval flipped."""
    km = kaplan_meier(np.array([100.0, 400.0, 800.0, 3000.0]), np.array([True, True, False, False]))
    rows = km.cumulative_incidence()
    assert [r["time_days"] for r in rows] == [365, 730, 1095, 1461, 1826, 2191, 2556]
    assert rows[0]["estimate"] == pytest.approx(0.25)
    assert rows[0]["ci_lower"] <= rows[0]["estimate"] <= rows[0]["ci_upper"]


def test_bad_conf_type_is_a_spec_error() -> None:
    """An unknown CI transform raises SpecError naming the choices."""
    with pytest.raises(SpecError, match="log-log"):
        kaplan_meier(np.array([1.0]), np.array([True]), conf_type="arcsin")


def test_rmst_of_an_event_free_cohort_is_tau() -> None:
    """Without events the restricted mean equals tau with zero standard error."""
    km = kaplan_meier(np.array([500.0, 900.0]), np.array([False, False]))
    res = rmst(km, 365)
    assert (res.rmst, res.se) == (365.0, 0.0)


def test_aalen_johansen_is_deterministic_with_ties() -> None:
    """Tied times of different causes give the same estimate every time (no jitter)."""
    time = np.array([5.0, 5, 5, 7, 7, 9, 9, 9, 12])
    status = np.array([1, 2, 0, 1, 1, 2, 0, 1, 0])
    a, b = aalen_johansen(time, status), aalen_johansen(time, status)
    np.testing.assert_array_equal(a.curves[1].cif, b.curves[1].cif)
    np.testing.assert_allclose(a.curves[1].cif[0], 1 / 9)


def test_aalen_johansen_single_cause_is_one_minus_km(small: tuple[np.ndarray, np.ndarray]) -> None:
    """With one cause the cumulative incidence equals 1 - KM."""
    time, event = small
    aj = aalen_johansen(time, event.astype(int))
    np.testing.assert_allclose(aj.curves[1].cif, 1 - kaplan_meier(time, event).surv, atol=1e-12)


def test_mcf_without_recurrences_equals_nelson_aalen(small: tuple[np.ndarray, np.ndarray]) -> None:
    """With one interval per person the MCF is lifelines' Nelson–Aalen cumulative hazard."""
    time, event = small
    ids = np.arange(len(time))
    mcf = mean_cumulative_function(np.zeros(len(time)), time, event, ids)
    naf = NelsonAalenFitter(nelson_aalen_smoothing=False).fit(time, event)
    theirs = naf.cumulative_hazard_.iloc[:, 0].reindex(mcf.time).to_numpy()
    np.testing.assert_allclose(mcf.mcf, theirs, atol=1e-12)


def test_results_summarise_themselves(small: tuple[np.ndarray, np.ndarray]) -> None:
    """KM and Aalen–Johansen results give a summary table and an HTML view of the same rows."""
    time, event = small
    km = kaplan_meier(time, event)
    aj = aalen_johansen(time, event.astype(int) * np.where(time > 200, 2, 1))
    assert len(km.summary()) == len(km.time)
    assert list(aj.summary().columns[:3]) == ["time", "n_risk", "surv"]
    assert "<table" in km._repr_html_()
    assert "cif_2" in aj._repr_html_()
