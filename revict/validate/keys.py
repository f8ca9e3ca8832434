"""Key checks: unique keys, exact duplicate rows, foreign keys, key domains, events in the wrong table."""

from __future__ import annotations

from functools import partial
from typing import Any

from revict.contract.models import ForeignKey, SourceSpec
from revict.validate._sql import Ctx, linked_sources, mask_examples, pct, qi, ql, val


def check_keys(ctx: Ctx) -> None:
    """Uniqueness, duplicate rows and foreign keys of every source that was read."""
    for name, spec in ctx.loaded():
        ctx.guarded("uniqueness", name, partial(_unique, ctx, name, spec))
        ctx.guarded("foreign-key", name, partial(_foreign, ctx, name, spec))


def _unique_columns(spec: SourceSpec) -> list[str]:
    cols = [c for c, cs in spec.columns.items() if cs.unique]
    if spec.primary_key and spec.primary_key not in cols:
        cols.insert(0, spec.primary_key)
    return cols


def _unique(ctx: Ctx, name: str, spec: SourceSpec) -> None:
    n = ctx.rows(name)
    dup_possible = True
    for col in _unique_columns(spec):
        if col not in ctx.present(name):
            continue
        failed, n_keys, ex = _repeated(ctx, name, [val(col)], key_only=True)
        msg = (
            f"{failed:,} of {n:,} rows share {n_keys:,} key values ({pct(failed, n)})"
            if failed
            else f"all {n:,} filled-in values are unique"
        )
        ctx.add("key_not_unique", name, col, failed_rows=failed, total_rows=n, message=msg, examples=mask_examples(ex))
        if col == spec.primary_key and failed == 0:
            dup_possible = False
    _duplicates(ctx, name, n, dup_possible)


