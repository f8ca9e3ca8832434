"""The cohort file's `hidden:` block: validation, precedence of flags, use by `revict hidden` and `revict run`."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from revict._core.errors import SpecError
from revict._core.results import read_results
from revict.cli.main import app
from revict.cohort import load_cohort
from revict.contract import DEFAULT_SCHEMA_PATH, load_schema
from revict.contract.schema_io import REPO_ROOT
from revict.hidden.histories import DEFAULT_LIST_MAP
from revict.hidden.registers import estimate_from_registers, resolve_settings
from revict.load import load_sources

runner = CliRunner()
COHORT = REPO_ROOT / "cohorts" / "nr-seven-year.yaml"
MERGED = {
    "police": "P",
    "border_police": "P",
    "labour_inspectorate": "I",
    "care_coordinator": "RO",
    "shelter": "RO",
    "other": "Z",
}


def _cohort(tmp_path: Path, hidden: dict[str, object]) -> Path:
    doc = yaml.safe_load(COHORT.read_text(encoding="utf-8"))
    doc["hidden"] = hidden
    path = tmp_path / "cohort.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def test_shipped_cohort_states_the_default_lists() -> None:
    """nr-seven-year.yaml spells out the default mapping (so the file documents what `revict run` does) and minors."""
    spec = load_cohort(COHORT)
    assert spec.hidden.lists == DEFAULT_LIST_MAP
    assert (spec.hidden.period, spec.hidden.strata, spec.hidden.rule, spec.hidden.threshold) == (
        "all",
        ("minor",),
        "stepwise",
        0.02,
    )


@pytest.mark.parametrize(
    ("hidden", "needle"),
    [
        ({"lists": {"police": "P", "shelter": "P"}}, "fewer than two lists"),
        ({"lists": {"police": "P", "courts": "C"}}, "hidden.lists.courts (the key)"),
        ({"lists": {"police": "P", "shelter": "a b"}}, "hidden.lists"),
        ({"strata": ["sex", "sex"]}, "named twice"),
        ({"strata": ["religion"]}, "hidden.strata"),
        ({"rule": "lasso"}, "hidden.rule"),
        ({"threshold": 0}, "hidden.threshold"),
        ({"period": "month"}, "hidden.period"),
    ],
)
def test_bad_hidden_block_names_the_key(tmp_path: Path, hidden: dict[str, object], needle: str) -> None:
    """A wrong `hidden:` setting is a SpecError that points at the key and says what to write."""
    with pytest.raises(SpecError) as err:
        load_cohort(_cohort(tmp_path, hidden))
    assert needle in str(err.value)


def test_arguments_override_the_cohort_which_overrides_defaults(tmp_path: Path) -> None:
    """Precedence: argument > cohort file > default."""
    spec = load_cohort(_cohort(tmp_path, {"lists": MERGED, "strata": ["sex"], "rule": "bic"}))
    s = resolve_settings(spec)
    assert (s["lists"], s["strata"], s["rule"], s["threshold"], s["period"]) == (MERGED, ["sex"], "bic", 0.02, "all")
    s = resolve_settings(spec, strata=(), rule="main", period="year", threshold=0.05)
    assert (s["strata"], s["rule"], s["period"], s["threshold"]) == ([], "main", "year", 0.05)
    assert resolve_settings(None)["lists"] == DEFAULT_LIST_MAP


def test_merged_lists_from_the_cohort_reach_the_estimate(synth_small: Path, tmp_path: Path) -> None:
    """Reporters sharing a list name in the cohort are one list in the estimate, and results.json says so."""
    spec = load_cohort(_cohort(tmp_path, {"lists": MERGED, "rule": "main"}))
    sources = load_sources(load_schema(DEFAULT_SCHEMA_PATH), synth_small)
    est = estimate_from_registers(sources, spec)
    assert est.result.table.lists == ("P", "I", "RO", "Z")
    assert est.result.rule == "main"
    section = est.to_dict()
    assert section["list_reporters"]["RO"] == ["care_coordinator", "shelter"]
    assert section["settings"]["lists"] == MERGED
    assert "stratified" not in section
    # merging lists can only lose persons' distinctions, never persons
    unmerged = estimate_from_registers(sources, spec, lists=DEFAULT_LIST_MAP)
    assert unmerged.result.n_observed == est.result.n_observed


def test_hidden_cli_takes_strata_from_the_cohort_and_flags_override(synth_small: Path, tmp_path: Path) -> None:
    """`revict hidden COHORT` uses the cohort's strata; `--strata ''` turns them off."""
    cohort = _cohort(tmp_path, {"strata": ["sex"]})
    base = ["hidden", str(cohort), "--data", str(synth_small), "--bootstrap", "0"]
    r = runner.invoke(app, [*base, "--out", str(tmp_path / "a")])
    assert r.exit_code == 0, r.output
    sec = read_results(tmp_path / "a")["hidden_population"]
    assert sec["stratified"]["by"] == ["period", "sex"]
    assert sec["settings"]["strata"] == ["sex"]
    r = runner.invoke(app, [*base, "--out", str(tmp_path / "b"), "--strata", ""])
    assert r.exit_code == 0, r.output
    sec = read_results(tmp_path / "b")["hidden_population"]
    assert "stratified" not in sec
    assert sec["settings"]["strata"] == []


def test_run_uses_the_cohort_hidden_block(synth_small: Path, tmp_path: Path) -> None:
    """`revict run` estimates with the cohort's lists and rule (no flags needed)."""
    cohort = _cohort(tmp_path, {"lists": MERGED, "rule": "main", "strata": ["minor"]})
    out = tmp_path / "out"
    args = ["run", str(cohort), "--data", str(synth_small), "--out", str(out), "--no-prediction", "--lang", "en"]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    hp = read_results(out)["hidden_population"]
    assert hp["status"] == "estimated"
    assert hp["capture_histories"]["lists"] == ["P", "I", "RO", "Z"]
    assert hp["rule"]["name"] == "main"
    assert hp["stratified"]["by"] == ["period", "minor"]
    assert "add up to" in r.output


def test_cli_error_shows_bracketed_text_verbatim(tmp_path: Path, synth_small: Path) -> None:
    """Error text is printed as text, not as console markup (a `[key]`-like part is not swallowed)."""
    cohort = _cohort(tmp_path, {"lists": {"police": "P", "courts": "C"}})
    r = runner.invoke(app, ["hidden", str(cohort), "--data", str(synth_small), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2
    assert "hidden.lists.courts (the key)" in r.output
