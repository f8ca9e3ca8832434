"""Population-size estimate from one list-overlap table: :func:`estimate_population`."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from revict._core.errors import ModelFitError
from revict.hidden.candidates import CandidateModel, candidates_frame, fit_candidate
from revict.hidden.fit import NOT_EXIST, NOT_IDENTIFIABLE, count_triples, space
from revict.hidden.intervals import (
    BootstrapResult,
    Interval,
    bootstrap_interval,
    profile_interval,
    wald_log_interval,
)
from revict.hidden.select import RULES, FittedModel, Selection, select_model
from revict.hidden.table import OverlapTable

#: Plain-language assumptions every estimate rests on (shown with every number).
CAVEATS: tuple[str, ...] = (
    "Closed population: the estimate assumes the same people were 'catchable' by every organisation during the "
    "period; people arriving, leaving or dying in between are not modelled, so long periods (several years) "
    "stretch this assumption.",
    "No false positives and perfect linkage: every registered person is a real victim and the same person is "
    "recognised across organisations; missed links inflate the estimate, wrong links deflate it.",
    "List dependence only through the chosen two-list interactions: other dependence between organisations, and "
    "differences between victims in how visible they are, are not captured and can bias the estimate (often "
    "downwards).",
    "The result depends on the model: the table of candidate models shows how much; a single number without "
    "that table overstates what is known.",
)

SENSITIVITY_RATIO_WARN = 1.5
SMALL_TABLE = 50


@dataclass
class MSEResult:
    """A multiple systems estimate with its sensitivity to the model.

    Attributes
    ----------
    table : OverlapTable
        The table estimated from (after dropping uninformative lists).
    rule : str
        Selection rule: ``stepwise``, ``aic``, ``bic`` or ``main``.
    threshold : float
        p-value threshold of the stepwise rule.
    chosen : CandidateModel
        The selected model and its estimate.
    ci : Interval
        The reported interval (bootstrap BCa when bootstrapped, else profile likelihood).
    intervals : list of Interval
        Every interval computed.
    candidates : list of CandidateModel
        Candidate models side by side (the sensitivity analysis).
    selections : dict
        For each rule, its chosen model name and estimate.
    """

    table: OverlapTable
    rule: str
    threshold: float
    search: str
    chosen: CandidateModel
    ci: Interval
    intervals: list[Interval]
    candidates: list[CandidateModel]
    selections: dict[str, dict[str, Any]]
    bootstrap: BootstrapResult | None = None
    dropped_lists: tuple[str, ...] = ()
    rejected_models: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    caveats: tuple[str, ...] = CAVEATS

    @property
    def n_observed(self) -> int:
        """Persons on at least one list."""
        return self.table.n_observed

    @property
    def estimate(self) -> float:
        """Estimated total (observed plus unobserved)."""
        assert self.chosen.total is not None
        return self.chosen.total

    @property
    def dark(self) -> float:
        """Estimated number of persons on no list."""
        return self.estimate - self.n_observed

    def summary(self) -> pd.DataFrame:
        """Candidate models side by side (estimate, interval, deviance, df, AIC, BIC), by AIC."""
        return candidates_frame(self.candidates)

    def headline(self) -> str:
        """Return one plain-language sentence with the estimate, its interval and the model range."""
        ci = self.ci
        upper = f"{ci.upper:,.0f}" if math.isfinite(ci.upper) else "no upper limit"
        lo, hi = self.sensitivity_range()
        return (
            f"An estimated {self.estimate:,.0f} victims ({ci.conf_level:.0%} interval {ci.lower:,.0f} to {upper}), "
            f"of whom {self.n_observed:,} were registered: about {self.estimate / self.n_observed:.1f} times the "
            f"registered number. Other candidate models give {lo:,.0f} to {hi:,.0f}."
        )

    def sensitivity_range(self) -> tuple[float, float]:
        """Smallest and largest estimate over the candidate models whose estimate exists."""
        ests = [c.total for c in self.candidates if c.total is not None]
        return (min(ests), max(ests))

    def to_dict(self) -> dict[str, Any]:
        """Return the ``hidden_population`` section of results.json (JSON-safe)."""
        lo, hi = self.sensitivity_range()
        return {
            "method": "multiple systems estimation, Poisson log-linear models (Chan, Silverman & Vincent 2021)",
            "source": self.table.label,
            "lists": list(self.table.lists),
            "dropped_lists": list(self.dropped_lists),
            "n_observed": self.n_observed,
            "list_totals": self.table.list_totals(),
            "empty_overlaps": self.table.to_dict()["empty_overlaps"],
            "estimate": round(self.estimate, 2),
            "dark_figure": round(self.dark, 2),
            "ratio_to_observed": round(self.estimate / self.n_observed, 3),
            "headline": self.headline(),
            "ci": self.ci.to_dict(),
            "intervals": [i.to_dict() for i in self.intervals],
            "model": self.chosen.to_dict(),
            "rule": {
                "name": self.rule,
                "threshold": self.threshold if self.rule == "stepwise" else None,
                "search": self.search,
            },
            "selections": self.selections,
            "sensitivity": {
                "min_estimate": round(lo, 2),
                "max_estimate": round(hi, 2),
                "ratio_max_min": round(hi / lo, 3) if lo > 0 else None,
            },
            "candidates": [c.to_dict() for c in self.candidates],
            "rejected_models": self.rejected_models,
            "bootstrap": self.bootstrap.to_dict() if self.bootstrap is not None else None,
            "warnings": list(self.warnings),
            "caveats": list(self.caveats),
        }

    def _repr_html_(self) -> str:
        head = (
            f"<p>Observed {self.n_observed:,}; estimate {self.estimate:,.0f} "
            f"({self.ci.method} {self.ci.conf_level:.0%}: {self.ci.lower:,.0f}-{self.ci.upper:,.0f}); "
            f"model {self.chosen.name} by {self.rule}</p>"
        )
        return head + self.summary().to_html(index=False)


def _candidate_models(sels: dict[str, Selection], m: int, top: int = 10) -> dict[tuple[int, ...], list[str]]:
    """Models to show side by side, each with the rules that chose it."""
    npairs = m * (m - 1) // 2
    out: dict[tuple[int, ...], list[str]] = {(): []}
    for j in range(npairs):
        out.setdefault((j,), [])
    for rule, sel in sels.items():
        for fm in sel.path:
            out.setdefault(fm.model, [])
        for key in ("aic", "bic"):
            ranked = sorted(sel.examined, key=lambda f: f.aic if key == "aic" else f.bic)
            for fm in ranked[:top]:
                out.setdefault(fm.model, [])
        out.setdefault(sel.chosen.model, []).append(rule)
    return out


def _rejected(sels: dict[str, Selection], lists: tuple[str, ...], m: int) -> list[dict[str, str]]:
    sp = space(m)
    seen: dict[tuple[int, ...], int] = {}
    for sel in sels.values():
        seen.update(sel.rejected)
    reason = {
        NOT_EXIST: "estimate does not exist",
        NOT_IDENTIFIABLE: "not identifiable",
        NOT_EXIST + NOT_IDENTIFIABLE: "does not exist and not identifiable",
    }
    rows = [
        {"model": "main + " + " + ".join(sp.pair_names(lists, mod)), "reason": reason[code]}
        for mod, code in sorted(seen.items())
    ]
    return rows[:50]


def _table_warnings(table: OverlapTable, dropped: tuple[str, ...]) -> list[str]:
    out = []
    if dropped:
        out.append(f"list(s) {', '.join(dropped)} dropped: they hold nobody, everybody, or duplicate another list")
    empty = table.to_dict()["empty_overlaps"]
    if empty:
        out.append(
            f"{len(empty)} pair(s) of lists share nobody ({', '.join(empty)}); their interactions, if "
            "chosen, are fitted at minus infinity (Chan, Silverman & Vincent 2021)"
        )
    if count_triples(table.histories, table.counts) == 0 and table.n_lists >= 3:
        out.append("no three lists all overlap pairwise: the model with every two-list interaction is not identifiable")
    if table.n_observed < SMALL_TABLE:
        out.append(f"only {table.n_observed} persons observed: estimates from so few are very uncertain")
    return out


def _intervals(
    t: OverlapTable,
    chosen_fm: FittedModel,
    *,
    rule: str,
    threshold: float,
    conf_level: float,
    profile: bool,
    bootstrap: int,
    bootstrap_method: str,
    seed: int | None,
    warns: list[str],
) -> tuple[list[Interval], Interval, BootstrapResult | None]:
    """Every interval asked for; the reported one is bootstrap > profile > log-normal."""
    intervals = [wald_log_interval(chosen_fm, conf_level)]
    ci = intervals[0]
    if profile:
        ci = profile_interval(t, chosen_fm, conf_level)
        intervals.append(ci)
        if ci.note:
            warns.append(ci.note)
    boot = None
    if bootstrap > 0:
        boot = bootstrap_interval(
            t,
            chosen_fm,
            rule=rule,
            threshold=threshold,
            n_boot=bootstrap,
            seed=seed,
            method=bootstrap_method,
            conf_level=conf_level,
        )
        intervals.append(boot.interval)
        ci = boot.interval
        if boot.n_failed:
            warns.append(f"{boot.n_failed} of {bootstrap} bootstrap replicates could not be estimated")
        if boot.interval.method == "bootstrap_percentile":
            warns.append(boot.interval.note)
    return intervals, ci, boot


def estimate_population(
    table: OverlapTable,
    *,
    rule: str = "stepwise",
    threshold: float = 0.02,
    conf_level: float = 0.95,
    bootstrap: int = 0,
    bootstrap_method: str = "parametric",
    seed: int | None = None,
    profile: bool = True,
) -> MSEResult:
    """Estimate the number of persons on no list, with the sensitivity to the model.

    R equivalent: ``SparseMSE::estimatepopulation(zdat, nboot, pthresh = 0.02)`` for
    ``rule="stepwise"``; ``Rcapture::closedpMS.t`` ranks models by AIC/BIC.

    Parameters
    ----------
    table : OverlapTable
        Capture histories and counts.
    rule : {"stepwise", "aic", "bic", "main"}
        How the model is chosen (see :mod:`revict.hidden.select`). Every rule is also
        run for the sensitivity table.
    threshold : float
        p-value threshold of the stepwise rule (0.02, Chan, Silverman & Vincent 2021).
    conf_level : float
        Coverage of the intervals.
    bootstrap : int
        Bootstrap replicates (0: none). The reported interval is then the BCa interval.
    bootstrap_method : {"parametric", "multinomial"}
        Parametric (from the fitted model) or resampling the observed persons (SparseMSE).
    seed : int, optional
        Seed of the bootstrap.
    profile : bool
        Compute the profile-likelihood interval.

    Returns
    -------
    MSEResult

    Raises
    ------
    ModelFitError
        When the chosen model's estimate does not exist (never for ``stepwise``).

    Examples
    --------
    >>> import numpy as np
    >>> from revict.hidden import OverlapTable, estimate_population
    >>> t = OverlapTable(("b", "c", "d"), np.array([[0, 0, 1], [0, 1, 0], [1, 0, 0], [1, 1, 0],
    ...                  [1, 0, 1], [1, 1, 1]]), np.array([41, 5, 5, 54, 6, 12]), "Korea")
    >>> res = estimate_population(t, profile=False)
    >>> round(res.estimate, 2), res.chosen.name
    (268.78, 'main + b:c')
    """
    if rule not in RULES:
        raise ModelFitError(f"unknown model-selection rule {rule!r}", hint=f"Use one of {', '.join(RULES)}.")
    if not 0 < conf_level < 1:
        raise ModelFitError("conf_level must be between 0 and 1", hint="Use e.g. 0.95.")
    t, dropped = table.drop_noninformative()
    sp = space(t.n_lists)
    y = t.full_counts()
    sels = {r: select_model(sp, y, rule=r, threshold=threshold) for r in RULES}
    chosen_fm = sels[rule].chosen
    models = _candidate_models(sels, t.n_lists)
    cands = [
        fit_candidate(sp, y, t.lists, mod, chosen_by=tuple(by), conf_level=conf_level) for mod, by in models.items()
    ]
    chosen = next(c for c in cands if rule in c.chosen_by)
    if chosen.total is None:
        raise ModelFitError(
            f"{t.label or 'table'}: the model chosen by {rule} ({chosen.name}): {chosen.message}",
            hint="Use --rule stepwise, which only adds terms whose estimate exists.",
        )
    warns = _table_warnings(t, dropped)
    intervals, ci, boot = _intervals(
        t,
        chosen_fm,
        rule=rule,
        threshold=threshold,
        conf_level=conf_level,
        profile=profile,
        bootstrap=bootstrap,
        bootstrap_method=bootstrap_method,
        seed=seed,
        warns=warns,
    )
    selections = {
        r: {
            "model": next(c.name for c in cands if r in c.chosen_by),
            "estimate": round(s.chosen.total, 2),
            "search": s.search,
            **({"threshold": threshold} if r == "stepwise" else {}),
        }
        for r, s in sels.items()
    }
    res = MSEResult(
        t,
        rule,
        threshold,
        sels[rule].search,
        chosen,
        ci,
        intervals,
        cands,
        selections,
        boot,
        dropped,
        _rejected(sels, t.lists, t.n_lists),
        warns,
    )
    lo, hi = res.sensitivity_range()
    if lo > 0 and hi / lo > SENSITIVITY_RATIO_WARN:
        warns.append(
            f"the estimate depends strongly on the model: candidate models range from {lo:,.0f} to "
            f"{hi:,.0f} ({hi / lo:.1f}x); report the range, not one number"
        )
    if not math.isfinite(ci.upper):
        warns.append("the interval has no finite upper limit: the data cannot rule out a very large hidden population")
    return res


def rule_estimates(result: MSEResult) -> dict[str, float]:
    """Estimate under each selection rule (a compact view of :attr:`MSEResult.selections`)."""
    return {r: float(v["estimate"]) for r, v in result.selections.items()}
