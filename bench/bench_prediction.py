"""Benchmark: the whole ``analyse`` including risk prediction (issue 6 target: 1M persons <= 120 s, < 8 GiB).

Reuses the cohort generator of ``bench_models`` (same data, same seed); the models
benchmark times ``analyse(prediction=False)`` beside R, this one adds the
scikit-survival comparison (train set capped at 20,000 persons, stated in results).
"""

from __future__ import annotations

import datetime as dt
import time
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from bench._util import TMP, measure, write_results
from bench.bench_models import make_cohort

SIZES = (100_000, 1_000_000)


def run_full_analyse(n: int) -> dict[str, Any]:
    from revict.cohort.spec import CohortSpec, DateWindow
    from revict.cohort.tables import CohortTables
    from revict.models import analyse

    fe = pd.read_parquet(TMP / f"prediction_first_{n}.parquet")
    rec = pd.read_parquet(TMP / f"prediction_recurrent_{n}.parquet")
    spec = CohortSpec(name="bench", entry_window=DateWindow(start=dt.date(2012, 1, 1), end=dt.date(2016, 12, 31)))
    fe["person_id"] = fe["person_id"].astype(str)
    rec["person_id"] = rec["person_id"].astype(str)
    for c in ("reporter", "cross_border"):
        fe[c] = "unknown"
    fe["prior_victimisation"] = "none"
    fe["prior_victimisations_365d"] = 0
    fe["age_at_index"] = 30
    att = pd.DataFrame({"step": [1], "description": ["all"], "n_removed": [0], "n_remaining": [n]})
    tables = CohortTables(spec=spec, first_event=fe, recurrent=rec, attrition=att)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = analyse(tables, prediction=True)
    pred = res.to_dict().get("prediction") or {}
    return {
        "fit_s": round(time.perf_counter() - t0, 3),
        "prediction_models": sorted(pred.get("models", {})),
        "best_model": pred.get("best_model"),
        "n_train_fitted": pred.get("n_train_fitted"),
        "n_test": pred.get("n_test"),
        "warnings": len(res.warnings),
    }


def main() -> Path:
    TMP.mkdir(parents=True, exist_ok=True)
    figures: dict[str, Any] = {"target": {"analyse_1m_s": "<= 120", "analyse_1m_peak_mib": "<= 8192"}, "sizes": {}}
    for n in SIZES:
        fe, rec = make_cohort(n)
        fe.to_parquet(TMP / f"prediction_first_{n}.parquet", index=False)
        rec.to_parquet(TMP / f"prediction_recurrent_{n}.parquet", index=False)
        del fe, rec
        row = measure(run_full_analyse, n)
        print(f"   {n:>9,} analyse with prediction: {row}", flush=True)
        figures["sizes"][str(n)] = row
    big = figures["sizes"][str(SIZES[-1])]
    figures["meets_target"] = big["wall_s"] <= 120 and big["peak_mem_mib"] <= 8192
    return write_results("prediction", figures)


if __name__ == "__main__":
    print(main())
