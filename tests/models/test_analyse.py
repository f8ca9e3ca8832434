"""analyse(): results.json sections, JSON safety, tables, warnings for bad input, CLI."""

from __future__ import annotations

import json
import sys
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from revict._core.errors import RevictWarning, SpecError
from revict.cohort.tables import CohortTables
from revict.models import analyse
from tests.models._models_factory import make_tables

REPO = Path(__file__).resolve().parents[2]


def _run(tables: CohortTables, **kw: object) -> tuple[object, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = analyse(tables, prediction=False, **kw)  # type: ignore[arg-type]
    return res, [str(w.message) for w in caught if issubclass(w.category, RevictWarning)]


def test_results_have_every_section_and_are_strict_json(tables: CohortTables) -> None:
    """Every documented key is present and the dict serialises without NaN or infinity."""
    res, _ = _run(tables)
    d = res.to_dict()  # type: ignore[attr-defined]
    json.dumps(d, allow_nan=False)
    fe, rec = d["first_event"], d["recurrent"]
    assert set(d) == {"cohort", "first_event", "recurrent", "prediction", "meta", "warnings"}
    assert {"name", "n", "events", "attrition", "descriptives"} <= set(d["cohort"])
    assert {"cumulative_incidence", "km", "competing_risks", "cox", "logrank", "rmst"} <= set(fe)
    assert {"mcf", "mcf_contributors", "offence_by_year", "andersen_gill", "pwp"} <= set(rec)
    rows = fe["cumulative_incidence"]["all"]["all"]
    assert [r["year"] for r in rows] == list(range(1, 8))
    assert {"estimate", "ci_lower", "ci_upper", "at_risk"} <= set(rows[0])
    assert set(fe["cumulative_incidence"]) == {"all", "exploitation_form", "sex", "age_group", "origin"}
    assert {"time", "n_risk", "n_event", "n_censor", "surv", "lower", "upper"} <= set(fe["km"]["sex"]["F"])
    assert {"outcome", "death"} <= set(fe["competing_risks"]["all"]["all"])
    assert fe["cox"]["terms"][0]["term"].startswith("exploitation_form=")
    assert {"term", "log_hr", "se", "robust_se", "hr", "ci_lower", "ci_upper", "p"} <= set(
        rec["andersen_gill"]["terms"][0]
    )
    assert d["meta"]["cohort_sha256"] == "0" * 64
    assert d["meta"]["seeds"]["analysis"] == 20211207


def test_mcf_contributors_count_the_largest_persons(tables: CohortTables) -> None:
    """top1/top2 are the event counts of the two persons with most events in the group."""
    res, _ = _run(tables)
    per_person = tables.recurrent.groupby("person_id")["event"].sum().sort_values(ascending=False)
    c = res.recurrent["mcf_contributors"]["all"]["all"]  # type: ignore[attr-defined]
    assert (c["top1"], c["top2"]) == (per_person.iloc[0], per_person.iloc[1])
    assert c["total_events"] == int(tables.recurrent["event"].sum())
    assert c["n_persons"] == tables.n


def test_descriptives_count_persons_by_form_and_level(tables: CohortTables) -> None:
    """Descriptive counts per exploitation form and reporter add up to the cohort size."""
    res, _ = _run(tables)
    rows = res.cohort["descriptives"]["reporter"]  # type: ignore[attr-defined]
    assert sum(r["n"] for r in rows) == tables.n
    assert "prior_victimisation" in res.cohort["descriptives"]  # type: ignore[attr-defined]


def test_offence_by_year_counts_outcome_events(tables: CohortTables) -> None:
    """Offence-by-year rows add up to the number of outcome events."""
    res, _ = _run(tables)
    rows = res.recurrent["offence_by_year"]  # type: ignore[attr-defined]
    assert sum(r["n_events"] for r in rows) == len(tables.outcome_events)  # type: ignore[arg-type]
    assert all(1 <= r["year_since_index"] for r in rows)


def test_write_puts_sections_and_tables_on_disk(tables: CohortTables, tmp_path: Path) -> None:
    """write() fills results.json and writes a Parquet and CSV table behind each figure."""
    res, _ = _run(tables)
    path = res.write(tmp_path)  # type: ignore[attr-defined]
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["release_status"].startswith("NOT FOR RELEASE")
    assert data["first_event"]["cox"]["n"] == tables.n
    for name in ("km", "cumulative_incidence", "competing_risks", "cox_terms", "mcf", "andersen_gill_terms"):
        assert len(pd.read_parquet(tmp_path / "tables" / f"{name}.parquet")) > 0
        assert (tmp_path / "tables" / f"{name}.csv").is_file()


def test_no_events_gives_warnings_and_nulls_never_nan() -> None:
    """A cohort without events warns, keeps valid JSON, and reports Cox terms as null."""
    res, msgs = _run(make_tables(120, events=False))
    d = res.to_dict()  # type: ignore[attr-defined]
    json.dumps(d, allow_nan=False)
    assert any("no outcome events" in m for m in msgs)
    assert any("no events" in m for m in d["warnings"])
    assert all(t["log_hr"] is None for t in d["first_event"]["cox"]["terms"])
    assert d["first_event"]["logrank"]["sex"] is None
    assert d["first_event"]["cumulative_incidence"]["all"]["all"][6]["estimate"] == 0.0


def test_level_without_events_is_reported(tables: CohortTables) -> None:
    """A covariate level without events is named in a warning and its Cox term is null."""
    fe = tables.first_event.copy()
    fe.loc[fe["exploitation_form"] == "other", "status"] = 0
    res, msgs = _run(replace(tables, first_event=fe))
    assert any("exploitation_form=other" in m for m in res.warnings)  # type: ignore[attr-defined]
    terms = {t["term"]: t for t in res.first_event["cox"]["terms"]}  # type: ignore[attr-defined]
    assert terms["exploitation_form=other"]["hr"] is None


def test_missing_prediction_module_is_a_warning(tables: CohortTables, monkeypatch: pytest.MonkeyPatch) -> None:
    """If revict.models.prediction cannot be imported, prediction is null and a warning says so."""
    monkeypatch.setitem(sys.modules, "revict.models.prediction", None)
    with pytest.warns(RevictWarning, match="prediction"):
        res = analyse(tables, prediction=True)
    assert res.prediction is None
    assert any("prediction" in w for w in res.warnings)


def test_unknown_cox_strata_is_a_spec_error(tables: CohortTables) -> None:
    """Stratifying by a column that does not exist raises SpecError."""
    with pytest.raises(SpecError, match="cox_strata"):
        analyse(tables, prediction=False, cox_strata="shoe_size")


def test_stratified_cox_drops_the_stratum_from_the_terms(tables: CohortTables) -> None:
    """With cox_strata the stratifying covariate has no terms and is recorded."""
    res, _ = _run(tables, cox_strata="origin")
    cox = res.first_event["cox"]  # type: ignore[attr-defined]
    assert cox["strata"] == "origin"
    assert not any(t["term"].startswith("origin=") for t in cox["terms"])


def test_log_log_intervals_are_used_when_asked(tables: CohortTables) -> None:
    """conf_type='log-log' changes the intervals but not the estimates."""
    a, _ = _run(tables)
    b, _ = _run(tables, conf_type="log-log")
    ra = a.first_event["cumulative_incidence"]["all"]["all"][2]  # type: ignore[attr-defined]
    rb = b.first_event["cumulative_incidence"]["all"]["all"][2]  # type: ignore[attr-defined]
    assert ra["estimate"] == rb["estimate"]
    assert ra["ci_lower"] != rb["ci_lower"]


def test_cli_analyse_writes_results(synth_small: Path, tmp_path: Path) -> None:
    """`revict analyse` on synthetic registers exits 0 and writes results.json and tables."""
    from revict.cli.main import app

    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        [
            "analyse",
            str(REPO / "cohorts" / "nr-seven-year.yaml"),
            "--data",
            str(synth_small),
            "--out",
            str(out),
            "--no-prediction",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert data["cohort"]["n"] > 0
    assert np.isfinite(data["first_event"]["cox"]["concordance"])
    assert (out / "tables" / "km.parquet").is_file()


def test_cli_rejects_bad_conf_type(synth_small: Path, tmp_path: Path) -> None:
    """An unknown --conf-type exits with code 2."""
    from revict.cli.main import app

    result = CliRunner().invoke(
        app,
        [
            "analyse",
            str(REPO / "cohorts" / "nr-seven-year.yaml"),
            "--data",
            str(synth_small),
            "--out",
            str(tmp_path),
            "--conf-type",
            "arcsin",
        ],
    )
    assert result.exit_code == 2


def test_single_level_covariate_has_no_logrank_and_a_warning(tables: CohortTables) -> None:
    """A covariate with one level present gives a null log-rank entry and a warning naming it."""
    fe = tables.first_event.assign(sex="F")
    res, _ = _run(replace(tables, first_event=fe))
    assert res.first_event["logrank"]["sex"] is None  # type: ignore[attr-defined]
    assert any("Log-rank test for sex" in w for w in res.warnings)  # type: ignore[attr-defined]


def test_outputs_hold_no_pseudonym(tables: CohortTables, tmp_path: Path) -> None:
    """No person pseudonym reaches results.json or any table written by analyse."""
    res, _ = _run(tables)
    res.write(tmp_path)  # type: ignore[attr-defined]
    marker = "per-test"
    assert marker in tables.first_event["person_id"].iloc[0]
    assert marker not in (tmp_path / "results.json").read_text(encoding="utf-8")
    for csv in (tmp_path / "tables").glob("*.csv"):
        assert marker not in csv.read_text(encoding="utf-8"), csv.name


@pytest.mark.parametrize(("n", "recurrent"), [(1, True), (3, True), (30, False)])
def test_tiny_or_empty_inputs_give_warnings_not_tracebacks(n: int, recurrent: bool) -> None:
    """A one-person cohort, a three-person cohort or an empty recurrent table still give strict JSON."""
    res, msgs = _run(make_tables(n, recurrent=recurrent))
    json.dumps(res.to_dict(), allow_nan=False)  # type: ignore[attr-defined]
    assert msgs
    assert len(res.warnings) == len(set(res.warnings))  # type: ignore[attr-defined]
