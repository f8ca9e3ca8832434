"""Benchmark revict.models at 100k and 1M cohort persons, beside R's survival on the same data.

Measures (each in a fresh process: wall time and peak memory):
KM for all groups, the first-event Cox model with the default covariates (Efron,
with concordance), Andersen–Gill with person-robust SE, and the whole ``analyse``
(without the prediction models, which belong to ``revict.models.prediction``).
Where ``Rscript`` exists, R's ``survfit``/``coxph`` (same data, exported from the
same run) are timed in-process with ``system.time`` and reported as ratios.
Targets (issue 6): Cox no slower than 2x R's coxph; AG with robust SE faster than R;
the whole analysis for 1M persons within 2 minutes and 8 GiB.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bench._util import TMP, measure, write_results

SIZES = (100_000, 1_000_000)
COVARIATES = ["exploitation_form", "sex", "age_group", "origin"]
LEVELS = {
    "exploitation_form": (["sexual", "labour", "criminal", "other", "unknown"], [0.5, 0.25, 0.15, 0.05, 0.05]),
    "sex": (["F", "M", "U"], [0.6, 0.39, 0.01]),
    "age_group": (["0-17", "18-24", "25-34", "35-49", "50+", "unknown"], [0.15, 0.3, 0.25, 0.18, 0.1, 0.02]),
    "origin": (["NL", "EU", "non-EU", "unknown"], [0.4, 0.3, 0.25, 0.05]),
}
HORIZON = 2557


def make_cohort(n: int, seed: int = 20211207) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Person table and counting-process table for ``n`` persons (Weibull-ish hazards, integer days)."""
    rng = np.random.default_rng(seed)
    fe = pd.DataFrame({c: rng.choice(lv, n, p=p) for c, (lv, p) in LEVELS.items()})
    fe.insert(0, "person_id", np.arange(n))
    lp = 0.35 * (fe["exploitation_form"] == "labour") - 0.25 * (fe["sex"] == "M") + 0.4 * (fe["age_group"] == "0-17")
    rate = np.exp(lp.to_numpy()) / 4000
    follow = np.minimum(HORIZON, np.ceil(rng.uniform(300, HORIZON * 1.6, n))).astype(int)
    death = np.ceil(rng.exponential(40_000, n)).astype(int)
    end = np.minimum(follow, death)
    # recurrent events: gaps exponential with a person frailty; first event = first gap
    frailty = rng.gamma(2.0, 0.5, n)
    starts, stops, events, pids, eps = [], [], [], [], []
    t = np.zeros(n, int)
    alive = np.ones(n, bool)
    ep = 1
    while alive.any():
        idx = np.flatnonzero(alive)
        gap = np.ceil(rng.exponential(1 / (rate[idx] * frailty[idx]))).astype(int)
        nxt = t[idx] + np.maximum(gap, 1)
        ev = nxt < end[idx]
        stop = np.where(ev, nxt, end[idx])
        starts.append(t[idx])
        stops.append(stop)
        events.append(ev.astype(int))
        pids.append(idx)
        eps.append(np.full(len(idx), ep))
        t[idx] = stop
        alive[idx[~ev]] = False
        ep += 1
    rec = pd.DataFrame(
        {
            "person_id": np.concatenate(pids),
            "start": np.concatenate(starts),
            "stop": np.concatenate(stops),
            "event": np.concatenate(events),
            "episode": np.concatenate(eps),
        }
    )
    rec = rec.sort_values(["person_id", "start"], kind="stable").reset_index(drop=True)
    rec["gap_time"] = rec["stop"] - rec["start"]
    first = rec[rec["episode"] == 1].set_index("person_id")
    fe["time"] = first["stop"].reindex(fe["person_id"]).to_numpy()
    fe["status"] = np.where(
        first["event"].reindex(fe["person_id"]).to_numpy() == 1,
        1,
        np.where((death <= follow) & (fe["time"].to_numpy() == death), 2, 0),
    )
    fe["follow_up_end"] = end
    return fe, rec


def _paths(n: int) -> tuple[Path, Path]:
    return TMP / f"models_first_{n}.parquet", TMP / f"models_recurrent_{n}.parquet"


