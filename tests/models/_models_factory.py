"""Hand-built cohort tables for the model tests (no cohort builder needed).

The recurrent table is simulated independently of the first-event table: the model
tests need realistic shapes, not a consistent cohort (the recovery test uses the builder).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from revict.cohort.spec import CohortSpec, DateWindow
from revict.cohort.tables import CohortTables

FORMS = np.array(["sexual", "labour", "criminal", "other"])


def make_tables(n: int = 400, *, seed: int = 1, events: bool = True, recurrent: bool = True) -> CohortTables:
    """A small random cohort with first-event, recurrent and outcome-event tables."""
    rng = np.random.default_rng(seed)
    form = rng.choice(FORMS, n, p=[0.5, 0.25, 0.2, 0.05])
    sex = rng.choice(np.array(["F", "M"]), n, p=[0.7, 0.3])
    age = rng.choice(np.array(["0-17", "18-24", "25-34", "35-49", "50+"]), n)
    origin = rng.choice(np.array(["NL", "EU", "non-EU", "unknown"]), n)
    rate = np.exp(0.4 * (form == "labour") - 0.3 * (sex == "M")) / 1500
    t_event = np.ceil(rng.exponential(1 / rate))
    t_death = np.ceil(rng.exponential(20000, n))
    horizon = np.minimum(2557, np.ceil(rng.uniform(500, 2557 * 1.5, n)))
    time = np.minimum.reduce([t_event, t_death, horizon]).astype(int)
    status = np.where((t_event <= time) & events, 1, np.where(t_death <= time, 2, 0))
    if not events:
        time = np.minimum(t_death, horizon).astype(int)
        status = np.where(t_death <= horizon, 2, 0)
    ids = np.array([f"per-test{i:08d}" for i in range(n)])
    fe = pd.DataFrame(
        {
            "person_id": ids,
            "index_date": pd.Timestamp("2014-01-01"),
            "index_year": 2014,
            "time": time,
            "status": status,
            "exploitation_form": form,
            "sex": sex,
            "age_group": age,
            "origin": origin,
            "reporter": rng.choice(np.array(["police", "shelter", "unknown"]), n),
            "cross_border": rng.choice(np.array(["yes", "no"]), n),
            "prior_victimisation": rng.choice(np.array(["none", "any"]), n),
            "prior_victimisations_365d": rng.integers(0, 3, n),
            "age_at_index": rng.integers(12, 60, n),
            "follow_up_end": np.where(status == 1, np.minimum(t_death, horizon), time).astype(int),
        }
    )
    fe["is_minor"] = fe["age_at_index"] < 18
    rec = (
        _recurrent(fe, rate, rng, events)
        if recurrent
        else pd.DataFrame(columns=["person_id", "start", "stop", "event", "episode", "gap_time"])
    )
    ev = rec.loc[rec["event"] == 1, ["person_id", "stop"]].rename(columns={"stop": "day"})
    ev["offence_category"] = rng.choice(np.array(["violence", "threat", "property"]), len(ev))
    spec = CohortSpec(
        name="test-cohort",
        entry_window=DateWindow(start=dt.date(2012, 1, 1), end=dt.date(2016, 12, 31)),
        reference_levels={"exploitation_form": "sexual"},
    )
    att = pd.DataFrame(
        {
            "step": [1, 2],
            "description": ["registered", "in entry window"],
            "n_removed": [0, 5],
            "n_remaining": [n + 5, n],
        }
    )
    return CohortTables(
        spec=spec,
        first_event=fe,
        recurrent=rec,
        attrition=att,
        cohort_sha256="0" * 64,
        fingerprints={"persons": {"rows": n}},
        outcome_events=ev.reset_index(drop=True),
    )


def _recurrent(fe: pd.DataFrame, rate: np.ndarray, rng: np.random.Generator, events: bool) -> pd.DataFrame:
    rows = []
    for i, (pid, end) in enumerate(zip(fe["person_id"], fe["follow_up_end"], strict=True)):
        t, ep = 0, 1
        while True:
            nxt = t + int(np.ceil(rng.exponential(1 / (rate[i] * 1.5)))) if events else end + 1
            if nxt >= end:
                rows.append((pid, t, end, 0, ep))
                break
            rows.append((pid, t, nxt, 1, ep))
            t, ep = nxt, ep + 1
    rec = pd.DataFrame(rows, columns=["person_id", "start", "stop", "event", "episode"])
    rec["gap_time"] = rec["stop"] - rec["start"]
    return rec
