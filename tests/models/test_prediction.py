"""Tests of revict.models.prediction: Cox vs random survival forest vs gradient boosting."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from sksurv.ensemble._coxph_loss import coxph_loss, coxph_negative_gradient

from revict._core.errors import ModelFitError, RevictWarning
from revict.models._fastgb import FastCoxPHLoss
from revict.models.prediction import MODELS, PredictionResult, compare_risk_models

COVS = ["exploitation_form", "sex", "origin", "age_at_index", "prior_victimisations_365d"]
FAST = {"n_estimators": 15, "permutation_repeats": 2, "n_jobs": 1}
MARKER = "SYNTHPID"


def cohort(rng: np.random.Generator, n: int = 600, *, beta: float = 1.5, follow_up: int = 2557) -> pd.DataFrame:
    """A first_event table with a planted effect of exploitation_form=labour and deaths as status 2."""
    form = rng.choice(["sexual", "labour", "criminal", "other", "unknown"], n)
    sex = rng.choice(["F", "M", "U"], n, p=[0.6, 0.37, 0.03])
    origin = rng.choice(["NL", "EU", "non-EU", "unknown"], n)
    age = rng.integers(14, 60, n)
    prior = rng.poisson(0.5, n)
    lp = beta * (form == "labour") + 0.2 * (sex == "M")
    t_event = rng.exponential(2500 / np.exp(lp))
    t_cens = np.minimum(rng.uniform(100, 1.6 * follow_up, n), follow_up)
    t_death = rng.exponential(30000, n)
    t = np.minimum.reduce([t_event, t_cens, t_death])
    status = np.where(t == t_event, 1, np.where(t == t_death, 2, 0))
    return pd.DataFrame(
        {
            "person_id": [f"{MARKER}{i:06d}" for i in range(n)],
            "time": np.ceil(t).astype(int),
            "status": status,
            "exploitation_form": form,
            "sex": sex,
            "origin": origin,
            "age_at_index": age,
            "prior_victimisations_365d": prior,
        }
    )


@pytest.fixture(scope="module")
def result() -> PredictionResult:
    data = cohort(np.random.default_rng(11), beta=2.5)
    return compare_risk_models(data, covariates=COVS, reference_levels={"sex": "F"}, seed=7, **FAST)


def test_fast_cox_loss_matches_sksurv() -> None:
    """The vectorised boosting loss and gradient equal scikit-survival's pairwise Cython ones, ties included."""
    rng = np.random.default_rng(1)
    n = 300
    y = np.empty(n, dtype=[("event", "?"), ("time", "<f8")])
    y["event"], y["time"] = rng.random(n) < 0.6, rng.integers(1, 40, n).astype(float)
    raw = rng.normal(0, 2, n)
    fast = FastCoxPHLoss()
    np.testing.assert_allclose(fast(y, raw), coxph_loss(y["event"].astype(np.uint8), y["time"], raw), rtol=1e-10)
    np.testing.assert_allclose(
        fast.gradient(y, raw), coxph_negative_gradient(y["event"].astype(np.uint8), y["time"], raw), atol=1e-10
    )


def test_metrics_are_in_range(result: PredictionResult) -> None:
    """Every C index, AUC and integrated Brier score lies in [0, 1] and all three models are scored."""
    assert set(result.models) == set(MODELS)
    for m in result.models.values():
        for key in ("harrell_c", "uno_c", "integrated_brier_score"):
            assert m[key] is not None
            assert 0.0 <= m[key] <= 1.0
        assert set(m["auc"]) == {"365", "1096", "1826", "2557"}
        assert all(0.0 <= v <= 1.0 for v in m["auc"].values())
    d = result.to_dict()
    assert d["n_train"] + d["n_test"] == d["n"] == 600
    assert d["n_events_train"] + d["n_events_test"] == d["n_events"]
    assert 0.0 < d["km_integrated_brier_score"] < 0.5


def test_planted_covariate_is_found(result: PredictionResult) -> None:
    """A strong planted covariate gives every model C > 0.6 and tops the permutation importance."""
    assert all(m["harrell_c"] > 0.6 for m in result.models.values())
    assert result.best_model in MODELS
    top = result.importance[0]
    assert top["covariate"] == "exploitation_form"
    assert top["mean_decrease_c"] > 0.05
    assert top["mean_decrease_c"] > 3 * max(r["mean_decrease_c"] for r in result.importance[1:])
    assert "exploitation_form=labour" in top["terms"]


def test_reference_level_is_dropped(result: PredictionResult) -> None:
    """The given reference level has no dummy; the default reference is the first level in sort order."""
    terms = result.to_dict()["terms"]
    assert "sex=F" not in terms
    assert "sex=M" in terms
    assert "exploitation_form=criminal" not in terms
    assert "exploitation_form=labour" in terms


def test_same_seed_same_result() -> None:
    """The same seed gives the same result; another seed gives another split."""
    data = cohort(np.random.default_rng(5), n=400)

    def run(seed: int) -> dict:
        d = compare_risk_models(data, covariates=COVS, seed=seed, **FAST).to_dict()
        for m in d["models"].values():
            m.pop("fit_seconds")
        return d

    a, b, c = run(3), run(3), run(4)
    assert a == b
    assert a["seeds"] != c["seeds"]
    assert a["models"] != c["models"]


