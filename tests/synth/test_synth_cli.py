"""End-to-end tests of ``revict synth`` on the command line."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from revict.cli.main import app
from revict.synth import CANARY_PATTERN, SOURCES


def test_cli_writes_sources_and_truth_without_echoing_pseudonyms(tmp_path: Path) -> None:
    """`revict synth` writes the four sources and truth.json and prints no pseudonym."""
    result = CliRunner().invoke(app, ["synth", "--out", str(tmp_path), "--victims", "120", "--seed", "4"])
    assert result.exit_code == 0, result.output
    for name in SOURCES:
        assert (tmp_path / f"{name}.csv").is_file()
    assert (tmp_path / "truth.json").is_file()
    assert "120" in result.output
    assert not re.search(CANARY_PATTERN, result.output)


def test_cli_parquet_and_bad_format(tmp_path: Path) -> None:
    """--format parquet writes Parquet; an unknown format exits with code 2 and writes nothing."""
    ok = CliRunner().invoke(app, ["synth", "--out", str(tmp_path / "p"), "--victims", "60", "--format", "parquet"])
    assert ok.exit_code == 0, ok.output
    assert (tmp_path / "p" / "persons.parquet").is_file()
    bad = CliRunner().invoke(app, ["synth", "--out", str(tmp_path / "x"), "--format", "xlsx"])
    assert bad.exit_code == 2
    assert not (tmp_path / "x").exists()
