"""Covariate-stratified estimates that add up: one model per stratum, totals summed.

Each stratum's table gets its own model (same rule); the stratified total is the sum
of the stratum totals, so the strata add up to it by construction. Its interval comes
from summing the strata's bootstrap replicates (independent strata) when bootstrapped,
otherwise from the strata's log-normal standard errors (delta method). Strata too
sparse to estimate are reported as such and make the sum incomplete (warned).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from revict._core.errors import RevictError
from revict.hidden.estimate import CAVEATS, MSEResult, estimate_population
from revict.hidden.histories import CaptureHistories
from revict.hidden.intervals import Interval
from revict.hidden.table import OverlapTable

SPARSE_STRATUM = 50
POOLED_DIFF_WARN = 0.2


@dataclass
class StratifiedMSEResult:
    """Per-stratum estimates, their sum, and the pooled (unstratified) estimate."""

    by: tuple[str, ...]
    strata: dict[tuple[str, ...], MSEResult]
    failed: dict[tuple[str, ...], str]
    n_observed_failed: int
    total: float
    ci: Interval
    pooled: MSEResult | None
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> pd.DataFrame:
        """One row per stratum: observed, estimate, interval, model."""
        rows = []
        for key, r in self.strata.items():
            rows.append(
                {
                    **dict(zip(self.by, key, strict=True)),
                    "n_observed": r.n_observed,
                    "estimate": r.estimate,
                    "lower": r.ci.lower,
                    "upper": r.ci.upper,
                    "model": r.chosen.name,
                    "status": "ok",
                }
            )
        for key, msg in self.failed.items():
            rows.append({**dict(zip(self.by, key, strict=True)), "status": msg})
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (``strata`` entries are compact; ``pooled`` is a full result)."""

        def r(x: float) -> float | None:
            return round(float(x), 2) if math.isfinite(x) else None

        return {
            "by": list(self.by),
            "total": r(self.total),
            "ci": self.ci.to_dict(),
            "n_observed": sum(s.n_observed for s in self.strata.values()) + self.n_observed_failed,
            "strata": [
                {
                    "key": dict(zip(self.by, key, strict=True)),
                    "n_observed": s.n_observed,
                    "estimate": r(s.estimate),
                    "ci": s.ci.to_dict(),
                    "model": s.chosen.name,
                    "rule": s.rule,
                    "sensitivity": s.to_dict()["sensitivity"],
                    "warnings": s.warnings,
                }
                for key, s in self.strata.items()
            ],
            "failed_strata": [{"key": dict(zip(self.by, k, strict=True)), "reason": m} for k, m in self.failed.items()],
            "pooled": self.pooled.to_dict() if self.pooled is not None else None,
            "warnings": list(self.warnings),
            "caveats": list(CAVEATS),
        }


def _sum_interval(results: list[MSEResult], conf_level: float) -> Interval:
    reps = [r.bootstrap.replicates for r in results if r.bootstrap is not None]
    if reps and len(reps) == len(results):
        n = min(len(x) for x in reps)
        total = np.sum([x[:n] for x in reps], axis=0)
        a = (1 - conf_level) / 2
        lo, hi = np.quantile(total, [a, 1 - a], method="median_unbiased")
        return Interval(
            "bootstrap_percentile_sum",
            conf_level,
            float(lo),
            float(hi),
            "percentile interval of summed stratum bootstrap replicates",
        )
    z = norm.ppf(0.5 + conf_level / 2)
    var = 0.0
    for r in results:
        c = r.chosen
        if c.lower is None or c.upper is None or c.dark is None:
            continue
        se_log = (math.log(c.upper - r.n_observed) - math.log(c.lower - r.n_observed)) / (2 * z)
        var += (c.dark * se_log) ** 2
    total = sum(r.estimate for r in results)
    sd = math.sqrt(var)
    return Interval(
        "delta_method_sum",
        conf_level,
        total - z * sd,
        total + z * sd,
        "normal interval from the strata's log-normal standard errors (conditional on their models)",
    )


def estimate_stratified(
    histories: CaptureHistories | Mapping[tuple[str, ...], OverlapTable],
    *,
    by: tuple[str, ...] | None = None,
    rule: str = "stepwise",
    threshold: float = 0.02,
    conf_level: float = 0.95,
    bootstrap: int = 0,
    bootstrap_method: str = "parametric",
    seed: int | None = None,
    pooled: bool = True,
) -> StratifiedMSEResult:
    """Estimate each stratum separately and add the totals up.

    Parameters
    ----------
    histories : CaptureHistories or mapping of key to OverlapTable
        The stratum tables (from :func:`capture_histories` with ``strata``/``period``).
    by : tuple of str, optional
        Names of the key parts (taken from ``histories.by`` when given a CaptureHistories).
    rule, threshold, conf_level, bootstrap, bootstrap_method, seed
        As in :func:`estimate_population`, applied to every stratum.
    pooled : bool
        Also estimate from all strata added up, for comparison.
    """
    tables = histories.tables if isinstance(histories, CaptureHistories) else dict(histories)
    names = histories.by if isinstance(histories, CaptureHistories) else (by or ("stratum",))
    results: dict[tuple[str, ...], MSEResult] = {}
    failed: dict[tuple[str, ...], str] = {}
    warns: list[str] = []
    n_failed = 0
    for i, (key, table) in enumerate(sorted(tables.items())):
        label = " / ".join(key)
        if table.n_observed < SPARSE_STRATUM:
            warns.append(f"stratum {label}: only {table.n_observed} persons observed (sparse; very uncertain)")
        try:
            res = estimate_population(
                table,
                rule=rule,
                threshold=threshold,
                conf_level=conf_level,
                bootstrap=bootstrap,
                bootstrap_method=bootstrap_method,
                seed=None if seed is None else seed + i,
            )
        except RevictError as exc:
            failed[key] = exc.message
            n_failed += table.n_observed
            continue
        results[key] = res
        if res.dropped_lists:
            warns.append(f"stratum {label}: list(s) {', '.join(res.dropped_lists)} hold nobody or everybody here")
    if failed:
        warns.append(
            f"{len(failed)} stratum/strata could not be estimated ({n_failed} observed persons): the sum "
            "of the strata leaves them out -- merge strata or lists"
        )
    total = sum(r.estimate for r in results.values())
    ci = (
        _sum_interval(list(results.values()), conf_level)
        if results
        else Interval("none", conf_level, math.nan, math.nan)
    )
    pooled_res = None
    if pooled and isinstance(histories, CaptureHistories) and len(tables) > 1:
        pooled_res = estimate_population(histories.pooled(), rule=rule, threshold=threshold, conf_level=conf_level)
    elif pooled and tables and len(tables) > 1:
        tabs = list(tables.values())
        merged = OverlapTable(
            tabs[0].lists,
            np.vstack([t.histories for t in tabs]),
            np.concatenate([t.counts for t in tabs]),
            "all strata",
        ).tidy()
        pooled_res = estimate_population(merged, rule=rule, threshold=threshold, conf_level=conf_level)
    if pooled_res is not None and total > 0 and not failed:
        diff = abs(total - pooled_res.estimate) / pooled_res.estimate
        if diff > POOLED_DIFF_WARN:
            warns.append(
                f"the strata add up to {total:,.0f} but the pooled table gives {pooled_res.estimate:,.0f} "
                f"({diff:.0%} apart): capture probabilities differ between strata, or strata are sparse"
            )
    return StratifiedMSEResult(tuple(names), results, failed, n_failed, total, ci, pooled_res, warns)
