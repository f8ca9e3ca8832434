"""Disclosure control of perpetrator-network aggregates: counts, distributions, shares.

Only aggregates enter: never an offender id, a pseudonym, an edge list or a drawing. The
largest component and the most victims of one offender are maxima and never published;
distributions are top-coded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from revict.disclosure.cells import Line, Suppression, as_count, control_table, dominance_check, top_code_distribution
from revict.disclosure.rules import DisclosureRules

#: maxima: dropped, with a note, wherever they appear in the aggregates
MAXIMA = ("largest_component", "max_victims", "max_victims_per_offender", "largest_component_size",
          "max_component_size", "max_degree")


def _distribution(obj: Any, key: str, count_key: str) -> list[tuple[int, Any]] | None:
    """``[(value, count)]`` from ``{value: count}``, ``[{key: v, count_key: c}]`` or ``[[v, c]]``."""
    if isinstance(obj, Mapping):
        if "labels" in obj and "counts" in obj:  # already released: not numeric classes
            return None
        pairs = [(as_count(k), v) for k, v in obj.items()]
    elif isinstance(obj, list):
        pairs = []
        for r in obj:
            if isinstance(r, Mapping):
                pairs.append((as_count(r.get(key)), r.get(count_key, r.get("count"))))
            elif isinstance(r, list | tuple) and len(r) == 2:
                pairs.append((as_count(r[0]), r[1]))
    else:
        return None
    return [(v, c) for v, c in pairs if v is not None]


def _released_distribution(obj: Any) -> dict[str, list[Any]] | None:
    if isinstance(obj, Mapping) and "labels" in obj and "counts" in obj:
        return {"labels": [str(x) for x in obj["labels"]], "counts": list(obj["counts"])}
    return None


def _control_dist(agg: Mapping[str, Any], key: str, value_key: str, count_key: str, rules: DisclosureRules,
                  ) -> tuple[dict[str, list[Any]] | None, list[Suppression]]:
    raw = agg.get(key)
    again = _released_distribution(raw)
    if again is not None:
        return again, []
    dist = _distribution(raw, value_key, count_key)
    if not dist:
        return None, []
    classes, notes = top_code_distribution(dist, rules, f"network.{key}")
    return {"labels": [c[0] for c in classes], "counts": [c[1] for c in classes]}, notes


def _control_counts(agg: Mapping[str, Any], rules: DisclosureRules) -> tuple[dict[str, Any], list[Suppression]]:
    """Offenders by kind: serial only, returning only, both, not recurring, with their totals as lines."""
    if "serial_only" in agg:  # already released: each count on its own (markers stay markers)
        keys = ["serial_only", "returning_only", "serial_and_returning", "not_recurring",
                "n_recurring", "n_offenders", "n_serial", "n_returning"]
        vals, notes = control_table([agg.get(k) for k in keys], [], rules, [f"network.{k}" for k in keys])
        return dict(zip(keys, vals, strict=True)), notes
    rec, off = agg.get("n_recurring"), agg.get("n_offenders")
    ser, ret = agg.get("n_serial"), agg.get("n_returning")
    c = [as_count(x) for x in (rec, off, ser, ret)]
    if any(x is None for x in c):
        # already released (markers) or missing: release each on its own
        names = ["n_recurring", "n_offenders", "n_serial", "n_returning"]
        vals, notes = control_table([rec, off, ser, ret], [], rules, [f"network.{n}" for n in names])
        return dict(zip(names, vals, strict=True)), notes
    n_rec, n_off, n_ser, n_ret = (int(x) for x in c if x is not None)
    both = n_ser + n_ret - n_rec
    values = [n_ser - both, n_ret - both, both, n_off - n_rec, n_rec, n_off, n_ser, n_ret]
    names = ["serial_only", "returning_only", "serial_and_returning", "not_recurring",
             "n_recurring", "n_offenders", "n_serial", "n_returning"]
    lines = [Line((0, 1, 2), 4), Line((4, 3), 5), Line((0, 2), 6), Line((1, 2), 7)]
    released, notes = control_table(values, lines, rules, [f"network.{n}" for n in names])
    return dict(zip(names, released, strict=True)), notes


def _share(agg: Mapping[str, Any], rules: DisclosureRules) -> tuple[dict[str, Any] | None, list[Suppression]]:
    """Share of re-victimisations with an index perpetrator linked again, with its CI."""
    s = agg.get("returning_share")
    if not isinstance(s, Mapping):
        return None, []
    num, den = as_count(s.get("numerator", s.get("n_events"))), as_count(s.get("denominator", s.get("n")))
    if s.get("checked") is True:
        return dict(s), []
    if num is None or den is None or num < rules.min_cell or den - num < rules.min_cell:
        return None, [Suppression("network.returning_share", "min_cell",
                                  f"numerator or its complement fewer than {rules.min_cell}, or not known")]
    keep = {k: s.get(k) for k in ("estimate", "ci_lower", "ci_upper") if isinstance(s.get(k), int | float)}
    return {**keep, "checked": True}, []


def _mean_victims(agg: Mapping[str, Any], rules: DisclosureRules) -> tuple[float | None, list[Suppression]]:
    m = agg.get("mean_victims_per_offender")
    if not isinstance(m, int | float) or isinstance(m, bool):
        return None, []
    if agg.get("mean_checked") is True:
        return float(m), []
    contrib = agg.get("victims_contributors")
    info = contrib if isinstance(contrib, Mapping) else {}
    top = [as_count(info.get(k)) for k in ("top1", "top2")]
    total = as_count(info.get("total"))
    failed = dominance_check(total, [float(t) for t in top if t is not None] if None not in top else [],
                             rules, "network.mean_victims_per_offender")
    return (None, [failed]) if failed else (float(m), [])


def control_network(agg: Any, rules: DisclosureRules) -> tuple[dict[str, Any] | None, list[Suppression]]:
    """Control the network aggregates (from network_aggregates.json)."""
    if not isinstance(agg, Mapping):
        return None, [Suppression("network", "unverifiable", "no network aggregates available")]
    notes = [Suppression(f"network.{k}", "never_published", "a maximum describes one offender or one group")
             for k in MAXIMA if k in agg]
    counts, more = _control_counts(agg, rules)
    notes += more
    vpo, more = _control_dist(agg, "victims_per_offender", "victims", "n_offenders", rules)
    notes += more
    comp, more = _control_dist(agg, "component_sizes", "size", "n_components", rules)
    notes += more
    share, more = _share(agg, rules)
    notes += more
    mean, more = _mean_victims(agg, rules)
    notes += more
    out: dict[str, Any] = {**counts, "victims_per_offender": vpo, "component_sizes": comp, "returning_share": share,
                           "controlled": True}
    if mean is not None:
        out.update(mean_victims_per_offender=mean, mean_checked=True)
    return out, notes
