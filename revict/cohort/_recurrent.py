"""The counting-process (recurrent-event) table from sorted event days, vectorised.

DuckDB aggregates and sorts the distinct event days per person; the interval
bookkeeping (start = previous event day, episode number, the censored tail) is a
few passes over flat integer arrays here, which is much cheaper than a window
function plus a second sort in the engine.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from revict.cohort.tables import RECURRENT_COLUMNS

IntArray = npt.NDArray[np.integer[Any]]


def recurrent_frame(
    ev_pk: IntArray, ev_day: IntArray, pk: IntArray, follow_up_end: IntArray, person_id: npt.NDArray[np.object_]
) -> pd.DataFrame:
    """Build the recurrent table.

    Parameters
    ----------
    ev_pk, ev_day : ndarray of int, shape (m,)
        Distinct event days (days since index) with the person key, sorted by
        ``(pk, day)``; every day lies in ``(0, follow_up_end]`` of its person.
    pk, follow_up_end : ndarray of int, shape (n,)
        Persons of the cohort, sorted by ``pk``, with their end of follow-up (> 0).
    person_id : ndarray of object, shape (n,)
        Pseudonyms aligned with ``pk``.

    Returns
    -------
    DataFrame
        Columns ``person_id, start, stop, event, episode, gap_time``; per person the
        rows tile ``(0, follow_up_end]`` in order, episode k being the interval at
        risk for the k-th event.
    """
    pos = np.searchsorted(pk, ev_pk)
    if len(pk):
        keep = (pos < len(pk)) & (pk[np.minimum(pos, len(pk) - 1)] == ev_pk)
        if not keep.all():
            pos, ev_day = pos[keep], ev_day[keep]
        del keep
    else:
        pos, ev_day = pos[:0], ev_day[:0]
    m, n = len(ev_day), len(pk)
    new = np.ones(m, dtype=bool)
    new[1:] = pos[1:] != pos[:-1]
    # episode of each event = its rank within the person (1, 2, ...)
    episode_ev = np.arange(m, dtype=np.int64)
    episode_ev -= np.maximum.accumulate(np.where(new, episode_ev, 0))
    episode_ev += 1
    n_events = np.bincount(pos, minlength=n).astype(np.int64)
    last_idx = np.cumsum(n_events) - 1
    last_day = np.zeros(n, dtype=np.int64)
    if m:
        has = n_events > 0
        last_day[has] = ev_day[last_idx[has]]
    has_tail = last_day < follow_up_end
    rows_per_person = n_events + has_tail
    offset = np.zeros(n, dtype=np.int64)
    np.cumsum(rows_per_person[:-1], out=offset[1:])
    total = int(rows_per_person.sum())
    owner = np.empty(total, dtype=np.int64)
    start = np.zeros(total, dtype=np.int64)
    stop = np.empty(total, dtype=np.int64)
    event = np.zeros(total, dtype=np.int64)
    episode = np.empty(total, dtype=np.int64)
    at = offset[pos] + episode_ev - 1
    owner[at], stop[at], event[at], episode[at] = pos, ev_day, 1, episode_ev
    # start = the previous event day of the same person (0 for a person's first event)
    later = at[~new]
    start[later] = stop[later - 1]
    del at, later, new, episode_ev, pos
    tails = np.flatnonzero(has_tail)
    at = offset[tails] + n_events[tails]
    owner[at], start[at], stop[at], episode[at] = tails, last_day[tails], follow_up_end[tails], n_events[tails] + 1
    del at, tails
    out = pd.DataFrame(
        {
            "person_id": person_id[owner],
            "start": start,
            "stop": stop,
            "event": event,
            "episode": episode,
            "gap_time": np.subtract(stop, start),
        },
        copy=False,
    )
    assert tuple(out.columns) == RECURRENT_COLUMNS
    return out
