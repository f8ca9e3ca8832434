"""Cox, Andersen–Gill and PWP: against lifelines on small data, invariances, bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter
from lifelines.utils import concordance_index

from revict._core.errors import RevictWarning
from revict.models import CoxPH, andersen_gill, cox_ph, pwp_gap_time


@pytest.fixture
def data() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 300
    df = pd.DataFrame(
        {
            "form": rng.choice(["sexual", "labour", "criminal"], n),
            "age": rng.normal(30, 8, n),
            "person_id": np.arange(n),
        }
    )
    lp = 0.5 * (df["form"] == "labour") + 0.03 * (df["age"] - 30)
    t = rng.exponential(400 / np.exp(lp))
    c = rng.uniform(0, 800, n)
    df["time"] = np.ceil(np.minimum(t, c))
    df["status"] = (t <= c).astype(int)
    return df


def test_cox_matches_lifelines_efron(data: pd.DataFrame) -> None:
    """Coefficients and SEs equal lifelines' Efron fit on the same dummies."""
    res = cox_ph(data, covariates=["form", "age"], reference_levels={"form": "sexual"})
    x = pd.DataFrame(
        {
            "form=labour": (data["form"] == "labour").astype(float),
            "form=criminal": (data["form"] == "criminal").astype(float),
            "age": data["age"],
            "time": data["time"],
            "status": data["status"],
        }
    )
    cph = CoxPHFitter().fit(x, "time", "status")
    t = res.terms.set_index("term")
    for term in ("form=labour", "form=criminal", "age"):
        assert t.loc[term, "log_hr"] == pytest.approx(cph.params_[term], abs=1e-5)
        assert t.loc[term, "se"] == pytest.approx(cph.standard_errors_[term], rel=1e-4)


def test_concordance_matches_lifelines_without_time_ties(data: pd.DataFrame) -> None:
    """With untied times Harrell's C equals lifelines' concordance_index of -risk."""
    d = data.copy()
    d["time"] = d["time"] + np.random.default_rng(0).random(len(d)) * 0.5
    res = cox_ph(d, covariates=["form", "age"])
    model = CoxPH(covariates=["form", "age"]).fit(d)
    lp = model.design_.x @ res.terms["log_hr"].to_numpy()
    assert res.concordance == pytest.approx(concordance_index(d["time"], -lp, d["status"]), abs=1e-9)


def test_shuffling_rows_changes_nothing(data: pd.DataFrame) -> None:
    """Row order does not change estimates, SEs, concordance or the PH test."""
    a = cox_ph(data, covariates=["form", "age"])
    b = cox_ph(data.sample(frac=1, random_state=4), covariates=["form", "age"])
    pd.testing.assert_frame_equal(a.terms, b.terms, atol=1e-9, check_exact=False)
    assert a.concordance == pytest.approx(b.concordance)
    assert a.ph_test is not None
    assert b.ph_test is not None
    np.testing.assert_allclose(a.ph_test["chisq"], b.ph_test["chisq"], atol=1e-8)


def test_splitting_intervals_leaves_andersen_gill_unchanged(data: pd.DataFrame) -> None:
    """Cutting each follow-up at an event-free point gives the same AG estimates and robust SEs."""
    one = data.assign(start=0.0, stop=data["time"], event=data["status"])
    cut = np.floor(one["stop"] / 2)
    first = one.assign(stop=cut, event=0)[cut > 0]
    second = one.assign(start=np.where(cut > 0, cut, 0.0))
    split = pd.concat([first, second], ignore_index=True)
    a = andersen_gill(one, covariates=["form", "age"])
    b = andersen_gill(split, covariates=["form", "age"])
    np.testing.assert_allclose(a.terms["log_hr"], b.terms["log_hr"], atol=1e-9)
    np.testing.assert_allclose(a.terms["robust_se"], b.terms["robust_se"], atol=1e-9)


