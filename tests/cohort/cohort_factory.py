"""Tiny hand-written registers for cohort-builder tests: write CSVs, load them with load_sources."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from revict.cohort import CohortSpec
from revict.contract import LinkageSchema, load_schema
from revict.load import Sources, load_sources

SCHEMA = load_schema()
BASE = dt.date(2014, 3, 1)

PERSON_COLS = ("person_id", "birth_year", "sex", "origin", "death_date", "emigration_date")
REG_COLS = ("registration_id", "person_id", "registration_date", "exploitation_form", "cross_border", "reporter")
VIC_COLS = ("incident_id", "person_id", "incident_date", "offence_category")
LINK_COLS = ("event_id", "event_type", "offender_id")


def d(days: int, base: dt.date = BASE) -> str:
    """ISO date ``days`` after ``base`` (the usual index date of these tests)."""
    return (base + dt.timedelta(days=days)).isoformat()


def pid(n: int) -> str:
    return f"person-{n:04d}"


def person(
    n: int, *, birth_year: Any = 1990, sex: str = "F", origin: str = "NL", death: str = "", emig: str = ""
) -> dict[str, Any]:
    return {
        "person_id": pid(n),
        "birth_year": birth_year,
        "sex": sex,
        "origin": origin,
        "death_date": death,
        "emigration_date": emig,
    }


def reg(
    rid: str, n: int | None, date: str, *, form: str = "sexual", cross_border: str = "", reporter: str = "police"
) -> dict[str, Any]:
    return {
        "registration_id": f"reg-{rid:0>5}",
        "person_id": "" if n is None else pid(n),
        "registration_date": date,
        "exploitation_form": form,
        "cross_border": cross_border,
        "reporter": reporter,
    }


_VIC = [0]


def vic(n: int | None, date: str, *, cat: str = "violence", iid: str | None = None) -> dict[str, Any]:
    _VIC[0] += 1
    return {
        "incident_id": iid or f"inc-{_VIC[0]:06d}",
        "person_id": "" if n is None else pid(n),
        "incident_date": date,
        "offence_category": cat,
    }


def _write(path: Path, cols: tuple[str, ...], rows: Iterable[dict[str, Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(cols))
        w.writeheader()
        for r in rows:
            w.writerow(r)


def write_registers(
    folder: Path,
    persons: Iterable[dict[str, Any]],
    registrations: Iterable[dict[str, Any]],
    victimisations: Iterable[dict[str, Any]] = (),
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    _write(folder / "persons.csv", PERSON_COLS, persons)
    _write(folder / "victim_registrations.csv", REG_COLS, registrations)
    _write(folder / "victimisations.csv", VIC_COLS, victimisations)
    _write(folder / "perpetrator_links.csv", LINK_COLS, [])
    return folder


def sources_from(
    folder: Path,
    persons: Iterable[dict[str, Any]],
    registrations: Iterable[dict[str, Any]],
    victimisations: Iterable[dict[str, Any]] = (),
    *,
    data_end: str | None = None,
) -> Sources:
    write_registers(folder, persons, registrations, victimisations)
    schema: LinkageSchema = SCHEMA
    if data_end is not None:
        schema = SCHEMA.model_copy(update={"data_end": dt.date.fromisoformat(data_end)})
    return load_sources(schema, folder)


def spec(**overrides: Any) -> CohortSpec:
    base: dict[str, Any] = {
        "name": "test-cohort",
        "entry_window": {"start": "2012-01-01", "end": "2016-12-31"},
        "follow_up_days": 2557,
        "outcome": {"categories": "any"},
        "blackout_days": 0,
        "censor_at": ["death", "emigration", "data_end"],
        "competing_risks": ["death"],
    }
    base.update(overrides)
    return CohortSpec.model_validate(base)
