"""`revict network` end to end on the hand-built data."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from typer.testing import CliRunner

from revict.cli.main import app
from tests.networks.netdata import oid, write_sources

REPO = Path(__file__).resolve().parents[2]
COHORT = REPO / "cohorts" / "nr-seven-year.yaml"


@pytest.fixture
def data(tmp_path) -> Path:
    return write_sources(tmp_path / "data")


def test_network_all_writes_every_output(data, tmp_path):
    """With --all the command writes the network section, aggregates, exports, per-offender table and HTML."""
    out = tmp_path / "out"
    html = tmp_path / "view.html"
    res = CliRunner().invoke(
        app,
        [
            "network",
            str(COHORT),
            "--data",
            str(data),
            "--out",
            str(out),
            "--all",
            "--html",
            str(html),
            "--seed",
            "5",
            "--ego",
            oid("O3"),
        ],
    )
    assert res.exit_code == 0, res.output
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["release_status"].startswith("NOT FOR RELEASE")
    net = results["network"]
    assert net["scope"] == "all"
    assert net["parameters"]["seed"] == 5
    assert net["recurring_perpetrators"][0] == {"offender_id": oid("O7"), "victims": 3, "events": 3, "kind": "serial"}
    agg = json.loads((out / "network_aggregates.json").read_text(encoding="utf-8"))
    assert agg["min_cell"] == 10
    assert "offender-O" not in json.dumps(agg)
    assert nx.read_graphml(out / "network.graphml").number_of_edges() == 15
    assert nx.read_gexf(out / "network.gexf").number_of_nodes() == 16
    assert len(pd.read_parquet(out / "network_offenders.parquet")) == 10
    page = html.read_text(encoding="utf-8")
    assert "NOT FOR RELEASE" in page
    assert '"title":"ego network 1: offe… (none, 1 victims; radius 2)"' in page  # the chosen ego comes first
    assert "recurring perpetrators" in res.output
    assert "offender-O" not in res.output  # the terminal shows counts, not pseudonyms


def test_network_cohort_scope(data, tmp_path):
    """Without --all the network is the cohort's: persons indexed 2012-2016 and their follow-up."""
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["network", str(COHORT), "--data", str(data), "--out", str(out)])
    assert res.exit_code == 0, res.output
    net = json.loads((out / "results.json").read_text(encoding="utf-8"))["network"]
    assert net["scope"] == "cohort"
    assert net["counts"]["n_victims"] == 3  # PA, PB, PC; PD and PF enter after 2016


def test_unknown_backend_exits_with_usage_error(data, tmp_path):
    """An unknown --backend is a usage error (exit code 2) without a traceback."""
    res = CliRunner().invoke(
        app,
        ["network", str(COHORT), "--data", str(data), "--out", str(tmp_path / "o"), "--all", "--backend", "graphtool"],
    )
    assert res.exit_code == 2
    assert "Traceback" not in res.output


def test_missing_data_folder_is_a_clear_error(tmp_path):
    """A missing data folder exits 2 with a hint, not a traceback."""
    res = CliRunner().invoke(
        app, ["network", str(COHORT), "--data", str(tmp_path / "nope"), "--out", str(tmp_path / "o"), "--all"]
    )
    assert res.exit_code == 2
    assert "does not exist" in " ".join(res.output.split())
