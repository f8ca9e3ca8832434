"""Shared plumbing of the checks: SQL quoting, one-pass counting, masked examples.

Every check counts in DuckDB. Up to five example rows per check come back as
``(row, value)`` pairs and are masked here, at the one place they enter Python.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb

from revict._core.errors import Severity
from revict._core.masking import mask_kind, mask_value
from revict.contract.models import ColumnType, ForeignKey, LinkageSchema, SourceSpec
from revict.load.loader import Sources
from revict.validate.report import Check, Example, make_check

logger = logging.getLogger("revict")

N_EXAMPLES = 5
#: Re-raise errors inside check groups instead of reporting ``check_crashed`` (for tests and debugging).
RAISE_ON_CRASH = False
_SAFE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_ ]{0,63}$")
_DIGIT_RUN = re.compile(r"[0-9]{4}")


def qi(name: str) -> str:
    """Quote an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def ql(text: str) -> str:
    """Quote an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def val(column: str) -> str:
    """Return SQL for a raw text cell, trimmed, with empty text as NULL (as the typed views read it).

    Same result as the loader's ``NULLIF(TRIM(x), '')``, but only cells that start or end
    with a space pay for the trim (five times faster on clean data).
    """
    c = qi(column)
    return (
        f"(CASE WHEN {c} = '' THEN NULL WHEN ascii({c}) = 32 OR ends_with({c}, ' ') "
        f"THEN NULLIF(TRIM({c}), '') ELSE {c} END)"
    )


def typed(column: str, ctype: ColumnType) -> str:
    """Return SQL for the declared type of a cell, as the loader's typed views parse it (NULL if it does not)."""
    from revict.load.loader import typed_expression

    return typed_expression(column, ctype).replace(f"NULLIF(TRIM({qi(column)}), '')", val(column))


def safe_column_name(name: str) -> str:
    """Return a column name fit for a report, masked when it looks like a data value.

    A file without a header row makes its first data row the header; such names are
    masked like values so that no pseudonym or personal data reaches the report.
    """
    if _SAFE_NAME.match(name) and not _DIGIT_RUN.search(name) and "@" not in name:
        return name
    return mask_value(name) + " (masked: looks like a data value; header row missing?)"


def mask_examples(pairs: Sequence[Any] | None, kind: str | None = None) -> tuple[Example, ...]:
    """Turn ``[{'r': row, 'v': value}, ...]`` from DuckDB into masked examples.

    Parameters
    ----------
    pairs : list of dict or None
        Output of ``arg_min({'r': _row, 'v': value}, _row, 5)``.
    kind : str, optional
        Personal-data kind: the value is replaced by ``<kind>`` entirely.
    """
    out = []
    for p in (pairs or ())[:N_EXAMPLES]:
        if kind:
            value = mask_kind(kind)
        elif looks_personal(p["v"]):
            value = mask_kind("personal data")
        else:
            value = mask_value(p["v"])
        out.append(Example(row=int(p["r"]), value=value))
    return tuple(out)


def looks_personal(value: Any) -> bool:
    """Return True when an example value looks like personal data (then only its kind is shown)."""
    if value is None:
        return False
    from revict.validate.personal import python_pii_pattern

    return python_pii_pattern().search(str(value)) is not None


@dataclass(frozen=True)
class Cond:
    """A named row condition for :func:`count_where` (SQL over one table); ``value`` is shown masked.

    With ``agg`` (e.g. ``"histogram({x})"``) the result is that aggregate of ``value`` over the rows
    meeting ``where`` instead of a count with examples.
    """

    key: str
    where: str
    value: str = "NULL"
    agg: str | None = None


@dataclass(frozen=True)
class Planned:
    """A condition for the one-scan row pass, and what to do with its result.

    ``done(failed_rows, raw_examples, total_rows)`` is called after the scan, in plan order
    (for an ``agg`` condition the first argument is the aggregate's value).
    """

    cond: Cond
    done: Callable[[Any, list[Any], int], None]


Hoist = Sequence[Sequence[tuple[str, str]]]


def _substitute(sql: str, layers: Hoist) -> str:
    for layer in reversed(layers):
        for expr, alias in sorted(layer, key=lambda e: -len(e[0])):
            sql = sql.replace(expr, alias)
    return sql


