"""``revict validate``: exit codes 0/1/2, summary, JSON and HTML outputs."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from revict.cli.main import app
from revict.contract.schema_io import DEFAULT_SCHEMA_PATH
from tests.validate.vdata import clean_tables, write_tables

SCHEMA = str(DEFAULT_SCHEMA_PATH)
runner = CliRunner()


def test_valid_data_exit_0_with_verdict(tmp_path: Path) -> None:
    """Clean data exit 0 and print a VALID verdict."""
    data = write_tables(tmp_path / "d", clean_tables())
    res = runner.invoke(app, ["validate", "--schema", SCHEMA, "--data", str(data)])
    assert res.exit_code == 0, res.output
    assert "VALID:" in res.output


def test_warnings_alone_exit_0(tmp_path: Path) -> None:
    """An unexpected column (a warning) still exits 0."""
    t = clean_tables()
    for row in t["persons"]:
        row["extra"] = "x"
    data = write_tables(tmp_path / "d", t)
    res = runner.invoke(app, ["validate", "--schema", SCHEMA, "--data", str(data)])
    assert res.exit_code == 0, res.output
    assert "column_unexpected" in res.output


def test_errors_exit_1_and_write_reports(tmp_path: Path) -> None:
    """An error exits 1; --json and --html are written and hold no raw value."""
    t = clean_tables()
    t["persons"][0]["birth_year"] = "19qq7"
    data = write_tables(tmp_path / "d", t)
    out_json, out_html = tmp_path / "o" / "r.json", tmp_path / "o" / "r.html"
    res = runner.invoke(
        app, ["validate", "--schema", SCHEMA, "--data", str(data), "--json", str(out_json), "--html", str(out_html)]
    )
    assert res.exit_code == 1, res.output
    assert "NOT VALID" in res.output
    assert "type_invalid" in res.output
    report = json.loads(out_json.read_text(encoding="utf-8"))
    assert report["valid"] is False
    for text in (res.output, out_json.read_text(encoding="utf-8"), out_html.read_text(encoding="utf-8")):
        assert "19qq7" not in text
        assert "per-p00000000x" not in text


def test_missing_data_folder_exit_2(tmp_path: Path) -> None:
    """A data folder that does not exist exits 2 with a hint."""
    res = runner.invoke(app, ["validate", "--schema", SCHEMA, "--data", str(tmp_path / "nope")])
    assert res.exit_code == 2


def test_unreadable_schema_exit_2(tmp_path: Path) -> None:
    """A schema file that is not valid exits 2."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema_version: 1\nname: x\nsources: [\n", encoding="utf-8")
    data = write_tables(tmp_path / "d", clean_tables())
    res = runner.invoke(app, ["validate", "--schema", str(bad), "--data", str(data)])
    assert res.exit_code == 2
    missing = runner.invoke(app, ["validate", "--schema", str(tmp_path / "none.yaml"), "--data", str(data)])
    assert missing.exit_code == 2
