"""Disclosure control of the hidden-population estimate (multiple systems estimation).

What may leave (an allow-list; everything else in results.json's ``hidden_population``
stays with the researcher):

- the observed number of persons, only when at least ``min_cell`` (else nothing of the
  estimate is released: an estimate from so few persons says nothing);
- the estimate, the number not seen, the interval and every candidate model's estimate
  and interval, each rounded to :data:`HIDDEN_ROUNDING` (10) — or to the rules' own base
  when that is coarser; the observed number is rounded the same way, so it cannot be
  subtracted from the cohort size to reveal a small group;
- the list (reporting organisation) sizes, rounded likewise, only when every list holds at
  least ``min_cell`` persons (all or nothing: one small list could be worked out from the
  others and the observed number);
- the model: its two-list terms, the selection rule and threshold, the interval method,
  the bootstrap settings; never fit statistics (deviance, AIC, BIC), which are functions of
  the cell counts;
- estimates by stratum (``stratified``: group, registered number, estimate, interval, each
  rounded likewise) only when every stratum holds at least ``min_cell`` registered persons
  (all or nothing, as for the list sizes);
- never a per-capture-history cell, never the names of pairs of lists that share nobody
  when zeros count as small numbers, never free text that quotes a number.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from revict.disclosure.cells import Suppression, as_count, as_mapping, is_small, release_count
from revict.disclosure.rules import DisclosureRules
from revict.disclosure.scan import find_identifiers

#: base to which every number of the hidden-population section is rounded
HIDDEN_ROUNDING = 10
#: a number standing on its own in a text (same test as for the analysis warnings)
_NUMBER = re.compile(r"(?<![\w=.\-])\d+(?![\w\-])")
#: keys of results.json's section that hold person counts per capture history
_CELL_KEYS = ("cells", "histories", "table", "counts", "overlap_table")
WHAT = "hidden_population"


def _base(rules: DisclosureRules) -> int:
    return max(HIDDEN_ROUNDING, rules.rounding or 0)


def round_estimate(value: Any, rules: DisclosureRules) -> float | None:
    """Round an estimate (or interval limit) to the section's base; ``None`` when missing or infinite.

    Examples
    --------
    >>> round_estimate(27765.89, DisclosureRules())
    27770
    >>> round_estimate(None, DisclosureRules()) is None
    True
    """
    if value is None or isinstance(value, bool):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(f):
        return None
    base = _base(rules)
    return int(math.floor(f / base + 0.5)) * base


def _release_persons(value: Any, rules: DisclosureRules) -> int | str:
    """Release a count of persons: ``"<min_cell"`` when small, else rounded to the section's base (>= min_cell)."""
    released = release_count(value, rules)
    if isinstance(released, str):
        return released
    rounded = round_estimate(released, rules)
    return max(int(rounded or 0), rules.min_cell)


def _text(value: Any) -> str | None:
    """Return a free text, only when it names no number, date or identifier."""
    if not isinstance(value, str) or not value:
        return None
    if find_identifiers({"t": value}) or find_identifiers({"t": value.split()}) or _NUMBER.search(value):
        return None
    return value


def _interval(ci: Any, rules: DisclosureRules) -> dict[str, Any] | None:
    ci = as_mapping(ci)
    if not ci:
        return None
    return {
        "method": str(ci.get("method", "")),
        "conf_level": ci.get("conf_level") if isinstance(ci.get("conf_level"), float | int) else None,
        "lower": round_estimate(ci.get("lower"), rules),
        "upper": round_estimate(ci.get("upper"), rules),
    }


def _candidate(c: Mapping[str, Any], rules: DisclosureRules, hide_neg_inf: bool) -> dict[str, Any]:
    return {
        "model": str(c.get("model", "")),
        "terms": [str(x) for x in c.get("terms") or []],
        "status": str(c.get("status", "")),
        "estimate": round_estimate(c.get("estimate"), rules),
        "lower": round_estimate(c.get("lower"), rules),
        "upper": round_estimate(c.get("upper"), rules),
        "chosen_by": [str(x) for x in c.get("chosen_by") or []],
        **({} if hide_neg_inf else {"neg_inf_terms": [str(x) for x in c.get("neg_inf_terms") or []]}),
    }


def _list_totals(totals: Any, rules: DisclosureRules) -> tuple[dict[str, int | str] | None, list[Suppression]]:
    totals = as_mapping(totals)
    if not totals:
        return None, []
    counts = {k: as_count(v) for k, v in totals.items()}
    if any(n is None or is_small(n, rules) for n in counts.values()):
        note = Suppression(
            f"{WHAT}.list_totals",
            "min_cell",
            f"an organisation registered fewer than {rules.min_cell} persons: no organisation's number is shown",
        )
        return None, [note]
    return {k: _release_persons(n, rules) for k, n in counts.items()}, []


