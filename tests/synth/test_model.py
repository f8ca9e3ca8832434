"""Tests of the planted models, pseudonyms and the first-event reference table."""

from __future__ import annotations

import re

import numpy as np
import pytest

from revict.synth import CANARY_PATTERN, first_event_table
from revict.synth import _calibration as cal
from revict.synth._ids import pseudonyms, scramble
from revict.synth._model import DAYS_PER_YEAR, _cohort_covariate_cells, solve_baseline, solve_capture_model


def test_baseline_hits_published_incidence() -> None:
    """The solved Weibull gives the cohort 45% at five and 50% at seven years."""
    b = solve_baseline()
    eta, prob = _cohort_covariate_cells()
    assert prob.sum() == pytest.approx(1.0)
    for year, target in cal.CI_TARGETS.items():
        assert float(np.dot(prob, b.cif(year * DAYS_PER_YEAR, eta))) == pytest.approx(target, abs=1e-6)
    assert 0.3 < b.shape < 0.6


def test_weibull_draws_follow_the_model() -> None:
    """Drawn event days reproduce the model's cumulative incidence and are never on the index day."""
    b = solve_baseline()
    rng = np.random.default_rng(3)
    eta = np.full(200_000, np.log(1.5))
    days = b.draw_days(eta, rng)
    assert days.min() >= 1
    for t in (30, 365, 2556):
        assert np.mean(days <= t) == pytest.approx(float(b.cif(t, eta[:1])[0]), abs=0.005)


def test_capture_model_hides_the_planted_share() -> None:
    """About 1 in 4.5 true victims is on a list, and police and care coordinators depend positively."""
    cm = solve_capture_model()
    assert cm.p.sum() == pytest.approx(1.0)
    assert cm.p_caught == pytest.approx(1 / cal.HIDDEN_RATIO, rel=1e-6)
    lp = cm.list_probabilities()
    assert lp / lp.sum() == pytest.approx(np.array(cal.LIST_WEIGHTS) / sum(cal.LIST_WEIGHTS), rel=1e-6)
    h = cm.histories
    pol, care = cal.LISTS.index("police"), cal.LISTS.index("care_coordinator")
    p11 = cm.p[(h[:, pol] == 1) & (h[:, care] == 1)].sum()
    assert p11 > lp[pol] * lp[care]
    assert cm.conditional_caught().sum() == pytest.approx(1.0)


def test_pseudonyms_unique_and_marked() -> None:
    """Distinct counters give distinct pseudonyms with the prefix and the canary marker."""
    counters = np.arange(200_000, dtype=np.int64) + (5 << 28)
    ids = pseudonyms(counters, 9, "reg").to_pylist()
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(f"reg{CANARY_PATTERN}", s) for s in ids[:1000])
    assert pseudonyms(counters[:10], 9, "per").to_pylist() != pseudonyms(counters[:10], 10, "per").to_pylist()


def test_scramble_is_a_bijection_on_a_block() -> None:
    """The keyed 48-bit mix maps a block of counters one-to-one and stays below 2**48."""
    x = scramble(np.arange(1 << 18, dtype=np.int64), 1, "off")
    assert np.unique(x).size == 1 << 18
    assert int(x.max()) < 1 << 48


def test_first_event_table_shape(synth_small) -> None:
    """The reference table has one row per cohort person with times within seven years."""
    df = first_event_table(synth_small)
    assert len(df) > 300
    assert set(df.columns) >= {"time", "event", "exploitation_form", "sex", "is_minor"}
    assert df.time.between(1, 2557).all()
    assert set(df.event.unique()) <= {0, 1}
    assert 0.3 < df.event.mean() < 0.65
    assert not df.astype(str).apply(lambda c: c.str.contains("-syn")).any().any()
