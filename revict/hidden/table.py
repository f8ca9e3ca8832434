"""List-overlap (capture-history) tables: the input of multiple systems estimation.

A table holds, for each observed capture history (which lists a person is on), the
number of persons with exactly that history. The all-zero history -- the persons on
no list, the "dark figure" -- is never observed; estimating it is the point.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from revict._core.errors import SourceError

MAX_LISTS = 12


@dataclass(frozen=True)
class OverlapTable:
    """Counts of persons by capture history over ``m`` lists.

    Attributes
    ----------
    lists : tuple of str
        List (register, organisation) names, in column order.
    histories : ndarray of int8, shape (k, m)
        Distinct observed capture histories (0/1), none all-zero.
    counts : ndarray of int64, shape (k,)
        Persons with exactly that history (>= 0).
    label : str
        Where the table came from (file name, stratum), for messages.
    """

    lists: tuple[str, ...]
    histories: np.ndarray
    counts: np.ndarray
    label: str = ""
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        h = np.asarray(self.histories, dtype=np.int8).reshape(-1, len(self.lists))
        c = np.asarray(self.counts, dtype=np.int64).reshape(-1)
        if h.shape[0] != c.shape[0]:
            raise ValueError("histories and counts must have the same number of rows")
        if len(self.lists) < 2:
            raise SourceError(
                f"{self.label or 'table'}: multiple systems estimation needs at least two lists",
                hint="Give two or more lists (organisations).",
            )
        if len(self.lists) > MAX_LISTS:
            raise SourceError(
                f"{self.label or 'table'}: {len(self.lists)} lists is more than {MAX_LISTS}",
                hint="Merge small lists (a list mapping) before estimating.",
            )
        object.__setattr__(self, "histories", h)
        object.__setattr__(self, "counts", c)

    # ------------------------------------------------------------------ basic facts
    @property
    def n_lists(self) -> int:
        """Number of lists ``m``."""
        return len(self.lists)

    @property
    def n_observed(self) -> int:
        """Number of persons observed on at least one list."""
        return int(self.counts.sum())

    def list_totals(self) -> dict[str, int]:
        """Persons on each list (whatever else they are on)."""
        tot = self.histories.T.astype(np.int64) @ self.counts
        return {name: int(t) for name, t in zip(self.lists, tot, strict=True)}

    def pair_overlaps(self) -> dict[tuple[str, str], int]:
        """Persons on both lists of each pair (``N*_ij`` of Chan, Silverman & Vincent 2021)."""
        out = {}
        for i, j in itertools.combinations(range(self.n_lists), 2):
            both = (self.histories[:, i] * self.histories[:, j]).astype(bool)
            out[(self.lists[i], self.lists[j])] = int(self.counts[both].sum())
        return out

    def full_counts(self) -> np.ndarray:
        """Return counts over every non-empty history in :func:`all_histories` order (zeros filled in)."""
        m = self.n_lists
        codes = self.histories.astype(np.int64) @ (1 << np.arange(m, dtype=np.int64))
        out = np.zeros(2**m, dtype=np.int64)
        np.add.at(out, codes, self.counts)
        full: np.ndarray = out[all_history_codes(m)]
        return full

    # ------------------------------------------------------------------ transforms
    def tidy(self) -> OverlapTable:
        """Merge duplicate histories and drop zero counts."""
        full = self.full_counts()
        h = all_histories(self.n_lists)
        keep = full > 0
        return OverlapTable(self.lists, h[keep], full[keep], self.label, dict(self.meta))

    def merge_lists(self, mapping: Mapping[str, str]) -> OverlapTable:
        """Merge lists: ``{old_name: new_name}``; a person is on the new list if on any old one.

        Lists not named in ``mapping`` keep their name. New lists appear in order of first use.
        """
        unknown = sorted(set(mapping) - set(self.lists))
        if unknown:
            raise SourceError(
                f"{self.label or 'table'}: list mapping names unknown list(s) {', '.join(unknown)}",
                hint=f"The lists are {', '.join(self.lists)}.",
            )
        targets = [mapping.get(name, name) for name in self.lists]
        new_lists = tuple(dict.fromkeys(targets))
        h = np.zeros((self.histories.shape[0], len(new_lists)), dtype=np.int8)
        for col, tgt in enumerate(targets):
            k = new_lists.index(tgt)
            h[:, k] = np.maximum(h[:, k], self.histories[:, col])
        return OverlapTable(new_lists, h, self.counts.copy(), self.label, dict(self.meta)).tidy()

    def drop_noninformative(self) -> tuple[OverlapTable, tuple[str, ...]]:
        """Remove lists that hold nobody, everybody, or duplicate another list.

        Mirrors SparseMSE ``removenoninformativelists``. Returns the reduced table and the
        names of the lists removed.
        """
        t = self.tidy()
        n = t.n_observed
        keep: list[int] = []
        seen: set[bytes] = set()
        for j in range(t.n_lists):
            col = t.histories[:, j]
            key = col.tobytes()
            total = int(t.counts[col.astype(bool)].sum())
            if key in seen or total == 0 or total == n:
                continue
            seen.add(key)
            keep.append(j)
        removed = tuple(name for j, name in enumerate(t.lists) if j not in keep)
        if not removed:
            return t, ()
        if len(keep) < 2:
            raise SourceError(
                f"{t.label or 'table'}: fewer than two informative lists remain",
                hint="A list that holds nobody or everybody carries no information; merge strata.",
            )
        h = t.histories[:, keep]
        nonzero = h.any(axis=1)
        return OverlapTable(
            tuple(t.lists[j] for j in keep), h[nonzero], t.counts[nonzero], t.label, dict(t.meta)
        ).tidy(), removed

    def with_counts(self, counts: np.ndarray) -> OverlapTable:
        """Return a table over all histories (in :func:`all_histories` order) with new full counts."""
        return OverlapTable(self.lists, all_histories(self.n_lists), counts, self.label, dict(self.meta))

    def to_frame(self) -> pd.DataFrame:
        """One row per observed history: a 0/1 column per list, then ``count``."""
        df = pd.DataFrame(self.histories, columns=list(self.lists))
        df["count"] = self.counts
        return df

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe description (list totals and pair overlaps, not the full table)."""
        return {
            "lists": list(self.lists),
            "n_observed": self.n_observed,
            "list_totals": self.list_totals(),
            "empty_overlaps": [f"{a}:{b}" for (a, b), v in self.pair_overlaps().items() if v == 0],
        }


