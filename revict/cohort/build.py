"""The cohort builder: linked registers + a cohort file -> analysis-ready tables.

All joins run in DuckDB on the connection of :class:`revict.load.Sources`; only the
compact result tables are fetched into pandas. The rules (see ``docs/cohort.md``):

* index date = date of the person's first linked registration with a valid date;
  same-day ties are broken by the smallest ``registration_id`` (then the other
  columns, so the choice never depends on row order). Exploitation form, reporter
  and cross-border come from that registration.
* follow-up ends at the earliest of the horizon (``follow_up_days``) and, where the
  cohort names them in ``censor_at``, emigration and the schema's ``data_end``;
  death ends follow-up when named in ``censor_at`` or ``competing_risks``. At ties
  death takes precedence (status 2 when death is a competing risk).
* a victimisation counts as outcome on day ``d`` (days since index) when its
  category is in the outcome set and ``max(0, blackout_days) < d <= follow_up_end``:
  never on the index day, always on the censoring day (also the day of death).
* same-day outcome events count once in the recurrent table.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from revict._core.errors import SourceError
from revict._core.model import file_sha256
from revict.cohort import _sql
from revict.cohort._recurrent import recurrent_frame
from revict.cohort.attrition import Flow
from revict.cohort.spec import CohortSpec
from revict.cohort.tables import FIRST_EVENT_COLUMNS, CohortTables
from revict.contract import LinkageSchema
from revict.load import Sources

logger = logging.getLogger("revict")

_REQUIRED = ("persons", "victim_registrations", "victimisations")
OUTCOME_EVENT_COLUMNS: tuple[str, ...] = ("person_id", "day", "offence_category")


def _run(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    logger.debug("cohort sql: %s", " ".join(sql.split()))
    con.execute(sql)


def _drop(con: duckdb.DuckDBPyConnection, *tables: str) -> None:
    """Drop helper tables as soon as they are no longer needed (frees engine memory)."""
    for name in tables:
        con.execute(f"DROP TABLE IF EXISTS {name}")


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _death_ends(spec: CohortSpec) -> bool:
    return "death" in spec.censor_at or "death" in spec.competing_risks


def _select_index(con: duckdb.DuckDBPyConnection, t: dict[str, str], spec: CohortSpec, flow: Flow) -> None:
    """Registrations -> one first registration per person (steps 1-4)."""
    row = con.execute(
        "SELECT count(*), count(person_id), "
        "count(*) FILTER (WHERE person_id IS NOT NULL AND registration_date IS NOT NULL) "
        "FROM victim_registrations"
    ).fetchone()
    n_read, n_linked, n_dated = (int(x) for x in row) if row else (0, 0, 0)
    flow.step("registrations_read", "victim registrations read", n_read, n_removed=0)
    flow.step("unlinked", "registrations without a linked person (empty person_id)", n_linked)
    flow.step("registration_date_missing", "linked registrations without a valid registration_date", n_dated)
    _run(con, _sql.first_registration_sql(t["first"]))
    n_persons = _scalar(con, f"SELECT count(*) FROM {t['first']}")
    flow.step(
        "not_first_registration",
        "later registrations of an already registered person (counts are persons from here on)",
        n_persons,
    )


def _select_window(
    con: duckdb.DuckDBPyConnection, t: dict[str, str], spec: CohortSpec, data_end: dt.date, flow: Flow
) -> None:
    """Entry window, presence in persons, time at risk (steps 5-7)."""
    _run(con, _sql.window_persons_sql(t["window"], t["first"], spec, data_end, death_ends=_death_ends(spec)))
    row = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE in_persons), "
        f"count(*) FILTER (WHERE in_persons AND NOT no_time_at_risk) FROM {t['window']}"
    ).fetchone()
    n_window, n_found, n_at_risk = (int(x) for x in row) if row else (0, 0, 0)
    win = spec.entry_window
    flow.step(
        "index_outside_entry_window",
        f"first registration outside the entry window {win.start.isoformat()} to {win.end.isoformat()}",
        n_window,
    )
    flow.step("person_missing", "person not in the persons extract", n_found)
    flow.step(
        "died_or_emigrated_before_index",
        "died, emigrated or past data_end on or before the index date (no time at risk)",
        n_at_risk,
    )


def _restrictions(spec: CohortSpec) -> list[tuple[str, str, str]]:
    """``(step, description, SQL predicate)`` of the restrict steps (one per covariate)."""
    out = []
    for cov, keep in spec.restrict.items():
        out.append((f"restricted:{cov}", f"{cov} not in {', '.join(keep)}", f"{cov} IN {_sql.in_list(keep)}"))
    if not out:
        out.append(("restricted", "restricted out by `restrict` (none set)", "TRUE"))
    return out


def _select_covariates(con: duckdb.DuckDBPyConnection, t: dict[str, str], spec: CohortSpec, flow: Flow) -> None:
    """``restrict`` and ``exclude_unknown`` (steps 8-9), then the final cohort table."""
    preds: list[str] = []
    for step, description, pred in _restrictions(spec):
        preds.append(pred)
        flow.step(step, description, _scalar(con, f"SELECT count(*) FROM {t['cohort']} WHERE {' AND '.join(preds)}"))
    excl = [f"{cov} <> 'unknown'" for cov in spec.exclude_unknown]
    preds.extend(excl)
    desc = (
        f"unknown {', '.join(spec.exclude_unknown)} (listed in exclude_unknown)"
        if excl
        else "missing covariates (kept with level `unknown`; exclude_unknown not set)"
    )
    where = " AND ".join(preds)
    flow.step("missing_covariates", desc, _scalar(con, f"SELECT count(*) FROM {t['cohort']} WHERE {where}"))
    _run(con, f"CREATE TEMP VIEW {t['final']} AS SELECT * FROM {t['cohort']} WHERE {where}")
    flow.step("final_cohort", "persons in the cohort", flow.remaining, n_removed=0)


def _fetch(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    logger.debug("cohort sql: %s", " ".join(sql.split()))
    # Arrow then pandas: several times faster than .df() for millions of string cells
    df: pd.DataFrame = (
        con.sql(sql).to_arrow_table().to_pandas(date_as_object=False, split_blocks=True, self_destruct=True)
    )
    return df


def _tables(
    con: duckdb.DuckDBPyConnection, t: dict[str, str], spec: CohortSpec, *, restricted: bool
) -> dict[str, pd.DataFrame]:
    competing = "death" in spec.competing_risks
    first = _fetch(con, _sql.first_event_sql(t["final"], t["events"], competing))
    first["index_date"] = first["index_date"].astype("datetime64[ns]")
    first["age_at_index"] = first["age_at_index"].astype("Int64")
    first["is_minor"] = first["is_minor"].astype("boolean")
    # pk -> person_id lookup: the long tables share the first-event table's string objects
    pks = first["pk"].to_numpy()
    lookup = np.empty(int(pks.max()) + 1 if len(pks) else 1, dtype=object)
    lookup[pks] = first["person_id"].to_numpy()
    first = first.loc[:, list(FIRST_EVENT_COLUMNS)]
    events = _fetch(con, _sql.outcome_events_sql(t["final"] if restricted else None, t["events"]))
    events.insert(0, "person_id", lookup[events.pop("pk").to_numpy()])
    # the SQL selects the documented column order; check rather than copy a long table
    assert tuple(events.columns) == OUTCOME_EVENT_COLUMNS
    days = con.sql(_sql.event_days_sql(t["events"])).fetchnumpy()
    con.execute(f"DROP VIEW IF EXISTS {t['final']}")
    _drop(con, t["events"], t["cohort"])  # free engine memory before the long table is built
    recurrent = recurrent_frame(
        np.asarray(days["pk"]),
        np.asarray(days["day"]),
        pks,
        first["follow_up_end"].to_numpy(dtype=np.int64),
        first["person_id"].to_numpy(dtype=object),
    )
    del days
    return {"first_event": first, "recurrent": recurrent, "outcome_events": events}


def _known_categories(schema: LinkageSchema) -> tuple[str, ...] | None:
    """Return the offence categories the schema declares (None when it declares no enum)."""
    col = schema.sources["victimisations"].columns.get("offence_category")
    return tuple(col.values) if col is not None and col.values else None


def _require_sources(sources: Sources) -> None:
    missing = [name for name in _REQUIRED if name not in sources]
    if missing:
        raise SourceError(
            f"the cohort builder needs the source(s) {', '.join(missing)}, which were not loaded",
            hint="Put the extracts in the data folder (see the schema's `sources`) and load them again.",
        )


def build_cohort(sources: Sources, spec: CohortSpec, *, cohort_path: Path | None = None) -> CohortTables:
    """Build the analysis tables of a cohort from loaded registers.

    Parameters
    ----------
    sources : Sources
        Registers loaded with :func:`revict.load.load_sources` (typed DuckDB views
        ``persons``, ``victim_registrations``, ``victimisations``).
    spec : CohortSpec
        The cohort definition (:func:`revict.cohort.load_cohort`).
    cohort_path : Path, optional
        The cohort file, to record its SHA-256 alongside the tables.

    Returns
    -------
    CohortTables
        ``first_event`` (one row per person: time, status, covariates at index),
        ``recurrent`` (counting-process intervals), ``attrition`` (flow counts) and
        ``outcome_events`` (every counted outcome incident).

    Raises
    ------
    EmptyCohortError
        The cohort selects nobody; the message names the attrition step.
    SourceError
        A needed source was not loaded.

    See Also
    --------
    write_cohort_tables : write the tables as Parquet plus ``attrition.json``.

    Notes
    -----
    In R, ``first_event`` feeds ``survfit(Surv(time, status == 1) ~ 1)`` or, with
    the competing risk, ``cmprsk::cuminc(time, status)``; ``recurrent`` feeds
    ``coxph(Surv(start, stop, event) ~ x + cluster(person_id))`` (Andersen-Gill) and
    ``coxph(Surv(start, stop, event) ~ x + strata(episode))`` (PWP).

    Examples
    --------
    >>> import tempfile
    >>> from revict.contract import load_schema
    >>> from revict.load import load_sources
    >>> from revict.synth import synthesize
    >>> from revict.contract.schema_io import REPO_ROOT
    >>> from revict.cohort import load_cohort
    >>> d = tempfile.mkdtemp()
    >>> _ = synthesize(d, victims=300, seed=1)
    >>> spec = load_cohort(REPO_ROOT / "cohorts" / "nr-seven-year.yaml")
    >>> tables = build_cohort(load_sources(load_schema(), d), spec)
    >>> bool(tables.first_event["time"].between(0, 2557).all())
    True
    >>> list(tables.attrition["step"])[-1]
    'final_cohort'
    """
    _require_sources(sources)
    con = sources.con
    schema = sources.schema
    prefix = f"_cohort_{uuid.uuid4().hex[:10]}"
    t = {k: f"{prefix}_{k}" for k in ("first", "window", "cand", "events", "cohort", "final")}
    flow = Flow()
    try:
        _select_index(con, t, spec, flow)
        _select_window(con, t, spec, schema.data_end, flow)
        _run(con, _sql.candidates_sql(t["cand"], t["window"], spec))
        _drop(con, t["first"], t["window"])
        categories = spec.outcome.category_list(tuple(schema.serious_categories))
        _run(con, _sql.events_sql(t["events"], t["cand"], spec, categories, _known_categories(schema)))
        _run(con, _sql.cohort_sql(t["cohort"], t["cand"], t["events"]))
        _drop(con, t["cand"])
        _select_covariates(con, t, spec, flow)
        out = _tables(con, t, spec, restricted=bool(spec.restrict or spec.exclude_unknown))
    finally:
        con.execute(f"DROP VIEW IF EXISTS {t['final']}")
        _drop(con, *t.values())
    return CohortTables(
        spec=spec,
        first_event=out["first_event"],
        recurrent=out["recurrent"],
        attrition=flow.frame(),
        cohort_sha256=file_sha256(Path(cohort_path)) if cohort_path is not None else "",
        fingerprints=sources.fingerprints(),
        outcome_events=out["outcome_events"],
    )