def _load(n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    a, b = _paths(n)
    return pd.read_parquet(a), pd.read_parquet(b)


def run_km(n: int) -> dict[str, Any]:
    from revict.models import kaplan_meier

    fe, _ = _load(n)
    t0 = time.perf_counter()
    time_, event = fe["time"].to_numpy(float), fe["status"].to_numpy() == 1
    curves = 1
    kaplan_meier(time_, event)
    for cov in COVARIATES:
        vals = fe[cov].to_numpy()
        for lv in np.unique(vals):
            m = vals == lv
            kaplan_meier(time_[m], event[m])
            curves += 1
    return {"fit_s": round(time.perf_counter() - t0, 3), "curves": curves}


def run_cox(n: int) -> dict[str, Any]:
    from revict.models import cox_ph

    fe, _ = _load(n)
    t0 = time.perf_counter()
    res = cox_ph(fe, covariates=COVARIATES, ph_test=False)
    t1 = time.perf_counter()
    cox_ph(fe, covariates=COVARIATES, ph_test=True)
    return {
        "fit_s": round(t1 - t0, 3),
        "fit_with_zph_s": round(time.perf_counter() - t1, 3),
        "n_iter": res.n_iter,
        "concordance": res.concordance,
    }


def run_ag(n: int) -> dict[str, Any]:
    from revict.models import andersen_gill

    fe, rec = _load(n)
    t0 = time.perf_counter()
    res = andersen_gill(rec, fe, covariates=COVARIATES)
    return {"fit_s": round(time.perf_counter() - t0, 3), "intervals": len(rec), "n_iter": res.n_iter}


def run_analyse(n: int) -> dict[str, Any]:
    import warnings

    from revict.cohort.spec import CohortSpec, DateWindow
    from revict.cohort.tables import CohortTables
    from revict.models import analyse

    fe, rec = _load(n)
    spec = CohortSpec(name="bench", entry_window=DateWindow(start=dt.date(2012, 1, 1), end=dt.date(2016, 12, 31)))
    fe["person_id"] = fe["person_id"].astype(str)
    rec["person_id"] = rec["person_id"].astype(str)
    for c in ("reporter", "cross_border", "prior_victimisation"):
        fe[c] = "unknown" if c != "prior_victimisation" else "none"
    att = pd.DataFrame({"step": [1], "description": ["all"], "n_removed": [0], "n_remaining": [n]})
    tables = CohortTables(spec=spec, first_event=fe, recurrent=rec, attrition=att)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = analyse(tables, prediction=False)
    return {"fit_s": round(time.perf_counter() - t0, 3), "warnings": len(res.warnings)}


R_SCRIPT = r"""
suppressPackageStartupMessages(library(survival))
args <- commandArgs(TRUE)
fe <- read.csv(args[1]); rec <- read.csv(args[2])
for (v in c("exploitation_form", "sex", "age_group", "origin")) fe[[v]] <- factor(fe[[v]])
ev <- as.integer(fe$status == 1)
km <- system.time({
  survfit(Surv(time, ev) ~ 1, fe)
  for (v in c("exploitation_form", "sex", "age_group", "origin")) survfit(Surv(time, ev) ~ fe[[v]], fe)
})[["elapsed"]]
cox <- system.time(fit <- coxph(Surv(time, ev) ~ exploitation_form + sex + age_group + origin, fe))[["elapsed"]]
rec <- merge(rec, fe[, c("person_id", "exploitation_form", "sex", "age_group", "origin")], by = "person_id")
ag <- system.time(coxph(Surv(start, stop, event) ~ exploitation_form + sex + age_group + origin,
                        rec, cluster = person_id))[["elapsed"]]
cat(sprintf('{"km_s": %.3f, "cox_s": %.3f, "ag_s": %.3f, "cox_coef1": %.10f}\n', km, cox, ag, coef(fit)[1]))
"""


def run_r(n: int) -> dict[str, Any] | None:
    """Time R on the same data (CSV export; only the model calls are timed)."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        return None
    fe, rec = _load(n)
    a, b = TMP / f"models_first_{n}.csv", TMP / f"models_recurrent_{n}.csv"
    fe[["person_id", "time", "status", *COVARIATES]].to_csv(a, index=False)
    rec[["person_id", "start", "stop", "event"]].to_csv(b, index=False)
    script = TMP / "bench_models.R"
    script.write_text(R_SCRIPT, encoding="utf-8")
    out = subprocess.run([rscript, str(script), str(a), str(b)], capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> Path:
    TMP.mkdir(parents=True, exist_ok=True)
    figures: dict[str, Any] = {
        "targets": {"cox_vs_r": "<= 2", "ag_vs_r": "< 1", "analyse_1m_s": "<= 120", "analyse_1m_peak_mib": "<= 8192"},
        "sizes": {},
    }
    for n in SIZES:
        fe, rec = make_cohort(n)
        a, b = _paths(n)
        fe.to_parquet(a, index=False)
        rec.to_parquet(b, index=False)
        row: dict[str, Any] = {
            "persons": n,
            "intervals": len(rec),
            "events_first": int((fe["status"] == 1).sum()),
            "events_recurrent": int(rec["event"].sum()),
        }
        del fe, rec
        for name, fn in (
            ("km_all_groups", run_km),
            ("cox", run_cox),
            ("andersen_gill", run_ag),
            ("analyse", run_analyse),
        ):
            row[name] = measure(fn, n)
            print(f"   {n:>9,} {name}: {row[name]}", flush=True)
        r = run_r(n)
        if r is not None:
            row["r"] = r
            row["ratio_vs_r"] = {
                "km": round(row["km_all_groups"]["fit_s"] / r["km_s"], 3) if r["km_s"] else None,
                "cox": round(row["cox"]["fit_s"] / r["cox_s"], 3) if r["cox_s"] else None,
                "andersen_gill": round(row["andersen_gill"]["fit_s"] / r["ag_s"], 3) if r["ag_s"] else None,
            }
            print(f"   {n:>9,} R: {r} ratio {row['ratio_vs_r']}", flush=True)
        figures["sizes"][str(n)] = row
    return write_results("models", figures)


if __name__ == "__main__":
    print(main())
