"""Pseudonym hygiene: one format per column, and (``--deep``) no unkeyed hashes of citizen service numbers.

The deep check proves reversibility the way an attacker would: it enumerates every
9-digit number that passes the 11-check (all ~9.1e7 of them, in DuckDB), hashes each
with the algorithm the pseudonym's length suggests (MD5: 32 hex, SHA-1: 40, SHA-256: 64)
and joins the digests against the pseudonyms. It only runs when some pseudonyms are
hex strings of those lengths; otherwise it passes without enumerating.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

import duckdb

from revict.contract.models import ColumnType, SourceSpec
from revict.validate._sql import Cond, Ctx, Planned, mask_examples, pct, qi, ql, val

logger = logging.getLogger("revict")

#: Number of 8-digit prefixes enumerated by the deep check (each has at most one valid check digit).
BSN_PREFIXES = 100_000_000
#: A pseudonym format holding at least this share of a column's values counts as a format.
MIN_FORMAT_SHARE = 0.01
HASH_ALGORITHMS = {32: "md5", 40: "sha1", 64: "sha256"}
_HEX_HASH = "[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}"


def _pseudonym_columns(ctx: Ctx, name: str, spec: SourceSpec) -> list[str]:
    return [c for c, cs in spec.columns.items() if cs.type is ColumnType.PSEUDONYM and c in ctx.present(name)]


def check_mixed_formats(ctx: Ctx) -> None:
    """Warn when a pseudonym column mixes formats (usually two key versions that will not join)."""
    for name, spec in ctx.loaded():
        for col in _pseudonym_columns(ctx, name, spec):
            ctx.guarded("pseudonym-format", name, partial(_mixed_one, ctx, name, spec, col))


def _partition(ctx: Ctx, name: str, spec: SourceSpec, col: str) -> str:
    """Conditional foreign keys (event_type) legitimately mix formats: compare within each condition."""
    conds = sorted({c for fk in spec.foreign_keys if fk.column == col for c in fk.when})
    conds = [c for c in conds if c in ctx.present(name)]
    return " || '|' || ".join(f"COALESCE({val(c)}, '')" for c in conds) if conds else "''"


def _signature(ctx: Ctx, name: str, spec: SourceSpec, col: str) -> list[str]:
    """Return SQL for a pseudonym's format: partition, short prefix before ``-``/``_`` or not, length.

    Cheap string functions only (no regular expressions): this runs on every key of every source.
    """
    v = val(col)
    prefix = f"CASE WHEN strpos({v}, '-') BETWEEN 2 AND 9 OR strpos({v}, '_') BETWEEN 2 AND 9 THEN 'p' ELSE '' END"
    return [_partition(ctx, name, spec, col), prefix, f"length({v})"]


def _mixed_one(ctx: Ctx, name: str, spec: SourceSpec, col: str) -> None:
    sig = _signature(ctx, name, spec, col)
    ok = f"{val(col)} IS NOT NULL"
    rows = ctx.con.execute(f"SELECT {', '.join(sig)}, count(*) FROM raw_{name} WHERE {ok} GROUP BY ALL").fetchall()
    parts: dict[str, list[list[Any]]] = {}
    for part, prefix, length, c in rows:
        parts.setdefault(part, []).append([(prefix, int(length)), int(c), [(part, prefix, int(length))]])
    total = sum(int(r[-1]) for r in rows)
    failed, descr, minority = 0, [], []
    for fmts in parts.values():
        merged = list(fmts)
        n_part = sum(f[1] for f in merged)
        significant = [f for f in merged if f[1] >= MIN_FORMAT_SHARE * n_part]
        if len(significant) < 2:
            continue
        merged.sort(key=lambda f: -f[1])
        failed += n_part - merged[0][1]
        descr += [_describe(f) for f in merged[:4]]
        minority += [k for f in merged[1:] for k in f[2]]
    examples: list[Any] = []
    if failed:
        keys = ", ".join(f"({ql(a)}, {ql(b)}, {int(c)})" for a, b, c in minority)
        row = ctx.con.execute(
            f"SELECT arg_min({{'r': _row, 'v': {qi(col)}}}, _row, 5) FROM raw_{name} WHERE {ok} "
            f"AND ({', '.join(sig)}) IN ({keys})"
        ).fetchone()
        examples = (row[0] if row else None) or []
    msg = (
        f"{len(descr)} formats in one column ({'; '.join(descr)}); {failed:,} of {total:,} values are not in "
        f"the most common format ({pct(failed, total)})"
        if failed
        else f"all {total:,} pseudonyms share one format"
    )
    ctx.add(
        "pseudonym_mixed_formats",
        name,
        col,
        failed_rows=failed,
        total_rows=total,
        message=msg,
        examples=mask_examples(examples),
    )


def _describe(f: list[Any]) -> str:
    prefix, length = f[0]
    pre = "with a prefix" if prefix else "without a prefix"
    return f"{length} characters {pre}: {f[1]:,} values"


# --------------------------------------------------------------------------- deep check


def hexhash_plans(ctx: Ctx, name: str, spec: SourceSpec) -> list[Planned]:
    """Row-pass plans counting pseudonyms that are 32/40/64-character hex strings (digest-like)."""
    found = ctx.state.setdefault("hex_digests", {})
    plans = []
    for col in _pseudonym_columns(ctx, name, spec):

        def keep(failed: int, ex: list[Any], total: int, col: str = col) -> None:
            found[(name, col)] = failed

        v = val(col)
        digest = f"CASE WHEN length({v}) IN (32, 40, 64) THEN regexp_full_match({v}, '[0-9a-fA-F]+') ELSE false END"
        plans.append(Planned(Cond(f"hexhash:{col}", digest), keep))
    return plans


def _hash_candidates(ctx: Ctx) -> list[tuple[str, str, int]]:
    """``(source, column, n)`` of pseudonym columns holding hex digests of 32/40/64 characters."""
    found = ctx.state.get("hex_digests", {})
    out = []
    for name, spec in ctx.loaded():
        for col in _pseudonym_columns(ctx, name, spec):
            n = found.get((name, col))
            if n is None:
                row = ctx.con.execute(
                    f"SELECT count(*) FROM raw_{name} WHERE regexp_full_match(lower({val(col)}), '{_HEX_HASH}')"
                ).fetchone()
                n = int(row[0]) if row else 0
            if n:
                out.append((name, col, int(n)))
    return out


def _has_function(con: duckdb.DuckDBPyConnection, fn: str) -> bool:
    try:
        con.execute(f"SELECT {fn}('1')").fetchone()
    except duckdb.Error:
        return False
    return True


def _enumerate(ctx: Ctx, algorithm: str, length: int) -> int:
    """Insert into ``_rv_reversed`` every candidate digest that is ``algorithm`` of a valid BSN."""
    w = " + ".join(f"{9 - i}*(pre // {10 ** (7 - i)} % 10)" for i in range(8))
    ctx.con.execute(
        f"""INSERT INTO _rv_reversed
            SELECT h FROM (
              SELECT {algorithm}(lpad(pre::VARCHAR, 8, '0') || d9::VARCHAR) AS h FROM (
                SELECT range AS pre, ({w}) % 11 AS d9 FROM range(0, {int(BSN_PREFIXES)}))
              WHERE d9 <= 9 AND NOT (pre = 0 AND d9 = 0))
            WHERE h IN (SELECT h FROM _rv_hashcand WHERE len = {length})"""
    )
    row = ctx.con.execute(f"SELECT count(*) FROM _rv_reversed WHERE length(h) = {length}").fetchone()
    return int(row[0]) if row else 0


def check_unkeyed_hashes(ctx: Ctx) -> None:
    """Report (and with ``deep``, prove by enumeration) pseudonyms that are unkeyed hashes of BSNs."""
    ctx.guarded("unkeyed-hash", "(all)", lambda: _unkeyed(ctx))


def _unkeyed(ctx: Ctx) -> None:
    cands = _hash_candidates(ctx)
    names = [n for n, _ in ctx.loaded()]
    if not ctx.deep or not cands:
        note = (
            "not run: use --deep to test whether pseudonyms are unkeyed hashes of citizen service numbers"
            if not ctx.deep
            else "no pseudonym is a 32/40/64-character hex digest; no enumeration needed"
        )
        for name in names:
            n_hex = sum(c[2] for c in cands if c[0] == name)
            extra = f" ({n_hex:,} pseudonyms look like hex digests)" if n_hex and not ctx.deep else ""
            ctx.add(
                "pseudonym_unkeyed_hash",
                name,
                None,
                failed_rows=0,
                total_rows=ctx.rows(name),
                message=note + extra,
                skipped=not ctx.deep,
            )
        return
    con = ctx.con
    union = " UNION ".join(
        f"SELECT DISTINCT lower({val(c)}) AS h FROM raw_{n} WHERE regexp_full_match(lower({val(c)}), '{_HEX_HASH}')"
        for n, c, _ in cands
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE _rv_hashcand AS SELECT h, length(h) AS len FROM ({union})")
    con.execute("CREATE OR REPLACE TEMP TABLE _rv_reversed (h VARCHAR)")
    lengths = [int(r[0]) for r in con.execute("SELECT DISTINCT len FROM _rv_hashcand ORDER BY 1").fetchall()]
    notes = []
    for length in lengths:
        alg = HASH_ALGORITHMS[length]
        if not _has_function(con, alg):
            notes.append(f"{alg} is not available in this DuckDB: {length}-character digests not tested")
            continue
        logger.info("deep check: enumerating valid BSNs under %s", alg)
        notes.append(f"{alg}: {_enumerate(ctx, alg, length):,} digest(s) reversed")
    note = "; ".join(notes)
    for name in names:
        for n, col, _ in [c for c in cands if c[0] == name]:
            failed, ex = con.execute(
                f"""SELECT count(*), arg_min({{'r': _row, 'v': NULL::VARCHAR}}, _row, 5) FROM raw_{n}
                    WHERE lower({val(col)}) IN (SELECT h FROM _rv_reversed)"""
            ).fetchone() or (0, [])
            total = ctx.rows(n)
            msg = (
                f"{failed:,} of {total:,} pseudonyms are unkeyed hashes of citizen service numbers, reversed by "
                f"enumerating all valid numbers ({pct(failed, total)}; {note})"
                if failed
                else f"no pseudonym is an unkeyed hash of a citizen service number ({note})"
            )
            ctx.add(
                "pseudonym_unkeyed_hash",
                n,
                col,
                failed_rows=int(failed),
                total_rows=total,
                message=msg,
                examples=mask_examples(ex or [], kind="bsn-hash"),
            )
        if not any(c[0] == name for c in cands):
            ctx.add(
                "pseudonym_unkeyed_hash",
                name,
                None,
                failed_rows=0,
                total_rows=ctx.rows(name),
                message="no pseudonym is a 32/40/64-character hex digest",
            )
    con.execute("DROP TABLE _rv_hashcand")
    con.execute("DROP TABLE _rv_reversed")
