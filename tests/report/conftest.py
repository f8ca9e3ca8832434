import importlib.util
import sys
from pathlib import Path

import pytest

from revict.disclosure import DisclosureRules, Released, apply_disclosure
from revict.report import load_report_spec

ROOT = Path(__file__).resolve().parents[2]
_path = ROOT / "tests" / "disclosure" / "_fixture.py"
if "revict_results_fixture" not in sys.modules:
    _spec = importlib.util.spec_from_file_location("revict_results_fixture", _path)
    assert _spec
    assert _spec.loader
    _mod = importlib.util.module_from_spec(_spec)
    sys.modules["revict_results_fixture"] = _mod
    _spec.loader.exec_module(_mod)
fixture_mod = sys.modules["revict_results_fixture"]

DESIGN = {
    "cohort_name": "nr-seven-year",
    "entry_window": "2012-01-01 – 2016-12-31",
    "follow_up_days": 2557,
    "outcome": "any",
}


@pytest.fixture(scope="session")
def results() -> dict:
    out = fixture_mod.make_results()
    out["hidden_population"] = fixture_mod.make_hidden_section()
    return out


@pytest.fixture(scope="session")
def released(results) -> Released:
    return apply_disclosure(results, DisclosureRules(), design=DESIGN)


@pytest.fixture(scope="session")
def full_spec():
    return load_report_spec(ROOT / "reports" / "full.yaml")


@pytest.fixture(scope="session")
def report_files(tmp_path_factory, released, full_spec) -> dict[str, Path]:
    from revict.report import render_report

    out = tmp_path_factory.mktemp("report")
    return {lang: render_report(released, full_spec, out / f"report-{lang}.html", lang=lang) for lang in ("en", "nl")}
