"""Curve rules: cut where few are at risk, pool steps with few events, read-offs."""

import pytest

from revict.disclosure import DisclosureRules, control_curve, value_at
from revict.disclosure.curves import mcf_events

RULES = DisclosureRules()


def _km(n_risk, n_event):
    surv, s = [], 1.0
    for n, d in zip(n_risk, n_event, strict=True):
        s *= 1 - d / n
        surv.append(s)
    time = [float(10 * (i + 1)) for i in range(len(n_risk))]
    return {
        "time": time,
        "n_risk": n_risk,
        "n_event": n_event,
        "surv": surv,
        "lower": [x * 0.9 for x in surv],
        "upper": [min(1, x * 1.1) for x in surv],
    }


def test_curve_is_cut_where_fewer_than_threshold_at_risk():
    """No shown point comes from a time with fewer than min_cell at risk."""
    curve = _km([100, 80, 60, 30, 12, 9, 5], [12, 15, 20, 11, 2, 3, 1])
    out, notes = control_curve(curve, RULES, values=("surv",), what="km")
    assert out["time"][-1] <= 50.0
    assert out["shown_until"] == 50.0
    assert out["is_cut"] is True
    assert any(n.rule == "curve_cut" for n in notes)


def test_steps_with_few_events_are_pooled_to_at_least_threshold():
    """Consecutive steps are merged until each shown step has at least min_cell events."""
    curve = _km([100, 98, 95, 90, 88, 85, 80, 75], [2, 3, 4, 2, 3, 5, 6, 1])
    out, notes = control_curve(curve, RULES, values=("surv", "lower", "upper"), what="km")
    assert all(n >= 10 for n in out["n_event"])
    assert sum(out["n_event"]) == 26  # the trailing remainder is merged, nothing lost
    # the value at a shown step is the estimator's own value at that time
    for t, s in zip(out["time"], out["surv"], strict=True):
        i = curve["time"].index(t)
        assert s == pytest.approx(curve["surv"][i])
    assert any(n.rule == "pooled" for n in notes)
    assert "n_risk" not in out  # per-step numbers at risk would give small differences


def test_curve_with_too_few_events_is_not_shown():
    """A curve with fewer than min_cell events in total is withheld entirely."""
    out, notes = control_curve(_km([50, 45, 40], [2, 3, 1]), RULES, values=("surv",), what="km")
    assert out is None
    assert notes[0].rule == "min_cell"


def test_missing_counts_make_a_curve_unverifiable():
    """A curve without numbers at risk is not released."""
    out, notes = control_curve({"time": [1.0], "surv": [0.9]}, RULES, values=("surv",), what="km")
    assert out is None
    assert notes[0].rule == "unverifiable"


def test_released_curve_passes_again_unchanged():
    """Controlling a released curve again returns the same curve."""
    curve = _km([100, 98, 95, 90, 88, 85, 80, 75], [2, 3, 4, 2, 3, 5, 6, 1])
    once, _ = control_curve(curve, RULES, values=("surv",), what="km")
    twice, notes = control_curve(once, RULES, values=("surv",), what="km")
    assert twice == once
    assert notes == []


def test_thresholds_are_settings():
    """min_events_per_step and min_at_risk override min_cell for curves."""
    curve = _km([100, 98, 95, 90, 88, 85, 80, 75], [2, 3, 4, 2, 3, 5, 6, 1])
    out, _ = control_curve(curve, DisclosureRules(min_events_per_step=5, min_at_risk=86), values=("surv",), what="km")
    assert all(n >= 5 for n in out["n_event"])
    assert out["shown_until"] == 50.0


def test_mcf_events_are_derived_from_increments():
    """MCF increments times numbers at risk give the events per step."""
    curve = {"time": [1, 2, 3], "mcf": [0.1, 0.15, 0.35], "n_risk": [100, 80, 50]}
    assert mcf_events(curve) == [10, 4, 10]


def test_value_at_reads_the_step_function_and_stops_where_cut():
    """Read-offs follow the shown steps and are None beyond the shown range."""
    curve = {"time": [10.0, 20.0], "surv": [0.8, 0.6], "shown_until": 30.0}
    assert value_at(curve, 5, "surv", 1.0) == 1.0
    assert value_at(curve, 15, "surv", 1.0) == 0.8
    assert value_at(curve, 30, "surv", 1.0) == 0.6
    assert value_at(curve, 31, "surv", 1.0) is None
