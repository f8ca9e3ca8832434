"""Disclosure control of the ``first_event`` section: curves, yearly estimates, models."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from revict.disclosure.cells import Line, Suppression, as_count, as_mapping, control_table
from revict.disclosure.curves import control_curve, value_at
from revict.disclosure.rules import DisclosureRules

#: keys under which a results file may hold the whole-cohort curve
ALL_KEYS = ("all", "overall", "cohort", "_all", "total")
DAYS_PER_YEAR = 365.25
KM_VALUES = ("surv", "lower", "upper")
CIF_VALUES = ("cif", "lower", "upper")


def norm_grouping(name: str) -> str:
    """Map the whole-cohort grouping's synonyms to ``all``."""
    return "all" if name in ALL_KEYS else name


def iter_groups(section: Any) -> list[tuple[str, str, Any]]:
    """Return ``(grouping, level, value)`` for ``section[grouping][level]``; the whole cohort as ``all/all``."""
    out: list[tuple[str, str, Any]] = []
    if not isinstance(section, Mapping):
        return out
    for g, levels in section.items():
        grouping = norm_grouping(str(g))
        if not isinstance(levels, Mapping):
            continue
        # the whole cohort may be stored directly (section["all"] = curve) or as a level
        if grouping == "all" and ("time" in levels or "1" in levels or 1 in levels or "km" in levels):
            out.append(("all", "all", levels))
            continue
        for lv, value in levels.items():
            out.append((grouping, "all" if grouping == "all" else str(lv), value))
    return out


def group_sizes(km: Any) -> dict[tuple[str, str], tuple[int, int]]:
    """Return ``(grouping, level) -> (persons, events)`` from unreleased KM tables (for checks only)."""
    sizes = {}
    for g, lv, curve in iter_groups(km):
        if not isinstance(curve, Mapping) or curve.get("controlled"):
            continue
        n_risk = [as_count(v) or 0 for v in curve.get("n_risk") or []]
        n_event = [as_count(v) or 0 for v in curve.get("n_event") or []]
        if n_risk:
            sizes[(g, lv)] = (max(n_risk), sum(n_event))
    return sizes


def control_km(km: Any, rules: DisclosureRules) -> tuple[dict[str, dict[str, Any]], list[Suppression]]:
    """Cut and pool every Kaplan–Meier curve."""
    out: dict[str, dict[str, Any]] = {}
    notes: list[Suppression] = []
    for g, lv, curve in iter_groups(km):
        released, more = control_curve(curve, rules, values=KM_VALUES, what=f"first_event.km[{g}={lv}]")
        notes += more
        if released is not None:
            out.setdefault(g, {})[lv] = released
    return out, notes


def control_competing(cr: Any, rules: DisclosureRules) -> tuple[dict[str, dict[str, Any]], list[Suppression]]:
    """Cut and pool each cause's cumulative incidence curve (outcome and death) separately."""
    out: dict[str, dict[str, Any]] = {}
    notes: list[Suppression] = []
    for g, lv, entry in iter_groups(cr):
        if not isinstance(entry, Mapping):
            continue
        causes: dict[str, Any] = {}
        for cause in ("outcome", "death"):
            sub = entry.get(cause)
            if not isinstance(sub, Mapping):
                continue
            curve = dict(sub)
            if not curve.get("controlled"):
                curve.setdefault("time", entry.get("time"))
                curve.setdefault("n_risk", entry.get("n_risk"))
            released, more = control_curve(
                curve, rules, values=CIF_VALUES, what=f"first_event.competing_risks[{g}={lv}].{cause}"
            )
            notes += more
            if released is not None:
                causes[cause] = released
        if causes:
            out.setdefault(g, {})[lv] = causes
    return out, notes


def _num(x: Any) -> float | None:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _years(entry: Mapping[str, Any]) -> list[str]:
    return sorted((str(y) for y in entry if _num(y) is not None), key=lambda y: float(y))


def yearly_entry(entry: Any) -> dict[str, Any] | None:
    """``{year: {estimate, ci_lower, ci_upper, at_risk[, time_days]}}`` from a dict or a list of rows."""
    if isinstance(entry, list):
        return {str(r["year"]): r for r in entry if isinstance(r, Mapping) and _num(r.get("year")) is not None}
    return dict(entry) if isinstance(entry, Mapping) else None


