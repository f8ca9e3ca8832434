"""``revict network``: offender–victim network -> results.json ``network``, aggregates, GraphML/GEXF, HTML."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from revict.cli._common import CohortArg, DataOpt, SchemaOpt, console, echo_path, err_console, handle_errors
from revict.contract import DEFAULT_SCHEMA_PATH

AGGREGATES_FILE = "network_aggregates.json"
OFFENDERS_FILE = "network_offenders.parquet"


def _summary_table(summary: object) -> Table:
    import pandas as pd

    assert isinstance(summary, pd.DataFrame)
    table = Table(title="Offender-victim network (researcher output, NOT FOR RELEASE)", title_justify="left")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for measure, value in summary.itertuples(index=False):
        if isinstance(value, float):
            text = f"{value:.3f}"
        elif isinstance(value, int):
            text = f"{value:,}"
        else:
            text = "–" if value is None else str(value)
        table.add_row(str(measure), text)
    return table


@handle_errors
def network(
    cohort: CohortArg,
    data: DataOpt,
    out: Annotated[Path, typer.Option("--out", help="Folder for results.json, aggregates and exports.")],
    schema: SchemaOpt = DEFAULT_SCHEMA_PATH,
    all_data: Annotated[
        bool, typer.Option("--all", help="Whole data instead of the cohort's victims and their follow-up.")
    ] = False,
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write the researcher's interactive page (NOT FOR RELEASE).")
    ] = None,
    ego: Annotated[
        list[str] | None,
        typer.Option("--ego", help="Offender id whose ego network comes first in the --html view (repeatable)."),
    ] = None,
    backend: Annotated[
        str, typer.Option("--backend", help="Graph library for k-core, betweenness, communities: networkx or igraph.")
    ] = "networkx",
    seed: Annotated[
        int, typer.Option("--seed", help="Seed of Louvain, the betweenness sample and layouts.")
    ] = 20211207,
    betweenness_sample: Annotated[
        int, typer.Option("--betweenness-sample", min=2, help="Sampled sources for betweenness in large components.")
    ] = 256,
) -> None:
    """Recurring and returning perpetrators, components, co-offending; results.json `network` + exports."""
    from revict._core.io import atomic_path, write_json_atomic
    from revict._core.results import update_results
    from revict.cohort import build_cohort, load_cohort
    from revict.contract import load_schema
    from revict.load import load_sources
    from revict.networks import (
        build_offender_network,
        export_gexf,
        export_graphml,
        network_measures,
        released_aggregates,
        write_network_html,
    )

    if backend not in ("networkx", "igraph"):
        err_console.print("[bold red]error:[/] --backend must be networkx or igraph")
        raise typer.Exit(2)
    spec = load_cohort(cohort)
    sources = load_sources(load_schema(schema), data)
    tables = None if all_data else build_cohort(sources, spec, cohort_path=cohort)
    net = build_offender_network(sources, tables, all_data=all_data)
    result = network_measures(net, seed=seed, backend=backend, betweenness_sample=betweenness_sample)  # type: ignore[arg-type]
    out.mkdir(parents=True, exist_ok=True)
    results_path = update_results(out, "network", result.to_dict())
    agg_path = write_json_atomic(out / AGGREGATES_FILE, released_aggregates(result, min_cell=spec.min_cell))
    with atomic_path(out / OFFENDERS_FILE) as tmp:
        result.offenders.to_parquet(tmp, index=False)
    graphml = export_graphml(net, out / "network.graphml")
    gexf = export_gexf(net, out / "network.gexf")
    console.print(_summary_table(result.summary()))
    echo_path("results (network section, NOT FOR RELEASE)", results_path)
    echo_path("released aggregates", agg_path)
    echo_path("co-offending measures per offender (NOT FOR RELEASE)", out / OFFENDERS_FILE)
    echo_path("GraphML (NOT FOR RELEASE)", graphml)
    echo_path("GEXF (NOT FOR RELEASE)", gexf)
    if html is not None:
        echo_path("network view (NOT FOR RELEASE)", write_network_html(net, result, html, seed=seed, egos=ego or ()))
