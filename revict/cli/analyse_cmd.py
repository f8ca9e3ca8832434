"""``revict analyse``: cohort file + registers -> survival models -> results.json and tables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from revict.cli._common import CohortArg, DataOpt, SchemaOpt, console, echo_path, err_console, handle_errors, working
from revict.contract import DEFAULT_SCHEMA_PATH


def _fmt(v: object, pct: bool = True) -> str:
    if v is None:
        return "–"
    return f"{float(v):.1%}" if pct else f"{float(v):.2f}"  # type: ignore[arg-type]


def _summary_table(result: object) -> Table:
    from revict.models import AnalysisResult

    assert isinstance(result, AnalysisResult)
    table = Table(title="Re-victimisation (1 − Kaplan–Meier), whole cohort", title_justify="left")
    for col in ("year", "estimate", "95% CI", "at risk"):
        table.add_column(col, justify="right")
    for r in result.first_event["cumulative_incidence"]["all"]["all"]:
        table.add_row(
            str(r["year"]), _fmt(r["estimate"]), f"{_fmt(r['ci_lower'])} – {_fmt(r['ci_upper'])}", f"{r['at_risk']:,}"
        )
    return table


@handle_errors
def analyse(
    cohort: CohortArg,
    data: DataOpt,
    out: Annotated[Path, typer.Option("--out", help="Folder for results.json and tables/.")],
    schema: SchemaOpt = DEFAULT_SCHEMA_PATH,
    conf_type: Annotated[
        str, typer.Option("--conf-type", help="CI transform of survival curves: log (R's default) or log-log.")
    ] = "log",
    no_prediction: Annotated[
        bool, typer.Option("--no-prediction", help="Skip the risk-prediction models (faster).")
    ] = False,
    seed: Annotated[int, typer.Option(help="Seed of the risk-prediction train/test split.")] = 20211207,
    cox_strata: Annotated[
        str | None,
        typer.Option(
            "--cox-strata",
            help="Stratify the Cox model by this covariate (own baseline hazard per level, no HR for it), "
            "as R's coxph(... + strata(x)).",
        ),
    ] = None,
) -> None:
    """Fit KM, competing risks, Cox (+ PH test), log-rank, RMST, MCF, Andersen–Gill and PWP; write results.json."""
    import warnings

    from revict._core.errors import RevictWarning
    from revict.cohort import build_cohort, load_cohort
    from revict.contract import load_schema
    from revict.load import load_sources
    from revict.models import analyse as run_analysis

    if conf_type not in ("log", "log-log"):
        err_console.print("[bold red]error:[/] --conf-type must be log or log-log")
        raise typer.Exit(2)
    spec = load_cohort(cohort)
    with working("loading the data and building the cohort"):
        sources = load_sources(load_schema(schema), data)
        tables = build_cohort(sources, spec, cohort_path=cohort)
    with working("fitting the models"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RevictWarning)  # listed below and in results.json
        result = run_analysis(
            tables, conf_type=conf_type, seed=seed, prediction=not no_prediction, cox_strata=cox_strata
        )
    path = result.write(out)
    console.print(
        f"cohort {tables.spec.name}: {tables.n:,} persons, {tables.n_events:,} re-victimised", highlight=False
    )
    console.print(_summary_table(result))
    for w in result.warnings:
        console.print(f"[yellow]warning:[/] {escape(w)}", highlight=False)
    echo_path("results", path)
    echo_path("tables", Path(out) / "tables")
