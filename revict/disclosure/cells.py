"""Count-level disclosure control: primary and secondary suppression, rounding, top-coding.

A released count is an ``int`` of at least ``min_cell`` (rounded where the rules say)
or the string ``"<min_cell"``. Functions here are pure: they take plain numbers and
return new values plus :class:`Suppression` records.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from revict.disclosure.rules import DisclosureRules

Count = int | str


@dataclass(frozen=True)
class Suppression:
    """One thing disclosure control withheld or changed.

    Attributes
    ----------
    what : str
        Which released item, e.g. ``"cohort.descriptives[sex=M, labour]"`` (never a value).
    rule : str
        ``min_cell``, ``secondary``, ``curve_cut``, ``pooled``, ``dominance``, ``p_ratio``,
        ``top_code``, ``never_published``, ``unverifiable`` or ``identifier``.
    reason : str
        Plain-language reason.
    """

    what: str
    rule: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        """Return a JSON-safe dict."""
        return {"what": self.what, "rule": self.rule, "reason": self.reason}


SECONDARY = "x"


def as_mapping(value: Any) -> Mapping[str, Any]:
    """Return ``value`` when it is a mapping, else an empty one (results files may lack a section)."""
    return value if isinstance(value, Mapping) else {}


def is_suppressed(value: Any) -> bool:
    """Whether a released value is a suppression marker: ``"<10"`` (small) or ``"x"`` (secondary)."""
    return isinstance(value, str) and (value.startswith("<") or value == SECONDARY)


def as_count(value: Any) -> int | None:
    """Return ``value`` as a non-negative int, or ``None`` when it is missing or suppressed."""
    if value is None or isinstance(value, bool) or is_suppressed(value):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(f) or f < 0:
        return None
    return int(round(f))


def is_small(value: int, rules: DisclosureRules) -> bool:
    """Whether a count must be suppressed on its own (primary suppression)."""
    if value == 0:
        return rules.suppress_zeros
    return value < rules.min_cell


def round_count(value: int, rules: DisclosureRules) -> int:
    """Round a count to the rules' base, never below ``min_cell``.

    Examples
    --------
    >>> round_count(23, DisclosureRules(rounding=5))
    25
    >>> round_count(12, DisclosureRules(min_cell=12, rounding=5))
    15
    >>> round_count(23, DisclosureRules())
    23
    """
    base = rules.rounding
    if base is None:
        return value
    r = int(math.floor(value / base + 0.5)) * base
    floor = int(math.ceil(rules.min_cell / base)) * base
    return max(r, floor) if value >= rules.min_cell else r


def release_count(value: Any, rules: DisclosureRules) -> Count:
    """Release one stand-alone count: ``"<min_cell"`` when small or unknown, else (rounded) int."""
    n = as_count(value)
    if n is None or is_small(n, rules):
        return rules.suppressed_label
    return round_count(n, rules)


@dataclass(frozen=True)
class Line:
    """Cells that add up to a total: ``sum(values[cells]) == values[total]``.

    ``total`` is ``None`` when the line's total is not published anywhere.
    """

    cells: tuple[int, ...]
    total: int | None


def _pick_partner(
    values: Sequence[int | None], mask: list[bool], cells: Sequence[int], protect: Collection[int]
) -> int | None:
    """Return the smallest open, unprotected cell of a line (the cheapest secondary suppression)."""
    open_cells = [i for i in cells if not mask[i] and i not in protect]
    if not open_cells:
        return None
    return min(open_cells, key=lambda i: (values[i] if values[i] is not None else -1, i))


def _line_needs_more(
    values: Sequence[int | None], mask: list[bool], line: Line, min_cell: int, infer: bool = True
) -> bool:
    """Whether the suppressed cells of a line could be recovered (or narrowed) from the rest.

    With the total shown, the hidden cells together equal the total minus the shown cells,
    even when their own values are unknown (already suppressed upstream); that sum must
    not be small either.
    """
    if line.total is None:
        return False
    hidden = [i for i in line.cells if mask[i]]
    if mask[line.total]:
        # a hidden total is recoverable when every cell is shown
        return not hidden and bool(line.cells)
    if len(hidden) == 1:
        return True
    if len(hidden) >= 2:
        known = [values[i] for i in hidden]
        if all(v is not None for v in known):
            return sum(v for v in known if v is not None) < min_cell
        total = values[line.total]
        shown = [values[i] for i in line.cells if not mask[i]]
        if infer and total is not None and all(v is not None for v in shown):
            return total - sum(v for v in shown if v is not None) < min_cell
    return False


def secondary_suppress(
    values: Sequence[int | None],
    primary: Sequence[bool],
    lines: Sequence[Line],
    min_cell: int,
    protect: Collection[int] = (),
    infer: bool = True,
) -> list[bool]:
    """Extend a suppression mask until no suppressed cell can be recovered from published totals.

    Each line (cells plus their published total) ends with no suppressed cell, or with at
    least two whose sum is at least ``min_cell``, or with its total suppressed too (and
    then at least one of its cells). Cells already suppressed before (``None`` values) count
    as suppressed with an unknown value.

    Parameters
    ----------
    values : sequence of int or None
        All counts of the table (cells and totals); ``None`` where already suppressed.
    primary : sequence of bool
        Cells suppressed because they are small.
    lines : sequence of Line
        The additive structure of the table.
    min_cell : int
        Threshold.
    protect : collection of int
        Cells to keep shown where another choice exists (e.g. the cohort size).
    infer : bool
        Infer the sum of hidden cells of unknown value from the total (off for rounded input,
        where that sum is not exact).

    Returns
    -------
    list of bool
        Final mask (``True`` = suppressed).
    """
    mask = [bool(p) or values[i] is None for i, p in enumerate(primary)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            if not _line_needs_more(values, mask, line, min_cell, infer):
                continue
            partner = _pick_partner(values, mask, line.cells, protect)
            if partner is None and line.total is not None and not mask[line.total]:
                partner = line.total
            if partner is None:
                partner = _pick_partner(values, mask, line.cells, ())
            if partner is not None:
                mask[partner] = True
                changed = True
    return mask


def control_table(
    values: Sequence[Any],
    lines: Sequence[Line],
    rules: DisclosureRules,
    names: Sequence[str],
    protect: Collection[int] = (),
) -> tuple[list[Count], list[Suppression]]:
    """Primary + secondary suppression and rounding of one additive table.

    A small count is released as ``"<min_cell"``; a count hidden only so that a small one
    cannot be recovered (secondary suppression) as ``"x"`` -- it is not small.

    Parameters
    ----------
    values : sequence
        Counts (cells and totals, flat); already-suppressed markers are kept.
    lines : sequence of Line
        Which cells add up to which totals.
    rules : DisclosureRules
        Settings.
    names : sequence of str
        A label per value for the suppression list.
    protect : collection of int
        Cells to keep shown where another secondary suppression exists.

    Returns
    -------
    released : list of int or str
    suppressions : list of Suppression
    """
    counts = [as_count(v) for v in values]
    primary = [c is not None and is_small(c, rules) for c in counts]
    mask = secondary_suppress(counts, primary, lines, rules.min_cell, protect, infer=rules.rounding is None)
    out: list[Count] = []
    notes: list[Suppression] = []
    for i, c in enumerate(counts):
        if mask[i]:
            if c is None:  # already a marker: keep it
                out.append(values[i] if is_suppressed(values[i]) else rules.suppressed_label)
            else:
                out.append(rules.suppressed_label if primary[i] else SECONDARY)
            if c is not None:  # newly suppressed now (not already a marker)
                rule = "min_cell" if primary[i] else "secondary"
                why = (
                    f"fewer than {rules.min_cell}"
                    if primary[i]
                    else "would let a suppressed count be recovered from a published total"
                )
                notes.append(Suppression(names[i], rule, why))
        else:
            out.append(round_count(c, rules) if c is not None else rules.suppressed_label)
    return out, notes


def top_code_distribution(
    dist: Sequence[tuple[int, Any]], rules: DisclosureRules, what: str
) -> tuple[list[tuple[str, Count]], list[Suppression]]:
    """Collapse the upper tail of a ``(value, count)`` distribution; suppress small classes.

    The tail is merged from the top down until the merged class holds at least
    ``min_cell`` units and is labelled ``"≥ k"``; the maximum is never shown. Remaining
    small classes are suppressed, with secondary suppression against the published total.

    Returns
    -------
    classes : list of (label, count)
    suppressions : list of Suppression
    """
    items = sorted((int(v), as_count(c) or 0) for v, c in dist)
    notes: list[Suppression] = []
    labels: list[str] = []
    counts: list[int] = []
    if rules.top_code and items:
        tail = 0
        k = len(items)
        while k > 0 and tail < rules.min_cell:
            k -= 1
            tail += items[k][1]
        head = items[:k]
        labels = [str(v) for v, _ in head] + [f"≥ {items[k][0]}"]
        counts = [c for _, c in head] + [tail]
        if k < len(items) - 1:
            notes.append(
                Suppression(
                    f"{what} (top classes)",
                    "top_code",
                    f"values of {items[k][0]} and above merged into one class; the maximum is never published",
                )
            )
    else:
        labels = [str(v) for v, _ in items]
        counts = [c for _, c in items]
    total = sum(counts)
    vals: list[Any] = [*counts, total]
    line = Line(tuple(range(len(counts))), len(counts))
    released, more = control_table(vals, [line], rules, [f"{what}[{lb}]" for lb in labels] + [f"{what}[total]"])
    notes.extend(more)
    return list(zip(labels, released[:-1], strict=True)), notes


def dominance_check(total: float | None, top: Sequence[float], rules: DisclosureRules, what: str) -> Suppression | None:
    """Dominance (n, k) and p-ratio checks of a sum over persons; a :class:`Suppression` when it fails.

    Parameters
    ----------
    total : float or None
        Sum over all contributors (e.g. all events behind a mean).
    top : sequence of float
        The largest contributions, largest first (at least ``dominance_n`` when available).
    rules : DisclosureRules
        Settings.
    what : str
        Label for the suppression list.

    Examples
    --------
    >>> dominance_check(100, [60, 35], DisclosureRules(), "x").rule
    'dominance'
    >>> dominance_check(100, [50, 20], DisclosureRules(), "x") is None
    True
    """
    if total is None or total <= 0 or not top:
        return Suppression(
            what, "unverifiable", "the largest contributions are not known, so dominance cannot be checked"
        )
    top_sorted = sorted((float(t) for t in top), reverse=True)
    dom = sum(top_sorted[: rules.dominance_n])
    if dom >= rules.dominance_pct / 100 * total:
        return Suppression(
            what, "dominance", f"the {rules.dominance_n} largest contributors make up {rules.dominance_pct:g}% or more"
        )
    if len(top_sorted) >= 2:
        rest = total - top_sorted[0] - top_sorted[1]
        if rest < rules.p_ratio_pct / 100 * top_sorted[0]:
            return Suppression(
                what,
                "p_ratio",
                f"the second largest contributor could estimate the largest within {rules.p_ratio_pct:g}%",
            )
    return None
