"""Structure checks: files, columns, types, codes, pseudonym format, required values, ranges, dates.

All value checks of one source run in ONE scan of ``raw_<source>`` (the row pass,
:mod:`revict.validate.rowpass`), together with the other row-level conditions.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from revict.contract.models import ColumnSpec, ColumnType, SourceSpec
from revict.validate._sql import Cond, Ctx, Planned, mask_examples, pct, qi, ql, safe_column_name, typed, val
from revict.validate.catalogue import UNREADABLE_CODES

_PARSED_TYPES = (ColumnType.INT, ColumnType.FLOAT, ColumnType.DATE, ColumnType.BOOL)
_TYPE_WORDS = {
    ColumnType.INT: "whole numbers",
    ColumnType.FLOAT: "numbers",
    ColumnType.DATE: "ISO dates (YYYY-MM-DD)",
    ColumnType.BOOL: "booleans (true/false/1/0)",
}


def check_files(ctx: Ctx) -> None:
    """Report file- and header-level problems the loader collected, and the passes."""
    for name in ctx.schema.sources:
        probs = [p for p in ctx.sources.problems if p.source == name]
        missing = [p for p in probs if p.code == "file_missing"]
        if missing:
            p = missing[0]
            ctx.add("file_missing", name, None, failed_rows=1, total_rows=1, message=p.message, severity=p.severity)
            continue
        ctx.add("file_missing", name, None, failed_rows=0, total_rows=1, message=f"the extract of {name} is present")
        unreadable = [p for p in probs if p.code in UNREADABLE_CODES]
        for p in unreadable:
            ctx.add(p.code, name, None, failed_rows=1, total_rows=1, message=p.message, hint=p.hint or None)
        if not unreadable:
            path = ctx.sources.info[name].path.name if name in ctx.sources.info else name
            ctx.add("file_unreadable", name, None, failed_rows=0, total_rows=1, message=f"{path} was read")


def check_columns(ctx: Ctx) -> None:
    """Check that required columns are present and report columns outside the schema."""
    for name, spec in ctx.loaded():
        present = set(ctx.present(name))
        n = ctx.rows(name)
        missing = [c for c, cs in spec.columns.items() if cs.required and c not in present]
        for col in missing:
            hint = None
            if not present & set(spec.columns):
                hint = "None of the schema's columns is in the header: is the header row missing or misspelt?"
            ctx.add(
                "column_missing",
                name,
                col,
                failed_rows=max(n, 1),
                total_rows=max(n, 1),
                message=f"required column {col} is not in the header",
                hint=hint,
            )
        if not missing:
            n_req = sum(cs.required for cs in spec.columns.values())
            ctx.add(
                "column_missing",
                name,
                None,
                failed_rows=0,
                total_rows=max(n, 1),
                message=f"all {n_req} required columns are present",
            )
        extra = [c for c in ctx.present(name) if c not in spec.columns]
        for col in extra:
            ctx.add(
                "column_unexpected",
                name,
                safe_column_name(col),
                failed_rows=max(n, 1),
                total_rows=max(n, 1),
                message="column is not in the schema (scanned for personal data like all columns)",
            )
        if not extra:
            ctx.add(
                "column_unexpected",
                name,
                None,
                failed_rows=0,
                total_rows=max(n, 1),
                message="no columns outside the schema",
            )


def _column_conds(ctx: Ctx, col: str, cs: ColumnSpec) -> list[tuple[str, Cond, str]]:
    """``(check id, condition, message template)`` for one declared column."""
    v = val(col)
    raw = qi(col)
    t = typed(col, cs.type)
    out: list[tuple[str, Cond, str]] = []
    if cs.required:
        out.append(("value_missing", Cond(f"value_missing:{col}", f"{v} IS NULL", raw), "empty in {f} rows"))
    if cs.type in _PARSED_TYPES:
        out.append(
            (
                "type_invalid",
                Cond(f"type_invalid:{col}", f"{v} IS NOT NULL AND {t} IS NULL", raw),
                "{f} values are not " + _TYPE_WORDS[cs.type],
            )
        )
    if cs.type is ColumnType.ENUM and cs.values:
        codes = ", ".join(ql(x) for x in cs.values)
        out.append(
            (
                "enum_invalid",
                Cond(f"enum_invalid:{col}", f"{v} IS NOT NULL AND {v} NOT IN ({codes})", raw),
                "{f} values are not among the codes " + "/".join(cs.values),
            )
        )
    if cs.type is ColumnType.PSEUDONYM:
        pat = ql(ctx.schema.pseudonym_pattern)
        out.append(
            (
                "pseudonym_format",
                Cond(f"pseudonym_format:{col}", f"{v} IS NOT NULL AND NOT regexp_matches({v}, {pat})", raw),
                "{f} values do not match the pseudonym pattern",
            )
        )
    lo, hi = cs.min, ctx.schema.column_max(cs)
    if cs.type in (ColumnType.INT, ColumnType.FLOAT) and (lo is not None or hi is not None):
        terms = ([f"{t} < {lo!r}"] if lo is not None else []) + ([f"{t} > {hi!r}"] if hi is not None else [])
        bounds = f"[{'-inf' if lo is None else _num(lo)}, {'inf' if hi is None else _num(hi)}]"
        out.append(
            (
                "value_out_of_range",
                Cond(f"value_out_of_range:{col}", " OR ".join(terms), raw),
                "{f} values lie outside " + bounds,
            )
        )
    if cs.type is ColumnType.DATE:
        start, end = ctx.schema.data_start.isoformat(), ctx.schema.data_end.isoformat()
        if cs.in_window:
            out.append(
                (
                    "date_outside_window",
                    Cond(f"date_outside_window:{col}", f"{t} < DATE '{start}' OR {t} > DATE '{end}'", raw),
                    "{f} dates lie outside the data window " + f"{start} to {end}",
                )
            )
        else:
            out.append(
                (
                    "date_after_data_end",
                    Cond(f"date_after_data_end:{col}", f"{t} > DATE '{end}'", raw),
                    "{f} dates lie after data_end " + end,
                )
            )
    return out


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def value_plans(ctx: Ctx, name: str, spec: SourceSpec) -> list[Planned]:
    """Types, codes, pseudonym format, required values, ranges and dates of one source, as row-pass plans."""
    plans = []
    for col, cs in spec.columns.items():
        if col not in ctx.present(name):
            continue
        for cid, cond, msg in _column_conds(ctx, col, cs):
            plans.append(Planned(cond, partial(_report_value, ctx, cid, name, col, msg)))
    return plans


def _report_value(ctx: Ctx, cid: str, name: str, col: str, msg: str, failed: int, ex: list[Any], total: int) -> None:
    message = (
        (msg.format(f=f"{failed:,} of {total:,}") + f" ({pct(failed, total)})")
        if failed
        else f"all {total:,} rows pass"
    )
    ctx.add(cid, name, col, failed_rows=failed, total_rows=total, message=message, examples=mask_examples(ex))
