"""Benchmark ``revict validate``: 1M persons + 10M victimisations + registrations and links.

Target (issue 4): at most 60 s wall time and under 4 GiB peak memory on the 2-core machine.
The same main checks written straightforwardly in pandas run on the same files in the
same run, for the ratio. Each measurement runs in a fresh subprocess (bench/_util.measure).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from bench._util import TMP, measure, write_results

N_PERSONS = 1_000_000
N_VICTIMISATIONS = 10_000_000
N_REGISTRATIONS = 1_200_000
N_LINKS = 3_000_000
DATA = TMP / "validate"
SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "nl-trafficking.yaml"
MEMORY_LIMIT = "2.5GB"

_PID = "printf('per-%012x', ((({i})::HUGEINT * 195366028279) % 281474976710656)::BIGINT)"
_RID = "printf('reg-%012x', ((({i})::HUGEINT * 146281353127) % 281474976710656)::BIGINT)"
_IID = "printf('inc-%012x', ((({i})::HUGEINT * 238775623987) % 281474976710656)::BIGINT)"
_OID = "printf('off-%012x', ((({i})::HUGEINT * 99194853094755497) % 281474976710656)::BIGINT)"


def generate(folder: Path = DATA) -> dict[str, int]:
    """Write the four extracts as CSV with DuckDB (a few per mille unlinked / imperfect, like real data)."""
    import duckdb

    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    con.execute("SET enable_progress_bar = false")
    h = "hash(range)"
    day = "DATE '2008-01-01' + CAST({h} % 5844 AS INTEGER)"

    def copy(name: str, sql: str) -> None:
        con.execute(f"COPY ({sql}) TO '{folder / (name + '.csv')}' (HEADER, DELIMITER ',')")

    copy(
        "persons",
        f"""
        SELECT {_PID.format(i="range")} AS person_id, 1940 + range % 70 AS birth_year,
               CASE range % 2 WHEN 0 THEN 'F' ELSE 'M' END AS sex,
               (['NL', 'EU', 'non-EU', 'unknown'])[1 + range % 4] AS origin,
               NULL::DATE AS death_date,
               CASE WHEN range % 200 = 0 THEN DATE '2023-06-30' END AS emigration_date
        FROM range({N_PERSONS})""",
    )
    link_cols = """CASE WHEN {h} % 20 = 0 THEN '' ELSE {pid} END AS person_id, {date} AS {date_col}, {cat},
               CASE WHEN {h} % 20 = 0 THEN 'none' WHEN {h} % 5 = 1 THEN 'probabilistic'
                    ELSE 'deterministic' END AS link_method,
               CASE WHEN {h} % 20 = 0 THEN NULL WHEN {h} % 5 = 1 THEN round(0.85 + ({h} % 15) / 100.0, 2)
                    ELSE 1.0 END AS link_score"""
    pid = _PID.format(i=f"range % {N_PERSONS}")
    copy(
        "victim_registrations",
        f"""
        SELECT {_RID.format(i="range")} AS registration_id, """
        + link_cols.format(
            h=h,
            pid=pid,
            date=day.format(h=h),
            date_col="registration_date",
            cat="(['sexual', 'labour', 'criminal', 'other', 'unknown'])[1 + range % 5] AS exploitation_form, "
            "CASE WHEN range % 3 = 0 THEN 'true' ELSE 'false' END AS cross_border, "
            "(['police', 'border_police', 'labour_inspectorate', 'care_coordinator', 'shelter', 'other'])"
            "[1 + range % 6] AS reporter",
        )
        + f" FROM range({N_REGISTRATIONS})",
    )
    copy(
        "victimisations",
        f"""
        SELECT {_IID.format(i="range")} AS incident_id, """
        + link_cols.format(
            h=h,
            pid=pid,
            date=day.format(h=h),
            date_col="incident_date",
            cat="(['violence', 'sexual', 'threat', 'exploitation', 'property', 'other'])[1 + range % 6] "
            "AS offence_category",
        )
        + f" FROM range({N_VICTIMISATIONS})",
    )
    copy(
        "perpetrator_links",
        f"""
        SELECT CASE WHEN range % 3 = 0 THEN {_RID.format(i=f"range % {N_REGISTRATIONS}")}
                    ELSE {_IID.format(i=f"range % {N_VICTIMISATIONS}")} END AS event_id,
               CASE WHEN range % 3 = 0 THEN 'registration' ELSE 'victimisation' END AS event_type,
               {_OID.format(i="hash(range) % 400000")} AS offender_id
        FROM range({N_LINKS})""",
    )
    con.close()
    return {p.stem: p.stat().st_size for p in folder.glob("*.csv")}


def run_revict(folder: str) -> dict[str, Any]:
    """Validate with revict (the function the CLI calls); return the verdict figures."""
    os.environ["REVICT_MEMORY_LIMIT"] = MEMORY_LIMIT
    from revict.validate import validate

    report = validate(SCHEMA, folder)
    return {
        "valid": report.valid,
        "n_checks": len(report.checks),
        "failed": sorted({f"{c.id}:{c.source}.{c.column}={c.failed_rows}" for c in report.failed()}),
    }


_PII = (
    r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z]{2,}"
    r"|(?:^|[^0-9A-Za-z])(?:\+31|0031|0)[1-9][0-9]{8}(?:$|[^0-9A-Za-z])"
)


def _pandas_column(failed: dict[str, int], key: str, s: Any, cs: Any, schema: Any) -> None:
    """Per-column checks in pandas: required, type, window, codes, pattern, PII, uniqueness."""
    import pandas as pd

    filled = s != ""
    if cs.required:
        failed[f"value_missing:{key}"] = int((~filled).sum())
    kind = cs.type.value
    if kind == "date":
        d = pd.to_datetime(s, format="%Y-%m-%d", errors="coerce")
        failed[f"type_invalid:{key}"] = int((filled & d.isna()).sum())
        if cs.in_window:
            out = (d < pd.Timestamp(schema.data_start)) | (d > pd.Timestamp(schema.data_end))
            failed[f"date_outside_window:{key}"] = int(out.sum())
    elif kind in ("int", "float"):
        failed[f"type_invalid:{key}"] = int((filled & pd.to_numeric(s, errors="coerce").isna()).sum())
    elif kind == "enum":
        failed[f"enum_invalid:{key}"] = int((filled & ~s.isin(cs.values or ())).sum())
    elif kind == "pseudonym":
        ok = s.str.fullmatch(schema.pseudonym_pattern.strip("^$"))
        failed[f"pseudonym_format:{key}"] = int((filled & ~ok).sum())
    failed[f"pii:{key}"] = int(s.str.contains(_PII, regex=True).sum())
    if cs.unique:
        failed[f"key_not_unique:{key}"] = int((filled & s.duplicated(keep=False)).sum())


def run_pandas(folder: str) -> dict[str, Any]:
    """Run the main checks written straightforwardly in pandas (types, codes, formats, keys, window, time, PII)."""
    import pandas as pd

    from revict.contract import load_schema

    schema = load_schema(SCHEMA)
    frames = {
        name: pd.read_csv(
            Path(folder) / f"{spec.file}.csv", dtype="string[pyarrow]", keep_default_na=False, engine="pyarrow"
        )
        for name, spec in schema.sources.items()
    }
    failed: dict[str, int] = {}
    for name, spec in schema.sources.items():
        df = frames[name]
        for col, cs in spec.columns.items():
            _pandas_column(failed, f"{name}.{col}", df[col].str.strip(), cs, schema)
        for fk in spec.foreign_keys:
            s = df[fk.column].str.strip()
            mask = s != ""
            for c, v in fk.when.items():
                mask &= df[c] == v
            ref = set(frames[fk.ref_source][fk.ref_column].str.strip())
            failed[f"fk_unresolved:{name}.{fk.column}"] = int((mask & ~s.isin(ref)).sum())
    persons = frames["persons"].assign(
        by=lambda d: pd.to_numeric(d["birth_year"], errors="coerce"),
        death=lambda d: pd.to_datetime(d["death_date"], errors="coerce"),
        emig=lambda d: pd.to_datetime(d["emigration_date"], errors="coerce"),
    )[["person_id", "by", "death", "emig"]]
    for name, col in (("victim_registrations", "registration_date"), ("victimisations", "incident_date")):
        ev = frames[name][["person_id", col]].merge(persons, on="person_id", how="inner")
        d = pd.to_datetime(ev[col], errors="coerce")
        failed[f"event_before_birth:{name}.{col}"] = int((d.dt.year < ev["by"]).sum())
        failed[f"event_after_death:{name}.{col}"] = int((d > ev["death"]).sum())
        failed[f"event_after_emigration:{name}.{col}"] = int((d > ev["emig"]).sum())
    return {"pandas_failed": sorted(f"{k}={v}" for k, v in failed.items() if v)}


def _agreement(revict: dict[str, Any], pandas: dict[str, Any]) -> dict[str, Any]:
    """Counts both implementations report for the same check, source and column: do they agree?"""
    ours = dict(x.rsplit("=", 1) for x in revict.get("failed", []))
    theirs = dict(x.rsplit("=", 1) for x in pandas.get("pandas_failed", []))
    shared = sorted(set(ours) & set(theirs))
    return {"compared": shared, "all_equal": all(ours[k] == theirs[k] for k in shared)}


def main() -> Path:
    t0 = time.perf_counter()
    sizes = generate()
    gen_s = round(time.perf_counter() - t0, 1)
    revict = measure(run_revict, str(DATA))
    pandas = measure(run_pandas, str(DATA))
    figures = {
        "data": {
            "persons": N_PERSONS,
            "victimisations": N_VICTIMISATIONS,
            "victim_registrations": N_REGISTRATIONS,
            "perpetrator_links": N_LINKS,
            "format": "csv",
            "bytes": sizes,
            "generate_s": gen_s,
        },
        "target": {"wall_s_max": 60, "peak_mem_mib_max": 4096},
        "revict": revict,
        "pandas": dict(pandas),
        "agreement_on_shared_failures": _agreement(revict, pandas),
        "ratio_pandas_over_revict_wall": round(pandas["wall_s"] / revict["wall_s"], 2),
        "meets_target": revict["wall_s"] <= 60 and revict["peak_mem_mib"] < 4096,
        "memory_limit_duckdb": MEMORY_LIMIT,
        "note": (
            "revict runs all checks (structure, keys, linkage, time, personal data, pseudonym formats); the "
            "pandas baseline only the main ones (types, codes, formats, required, unique, foreign keys, window, "
            "time vs person, two PII patterns), so the ratio understates revict's advantage."
        ),
    }
    return write_results("validate", figures)


if __name__ == "__main__":
    print(main())
