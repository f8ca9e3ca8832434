"""Entry points: :func:`validate` (schema + folder) and :func:`validate_sources` (loaded sources)."""

from __future__ import annotations

import logging
from pathlib import Path

from revict.contract.models import LinkageSchema
from revict.contract.schema_io import load_schema
from revict.load.loader import Sources, load_sources
from revict.validate._sql import Ctx
from revict.validate.keys import check_keys
from revict.validate.linkage import check_linkage
from revict.validate.personal import check_personal_data
from revict.validate.pseudonyms import check_mixed_formats, check_unkeyed_hashes
from revict.validate.report import ValidationReport
from revict.validate.rowpass import check_rows
from revict.validate.structure import check_columns, check_files
from revict.validate.temporal import check_time

logger = logging.getLogger("revict")

_STAGES = (
    ("files", check_files),
    ("columns", check_columns),
    ("row pass", check_rows),
    ("keys", check_keys),
    ("linkage", check_linkage),
    ("time", check_time),
    ("personal data", check_personal_data),
    ("pseudonym formats", check_mixed_formats),
    ("unkeyed hashes", check_unkeyed_hashes),
)


def validate_sources(sources: Sources, *, deep: bool = False) -> ValidationReport:
    """Run every check on loaded sources and return the report (collects all problems, masked).

    Parameters
    ----------
    sources : Sources
        From :func:`revict.load.load_sources` (``strict=False`` keeps load-level problems
        as findings instead of raising).
    deep : bool, default False
        Also test whether pseudonyms are unkeyed MD5/SHA-1/SHA-256 hashes of citizen service
        numbers, by enumerating all valid numbers in DuckDB (about a minute per algorithm;
        skipped when no pseudonym is a hex digest).

    Returns
    -------
    ValidationReport
        ``valid`` is False exactly when an error-severity check failed.

    Examples
    --------
    >>> import tempfile
    >>> from revict.contract import load_schema
    >>> from revict.load import load_sources
    >>> from revict.synth import synthesize
    >>> d = tempfile.mkdtemp()
    >>> _ = synthesize(d, victims=300, seed=1)
    >>> report = validate_sources(load_sources(load_schema(), d, strict=False))
    >>> report.valid
    True
    """
    ctx = Ctx(sources=sources, deep=deep)
    try:
        for label, stage in _STAGES:
            logger.info("validate: %s", label)
            stage(ctx)
    finally:
        _drop_work_tables(ctx)
    return ValidationReport(
        schema=sources.schema.name,
        files=sources.fingerprints(),
        checks=tuple(ctx.checks),
        diagnostics=ctx.diagnostics,
        deep=deep,
    )


def _drop_work_tables(ctx: Ctx) -> None:
    """Drop the temporary tables the checks made (``_rv_*``), leaving the sources as they were."""
    rows = ctx.con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE temporary AND table_name LIKE '\\_rv\\_%' ESCAPE '\\'"
    ).fetchall()
    for (table,) in rows:
        ctx.con.execute(f"DROP TABLE IF EXISTS {table}")


def validate(schema: str | Path | LinkageSchema, data_dir: str | Path, *, deep: bool = False) -> ValidationReport:
    """Validate a folder of register extracts against a linkage schema.

    Parameters
    ----------
    schema : str, Path or LinkageSchema
        The schema file (e.g. ``schemas/nl-trafficking.yaml``) or a loaded schema.
    data_dir : str or Path
        Folder with one extract per source (CSV or Parquet); read-only.
    deep : bool, default False
        See :func:`validate_sources`.

    Returns
    -------
    ValidationReport

    Raises
    ------
    revict.SpecError
        The schema file is unreadable or invalid (validation cannot run).
    revict.SourceError
        The data folder does not exist (validation cannot run).
    """
    spec = schema if isinstance(schema, LinkageSchema) else load_schema(schema)
    sources = load_sources(spec, data_dir, strict=False)
    try:
        return validate_sources(sources, deep=deep)
    finally:
        sources.con.close()
