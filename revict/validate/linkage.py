"""Linkage checks and diagnostics: link rates (and where they dip), link metadata, merged and split keys.

A *linked source* is one whose ``person_key`` is a foreign key to another source
(the *person source*, ``persons`` in the default schema).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from revict.contract.models import ColumnType, ForeignKey, SourceSpec
from revict.validate._sql import (
    Cond,
    Ctx,
    Planned,
    linked_sources,
    mask_examples,
    pct,
    person_fk,
    qi,
    ql,
    typed,
    val,
)

#: Above this many candidate key pairs the split-person hint is skipped (chance overlaps dominate).
SPLIT_MAX_PAIRS = 5_000_000
#: The split-person hint looks at linked sources with at most this many rows (registers, not police data).
SPLIT_MAX_ROWS = 2_000_000


def check_linkage(ctx: Ctx) -> None:
    """Link rates with their breakdown, link metadata, records per person, conflicts, split hint."""
    for name, spec, fk in linked_sources(ctx):
        ctx.guarded("link-rate", name, partial(_link_rates, ctx, name, spec, fk))
        ctx.guarded("records-per-person", name, partial(_records_per_person, ctx, name, fk))
    ctx.guarded("attribute-agreement", "(all)", lambda: _attribute_conflicts(ctx))
    ctx.guarded("split-person", "(all)", lambda: _split_hint(ctx))


def _key_of(ctx: Ctx, source: str) -> str | None:
    spec = ctx.schema.sources[source]
    return spec.primary_key or spec.person_key


def event_table(name: str) -> str:
    """Name of the work table holding one row per record of a linked source, joined to its person."""
    return f"_rv_ev_{name}"


def _build_event_table(ctx: Ctx, name: str, spec: SourceSpec, fk: ForeignKey) -> dict[str, tuple[str, list[str]]]:
    """Join a linked source once to its person table; return the breakdown ``{label: (column, codes)}``.

    The table holds ``_row, empty, unresolved``, each event date ``d<j>``, the person's ``byear,
    death, emig`` (when the key is the person source's key) and small integer group codes, so the
    link-rate breakdown, the person foreign key and the time checks share one join.
    """
    from revict.validate.temporal import event_date_columns, person_attrs

    attrs = person_attrs(ctx, fk.ref_source) if fk.ref_column == _key_of(ctx, fk.ref_source) else None
    ref = attrs["sql"] if attrs else f"SELECT DISTINCT {val(fk.ref_column)} AS k FROM raw_{fk.ref_source}"
    dates = [c for c in event_date_columns(spec) if c in ctx.present(name)]
    inner = [f"_row, {val(fk.column)} AS k"] + [f"{typed(c, ColumnType.DATE)} AS d{j}" for j, c in enumerate(dates)]
    groups: dict[str, tuple[str, list[str]]] = {}
    for j, c in enumerate(dates):
        groups[f"year of {c}"] = (f"CAST(year(s.d{j}) AS INTEGER)", [])
    for col, cs in spec.columns.items():
        if col in ctx.present(name) and not cs.link_role and cs.type is ColumnType.ENUM and cs.values:
            codes = "[" + ", ".join(ql(x) for x in cs.values) + "]"
            inner.append(
                f"CAST(CASE WHEN {val(col)} IS NULL THEN -1 ELSE COALESCE(list_position({codes}, {val(col)}), 0) END "
                f"AS TINYINT) AS c_{len(groups)}"
            )
            groups[col] = (f"s.c_{len(groups)}", list(cs.values))
    person = ", p.byear, p.death, p.emig" if attrs else ""
    ctx.con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {event_table(name)} AS
            SELECT s._row, s.k IS NULL AS empty, s.k IS NOT NULL AND p.k IS NULL AS unresolved
                   {"".join(f", s.d{j}" for j in range(len(dates)))}{person}
                   {"".join(f", {sql} AS g{i}" for i, (sql, _) in enumerate(groups.values()))}
            FROM (SELECT {", ".join(inner)} FROM raw_{name}) s LEFT JOIN ({ref}) p ON s.k = p.k"""
    )
    return groups


def _label(value: Any, codes: list[str]) -> Any:
    if not codes:
        return "(no date)" if value is None else value
    return "(empty)" if value == -1 else "(invalid)" if value == 0 else codes[int(value) - 1]