def count_where(
    con: duckdb.DuckDBPyConnection, table: str, conds: Sequence[Cond], hoist: Hoist = ()
) -> tuple[int, dict[str, tuple[Any, list[Any]]]]:
    """Count rows of ``table`` meeting each condition in ONE scan; return examples too.

    Each condition is evaluated once per row (an inner projection of flags); only failing
    rows build example records. ``hoist`` lists layers of ``(SQL expression, alias)``
    computed once per row before the conditions (e.g. trimmed cells, then parsed dates);
    their text is replaced by the alias wherever it occurs in later layers and conditions.

    Returns
    -------
    total : int
        Rows in the table.
    results : dict
        ``{key: (failed_rows, [{'r', 'v'}, ...])}`` (raw values: mask before use), or
        ``{key: (aggregate, [])}`` for ``agg`` conditions.
    """
    source = table
    for depth, layer in enumerate(hoist):
        cols = ", ".join(f"{_substitute(e, hoist[:depth])} AS {a}" for e, a in layer)
        source = f"(SELECT *, {cols} FROM {source})" if cols else source
    inner = ["_row"]
    outer = ["count(*)"]
    for i, c in enumerate(conds):
        where, value = _substitute(c.where, hoist), _substitute(c.value, hoist)
        inner += [f"COALESCE(({where}), false) AS _f{i}", f"({value}) AS _x{i}"]
        outer.append(f"{c.agg.format(x=f'_x{i}')} FILTER (WHERE _f{i})" if c.agg else f"count_if(_f{i})")
    flagged = f"(SELECT {', '.join(inner)} FROM {source})"
    row = con.execute(f"SELECT {', '.join(outer)} FROM {flagged}").fetchone()
    assert row is not None
    out: dict[str, tuple[Any, list[Any]]] = {}
    failing = []
    for i, c in enumerate(conds):
        if c.agg:
            out[c.key] = (row[1 + i], [])
        else:
            out[c.key] = (int(row[1 + i] or 0), [])
            if out[c.key][0]:
                failing.append(i)
    if failing:
        # examples only for the conditions that failed: a second scan, usually not needed
        parts = [
            f"arg_min({{'r': _row, 'v': CAST(_x{i} AS VARCHAR)}}, _row, {N_EXAMPLES}) FILTER (WHERE _f{i})"
            for i in failing
        ]
        ex = con.execute(f"SELECT {', '.join(parts)} FROM {flagged}").fetchone()
        assert ex is not None
        for j, i in enumerate(failing):
            out[conds[i].key] = (out[conds[i].key][0], ex[j] or [])
    return int(row[0] or 0), out


def run_plans(con: duckdb.DuckDBPyConnection, table: str, plans: Sequence[Planned], hoist: Hoist = ()) -> None:
    """Run planned conditions in one scan of ``table`` and hand each result to its callback."""
    if not plans:
        return
    total, res = count_where(con, table, [p.cond for p in plans], hoist)
    for p in plans:
        failed, ex = res[p.cond.key]
        p.done(failed, ex, total)


def pct(part: int, whole: int) -> str:
    """Format ``part / whole`` as a percentage with one decimal."""
    return f"{100.0 * part / whole:.1f}%" if whole else "n/a"


@dataclass
class Ctx:
    """Everything a check needs: the loaded sources and the growing list of checks."""

    sources: Sources
    deep: bool = False
    checks: list[Check] = field(default_factory=list)
    diagnostics: dict[str, Any] = field(default_factory=dict)
    #: Facts one check group leaves for another, e.g. candidate counts from the row pass.
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection holding the sources."""
        return self.sources.con

    @property
    def schema(self) -> LinkageSchema:
        """The linkage schema."""
        return self.sources.schema

    def loaded(self) -> list[tuple[str, SourceSpec]]:
        """Return the sources that were read, with their specs, in schema order."""
        return [(n, s) for n, s in self.schema.sources.items() if n in self.sources.info]

    def present(self, source: str) -> tuple[str, ...]:
        """Columns in the file of ``source``."""
        return self.sources.info[source].columns

    def rows(self, source: str) -> int:
        """Return the number of data rows of ``source``."""
        return self.sources.info[source].rows

    def has(self, source: str, column: str) -> bool:
        """Return True when ``source`` was read and its file has ``column``."""
        return source in self.sources.info and column in self.present(source)

    def column_type(self, source: str, column: str) -> ColumnType | None:
        """Return the declared type of a column, or None for an unexpected column."""
        spec = self.schema.sources[source].columns.get(column)
        return spec.type if spec else None

    def add(self, check_id: str, source: str, column: str | None, **kw: Any) -> Check:
        """Make a check (see :func:`revict.validate.report.make_check`) and record it."""
        c = make_check(check_id, source, column, **kw)
        self.checks.append(c)
        return c

    def guarded(self, what: str, source: str, fn: Callable[[], None]) -> None:
        """Run a group of checks; a failure of the engine becomes a ``check_crashed`` finding.

        The exception text is not reported (engine messages can quote cell values).
        """
        try:
            fn()
        except (duckdb.Error, ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
            if RAISE_ON_CRASH:
                raise
            logger.warning("check group %s on %s could not run (%s)", what, source, type(exc).__name__)
            self.add(
                "check_crashed",
                source,
                None,
                failed_rows=1,
                total_rows=1,
                message=f"the {what} checks could not run on {source} ({type(exc).__name__})",
                severity=Severity.ERROR,
            )


def person_fk(spec: SourceSpec) -> ForeignKey | None:
    """Return the foreign key on the source's person key (unconditional), if any."""
    for fk in spec.foreign_keys:
        if spec.person_key and fk.column == spec.person_key and not fk.when:
            return fk
    return None


def linked_sources(ctx: Ctx) -> list[tuple[str, SourceSpec, ForeignKey]]:
    """Return the sources read whose person key references a person source that was read, with that key."""
    out = []
    for name, spec in ctx.loaded():
        fk = person_fk(spec)
        if fk and ctx.has(name, fk.column) and ctx.has(fk.ref_source, fk.ref_column):
            out.append((name, spec, fk))
    return out
