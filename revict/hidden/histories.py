"""Capture histories from the linked register: which organisations reported each person.

Each reporting organisation (``victim_registrations.reporter``) is a list. A person is
on a list in a period when at least one of their registrations in that period was
made by that organisation. Lists can be merged by a mapping (several reporters onto
one list name). All counting is DuckDB SQL over the loader's typed views; only the
aggregated table (one row per capture history and stratum) reaches Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from revict._core.errors import SpecError
from revict.cohort.spec import CohortSpec
from revict.hidden.table import OverlapTable
from revict.load.loader import Sources

#: Reporter -> list letter of the Dutch MSE studies (P police, K Koninklijke Marechaussee,
#: I labour inspectorate, R regional care coordinators, O shelters, Z others).
DEFAULT_LIST_MAP: dict[str, str] = {
    "police": "P",
    "border_police": "K",
    "labour_inspectorate": "I",
    "care_coordinator": "R",
    "shelter": "O",
    "other": "Z",
}
STRATA: tuple[str, ...] = ("year", "exploitation_form", "sex", "minor", "origin", "age_group")
PERIODS: tuple[str, ...] = ("all", "year")


@dataclass(frozen=True)
class CaptureHistories:
    """Overlap tables per period and stratum.

    Attributes
    ----------
    lists : tuple of str
        List names (after mapping), in table column order.
    by : tuple of str
        Names of the key parts: ``("period", *strata)``.
    tables : dict of tuple of str to OverlapTable
        One table per key (period label, stratum levels).
    excluded : dict of str to int
        Registrations left out and why (``unlinked``, ``no_reporter``, ``unmapped_reporter``,
        ``outside_window``, ``restricted``).
    """

    lists: tuple[str, ...]
    by: tuple[str, ...]
    tables: dict[tuple[str, ...], OverlapTable]
    excluded: dict[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def pooled(self) -> OverlapTable:
        """All tables added up (persons are counted once per period)."""
        tabs = list(self.tables.values())
        h = np.vstack([t.histories for t in tabs])
        c = np.concatenate([t.counts for t in tabs])
        return OverlapTable(self.lists, h, c, "all strata").tidy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe summary (observed persons per key, exclusions)."""
        return {
            "lists": list(self.lists),
            "by": list(self.by),
            "n_observed": {" / ".join(k): t.n_observed for k, t in self.tables.items()},
            "excluded_registrations": dict(self.excluded),
            "notes": list(self.notes),
        }


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _check_args(period: str | None, strata: Sequence[str] | None, list_map: Mapping[str, str]) -> None:
    if period is not None and period not in PERIODS:
        raise SpecError(f"period {period!r} is not supported", hint=f"Use one of {', '.join(PERIODS)}.")
    bad = [s for s in (strata or ()) if s not in STRATA]
    if bad:
        raise SpecError(f"unknown stratum variable(s): {', '.join(bad)}", hint=f"Choose from {', '.join(STRATA)}.")
    if not list_map:
        raise SpecError("the list mapping is empty", hint="Map reporter values to list names, e.g. police=P.")
    if len(set(list_map.values())) < 2:
        raise SpecError(
            "the list mapping leaves fewer than two lists",
            hint="Multiple systems estimation needs at least two lists (organisations).",
        )


def _age_group_sql(spec: CohortSpec | None) -> str:
    bounds = spec.age_groups if spec is not None else (0, 18)
    labels = spec.age_group_labels if spec is not None else ("0-17", "18+")
    parts = [f"WHEN age >= {b} THEN '{lab}'" for b, lab in reversed(list(zip(bounds, labels, strict=True)))]
    return f"CASE WHEN age IS NULL OR age < 0 THEN 'unknown' {' '.join(parts)} ELSE 'unknown' END"


def _restrict_sql(spec: CohortSpec | None) -> tuple[str, list[Any], list[str]]:
    if spec is None:
        return "TRUE", [], []
    conds: list[str] = []
    params: list[Any] = []
    ignored: list[str] = []
    for cov, levels in spec.restrict.items():
        if cov not in ("exploitation_form", "sex", "origin", "age_group"):
            ignored.append(cov)
            continue
        conds.append(f"{cov} IN ({', '.join('?' for _ in levels)})")
        params.extend(levels)
    return (" AND ".join(conds) or "TRUE"), params, ignored


