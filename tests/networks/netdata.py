"""Hand-built network sources with known answers (the expected values are in the tests).

Victims PA..PD and PF are linked persons; events with an empty person_id are unlinked.
Offenders O1..O13 (ids padded to valid pseudonyms by ``oid``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from revict.cohort.spec import CohortSpec
from revict.cohort.tables import CohortTables


def pid(name: str) -> str:
    """Pseudonym of a hand-built person, e.g. ``PA`` -> ``person-PA``."""
    return f"person-{name}" if name else ""


def oid(name: str) -> str:
    """Pseudonym of a hand-built offender, e.g. ``O7`` -> ``offender-O07``."""
    return f"offender-O{int(name[1:]):02d}"


def eid(name: str) -> str:
    """Pseudonym of a hand-built event."""
    return f"event-{name}"


REGISTRATIONS = [  # registration, person, date, form
    ("R_A1", "PA", "2015-01-10", "sexual"),
    ("R_B1", "PB", "2015-03-01", "labour"),
    ("R_C1", "PC", "2016-05-01", "sexual"),
    ("R_D1", "PD", "2017-01-01", "criminal"),
    ("R_U1", "", "2016-01-01", "sexual"),
    ("R_F1", "PF", "2019-01-01", "labour"),
]
VICTIMISATIONS = [  # incident, person, date, category
    ("V_A1", "PA", "2015-06-01", "violence"),
    ("V_A2", "PA", "2016-02-01", "threat"),
    ("V_B1", "PB", "2015-03-01", "sexual"),
    ("V_C1", "PC", "2016-08-01", "violence"),
    ("V_C2", "PC", "2017-01-01", "threat"),
    ("V_D0", "PD", "2016-06-01", "property"),
    ("V_U1", "", "2016-07-01", "violence"),
    ("V_E1", "PE", "2018-01-01", "other"),
]
LINKS = [  # event, offender
    ("R_A1", "O1"),
    ("V_A1", "O1"),
    ("R_A1", "O2"),
    ("R_B1", "O2"),
    ("R_B1", "O3"),
    ("R_B1", "O3"),  # the same event twice: not recurring
    ("V_A1", "O4"),
    ("V_A2", "O4"),
    ("R_C1", "O5"),
    ("R_U1", "O5"),  # second event has an unlinked victim
    ("R_B1", "O6"),
    ("V_B1", "O6"),  # two events, same victim, same day
    ("R_D1", "O7"),
    ("V_C1", "O7"),
    ("V_A2", "O7"),
    ("R_C1", "O8"),
    ("V_C2", "O8"),
    ("V_B1", "O8"),
    ("V_U1", "O9"),
    ("V_D0", "O10"),
    ("V_NOPE", "O11"),  # no such event
    ("R_F1", "O12"),
    ("R_F1", "O13"),
]


def write_sources(
    folder: Path,
    registrations: list[tuple[str, str, str, str]] = REGISTRATIONS,
    victimisations: list[tuple[str, str, str, str]] = VICTIMISATIONS,
    links: list[tuple[str, str]] = LINKS,
) -> Path:
    """Write the four CSV sources of a hand-built network into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    persons = sorted({p for _, p, _, _ in registrations + victimisations if p})
    pd.DataFrame({"person_id": [pid(p) for p in persons], "birth_year": 1990, "sex": "F"}).to_csv(
        folder / "persons.csv", index=False
    )
    pd.DataFrame(
        {
            "registration_id": [eid(r[0]) for r in registrations],
            "person_id": [pid(r[1]) for r in registrations],
            "registration_date": [r[2] for r in registrations],
            "exploitation_form": [r[3] for r in registrations],
        }
    ).to_csv(folder / "victim_registrations.csv", index=False)
    pd.DataFrame(
        {
            "incident_id": [eid(v[0]) for v in victimisations],
            "person_id": [pid(v[1]) for v in victimisations],
            "incident_date": [v[2] for v in victimisations],
            "offence_category": [v[3] for v in victimisations],
        }
    ).to_csv(folder / "victimisations.csv", index=False)
    pd.DataFrame(
        {
            "event_id": [eid(e) for e, _ in links],
            "event_type": ["registration" if e.startswith("R_") else "victimisation" for e, _ in links],
            "offender_id": [oid(o) for _, o in links],
        }
    ).to_csv(folder / "perpetrator_links.csv", index=False)
    return folder


def make_cohort(rows: list[tuple[str, str, int]], min_cell: int = 10) -> CohortTables:
    """CohortTables with only what the network needs: (person, index date, follow_up_end days)."""
    spec = CohortSpec(name="hand", entry_window={"start": "2015-01-01", "end": "2016-12-31"}, min_cell=min_cell)
    fe = pd.DataFrame(
        {
            "person_id": [pid(p) for p, _, _ in rows],
            "index_date": [dt.date.fromisoformat(d) for _, d, _ in rows],
            "follow_up_end": [f for _, _, f in rows],
        }
    )
    empty = pd.DataFrame()
    return CohortTables(spec=spec, first_event=fe, recurrent=empty, attrition=empty)
