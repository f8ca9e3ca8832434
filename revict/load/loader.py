"""Read register extracts into DuckDB with the types the linkage schema declares.

Each source becomes two relations on one DuckDB connection:

* ``raw_<source>``: a table with every column as text (VARCHAR) plus ``_row``, the
  1-based data row number (CSV line number minus one for the header). Validation
  reads this to find cells that do not parse.
* ``<source>``: a view with the declared types (``TRY_CAST``; a cell that does not
  parse becomes NULL) and ``_row``. Declared optional columns missing from the file
  appear as typed NULL columns, so later stages can always name them.

Nothing is pulled into pandas; the input files are opened read-only.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from revict._core.engine import connect
from revict._core.errors import Problem, Severity, SourceError
from revict._core.model import file_sha256
from revict.contract.models import DUCKDB_TYPES, ColumnType, LinkageSchema, SourceSpec

logger = logging.getLogger("revict")

_EXTENSIONS = (".csv", ".parquet", ".csv.gz")


@dataclass(frozen=True)
class SourceInfo:
    """Where a source came from and what it holds."""

    name: str
    path: Path
    format: str
    rows: int
    sha256: str
    columns: tuple[str, ...]

    def fingerprint(self) -> dict[str, Any]:
        """JSON-safe ``{"path", "rows", "sha256"}``."""
        return {"path": str(self.path), "rows": self.rows, "sha256": self.sha256}


@dataclass
class Sources:
    """The loaded sources of one data folder on one DuckDB connection.

    Attributes
    ----------
    con : duckdb.DuckDBPyConnection
        Connection holding ``raw_<source>`` tables and typed ``<source>`` views.
    schema : LinkageSchema
        The contract the data were read with.
    data_dir : Path
        Folder the extracts were read from.
    info : dict of str to SourceInfo
        Sources that could be read.
    problems : list of Problem
        Load-level findings (missing or unreadable file, missing required column).
    """

    con: duckdb.DuckDBPyConnection
    schema: LinkageSchema
    data_dir: Path
    info: dict[str, SourceInfo] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def __contains__(self, name: object) -> bool:
        return name in self.info

    def relation(self, name: str) -> duckdb.DuckDBPyRelation:
        """Typed relation of a source."""
        return self.con.table(name)

    def fingerprints(self) -> dict[str, dict[str, Any]]:
        """``{source: {"path", "rows", "sha256"}}`` for provenance records."""
        return {name: si.fingerprint() for name, si in self.info.items()}

    @property
    def has_errors(self) -> bool:
        """True when a load-level error was found."""
        return any(p.severity is Severity.ERROR for p in self.problems)


def find_source_file(data_dir: Path, spec: SourceSpec) -> Path | None:
    """Return the file of a source (``<file>.csv``, ``.csv.gz`` or ``.parquet``), or None."""
    if any(spec.file.endswith(ext) for ext in _EXTENSIONS):
        p = data_dir / spec.file
        return p if p.is_file() else None
    for ext in _EXTENSIONS:
        p = data_dir / f"{spec.file}{ext}"
        if p.is_file():
            return p
    return None


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_LINE_RE = re.compile(r"[Ll]ine:?\s*(\d+)")


def _duckdb_csv_problem(name: str, path: Path, exc: Exception) -> Problem:
    """Translate a DuckDB reader error without echoing any of the file's content."""
    text = str(exc)
    m = _LINE_RE.search(text)
    line = int(m.group(1)) if m else None
    at = f" at line {line}" if line else ""
    rows = (line - 1,) if line and line > 1 else ()
    lowered = text.lower()
    if "unicode" in lowered or "utf-8" in lowered or "utf8" in lowered or "encoding" in lowered:
        return Problem(
            "file_encoding",
            Severity.ERROR,
            name,
            None,
            f"{path.name} is not valid UTF-8{at}",
            "Re-export the extract as UTF-8 (e.g. `iconv -f latin1 -t utf-8 in.csv > out.csv`).",
            rows=rows,
        )
    if "expected" in lowered and "column" in lowered or "too many columns" in lowered or "sniff" in lowered:
        return Problem(
            "file_ragged",
            Severity.ERROR,
            name,
            None,
            f"{path.name} has a row with a different number of fields than the header{at}",
            "Check quoting and delimiters in the export; every row needs as many fields as the header.",
            rows=rows,
        )
    return Problem(
        "file_unreadable",
        Severity.ERROR,
        name,
        None,
        f"{path.name} could not be read as {'Parquet' if path.suffix == '.parquet' else 'CSV'}{at}",
        "Check that the file is a complete CSV with a header row, or a Parquet file, and not truncated.",
        rows=rows,
    )