def _stratified(strat: Any, rules: DisclosureRules) -> tuple[dict[str, Any] | None, list[Suppression]]:
    """Per-stratum estimates: all strata, rounded, or none (when one holds fewer than ``min_cell`` persons)."""
    strat = as_mapping(strat)
    strata = [as_mapping(x) for x in strat.get("strata") or []]
    if not strata:
        return None, []
    released = [_release_persons(x.get("n_observed"), rules) for x in strata]
    failed = strat.get("failed_strata") or []
    if any(isinstance(n, str) for n in released) or any(
        round_estimate(x.get("estimate"), rules) is None for x in strata
    ):
        return None, [
            Suppression(
                f"{WHAT}.stratified",
                "min_cell",
                f"a group had fewer than {rules.min_cell} registered persons or no estimate: no estimates by group",
            )
        ]
    return {
        "by": [str(b) for b in strat.get("by") or []],
        "total": round_estimate(strat.get("total"), rules),
        "ci": _interval(strat.get("ci"), rules),
        "strata": [
            {
                "key": {str(k): str(v) for k, v in as_mapping(x.get("key")).items()},
                "n_observed": n,
                "estimate": round_estimate(x.get("estimate"), rules),
                "ci": _interval(x.get("ci"), rules),
            }
            for x, n in zip(strata, released, strict=True)
        ],
        "n_failed": len(failed) if isinstance(failed, list) else int(strat.get("n_failed") or 0),
    }, []


def _failed(section: Mapping[str, Any]) -> dict[str, Any]:
    message = _text(section.get("message"))
    return {"status": "failed", "message": message, "controlled": True}


def control_hidden(section: Any, rules: DisclosureRules) -> tuple[dict[str, Any] | None, list[Suppression]]:
    """Release the hidden-population estimate under the rules in the module docstring.

    Parameters
    ----------
    section : mapping or None
        results.json's ``hidden_population`` (:meth:`revict.hidden.MSEResult.to_dict`,
        with ``status`` ``"estimated"`` or ``"failed"`` as ``revict run`` writes it).
    rules : DisclosureRules
        Settings.

    Returns
    -------
    (dict or None, list of Suppression)
        The released section (``None`` when there is none) and what was withheld.
    """
    section = as_mapping(section)
    if not section:
        return None, []
    notes: list[Suppression] = []
    if any(k in section for k in _CELL_KEYS):
        notes.append(
            Suppression(
                f"{WHAT}.capture_history_cells",
                "never_published",
                "counts per combination of organisations are never published",
            )
        )
    if section.get("status") == "failed" or section.get("estimate") is None:
        return _failed(section), notes
    n_obs = _release_persons(section.get("n_observed"), rules)
    if isinstance(n_obs, str):
        notes.append(
            Suppression(
                f"{WHAT}.estimate",
                "min_cell",
                f"fewer than {rules.min_cell} persons registered: no estimate of the hidden population is shown",
            )
        )
        return {"status": "withheld", "n_observed": n_obs, "controlled": True}, notes
    zeros_small = rules.suppress_zeros
    if zeros_small and section.get("empty_overlaps"):
        notes.append(
            Suppression(
                f"{WHAT}.empty_overlaps",
                "min_cell",
                "which organisations share no registered person is not shown (zeros count as small numbers)",
            )
        )
    list_totals, more = _list_totals(section.get("list_totals"), rules)
    notes += more
    stratified, more = _stratified(section.get("stratified"), rules)
    notes += more
    model = as_mapping(section.get("model"))
    rule = as_mapping(section.get("rule"))
    estimate = round_estimate(section.get("estimate"), rules)
    sens = as_mapping(section.get("sensitivity"))
    lo, hi = round_estimate(sens.get("min_estimate"), rules), round_estimate(sens.get("max_estimate"), rules)
    boot = as_mapping(section.get("bootstrap"))
    warnings = [w for w in (_text(x) for x in section.get("warnings") or []) if w]
    if len(warnings) < len(section.get("warnings") or []):
        notes.append(Suppression(f"{WHAT}.warnings", "min_cell", "a note with a number in it was withheld"))
    out: dict[str, Any] = {
        "status": "estimated",
        "controlled": True,
        "rounding": _base(rules),
        "lists": [str(x) for x in section.get("lists") or []],
        "list_reporters": {
            str(k): [str(x) for x in v]
            for k, v in as_mapping(section.get("list_reporters")).items()
            if isinstance(v, list)
        },
        "list_totals": list_totals,
        "n_observed": n_obs,
        "estimate": estimate,
        "dark_figure": None if estimate is None else max(estimate - n_obs, 0),
        "ratio_to_observed": round(estimate / n_obs, 1) if estimate else None,
        "ci": _interval(section.get("ci"), rules),
        "model": {
            "model": str(model.get("model", "")),
            "terms": [str(x) for x in model.get("terms") or []],
            "status": str(model.get("status", "")),
        },
        "rule": {
            "name": str(rule.get("name", "")),
            "threshold": rule.get("threshold") if isinstance(rule.get("threshold"), float | int) else None,
        },
        "selections": {
            str(r): {"model": str(v.get("model", "")), "estimate": round_estimate(v.get("estimate"), rules)}
            for r, v in as_mapping(section.get("selections")).items()
            if isinstance(v, Mapping)
        },
        "sensitivity": {
            "min_estimate": lo,
            "max_estimate": hi,
            "ratio_max_min": round(hi / lo, 1) if lo and hi else None,
        },
        "candidates": [
            _candidate(c, rules, zeros_small) for c in section.get("candidates") or [] if isinstance(c, Mapping)
        ],
        "n_rejected_models": len(section.get("rejected_models") or []) or section.get("n_rejected_models", 0),
        "bootstrap": {
            "n_boot": boot.get("n_boot"),
            "method": str(boot.get("method", "")),
            "seed": boot.get("seed"),
        }
        if boot
        else None,
        "warnings": warnings,
    }
    if stratified is not None:
        out["stratified"] = stratified
    notes.append(
        Suppression(
            f"{WHAT}",
            "rounding",
            f"the hidden-population numbers are rounded to {_base(rules)}; fit statistics are not published",
        )
    )
    return out, notes
