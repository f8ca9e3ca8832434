"""`revict run` and `revict report` end to end on small synthetic data."""

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from revict.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
COHORT = str(ROOT / "cohorts" / "nr-seven-year.yaml")
SCHEMA = str(ROOT / "schemas" / "nl-trafficking.yaml")
runner = CliRunner()


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    from revict.synth import synthesize

    out = tmp_path_factory.mktemp("synth")
    synthesize(out, victims=1200, seed=11)
    return out


@pytest.fixture(scope="module")
def run_out(data, tmp_path_factory) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("run")
    result = runner.invoke(
        app,
        ["run", COHORT, "--schema", SCHEMA, "--data", str(data), "--out", str(out), "--lang", "nl", "--no-prediction"],
    )
    return out, result


def test_run_goes_from_data_to_report(run_out):
    """`revict run` validates, builds, analyses, networks and reports, printing each step and the report path."""
    out, result = run_out
    assert result.exit_code == 0, result.output
    for step in ("validate", "cohort", "analyse", "network", "disclose"):
        assert re.search(rf"^{step}\b", result.output, re.M), step
    report = out / "report-nl.html"
    assert f"report: {report}" in result.output.replace("\n", "")
    assert (out / "results.json").is_file()
    assert (out / "network_aggregates.json").is_file()
    html = report.read_text(encoding="utf-8")
    assert "SYNTHETISCHE DATA" in html  # data folder holds truth.json
    assert re.search(r"-syn[0-9a-f]{12}", html) is None


def test_report_reuses_existing_results(run_out, data, tmp_path):
    """`revict report --results DIR` renders from the existing results.json without analysing again."""
    out, _ = run_out
    target = tmp_path / "brief-en.html"
    result = runner.invoke(
        app,
        [
            "report",
            COHORT,
            "--schema",
            SCHEMA,
            "--data",
            str(data),
            "--out",
            str(target),
            "--results",
            str(out),
            "--lang",
            "en",
            "--spec",
            str(ROOT / "reports" / "full.yaml"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "analysing first" not in " ".join(result.output.split())
    assert '<html lang="en">' in target.read_text(encoding="utf-8")


def test_report_analyses_first_when_results_are_missing(data, tmp_path):
    """Without results.json in the output folder, `revict report` runs the analysis first."""
    target = tmp_path / "r" / "report.html"
    result = runner.invoke(app, ["report", COHORT, "--schema", SCHEMA, "--data", str(data), "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert "analysing first" in " ".join(result.output.split())
    assert (tmp_path / "r" / "results.json").is_file()
    assert target.is_file()


def test_blocked_release_exits_3(run_out, data, tmp_path):
    """A report spec whose threshold exceeds the cohort size blocks the release with exit code 3."""
    out, _ = run_out
    spec = tmp_path / "strict.yaml"
    spec.write_text("name: strict\ndisclosure: {min_cell: 1000000}\n", encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "report",
            COHORT,
            "--schema",
            SCHEMA,
            "--data",
            str(data),
            "--out",
            str(tmp_path / "x.html"),
            "--results",
            str(out),
            "--spec",
            str(spec),
        ],
    )
    assert result.exit_code == 3
    assert not (tmp_path / "x.html").exists()


def test_failed_validation_exits_1(data, tmp_path):
    """`revict run` stops with exit code 1 when the extracts fail validation."""
    bad = tmp_path / "bad"
    shutil.copytree(data, bad)
    persons = bad / "persons.csv"
    lines = persons.read_text(encoding="utf-8").splitlines()
    persons.write_text("\n".join([lines[0], *lines[1:], lines[1]]) + "\n", encoding="utf-8")  # duplicate person
    result = runner.invoke(app, ["run", COHORT, "--schema", SCHEMA, "--data", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1, result.output
    assert not (tmp_path / "o" / "results.json").exists()


def test_bad_language_is_a_usage_error(data, tmp_path):
    """--lang other than nl or en exits with code 2."""
    result = runner.invoke(
        app, ["report", COHORT, "--data", str(data), "--out", str(tmp_path / "x.html"), "--lang", "de"]
    )
    assert result.exit_code == 2
