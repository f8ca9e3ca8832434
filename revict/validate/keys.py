"""Key checks: unique keys, exact duplicate rows, foreign keys, key domains, events in the wrong table."""

from __future__ import annotations

from revict.contract.models import ForeignKey, SourceSpec
from revict.validate._sql import Ctx, mask_examples, pct, qi, ql, val

#: Below this share of filled-in foreign keys resolving, the key domains are judged not to match.
KEY_DOMAIN_MIN_RESOLVED = 0.05
#: Smallest number of filled-in keys for the key-domain judgement.
KEY_DOMAIN_MIN_KEYS = 10


def check_keys(ctx: Ctx) -> None:
    """Uniqueness, duplicate rows and foreign keys of every source that was read."""
    for name, spec in ctx.loaded():
        ctx.guarded("uniqueness", name, lambda name=name, spec=spec: _unique(ctx, name, spec))
        ctx.guarded("foreign-key", name, lambda name=name, spec=spec: _foreign(ctx, name, spec))


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
        v = val(col)
        failed, n_keys = ctx.con.execute(
            f"""SELECT COALESCE(sum(c), 0), count(*) FROM (
                  SELECT {v} AS k, count(*) AS c FROM raw_{name} GROUP BY 1 HAVING count(*) > 1 AND k IS NOT NULL)"""
        ).fetchone() or (0, 0)
        failed, ex = int(failed), []
        if failed:
            ex = ctx.con.execute(
                f"""SELECT arg_min({{'r': _row, 'v': {v}}}, _row, 5) FROM raw_{name} WHERE {v} IN (
                      SELECT {v} FROM raw_{name} GROUP BY 1 HAVING count(*) > 1)"""
            ).fetchone()[0]  # type: ignore[index]
        msg = (
            f"{failed:,} of {n:,} rows share {n_keys:,} key values ({pct(failed, n)})"
            if failed
            else f"all {n:,} filled-in values are unique"
        )
        ctx.add("key_not_unique", name, col, failed_rows=failed, total_rows=n, message=msg, examples=mask_examples(ex))
        if col == spec.primary_key and failed == 0:
            dup_possible = False
    _duplicates(ctx, name, n, dup_possible)


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
    cols = ", ".join(qi(c) for c in ctx.present(name))
    row = ctx.con.execute(
        f"SELECT COALESCE(sum(c - 1), 0) FROM (SELECT count(*) AS c FROM raw_{name} GROUP BY {cols} HAVING c > 1)"
    ).fetchone()
    failed, ex_rows = int(row[0]) if row else 0, []
    if failed:
        ex_rows = ctx.con.execute(
            f"""SELECT min(_row, 5) FROM (
                  SELECT _row, row_number() OVER (PARTITION BY {cols} ORDER BY _row) AS k FROM raw_{name})
                WHERE k > 1"""
        ).fetchone()[0]  # type: ignore[index]
    ex = [{"r": r, "v": "<row>"} for r in (ex_rows or [])]
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
    for fk in spec.foreign_keys:
        if not _fk_present(ctx, name, fk):
            continue
        v = val(fk.column)
        ref = f"SELECT DISTINCT {val(fk.ref_column)} AS k FROM raw_{fk.ref_source}"
        filled, failed, ex = ctx.con.execute(
            f"""SELECT count(*), count(*) FILTER (WHERE r.k IS NULL), arg_min({{'r': s._row, 'v': s.k}}, s._row, 5)
                    FILTER (WHERE r.k IS NULL)
                FROM (SELECT _row, {v} AS k FROM raw_{name} WHERE {v} IS NOT NULL AND {_when_sql(fk)}) s
                LEFT JOIN ({ref}) r ON s.k = r.k"""
        ).fetchone() or (0, 0, [])
        cond = (" where " + ", ".join(f"{c} = {x}" for c, x in fk.when.items())) if fk.when else ""
        resolved = filled - failed
        if filled >= KEY_DOMAIN_MIN_KEYS and resolved < KEY_DOMAIN_MIN_RESOLVED * filled:
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
                examples=mask_examples(ex),
            )
            continue
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
            examples=mask_examples(ex),
        )
    _wrong_table(ctx, name, spec)


def _wrong_table(ctx: Ctx, name: str, spec: SourceSpec) -> None:
    """Conditional foreign keys on one column (event_type): ids found only in a sibling's table."""
    by_col: dict[str, list[ForeignKey]] = {}
    for fk in spec.foreign_keys:
        if fk.when and _fk_present(ctx, name, fk):
            by_col.setdefault(fk.column, []).append(fk)
    for col, fks in by_col.items():
        if len(fks) < 2:
            continue
        v = val(col)
        terms = []
        for fk in fks:
            others = [o for o in fks if o is not fk]
            in_own = f"{v} IN (SELECT {val(fk.ref_column)} FROM raw_{fk.ref_source})"
            in_other = " OR ".join(f"{v} IN (SELECT {val(o.ref_column)} FROM raw_{o.ref_source})" for o in others)
            terms.append(f"({_when_sql(fk)} AND NOT COALESCE({in_own}, false) AND ({in_other}))")
        where = " OR ".join(terms)
        total, failed, ex = ctx.con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE w), arg_min({{'r': _row, 'v': k}}, _row, 5) FILTER (WHERE w) "
            f"FROM (SELECT _row, {v} AS k, COALESCE({where}, false) AS w FROM raw_{name})"
        ).fetchone() or (0, 0, [])
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