def _repeated(ctx: Ctx, name: str, exprs: list[str], *, key_only: bool) -> tuple[int, int, list[Any]]:
    """Rows whose ``exprs`` repeat: first grouped by a 64-bit hash (cheap), then confirmed exactly.

    Returns ``(rows, distinct repeated values, examples)`` for keys (all rows sharing a value)
    or, with ``key_only=False``, ``(copies beyond the first, groups, examples of the copies)``.
    """
    cols = ", ".join(exprs)
    notnull = " AND ".join(f"{e} IS NOT NULL" for e in exprs) if key_only else "true"
    row = ctx.con.execute(
        f"SELECT count(*) FROM (SELECT hash({cols}) AS h FROM raw_{name} WHERE {notnull} "
        "GROUP BY h HAVING count(*) > 1)"
    ).fetchone()
    if not row or not row[0]:
        return 0, 0, []
    ctx.con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _rv_rep AS
            SELECT _row, {cols if key_only else "NULL"} AS k,
                   row_number() OVER (PARTITION BY {cols} ORDER BY _row) AS nth,
                   count(*) OVER (PARTITION BY {cols}) AS c
            FROM raw_{name} WHERE {notnull} AND hash({cols}) IN (
              SELECT hash({cols}) FROM raw_{name} WHERE {notnull} GROUP BY 1 HAVING count(*) > 1)"""
    )
    shown = "c > 1" if key_only else "nth > 1"
    out = ctx.con.execute(
        f"""SELECT count_if({shown}), count_if(c > 1 AND nth = 1),
                   arg_min({{'r': _row, 'v': k}}, _row, 5) FILTER (WHERE {shown}) FROM _rv_rep"""
    ).fetchone()
    ctx.con.execute("DROP TABLE _rv_rep")
    assert out is not None
    return int(out[0] or 0), int(out[1] or 0), out[2] or []


def _duplicates(ctx: Ctx, name: str, n: int, possible: bool) -> None:
    """Exact duplicate rows: rows beyond the first copy (not computed when the primary key is unique)."""
    if not possible or not ctx.present(name):
        ctx.add(
            "row_duplicate",
            name,
            None,
            failed_rows=0,
            total_rows=n,
            message="no exact duplicate rows" + (" (the primary key is unique)" if not possible else ""),
        )
        return
    failed, _, ex = _repeated(ctx, name, [qi(c) for c in ctx.present(name)], key_only=False)
    msg = (
        f"{failed:,} of {n:,} rows are exact copies of an earlier row ({pct(failed, n)})"
        if failed
        else "no exact duplicate rows"
    )
    ctx.add(
        "row_duplicate",
        name,
        None,
        failed_rows=failed,
        total_rows=n,
        message=msg,
        examples=mask_examples(ex, kind="duplicate row"),
    )


def _when_sql(fk: ForeignKey) -> str:
    if not fk.when:
        return "true"
    return " AND ".join(f"{val(c)} = {ql(v)}" for c, v in fk.when.items())


def _fk_present(ctx: Ctx, name: str, fk: ForeignKey) -> bool:
    return (
        fk.column in ctx.present(name)
        and all(c in ctx.present(name) for c in fk.when)
        and ctx.has(fk.ref_source, fk.ref_column)
    )


def _foreign(ctx: Ctx, name: str, spec: SourceSpec) -> None:
    by_linkage = {(n, f.column) for n, _, f in linked_sources(ctx)}
    for fk in spec.foreign_keys:
        if not _fk_present(ctx, name, fk) or (name, fk.column) in by_linkage and not fk.when:
            continue  # the person key of a linked source is checked with the link rates (one join)
        v = val(fk.column)
        src = f"SELECT _row, {v} AS k FROM raw_{name} WHERE {v} IS NOT NULL AND {_when_sql(fk)}"
        ref = f"SELECT {val(fk.ref_column)} AS k FROM raw_{fk.ref_source}"
        table = f"_rv_unres_{len(ctx.state.setdefault('unresolved', {}))}"
        ctx.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS "
            f"SELECT s._row, s.k FROM ({src}) s ANTI JOIN ({ref}) r ON s.k = r.k"
        )
        ctx.state["unresolved"][(name, fk.column, fk.references)] = table
        filled = int((ctx.con.execute(f"SELECT count(*) FROM ({src})").fetchone() or (0,))[0])
        failed, ex = ctx.con.execute(
            f"SELECT count(*), arg_min({{'r': _row, 'v': k}}, _row, 5) FROM {table}"
        ).fetchone() or (0, [])
        report_fk(ctx, name, fk, filled=filled, failed=int(failed or 0), examples=ex or [])
    _wrong_table(ctx, name, spec)


def report_fk(ctx: Ctx, name: str, fk: ForeignKey, *, filled: int, failed: int, examples: list[Any]) -> None:
    """Report a foreign key: one key-domain finding when almost none resolve, else the unresolved keys."""
    cond = (" where " + ", ".join(f"{c} = {x}" for c, x in fk.when.items())) if fk.when else ""
    resolved = filled - failed
    rules = ctx.schema.linkage
    if filled >= rules.key_domain_min_keys and resolved < rules.key_domain_min_resolved * filled:
        ctx.add(
            "key_domain_mismatch",
            name,
            fk.column,
            failed_rows=failed,
            total_rows=filled,
            message=(
                f"key domains do not match: only {resolved:,} of {filled:,} filled-in {fk.column} "
                f"values{cond} resolve to {fk.references}; pseudonyms of this source were made "
                "with another key or key version"
            ),
            examples=mask_examples(examples),
        )
        return
    ctx.add(
        "key_domain_mismatch",
        name,
        fk.column,
        failed_rows=0,
        total_rows=filled,
        message=f"{resolved:,} of {filled:,} filled-in keys{cond} resolve to {fk.references}",
    )
    msg = (
        f"{failed:,} of {filled:,} filled-in {fk.column} values{cond} are not in {fk.references} "
        f"({pct(failed, filled)}; empty keys are counted apart as unlinked)"
        if failed
        else f"all {filled:,} filled-in values{cond} resolve to {fk.references}"
    )
    ctx.add(
        "fk_unresolved",
        name,
        fk.column,
        failed_rows=failed,
        total_rows=filled,
        message=msg,
        examples=mask_examples(examples),
    )


def _wrong_table(ctx: Ctx, name: str, spec: SourceSpec) -> None:
    """Conditional foreign keys on one column (event_type): ids found only in a sibling's table."""
    by_col: dict[str, list[ForeignKey]] = {}
    for fk in spec.foreign_keys:
        if fk.when and _fk_present(ctx, name, fk):
            by_col.setdefault(fk.column, []).append(fk)
    for col, fks in by_col.items():
        if len(fks) < 2:
            continue
        total = ctx.rows(name)
        failed, ex = 0, []  # type: tuple[int, list[Any]]
        for fk in fks:
            unres = ctx.state["unresolved"][(name, col, fk.references)]
            for o in fks:
                if o is fk:
                    continue
                f, e = ctx.con.execute(
                    f"""SELECT count(*), arg_min({{'r': _row, 'v': k}}, _row, 5) FROM {unres}
                        WHERE k IN (SELECT {val(o.ref_column)} FROM raw_{o.ref_source})"""
                ).fetchone() or (0, [])
                failed += int(f or 0)
                ex += e or []
        ex = sorted(ex, key=lambda p: int(p["r"]))[:5]
        conds = " / ".join(f"{c}" for c in sorted({c for fk in fks for c in fk.when}))
        msg = (
            f"{failed:,} of {total:,} rows name an id that is only in the table another {conds} names "
            f"({pct(failed, total)})"
            if failed
            else f"every resolving {col} is in the table its {conds} names"
        )
        ctx.add(
            "event_wrong_table",
            name,
            col,
            failed_rows=failed,
            total_rows=total,
            message=msg,
            examples=mask_examples(ex),
        )
