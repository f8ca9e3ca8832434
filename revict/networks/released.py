"""Disclosure-safe aggregates of a network result, for the policy report.

No identifier, no date of an individual and no maximum leaves this module: only counts
(suppressed to ``None`` under ``min_cell``, with the key listed in ``suppressed``),
binned distributions and shares whose numerator, denominator and complement are each at
least ``min_cell``. ``revict.disclosure`` applies the general rules again; this output
must already be safe on its own.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from revict.networks.measures import KINDS, NetworkResult, json_safe

#: Bins of victims per offender (lower bounds; last is open).
VICTIM_BINS: tuple[int, ...] = (1, 2, 3, 5, 10)
#: Bins of component size in nodes (lower bounds; last is open). A component has >= 2 nodes.
COMPONENT_BINS: tuple[int, ...] = (2, 3, 5, 10, 50)
RELEASE_NOTE = (
    "Aggregates of the offender-victim network; counts under min_cell are suppressed (null) and "
    "listed in `suppressed`; shares are shown only when numerator, complement and denominator are "
    "all >= min_cell; no identifiers, dates of individuals or maxima."
)


def _bin_labels(bounds: tuple[int, ...]) -> list[str]:
    labels = [str(lo) if hi - lo == 1 else f"{lo}-{hi - 1}" for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)]
    return [*labels, f"{bounds[-1]}+"]


def _binned(values: np.ndarray, weights: np.ndarray, bounds: tuple[int, ...]) -> dict[str, int]:
    idx = np.searchsorted(np.asarray(bounds), values, side="right") - 1
    out = dict.fromkeys(_bin_labels(bounds), 0)
    labels = list(out)
    for i, w in zip(idx, weights, strict=True):
        if i >= 0:
            out[labels[int(i)]] += int(w)
    return out


class _Suppressor:
    def __init__(self, min_cell: int) -> None:
        self.min_cell = min_cell
        self.suppressed: list[str] = []

    def count(self, key: str, n: int | None) -> int | None:
        if n is None:
            return None
        if 0 < n < self.min_cell:
            self.suppressed.append(key)
            return None
        return int(n)

    def share(self, key: str, x: int | None, n: int | None) -> float | None:
        if x is None or not n:
            return None
        if min(x, n - x, n) < self.min_cell:
            self.suppressed.append(key)
            return None
        return round(x / n, 3)

    def table(self, key: str, counts: dict[str, int]) -> dict[str, int | None]:
        """Suppress small cells; if exactly one is suppressed, also the smallest other positive cell.

        The second suppression stops the single small cell being derived from the table's total.
        """
        out = {label: self.count(f"{key}.{label}", n) for label, n in counts.items()}
        hidden = [label for label, v in out.items() if v is None]
        others = [label for label, v in out.items() if v]
        if len(hidden) == 1 and others:
            label = min(others, key=lambda lb: (counts[lb], lb))
            out[label] = None
            self.suppressed.append(f"{key}.{label}")
        return out


def _quantiles(s: _Suppressor, ttr: dict[str, Any]) -> dict[str, Any]:
    n = ttr["n_pairs"]
    if n < s.min_cell:
        if n > 0:
            s.suppressed.append("time_to_returning_event_days")
        return {"n_pairs": s.count("time_to_returning_event_days.n_pairs", n), "q25": None, "median": None, "q75": None}
    return {"n_pairs": n, "q25": round(ttr["q25"]), "median": round(ttr["median"]), "q75": round(ttr["q75"])}


def _yearly(s: _Suppressor, snaps: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for r in snaps.to_dict("records"):
        y = int(r["year"])
        rows.append(
            {
                "year": y,
                "offenders": s.count(f"yearly.{y}.offenders", int(r["offenders"])),
                "victims": s.count(f"yearly.{y}.victims", int(r["victims"])),
                "recurring": s.count(f"yearly.{y}.recurring", int(r["recurring"])),
            }
        )
    return rows


def released_aggregates(result: NetworkResult, min_cell: int = 10) -> dict[str, Any]:
    """Disclosure-safe aggregates of ``result`` (no ids; small counts suppressed).

    Parameters
    ----------
    result : NetworkResult
        From :func:`revict.networks.network_measures`.
    min_cell : int, default 10
        Smallest count that may be published; smaller positive counts become None.

    Returns
    -------
    dict
        JSON-safe: ``offenders``, ``victims``, ``recurring`` (count, share, by kind),
        ``victims_per_offender`` (counts per bin), ``revictimisation_index_perpetrator``
        (counts, share with Wilson CI), ``time_to_returning_event_days`` (quartiles),
        ``components`` (count and size bins; the largest is not published),
        ``yearly`` and ``suppressed`` (keys that were suppressed).
    """
    s = _Suppressor(min_cell)
    n_off = result.counts["n_offenders"]
    kinds = result.by_kind()
    rv = result.revictimisation
    vpo = result.victims_per_offender
    comp = result.component_sizes
    share_rv = s.share(
        "revictimisation_index_perpetrator.share", rv["n_with_index_perpetrator"], rv["n_revictimisations"]
    )
    out = {
        "release_note": RELEASE_NOTE,
        "scope": result.scope,
        "min_cell": min_cell,
        "offenders": s.count("offenders", n_off),
        "victims": s.count("victims", result.counts["n_victims"]),
        "recurring": {
            "n": s.count("recurring.n", result.n_recurring),
            "share": s.share("recurring.share", result.n_recurring, n_off),
            "by_kind": s.table("recurring.by_kind", {k: kinds[k] for k in KINDS}),
            "links_to_unlinked_victims_not_counted": s.count(
                "recurring.links_to_unlinked_victims_not_counted", result.links["n_links_unlinked_victim"]
            ),
        },
        "victims_per_offender": s.table(
            "victims_per_offender",
            _binned(vpo["victims"].to_numpy(np.int64), vpo["n_offenders"].to_numpy(np.int64), VICTIM_BINS),
        ),
        "revictimisation_index_perpetrator": {
            "n_revictimisations": s.count("revictimisation_index_perpetrator.n", rv["n_revictimisations"]),
            "n_with_index_perpetrator": s.count(
                "revictimisation_index_perpetrator.n_with_index_perpetrator", rv["n_with_index_perpetrator"]
            ),
            "share": share_rv,
            "lower": round(rv["lower"], 3) if share_rv is not None else None,
            "upper": round(rv["upper"], 3) if share_rv is not None else None,
            "ci_method": "wilson",
        },
        "time_to_returning_event_days": _quantiles(s, result.time_to_return),
        "components": {
            "n": s.count("components.n", result.components.get("n")),
            "size_distribution": s.table(
                "components.size",
                _binned(comp["size"].to_numpy(np.int64), comp["n_components"].to_numpy(np.int64), COMPONENT_BINS),
            ),
        },
        "yearly": _yearly(s, result.snapshots),
    }
    out["suppressed"] = sorted(set(s.suppressed))
    out["has_suppressed"] = bool(s.suppressed)
    return dict(json_safe(out))
