"""The report: JSON shape, ordering, summary, HTML page, and the synthetic data passing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from revict.contract.schema_io import DEFAULT_SCHEMA_PATH
from revict.synth import CANARY_PATTERN
from revict.validate import ValidationReport, validate
from tests.validate.vdata import clean_tables, one, run, write_tables

REQUIRED_CHECK_KEYS = {"id", "severity", "source", "column", "failed_rows", "total_rows", "message", "examples"}


@pytest.fixture(scope="module")
def dirty_report(tmp_path_factory: pytest.TempPathFactory) -> ValidationReport:
    t = clean_tables()
    t["persons"][0]["sex"] = "<script>alert(1)</script>"
    t["victimisations"][0]["incident_date"] = "2030-01-01"
    for row in t["persons"]:
        row["notes"] = ""
    t["persons"][1]["notes"] = "mail jan.jansen@example.nl"
    return run(write_tables(tmp_path_factory.mktemp("dirty"), t))


def test_json_has_the_issue_shape(dirty_report: ValidationReport, tmp_path: Path) -> None:
    """write_json writes valid, schema, files and checks with the required keys; valid is false on errors."""
    path = dirty_report.write_json(tmp_path / "out" / "report.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["valid"] is False
    assert data["schema"] == "nl-trafficking"
    assert set(data["files"]["persons"]) >= {"path", "rows", "sha256"}
    assert data["files"]["persons"]["rows"] == 20
    for c in data["checks"]:
        assert REQUIRED_CHECK_KEYS <= set(c)
        assert c["category"] in {"conformance", "completeness", "plausibility"}
        for e in c["examples"]:
            assert isinstance(e["row"], int)
            assert isinstance(e["value"], str)
    assert any(c["failed_rows"] == 0 for c in data["checks"])


def test_checks_are_sorted_worst_first(dirty_report: ValidationReport) -> None:
    """Failed errors come before failed warnings, which come before passed checks."""
    ranks = [(c.passed, c.severity != "error") for c in dirty_report.checks]
    assert ranks == sorted(ranks)
    assert dirty_report.checks[0].is_error


def test_valid_is_false_exactly_when_an_error_fails(dirty_report: ValidationReport) -> None:
    """valid, exit_code and the verdict agree with the failed error checks."""
    assert dirty_report.n_errors == sum(c.is_error for c in dirty_report.checks) > 0
    assert dirty_report.exit_code == 1
    assert dirty_report.verdict().startswith("NOT VALID")


def test_summary_is_one_row_per_check(dirty_report: ValidationReport) -> None:
    """summary() has a row per check in report order."""
    df = dirty_report.summary()
    assert len(df) == len(dirty_report.checks)
    assert list(df["id"][:3]) == [c.id for c in dirty_report.checks[:3]]


def test_html_is_offline_escaped_and_masked(dirty_report: ValidationReport, tmp_path: Path) -> None:
    """The HTML page has no external assets or scripts, and no raw failing value."""
    text = dirty_report.write_html(tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<script" not in text.lower()
    assert "http://" not in text
    assert "https://" not in text
    assert "jan.jansen" not in text
    assert "2030-01-01" not in text
    assert "&lt;email&gt;" in text
    assert one(dirty_report, "enum_invalid", "persons", "sex").examples[0].value == "<***********************>"


def test_synthetic_data_pass_without_errors(tmp_path_factory: pytest.TempPathFactory) -> None:
    """revict synth data (2,000 victims) validate with no error, and no pseudonym reaches the report."""
    from revict.synth import synthesize

    folder = tmp_path_factory.mktemp("synth2000")
    synthesize(folder, victims=2000, seed=1)
    report = validate(DEFAULT_SCHEMA_PATH, folder)
    assert [(c.id, c.source, c.column) for c in report.checks if c.is_error] == []
    assert report.valid
    assert not any(c.id == "check_crashed" for c in report.checks)
    text = json.dumps(report.to_dict())
    assert re.search(CANARY_PATTERN, text) is None
    link_rates = report.diagnostics["link_rates"]
    assert set(link_rates) == {"victim_registrations", "victimisations"}


def test_parquet_extracts_validate_like_csv(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Synthetic Parquet extracts validate with no error, as their CSV twins do."""
    from revict.synth import synthesize

    folder = tmp_path_factory.mktemp("synth_parquet")
    synthesize(folder, victims=300, seed=3, fmt="parquet")
    report = validate(DEFAULT_SCHEMA_PATH, folder)
    assert report.valid
    assert {f["path"].rsplit(".", 1)[-1] for f in report.files.values()} == {"parquet"}
