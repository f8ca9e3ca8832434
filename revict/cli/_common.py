"""Shared CLI helpers: console, error rendering, versions."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from revict._core.errors import RevictError
from revict._core.versions import package_versions

# soft_wrap: messages are never broken at a fixed width by rich (a path or a
# finding stays on one line in logs and pipes; the terminal wraps what it shows).
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

P = ParamSpec("P")
R = TypeVar("R")

_KEY_PACKAGES = (
    "revict",
    "pandas",
    "numpy",
    "duckdb",
    "pyarrow",
    "pydantic",
    "lifelines",
    "scikit-survival",
    "networkx",
    "plotly",
    "statsmodels",
    "typer",
    "rich",
)


def versions() -> dict[str, str]:
    """Versions of revict and its key dependencies."""
    return package_versions(_KEY_PACKAGES)


#: options shared by the commands that read a cohort and the data
CohortArg = Annotated[Path, typer.Argument(help="Cohort definition, e.g. cohorts/nr-seven-year.yaml.")]
SchemaOpt = Annotated[Path, typer.Option("--schema", help="Linkage schema (data contract) the extracts follow.")]
DataOpt = Annotated[Path, typer.Option("--data", help="Folder with the register extracts (CSV or Parquet).")]


@contextlib.contextmanager
def working(label: str) -> Iterator[None]:
    """Show a spinner with ``label`` on stderr while long work runs (nothing on a non-terminal)."""
    with err_console.status(label, spinner="dots"):
        yield


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Render a :class:`RevictError` as a readable message and exit with its code."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except RevictError as exc:
            err_console.print(f"[bold red]error:[/] {escape(exc.message)}", highlight=False, markup=True)
            if exc.hint:
                err_console.print(f"[bold]how to fix:[/] {escape(exc.hint)}", highlight=False)
            raise typer.Exit(exc.exit_code) from None

    return wrapper


def echo_path(label: str, path: Any) -> None:
    """Print a result path."""
    console.print(f"{label}: [bold]{escape(str(path))}[/]", highlight=False)
