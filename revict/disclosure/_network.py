"""Disclosure control of perpetrator-network aggregates: counts, distributions, shares.

Input is the network stage's ``network_aggregates.json`` (``revict.networks.released_aggregates``):
only aggregates, never an offender id, a pseudonym, an edge list or a drawing. The rules are
applied again here: kinds of recurring perpetrators add up to the recurring count, which with
the non-recurring adds up to all offenders (secondary suppression on those lines);
distributions are top-coded (the tail merged until it holds ``min_cell``); maxima such as
the largest component are never published; a share is shown only when its numerator and
complement are both at least ``min_cell``; a mean over offenders passes dominance and p-ratio;
the quartiles of the time to a returning perpetrator's next event need ``min_cell`` pairs and
are given in whole months.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from revict.disclosure.cells import (
    Line,
    Suppression,
    as_count,
    as_mapping,
    control_table,
    dominance_check,
    is_suppressed,
    release_count,
)
from revict.disclosure.rules import DisclosureRules

#: maxima: dropped, with a note, wherever they appear in the aggregates
MAXIMA = (
    "largest_component",
    "max_victims",
    "max_victims_per_offender",
    "largest_component_size",
    "max_component_size",
    "max_degree",
)
KINDS = ("serial", "returning", "both", "repeat")


def _get(obj: Any, *path: str) -> Any:
    for p in path:
        if not isinstance(obj, Mapping):
            return None
        obj = obj.get(p)
    return obj


def _lower_bound(label: str) -> int:
    m = re.search(r"\d+", label)
    return int(m.group()) if m else 0


def control_distribution(
    dist: Any, rules: DisclosureRules, what: str
) -> tuple[dict[str, Any] | None, list[Suppression]]:
    """Top-code and suppress a binned distribution ``{label: count}`` (``None`` = already suppressed)."""
    if isinstance(dist, Mapping) and "labels" in dist and "counts" in dist:
        pairs = list(zip([str(x) for x in dist["labels"]], dist["counts"], strict=False))
    elif isinstance(dist, Mapping):
        pairs = sorted(((str(k), v) for k, v in dist.items()), key=lambda kv: _lower_bound(kv[0]))
    else:
        return None, []
    notes: list[Suppression] = []
    counts = [as_count(v) if not is_suppressed(v) else None for _, v in pairs]
    labels = [lb for lb, _ in pairs]
    if rules.top_code and counts:
        k, tail = len(counts), 0
        while k > 1 and counts[k - 1] is not None and tail < rules.min_cell:
            k -= 1
            tail += counts[k] or 0
        if k < len(counts) - 1 or (
            k == len(counts) - 1 and not labels[-1].startswith("≥") and not labels[-1].endswith("+")
        ):
            labels = [*labels[:k], f"≥ {_lower_bound(labels[k])}"]
            counts = [*counts[:k], tail]
            notes.append(
                Suppression(
                    f"{what} (top classes)",
                    "top_code",
                    "the highest classes merged into one; the maximum is never published",
                )
            )
    total = sum(c for c in counts if c is not None) if all(c is not None for c in counts) else None
    vals: list[Any] = [*counts, total]
    released, more = control_table(
        vals,
        [Line(tuple(range(len(counts))), len(counts))],
        rules,
        [f"{what}[{lb}]" for lb in labels] + [f"{what}[total]"],
    )
    return {"labels": labels, "counts": released[:-1]}, notes + more


def _control_counts(agg: Mapping[str, Any], rules: DisclosureRules) -> tuple[dict[str, Any], list[Suppression]]:
    """Kinds of recurring perpetrators, recurring, not recurring and all offenders, as additive lines."""
    if agg.get("controlled") is True:
        off, rec, notrec = agg.get("offenders"), agg.get("recurring"), agg.get("not_recurring")
        kinds = dict(agg.get("by_kind") or {})
    else:
        off = agg.get("offenders", agg.get("n_offenders"))
        rec = _get(agg, "recurring", "n") if isinstance(agg.get("recurring"), Mapping) else agg.get("n_recurring")
        kinds = dict(_get(agg, "recurring", "by_kind") or {})
        o, r = as_count(off), as_count(rec)
        notrec = o - r if o is not None and r is not None else None
    values: list[Any] = [kinds.get(k) for k in KINDS] + [rec, notrec, off]
    names = [f"network.recurring.{k}" for k in KINDS] + [
        "network.recurring",
        "network.not_recurring",
        "network.offenders",
    ]
    lines = [Line((0, 1, 2, 3), 4), Line((4, 5), 6)]
    released, notes = control_table(values, lines, rules, names, protect={6})
    out = {
        "by_kind": dict(zip(KINDS, released[:4], strict=True)),
        "recurring": released[4],
        "not_recurring": released[5],
        "offenders": released[6],
    }
    return out, notes


def _share(agg: Mapping[str, Any], rules: DisclosureRules) -> tuple[dict[str, Any] | None, list[Suppression]]:
    """Share of re-victimisations in which a perpetrator of the index registration is linked again."""
    s = agg.get("index_perpetrator") if agg.get("controlled") else agg.get("revictimisation_index_perpetrator")
    if not isinstance(s, Mapping):
        return None, []
    num, den = as_count(s.get("n_with_index_perpetrator")), as_count(s.get("n_revictimisations"))
    share = s.get("share")
    if (
        num is None
        or den is None
        or not isinstance(share, int | float)
        or num < rules.min_cell
        or den - num < rules.min_cell
    ):
        return None, [
            Suppression(
                "network.index_perpetrator",
                "min_cell",
                f"numerator or its complement fewer than {rules.min_cell}, or not known",
            )
        ]
    return {
        "n_revictimisations": release_count(den, rules),
        "n_with_index_perpetrator": release_count(num, rules),
        "share": float(share),
        "lower": s.get("lower"),
        "upper": s.get("upper"),
    }, []


def _mean_victims(agg: Mapping[str, Any], rules: DisclosureRules) -> tuple[float | None, list[Suppression]]:
    m = agg.get("mean_victims_per_offender")
    if not isinstance(m, int | float) or isinstance(m, bool):
        return None, []
    if agg.get("controlled") is True:
        return float(m), []
    info = as_mapping(agg.get("victims_contributors"))
    top = [as_count(info.get(k)) for k in ("top1", "top2")]
    failed = dominance_check(
        as_count(info.get("total")),
        [float(t) for t in top if t is not None] if None not in top else [],
        rules,
        "network.mean_victims_per_offender",
    )
    return (None, [failed]) if failed else (float(m), [])


DAYS_PER_MONTH = 30.4375


def _time_to_return(agg: Mapping[str, Any], rules: DisclosureRules) -> tuple[dict[str, Any] | None, list[Suppression]]:
    """Quartiles of the time from registration to a returning perpetrator's next event, in whole months.

    Released only over at least ``min_cell`` victim-perpetrator pairs, and coarsened to months so that
    no quartile gives one pair's time in days.
    """
    done = agg.get("time_to_return") if agg.get("controlled") is True else None
    if isinstance(done, Mapping):  # released before: months already; the pair count is checked again
        n0 = as_count(done.get("n_pairs"))
        if n0 is not None and n0 >= rules.min_cell:
            return dict(done), []
        return None, [Suppression("network.time_to_return", "min_cell", f"fewer than {rules.min_cell} returning pairs")]
    ttr = agg.get("time_to_returning_event_days")
    if not isinstance(ttr, Mapping):
        return None, []
    n = as_count(ttr.get("n_pairs"))
    qs = [q for q in (ttr.get(k) for k in ("q25", "median", "q75")) if isinstance(q, int | float)]
    if n is None or n < rules.min_cell or len(qs) != 3:
        if n == 0:
            return None, []
        return None, [Suppression("network.time_to_return", "min_cell", f"fewer than {rules.min_cell} returning pairs")]
    q25, med, q75 = (round(float(q) / DAYS_PER_MONTH) for q in qs)
    return {
        "n_pairs": release_count(n, rules),
        "lower_quartile_months": q25,
        "median_months": med,
        "upper_quartile_months": q75,
    }, []


def _yearly(rows: Any, rules: DisclosureRules) -> tuple[list[dict[str, Any]], list[Suppression]]:
    out, notes = [], []
    for r in rows if isinstance(rows, list) else []:
        if not isinstance(r, Mapping) or as_count(r.get("year")) is None:
            continue
        row: dict[str, Any] = {"year": as_count(r.get("year"))}
        for k in ("offenders", "victims", "recurring"):
            row[k] = release_count(r.get(k), rules)
            if row[k] == rules.suppressed_label and as_count(r.get(k)) is not None:
                notes.append(
                    Suppression(f"network.yearly[{row['year']}].{k}", "min_cell", f"fewer than {rules.min_cell}")
                )
        out.append(row)
    return out, notes


def control_network(agg: Any, rules: DisclosureRules) -> tuple[dict[str, Any] | None, list[Suppression]]:
    """Control the network aggregates (from network_aggregates.json)."""
    if not isinstance(agg, Mapping):
        return None, [Suppression("network", "unverifiable", "no network aggregates available")]
    comps = as_mapping(agg.get("components"))
    notes = [
        Suppression(f"network.{k}", "never_published", "a maximum describes one offender or one group")
        for k in MAXIMA
        if k in agg or k in comps
    ]
    counts, more = _control_counts(agg, rules)
    notes += more
    again = agg.get("controlled") is True
    vpo, more = control_distribution(agg.get("victims_per_offender"), rules, "network.victims_per_offender")
    notes += more
    comp_dist = agg.get("component_sizes") if again else _get(agg, "components", "size_distribution")
    comp, more = control_distribution(
        comp_dist if comp_dist is not None else agg.get("component_sizes"), rules, "network.component_sizes"
    )
    notes += more
    share, more = _share(agg, rules)
    notes += more
    mean, more = _mean_victims(agg, rules)
    notes += more
    yearly, more = _yearly(agg.get("yearly"), rules)
    notes += more
    ttr, more = _time_to_return(agg, rules)
    notes += more
    n_comp = agg.get("components") if again else _get(agg, "components", "n")
    out: dict[str, Any] = {
        **counts,
        "victims_per_offender": vpo,
        "component_sizes": comp,
        "components": release_count(n_comp, rules) if n_comp is not None else None,
        "index_perpetrator": share,
        "time_to_return": ttr,
        "yearly": yearly,
        "controlled": True,
        "victims": release_count(agg.get("victims"), rules) if agg.get("victims") is not None else None,
    }
    rec, notrec = as_count(out["recurring"]), as_count(out["not_recurring"])
    if rec is not None and notrec is not None:
        out["recurring_share"] = rec / (rec + notrec)
    if mean is not None:
        out["mean_victims_per_offender"] = mean
    return out, notes