def _link_rates(ctx: Ctx, name: str, spec: SourceSpec, fk: ForeignKey) -> None:
    from revict.validate.keys import report_fk

    groups = _build_event_table(ctx, name, spec, fk)
    sets = ", ".join(["()"] + [f"(g{i})" for i in range(len(groups))])
    sel = ", ".join([f"GROUPING(g{i}) AS is_all{i}, g{i}" for i in range(len(groups))])
    rows = ctx.con.execute(
        f"""SELECT {sel + ", " if sel else ""} count(*) AS n, count_if(empty) AS empty, count_if(unresolved) AS unres
            FROM {event_table(name)} GROUP BY GROUPING SETS ({sets})"""
    ).fetchall()
    labels = list(groups)
    overall: dict[str, Any] | None = None
    table: list[dict[str, Any]] = []
    for row in rows:
        n, empty, unresolved = int(row[-3] or 0), int(row[-2] or 0), int(row[-1] or 0)
        i = next((i for i in range(len(labels)) if row[2 * i] == 0), None)
        entry: dict[str, Any] = {
            "by": labels[i] if i is not None else "all",
            "group": _label(row[2 * i + 1], groups[labels[i]][1]) if i is not None else "all",
            "code": row[2 * i + 1] if i is not None else None,
            "records": n,
            "empty_key": empty,
            "key_not_found": unresolved,
            "linked": n - empty - unresolved,
            "link_rate": round((n - empty - unresolved) / n, 4) if n else None,
        }
        if i is None:
            overall = entry
        else:
            table.append(entry)
    table.sort(key=lambda e: (e["by"], str(e["group"])))
    if overall is None:
        return
    _unlinked(ctx, name, fk, overall)
    _selective(ctx, name, fk, overall, table, groups)
    ctx.diagnostics.setdefault("link_rates", {})[name] = [
        {k: v for k, v in e.items() if k != "code"} for e in [overall, *table]
    ]
    ex: list[Any] = []
    if overall["key_not_found"]:
        got = ctx.con.execute(
            f"SELECT arg_min({{'r': _row, 'v': {qi(fk.column)}}}, _row, 5) FROM raw_{name} WHERE _row IN "
            f"(SELECT _row FROM {event_table(name)} WHERE unresolved)"
        ).fetchone()
        ex = (got[0] if got else None) or []
    n_filled = int(overall["records"]) - int(overall["empty_key"])
    report_fk(ctx, name, fk, filled=n_filled, failed=int(overall["key_not_found"]), examples=ex)


def _unlinked(ctx: Ctx, name: str, fk: ForeignKey, o: dict[str, Any]) -> None:
    n, linked = o["records"], o["linked"]
    threshold = ctx.schema.linkage.min_link_rate
    below = n > 0 and linked < threshold * n
    msg = (
        f"{linked:,} of {n:,} records linked to {fk.ref_source} ({pct(linked, n)}, threshold "
        f"{threshold:.0%}); {o['empty_key']:,} with an empty key, {o['key_not_found']:,} with a key "
        f"not found"
    )
    ctx.add("unlinked_share", name, fk.column, failed_rows=(n - linked) if below else 0, total_rows=n, message=msg)


def _selective(
    ctx: Ctx,
    name: str,
    fk: ForeignKey,
    o: dict[str, Any],
    table: list[dict[str, Any]],
    groups: dict[str, tuple[str, list[str]]],
) -> None:
    rate = o["link_rate"]
    min_records = ctx.schema.linkage.selective_linkage_min_records
    gap = ctx.schema.linkage.selective_linkage_gap
    bad = [
        e
        for e in table
        if rate is not None
        and e["records"] >= min_records
        and e["link_rate"] is not None
        and e["link_rate"] < rate - gap
    ]
    n = o["records"]
    failed = 0
    if bad:
        labels = list(groups)
        where = " OR ".join(
            f"g{labels.index(e['by'])} IS NULL" if e["code"] is None else f"g{labels.index(e['by'])} = {int(e['code'])}"
            for e in bad
        )
        row = ctx.con.execute(f"SELECT count(*) FROM {event_table(name)} WHERE {where}").fetchone()
        failed = int(row[0]) if row else 0
        listed = "; ".join(f"{e['by']} = {e['group']}: {e['link_rate']:.0%} of {e['records']:,}" for e in bad[:8])
        msg = (
            f"link rate dips more than {gap:.0%} below the overall {rate:.0%} in {len(bad)} "
            f"group(s): {listed}{' ...' if len(bad) > 8 else ''}"
        )
    else:
        msg = f"no group of {min_records}+ records links more than {gap:.0%} below the overall rate"
    ctx.add("link_rate_selective", name, fk.column, failed_rows=failed, total_rows=n, message=msg)


def _role_column(ctx: Ctx, name: str, spec: SourceSpec, role: str) -> str | None:
    for col, cs in spec.columns.items():
        if cs.link_role == role and col in ctx.present(name):
            return col
    return None


