"""``revict synth``: synthetic linked registers with a planted truth."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from revict.cli._common import console, echo_path, handle_errors


@handle_errors
def synth(
    out: Annotated[Path, typer.Option(help="Folder to write the synthetic extracts and truth.json into.")],
    victims: Annotated[int, typer.Option(min=50, help="Number of registered victims (persons).")] = 15000,
    seed: Annotated[int, typer.Option(help="Random seed; same seed, same bytes.")] = 1,
    format: Annotated[  # noqa: A002
        str, typer.Option("--format", help="File format: csv or parquet.")
    ] = "csv",
) -> None:
    """Write synthetic registers (persons, victim_registrations, victimisations, perpetrator_links)."""
    from revict.synth import synthesize

    if format not in ("csv", "parquet"):
        console.print("[red]error:[/] --format must be csv or parquet")
        raise typer.Exit(2)
    fmt: Literal["csv", "parquet"] = "csv" if format == "csv" else "parquet"
    result = synthesize(out, victims=victims, seed=seed, fmt=fmt, progress=True)
    for name, path in result.paths.items():
        echo_path(f"{name} ({result.rows[name]:,} rows)", path)
    echo_path("planted truth", result.truth_path)
    console.print("[dim]Synthetic data: every pseudonym contains '-syn'; truth.json records the planted values.[/]")
