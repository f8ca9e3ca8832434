"""Recovery of the planted first-event truth from the synthetic registers (issue 3).

The first-event table is built straight from the files (``revict.synth.first_event_table``,
plain DuckDB SQL): index = first linked registration dated 2012-2016; time to the first
linked victimisation at least one day later; censored at death, emigration, data end or
2,557 days. lifelines' Cox model and Kaplan-Meier then have to find the planted values.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter, KaplanMeierFitter

from revict.synth import first_event_table, synthesize

#: About 45% of registered persons have their index in 2012-2016, so this gives a
#: cohort of about 20,000 synthetic victims.
VICTIMS = 45_000
TERMS = (
    "exploitation_form=labour",
    "exploitation_form=criminal",
    "exploitation_form=other",
    "exploitation_form=unknown",
    "sex=M",
    "sex=U",
    "is_minor",
)


@pytest.fixture(scope="module")
def fitted(tmp_path_factory: pytest.TempPathFactory):
    out: Path = tmp_path_factory.mktemp("recovery")
    res = synthesize(out, victims=VICTIMS, seed=2021)
    df = first_event_table(out)
    x = pd.DataFrame({"time": df["time"].astype(float), "event": df["event"].astype(int)})
    for term in TERMS:
        col, _, level = term.partition("=")
        x[term] = (df[col] == level).astype(float) if level else df[col].astype(float)
    cph = CoxPHFitter().fit(x, duration_col="time", event_col="event")
    km = KaplanMeierFitter().fit(df["time"], df["event"])
    return res.truth["first_event"], df, cph, km, res.truth


@pytest.fixture(scope="module")
def fitted_truth_all(fitted):
    return fitted[4]


def test_cohort_size(fitted) -> None:
    """The cohort holds about 20,000 persons, as many as the truth counts."""
    truth, df, _, _, _ = fitted
    assert 18_000 <= len(df) <= 22_000
    assert len(df) == truth["cohort"]["n_persons"]
    assert int((df["event"] == 1).sum()) == truth["cohort"]["n_first_events_within_2557_days_observed"]


@pytest.mark.parametrize("term", TERMS)
def test_cox_recovers_planted_log_hazard_ratio(fitted, term: str) -> None:
    """The Cox estimate of each planted log hazard ratio is within 3 standard errors of the truth."""
    truth, _, cph, _, _ = fitted
    row = cph.summary.loc[term]
    planted = truth["log_hr"][term]
    assert abs(row["coef"] - planted) <= 3 * row["se(coef)"], (term, row["coef"], planted)


def test_one_minus_km_at_seven_years_matches_planted_incidence(fitted) -> None:
    """1 - KM at seven years is within 0.03 of the planted net cumulative incidence, at every year."""
    truth, _, _, km, _ = fitted
    for year in range(1, 8):
        est = 1.0 - float(km.predict(365.25 * year))
        assert est == pytest.approx(truth["cumulative_incidence_net"][str(year)], abs=0.03), year
    assert 0.45 <= truth["cumulative_incidence_net"]["7"] <= 0.55


def test_recovery_would_fail_on_wrong_truth(fitted) -> None:
    """The check has power: halving the minors' log hazard ratio puts it outside 3 standard errors."""
    truth, _, cph, _, _ = fitted
    row = cph.summary.loc["is_minor"]
    wrong = truth["log_hr"]["is_minor"] / 2
    assert abs(row["coef"] - wrong) > 3 * row["se(coef)"]
    assert np.isfinite(cph.log_likelihood_)


def _fit_seed(folder: Path, seed: int) -> tuple[pd.DataFrame, float, float, float, dict]:
    res = synthesize(folder, victims=10_000, seed=seed)
    df = first_event_table(folder)
    x = pd.DataFrame({"time": df["time"].astype(float), "event": df["event"].astype(int)})
    for term in TERMS:
        col, _, level = term.partition("=")
        x[term] = (df[col] == level).astype(float) if level else df[col].astype(float)
    cph = CoxPHFitter().fit(x, duration_col="time", event_col="event")
    km = KaplanMeierFitter().fit(df["time"], df["event"])
    ci = km.confidence_interval_survival_function_
    t7 = ci.index[ci.index <= 365.25 * 7].max()
    return cph.summary, 1 - float(ci.loc[t7].iloc[1]), 1 - float(ci.loc[t7].iloc[0]), t7, res.truth


