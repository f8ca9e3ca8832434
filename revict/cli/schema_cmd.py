"""``revict schema check`` and ``revict schema export``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from revict.cli._common import console, echo_path, handle_errors
from revict.cli._specs import SPEC_MODELS
from revict.contract import export_json_schemas, load_schema
from revict.contract.schema_io import REPO_ROOT

app = typer.Typer(help="Check linkage-schema files and export JSON Schema for editors.", no_args_is_help=True)


@app.command("check")
@handle_errors
def check(file: Annotated[Path, typer.Argument(help="Linkage schema YAML file.")]) -> None:
    """Validate a linkage-schema file; point at the offending key (exit 2 when invalid)."""
    schema = load_schema(file)
    console.print(
        f"[green]ok[/] {file}: schema {schema.name!r}, {len(schema.sources)} sources, "
        f"data window {schema.data_start} to {schema.data_end}",
        highlight=False,
    )


@app.command("export")
@handle_errors
def export(
    out: Annotated[Path, typer.Option(help="Folder for the JSON Schema files.")] = REPO_ROOT / "schemas" / "json",
) -> None:
    """Write JSON Schema for the schema-, cohort- and report-file formats."""
    for p in export_json_schemas(SPEC_MODELS, out):
        echo_path("wrote", p)
