"""Disclosure control of the hidden-population (multiple systems estimation) section."""

import json

import pytest

from revict.disclosure import DisclosureRules, apply_disclosure
from revict.disclosure._hidden import HIDDEN_ROUNDING, control_hidden, round_estimate

from .conftest import fixture_mod

RULES = DisclosureRules()


@pytest.fixture(scope="module")
def section() -> dict:
    return fixture_mod.make_hidden_section()


@pytest.fixture(scope="module")
def released(section) -> dict:
    out, _ = control_hidden(section, RULES)
    assert out is not None
    return out


def _numbers(obj) -> list[float]:
    if isinstance(obj, bool):
        return []
    if isinstance(obj, int | float):
        return [obj]
    if isinstance(obj, dict):
        return [x for v in obj.values() for x in _numbers(v)]
    if isinstance(obj, list):
        return [x for v in obj for x in _numbers(v)]
    return []


def test_observed_n_released_rounded_when_large(section, released):
    """The observed number (1,832 here) is released, rounded to 10."""
    assert section["n_observed"] == 1832
    assert released["n_observed"] == 1830


def test_small_observed_n_withholds_the_whole_estimate(section):
    """Fewer than min_cell observed persons: no estimate, interval or model is released, and it is listed."""
    small = {**section, "n_observed": 7}
    out, notes = control_hidden(small, RULES)
    assert out == {"status": "withheld", "n_observed": "<10", "controlled": True}
    assert any(n.what == "hidden_population.estimate" and n.rule == "min_cell" for n in notes)


def test_estimate_interval_and_candidates_rounded_to_ten(section, released):
    """The estimate, its interval, the number not seen and every candidate's estimate are multiples of 10."""
    assert released["estimate"] == round_estimate(section["estimate"], RULES)
    assert abs(released["estimate"] - section["estimate"]) <= HIDDEN_ROUNDING / 2
    values = [released["estimate"], released["dark_figure"], released["ci"]["lower"], released["ci"]["upper"]]
    for c in released["candidates"]:
        values += [c["estimate"], c["lower"], c["upper"]]
    values += [v["estimate"] for v in released["selections"].values()]
    values = [v for v in values if v is not None]
    assert len(values) > 20
    assert all(v % HIDDEN_ROUNDING == 0 for v in values)


def test_candidate_models_released_for_sensitivity(section, released):
    """Every candidate model is released with its estimate and interval, the chosen one marked by its rule."""
    assert [c["model"] for c in released["candidates"]] == [c["model"] for c in section["candidates"]]
    chosen = [c for c in released["candidates"] if "stepwise" in c["chosen_by"]]
    assert len(chosen) == 1
    assert chosen[0]["model"] == released["model"]["model"] == section["model"]["model"]
    assert released["sensitivity"]["min_estimate"] <= released["estimate"] <= released["sensitivity"]["max_estimate"]


def test_fit_statistics_and_headline_not_released(released):
    """Deviance, AIC, BIC and the unrounded headline text are not released."""
    for c in [released["model"], *released["candidates"]]:
        assert not {"deviance", "aic", "bic", "df", "n_params"} & set(c)
    assert not {"headline", "intervals", "rejected_models", "capture_histories", "empty_overlaps"} & set(released)


def test_list_totals_released_when_every_list_is_large(section, released):
    """List sizes are released, rounded to 10, when every organisation registered at least min_cell persons."""
    assert set(released["list_totals"]) == set(section["list_totals"])
    for k, v in released["list_totals"].items():
        assert v % HIDDEN_ROUNDING == 0
        assert abs(v - section["list_totals"][k]) <= HIDDEN_ROUNDING / 2


def test_list_totals_withheld_when_one_list_is_small(section):
    """One organisation with fewer than min_cell persons withholds every list size (all or nothing)."""
    small = {**section, "list_totals": {**section["list_totals"], "O": 6}}
    out, notes = control_hidden(small, RULES)
    assert out is not None
    assert out["list_totals"] is None
    assert any(n.what == "hidden_population.list_totals" for n in notes)


def test_capture_history_cells_never_released(section):
    """Counts per capture history are never released, small or large, and the withholding is listed."""
    cells = [{"history": "1000", "count": 812}, {"history": "1111", "count": 1}, {"history": "1101", "count": 2}]
    out, notes = control_hidden({**section, "cells": cells}, RULES)
    assert out is not None
    assert "cells" not in out
    assert "history" not in json.dumps(out)
    assert any(n.rule == "never_published" for n in notes)


