"""The command line: versions, schema check and export, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from revict.cli.main import app

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()


def test_version_lists_key_dependencies() -> None:
    """`revict --version` prints revict's version and those of its key dependencies."""
    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0
    for pkg in ("revict 0.1.0", "duckdb", "lifelines", "scikit-survival", "pydantic"):
        assert pkg in res.output


def test_schema_check_ok() -> None:
    """The shipped schema passes `revict schema check` with exit code 0."""
    res = runner.invoke(app, ["schema", "check", str(REPO / "schemas" / "nl-trafficking.yaml")])
    assert res.exit_code == 0, res.output
    assert "4 sources" in res.output


def test_schema_check_bad_file_exits_2(tmp_path: Path) -> None:
    """An invalid schema file exits with code 2 and names the offending key."""
    bad = tmp_path / "bad.yaml"
    text = (REPO / "schemas" / "nl-trafficking.yaml").read_text(encoding="utf-8")
    bad.write_text(text.replace("min_link_rate: 0.8", "min_link_rate: 1.8"), encoding="utf-8")
    res = runner.invoke(app, ["schema", "check", str(bad)])
    assert res.exit_code == 2
    assert "linkage.min_link_rate" in res.output
    assert "Traceback" not in res.output


def test_schema_check_missing_file_exits_2(tmp_path: Path) -> None:
    """A schema path that does not exist exits with code 2."""
    res = runner.invoke(app, ["schema", "check", str(tmp_path / "none.yaml")])
    assert res.exit_code == 2
    assert "file not found" in res.output


def test_schema_export_writes_json_schema(tmp_path: Path) -> None:
    """`revict schema export --out DIR` writes a JSON Schema per configuration format."""
    res = runner.invoke(app, ["schema", "export", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    schema = json.loads((tmp_path / "linkage-schema.json").read_text(encoding="utf-8"))
    assert schema["title"] == "LinkageSchema"
    assert "data_start" in schema["properties"]
    assert (tmp_path / "cohort.json").is_file()


def test_every_command_has_help() -> None:
    """Every command answers --help."""
    import typer.main

    cmd = typer.main.get_command(app)
    names = list(cmd.commands)  # type: ignore[attr-defined]
    assert {"schema", "synth"} <= set(names)
    for name in names:
        res = runner.invoke(app, [name, "--help"])
        assert res.exit_code == 0, name
        assert "Usage" in res.output


def _analyse_stratified(data: Path, out: Path, strata: str):  # type: ignore[no-untyped-def]
    cohort = str(REPO / "cohorts/nr-seven-year.yaml")
    args = ["analyse", cohort, "--data", str(data), "--out", str(out), "--no-prediction", "--cox-strata", strata]
    return runner.invoke(app, args)


def test_analyse_with_stratified_cox(synth_small: Path, tmp_path: Path) -> None:
    """`revict analyse --cox-strata sex` fits a stratified Cox model without hazard ratios for sex."""
    res = _analyse_stratified(synth_small, tmp_path, "sex")
    assert res.exit_code == 0, res.output
    terms = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))["first_event"]["cox"]["terms"]
    names = [t["term"] for t in terms]
    assert "exploitation_form=labour" in names
    assert not any(n.startswith("sex=") for n in names)


def test_analyse_with_unknown_strata_exits_2(synth_small: Path, tmp_path: Path) -> None:
    """A --cox-strata that is no column of the cohort is a usage error (exit 2), not a traceback."""
    res = _analyse_stratified(synth_small, tmp_path, "shoe_size")
    assert res.exit_code == 2
    assert "shoe_size" in res.output


def test_error_text_is_not_console_markup(capsys: pytest.CaptureFixture[str]) -> None:
    """Messages and hints print verbatim: brackets in them are text, not rich markup, and never wrap."""
    from revict._core.errors import SpecError
    from revict.cli._common import handle_errors

    @handle_errors
    def boom() -> None:
        raise SpecError("cohorts/x.yaml: hidden.lists [key] " + "x" * 150, hint="write [0, 18) as 0")

    with pytest.raises(typer.Exit) as ex:
        boom()
    assert ex.value.exit_code == 2
    err = capsys.readouterr().err
    assert "hidden.lists [key] " + "x" * 150 in err
    assert "write [0, 18) as 0" in err