def control_yearly(
    ci: Any, km_released: Mapping[str, Mapping[str, Any]], rules: DisclosureRules
) -> tuple[dict[str, dict[str, Any]], list[Suppression]]:
    """Yearly cumulative incidence read off the released KM curves; numbers at risk suppressed.

    Within a grouping, the numbers at risk of the levels add up to the whole cohort's
    number at risk in the same year, so each year is a line for secondary suppression.
    """
    notes: list[Suppression] = []
    out: dict[str, dict[str, Any]] = {}
    by_grouping: dict[str, list[tuple[str, Mapping[str, Any]]]] = {}
    for g, lv, raw in iter_groups(ci):
        entry = yearly_entry(raw)
        if entry is not None and entry:
            by_grouping.setdefault(g, []).append((lv, entry))
    total_by_year: dict[str, Any] = {}
    for g in sorted(by_grouping, key=lambda name: name != "all"):  # the whole cohort first
        levels = by_grouping[g]
        years = sorted({y for _, e in levels for y in _years(e)}, key=float)
        values: list[Any] = []
        names: list[str] = []
        for lv, e in levels:
            for y in years:
                cell = e.get(y)
                values.append(cell.get("at_risk") if isinstance(cell, Mapping) else None)
                names.append(f"first_event.at_risk[{g}={lv}, year {y}]")
        k = len(levels) * len(years)
        lines: list[Line] = []
        if g != "all":
            values += [total_by_year.get(y) for y in years]
            names += [f"first_event.at_risk[all, year {y}]" for y in years]
            lines = [Line(tuple(i * len(years) + j for i in range(len(levels))), k + j) for j in range(len(years))]
        released, more = control_table(values, lines, rules, names)
        notes += [s for s in more if not s.what.startswith("first_event.at_risk[all")]
        for i, (lv, lv_entry) in enumerate(levels):
            curve = km_released.get(g, {}).get(lv)
            row: dict[str, Any] = {}
            if g == "all":
                total_by_year = {y: released[i * len(years) + j] for j, y in enumerate(years)}
            for j, y in enumerate(years):
                cell = as_mapping(lv_entry.get(y))
                t = _num(cell.get("time_days")) or float(y) * DAYS_PER_YEAR
                est = value_at(curve, t, "surv", 1.0)
                lo = value_at(curve, t, "upper", 1.0)
                hi = value_at(curve, t, "lower", 1.0)
                row[y] = {
                    "time_days": t,
                    "estimate": None if est is None else 1 - est,
                    "ci_lower": None if lo is None else 1 - lo,
                    "ci_upper": None if hi is None else 1 - hi,
                    "at_risk": released[i * len(years) + j],
                }
            out.setdefault(g, {})[lv] = row
    return out, notes


def _term_group(term: str) -> tuple[str, str] | None:
    if "=" not in term:
        return None
    cov, level = term.split("=", 1)
    return cov.strip(), level.strip()


def control_terms(
    terms: Any, sizes: Mapping[tuple[str, str], tuple[int, int]], rules: DisclosureRules, what: str
) -> tuple[list[dict[str, Any]], list[Suppression]]:
    """Keep a hazard ratio only when its level has at least ``min_cell`` persons and events."""
    out: list[dict[str, Any]] = []
    notes: list[Suppression] = []
    for t in terms if isinstance(terms, list) else []:
        if not isinstance(t, Mapping) or not isinstance(t.get("term"), str):
            continue
        name = t["term"]
        if t.get("checked") is True:
            out.append(dict(t))
            continue
        grp = _term_group(name)
        size = sizes.get(grp) if grp else None
        if size is None:
            notes.append(Suppression(f"{what}[{name}]", "unverifiable", "the size of this group is not known"))
            continue
        if size[0] < rules.min_cell or size[1] < rules.min_cell:
            notes.append(
                Suppression(
                    f"{what}[{name}]", "min_cell", f"fewer than {rules.min_cell} persons or events in this group"
                )
            )
            continue
        out.append(
            {
                "term": name,
                **{k: _num(t.get(k)) for k in ("hr", "ci_lower", "ci_upper", "p", "log_hr", "se")},
                "checked": True,
            }
        )
    return out, notes


def control_ph_test(ph: Any) -> list[dict[str, Any]]:
    """Keep each term's (and the global) proportional-hazards test statistic, df and p."""
    rows = ph if isinstance(ph, list) else [{"term": k, **as_mapping(v)} for k, v in as_mapping(ph).items()]
    return [
        {"term": str(r.get("term")), **{k: _num(r.get(k)) for k in ("chisq", "df", "p")}}
        for r in rows
        if isinstance(r, Mapping) and r.get("term") is not None
    ]


def control_logrank(logrank: Any) -> dict[str, Any]:
    """Keep only each test's statistic, degrees of freedom and p (no per-group observed/expected counts)."""
    out: dict[str, Any] = {}
    for cov, res in as_mapping(logrank).items():
        m = as_mapping(res)
        if m:
            out[str(cov)] = {k: _num(m.get(k)) for k in ("chisq", "df", "p")}
    return out


def control_first_event(
    section: Any, rules: DisclosureRules
) -> tuple[dict[str, Any] | None, list[Suppression], dict[tuple[str, str], tuple[int, int]]]:
    """Control the ``first_event`` section; also return the group sizes used for model terms."""
    if not isinstance(section, Mapping):
        return None, [Suppression("first_event", "unverifiable", "no first_event section in the results")], {}
    sizes = group_sizes(section.get("km"))
    km, notes = control_km(section.get("km"), rules)
    ci, more = control_yearly(section.get("cumulative_incidence"), km, rules)
    notes += more
    cr, more = control_competing(section.get("competing_risks"), rules)
    notes += more
    cox = as_mapping(section.get("cox"))
    terms, more = control_terms(cox.get("terms"), sizes, rules, "first_event.cox")
    notes += more
    out = {
        "km": km,
        "cumulative_incidence": ci,
        "competing_risks": cr,
        "cox": {
            "terms": terms,
            "concordance": _num(cox.get("concordance")),
            "concordance_se": _num(cox.get("concordance_se")),
            "reference_levels": {str(k): str(v) for k, v in (cox.get("reference_levels") or {}).items()},
            "ph_test": control_ph_test(cox.get("ph_test")),
        },
        "logrank": control_logrank(section.get("logrank")),
    }
    return out, notes, sizes
