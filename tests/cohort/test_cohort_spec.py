"""Cohort files: the shipped ones load, and bad ones get messages naming the key and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from revict._core.errors import SpecError
from revict.cohort import CohortSpec, load_cohort

REPO = Path(__file__).resolve().parents[2]
GOOD = {"name": "x-cohort", "entry_window": {"start": "2012-01-01", "end": "2016-12-31"}}


def write(tmp_path: Path, data: dict) -> Path:
    p = tmp_path / "cohort.yaml"
    p.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return p


@pytest.mark.parametrize("name", ["nr-seven-year", "serious-crimes", "minors"])
def test_shipped_cohorts_load(name: str) -> None:
    """Each shipped cohort file loads and its name matches the file name."""
    spec = load_cohort(REPO / "cohorts" / f"{name}.yaml")
    assert spec.name == name


def test_shipped_cohort_designs() -> None:
    """The shipped designs say what their comments promise (serious outcome with blackout; minors only)."""
    serious = load_cohort(REPO / "cohorts" / "serious-crimes.yaml")
    assert serious.outcome.category_list() == ("violence", "sexual", "threat", "exploitation")
    assert serious.blackout_days == 30
    minors = load_cohort(REPO / "cohorts" / "minors.yaml")
    assert set(minors.restrict["age_group"]) == {lb for lb in minors.age_group_labels if not lb.endswith("+")}
    assert minors.age_group_labels[-1] == "18+"


@pytest.mark.parametrize(
    ("change", "key", "fix"),
    [
        ({"folow_up_days": 10}, "folow_up_days", "unknown key"),
        ({"follow_up_days": "seven"}, "follow_up_days", "valid integer"),
        ({"entry_window": {"start": "2016-01-01", "end": "2012-12-31"}}, "entry_window", "swap start and end"),
        ({"reference_levels": {"sex": "X"}}, "reference_levels", "choose one of F, M, U"),
        ({"reference_levels": {"age_group": "18-25"}}, "reference_levels", "18-24"),
        ({"restrict": {"origin": ["Mars"]}}, "restrict", "choose from NL, EU"),
        ({"outcome": {"categories": ["robbery"]}}, "outcome.categories", "choose from violence"),
        ({"blackout_days": 3000}, "blackout_days", "shorter than follow_up_days"),
        ({"age_groups": [18, 25]}, "age_groups", "starting at 0"),
        ({"covariates": ["sexx"]}, "covariates", "exploitation_form"),
    ],
)
def test_bad_cohort_file_names_key_and_fix(tmp_path: Path, change: dict, key: str, fix: str) -> None:
    """A bad cohort file raises SpecError naming the file, the key and how to fix it."""
    path = write(tmp_path, {**GOOD, **change})
    with pytest.raises(SpecError) as info:
        load_cohort(path)
    text = str(info.value)
    assert "cohort.yaml" in text
    assert f": {key}" in text
    assert fix in text


def test_wrong_value_is_not_echoed(tmp_path: Path) -> None:
    """A value of the wrong type is not repeated in the message, only the key and the expected type."""
    path = write(tmp_path, {**GOOD, "reference_levels": {"origin": "Secretland"}, "follow_up_days": "Zebra"})
    with pytest.raises(SpecError) as info:
        load_cohort(path)
    assert "Zebra" not in str(info.value)


def test_spec_round_trips_through_yaml(tmp_path: Path) -> None:
    """Dumping a spec to YAML and loading it again gives the same spec."""
    spec = load_cohort(REPO / "cohorts" / "minors.yaml")
    path = write(tmp_path, spec.model_dump(mode="json"))
    assert load_cohort(path) == spec
    assert isinstance(spec, CohortSpec)
