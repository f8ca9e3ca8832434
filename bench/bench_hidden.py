"""Benchmark of multiple systems estimation (issue 9).

1. Speed: a 6-list table, stepwise selection (p < 0.02), 1,000 bootstrap replicates
   with the model re-selected on each, plus the sensitivity table (target <= 30 s).
2. Coverage: 100 seeded replications of a planted population (numpy log-linear
   capture model with one positive two-list dependence); the share of reported 95%
   intervals (bootstrap BCa) that contain the planted total (target >= 90 of 100).

Writes ``bench/results/hidden.json``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench._util import measure, write_results

MSE_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mse"

#: Planted capture model for the coverage study (4 lists).
TRUE_TOTAL = 2000
MAIN_P = (0.12, 0.18, 0.08, 0.25)
DEPENDENCE = {(0, 1): 0.9}  # log odds ratio between lists A and B
N_SEEDS = 100
N_BOOT_COVERAGE = 400


def _timed_estimate(file_name: str, n_boot: int) -> dict[str, Any]:
    from revict.hidden import estimate_population, read_overlap_table

    table = read_overlap_table(MSE_DIR / file_name)
    t0 = time.perf_counter()
    res = estimate_population(table, rule="stepwise", threshold=0.02, bootstrap=n_boot, seed=1)
    wall = time.perf_counter() - t0
    return {
        "table": file_name,
        "n_lists": table.n_lists,
        "n_observed": table.n_observed,
        "n_boot": n_boot,
        "estimate": round(res.estimate, 1),
        "model": res.chosen.name,
        "ci": res.ci.to_dict(),
        "estimate_and_bootstrap_s": round(wall, 2),
    }


def cell_probabilities(m: int, main_p: tuple[float, ...], dependence: dict[tuple[int, int], float]) -> np.ndarray:
    """Probabilities of all 2**m histories (row = bits of the index, list k = bit k) under the planted model."""
    codes = np.arange(2**m)
    h = (codes[:, None] >> np.arange(m)) & 1
    logit = np.log(np.array(main_p) / (1 - np.array(main_p)))
    eta = h @ logit
    for (i, j), g in dependence.items():
        eta = eta + g * h[:, i] * h[:, j]
    p = np.exp(eta)
    return np.asarray(p / p.sum())


def simulate_table(rng: np.random.Generator) -> Any:
    """Draw one planted population of TRUE_TOTAL persons and keep those caught by at least one list."""
    from revict.hidden import OverlapTable

    m = len(MAIN_P)
    p = cell_probabilities(m, MAIN_P, DEPENDENCE)
    counts = rng.multinomial(TRUE_TOTAL, p)
    codes = np.arange(1, 2**m)
    h = ((codes[:, None] >> np.arange(m)) & 1).astype(np.int8)
    return OverlapTable(tuple("ABCD"[:m]), h, counts[1:], "planted").tidy()


def _coverage(n_seeds: int, n_boot: int) -> dict[str, Any]:
    from revict.hidden import estimate_population

    hits = {"bootstrap_bca": 0, "profile": 0, "wald_log": 0}
    estimates, widths, methods = [], [], []
    t0 = time.perf_counter()
    for seed in range(n_seeds):
        rng = np.random.default_rng(10_000 + seed)
        table = simulate_table(rng)
        res = estimate_population(table, rule="stepwise", bootstrap=n_boot, seed=seed)
        estimates.append(res.estimate)
        methods.append(res.ci.method)
        widths.append(res.ci.upper - res.ci.lower)
        for iv in res.intervals:
            key = "bootstrap_bca" if iv.method.startswith("bootstrap") else iv.method
            hits[key] += int(iv.lower <= TRUE_TOTAL <= iv.upper)
    return {
        "planted_total": TRUE_TOTAL,
        "list_probabilities": list(MAIN_P),
        "dependence_log_odds_ratio": {f"{'ABCD'[i]}:{'ABCD'[j]}": g for (i, j), g in DEPENDENCE.items()},
        "n_seeds": n_seeds,
        "n_boot": n_boot,
        "reported_interval": sorted(set(methods)),
        "covered_reported_95": hits["bootstrap_bca"],
        "covered_profile_95": hits["profile"],
        "covered_wald_log_95": hits["wald_log"],
        "mean_estimate": round(float(np.mean(estimates)), 1),
        "median_ci_width": round(float(np.median(widths)), 1),
        "target": ">= 90 of 100 within the reported 95% interval",
        "passed": hits["bootstrap_bca"] >= 0.9 * n_seeds,
        "coverage_s": round(time.perf_counter() - t0, 1),
    }


def main(n_seeds: int = N_SEEDS, n_boot_coverage: int = N_BOOT_COVERAGE) -> Path:
    """Run both parts and write bench/results/hidden.json."""
    speed = [
        measure(_timed_estimate, name, 1000)
        for name in ("mse_uk_2013_6lists.csv", "mse_netherlands_2010_2015_6lists.csv")
    ]
    for s in speed:
        s["target"] = "<= 30 s for 1,000 replicates"
        s["passed"] = s["estimate_and_bootstrap_s"] <= 30.0
    coverage = measure(_coverage, n_seeds, n_boot_coverage)
    return write_results("hidden", {"speed_6_lists": speed, "coverage": coverage})


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    sys.stdout.write(f"{main(*args)}\n")
