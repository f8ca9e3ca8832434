"""Writing cohort tables and the `revict cohort build` command."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from revict._core.model import file_sha256
from revict.cli.main import app
from revict.cohort import build_cohort, read_cohort_tables, write_cohort_tables
from tests.cohort.cohort_factory import d, person, pid, reg, sources_from, spec, vic, write_registers

REPO = Path(__file__).resolve().parents[2]
NR = REPO / "cohorts" / "nr-seven-year.yaml"

PERSONS = [person(1), person(2, death=d(40)), person(3, emig=d(90))]
REGS = [reg("1", 1, d(0)), reg("2", 2, d(0)), reg("3", 3, d(0)), reg("4", None, d(1)), reg("5", 1, d(3))]
VICS = [vic(1, d(10)), vic(1, d(10)), vic(1, d(25)), vic(3, d(80), cat="threat")]


def test_written_tables_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Parquet written in several row groups reads back equal; attrition.json has SHA-256 and fingerprints."""
    monkeypatch.setattr("revict.cohort.write._ROWS_PER_GROUP", 2)
    src = sources_from(tmp_path / "data", PERSONS, REGS, VICS)
    tables = build_cohort(src, spec(), cohort_path=NR)
    paths = write_cohort_tables(tables, tmp_path / "out")
    assert set(paths) == {"first_event", "recurrent", "attrition", "outcome_events", "attrition_json"}
    assert pq.ParquetFile(paths["recurrent"]).num_row_groups > 1
    back = read_cohort_tables(tmp_path / "out")
    pd.testing.assert_frame_equal(back["first_event"], tables.first_event, check_dtype=False)
    pd.testing.assert_frame_equal(back["recurrent"], tables.recurrent)
    pd.testing.assert_frame_equal(back["outcome_events"], tables.outcome_events)
    record = json.loads(paths["attrition_json"].read_text())
    assert record["cohort_sha256"] == file_sha256(NR)
    assert record["data"]["victimisations"]["sha256"] == file_sha256(tmp_path / "data" / "victimisations.csv")
    assert [s["n_remaining"] for s in record["attrition"]] == tables.attrition["n_remaining"].tolist()
    assert (record["n_persons"], record["n_events"]) == (3, 2)
    assert pid(1) not in paths["attrition_json"].read_text()
    assert not list((tmp_path / "out").glob(".*tmp"))


def test_cli_build_prints_attrition_and_writes_tables(tmp_path: Path) -> None:
    """`revict cohort build` prints the attrition table and paths and writes every table (exit 0)."""
    write_registers(tmp_path / "data", PERSONS, REGS, VICS)
    result = CliRunner().invoke(
        app, ["cohort", "build", str(NR), "--data", str(tmp_path / "data"), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    assert "attrition" in result.output
    assert "not_first_registration" in result.output
    assert (tmp_path / "out" / "first_event.parquet").is_file()
    assert (tmp_path / "out" / "attrition.json").is_file()
    assert pid(1) not in result.output


def test_cli_empty_cohort_exits_2_naming_step(tmp_path: Path) -> None:
    """A cohort that selects nobody exits 2 and names the attrition step; nothing is written."""
    write_registers(tmp_path / "data", [person(1)], [reg("1", 1, "2020-02-02")])
    result = CliRunner().invoke(
        app, ["cohort", "build", str(NR), "--data", str(tmp_path / "data"), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 2
    assert "index_outside_entry_window" in result.output
    assert not (tmp_path / "out").exists()


def test_cli_bad_cohort_file_exits_2(tmp_path: Path) -> None:
    """A cohort file with an unknown key exits 2 with the key named."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(NR.read_text().replace("follow_up_days:", "followup_days:"))
    write_registers(tmp_path / "data", PERSONS, REGS, VICS)
    result = CliRunner().invoke(
        app, ["cohort", "build", str(bad), "--data", str(tmp_path / "data"), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 2
    assert "followup_days" in result.output
