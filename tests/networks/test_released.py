"""Disclosure-safe aggregates: no ids, small counts suppressed with a flag, no maxima."""

from __future__ import annotations

import json

import pytest

from revict.networks import build_offender_network, network_measures, released_aggregates


@pytest.fixture
def result(hand_sources):
    return network_measures(build_offender_network(hand_sources, all_data=True))


def _counts(obj, path=""):
    """Yield (key path, value) of every integer in a nested dict/list."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _counts(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _counts(v, f"{path}[{i}]")
    elif isinstance(obj, int) and not isinstance(obj, bool):
        yield path, obj


def test_released_aggregates_hold_no_pseudonym_or_date(result):
    """No offender, person or event pseudonym and no date appears in the released aggregates."""
    text = json.dumps(released_aggregates(result, min_cell=1), allow_nan=False)
    for marker in ("offender-O", "person-P", "event-", "2015-", "2016-"):
        assert marker not in text


def test_counts_under_min_cell_are_suppressed_and_flagged(result):
    """With min_cell 3 every published count is 0 or at least 3, and each suppressed key is listed."""
    rel = released_aggregates(result, min_cell=3)
    skip = {"min_cell", "year"}
    for path, v in _counts(rel):
        if path.rsplit(".", 1)[-1] not in skip and not path.endswith("].year"):
            assert v == 0 or v >= 3, path
    assert rel["has_suppressed"] is True
    assert "recurring.by_kind.returning" in rel["suppressed"]
    assert rel["recurring"]["by_kind"]["returning"] is None


def test_a_single_suppressed_cell_triggers_a_second_suppression(result):
    """One small cell also hides the smallest other cell of its table; two small cells do not."""
    rel = released_aggregates(result, min_cell=2)
    kinds = rel["recurring"]["by_kind"]
    assert kinds["returning"] is None
    assert kinds["both"] is None
    assert kinds["serial"] == 2
    assert kinds["repeat"] == 2
    vpo = rel["victims_per_offender"]
    assert vpo["3-4"] is None
    assert vpo["2"] is None
    assert vpo["1"] == 8


def test_maxima_and_largest_component_are_not_published(result):
    """Neither the largest component nor any maximum or minimum is in the released output."""
    rel = released_aggregates(result, min_cell=1)
    keys = {p.rsplit(".", 1)[-1] for p, _ in _counts(rel)}
    assert not keys & {"max", "min", "largest"}
    assert "largest" not in json.dumps(rel)


def test_shares_need_enough_in_numerator_and_complement(result):
    """A share is published only when its numerator and complement reach min_cell."""
    assert released_aggregates(result, min_cell=2)["recurring"]["share"] == pytest.approx(0.545)
    rel = released_aggregates(result, min_cell=6)
    assert rel["recurring"]["share"] is None  # complement is 5
    assert rel["recurring"]["n"] == 6
    assert rel["revictimisation_index_perpetrator"]["lower"] is None


def test_binned_distributions_add_up(result):
    """Without suppression the victims-per-offender bins add up to the number of offenders."""
    rel = released_aggregates(result, min_cell=1)
    assert sum(rel["victims_per_offender"].values()) == rel["offenders"] == 11
    assert rel["components"]["size_distribution"] == {"2": 0, "3-4": 1, "5-9": 0, "10-49": 1, "50+": 0}
    assert rel["suppressed"] == []