def capture_histories(
    sources: Sources,
    cohort_spec: CohortSpec | None = None,
    *,
    period: str | None = None,
    strata: Sequence[str] | None = None,
    list_map: Mapping[str, str] | None = None,
) -> CaptureHistories:
    """Count persons by capture history (which organisations reported them), per period and stratum.

    Parameters
    ----------
    sources : Sources
        Loaded extracts (needs ``victim_registrations``; ``persons`` for sex, origin, age).
    cohort_spec : CohortSpec, optional
        Its ``entry_window`` bounds the registration dates; its ``restrict`` on
        ``exploitation_form``, ``sex``, ``origin`` or ``age_group`` is applied.
    period : {"all", "year"}, optional
        One table for the whole window (default) or one per calendar year of registration.
    strata : sequence of str, optional
        Any of ``year``, ``exploitation_form`` (of the person's first registration in the
        period), ``sex``, ``minor`` (age < 18 at that registration), ``origin``, ``age_group``.
    list_map : mapping of str to str, optional
        Reporter value -> list name; several reporters may share a name (lists merged).
        Default :data:`DEFAULT_LIST_MAP`. Reporters not mapped are left out.

    Returns
    -------
    CaptureHistories
    """
    lmap = dict(DEFAULT_LIST_MAP if list_map is None else list_map)
    _check_args(period, strata, lmap)
    strata = tuple(dict.fromkeys(strata or ()))
    if "year" in strata:
        period = "year"
        strata = tuple(s for s in strata if s != "year")
    lists = tuple(dict.fromkeys(lmap.values()))
    con = sources.con
    con.execute("CREATE OR REPLACE TEMP TABLE _mse_listmap (reporter VARCHAR, list VARCHAR)")
    con.executemany("INSERT INTO _mse_listmap VALUES (?, ?)", list(lmap.items()))
    start, end = (
        (cohort_spec.entry_window.start, cohort_spec.entry_window.end)
        if cohort_spec is not None
        else (dt.date(1, 1, 1), dt.date(9999, 12, 31))
    )
    if "persons" in sources:
        person_sql = (
            "SELECT per.*, year(per.first_date) - p.birth_year AS age, COALESCE(p.sex, 'U') AS sex, "
            "COALESCE(p.origin, 'unknown') AS origin FROM per LEFT JOIN persons p "
            "ON p.person_id = per.person_id"
        )
    else:
        person_sql = "SELECT per.*, CAST(NULL AS INTEGER) AS age, 'U' AS sex, 'unknown' AS origin FROM per"
    period_expr = "CAST(year(registration_date) AS VARCHAR)" if period == "year" else "'all'"
    flags = ", ".join(
        f"max(CASE WHEN list = ? THEN 1 ELSE 0 END) AS {_quote('_l' + str(i))}" for i in range(len(lists))
    )
    restrict, rparams, ignored = _restrict_sql(cohort_spec)
    sql = f"""
        WITH reg AS (
            SELECT r.person_id, r.registration_date, r.exploitation_form, m.list
            FROM victim_registrations r JOIN _mse_listmap m ON r.reporter = m.reporter
            WHERE r.person_id IS NOT NULL AND r.registration_date BETWEEN ? AND ?
        ), per AS (
            SELECT person_id, {period_expr} AS period, min(registration_date) AS first_date,
                   arg_min(exploitation_form, registration_date) AS exploitation_form, {flags}
            FROM reg GROUP BY person_id, period
        ), f AS (
            {person_sql}
        ), g AS (
            SELECT *, CASE WHEN age IS NULL THEN 'unknown' WHEN age < 18 THEN 'minor' ELSE 'adult' END AS minor,
                   {_age_group_sql(cohort_spec)} AS age_group
            FROM f
        )
        SELECT period, {"".join(s + ", " for s in strata)}{", ".join(_quote("_l" + str(i)) for i in range(len(lists)))},
               count(*) AS n
        FROM g WHERE {restrict}
        GROUP BY ALL ORDER BY ALL
    """
    rows = con.execute(sql, [start, end, *lists, *rparams]).fetchall()
    excluded = _exclusions(con, start, end)
    tables = _assemble(rows, lists, strata)
    notes = tuple(f"cohort restriction on {c} is not applied to capture histories" for c in ignored)
    return CaptureHistories(lists, ("period", *strata), tables, excluded, notes)


def _assemble(
    rows: list[tuple[Any, ...]], lists: tuple[str, ...], strata: tuple[str, ...]
) -> dict[tuple[str, ...], OverlapTable]:
    nkey = 1 + len(strata)
    grouped: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    for row in rows:
        key = tuple("unknown" if v is None else str(v) for v in row[:nkey])
        grouped.setdefault(key, []).append(row)
    out = {}
    for key, rs in grouped.items():
        h = np.array([r[nkey : nkey + len(lists)] for r in rs], dtype=np.int8)
        c = np.array([r[-1] for r in rs], dtype=np.int64)
        label = " / ".join(f"{name}={lvl}" for name, lvl in zip(("period", *strata), key, strict=True))
        out[key] = OverlapTable(lists, h, c, label).tidy()
    return out


def _exclusions(con: Any, start: dt.date, end: dt.date) -> dict[str, int]:
    row = con.execute(
        """
        SELECT count(*) FILTER (WHERE r.person_id IS NULL),
               count(*) FILTER (WHERE r.person_id IS NOT NULL AND r.reporter IS NULL),
               count(*) FILTER (WHERE r.person_id IS NOT NULL AND r.reporter IS NOT NULL AND m.list IS NULL),
               count(*) FILTER (WHERE r.registration_date IS NULL OR r.registration_date NOT BETWEEN ? AND ?)
        FROM victim_registrations r LEFT JOIN _mse_listmap m ON r.reporter = m.reporter
        """,
        [start, end],
    ).fetchone()
    names = ("unlinked", "no_reporter", "unmapped_reporter", "outside_window")
    return {n: int(v) for n, v in zip(names, row or (0, 0, 0, 0), strict=True)}


def parse_list_map(text: str) -> dict[str, str]:
    """Parse ``"police=P,border_police=K,shelter=O,care_coordinator=O"`` into a mapping."""
    out: dict[str, str] = {}
    for part in (p.strip() for p in text.split(",") if p.strip()):
        if "=" not in part:
            raise SpecError(
                f"list mapping entry {part!r} is not reporter=LIST",
                hint="Write e.g. --lists police=P,border_police=K,shelter=O,care_coordinator=O",
            )
        k, v = (x.strip() for x in part.split("=", 1))
        if k not in DEFAULT_LIST_MAP or not v:
            raise SpecError(
                f"list mapping: unknown reporter {k!r} or empty list name",
                hint=f"Reporters are {', '.join(DEFAULT_LIST_MAP)}.",
            )
        out[k] = v
    return out
