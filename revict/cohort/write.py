"""Writing cohort tables: Parquet files plus ``attrition.json`` with provenance."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from revict._core.io import atomic_path, write_json_atomic
from revict.cohort.tables import CohortTables

ATTRITION_JSON = "attrition.json"


def _revict_version() -> str:
    try:
        return importlib.metadata.version("revict")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - always installed in practice
        return "unknown"


def attrition_record(tables: CohortTables) -> dict[str, Any]:
    """Return the JSON-safe provenance record written as ``attrition.json``.

    Holds the cohort name, the cohort file's SHA-256, the data fingerprints, the
    cohort definition, the attrition steps and the cohort's size -- counts only,
    no pseudonym and no individual date.
    """
    att = tables.attrition
    return {
        "cohort": tables.spec.name,
        "cohort_sha256": tables.cohort_sha256,
        "revict_version": _revict_version(),
        "data": tables.fingerprints,
        "spec": tables.spec.model_dump(mode="json"),
        "n_persons": tables.n,
        "n_events": tables.n_events,
        "n_recurrent_events": int(tables.recurrent["event"].sum()),
        "attrition": [
            {"step": str(s), "description": str(d), "n_removed": int(r), "n_remaining": int(n)}
            for s, d, r, n in zip(
                att["step"].tolist(),
                att["description"].tolist(),
                att["n_removed"].tolist(),
                att["n_remaining"].tolist(),
                strict=True,
            )
        ],
    }


_ROWS_PER_GROUP = 1_000_000


def _write_parquet(df: pd.DataFrame, target: Path) -> Path:
    """Write ``df`` in row groups of a million rows, so memory stays bounded for long tables."""
    first = pa.Table.from_pandas(df.iloc[:_ROWS_PER_GROUP], preserve_index=False)
    with atomic_path(target) as tmp:
        with pq.ParquetWriter(tmp, first.schema, compression="zstd") as writer:
            writer.write_table(first)
            for lo in range(_ROWS_PER_GROUP, len(df), _ROWS_PER_GROUP):
                part = df.iloc[lo : lo + _ROWS_PER_GROUP]
                writer.write_table(pa.Table.from_pandas(part, schema=first.schema, preserve_index=False))
    return target


def write_cohort_tables(tables: CohortTables, out_dir: str | Path) -> dict[str, Path]:
    """Write a cohort's tables into ``out_dir``, each file atomically.

    Parameters
    ----------
    tables : CohortTables
        Result of :func:`revict.cohort.build_cohort`.
    out_dir : str or Path
        Output folder (created if needed).

    Returns
    -------
    dict of str to Path
        ``first_event``, ``recurrent``, ``attrition``, ``outcome_events`` (Parquet)
        and ``attrition_json``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    frames = {
        "first_event": tables.first_event,
        "recurrent": tables.recurrent,
        "attrition": tables.attrition,
    }
    if tables.outcome_events is not None:
        frames["outcome_events"] = tables.outcome_events
    paths = {name: _write_parquet(df, out / f"{name}.parquet") for name, df in frames.items()}
    paths["attrition_json"] = write_json_atomic(out / ATTRITION_JSON, attrition_record(tables))
    return paths


def read_cohort_tables(out_dir: str | Path) -> dict[str, pd.DataFrame]:
    """Read back the Parquet tables that :func:`write_cohort_tables` wrote."""
    out = Path(out_dir)
    names = ("first_event", "recurrent", "attrition", "outcome_events")
    return {n: pd.read_parquet(out / f"{n}.parquet") for n in names if (out / f"{n}.parquet").is_file()}
