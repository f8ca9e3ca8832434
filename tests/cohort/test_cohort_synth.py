"""The cohort builder on synthetic registers: agreement with synth's plain-SQL reference, no pseudonym leaks."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from revict.cli.main import app
from revict.cohort import build_cohort, load_cohort, write_cohort_tables
from revict.contract import load_schema
from revict.load import load_sources
from revict.synth import CANARY_PATTERN, first_event_table

REPO = Path(__file__).resolve().parents[2]
NR = REPO / "cohorts" / "nr-seven-year.yaml"


def test_first_event_table_agrees_with_synth_reference(synth_small: Path) -> None:
    """Time and outcome per person equal the independent plain-SQL reference table of revict.synth."""
    tables = build_cohort(load_sources(load_schema(), synth_small), load_cohort(NR))
    ref = first_event_table(synth_small)
    keys = ["index_year", "exploitation_form", "sex", "time", "event"]
    ours = tables.first_event.assign(event=(tables.first_event["status"] == 1).astype(int))
    a = sorted(map(tuple, ours[keys].astype(str).to_numpy().tolist()))
    b = sorted(map(tuple, ref[keys].astype(str).to_numpy().tolist()))
    assert len(a) == len(b) > 100
    assert a == b


def test_no_pseudonym_in_outputs_meant_for_reading(synth_small: Path, tmp_path: Path) -> None:
    """attrition.json and the CLI output hold no synthetic pseudonym, while the researcher tables do."""
    canary = re.compile(CANARY_PATTERN)
    tables = build_cohort(load_sources(load_schema(), synth_small), load_cohort(NR), cohort_path=NR)
    paths = write_cohort_tables(tables, tmp_path / "out")
    assert not canary.search(paths["attrition_json"].read_text())
    assert canary.search(str(tables.first_event["person_id"].iloc[0]))
    result = CliRunner().invoke(
        app, ["cohort", "build", str(NR), "--data", str(synth_small), "--out", str(tmp_path / "cli")]
    )
    assert result.exit_code == 0, result.output
    assert not canary.search(result.output)


def test_shipped_cohorts_build_on_synthetic_data(synth_small: Path) -> None:
    """Every shipped cohort builds on synthetic data and its attrition ends with its cohort size."""
    sources = load_sources(load_schema(), synth_small)
    for path in sorted((REPO / "cohorts").glob("*.yaml")):
        spec = load_cohort(path)
        tables = build_cohort(sources, spec)
        assert tables.attrition["n_remaining"].iloc[-1] == tables.n > 0
        if "age_group" in spec.restrict:
            assert tables.first_event["is_minor"].all()
