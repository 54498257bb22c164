"""The fast engine's agenda of pending events: a binary heap in a numpy record array.

Entries are ordered by (``time_h``, ``seq``); ``seq`` is unique (the clock's counter), so the
order is total and entries come out exactly as ``heapq`` would return the same tuples: equal
times first in, first out. The heap is ``agenda[:clock.pending]``; ``clock`` is the engine's
clock record (fields ``seq`` and ``pending``). Record fields cost no reference counting in
the engine's loop, where the list of tuples ``heapq`` needs did.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# One entry; the engine sizes the array for the most entries a run can hold
# (``engine.agenda_capacity``).
AGENDA_DTYPE = np.dtype(
    [
        ("time_h", np.float64),
        ("seq", np.int64),
        ("kind", np.int64),
        ("a", np.int64),
        ("b", np.int64),
    ]
)


@njit(cache=True)
def push(agenda, clock, at_h, kind, a, b):
    """Add an entry (``kind``, ``a``, ``b``) due at ``at_h``."""
    i = clock.pending
    if i >= agenda.shape[0]:
        raise IndexError("the agenda is full: its capacity bound is wrong")
    seq = clock.seq
    clock.seq += 1
    clock.pending += 1
    while i > 0:  # sift up: the new entry has the largest seq, so it stops below equal times
        parent = (i - 1) >> 1
        up = agenda[parent]
        if up.time_h <= at_h:
            break
        _copy_entry(agenda[i], up)
        i = parent
    row = agenda[i]
    row.time_h = at_h
    row.seq = seq
    row.kind = kind
    row.a = a
    row.b = b


@njit(cache=True)
def _copy_entry(to, row):
    to.time_h = row.time_h
    to.seq = row.seq
    to.kind = row.kind
    to.a = row.a
    to.b = row.b


@njit(cache=True)
def pop(agenda, clock):
    """Remove the first entry; return its (time_h, kind, a, b)."""
    top = agenda[0]
    out = (top.time_h, top.kind, top.a, top.b)
    n = clock.pending - 1
    clock.pending = n
    last = agenda[n]
    t, seq = last.time_h, last.seq
    i = 0
    while True:  # sift the last entry down from the root
        c = 2 * i + 1
        if c >= n:
            break
        if c + 1 < n:
            r, lc = agenda[c + 1], agenda[c]
            if r.time_h < lc.time_h or (r.time_h == lc.time_h and r.seq < lc.seq):
                c += 1
        child = agenda[c]
        if t < child.time_h or (t == child.time_h and seq < child.seq):
            break
        _copy_entry(agenda[i], child)
        i = c
    if i != n:
        _copy_entry(agenda[i], last)
    return out
