"""The MSEResult: summary, to_dict for results.json, caveats and warnings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from revict import ModelFitError
from revict._core.results import read_results, update_results
from revict.hidden import CAVEATS, estimate_population, read_overlap_table


@pytest.fixture(scope="module")
def western(mse_dir: Path):
    return estimate_population(read_overlap_table(mse_dir / "mse_us_western_5lists.csv"))


def test_to_dict_is_the_hidden_population_section(western, tmp_path: Path) -> None:
    """to_dict holds observed N, estimate, CI, model, rule, candidates, warnings, caveats; it round-trips JSON."""
    d = western.to_dict()
    for key in ("n_observed", "estimate", "ci", "model", "rule", "candidates", "warnings", "caveats", "selections"):
        assert key in d
    assert d["n_observed"] == 345
    assert d["rule"] == {"name": "stepwise", "threshold": 0.02, "search": "forward, Poisson p-values"}
    assert d["model"]["terms"] == ["A:E"]
    assert d["ci"]["method"] == "profile"
    assert d["ci"]["lower"] < d["estimate"] < d["ci"]["upper"]
    update_results(tmp_path, "hidden_population", d)
    assert read_results(tmp_path)["hidden_population"]["estimate"] == d["estimate"]
    json.dumps(d, allow_nan=False)


def test_candidates_show_every_rule_side_by_side(western) -> None:
    """Every rule's choice is among the candidates, with fit statistics, and main effects is always shown."""
    chosen_by = {r for c in western.candidates for r in c.chosen_by}
    assert chosen_by == {"stepwise", "aic", "bic", "main"}
    main = next(c for c in western.candidates if not c.terms)
    assert main.deviance is not None
    assert main.df is not None
    assert main.aic is not None
    assert main.bic is not None
    summary = western.summary()
    assert {"model", "estimate", "deviance", "df", "aic", "bic"} <= set(summary.columns)
    assert summary["aic"].is_monotonic_increasing


def test_caveats_are_stated(western) -> None:
    """The plain-language assumptions accompany every result."""
    text = " ".join(western.to_dict()["caveats"])
    assert tuple(western.caveats) == CAVEATS
    for phrase in ("Closed population", "No false positives", "two-list interactions"):
        assert phrase in text


def test_unknown_rule_is_a_clear_error(western) -> None:
    """An unknown selection rule raises ModelFitError with a hint."""
    with pytest.raises(ModelFitError, match="unknown model-selection rule"):
        estimate_population(western.table, rule="lasso")


def test_html_repr_names_estimate_and_model(western) -> None:
    """The notebook view shows the estimate and the model."""
    html = western._repr_html_()
    assert "A:E" in html
    assert "2,483" in html


def test_headline_states_estimate_interval_and_model_range(western) -> None:
    """The headline sentence gives the estimate, its interval, the observed number and the model range."""
    text = western.to_dict()["headline"]
    assert "2,483" in text
    assert "345 were registered" in text
    lo, hi = western.sensitivity_range()
    assert f"{lo:,.0f} to {hi:,.0f}" in text
