"""The ``revict`` command line: parse, call one entry function, render, exit code.

Exit codes: 0 ok · 1 data failed validation / findings · 2 bad usage, spec or
unreadable input · 3 disclosure control blocked a release.
"""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer

from revict.cli import analyse_cmd, cohort_cmd, hidden_cmd, network_cmd, report_cmd, schema_cmd, synth_cmd, validate_cmd
from revict.cli._common import console, versions

app = typer.Typer(
    name="revict",
    help="Repeat victimisation among victims of human trafficking: validate, cohort, analyse, network, report.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(schema_cmd.app, name="schema")
app.command("synth")(synth_cmd.synth)
app.command("validate")(validate_cmd.validate)
app.add_typer(cohort_cmd.app, name="cohort")
app.command("hidden")(hidden_cmd.hidden)
app.command("analyse")(analyse_cmd.analyse)
app.command("network")(network_cmd.network)
app.command("report")(report_cmd.report)
app.command("run")(report_cmd.run)


def _version_callback(value: bool) -> None:
    if value:
        for name, ver in versions().items():
            console.print(f"{name} {ver}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version_callback, is_eager=True, help="Show versions and exit.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress (never data values).")] = False,
) -> None:
    """Repeat victimisation among victims of human trafficking."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s")


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
