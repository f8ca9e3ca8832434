"""``revict validate``: check register extracts against a linkage schema (for data stewards).

Exit codes: 0 valid (warnings allowed) · 1 an error-severity check failed · 2 the
validation could not run (schema unreadable or invalid, data folder missing).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from revict.cli._common import console, echo_path, handle_errors

_STYLE = {"error": "bold red", "warning": "yellow"}


def render_summary(report: object, *, show_passed: bool = False) -> None:
    """Print the worst-first summary table and the one-line verdict."""
    from revict.validate import ValidationReport

    assert isinstance(report, ValidationReport)
    shown = report.checks if show_passed else report.failed()
    table = Table(title=f"revict validate: schema {report.schema}", show_lines=False, expand=False)
    for col, kw in (
        ("status", {}),
        ("check", {"no_wrap": True}),
        ("where", {"no_wrap": True}),
        ("failed", {"justify": "right"}),
        ("of", {"justify": "right"}),
        ("finding", {"overflow": "fold"}),
    ):
        table.add_column(col, **kw)
    for c in shown:
        status = "passed" if c.passed else str(c.severity)
        style = "green" if c.passed else _STYLE[str(c.severity)]
        where = c.source + (f".{c.column}" if c.column else "")
        rows = ", ".join(str(e.row) for e in c.examples)
        finding = escape(c.message) + (f" [dim](rows {rows})[/]" if rows else "")
        table.add_row(f"[{style}]{status}[/]", c.id, escape(where), f"{c.failed_rows:,}", f"{c.total_rows:,}", finding)
    if shown and console.width >= 120:
        console.print(table, highlight=False)
    elif shown:  # narrow terminal: one block per check reads better than a squeezed table
        console.print(f"[bold]revict validate: schema {escape(report.schema)}[/]", highlight=False)
        for c in shown:
            status = "passed" if c.passed else str(c.severity)
            style = "green" if c.passed else _STYLE[str(c.severity)]
            where = c.source + (f".{c.column}" if c.column else "")
            rows = ", ".join(str(e.row) for e in c.examples)
            console.print(
                f"[{style}]{status:<7}[/] [bold]{c.id}[/] {escape(where)}: {c.failed_rows:,} of {c.total_rows:,}\n"
                f"        {escape(c.message)}" + (f" [dim](rows {rows})[/]" if rows else ""),
                highlight=False,
            )
    n_pass = sum(c.passed for c in report.checks)
    if not show_passed and n_pass:
        console.print(f"[green]{n_pass} checks passed[/] (see --json / --html, or --all)", highlight=False)
    style = "bold green" if report.valid else "bold red"
    console.print(f"[{style}]{report.verdict()}[/]", highlight=False)


@handle_errors
def validate(
    schema: Annotated[Path, typer.Option(help="Linkage schema YAML, e.g. schemas/nl-trafficking.yaml.")],
    data: Annotated[Path, typer.Option(help="Folder holding one extract per source (CSV or Parquet).")],
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the full report as JSON here.")] = None,
    html_out: Annotated[
        Path | None, typer.Option("--html", help="Write a self-contained offline HTML report here.")
    ] = None,
    deep: Annotated[
        bool,
        typer.Option(
            "--deep",
            help="Also test whether pseudonyms are unkeyed hashes of citizen service numbers "
            "(enumerates all valid numbers; about a minute per hash algorithm found).",
        ),
    ] = False,
    show_all: Annotated[bool, typer.Option("--all", help="List passed checks in the terminal too.")] = False,
) -> None:
    """Check extracts against the schema: structure, keys, linkage, time, personal data, pseudonyms.

    Exit 0 when valid (warnings allowed), 1 when an error was found, 2 when the check could not run.
    """
    from revict.validate import validate as run_validation

    if not data.is_dir():
        from revict._core.errors import SourceError

        raise SourceError(
            f"data folder {data} does not exist", hint="Pass the folder holding the extracts with --data."
        )
    report = run_validation(schema, data, deep=deep)
    render_summary(report, show_passed=show_all)
    if json_out is not None:
        echo_path("JSON report", report.write_json(json_out))
    if html_out is not None:
        echo_path("HTML report", report.write_html(html_out))
    raise typer.Exit(report.exit_code)
