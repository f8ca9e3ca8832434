"""The hidden-population estimate straight from the registers, as ``revict hidden`` and ``revict run`` make it.

Settings come from, in order: the arguments, the cohort file's ``hidden:`` block, the
defaults of :class:`revict.cohort.spec.HiddenSpec` (one list per organisation, one table
for the entry window, no strata, stepwise selection at p < 0.02).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from revict._core.errors import SpecError
from revict.cohort.spec import CohortSpec, HiddenSpec
from revict.hidden.estimate import MSEResult, estimate_population
from revict.hidden.histories import DEFAULT_LIST_MAP, CaptureHistories, capture_histories
from revict.hidden.stratified import StratifiedMSEResult, estimate_stratified
from revict.load.loader import Sources


@dataclass(frozen=True)
class RegisterEstimate:
    """The pooled estimate, the capture histories it came from, and per-stratum estimates if asked for."""

    result: MSEResult
    histories: CaptureHistories
    stratified: StratifiedMSEResult | None
    settings: dict[str, Any]

    def list_reporters(self) -> dict[str, list[str]]:
        """List name -> the reporters merged into it (lists in the estimate only)."""
        out: dict[str, list[str]] = {}
        for reporter, name in self.settings["lists"].items():
            out.setdefault(name, []).append(reporter)
        return {k: v for k, v in out.items() if k in self.result.table.lists}

    def to_dict(self) -> dict[str, Any]:
        """Return the ``hidden_population`` section of results.json."""
        section = self.result.to_dict()
        section["settings"] = dict(self.settings)
        section["capture_histories"] = self.histories.to_dict()
        section["list_reporters"] = self.list_reporters()
        if self.stratified is not None:
            section["stratified"] = self.stratified.to_dict()
        return section


def resolve_settings(
    cohort_spec: CohortSpec | None,
    *,
    lists: Mapping[str, str] | None = None,
    period: str | None = None,
    strata: Sequence[str] | None = None,
    rule: str | None = None,
    threshold: float | None = None,
) -> dict[str, Any]:
    """Merge arguments (when not ``None``) over the cohort's ``hidden`` block over the defaults."""
    spec = cohort_spec.hidden if cohort_spec is not None else HiddenSpec()
    return {
        "lists": dict(lists if lists is not None else (spec.lists or DEFAULT_LIST_MAP)),
        "period": period if period is not None else spec.period,
        "strata": list(strata if strata is not None else spec.strata),
        "rule": rule if rule is not None else spec.rule,
        "threshold": float(threshold if threshold is not None else spec.threshold),
    }


def estimate_from_registers(
    sources: Sources,
    cohort_spec: CohortSpec | None = None,
    *,
    lists: Mapping[str, str] | None = None,
    period: str | None = None,
    strata: Sequence[str] | None = None,
    rule: str | None = None,
    threshold: float | None = None,
    conf_level: float = 0.95,
    bootstrap: int = 0,
    bootstrap_method: str = "parametric",
    seed: int | None = None,
) -> RegisterEstimate:
    """Capture histories from ``victim_registrations.reporter``, then the pooled (and stratified) estimate.

    Parameters
    ----------
    sources : Sources
        Loaded extracts.
    cohort_spec : CohortSpec, optional
        Entry window, restrictions and the ``hidden`` settings.
    lists, period, strata, rule, threshold
        Override the cohort's ``hidden`` settings (``None``: take the cohort's).
    conf_level, bootstrap, bootstrap_method, seed
        As in :func:`revict.hidden.estimate_population`.

    Raises
    ------
    SpecError
        When no registration has a linked person and a mapped reporter in the window.
    """
    settings = resolve_settings(cohort_spec, lists=lists, period=period, strata=strata, rule=rule, threshold=threshold)
    hist = capture_histories(
        sources,
        cohort_spec,
        period=settings["period"],
        strata=settings["strata"],
        list_map=settings["lists"],
    )
    if not hist.tables:
        raise SpecError(
            "no registration with a linked person and a mapped reporter in the entry window",
            hint="Check the cohort's entry_window, its hidden.lists mapping and the reporter column of "
            "victim_registrations.",
        )
    opts: dict[str, Any] = {
        "rule": settings["rule"],
        "threshold": settings["threshold"],
        "conf_level": conf_level,
        "bootstrap": bootstrap,
        "bootstrap_method": bootstrap_method,
        "seed": seed,
    }
    pooled = hist.pooled()
    label = "victim_registrations (" + ("per year, added up" if settings["period"] == "year" else "entry window") + ")"
    pooled = type(pooled)(pooled.lists, pooled.histories, pooled.counts, label)
    result = estimate_population(pooled, **opts)
    stratified = estimate_stratified(hist, pooled=False, **opts) if len(hist.tables) > 1 else None
    return RegisterEstimate(result, hist, stratified, settings)
