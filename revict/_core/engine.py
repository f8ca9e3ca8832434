"""The embedded data engine: one DuckDB connection per run, no server."""

from __future__ import annotations

import logging
import os

import duckdb

logger = logging.getLogger("revict")


def connect(*, memory_limit: str | None = None, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """Open an in-memory DuckDB connection with spilling to a temporary directory.

    Parameters
    ----------
    memory_limit : str, optional
        DuckDB memory limit, e.g. ``"3GB"``; default from ``REVICT_MEMORY_LIMIT`` or DuckDB's own.
    threads : int, optional
        Worker threads; default from ``REVICT_THREADS`` or DuckDB's own.
    """
    con = duckdb.connect(database=":memory:")
    limit = memory_limit or os.environ.get("REVICT_MEMORY_LIMIT")
    if limit:
        con.execute(f"SET memory_limit = '{limit}'")
    n = threads or os.environ.get("REVICT_THREADS")
    if n:
        con.execute(f"SET threads = {int(n)}")
    con.execute("SET preserve_insertion_order = true")
    con.execute("SET enable_progress_bar = false")  # library code never prints (DuckDB draws bars on stdout)
    logger.debug("duckdb connection opened (memory_limit=%s, threads=%s)", limit, n)
    return con