def link_meta_plans(ctx: Ctx, name: str, spec: SourceSpec) -> list[Planned]:
    """Link method and score against the key, as row-pass plans (one scan with the other row checks)."""
    fk = person_fk(spec)
    method = _role_column(ctx, name, spec, "method")
    if fk is None or method is None or fk.column not in ctx.present(name):
        return []
    score = _role_column(ctx, name, spec, "score")
    m, k = val(method), val(fk.column)
    t = ctx.schema.linkage.probabilistic_min_score
    seen: dict[str, int] = {}

    def prob(failed: int, ex: list[Any], total: int) -> None:
        seen["prob"] = failed

    def incons(failed: int, ex: list[Any], total: int) -> None:
        msg = (
            f"{failed:,} of {total:,} rows: link_method disagrees with an empty or filled {fk.column} "
            f"({pct(failed, total)})"
            if failed
            else f"link_method agrees with {fk.column} in all {total:,} rows"
        )
        ctx.add(
            "link_method_inconsistent",
            name,
            method,
            failed_rows=failed,
            total_rows=total,
            message=msg,
            examples=mask_examples(ex),
        )

    def low(failed: int, ex: list[Any], total: int) -> None:
        n_prob = seen["prob"]
        ctx.add(
            "link_score_low",
            name,
            score,
            failed_rows=failed,
            total_rows=n_prob,
            examples=mask_examples(ex),
            message=f"{failed:,} of {n_prob:,} probabilistic links score below {t} ({pct(failed, n_prob)}); "
            "consider a sensitivity analysis without them",
        )

    def missing(failed: int, ex: list[Any], total: int) -> None:
        n_prob = seen["prob"]
        ctx.add(
            "link_score_missing",
            name,
            score or method,
            failed_rows=failed,
            total_rows=n_prob,
            examples=mask_examples(ex),
            message=f"{failed:,} of {n_prob:,} probabilistic links have no link score",
        )

    nos = f"{m} = 'probabilistic' AND {val(score) if score else 'NULL'} IS NULL"
    plans = [
        Planned(Cond(f"link_prob:{name}", f"{m} = 'probabilistic'"), prob),
        Planned(
            Cond(
                f"link_incons:{name}",
                f"({m} = 'none' AND {k} IS NOT NULL) OR ({m} IN ('deterministic', 'probabilistic') AND {k} IS NULL)",
                qi(method),
            ),
            incons,
        ),
        Planned(Cond(f"link_nos:{name}", nos, qi(method)), missing),
    ]
    if score:
        low_sql = f"{m} = 'probabilistic' AND TRY_CAST({val(score)} AS DOUBLE) < {t!r}"
        plans.append(Planned(Cond(f"link_low:{name}", low_sql, qi(score)), low))
    return plans


def _records_per_person(ctx: Ctx, name: str, fk: ForeignKey) -> None:
    limit = ctx.schema.linkage.max_records_per_person
    k = val(fk.column)
    n_keys, failed, ex = 0, 0, []
    heavy = ctx.con.execute(
        f"SELECT count(*) FROM (SELECT hash({k}) AS h FROM raw_{name} WHERE {k} IS NOT NULL "
        f"GROUP BY h HAVING count(*) > {limit})"
    ).fetchone()
    if heavy and heavy[0]:
        n_keys, failed, ex = ctx.con.execute(
            f"""SELECT count_if(c > {limit}), COALESCE(sum(c) FILTER (WHERE c > {limit}), 0),
                       arg_min({{'r': first_row, 'v': k}}, first_row, 5) FILTER (WHERE c > {limit})
                FROM (SELECT {k} AS k, count(*) AS c, min(_row) AS first_row FROM raw_{name}
                      WHERE {k} IS NOT NULL AND hash({k}) IN (
                        SELECT hash({k}) FROM raw_{name} WHERE {k} IS NOT NULL GROUP BY 1 HAVING count(*) > {limit})
                      GROUP BY 1)"""
        ).fetchone() or (0, 0, [])
        n_keys, failed = int(n_keys or 0), int(failed or 0)
    n = ctx.rows(name)
    msg = (
        f"{n_keys:,} key(s) have more than {limit} records each ({failed:,} of {n:,} rows): a placeholder "
        "pseudonym or several people merged under one key?"
        if n_keys
        else f"no key has more than {limit} records"
    )
    ctx.add(
        "records_per_person_excess",
        name,
        fk.column,
        failed_rows=int(failed),
        total_rows=n,
        message=msg,
        examples=mask_examples(ex),
    )