def test_andersen_gill_on_single_intervals_equals_cox(data: pd.DataFrame) -> None:
    """With one (0, t] interval per person AG gives the first-event Cox coefficients."""
    one = data.assign(start=0.0, stop=data["time"], event=data["status"])
    ag = andersen_gill(one, covariates=["form", "age"])
    cox = cox_ph(data, covariates=["form", "age"])
    np.testing.assert_allclose(ag.terms["log_hr"], cox.terms["log_hr"], atol=1e-9)
    assert np.all(ag.terms["robust_se"] > 0)


def test_pwp_single_episode_equals_cox(data: pd.DataFrame) -> None:
    """With one episode per person PWP gap time is the first-event Cox model."""
    one = data.assign(start=0.0, stop=data["time"], event=data["status"], episode=1)
    pwp = pwp_gap_time(one, covariates=["form", "age"])
    np.testing.assert_allclose(pwp.terms["log_hr"], cox_ph(data, covariates=["form", "age"]).terms["log_hr"], atol=1e-9)


def test_no_events_warns_and_gives_nulls(data: pd.DataFrame) -> None:
    """A cohort without events warns and reports every term as null, not NaN in JSON."""
    with pytest.warns(RevictWarning, match="no events"):
        res = cox_ph(data.assign(status=0), covariates=["form", "age"])
    assert all(t["log_hr"] is None and t["p"] is None for t in res.to_dict()["terms"])


def test_level_without_events_warns_and_is_null(data: pd.DataFrame) -> None:
    """A covariate level with no events is reported null with a warning naming it."""
    d = data.copy()
    d.loc[d["form"] == "criminal", "status"] = 0
    with pytest.warns(RevictWarning, match="form=criminal"):
        res = cox_ph(d, covariates=["form", "age"], reference_levels={"form": "sexual"})
    t = {r["term"]: r for r in res.to_dict()["terms"]}
    assert t["form=criminal"]["log_hr"] is None
    assert t["form=labour"]["log_hr"] is not None


def test_perfect_separation_warns(data: pd.DataFrame) -> None:
    """A covariate that orders every event before every censoring is flagged as infinite."""
    d = data.copy()
    d["flag"] = (d["status"] == 1) & (d["time"] < d["time"].median())
    d["x"] = d["flag"].astype(float) * 1.0
    d.loc[d["flag"], "time"] = d.loc[d["flag"], "time"] / 1000
    with pytest.warns(RevictWarning, match="infinite"):
        res = cox_ph(d, covariates=["x"])
    assert res.to_dict()["terms"][0]["log_hr"] is None


def test_non_convergence_warns(data: pd.DataFrame) -> None:
    """Stopping Newton–Raphson after one iteration warns that the model did not converge."""
    with pytest.warns(RevictWarning, match="did not converge"):
        res = cox_ph(data, covariates=["form", "age"], max_iter=1)
    assert res.converged is False


def test_missing_covariate_rows_are_dropped_with_warning(data: pd.DataFrame) -> None:
    """Rows with a missing numeric covariate are excluded and the warning counts them."""
    d = data.copy()
    d.loc[:9, "age"] = np.nan
    with pytest.warns(RevictWarning, match="10 of 300 rows"):
        res = cox_ph(d, covariates=["form", "age"])
    assert res.n == 290


def test_reference_level_without_events_is_replaced_with_warning(data: pd.DataFrame) -> None:
    """A reference level without events is swapped for the level with most events, and the swap is warned."""
    d = data.copy()
    d.loc[d["form"] == "sexual", "status"] = 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = cox_ph(d, covariates=["form", "age"], reference_levels={"form": "sexual"})
    texts = [str(w.message) for w in caught if issubclass(w.category, RevictWarning)]
    assert any("reference level sexual has no events" in t for t in texts)
    terms = {r["term"]: r for r in res.to_dict()["terms"]}
    assert terms["form=sexual"]["log_hr"] is None
    assert terms["age"]["log_hr"] is not None
