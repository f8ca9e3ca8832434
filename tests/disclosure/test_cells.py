"""Count rules: primary and secondary suppression, rounding, top-coding, dominance, p-ratio."""

import itertools

import pytest

from revict.disclosure import DisclosureRules, Line, control_table, dominance_check, round_count
from revict.disclosure.cells import release_count, top_code_distribution

RULES = DisclosureRules()


def _table(cells: list[list[int]]) -> tuple[list[int], list[Line], int, int]:
    """Flatten an r x c table with row totals, column totals and grand total."""
    r, c = len(cells), len(cells[0])
    w = c + 1
    vals: list[int] = []
    for row in cells:
        vals += row + [sum(row)]
    col_tot = [sum(row[j] for row in cells) for j in range(c)]
    vals += col_tot + [sum(col_tot)]
    lines = [Line(tuple(i * w + j for j in range(c)), i * w + c) for i in range(r)]
    lines += [Line(tuple(i * w + j for i in range(r)), r * w + j) for j in range(c)]
    lines.append(Line(tuple(i * w + c for i in range(r)), r * w + c))
    lines.append(Line(tuple(r * w + j for j in range(c)), r * w + c))
    return vals, lines, r, c


def _recoverable(released: list, lines: list[Line]) -> bool:
    """Whether some line has exactly one hidden entry (cells and total together)."""
    for line in lines:
        if line.total is None:
            continue
        entries = [*line.cells, line.total]
        hidden = [i for i in entries if isinstance(released[i], str)]
        if len(hidden) == 1:
            return True
    return False


def test_small_count_is_shown_as_less_than_threshold():
    """A count below min_cell is released as the string '<10'."""
    assert release_count(7, RULES) == "<10"
    assert release_count(10, RULES) == 10
    assert release_count(0, RULES) == "<10"
    assert release_count(0, DisclosureRules(suppress_zeros=False)) == 0


def test_threshold_is_a_setting():
    """min_cell=5 shows a 7 and hides a 4 as '<5'."""
    rules = DisclosureRules(min_cell=5)
    assert release_count(7, rules) == 7
    assert release_count(4, rules) == "<5"


def test_single_small_cell_gets_a_secondary_partner_in_row_and_column():
    """One small cell in a table with margins forces further suppression so it cannot be recovered."""
    vals, lines, _, _ = _table([[50, 3, 40], [60, 70, 80]])
    released, notes = control_table(vals, lines, RULES, [str(i) for i in range(len(vals))])
    assert released[1] == "<10"
    assert not _recoverable(released, lines)
    assert {n.rule for n in notes} == {"min_cell", "secondary"}


def test_two_small_cells_summing_below_threshold_are_widened():
    """Two hidden cells in a line whose sum is below min_cell get a third partner."""
    vals = [3, 4, 50, 57]
    released, _ = control_table(vals, [Line((0, 1, 2), 3)], RULES, ["a", "b", "c", "t"])
    assert released[:2] == ["<10", "<10"]
    assert released[2] == "x" or released[3] == "x"


def test_hidden_total_with_all_cells_shown_hides_a_cell():
    """A small total whose cells are all shown would be recoverable, so a cell is hidden too."""
    vals = [0, 9, 9]
    rules = DisclosureRules(suppress_zeros=False)
    released, _ = control_table(vals, [Line((0, 1), 2)], rules, ["a", "b", "t"])
    assert released[2] == "<10"
    assert released[1] == "<10"


@pytest.mark.parametrize("seed", range(30))
def test_no_suppressed_cell_recoverable_from_totals(seed):
    """On random tables, no line ends with exactly one hidden entry."""
    import numpy as np

    rng = np.random.default_rng(seed)
    cells = rng.choice([0, 2, 5, 8, 12, 30, 200], size=(4, 5)).tolist()
    vals, lines, _, _ = _table(cells)
    released, _ = control_table(vals, lines, RULES, [str(i) for i in range(len(vals))])
    assert not _recoverable(released, lines)
    assert all(v in ("<10", "x") or v >= 10 for v in released)
    assert all(v == "<10" for v, c in zip(released, vals, strict=True) if c < 10)


def test_protected_cell_stays_shown_when_the_total_can_be_hidden_instead():
    """A protected cell is not chosen as secondary partner when the line total can be."""
    released, _ = control_table([3, 500, 503], [Line((0, 1), 2)], RULES, ["a", "b", "t"], protect={1})
    assert released == ["<10", 500, "x"]


@pytest.mark.parametrize(
    ("value", "base", "expected"),
    [(23, 5, 25), (22, 5, 20), (23, 10, 20), (25, 10, 30), (10, 5, 10), (11, 10, 10), (14, 10, 10)],
)
def test_rounding_to_base(value, base, expected):
    """Counts are rounded half up to the chosen base."""
    assert round_count(value, DisclosureRules(rounding=base)) == expected


def test_rounding_never_goes_below_threshold():
    """A count at the threshold is not rounded below it (min_cell 12, base 5 -> 15)."""
    assert round_count(12, DisclosureRules(min_cell=12, rounding=5)) == 15


def test_dominance_rule_suppresses_when_two_contributors_dominate():
    """Two contributors with 90% or more of the total fail the dominance check."""
    assert dominance_check(100, [80, 10], RULES, "m").rule == "dominance"
    assert dominance_check(100, [80, 9], RULES, "m") is None  # 89% < 90%, rest 11 >= 10% of 80
    assert dominance_check(100, [50, 30], RULES, "m") is None


def test_dominance_settings_are_used():
    """dominance_pct=70 fails a 75% share that the default passes."""
    assert dominance_check(100, [40, 35], RULES, "m") is None
    assert dominance_check(100, [40, 35], DisclosureRules(dominance_pct=70), "m").rule == "dominance"


def test_p_ratio_rule():
    """When the rest is less than 10% of the largest contribution, the p-ratio check fails."""
    # top two 60% + 25% = 85% < 90%: dominance passes; rest 15 >= 10% of 60 passes
    assert dominance_check(100, [60, 25], RULES, "m") is None
    # 1000 total, top1 = 600, top2 = 300 -> dominance; check p-ratio separately with dominance off
    rules = DisclosureRules(dominance_pct=100)
    assert dominance_check(1000, [600, 350], rules, "m").rule == "p_ratio"  # rest 50 < 60


def test_dominance_unverifiable_without_contributors():
    """An average whose contributors are unknown is not released."""
    assert dominance_check(None, [], RULES, "m").rule == "unverifiable"


def test_top_coding_merges_tail_and_hides_maximum():
    """The tail of a distribution is merged into one class of at least min_cell and the maximum is gone."""
    classes, notes = top_code_distribution([(1, 500), (2, 60), (3, 12), (4, 5), (7, 2), (19, 1)], RULES, "vpo")
    labels = [c[0] for c in classes]
    assert "19" not in labels
    assert "7" not in labels
    assert labels[-1].startswith("≥")
    assert all(isinstance(c, str) or c >= 10 for _, c in classes)
    assert any(n.rule == "top_code" for n in notes)


@pytest.mark.parametrize(("a", "b"), list(itertools.product([0, 3, 9, 10, 11, 40], repeat=2)))
def test_pair_with_total_never_leaks(a, b):
    """For any two cells and their total, no hidden entry can be computed from the shown ones."""
    released, _ = control_table([a, b, a + b], [Line((0, 1), 2)], RULES, ["a", "b", "t"])
    hidden = [i for i, v in enumerate(released) if isinstance(v, str)]
    assert len(hidden) != 1
