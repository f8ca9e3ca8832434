"""The vectorised counting-process builder on hand-made arrays."""

from __future__ import annotations

import numpy as np

from revict.cohort._recurrent import recurrent_frame


def test_recurrent_frame_hand_worked() -> None:
    """Events close intervals in order, a censored tail follows unless the last event ends follow-up, others drop."""
    ev_pk = np.array([2, 2, 3, 5, 7, 7])
    ev_day = np.array([4, 9, 30, 1, 2, 3])
    pk = np.array([2, 3, 4, 7])  # person 5 is not in the cohort (restricted out)
    fue = np.array([20, 30, 15, 3])
    ids = np.array(["aaaaaaaa", "bbbbbbbb", "cccccccc", "dddddddd"], dtype=object)
    rec = recurrent_frame(ev_pk, ev_day, pk, fue, ids)
    rows = [tuple(r) for r in rec.itertuples(index=False)]
    assert rows == [
        ("aaaaaaaa", 0, 4, 1, 1, 4),
        ("aaaaaaaa", 4, 9, 1, 2, 5),
        ("aaaaaaaa", 9, 20, 0, 3, 11),
        ("bbbbbbbb", 0, 30, 1, 1, 30),
        ("cccccccc", 0, 15, 0, 1, 15),
        ("dddddddd", 0, 2, 1, 1, 2),
        ("dddddddd", 2, 3, 1, 2, 1),
    ]


def test_recurrent_frame_without_events() -> None:
    """With no events every person has one censored interval (0, follow_up_end]."""
    empty = np.array([], dtype=np.int64)
    rec = recurrent_frame(empty, empty, np.array([1, 2]), np.array([5, 8]), np.array(["x" * 8, "y" * 8], dtype=object))
    assert rec[["start", "stop", "event", "episode"]].to_numpy().tolist() == [[0, 5, 0, 1], [0, 8, 0, 1]]