def test_to_dict_is_strict_json_without_person_ids(result: PredictionResult) -> None:
    """to_dict survives json.dumps(allow_nan=False) and no pseudonym appears in any output."""
    text = json.dumps(result.to_dict(), allow_nan=False)
    assert MARKER not in text
    assert MARKER not in result.summary().to_string()
    assert MARKER not in result.importance_table().to_string()
    assert "deaths (status 2) are treated as censored" in text


def test_summary_has_one_row_per_model(result: PredictionResult) -> None:
    """summary() has one row per model with C indices, AUC per time and the Brier score."""
    s = result.summary()
    assert list(s["model"]) == list(MODELS)
    assert {"harrell_c", "uno_c", "auc_365d", "auc_2557d", "integrated_brier_score", "n_test"} <= set(s.columns)
    assert "<table" in result._repr_html_()


def test_subsampling_is_recorded() -> None:
    """A train set larger than max_train is subsampled and the note and counts say so."""
    data = cohort(np.random.default_rng(8), n=400)
    d = compare_risk_models(data, covariates=COVS, max_train=150, **FAST).to_dict()
    assert d["n_train"] == 280
    assert d["n_train_fitted"] == 150
    assert any("subsampled" in note for note in d["notes"])


def test_horizon_beyond_follow_up_is_skipped_with_a_note() -> None:
    """Times beyond the follow-up are left out with a reason, without a warning."""
    data = cohort(np.random.default_rng(9), n=500, follow_up=900)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RevictWarning)
        d = compare_risk_models(data, covariates=COVS, **FAST).to_dict()
    assert d["times_days"] == [365]
    skipped = {m["metric"] for m in d["missing"]}
    assert {"auc_1096d", "auc_1826d", "auc_2557d"} <= skipped
    assert all(set(m["auc"]) == {"365"} for m in d["models"].values())
    assert d["uno_tau_days"] <= 900


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("no_events", "no outcome events"),
        ("few_persons", "too few"),
        ("few_events", "too few"),
        ("all_events", "single class"),
        ("no_covariates", "no covariates"),
    ],
)
def test_bad_input_warns_and_says_what_is_missing(case: str, reason: str) -> None:
    """Too little data gives a RevictWarning and a result that names the missing estimates and why."""
    rng = np.random.default_rng(2)
    data = cohort(rng, n=30 if case == "few_persons" else 300)
    covs = [] if case == "no_covariates" else COVS
    if case == "no_events":
        data["status"] = 0
    elif case == "few_events":
        data["status"] = 0
        data.loc[data.index[:5], "status"] = 1
    elif case == "all_events":
        data["status"] = 1
    with pytest.warns(RevictWarning, match=reason):
        res = compare_risk_models(data, covariates=covs, **FAST)
    d = res.to_dict()
    json.dumps(d, allow_nan=False)
    assert res.best_model is None
    assert {m["model"] for m in d["missing"]} == set(MODELS)
    assert all(reason in m["reason"] for m in d["missing"])
    assert all(v is None for v in res.summary()["harrell_c"])


def test_numeric_gaps_get_an_indicator() -> None:
    """Missing numeric values are filled with the training median and flagged by a `=missing` term."""
    data = cohort(np.random.default_rng(4), n=400)
    data["age_at_index"] = data["age_at_index"].astype(float)
    data.loc[data.index[::7], "age_at_index"] = np.nan
    d = compare_risk_models(data, covariates=COVS, **FAST).to_dict()
    assert "age_at_index=missing" in d["terms"]
    age = next(r for r in d["permutation_importance"] if r["covariate"] == "age_at_index")
    assert age["terms"] == ["age_at_index", "age_at_index=missing"]
    assert all(m["harrell_c"] is not None for m in d["models"].values())


def test_missing_column_is_a_clear_error() -> None:
    """An absent covariate column raises ModelFitError naming it, not a KeyError."""
    data = cohort(np.random.default_rng(6), n=100).drop(columns=["origin"])
    with pytest.raises(ModelFitError, match="origin"):
        compare_risk_models(data, covariates=COVS)


def test_impossible_status_is_a_clear_error() -> None:
    """A status outside 0/1/2 raises ModelFitError with counts, no values."""
    data = cohort(np.random.default_rng(6), n=100)
    data.loc[data.index[0], "status"] = 7
    with pytest.raises(ModelFitError, match="1 with status"):
        compare_risk_models(data, covariates=COVS)


@pytest.mark.parametrize("setting", [{"test_size": 0.99}, {"max_train": 5}, {"n_estimators": 0}])
def test_out_of_range_setting_is_a_clear_error(setting: dict) -> None:
    """A setting outside its range raises ModelFitError before any fitting."""
    data = cohort(np.random.default_rng(6), n=100)
    with pytest.raises(ModelFitError, match="must be"):
        compare_risk_models(data, covariates=COVS, **setting)


def test_library_messages_lose_their_numbers() -> None:
    """A library error quoted in a reason keeps its words but not the follow-up times it names."""
    from revict.models.prediction import _said

    text = _said(ValueError("all times must be within follow-up time of test data: [3.0; 2540.5["))
    assert "all times must be within follow-up time" in text
    assert not any(ch.isdigit() for ch in text)
