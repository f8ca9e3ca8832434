"""Privacy canary: synthetic pseudonyms never reach a terminal, a log, or any released output."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from revict.cli.main import app
from revict.synth import CANARY_PATTERN

REPO = Path(__file__).resolve().parents[2]
CANARY = re.compile(CANARY_PATTERN.encode())
#: researcher-only outputs: allowed (and expected) to hold pseudonyms
RESEARCHER_ONLY = {
    "results.json",
    "first_event.parquet",
    "recurrent.parquet",
    "outcome_events.parquet",
    "network.graphml",
    "network.gexf",
    "network_offenders.parquet",
}


@pytest.fixture(scope="module")
def pipeline(synth_small: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    out = tmp_path_factory.mktemp("canary")
    runner = CliRunner()
    handler = _Collect()
    logger = logging.getLogger("revict")
    old = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        outputs = []
        for args in (
            ["validate", "--schema", str(REPO / "schemas/nl-trafficking.yaml"), "--data", str(synth_small), "--all"],
            [
                "-v",
                "run",
                str(REPO / "cohorts/nr-seven-year.yaml"),
                "--data",
                str(synth_small),
                "--out",
                str(out),
                "--no-prediction",
            ],
            [
                "network",
                str(REPO / "cohorts/nr-seven-year.yaml"),
                "--data",
                str(synth_small),
                "--out",
                str(out),
                "--html",
                str(out / "network.html"),
            ],
        ):
            res = runner.invoke(app, args)
            assert res.exit_code == 0, res.output
            outputs.append(res.output)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old)
    return out, "\n".join(outputs), "\n".join(handler.lines)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def test_terminal_output_has_no_pseudonym(pipeline: tuple[Path, str, str]) -> None:
    """Nothing printed by validate, run or network contains a pseudonym."""
    _, terminal, _ = pipeline
    assert "report" in terminal
    assert not CANARY.search(terminal.encode())


def test_logs_have_no_pseudonym(pipeline: tuple[Path, str, str]) -> None:
    """The revict logger at DEBUG level never carries a pseudonym."""
    _, _, logs = pipeline
    assert "cohort attrition" in logs
    assert "cohort sql" in logs
    assert not CANARY.search(logs.encode())


def test_released_outputs_have_no_pseudonym(pipeline: tuple[Path, str, str]) -> None:
    """Every output file except the researcher-only ones is free of pseudonyms."""
    out, _, _ = pipeline
    files = [p for p in out.rglob("*") if p.is_file()]
    released = [p for p in files if p.name not in RESEARCHER_ONLY]
    names = {p.name for p in released}
    assert {"report-nl.html", "validation.json", "validation.html", "network_aggregates.json", "network.html"} <= names
    leaking = [str(p.relative_to(out)) for p in released if CANARY.search(p.read_bytes())]
    assert leaking == []


def test_the_canary_is_detectable(pipeline: tuple[Path, str, str]) -> None:
    """The researcher-only results do hold pseudonyms, so the search above can find them."""
    out, _, _ = pipeline
    assert CANARY.search((out / "results.json").read_bytes())