def _check_text_file(name: str, path: Path) -> Problem | None:
    """Catch what DuckDB would misreport: empty files, UTF-16 and NUL bytes."""
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
    if not head.strip():
        return Problem(
            "file_empty",
            Severity.ERROR,
            name,
            None,
            f"{path.name} is empty",
            "Export the table again with a header row.",
        )
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        return Problem(
            "file_encoding",
            Severity.ERROR,
            name,
            None,
            f"{path.name} looks like UTF-16 or binary, not UTF-8 text",
            "Re-export the extract as UTF-8 CSV.",
        )
    return None


class _HeaderError(Exception):
    """The header row is unusable (raised before DuckDB sees the file)."""


def _csv_header(path: Path) -> list[str]:
    """Column names from the first line (UTF-8, BOM tolerated); duplicates rejected."""
    import csv
    import gzip

    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        first = fh.readline()
    text = first.decode("utf-8-sig")  # UnicodeDecodeError -> file_encoding at line 1
    header = next(csv.reader([text.rstrip("\r\n")]), [])
    names = [h.strip() for h in header]
    if not names or any(n == "" for n in names):
        raise _HeaderError("the header row has an empty column name")
    if len(set(names)) != len(names):
        raise _HeaderError("the header row names a column twice")
    return names


def _text_source(con: duckdb.DuckDBPyConnection, name: str, path: Path) -> tuple[str, list[str]]:
    """Return SQL selecting every column of the file as text, and the column names."""
    if path.suffix == ".parquet":
        src = f"read_parquet({_sql_str(str(path))})"
        cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()]
        casts = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in cols)
        return f"(SELECT {casts} FROM {src})", cols
    header = _csv_header(path)
    spec = ", ".join(f"{_sql_str(c)}: 'VARCHAR'" for c in header)
    src = (
        f"read_csv({_sql_str(str(path))}, header = true, auto_detect = false, columns = {{{spec}}}, "
        f"delim = ',', quote = '\"', escape = '\"', strict_mode = true, null_padding = false)"
    )
    return src, header


def _read(con: duckdb.DuckDBPyConnection, name: str, path: Path, spec: SourceSpec, *, keep_raw: bool) -> list[str]:
    """Read a file in one pass; return its column names.

    With ``keep_raw`` the text table ``raw_<name>`` is materialised and ``<name>`` is a typed
    view over it (what validation needs); otherwise ``<name>`` is a typed table and no text
    copy is kept (what analysis needs: the casts are paid once, not in every query).
    """
    src, cols = _text_source(con, name, path)
    if keep_raw:
        con.execute(f"CREATE OR REPLACE TABLE raw_{name} AS SELECT row_number() OVER () AS _row, * FROM {src}")
        con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT {_typed_columns(spec, set(cols))} FROM raw_{name}")
    else:
        con.execute(
            f"CREATE OR REPLACE TABLE {name} AS SELECT {_typed_columns(spec, set(cols))} "
            f"FROM (SELECT row_number() OVER () AS _row, * FROM {src})"
        )
    return cols


def typed_expression(column: str, ctype: ColumnType) -> str:
    """Return SQL that turns the text column into its declared type (NULL where it does not parse)."""
    c = f"NULLIF(TRIM(\"{column}\"), '')"
    if ctype is ColumnType.DATE:
        return f"TRY_STRPTIME({c}, '%Y-%m-%d')::DATE"
    if ctype is ColumnType.BOOL:
        return (
            f"CASE lower({c}) WHEN 'true' THEN TRUE WHEN '1' THEN TRUE WHEN 'false' THEN FALSE WHEN '0' THEN FALSE END"
        )
    if ctype in (ColumnType.INT, ColumnType.FLOAT):
        return f"TRY_CAST({c} AS {DUCKDB_TYPES[ctype]})"
    return c


def _typed_columns(spec: SourceSpec, present: set[str]) -> str:
    parts = ["_row"]
    for col, cspec in spec.columns.items():
        if col in present:
            parts.append(f'{typed_expression(col, cspec.type)} AS "{col}"')
        else:
            parts.append(f'CAST(NULL AS {DUCKDB_TYPES[cspec.type]}) AS "{col}"')
    return ", ".join(parts)


