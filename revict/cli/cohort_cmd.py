"""``revict cohort build``: a cohort file + linked registers -> analysis tables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from revict.cli._common import CohortArg, DataOpt, SchemaOpt, console, echo_path, handle_errors
from revict.cohort import CohortTables, build_cohort, load_cohort, write_cohort_tables
from revict.contract import DEFAULT_SCHEMA_PATH, load_schema
from revict.load import load_sources

app = typer.Typer(help="Build analysis tables from a cohort definition (cohorts/*.yaml).", no_args_is_help=True)


def _attrition_table(tables: CohortTables) -> Table:
    table = Table(title=f"Cohort {tables.spec.name}: attrition", title_justify="left")
    table.add_column("step", no_wrap=True)
    table.add_column("description")
    table.add_column("removed", justify="right", no_wrap=True)
    table.add_column("remaining", justify="right", no_wrap=True)
    for step, desc, n_removed, n_remaining in tables.attrition.itertuples(index=False):
        table.add_row(str(step), str(desc), f"{int(n_removed):,}", f"{int(n_remaining):,}")
    return table


@app.command("build")
@handle_errors
def build(
    cohort: CohortArg,
    data: DataOpt,
    out: Annotated[Path, typer.Option("--out", help="Folder for the Parquet tables and attrition.json.")],
    schema: SchemaOpt = DEFAULT_SCHEMA_PATH,
) -> None:
    """Build first-event, recurrent-event, outcome-event and attrition tables (exit 2 on bad input)."""
    spec = load_cohort(cohort)
    sources = load_sources(load_schema(schema), data)
    tables = build_cohort(sources, spec, cohort_path=cohort)
    paths = write_cohort_tables(tables, out)
    console.print(_attrition_table(tables))
    console.print(
        f"{tables.n:,} persons, {tables.n_events:,} with an outcome event "
        f"({int(tables.recurrent['event'].sum()):,} event days in the recurrent table)",
        highlight=False,
    )
    for name, path in paths.items():
        echo_path(name, path)