def test_empty_overlaps_withheld_when_zeros_are_small(section):
    """Which lists share nobody (a zero count) is withheld while zeros count as small, released otherwise."""
    with_zero = {
        **section,
        "empty_overlaps": ["I:O"],
        "candidates": [{**section["candidates"][0], "neg_inf_terms": ["I:O"]}],
    }
    out, notes = control_hidden(with_zero, RULES)
    assert out is not None
    assert "I:O" not in json.dumps(out)
    assert any(n.what == "hidden_population.empty_overlaps" for n in notes)
    out2, _ = control_hidden(with_zero, DisclosureRules(suppress_zeros=False))
    assert out2 is not None
    assert out2["candidates"][0]["neg_inf_terms"] == ["I:O"]


def test_warnings_with_numbers_withheld(section):
    """A note quoting a number is withheld; a note without numbers is released."""
    notes_in = ["the estimate depends strongly on the model: 3,959 to 5,818", "the interval has no upper limit"]
    out, notes = control_hidden({**section, "warnings": notes_in}, RULES)
    assert out is not None
    assert out["warnings"] == ["the interval has no upper limit"]
    assert any(n.what == "hidden_population.warnings" for n in notes)


def test_failed_estimate_released_as_failed_without_numbers():
    """A failed estimate is released as failed; its message only when it quotes no number."""
    out, _ = control_hidden({"status": "failed", "message": "the estimate does not exist"}, RULES)
    assert out == {"status": "failed", "message": "the estimate does not exist", "controlled": True}
    out, _ = control_hidden({"status": "failed", "message": "only 7 persons on 2 lists"}, RULES)
    assert out is not None
    assert out["message"] is None


def test_infinite_upper_limit_released_as_none(section):
    """An interval without a finite upper limit is released as None (no upper limit), not as a number."""
    out, _ = control_hidden({**section, "ci": {**section["ci"], "upper": None}}, RULES)
    assert out is not None
    assert out["ci"]["upper"] is None
    assert round_estimate(float("inf"), RULES) is None


def test_apply_disclosure_carries_the_section_and_is_idempotent(results, section):
    """apply_disclosure releases the controlled section, and applying it again to the release changes nothing."""
    first = apply_disclosure({**results, "hidden_population": section}, RULES)
    data = first.data()
    assert data["hidden_population"]["estimate"] == round_estimate(section["estimate"], RULES)
    assert any(s.what == "hidden_population" and s.rule == "rounding" for s in first.suppressions)
    again = apply_disclosure(data, RULES)
    assert again.data()["hidden_population"] == data["hidden_population"]
    assert all(v == v for v in _numbers(data["hidden_population"]))  # no NaN


def test_no_section_releases_none(results):
    """Results without a hidden-population section release None for it."""
    assert apply_disclosure(results, RULES).data()["hidden_population"] is None


def test_strata_released_rounded_when_every_stratum_is_large(section, released):
    """Estimates by group: group key, registered number, estimate and interval, each rounded to 10."""
    strat = released["stratified"]
    assert strat["by"] == ["period", "sex"]
    assert [s["key"]["sex"] for s in strat["strata"]] == ["F", "M"]
    raw = {s["key"]["sex"]: s for s in section["stratified"]["strata"]}
    for s in strat["strata"]:
        r = raw[s["key"]["sex"]]
        assert s["n_observed"] == round_estimate(r["n_observed"], RULES)
        assert s["estimate"] == round_estimate(r["estimate"], RULES)
        assert s["ci"]["lower"] == round_estimate(r["ci"]["lower"], RULES)
        assert set(s) == {"key", "n_observed", "estimate", "ci"}  # no model, sensitivity or warnings text
    assert all(x % HIDDEN_ROUNDING == 0 for x in _numbers(strat["strata"]) if x not in (0.95,))
    assert strat["total"] == round_estimate(section["stratified"]["total"], RULES)


def test_strata_withheld_when_one_stratum_is_small(section):
    """One group with fewer than min_cell registered persons: no group is shown, and the reason is listed."""
    small = json.loads(json.dumps(section))
    small["stratified"]["strata"][1]["n_observed"] = 7
    out, notes = control_hidden(small, RULES)
    assert out is not None
    assert "stratified" not in out
    assert any(n.what == "hidden_population.stratified" and n.rule == "min_cell" for n in notes)
    assert out["estimate"] is not None  # the overall estimate stays