@pytest.mark.slow
def test_confidence_intervals_cover_the_truth_over_seeds(tmp_path: Path) -> None:
    """Over 20 seeds the 95% Cox and KM intervals cover the planted values at a binomially plausible rate."""
    seeds = range(100, 120)
    covered = total = km_covered = 0
    for seed in seeds:
        summary, lo7, hi7, _, truth = _fit_seed(tmp_path / str(seed), seed)
        for term in TERMS:
            row = summary.loc[term]
            total += 1
            covered += row["coef lower 95%"] <= truth["first_event"]["log_hr"][term] <= row["coef upper 95%"]
        km_covered += lo7 <= truth["first_event"]["cumulative_incidence_net"]["7"] <= hi7
    # expected 95%; allow 3 binomial standard deviations below
    assert covered >= 0.95 * total - 3 * np.sqrt(total * 0.95 * 0.05)
    assert km_covered >= 0.95 * len(seeds) - 3 * np.sqrt(len(seeds) * 0.95 * 0.05)


def test_log_linear_model_recovers_hidden_population(fitted_truth_all) -> None:
    """A Poisson log-linear model with the planted list interactions recovers the true linkable total."""
    import statsmodels.api as sm

    hp = fitted_truth_all["hidden_population"]
    lists = hp["lists"]
    keys = [format(h, f"0{len(lists)}b") for h in range(1, 2 ** len(lists))]
    y = np.array([hp["capture_histories"].get(k, 0) for k in keys], dtype=float)
    x = pd.DataFrame([[int(c) for c in k] for k in keys], columns=lists)
    for pair in hp["log_linear"]["interactions"]:
        a, b = pair.split(":")
        x[pair] = x[a] * x[b]
    fit = sm.GLM(y, sm.add_constant(x), family=sm.families.Poisson()).fit()
    missed = float(np.exp(fit.params["const"]))
    se = missed * float(fit.bse["const"])
    truth_missed = hp["true_total_linkable"] - hp["registered_linked"]
    assert abs(missed - truth_missed) <= 3 * np.sqrt(se**2 + truth_missed * (1 - hp["capture_probability"]))
    assert missed + hp["registered_linked"] == pytest.approx(hp["true_total_linkable"], rel=0.1)
    for pair, planted in hp["log_linear"]["interactions"].items():
        assert abs(fit.params[pair] - planted) <= 3 * fit.bse[pair], pair


def test_cohort_builder_agrees_with_reference_table(synth_small: Path, repo: Path) -> None:
    """`build_cohort` with nr-seven-year gives the same times, events and covariates as the plain-SQL reference."""
    from revict.cohort import build_cohort, load_cohort
    from revict.contract import load_schema
    from revict.load import load_sources

    tables = build_cohort(
        load_sources(load_schema(), synth_small), load_cohort(repo / "cohorts" / "nr-seven-year.yaml")
    )
    built = tables.first_event
    ref = first_event_table(synth_small)
    cols = ["time", "event", "exploitation_form", "sex", "is_minor"]
    a = pd.DataFrame(
        {
            "time": built["time"].astype(int),
            "event": (built["status"] == 1).astype(int),
            "exploitation_form": built["exploitation_form"].astype(str),
            "sex": built["sex"].astype(str),
            "is_minor": built["is_minor"].astype(bool),
        }
    ).sort_values(cols, ignore_index=True)
    b = ref.assign(time=ref["time"].astype(int), event=ref["event"].astype(int), is_minor=ref["is_minor"].astype(bool))
    b = b[cols].sort_values(cols, ignore_index=True)
    assert len(a) == len(b) > 300
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
