"""Fixtures of the model tests."""

from __future__ import annotations

import pytest

from revict.cohort.tables import CohortTables
from tests.models._models_factory import make_tables


@pytest.fixture
def tables() -> CohortTables:
    return make_tables()
