"""Fixtures of the network tests: the hand-built sources (netdata.py) and a hand-made cohort."""

from __future__ import annotations

import pytest

from revict.contract import load_schema
from revict.load import load_sources
from tests.networks.netdata import make_cohort, write_sources


@pytest.fixture
def hand_sources(tmp_path):
    """The hand-built network's sources, loaded."""
    return load_sources(load_schema(), write_sources(tmp_path / "data"))


@pytest.fixture
def hand_cohort():
    """PA followed 365 days, PB 2557 days, PC 100 days."""
    return make_cohort([("PA", "2015-01-10", 365), ("PB", "2015-03-01", 2557), ("PC", "2016-05-01", 100)])