def _load_one(sources: Sources, name: str, spec: SourceSpec, *, keep_raw: bool) -> None:
    path = find_source_file(sources.data_dir, spec)
    if path is None:
        sev = Severity.ERROR if spec.required else Severity.WARNING
        sources.problems.append(
            Problem(
                "file_missing",
                sev,
                name,
                None,
                f"no file {spec.file}.csv or {spec.file}.parquet in the data folder",
                f"Put the extract in the data folder under that name, or change sources.{name}.file in the schema.",
            )
        )
        return
    if path.suffix != ".parquet":
        problem = _check_text_file(name, path)
        if problem is not None:
            sources.problems.append(problem)
            return
    try:
        cols = _read(sources.con, name, path, spec, keep_raw=keep_raw)
    except _HeaderError as exc:
        sources.problems.append(
            Problem(
                "file_header",
                Severity.ERROR,
                name,
                None,
                f"{path.name}: {exc} (line 1)",
                "Give every column a unique name in the first line of the file.",
                rows=(),
            )
        )
        return
    except UnicodeDecodeError:
        sources.problems.append(
            Problem(
                "file_encoding",
                Severity.ERROR,
                name,
                None,
                f"{path.name} is not valid UTF-8 at line 1",
                "Re-export the extract as UTF-8 (e.g. `iconv -f latin1 -t utf-8 in.csv > out.csv`).",
            )
        )
        return
    except (duckdb.Error, OSError) as exc:
        logger.debug("reader failed for source %s (%s)", name, type(exc).__name__)
        sources.problems.append(_duckdb_csv_problem(name, path, exc))
        return
    missing_required = [c for c, cs in spec.columns.items() if cs.required and c not in cols]
    for col in missing_required:
        sources.problems.append(
            Problem(
                "column_missing",
                Severity.ERROR,
                name,
                col,
                f"required column {col} is not in the header of {path.name}",
                "Add the column to the extract, or correct its name in the header.",
            )
        )
    rows = sources.con.execute(f"SELECT count(*) FROM {name}").fetchone()
    sources.info[name] = SourceInfo(
        name=name,
        path=path,
        format="parquet" if path.suffix == ".parquet" else "csv",
        rows=int(rows[0]) if rows else 0,
        sha256=file_sha256(path),
        columns=tuple(cols),
    )


def load_sources(
    schema: LinkageSchema,
    data_dir: str | Path,
    *,
    con: duckdb.DuckDBPyConnection | None = None,
    strict: bool = True,
    keep_raw: bool | None = None,
) -> Sources:
    """Load every source of ``schema`` from ``data_dir`` into DuckDB.

    Parameters
    ----------
    schema : LinkageSchema
        The data contract.
    data_dir : str or Path
        Folder with one file per source (``<file>.csv`` or ``<file>.parquet``).
    con : duckdb connection, optional
        Connection to use; a new in-memory one by default.
    strict : bool, default True
        Raise :class:`SourceError` on load-level errors. With ``False`` the
        problems are collected in ``Sources.problems`` (what ``validate`` uses).
    keep_raw : bool, optional
        Keep the all-text ``raw_<source>`` tables (typed ``<source>`` views over them).
        Default: only when not strict. Without them, ``<source>`` are typed tables,
        cast once at load (faster analysis, half the memory).

    Returns
    -------
    Sources

    Raises
    ------
    SourceError
        Folder missing, or (strict) a required file missing, unreadable, or lacking a
        required column. The message names file, line and what to do; never a value.

    Examples
    --------
    >>> import tempfile
    >>> from revict.contract import load_schema
    >>> from revict.synth import synthesize
    >>> d = tempfile.mkdtemp()
    >>> _ = synthesize(d, victims=300, seed=1)
    >>> src = load_sources(load_schema(), d)
    >>> src.info["persons"].rows > 0
    True
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise SourceError(
            f"data folder {data_dir} does not exist", hint="Pass the folder holding the extracts with --data."
        )
    sources = Sources(con=con or connect(), schema=schema, data_dir=data_dir)
    raw = (not strict) if keep_raw is None else keep_raw
    for name, spec in schema.sources.items():
        _load_one(sources, name, spec, keep_raw=raw)
    if strict and sources.has_errors:
        errors = tuple(p for p in sources.problems if p.severity is Severity.ERROR)
        raise SourceError(
            "the data could not be loaded:\n" + "\n".join(f"- {p}" for p in errors),
            hint="Fix the files listed above; `revict validate` gives a full report.",
            problems=errors,
        )
    return sources
