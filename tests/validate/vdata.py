"""A tiny, clean linked data set (as editable rows) and helpers to validate a mutated copy (tests only)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from revict.contract import load_schema
from revict.contract.models import LinkageSchema
from revict.load import load_sources
from revict.validate import Check, ValidationReport, validate_sources

Tables = dict[str, list[dict[str, str]]]
COLUMNS = {
    "persons": ["person_id", "birth_year", "sex", "origin", "death_date", "emigration_date"],
    "victim_registrations": [
        "registration_id",
        "person_id",
        "registration_date",
        "exploitation_form",
        "cross_border",
        "reporter",
        "link_method",
        "link_score",
    ],
    "victimisations": ["incident_id", "person_id", "incident_date", "offence_category", "link_method", "link_score"],
    "perpetrator_links": ["event_id", "event_type", "offender_id"],
}
N = 20


def pid(i: int) -> str:
    return f"per-p{i:08d}x"


def rid(i: int) -> str:
    return f"reg-r{i:08d}x"


def iid(i: int) -> str:
    return f"inc-i{i:08d}x"


def oid(i: int) -> str:
    return f"off-o{i:08d}x"


def _day(start: str, days: int) -> str:
    return (dt.date.fromisoformat(start) + dt.timedelta(days=days)).isoformat()


def clean_tables() -> Tables:
    """20 persons, one registration each, two victimisations each (2012 and 2014), 30 perpetrator links.

    Birth years differ per person, so no two keys look alike; person 19 died in 2022 and
    person 18 emigrated in 2021, both after all their events.
    """
    persons = [
        {
            "person_id": pid(i),
            "birth_year": str(1980 + i),
            "sex": "FM"[i % 2],
            "origin": "NL",
            "death_date": "2022-01-01" if i == 19 else "",
            "emigration_date": "2021-06-01" if i == 18 else "",
        }
        for i in range(N)
    ]
    forms = ["sexual", "labour", "criminal", "other"]
    regs = [
        {
            "registration_id": rid(i),
            "person_id": pid(i),
            "registration_date": _day("2010-01-01", 30 * i),
            "exploitation_form": forms[i % 4],
            "cross_border": "true" if i % 2 else "false",
            "reporter": "police" if i % 2 else "shelter",
            "link_method": "deterministic",
            "link_score": "1",
        }
        for i in range(N)
    ]
    incs = []
    for j, (start, cat) in enumerate((("2012-01-01", "violence"), ("2014-01-01", "property"))):
        for i in range(N):
            prob = i % 5 == 0
            incs.append(
                {
                    "incident_id": iid(j * N + i),
                    "person_id": pid(i),
                    "incident_date": _day(start, 17 * i),
                    "offence_category": cat,
                    "link_method": "probabilistic" if prob else "deterministic",
                    "link_score": "0.95" if prob else "1",
                }
            )
    links = [{"event_id": rid(i), "event_type": "registration", "offender_id": oid(i % 7)} for i in range(10)]
    links += [{"event_id": iid(i), "event_type": "victimisation", "offender_id": oid(i % 9)} for i in range(20)]
    return {"persons": persons, "victim_registrations": regs, "victimisations": incs, "perpetrator_links": links}


def write_tables(folder: Path, tables: Tables) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        cols = list(rows[0]) if rows else COLUMNS[name]
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=cols, lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
    return folder


def run(folder: Path, schema: LinkageSchema | None = None, *, deep: bool = False) -> ValidationReport:
    sources = load_sources(schema or load_schema(), folder, strict=False)
    try:
        return validate_sources(sources, deep=deep)
    finally:
        sources.con.close()


def find(report: ValidationReport, check_id: str, source: str, column: str | None = "*") -> list[Check]:
    return [
        c for c in report.checks if c.id == check_id and c.source == source and (column == "*" or c.column == column)
    ]


def one(report: ValidationReport, check_id: str, source: str, column: str | None = "*") -> Check:
    found = find(report, check_id, source, column)
    assert len(found) == 1, f"expected one {check_id} check on {source}.{column}, got {len(found)}"
    return found[0]
