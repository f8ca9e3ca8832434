"""Reading and transforming list-overlap tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from revict import SourceError
from revict.hidden import OverlapTable, read_overlap_table, table_from_frame
from revict.hidden.table import all_histories


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "t.csv"
    p.write_text(text, encoding="utf-8")
    return p


def test_reads_netherlands_table(mse_dir: Path) -> None:
    """The Dutch table has the documented list totals and empty overlaps."""
    t = read_overlap_table(mse_dir / "mse_netherlands_2010_2015_6lists.csv")
    assert t.lists == ("I", "K", "O", "P", "R", "Z")
    assert t.n_observed == 8234
    assert t.list_totals() == {"P": 4812, "K": 1348, "Z": 848, "R": 742, "O": 536, "I": 398}
    assert t.to_dict()["empty_overlaps"] == ["I:K", "K:R"]


def test_merging_lists_reproduces_five_list_table(mse_dir: Path) -> None:
    """Merging I and O of the 6-list Dutch table gives the published 5-list table exactly."""
    six = read_overlap_table(mse_dir / "mse_netherlands_2010_2015_6lists.csv")
    five = read_overlap_table(mse_dir / "mse_netherlands_2010_2015_5lists.csv")
    merged = six.merge_lists({"I": "IO", "O": "IO"})
    order = [merged.lists.index(n) for n in five.lists]
    reordered = OverlapTable(five.lists, merged.histories[:, order], merged.counts).tidy()
    assert np.array_equal(reordered.full_counts(), five.full_counts())


def test_duplicate_histories_are_added(tmp_path: Path) -> None:
    """Repeated capture histories are summed and zero counts dropped."""
    t = read_overlap_table(_write(tmp_path, "A,B,n\n1,0,3\n1,0,2\n0,1,4\n1,1,0\n"))
    assert t.n_observed == 9
    assert t.counts.tolist() == [5, 4]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("A,B,n\n1,2,3\n", "row 1, column B"),
        ("A,B,n\n1,0,x\n", "row 1, column n"),
        ("A,B,n\n1,0,-1\n", "row 1, column n"),
        ("A,B,n\n1,0,2.5\n", "row 1, column n"),
        ("A,B,n\n1,0,3\n0,0,4\n", "row 2: the all-zero"),
        ("A,B,n\n1,0\n", "row 1 has 2 fields"),
        ("A,n\n1,3\n", "header has 2 column"),
        ("A,A,n\n1,0,3\n", "appear more than once"),
        ("A,B,n\n", "no persons"),
        ("", "empty"),
    ],
)
def test_bad_tables_name_file_row_and_column(tmp_path: Path, text: str, needle: str) -> None:
    """A malformed table raises SourceError naming the file and where the problem is."""
    with pytest.raises(SourceError) as err:
        read_overlap_table(_write(tmp_path, text))
    assert "t.csv" in err.value.message
    assert needle in err.value.message
    assert err.value.hint


def test_missing_file_is_a_source_error(tmp_path: Path) -> None:
    """A missing table file is reported, not a traceback."""
    with pytest.raises(SourceError, match="not found"):
        read_overlap_table(tmp_path / "nope.csv")


def test_drop_noninformative_lists() -> None:
    """Lists holding nobody, everybody or a copy of another list are dropped."""
    h = np.array([[1, 0, 1, 0, 1], [0, 1, 1, 0, 0], [1, 1, 1, 0, 1]])
    t = OverlapTable(("A", "B", "C", "D", "E"), h, np.array([5, 6, 7]))
    reduced, removed = t.drop_noninformative()
    assert removed == ("C", "D", "E")
    assert reduced.lists == ("A", "B")
    assert reduced.n_observed == 18


def test_full_counts_follow_all_histories_order() -> None:
    """full_counts lines up with all_histories, one entry per non-empty history."""
    t = table_from_frame(pd.DataFrame({"A": [1, 0, 1], "B": [0, 1, 1], "count": [4, 5, 6]}))
    full = t.full_counts()
    h = all_histories(2)
    assert h.tolist() == [[1, 0], [0, 1], [1, 1]]
    assert full.tolist() == [4, 5, 6]