def _attribute_conflicts(ctx: Ctx) -> None:
    by_col: dict[str, list[str]] = {}
    for item in ctx.schema.linkage.agree_across_sources:
        src, _, col = item.partition(".")
        by_col.setdefault(col, []).append(src)
    for col, srcs in by_col.items():
        usable = [
            s
            for s in srcs
            if ctx.has(s, col)
            and ctx.schema.sources[s].person_key
            and ctx.has(s, ctx.schema.sources[s].person_key or "")
        ]
        if not usable:
            continue
        union = " UNION ALL ".join(
            f"SELECT {ql(s)} AS src, _row, {val(ctx.schema.sources[s].person_key or '')} AS k, {val(col)} AS v "
            f"FROM raw_{s}"
            for s in usable
        )
        total, failed, ex = ctx.con.execute(
            f"""WITH u AS ({union}), p AS (
                  SELECT k, count(DISTINCT v) AS nv, arg_min(_row, (src <> {ql(usable[0])}, _row)) AS r
                  FROM u WHERE k IS NOT NULL AND v IS NOT NULL GROUP BY k)
                SELECT count(*), count_if(nv > 1),
                       arg_min({{'r': r, 'v': k}}, r, 5) FILTER (WHERE nv > 1) FROM p"""
        ).fetchone() or (0, 0, [])
        total, failed = int(total or 0), int(failed or 0)
        where = " and ".join(usable)
        msg = (
            f"{failed:,} of {total:,} persons have different {col} values in {where} ({pct(failed, total)}); "
            "example rows are in the first source that holds the person"
            if failed
            else f"{col} agrees for all {total:,} persons across {where}"
        )
        ctx.add(
            "attribute_conflict",
            usable[0],
            col,
            failed_rows=failed,
            total_rows=total,
            message=msg,
            examples=mask_examples(ex),
        )


def _split_hint(ctx: Ctx) -> None:
    """Pairs of keys with the same birth year and sex and events on two or more of the same dates."""
    from revict.validate.temporal import event_dates_sql, person_attrs

    linked = linked_sources(ctx)
    if not linked:
        return
    person_src = linked[0][2].ref_source
    attrs = person_attrs(ctx, person_src)
    if attrs is None or "birth_year" not in attrs or "sex" not in attrs:
        return
    used = [(n, s, f) for n, s, f in linked if f.ref_source == person_src and ctx.rows(n) <= SPLIT_MAX_ROWS]
    events = event_dates_sql(ctx, used)
    if not events:
        return
    # only keys with two or more event dates can share two dates with another key
    ctx.con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _rv_split AS
            WITH e AS (SELECT DISTINCT k, d FROM ({events}) WHERE d IS NOT NULL),
                 multi AS (SELECT k FROM e GROUP BY k HAVING count(*) >= 2)
            SELECT e.k, e.d, p.byear, p.sex FROM e SEMI JOIN multi ON e.k = multi.k
            JOIN ({attrs["sql"]}) p ON e.k = p.k WHERE p.byear IS NOT NULL AND p.sex IS NOT NULL"""
    )
    base = "WITH x AS (SELECT * FROM _rv_split)"
    n_pairs = ctx.con.execute(
        f"{base} SELECT COALESCE(sum(c * (c - 1) // 2), 0) FROM (SELECT count(*) AS c FROM x GROUP BY byear, sex, d)"
    ).fetchone()
    n_persons = attrs["n"]
    if n_pairs and int(n_pairs[0]) > SPLIT_MAX_PAIRS:
        ctx.add(
            "person_split_hint",
            person_src,
            None,
            failed_rows=0,
            total_rows=n_persons,
            skipped=True,
            message=(
                f"skipped: {int(n_pairs[0]):,} chance pairs of same-day events; too many to tell "
                "split persons from coincidence at this size"
            ),
        )
        return
    failed, ex = ctx.con.execute(
        f"""{base}, pairs AS (
              SELECT a.k AS ka, b.k AS kb, count(*) AS shared FROM x a JOIN x b
                ON a.byear = b.byear AND a.sex = b.sex AND a.d = b.d AND a.k < b.k GROUP BY 1, 2 HAVING count(*) >= 2)
            SELECT count(*), arg_min({{'r': p.r, 'v': pairs.ka}}, p.r, 5)
            FROM pairs JOIN ({attrs["sql"]}) p ON pairs.ka = p.k"""
    ).fetchone() or (0, [])
    msg = (
        f"{failed:,} pair(s) of keys share birth year, sex and two or more event dates: possibly one "
        "person under two keys (a hint, not proof)"
        if failed
        else "no pair of keys shares birth year, sex and two or more event dates"
    )
    ctx.add(
        "person_split_hint",
        person_src,
        None,
        failed_rows=failed,
        total_rows=n_persons,
        message=msg,
        examples=mask_examples(ex),
    )
