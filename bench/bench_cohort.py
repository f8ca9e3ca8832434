"""Cohort builder at national scale: 1M index persons, 20M victimisations -> all tables.

Target (issue 5): at most 60 s wall time and under 4 GiB peak memory on this machine.
Input is generated directly with DuckDB as Parquet in ``bench/results/tmp/cohort/``
(not with ``revict synth``, which is not built for this size); the timed work is
``load_sources`` + ``build_cohort`` + ``write_cohort_tables`` in a fresh process.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bench._util import TMP, measure, write_results

N_PERSONS = 1_000_000
N_VICTIMISATIONS = 20_000_000
REPO = Path(__file__).resolve().parents[1]


def generate(folder: Path, n_persons: int = N_PERSONS, n_victimisations: int = N_VICTIMISATIONS) -> dict[str, int]:
    """Write the four extracts as Parquet (deterministic: hash-based, no RNG state)."""
    import duckdb

    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    q = {
        "persons": f"""
            SELECT 'p' || lpad(i::VARCHAR, 9, '0') AS person_id,
                   (1950 + hash(i) % 55)::VARCHAR AS birth_year,
                   ['F', 'M', 'U'][1 + (hash(i + 1) % 3)::INT] AS sex,
                   ['NL', 'EU', 'non-EU', 'unknown'][1 + (hash(i + 2) % 4)::INT] AS origin,
                   CASE WHEN hash(i + 3) % 100 < 3
                        THEN strftime(DATE '2012-06-01' + (hash(i + 4) % 4000)::INT, '%Y-%m-%d') END AS death_date,
                   CASE WHEN hash(i + 5) % 100 < 8
                        THEN strftime(DATE '2012-06-01' + (hash(i + 6) % 4000)::INT, '%Y-%m-%d') END AS emigration_date
            FROM range({n_persons}) t(i)""",
        "victim_registrations": f"""
            SELECT 'r' || lpad(i::VARCHAR, 10, '0') AS registration_id,
                   CASE WHEN i % 50 = 49 THEN NULL
                        ELSE 'p' || lpad((CASE WHEN i < {n_persons} THEN i ELSE hash(i) % {n_persons} END)::VARCHAR,
                                         9, '0') END AS person_id,
                   strftime(CASE WHEN i < {n_persons} THEN DATE '2012-01-01' + (hash(i + 7) % 1826)::INT
                                 ELSE DATE '2012-01-01' + (hash(i + 7) % 3000)::INT END, '%Y-%m-%d')
                       AS registration_date,
                   ['sexual', 'labour', 'criminal', 'other', 'unknown'][1 + (hash(i + 8) % 5)::INT]
                       AS exploitation_form,
                   CASE hash(i + 9) % 3 WHEN 0 THEN 'true' WHEN 1 THEN 'false' END AS cross_border,
                   ['police', 'border_police', 'labour_inspectorate', 'care_coordinator', 'shelter', 'other']
                       [1 + (hash(i + 10) % 6)::INT] AS reporter
            FROM range({n_persons + n_persons // 5}) t(i)""",
        "victimisations": f"""
            SELECT 'v' || lpad(i::VARCHAR, 10, '0') AS incident_id,
                   'p' || lpad((hash(i) % {n_persons + n_persons // 20})::VARCHAR, 9, '0') AS person_id,
                   strftime(DATE '2008-01-01' + (hash(i + 11) % 5844)::INT, '%Y-%m-%d') AS incident_date,
                   ['violence', 'sexual', 'threat', 'exploitation', 'property', 'other']
                       [1 + (hash(i + 12) % 6)::INT] AS offence_category
            FROM range({n_victimisations}) t(i)""",
        "perpetrator_links": """
            SELECT 'v' || lpad(i::VARCHAR, 10, '0') AS event_id, 'victimisation' AS event_type,
                   'o' || lpad((hash(i) % 50000)::VARCHAR, 9, '0') AS offender_id
            FROM range(100000) t(i)""",
    }
    rows = {}
    for name, sql in q.items():
        path = folder / f"{name}.parquet"
        con.execute(f"COPY ({sql}) TO '{path}' (FORMAT parquet, COMPRESSION zstd)")
        row = con.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()
        rows[name] = int(row[0]) if row else 0
    con.close()
    return rows


def run(data_dir: str, out_dir: str) -> dict[str, Any]:
    """The timed work (runs in a fresh process): load, build, write."""
    from revict.cohort import build_cohort, load_cohort, write_cohort_tables
    from revict.contract import load_schema
    from revict.load import load_sources

    t0 = time.perf_counter()
    sources = load_sources(load_schema(), data_dir)
    t1 = time.perf_counter()
    tables = build_cohort(sources, load_cohort(REPO / "cohorts" / "nr-seven-year.yaml"))
    t2 = time.perf_counter()
    write_cohort_tables(tables, out_dir)
    t3 = time.perf_counter()
    return {
        "load_s": round(t1 - t0, 2),
        "build_s": round(t2 - t1, 2),
        "write_s": round(t3 - t2, 2),
        "cohort_persons": tables.n,
        "first_event_rows": len(tables.first_event),
        "recurrent_rows": len(tables.recurrent),
        "outcome_event_rows": len(tables.outcome_events) if tables.outcome_events is not None else 0,
        "persons_with_event": tables.n_events,
    }


def main(n_persons: int = N_PERSONS, n_victimisations: int = N_VICTIMISATIONS, name: str = "cohort") -> Path:
    data = TMP / name / "data"
    out = TMP / name / "out"
    t0 = time.perf_counter()
    rows = generate(data, n_persons, n_victimisations)
    gen_s = round(time.perf_counter() - t0, 1)
    figures = measure(run, str(data), str(out))
    ok = figures["wall_s"] <= 60 and figures["peak_mem_mib"] < 4096
    return write_results(
        name,
        {
            "what": "load_sources + build_cohort(nr-seven-year) + write_cohort_tables on generated Parquet",
            "input_rows": rows,
            "generate_s": gen_s,
            "target": {"wall_s": 60, "peak_mem_mib": 4096},
            "meets_target": ok,
            **figures,
        },
    )


if __name__ == "__main__":
    print(main())