def all_history_codes(m: int) -> np.ndarray:
    """Bit codes of all non-empty histories, ordered by number of lists, then code."""
    codes = np.arange(1, 2**m, dtype=np.int64)
    ones = np.array([bin(c).count("1") for c in codes])
    return codes[np.lexsort((codes, ones))]


def all_histories(m: int) -> np.ndarray:
    """Every non-empty capture history over ``m`` lists, shape (2**m - 1, m)."""
    codes = all_history_codes(m)
    return ((codes[:, None] >> np.arange(m)) & 1).astype(np.int8)


# ---------------------------------------------------------------------- reading


def _fail(path: Path, message: str, hint: str) -> SourceError:
    return SourceError(f"{path.name}: {message}", hint=hint)


def _parse_header(path: Path, header: Sequence[str]) -> tuple[str, ...]:
    names = [h.strip() for h in header]
    if len(names) < 3:
        raise _fail(
            path,
            f"the header has {len(names)} column(s); need two or more list columns and a count",
            "Write one 0/1 column per list and the number of persons as the last column.",
        )
    lists = tuple(names[:-1])
    for pos, name in enumerate(names, start=1):
        if not name:
            raise _fail(path, f"header column {pos} has no name", "Name every column (list names, then count).")
    dup = sorted({n for n in lists if lists.count(n) > 1})
    if dup:
        raise _fail(path, f"list column(s) {', '.join(dup)} appear more than once", "Give every list a unique name.")
    if len(lists) > MAX_LISTS:
        raise _fail(path, f"{len(lists)} lists is more than {MAX_LISTS}", "Merge small lists before estimating.")
    return lists


