"""``revict report`` and ``revict run``: disclosure-controlled policy report, and the whole pipeline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from revict.cli._common import CohortArg, DataOpt, SchemaOpt, console, echo_path, err_console, handle_errors, working
from revict.contract import DEFAULT_SCHEMA_PATH
from revict.contract.schema_io import REPO_ROOT

DEFAULT_SPEC = REPO_ROOT / "reports" / "policy-brief.yaml"
AGGREGATES_FILE = "network_aggregates.json"
#: hidden-population estimate in `revict run`: lists, period, strata and rule from the cohort
#: file's `hidden:` block; a modest seeded parametric bootstrap (`revict hidden` runs 1,000)
HIDDEN_BOOTSTRAP = 200
HIDDEN_SEED = 1

LangOpt = Annotated[str | None, typer.Option("--lang", help="Report language: nl or en (default: the spec's).")]
SpecOpt = Annotated[Path, typer.Option("--spec", help="Report spec: sections, groupings, disclosure rules.")]


def _lang(lang: str | None, default: str) -> Any:
    value = lang or default
    if value not in ("nl", "en"):
        err_console.print("[bold red]error:[/] --lang must be nl or en")
        raise typer.Exit(2)
    return value


def _design(cohort_path: Path, schema_path: Path) -> dict[str, Any]:
    """Study-design facts for the method section (no data values)."""
    from revict.cohort import load_cohort
    from revict.contract import load_schema

    spec = load_cohort(cohort_path)
    schema = load_schema(schema_path)
    cats = spec.outcome.categories
    return {
        "cohort_name": spec.name,
        "cohort_file": cohort_path.name,
        "description": spec.description,
        "entry_window": f"{spec.entry_window.start} – {spec.entry_window.end}",
        "follow_up_days": spec.follow_up_days,
        "outcome": cats if isinstance(cats, str) else ", ".join(cats),
        "schema_file": schema_path.name,
        "data_window": f"{schema.data_start} – {schema.data_end}",
    }


def _analyse_into(cohort: Path, schema: Path, data: Path, out: Path, *, prediction: bool = True) -> Any:
    """Build the cohort and run the models; write cohort tables and results.json into ``out``."""
    import warnings

    from revict._core.errors import RevictWarning
    from revict.cohort import build_cohort, load_cohort, write_cohort_tables
    from revict.contract import load_schema
    from revict.load import load_sources
    from revict.models import analyse

    spec = load_cohort(cohort)
    with working("loading the data and building the cohort"):
        sources = load_sources(load_schema(schema), data)
        tables = build_cohort(sources, spec, cohort_path=cohort)
        write_cohort_tables(tables, out / "cohort")
    console.print(f"[bold]cohort[/]   {tables.n:,} persons, {tables.n_events:,} re-victimised", highlight=False)
    with working("fitting the survival and prediction models"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RevictWarning)  # listed in results.json
        result = analyse(tables, prediction=prediction)
    path = result.write(out)
    console.print(f"[bold]analyse[/]  {len(result.warnings)} warning(s) listed in results.json", highlight=False)
    echo_path("results", path)
    return sources, tables


def _network_into(sources: Any, tables: Any, out: Path) -> None:
    """Build the offender network; write the researcher section and the released aggregates."""
    from revict._core.io import write_json_atomic
    from revict._core.results import update_results
    from revict.networks import build_offender_network, network_measures, released_aggregates

    net = build_offender_network(sources, tables)
    result = network_measures(net)
    update_results(out, "network", result.to_dict())
    path = write_json_atomic(out / AGGREGATES_FILE, released_aggregates(result, tables.spec.min_cell))
    console.print(f"[bold]network[/]  {result.n_recurring:,} recurring perpetrators", highlight=False)
    echo_path("aggregates", path)


def _hidden_into(sources: Any, tables: Any, out: Path) -> None:
    """Estimate the hidden population from the cohort's registrations; store ``hidden_population``.

    The cohort file's ``hidden:`` block sets lists, period, strata and rule. A failed
    estimate (no linked registration with a reporter, the estimate does not exist or is
    not identifiable) is stored as ``status: failed`` with a warning, never raised.
    """
    from revict._core.errors import RevictError
    from revict._core.results import read_results, update_results
    from revict.hidden.registers import estimate_from_registers

    try:
        est = estimate_from_registers(sources, tables.spec, bootstrap=HIDDEN_BOOTSTRAP, seed=HIDDEN_SEED)
    except (RevictError, ValueError, ArithmeticError) as exc:  # numerical failures too (LinAlgError is a ValueError)
        reason = (
            exc.message
            if isinstance(exc, RevictError)
            else f"the estimate could not be computed ({type(exc).__name__})"
        )
        message = f"hidden population: no estimate: {reason}"
        section: dict[str, Any] = {"status": "failed", "message": reason, "warnings": [message]}
        path = update_results(out, "hidden_population", section)
        current = read_results(path)
        update_results(out, "warnings", [*(current.get("warnings") or []), message])
        err_console.print(f"[yellow]hidden[/]   no estimate ({escape(reason)}); see results.json", highlight=False)
        return
    update_results(out, "hidden_population", {"status": "estimated", **est.to_dict()})
    result = est.result
    ci = result.ci
    upper = f"{ci.upper:,.0f}" if ci.upper != float("inf") else "no upper limit"
    console.print(
        f"[bold]hidden[/]   estimated {result.estimate:,.0f} victims ({ci.lower:,.0f} to {upper}), "
        f"{result.n_observed:,} registered",
        highlight=False,
    )
    if est.stratified is not None:
        console.print(
            f"[bold]hidden[/]   strata ({', '.join(est.histories.by)}) add up to {est.stratified.total:,.0f}",
            highlight=False,
        )


def make_report(
    cohort: Path, schema: Path, data: Path, results_dir: Path, out: Path, spec_path: Path, lang: str | None
) -> Path:
    """Read results (and network aggregates), apply disclosure control, render the report."""
    from revict._core.results import read_results
    from revict.cohort import load_cohort
    from revict.disclosure import apply_disclosure
    from revict.report import load_report_spec, render_report

    spec = load_report_spec(spec_path)
    language = _lang(lang, spec.lang)
    cohort_spec = load_cohort(cohort)
    results = read_results(results_dir)
    agg = results_dir / AGGREGATES_FILE
    if agg.is_file():
        results["network_aggregates"] = read_results(agg)
    rules = spec.disclosure
    if cohort_spec.min_cell > rules.min_cell:  # the stricter threshold wins
        rules = rules.model_copy(update={"min_cell": cohort_spec.min_cell})
    released = apply_disclosure(
        results, rules, design=_design(cohort, schema), is_synthetic=(data / "truth.json").is_file()
    )
    console.print(
        f"[bold]disclose[/] {len(released.suppressions)} item(s) withheld, cut, pooled or top-coded", highlight=False
    )
    return render_report(released, spec, out, lang=language)


@handle_errors
def report(
    cohort: CohortArg,
    data: DataOpt,
    out: Annotated[Path, typer.Option("--out", help="The HTML file to write.")],
    schema: SchemaOpt = DEFAULT_SCHEMA_PATH,
    lang: LangOpt = None,
    spec: SpecOpt = DEFAULT_SPEC,
    results: Annotated[
        Path | None,
        typer.Option(
            "--results", help="Folder with results.json (default: the report's folder); analysed first when missing."
        ),
    ] = None,
) -> None:
    """Write a self-contained offline HTML report of disclosure-controlled results (exit 3 when blocked)."""
    from revict.report import load_report_spec

    lang = _lang(lang, load_report_spec(spec).lang)
    results_dir = results or out.parent
    if not (results_dir / "results.json").is_file():
        console.print(f"no results.json in {results_dir}: analysing first", highlight=False)
        _analyse_into(cohort, schema, data, results_dir)
    path = make_report(cohort, schema, data, results_dir, out, spec, lang)
    echo_path("report", path)


@handle_errors
def run(
    cohort: CohortArg,
    data: DataOpt,
    out: Annotated[Path, typer.Option("--out", help="Folder for every output (results, tables, report).")],
    schema: SchemaOpt = DEFAULT_SCHEMA_PATH,
    lang: LangOpt = None,
    spec: SpecOpt = DEFAULT_SPEC,
    prediction: Annotated[bool, typer.Option(help="Fit the risk-prediction models too.")] = True,
) -> None:
    """Validate -> cohort -> analyse -> network -> hidden population -> report (exit 1 when validation fails).

    The validation report (validation.json, validation.html) is written into OUT, also when it fails.
    """
    from revict.report import load_report_spec
    from revict.validate import validate

    language = _lang(lang, load_report_spec(spec).lang)
    with working("validating the extracts"):
        verdict = validate(schema, data)
    out.mkdir(parents=True, exist_ok=True)
    verdict.write_json(out / "validation.json")
    html = verdict.write_html(out / "validation.html")
    if not verdict.valid:
        err_console.print(
            f"[bold red]validate[/] {verdict.n_errors} check(s) failed; the details are in {html}",
            highlight=False,
        )
        raise typer.Exit(1)
    console.print(f"[bold]validate[/] ok ({verdict.n_warnings} warning(s))", highlight=False)
    echo_path("validation", html)
    sources, tables = _analyse_into(cohort, schema, data, out, prediction=prediction)
    with working("building the offender network"):
        _network_into(sources, tables, out)
    with working("estimating the hidden population"):
        _hidden_into(sources, tables, out)
    with working("applying disclosure control and writing the report"):
        path = make_report(cohort, schema, data, out, out / f"report-{language}.html", spec, language)
    echo_path("report", path)
