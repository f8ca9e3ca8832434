"""Disclosure control of step curves (Kaplan–Meier, cumulative incidence, MCF).

A released curve is cut where fewer than ``min_at_risk`` are at risk, and its steps
are pooled so that every shown step holds at least ``min_events_per_step`` events:
consecutive steps are merged, and a trailing remainder is merged into the last shown
step. The values shown at a step are the estimator's own values at the end of the
pooled interval, so the curve is exact at every shown time and flat in between.
Per-step numbers at risk and censoring counts are not released (their differences
would give small counts); numbers at risk are released at whole years instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from revict.disclosure.cells import Suppression, as_count, round_count
from revict.disclosure.rules import DisclosureRules

Curve = dict[str, Any]


def _floats(seq: Any) -> list[float | None]:
    out: list[float | None] = []
    for v in seq:
        try:
            out.append(None if v is None else float(v))
        except (TypeError, ValueError):
            out.append(None)
    return out


def mcf_events(curve: Mapping[str, Any]) -> list[int] | None:
    """Events per step of a Nelson–Aalen type MCF: ``d_i = (mcf_i - mcf_{i-1}) * n_risk_i``."""
    mcf = _floats(curve.get("mcf") or [])
    n_risk = [as_count(v) for v in curve.get("n_risk") or []]
    if not mcf or len(mcf) != len(n_risk) or any(v is None for v in mcf) or any(n is None for n in n_risk):
        return None
    out, prev = [], 0.0
    for m, n in zip(mcf, n_risk, strict=True):
        assert m is not None
        assert n is not None
        out.append(max(0, int(round((m - prev) * n))))
        prev = m
    return out


def _verify_released(curve: Mapping[str, Any], values: Sequence[str], rules: DisclosureRules) -> Curve | None:
    """Check a curve that already went through :func:`control_curve`; return a copy."""
    n_event = [as_count(v) for v in curve.get("n_event") or []]
    time = curve.get("time") or []
    if len(n_event) != len(time) or any(n is None or n < rules.events_threshold for n in n_event):
        return None
    out: Curve = {"time": list(time), "n_event": [round_count(n, rules) for n in n_event if n is not None]}
    for key in values:
        out[key] = list(curve.get(key) or [None] * len(time))
    out.update(controlled=True, shown_until=curve.get("shown_until"), is_cut=bool(curve.get("is_cut")))
    return out


def _pool(kept: int, n_event: Sequence[int], threshold: int) -> list[tuple[int, int]]:
    """Return the rows that end a pooled step, with the step's event count."""
    blocks: list[tuple[int, int]] = []
    acc, last_event_row = 0, -1
    for i in range(kept):
        if n_event[i] > 0:
            acc += n_event[i]
            last_event_row = i
        if acc >= threshold:
            blocks.append((i, acc))
            acc = 0
    if acc > 0 and blocks:  # merge the trailing remainder into the last shown step
        _, prev = blocks.pop()
        blocks.append((last_event_row, prev + acc))
    return blocks


def control_curve(
    curve: Mapping[str, Any] | None,
    rules: DisclosureRules,
    *,
    values: Sequence[str],
    what: str,
    events: Callable[[Mapping[str, Any]], list[int] | None] | None = None,
) -> tuple[Curve | None, list[Suppression]]:
    """Cut and pool one step curve.

    Parameters
    ----------
    curve : mapping or None
        Parallel lists: ``time``, ``n_risk``, ``n_event`` and the ``values`` columns
        (e.g. ``surv``, ``lower``, ``upper``), as R's ``summary(survfit(...))``.
    rules : DisclosureRules
        Settings.
    values : sequence of str
        Columns holding the curve and its confidence limits.
    what : str
        Label for the suppression list.
    events : callable, optional
        Derives events per row when the curve has no ``n_event`` (see :func:`mcf_events`).

    Returns
    -------
    curve : dict or None
        ``time``, ``n_event`` (pooled, rounded), the value columns, ``shown_until`` (time up
        to which the curve is shown), ``is_cut`` and ``controlled=True``; ``None`` when
        nothing may be shown.
    suppressions : list of Suppression
    """
    if not isinstance(curve, Mapping):
        return None, [Suppression(what, "unverifiable", "not available in the results")]
    if curve.get("controlled"):
        again = _verify_released(curve, values, rules)
        return again, ([] if again else [Suppression(what, "unverifiable", "released curve fails its own checks")])
    time = _floats(curve.get("time") or [])
    n_risk = [as_count(v) for v in curve.get("n_risk") or []]
    raw_events = curve.get("n_event")
    n_event = [as_count(v) for v in raw_events] if raw_events is not None else (events(curve) if events else None)
    if not time or n_event is None or not (len(time) == len(n_risk) == len(n_event)) or None in time:
        return None, [Suppression(what, "unverifiable", "numbers at risk or events per step are missing")]
    thr = rules.at_risk_threshold
    kept = 0
    while kept < len(time) and (n_risk[kept] or 0) >= thr:
        kept += 1
    ev = [int(n or 0) for n in n_event]
    blocks = _pool(kept, ev, rules.events_threshold)
    notes: list[Suppression] = []
    if not blocks:
        return None, [
            Suppression(
                what,
                "min_cell",
                f"fewer than {rules.events_threshold} events while at least {thr} were at risk; the curve is not shown",
            )
        ]
    is_cut = kept < len(time)
    if is_cut:
        notes.append(Suppression(what, "curve_cut", f"cut where fewer than {thr} are at risk"))
    n_steps = sum(1 for i in range(kept) if ev[i] > 0)
    if n_steps > len(blocks):
        notes.append(
            Suppression(
                what,
                "pooled",
                f"{n_steps} steps pooled into {len(blocks)} so that each "
                f"shows at least {rules.events_threshold} events",
            )
        )
    out: Curve = {"time": [time[b[0]] for b in blocks], "n_event": [round_count(n, rules) for _, n in blocks]}
    for key in values:
        col = _floats(curve.get(key) or [None] * len(time))
        out[key] = [col[i] for i, _ in blocks]
    out.update(controlled=True, shown_until=time[kept - 1], is_cut=is_cut)
    return out, notes


def value_at(curve: Mapping[str, Any] | None, t: float, key: str, initial: float | None) -> float | None:
    """Read the released curve's value at time ``t`` (step function); ``None`` beyond what is shown."""
    if not curve:
        return None
    times = curve.get("time") or []
    until = curve.get("shown_until")
    if until is None or t > float(until):
        return None
    val = initial
    for ti, v in zip(times, curve.get(key) or [], strict=False):
        if ti is None or float(ti) > t:
            break
        val = v
    return val
