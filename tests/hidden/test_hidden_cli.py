"""`revict hidden` end to end: a table or registers in, results.json section out, exit codes."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from revict._core.results import read_results
from revict.cli.main import app

runner = CliRunner()


def test_table_to_results_json(mse_dir: Path, tmp_path: Path) -> None:
    """A list-overlap table gives exit 0 and a hidden_population section with the published estimate."""
    r = runner.invoke(
        app,
        [
            "hidden",
            "--table",
            str(mse_dir / "mse_us_western_5lists.csv"),
            "--out",
            str(tmp_path),
            "--bootstrap",
            "20",
            "--seed",
            "4",
        ],
    )
    assert r.exit_code == 0, r.output
    sec = read_results(tmp_path)["hidden_population"]
    assert round(sec["estimate"]) == 2483
    assert sec["ci"]["method"] == "bootstrap_bca"
    assert "2,483" in r.output


def test_registers_with_strata(synth_small: Path, tmp_path: Path) -> None:
    """Registers with --strata write a pooled estimate and strata that add up."""
    r = runner.invoke(
        app, ["hidden", "--data", str(synth_small), "--out", str(tmp_path), "--bootstrap", "0", "--strata", "sex"]
    )
    assert r.exit_code == 0, r.output
    sec = read_results(tmp_path)["hidden_population"]
    strat = sec["stratified"]
    assert strat["by"] == ["period", "sex"]
    assert abs(strat["total"] - sum(s["estimate"] for s in strat["strata"])) < 0.1
    assert sec["capture_histories"]["lists"] == ["P", "K", "I", "R", "O", "Z"]


def test_needs_table_or_data(tmp_path: Path) -> None:
    """Without --table or --data the command exits 2 with a hint."""
    r = runner.invoke(app, ["hidden", "--out", str(tmp_path)])
    assert r.exit_code == 2
    assert "--table" in r.output


def test_bad_table_exits_2_naming_the_row(tmp_path: Path) -> None:
    """A malformed table exits 2 and names the row and column."""
    bad = tmp_path / "bad.csv"
    bad.write_text("A,B,n\n1,0,3\n0,7,2\n", encoding="utf-8")
    r = runner.invoke(app, ["hidden", "--table", str(bad), "--out", str(tmp_path)])
    assert r.exit_code == 2
    assert "row 2, column B" in r.output


def test_bad_rule_exits_2(mse_dir: Path, tmp_path: Path) -> None:
    """An unknown --rule is a usage error."""
    r = runner.invoke(
        app, ["hidden", "--table", str(mse_dir / "mse_korea_3lists.csv"), "--out", str(tmp_path), "--rule", "lasso"]
    )
    assert r.exit_code == 2