def _parse_row(
    path: Path, rowno: int, row: Sequence[str], names: tuple[str, ...], count_name: str
) -> tuple[list[int], int]:
    if len(row) != len(names) + 1:
        raise _fail(
            path,
            f"row {rowno} has {len(row)} fields, the header has {len(names) + 1}",
            "Every row needs one 0/1 value per list and a count.",
        )
    hist = []
    for name, cell in zip(names, row[:-1], strict=True):
        value = cell.strip()
        if value not in ("0", "1"):
            raise _fail(
                path,
                f"row {rowno}, column {name}: a capture indicator must be 0 or 1",
                "Write 1 when the persons are on that list and 0 when not.",
            )
        hist.append(int(value))
    raw = row[-1].strip()
    try:
        fval = float(raw)
    except ValueError:
        raise _fail(
            path,
            f"row {rowno}, column {count_name}: the count is not a number",
            "The last column must hold whole numbers of persons.",
        ) from None
    if not np.isfinite(fval) or fval < 0 or fval != int(fval):
        raise _fail(
            path,
            f"row {rowno}, column {count_name}: the count must be a whole number >= 0",
            "The last column must hold whole numbers of persons.",
        )
    count = int(fval)
    if not any(hist) and count > 0:
        raise _fail(
            path,
            f"row {rowno}: the all-zero capture history cannot be observed",
            "Remove the row for persons on no list: that is the number to be estimated.",
        )
    return hist, count


def read_overlap_table(path: str | Path) -> OverlapTable:
    """Read a list-overlap table from CSV.

    The format: a header naming one column per list and, last, the count column; each
    row a capture history of 0/1 values and the number of persons with it. Histories
    not listed have count 0; repeated histories are added up.

    Parameters
    ----------
    path : str or Path
        CSV file.

    Returns
    -------
    OverlapTable

    Raises
    ------
    SourceError
        File missing or unreadable, or a cell that is not 0/1 or not a whole count; the
        message names the file, the data row (1-based) and the column.
    """
    p = Path(path)
    if not p.is_file():
        raise SourceError(f"{p} not found", hint="Give the path of a list-overlap CSV (see docs/hidden.md).")
    try:
        with p.open(newline="", encoding="utf-8-sig") as fh:
            rows = [r for r in csv.reader(fh) if any(c.strip() for c in r)]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise _fail(
            p,
            f"could not be read as UTF-8 CSV ({type(exc).__name__})",
            "Save the table as a UTF-8 CSV with a header row.",
        ) from None
    if not rows:
        raise _fail(p, "the file is empty", "Write a header row and one row per capture history.")
    lists = _parse_header(p, rows[0])
    count_name = rows[0][-1].strip()
    hists, counts = [], []
    for rowno, row in enumerate(rows[1:], start=1):
        h, c = _parse_row(p, rowno, row, lists, count_name)
        if any(h):
            hists.append(h)
            counts.append(c)
    if not counts or sum(counts) == 0:
        raise _fail(p, "no persons in the table", "The table needs at least one observed capture history.")
    table = OverlapTable(lists, np.array(hists, dtype=np.int8), np.array(counts, dtype=np.int64), p.name)
    return table.tidy()


def table_from_frame(df: pd.DataFrame, *, count: str = "count", label: str = "") -> OverlapTable:
    """Build a table from a DataFrame of 0/1 list columns and a count column."""
    lists = tuple(c for c in df.columns if c != count)
    h = df[list(lists)].to_numpy(dtype=np.int8)
    keep = h.any(axis=1)
    return OverlapTable(lists, h[keep], df[count].to_numpy(dtype=np.int64)[keep], label).tidy()
