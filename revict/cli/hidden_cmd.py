"""``revict hidden``: how many victims are not seen -- multiple systems estimation."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from revict._core.errors import SpecError
from revict.cli._common import console, echo_path, err_console, handle_errors

_RULES = ("stepwise", "aic", "bic", "main")


def _models_table(result: Any, max_rows: int = 12) -> Table:
    """Chosen models first, then the best by AIC (full list in results.json)."""
    table = Table(title="Estimate under candidate models (sensitivity; all in results.json)", title_justify="left")
    for col in ("two-list terms", "estimate", "95% CI", "AIC", "BIC", "chosen by"):
        table.add_column(col, justify="left" if col in ("two-list terms", "chosen by") else "right", overflow="fold")
    cands = sorted(result.candidates, key=lambda c: (not c.chosen_by, c.aic if c.aic is not None else 1e300))
    for c in cands[:max_rows]:
        terms = ", ".join(c.terms) or "(main effects)"
        if c.total is None:
            table.add_row(terms, "does not exist", "", "", "", ", ".join(c.chosen_by))
            continue
        table.add_row(
            terms,
            f"{c.total:,.0f}",
            f"{c.lower:,.0f}-{c.upper:,.0f}",
            f"{c.aic:.1f}",
            f"{c.bic:.1f}",
            ", ".join(c.chosen_by),
        )
    return table


def _render(result: Any) -> None:
    ci = result.ci
    upper = "no upper limit" if ci.upper == float("inf") else f"{ci.upper:,.0f}"
    console.print(
        f"Observed {result.n_observed:,} persons on {len(result.table.lists)} lists; estimated total "
        f"[bold]{result.estimate:,.0f}[/] ({ci.conf_level:.0%} {ci.method}: {ci.lower:,.0f} to {upper}); "
        f"model {result.chosen.name}, chosen by {result.rule}",
        highlight=False,
    )
    lo, hi = result.sensitivity_range()
    console.print(f"Candidate models give {lo:,.0f} to {hi:,.0f}.", highlight=False)
    console.print(_models_table(result))
    for w in result.warnings:
        err_console.print(f"[yellow]warning:[/] {escape(w)}", highlight=False)


@handle_errors
def hidden(
    out: Annotated[Path, typer.Option("--out", help="Folder for results.json (section hidden_population).")],
    cohort: Annotated[Path | None, typer.Argument(help="Cohort file (entry window = registration period).")] = None,
    data: Annotated[Path | None, typer.Option("--data", help="Folder with the register extracts.")] = None,
    schema: Annotated[Path | None, typer.Option("--schema", help="Linkage schema (default: the shipped one).")] = None,
    table: Annotated[Path | None, typer.Option("--table", help="A list-overlap CSV instead of registers.")] = None,
    rule: Annotated[
        str | None,
        typer.Option("--rule", help="Model choice: stepwise, aic, bic or main (default: the cohort's, else stepwise)."),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(
            "--threshold",
            min=0.0,
            max=1.0,
            help="p-value threshold of the stepwise rule (default: the cohort's, else 0.02).",
        ),
    ] = None,
    bootstrap: Annotated[
        int, typer.Option("--bootstrap", min=0, help="Bootstrap replicates (0: profile-likelihood interval).")
    ] = 1000,
    bootstrap_method: Annotated[
        str, typer.Option("--bootstrap-method", help="parametric or multinomial (SparseMSE).")
    ] = "parametric",
    seed: Annotated[int, typer.Option("--seed", help="Bootstrap seed.")] = 1,
    conf_level: Annotated[float, typer.Option("--conf-level", min=0.5, max=0.999)] = 0.95,
    period: Annotated[
        str | None,
        typer.Option("--period", help="all (one table) or year (one per year) (default: the cohort's, else all)."),
    ] = None,
    strata: Annotated[
        str | None,
        typer.Option("--strata", help="Comma list: exploitation_form,sex,minor,origin,age_group,year ('' for none)."),
    ] = None,
    lists: Annotated[
        str | None,
        typer.Option(
            "--lists",
            help="Reporter-to-list mapping, e.g. police=P,shelter=O,care_coordinator=O (merges lists; "
            "default: the cohort's).",
        ),
    ] = None,
) -> None:
    """Estimate the number of victims no organisation registered (exit 1 if no estimate exists).

    With registers, the cohort file's `hidden:` block sets the lists, period, strata and rule;
    the flags override it.
    """
    from revict._core.results import update_results
    from revict.hidden import estimate_population, read_overlap_table

    if rule is not None and rule not in _RULES:
        raise SpecError(f"--rule {rule!r} is not a rule", hint=f"Use one of {', '.join(_RULES)}.")
    if bootstrap_method not in ("parametric", "multinomial"):
        raise SpecError("--bootstrap-method must be parametric or multinomial", hint="Use parametric (default).")
    if (table is None) == (data is None):
        raise SpecError(
            "give either --table FILE.csv or a cohort with --data DIR",
            hint="e.g. revict hidden --table overlap.csv --out out/",
        )
    opts: dict[str, Any] = {
        "rule": rule,
        "threshold": threshold,
        "conf_level": conf_level,
        "bootstrap": bootstrap,
        "bootstrap_method": bootstrap_method,
        "seed": seed,
    }
    if table is not None:
        opts["rule"] = rule or "stepwise"
        opts["threshold"] = 0.02 if threshold is None else threshold
        result = estimate_population(read_overlap_table(table), **opts)
        section = result.to_dict()
    else:
        result, section = _from_registers(cohort, data, schema, period, strata, lists, opts)
    _render(result)
    echo_path("results", update_results(out, "hidden_population", section))


def _from_registers(
    cohort: Path | None,
    data: Path | None,
    schema: Path | None,
    period: str | None,
    strata: str | None,
    lists: str | None,
    opts: dict[str, Any],
) -> tuple[Any, dict[str, Any]]:
    from revict.cohort import load_cohort
    from revict.contract import DEFAULT_SCHEMA_PATH, load_schema
    from revict.hidden.histories import parse_list_map
    from revict.hidden.registers import estimate_from_registers
    from revict.load import load_sources

    spec = load_cohort(cohort) if cohort is not None else None
    sources = load_sources(load_schema(schema or DEFAULT_SCHEMA_PATH), data)  # type: ignore[arg-type]
    est = estimate_from_registers(
        sources,
        spec,
        lists=parse_list_map(lists) if lists else None,
        period=period,
        strata=None if strata is None else tuple(s.strip() for s in strata.split(",") if s.strip()),
        **opts,
    )
    if est.stratified is not None:
        console.print(f"Strata ({', '.join(est.histories.by)}) add up to {est.stratified.total:,.0f}.", highlight=False)
        for w in est.stratified.warnings:
            err_console.print(f"[yellow]warning:[/] {escape(w)}", highlight=False)
    return est.result, est.to_dict()
