import importlib.util
import sys
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("revict_results_fixture", Path(__file__).with_name("_fixture.py"))
assert _spec
assert _spec.loader
fixture_mod = importlib.util.module_from_spec(_spec)
sys.modules["revict_results_fixture"] = fixture_mod
_spec.loader.exec_module(fixture_mod)


@pytest.fixture(scope="session")
def results() -> dict:
    return fixture_mod.make_results()
