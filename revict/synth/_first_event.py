"""A plain-SQL first-event table straight from the extracts (reference for recovery tests).

Deliberately independent of :mod:`revict.cohort`: it reads the files itself, so a
recovery test checks the generator, and the cohort builder can be compared with it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from revict._core.engine import connect
from revict._core.errors import SourceError


def _reader(data_dir: Path, name: str) -> str:
    for ext, fn in ((".parquet", "read_parquet"), (".csv", "read_csv")):
        path = data_dir / f"{name}{ext}"
        if path.is_file():
            opts = ", header = true, all_varchar = true" if ext == ".csv" else ""
            quoted = str(path).replace("'", "''")
            return f"{fn}('{quoted}'{opts})"
    raise SourceError(
        f"no {name}.csv or {name}.parquet in {data_dir}", hint="Point at a folder written by `revict synth`."
    )


_SQL = """
WITH reg AS (
    SELECT NULLIF(person_id, '') AS person_id, CAST(registration_date AS DATE) AS d,
           CAST(exploitation_form AS VARCHAR) AS form
    FROM {reg}
), idx AS (
    SELECT person_id, min(d) AS index_date, arg_min(form, d) AS exploitation_form
    FROM reg WHERE person_id IS NOT NULL GROUP BY person_id
), coh AS (
    SELECT i.*, p.sex, CAST(p.birth_year AS INTEGER) AS birth_year,
           CAST(NULLIF(CAST(p.death_date AS VARCHAR), '') AS DATE) AS death_date,
           CAST(NULLIF(CAST(p.emigration_date AS VARCHAR), '') AS DATE) AS emigration_date,
           NULLIF(CAST(p.origin AS VARCHAR), '') AS origin
    FROM idx i JOIN {per} p ON p.person_id = i.person_id
    WHERE i.index_date BETWEEN $start AND $end
), vic AS (
    SELECT NULLIF(person_id, '') AS person_id, CAST(incident_date AS DATE) AS d FROM {vic}
), first AS (
    SELECT c.person_id, min(v.d) AS first_date
    FROM coh c JOIN vic v ON v.person_id = c.person_id AND v.d > c.index_date
    GROUP BY c.person_id
), fu AS (
    SELECT c.*, f.first_date,
           least(coalesce(c.death_date - 1, DATE '9999-12-31'), coalesce(c.emigration_date - 1, DATE '9999-12-31'),
                 $data_end, c.index_date + $follow_up) AS last_day,
           least(coalesce(c.death_date, DATE '9999-12-31'), coalesce(c.emigration_date, DATE '9999-12-31'),
                 $data_end, c.index_date + $follow_up) AS censor_date
    FROM coh c LEFT JOIN first f USING (person_id)
)
SELECT CASE WHEN first_date <= last_day THEN first_date - index_date
            ELSE censor_date - index_date END AS time,
       CASE WHEN first_date <= last_day THEN 1 ELSE 0 END AS event,
       exploitation_form, sex, origin,
       year(index_date) - birth_year AS age_at_index,
       (year(index_date) - birth_year) < 18 AS is_minor,
       year(index_date) AS index_year
FROM fu
ORDER BY index_date, time, exploitation_form, sex
"""


def first_event_table(
    data_dir: str | Path,
    *,
    entry_start: dt.date = dt.date(2012, 1, 1),
    entry_end: dt.date = dt.date(2016, 12, 31),
    follow_up_days: int = 2557,
    data_end: dt.date = dt.date(2023, 12, 31),
) -> pd.DataFrame:
    """Time to the first linked victimisation after the first linked registration.

    Index = earliest registration of each linked person, with date in the entry
    window; covariates from that registration and the persons row. The event is the
    first linked victimisation at least one day after the index; follow-up ends at
    the earliest of death, emigration, ``data_end`` and ``follow_up_days`` (death
    censors here). No pseudonyms are returned.

    Parameters
    ----------
    data_dir : str or Path
        Folder written by :func:`revict.synth.synthesize` (CSV or Parquet).
    entry_start, entry_end : date
        Entry window of the index date (default the ``nr-seven-year`` cohort).
    follow_up_days : int, default 2557
        Horizon (seven years).
    data_end : date, default 2023-12-31
        End of the data window.

    Returns
    -------
    DataFrame
        One row per person: ``time`` (days, int), ``event`` (0/1),
        ``exploitation_form``, ``sex``, ``origin``, ``age_at_index``, ``is_minor``,
        ``index_year``.
    """
    d = Path(data_dir)
    sql = _SQL.format(
        reg=_reader(d, "victim_registrations"), per=_reader(d, "persons"), vic=_reader(d, "victimisations")
    )
    con = connect()
    try:
        params = {"start": entry_start, "end": entry_end, "data_end": data_end, "follow_up": follow_up_days}
        df: pd.DataFrame = con.execute(sql, params).df()
    finally:
        con.close()
    return df
