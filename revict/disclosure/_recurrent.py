"""Disclosure control of the ``recurrent`` section: MCF curves, offence categories over time, models."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from revict.disclosure._survival import control_terms, iter_groups
from revict.disclosure.cells import Suppression, as_count, as_mapping, dominance_check, is_small, release_count
from revict.disclosure.curves import control_curve, mcf_events
from revict.disclosure.rules import DisclosureRules

MCF_VALUES = ("mcf", "lower", "upper")


def _contributors(info: Any, grouping: str, level: str) -> Mapping[str, Any] | None:
    """Contributor counts for one curve: per group when given, else the whole cohort's."""
    if not isinstance(info, Mapping):
        return None
    if "top1" in info or "total_events" in info:
        return info
    per = info.get(grouping)
    if isinstance(per, Mapping):
        lv = per.get(level)
        if isinstance(lv, Mapping):
            return lv
    return None


def _dominance(
    curve: Mapping[str, Any], info: Mapping[str, Any] | None, rules: DisclosureRules, what: str
) -> Suppression | None:
    """Dominance and p-ratio of an MCF curve's events, the top contributors assumed in this group."""
    if curve.get("controlled"):
        return None  # checked when it was released
    if info is None:
        return dominance_check(None, [], rules, what)
    ev = mcf_events(curve)
    group_total = float(sum(ev)) if ev else as_count(info.get("total_events"))
    overall = as_count(info.get("total_events"))
    total = min(group_total or 0, overall) if overall is not None else group_total
    top = [as_count(info.get(k)) for k in ("top1", "top2", "top3") if info.get(k) is not None]
    if any(t is None for t in top):
        return dominance_check(None, [], rules, what)
    return dominance_check(total, [float(t) for t in top if t is not None], rules, what)


def control_mcf(mcf: Any, contributors: Any, rules: DisclosureRules) -> tuple[dict[str, Any], list[Suppression]]:
    """Cut, pool and dominance-check every mean cumulative function curve."""
    out: dict[str, dict[str, Any]] = {}
    notes: list[Suppression] = []
    for g, lv, curve in iter_groups(mcf):
        what = f"recurrent.mcf[{g}={lv}]"
        if not isinstance(curve, Mapping):
            continue
        failed = _dominance(curve, _contributors(contributors, g, lv), rules, what)
        if failed is not None:
            notes.append(failed)
            continue
        released, more = control_curve(curve, rules, values=MCF_VALUES, what=what, events=mcf_events)
        notes += more
        if released is not None:
            out.setdefault(g, {})[lv] = released
    return out, notes


def control_offences(rows: Any, rules: DisclosureRules) -> tuple[list[dict[str, Any]], list[Suppression]]:
    """Offence categories of re-victimisations by year since index: counts of events and persons."""
    out: list[dict[str, Any]] = []
    notes: list[Suppression] = []
    for r in rows if isinstance(rows, list) else []:
        if not isinstance(r, Mapping):
            continue
        year, cat = r.get("year_since_index"), str(r.get("category", ""))
        n_ev, n_p = as_count(r.get("n_events")), as_count(r.get("n_persons"))
        small = n_ev is None or n_p is None or is_small(n_ev, rules) or is_small(n_p, rules)
        if small:
            if n_ev is not None or n_p is not None:
                notes.append(
                    Suppression(
                        f"recurrent.offence_by_year[year {year}, {cat}]",
                        "min_cell",
                        f"fewer than {rules.min_cell} events or persons",
                    )
                )
            out.append(
                {
                    "year_since_index": year,
                    "category": cat,
                    "n_events": rules.suppressed_label,
                    "n_persons": rules.suppressed_label,
                }
            )
        else:
            out.append(
                {
                    "year_since_index": year,
                    "category": cat,
                    "n_events": release_count(n_ev, rules),
                    "n_persons": release_count(n_p, rules),
                }
            )
    return out, notes


def control_recurrent(
    section: Any, rules: DisclosureRules, sizes: Mapping[tuple[str, str], tuple[int, int]]
) -> tuple[dict[str, Any] | None, list[Suppression]]:
    """Control the ``recurrent`` section of results.json."""
    if not isinstance(section, Mapping):
        return None, [Suppression("recurrent", "unverifiable", "no recurrent section in the results")]
    mcf, notes = control_mcf(section.get("mcf"), section.get("mcf_contributors"), rules)
    offences, more = control_offences(section.get("offence_by_year"), rules)
    notes += more
    ag = as_mapping(section.get("andersen_gill"))
    terms, more = control_terms(ag.get("terms"), sizes, rules, "recurrent.andersen_gill")
    notes += more
    return {"mcf": mcf, "offence_by_year": offences, "andersen_gill": {"terms": terms}}, notes
