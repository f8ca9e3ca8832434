"""Time checks against the person: events before birth, after death or emigration, implausible ages.

Dates inside the data window are checked per column in :mod:`revict.validate.structure`.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from revict.contract.models import ColumnType, ForeignKey, SourceSpec
from revict.validate._sql import Ctx, linked_sources, mask_examples, pct, ql, val


def _date(col: str) -> str:
    return f"TRY_STRPTIME({val(col)}, '%Y-%m-%d')::DATE"


def person_attrs(ctx: Ctx, person_src: str) -> dict[str, Any] | None:
    """Return SQL for one row per person key with ``byear, sex, death, emig, r`` (NULL where the column is absent)."""
    spec = ctx.schema.sources[person_src]
    key = spec.primary_key or spec.person_key
    if key is None or not ctx.has(person_src, key):
        return None
    present = set(ctx.present(person_src))
    exprs = {
        "byear": f"TRY_CAST({val('birth_year')} AS BIGINT)" if "birth_year" in present else "NULL::BIGINT",
        "sex": val("sex") if "sex" in present else "NULL::VARCHAR",
        "death": _date("death_date") if "death_date" in present else "NULL::DATE",
        "emig": _date("emigration_date") if "emigration_date" in present else "NULL::DATE",
    }
    table = f"_rv_attrs_{person_src}"
    if table not in ctx.state.setdefault("attrs", set()):
        cols = ", ".join(f"min({e}) AS {a}" for a, e in exprs.items())
        ctx.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {val(key)} AS k, {cols}, min(_row) AS r "
            f"FROM raw_{person_src} WHERE {val(key)} IS NOT NULL GROUP BY 1"
        )
        ctx.state["attrs"].add(table)
    sql = f"SELECT * FROM {table}"
    have = [
        a
        for a, c in (("birth_year", "birth_year"), ("sex", "sex"), ("death", "death_date"), ("emig", "emigration_date"))
        if c in present
    ]
    return {"sql": sql, "n": ctx.rows(person_src), **dict.fromkeys(have, True)}


def event_date_columns(spec: SourceSpec) -> list[str]:
    """Return the event dates of a source: its date columns that must lie in the data window."""
    return [c for c, cs in spec.columns.items() if cs.type is ColumnType.DATE and cs.in_window]


def event_dates_sql(ctx: Ctx, linked: list[tuple[str, SourceSpec, ForeignKey]]) -> str:
    """UNION of ``(src, _row, k, d)``: every event date of the linked sources with its person key."""
    parts = []
    for name, spec, fk in linked:
        for col in event_date_columns(spec):
            if col in ctx.present(name):
                parts.append(
                    f"SELECT {ql(name)} AS src, _row, {val(fk.column)} AS k, {_date(col)} AS d FROM raw_{name} "
                    f"WHERE {val(fk.column)} IS NOT NULL"
                )
    return " UNION ALL ".join(parts)


def check_time(ctx: Ctx) -> None:
    """Events against birth year, death, emigration and plausible ages, per linked source and date column."""
    for name, spec, fk in linked_sources(ctx):
        attrs = person_attrs(ctx, fk.ref_source)
        if attrs is None:
            continue
        dates = [c for c in event_date_columns(spec) if c in ctx.present(name)]
        for j, col in enumerate(dates):
            ctx.guarded("time", name, partial(_time_one, ctx, name, j, col, attrs))


def _time_one(ctx: Ctx, name: str, j: int, col: str, attrs: dict[str, Any]) -> None:
    """Check one event date of a linked source on the joined work table (see linkage.event_table)."""
    from revict.validate.linkage import event_table

    lo, hi = ctx.schema.plausibility.min_age_at_event, ctx.schema.plausibility.max_age_at_event
    d = f"d{j}"
    conds = {
        "event_before_birth": ("birth_year", f"year({d}) < byear"),
        "event_after_death": ("death", f"{d} > death"),
        "event_after_emigration": ("emig", f"{d} > emig"),
        "age_implausible": (
            "birth_year",
            f"year({d}) >= byear AND (year({d}) - byear < {lo} OR year({d}) - byear > {hi})",
        ),
    }
    active = {cid: c for cid, (need, c) in conds.items() if attrs.get(need)}
    if not active:
        return
    table = event_table(name)
    where = f"NOT empty AND NOT unresolved AND {d} IS NOT NULL"
    row = ctx.con.execute(
        f"SELECT count(*), {', '.join(f'count_if({c})' for c in active.values())} FROM {table} WHERE {where}"
    ).fetchone()
    assert row is not None
    n = ctx.rows(name)
    matched = int(row[0] or 0)
    words = {
        "event_before_birth": f"{col} lies in a year before the person's birth year",
        "event_after_death": f"{col} lies after the person's death date",
        "event_after_emigration": f"{col} lies after the person's emigration date (may be a return)",
        "age_implausible": f"age at {col} lies outside {lo} to {hi} years",
    }
    for i, (cid, c) in enumerate(active.items()):
        failed = int(row[1 + i] or 0)
        ex: list[Any] = []
        if failed:
            got = ctx.con.execute(
                f"SELECT arg_min({{'r': _row, 'v': CAST({d} AS VARCHAR)}}, _row, 5) FROM {table} WHERE {where} AND {c}"
            ).fetchone()
            ex = (got[0] if got else None) or []
        msg = (
            f"{failed:,} of {matched:,} linked records: {words[cid]} ({pct(failed, matched)})"
            if failed
            else f"none of {matched:,} linked records: {words[cid]}"
        )
        ctx.add(cid, name, col, failed_rows=failed, total_rows=n, message=msg, examples=mask_examples(ex))
