"""Compiled reductions over implicit option moves (docs/methods/gmcr.md, section 4).

States are addressed by their option code in a dense array of all 2^m codes (infeasible
codes hold the neutral value). A DM's moves from ``x`` reach every feasible code of its
*cone* but ``x`` itself: the codes equal to ``x`` outside the DM's options, at least ``x``
on its forward options, at most ``x`` on its backward options, anything on the others.
Values are int32; only the minimum is computed (the maximum is the minimum of ``~values``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

_JIT = {"cache": True, "nogil": True, "error_model": "numpy"}

BOTH, FORWARD, BACKWARD = 0, 1, 2  # the kinds of an option, as the kernels read them


@njit(**_JIT)
def cone_min(codes, values, n_options, bits, kinds, neutral):  # pragma: no cover - compiled
    """Per feasible state, the least value over the DM's cone without the state itself.

    A sum-over-subsets pass per option of the DM keeps the two least values of every partial
    cone (the two halves it merges are disjoint); a state's answer is the least value unless
    that is its own, then the second least.
    """
    size = 1 << n_options
    first = np.full(size, neutral, np.int32)
    second = np.full(size, neutral, np.int32)
    for p in range(codes.size):
        first[codes[p]] = values[p]
    for j in range(bits.size):
        bit = bits[j]
        kind = kinds[j]
        for block in range(0, size, 2 * bit):
            for x in range(block, block + bit):
                y = x | bit
                a1, a2, c1, c2 = first[x], second[x], first[y], second[y]
                if a1 <= c1:
                    n1, n2 = a1, min(a2, c1)
                else:
                    n1, n2 = c1, min(c2, a1)
                if kind != BACKWARD:  # x (option not taken) may take it
                    first[x], second[x] = n1, n2
                if kind != FORWARD:  # y (option taken) may drop it
                    first[y], second[y] = n1, n2
    out = np.empty(codes.size, np.int32)
    for p in range(codes.size):
        c = codes[p]
        out[p] = first[c] if first[c] < values[p] else second[c]
    return out


@njit(**_JIT)
def improving_min(codes, values, order, ranks, n_options, query, insert, neutral):  # pragma: no cover - compiled
    """Per feasible state x, the least value over the cone states the DM ranks above x.

    States are visited from the highest rank down; each state of a rank is first queried,
    then inserted, so a query sees exactly the states ranked strictly higher. The DM's
    options are split in two halves: ``table[c]`` holds the least inserted value whose code
    equals ``c`` outside the second half and lies in the cone of ``c`` on it; an insert
    updates one entry per choice of the second half, a query reads one per choice of the
    first. ``query`` and ``insert`` are (both, forward, backward) bit masks of the first and
    the second half.
    """
    table = np.full(1 << n_options, neutral, np.int32)
    out = np.empty(codes.size, np.int32)
    q_both, q_fwd, q_bwd = query[0], query[1], query[2]
    i_both, i_fwd, i_bwd = insert[0], insert[1], insert[2]
    n = order.size
    start = 0
    while start < n:
        rank = ranks[order[start]]
        end = start + 1
        while end < n and ranks[order[end]] == rank:
            end += 1
        for k in range(start, end):
            p = order[k]
            x = codes[p]
            free = q_both | (q_fwd & ~x) | (q_bwd & x)
            base = x & ~free
            best = neutral
            sub = 0
            while True:
                v = table[base | sub]
                if v < best:
                    best = v
                if sub == free:
                    break
                sub = (sub - free) & free
            out[p] = best
        for k in range(start, end):
            p = order[k]
            y = codes[p]
            v = values[p]
            free = i_both | (i_fwd & y) | (i_bwd & ~y)
            base = y & ~free
            sub = 0
            while True:
                c = base | sub
                if v < table[c]:
                    table[c] = v
                if sub == free:
                    break
                sub = (sub - free) & free
        start = end
    return out


@njit(**_JIT)
def coalition_cone_min(codes, values, n_options, bits, kinds, starts, neutral):  # pragma: no cover - compiled
    """Per feasible state, the least value over the states a coalition reaches in zero or more moves.

    Member k owns ``bits[starts[k]:starts[k + 1]]`` (with their ``kinds``). Moves of any member
    in any order (two moves of one member in a row reach what one move does), so one row of
    minima is relaxed over one member's cones at a time (Gauss-Seidel) until it is closed
    under every member's cones: after a member's pass it is closed under that member's
    (cones nest), so the others in turn must leave it unchanged.
    """
    size = 1 << n_options
    best = values.copy()
    work = np.empty(size, np.int32)
    h = starts.size - 1
    quiet = 0
    k = 0
    while quiet < h:
        work[:] = neutral
        for p in range(codes.size):
            work[codes[p]] = best[p]
        for j in range(starts[k], starts[k + 1]):
            bit = bits[j]
            kind = kinds[j]
            for block in range(0, size, 2 * bit):
                for x in range(block, block + bit):
                    y = x | bit
                    low = min(work[x], work[y])
                    if kind != BACKWARD:
                        work[x] = low
                    if kind != FORWARD:
                        work[y] = low
        changed = False
        for p in range(codes.size):
            v = work[codes[p]]
            if v < best[p]:
                best[p] = v
                changed = True
        # after its own pass the row is closed under this member's cones (they nest)
        quiet = 1 if changed else quiet + 1
        k = (k + 1) % h
    return best


@njit(**_JIT)
def improving_min_direct(codes, values, dense_ranks, n_options, masks, neutral):  # pragma: no cover - compiled
    """As :func:`improving_min`, by visiting every move: for a DM with few options.

    ``dense_ranks`` holds the DM's rank of every code (−1: infeasible, below every rank);
    ``masks`` are the DM's (both, forward, backward) options.
    """
    dense = np.full(1 << n_options, neutral, np.int32)
    for p in range(codes.size):
        dense[codes[p]] = values[p]
    out = np.empty(codes.size, np.int32)
    for p in range(codes.size):
        x = codes[p]
        free = masks[0] | (masks[1] & ~x) | (masks[2] & x)
        base = x & ~free
        own = dense_ranks[x]
        best = neutral
        sub = 0
        while True:
            t = base | sub
            if dense_ranks[t] > own and dense[t] < best:
                best = dense[t]
            if sub == free:
                break
            sub = (sub - free) & free
        out[p] = best
    return out
