"""Disclosure control of the cohort section: size, attrition (flow) and the descriptive table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from revict.disclosure.cells import Line, Suppression, control_table, release_count
from revict.disclosure.rules import DisclosureRules
from revict.disclosure.scan import find_identifiers

DEFAULT_BY = "exploitation_form"


def control_attrition(steps: Any, rules: DisclosureRules) -> tuple[list[dict[str, Any]], list[Suppression]]:
    """Control the attrition steps: ``n_remaining[i-1] = n_removed[i] + n_remaining[i]`` is a line.

    A step that removed nobody shows 0 (a structural zero).
    """
    if not isinstance(steps, list) or not steps:
        return [], []
    rows = [s for s in steps if isinstance(s, Mapping)]
    rules = rules.model_copy(update={"suppress_zeros": False})  # "0 removed" is structural, not about a person
    values: list[Any] = []
    names: list[str] = []
    for r in rows:
        label = str(r.get("step", "?"))
        values += [r.get("n_removed"), r.get("n_remaining")]
        names += [f"cohort.attrition[{label}].n_removed", f"cohort.attrition[{label}].n_remaining"]
    lines = [Line((2 * i, 2 * i + 1), 2 * (i - 1) + 1) for i in range(1, len(rows))]
    # the first step removes from a total that is not published: primary suppression only
    # keep the cohort size (the last step's n_remaining, also published as cohort.n) shown
    released, notes = control_table(values, lines, rules, names, protect={len(values) - 1})
    out = [
        {
            "step": str(r.get("step", "")),
            "description": _safe_text(r.get("description")),
            "n_removed": released[2 * i],
            "n_remaining": released[2 * i + 1],
        }
        for i, r in enumerate(rows)
    ]
    return out, notes


def _records_from_nested(desc: Mapping[str, Any]) -> list[tuple[str, str, str, Any]]:
    records = []
    for cov, levels in desc.items():
        if isinstance(levels, list):  # {covariate: [{exploitation_form, level, n}]} (revict.models)
            recs, _ = _records_from_list([{"covariate": cov, **r} for r in levels if isinstance(r, Mapping)])
            records += recs
            continue
        if cov == "by" or not isinstance(levels, Mapping):
            continue
        for level, cols in levels.items():
            if isinstance(cols, Mapping):
                records += [(str(cov), str(level), str(c), n) for c, n in cols.items() if c != "total"]
    return records


def _records_from_list(desc: list[Any]) -> tuple[list[tuple[str, str, str, Any]], str]:
    records = []
    by = DEFAULT_BY
    for r in desc:
        if isinstance(r, Mapping) and "covariate" in r and "level" in r:
            by = str(r.get("by", by))
            col = r.get("by_level", r.get(by))
            records.append((str(r["covariate"]), str(r["level"]), str(col), r.get("n")))
    return records, by


def _safe_text(text: Any) -> str:
    """Return a free-text description, dropped when it holds a date or anything identifier-like."""
    value = str(text or "")
    return "" if find_identifiers({"d": value}) or find_identifiers({"d": value.split()}) else value


def _normalise_descriptives(desc: Any) -> dict[str, Any] | None:
    """Accept the normalised form, ``{covariate: {level: {column: n}}}`` or a list of records."""
    if isinstance(desc, Mapping) and "rows" in desc and "columns" in desc:
        return dict(desc)
    if isinstance(desc, Mapping):
        records, by = _records_from_nested(desc), str(desc.get("by", DEFAULT_BY))
    elif isinstance(desc, list):
        records, by = _records_from_list(desc)
    else:
        return None
    if not records:
        return None
    columns = list(dict.fromkeys(c for _, _, c, _ in records))
    table: dict[tuple[str, str], dict[str, Any]] = {}
    for cov, level, col, n in records:
        table.setdefault((cov, level), {})[col] = n
    rows = [
        {"covariate": cov, "level": level, "counts": [cells.get(c, 0) for c in columns]}
        for (cov, level), cells in table.items()
    ]
    return {"by": by, "columns": columns, "rows": rows}


def _block_values(block: list[dict[str, Any]], col_totals: list[Any], n_cols: int) -> list[Any]:
    vals: list[Any] = []
    for r in block:
        counts = list(r["counts"])
        vals += counts + [r.get("total", _sum(counts))]
    return vals + list(col_totals)


def _sum(counts: list[Any]) -> Any:
    try:
        return sum(int(c) for c in counts)
    except (TypeError, ValueError):
        return None


def _block_lines(n_rows: int, n_cols: int) -> list[Line]:
    w = n_cols + 1
    lines = [Line(tuple(r * w + c for c in range(n_cols)), r * w + n_cols) for r in range(n_rows)]
    tot = n_rows * w
    lines += [Line(tuple(r * w + c for r in range(n_rows)), tot + c) for c in range(n_cols)]
    lines.append(Line(tuple(r * w + n_cols for r in range(n_rows)), tot + n_cols))
    lines.append(Line(tuple(tot + c for c in range(n_cols)), tot + n_cols))
    return lines


def control_descriptives(desc: Any, rules: DisclosureRules) -> tuple[dict[str, Any] | None, list[Suppression]]:
    """Control the descriptive table (covariate levels x columns, with row and column totals).

    Each covariate is a block whose cells add up, by row to the row total and by column to
    the column totals shared by every block; a column total suppressed in one block is
    suppressed in all, and the blocks are iterated until stable.
    """
    norm = _normalise_descriptives(desc)
    if norm is None:
        return None, [Suppression("cohort.descriptives", "unverifiable", "not available in the results")]
    columns = [str(c) for c in norm["columns"]]
    n_cols = len(columns)
    blocks: dict[str, list[dict[str, Any]]] = {}
    for r in norm["rows"]:
        blocks.setdefault(str(r["covariate"]), []).append(dict(r))
    col_totals: list[Any] = list(norm.get("column_totals") or [])
    if len(col_totals) != n_cols + 1:
        first = next(iter(blocks.values()))
        col_totals = [_sum([r["counts"][c] for r in first]) for c in range(n_cols)]
        col_totals.append(_sum(list(col_totals)))
    notes: list[Suppression] = []
    out_blocks: dict[str, list[dict[str, Any]]] = {}
    for _ in range(10):  # column totals are shared: iterate until no block changes them
        before = list(col_totals)
        out_blocks = {}
        for cov, block in blocks.items():
            names = [f"cohort.descriptives[{cov}={r['level']}, {c}]" for r in block for c in [*columns, "total"]]
            names += [f"cohort.descriptives[{c}]" for c in [*columns, "total"]]
            vals = _block_values(block, col_totals, n_cols)
            released, more = control_table(
                vals, _block_lines(len(block), n_cols), rules, names, protect={len(vals) - 1}
            )
            notes += more
            w = n_cols + 1
            out_blocks[cov] = [
                {
                    "covariate": cov,
                    "level": str(r["level"]),
                    "counts": released[i * w : i * w + n_cols],
                    "total": released[i * w + n_cols],
                }
                for i, r in enumerate(block)
            ]
            tail = released[len(block) * w :]
            col_totals = [t if isinstance(t, str) else col_totals[j] for j, t in enumerate(tail)]
        if col_totals == before:
            break
    released_totals = [release_count(t, rules) if not isinstance(t, str) else t for t in col_totals]
    seen: set[str] = set()
    unique = [s for s in notes if not (s.what in seen or seen.add(s.what))]  # type: ignore[func-returns-value]
    rows = [r for b in out_blocks.values() for r in b]
    return {
        "by": norm.get("by", DEFAULT_BY),
        "columns": columns,
        "rows": rows,
        "column_totals": released_totals,
    }, unique


def control_cohort(section: Any, rules: DisclosureRules) -> tuple[dict[str, Any] | None, list[Suppression]]:
    """Control the ``cohort`` section of results.json."""
    if not isinstance(section, Mapping):
        return None, [Suppression("cohort", "unverifiable", "no cohort section in the results")]
    attrition, notes = control_attrition(section.get("attrition"), rules)
    desc, more = control_descriptives(section.get("descriptives"), rules)
    out = {
        "name": str(section.get("name", "")),
        "n": release_count(section.get("n"), rules),
        "events": release_count(section.get("events"), rules),
        "attrition": attrition,
        "descriptives": desc,
    }
    return out, notes + more
