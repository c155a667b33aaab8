"""Compiled round kernels of the BDM expected-utility model (``docs/methods/bdm.md``: risk, expected utility, a round).

One call plays one simultaneous round for every row of arrays shaped ``(B, n)``: many
issues, or many Monte Carlo draws of one issue. Rows are processed in blocks of
:data:`LANES` rows laid side by side, so every operation on an actor pair runs on
``LANES`` rows at once in the CPU's vector units (SIMD), with selects instead of
branches. Blocks are spread over the CPU cores (``numba.prange``). Each row's result
depends only on that row: it is the same whatever the number of threads, the batch it
came in or its place in a block.

In every lane the actors are sorted by position, so the voters who prefer actor a to
actor b (those nearer to a) are the slots on a's side of the pair's midpoint, and each
win-probability sum over actor triples is a difference of two prefix sums. Per row and
round the cost is ``O(n²)`` apart from counting the voters left of each midpoint
(``O(n³)`` comparisons, cheap). The powers ``y**r`` of the distance terms are computed as
``exp(r·log y)`` by the vectorisable :func:`vexp` and :func:`vlog` below, the logarithms
once per unordered pair. Numba compiles the kernels on first use and caches them on disk.

The round semantics, variants and degenerate cases are documented in
:mod:`accord.models.bdm`; this module holds only the arithmetic.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange, types
from numba.extending import intrinsic

NONE, CONFRONTATION, COMPROMISE, CAPITULATION = 0, 1, 2, 3

#: Relative tolerance of every comparison that decides an outcome (``docs/methods/bdm.md``,
#: "Decisions and ties"): utilities (unit-free) differ when they differ by more than this;
#: positions, keys and distances when they differ by more than this times the issue's
#: scale ``Δ``; the median's cost when it differs by more than this times ``Δ Σ w``.
DECISION_TOL = 1e-9

#: Rows computed side by side in one block (long enough for the compiler to vectorise every loop over them).
LANES = 32

_JIT = {"cache": True, "nogil": True, "error_model": "numpy", "fastmath": {"contract"}}

# --------------------------------------------------------------------------- exp and log
#
# numpy and LLVM call the C library's scalar exp/log for float64 on CPUs without AVX-512;
# these versions use only arithmetic and bit operations, so loops calling them over the
# lanes of a block compile to vector instructions. Both are accurate to a few units in the last
# place over the range the model uses (checked against numpy in the tests).

_MANTISSA = np.uint64(0x000FFFFFFFFFFFFF)
_ONE_BITS = np.uint64(0x3FF0000000000000)  # 1.0
_TWO52_BITS = np.uint64(0x4330000000000000)  # 2**52
_EXPONENT_SHIFT = np.uint64(52)
_EXP_OFFSET = 4503599627371519.0  # 2**52 + 1023
_ROUND_SHIFT = 6755399441055744.0  # 1.5 * 2**52: adding it rounds to an integer
_ROUND_SHIFT_BITS = np.uint64(0x4338000000000000)
_EXP_BIAS = np.uint64(1023)
_LN2_HI = 6.93147180369123816490e-01  # ln 2 split so that k·_LN2_HI is exact
_LN2_LO = 1.90821492927058770002e-10
_LOG2E = 1.44269504088896338700e00
_SQRT2 = 1.4142135623730951
_TINY = 2.2250738585072014e-308  # smallest normal float64
_EXP_MIN = -708.0  # exp(x) below this is returned as 0
_EXP_MAX = 709.0

# log(m) = 2·atanh(s), s = (m−1)/(m+1): 2s·Σ s^(2i)/(2i+1), |s| ≤ 0.1716, so the terms
# after s^18 add less than 3e-17 relative
_LC1, _LC2, _LC3, _LC4, _LC5, _LC6 = 1 / 3, 1 / 5, 1 / 7, 1 / 9, 1 / 11, 1 / 13
_LC7, _LC8, _LC9 = 1 / 15, 1 / 17, 1 / 19
# exp(r) = Σ r^i / i!, |r| ≤ ln2/2
_EC2, _EC3, _EC4, _EC5, _EC6, _EC7 = 1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720, 1 / 5040
_EC8, _EC9, _EC10, _EC11, _EC12, _EC13 = 1 / 40320, 1 / 362880, 1 / 3628800, 1 / 39916800, 1 / 479001600, 1 / 6227020800


@intrinsic
def _as_bits(typingctx, x):
    """The bits of a float64 as uint64 (an LLVM bitcast)."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], context.get_value_type(types.uint64))
    return types.uint64(types.float64), codegen


@intrinsic
def _from_bits(typingctx, b):
    """The float64 with the given uint64 bits (an LLVM bitcast)."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], context.get_value_type(types.float64))
    return types.float64(types.uint64), codegen


@njit(**_JIT)
def _log(y: float) -> float:
    """log(y) for y >= 0; log(0) = -inf (subnormals count as 0)."""
    b = _as_bits(y)
    m = _from_bits((b & _MANTISSA) | _ONE_BITS)
    e = _from_bits((b >> _EXPONENT_SHIFT) | _TWO52_BITS) - _EXP_OFFSET
    big = m > _SQRT2
    m = m * 0.5 if big else m
    e = e + 1.0 if big else e
    f = m - 1.0
    s = f / (2.0 + f)
    z = s * s
    z2 = z * z
    z4 = z2 * z2
    q0 = (_LC1 + _LC2 * z) + (_LC3 + _LC4 * z) * z2
    q1 = (_LC5 + _LC6 * z) + (_LC7 + _LC8 * z) * z2
    p = z * ((q0 + q1 * z4) + _LC9 * (z4 * z4))
    val = e * _LN2_HI + ((2.0 * s + 2.0 * s * p) + e * _LN2_LO)
    return val if y >= _TINY else -np.inf


@njit(**_JIT)
def _exp(x: float) -> float:
    """exp(x) for x <= 709; 0 below e**-708."""
    xc = _EXP_MIN if x < _EXP_MIN else (_EXP_MAX if x > _EXP_MAX else x)
    t = xc * _LOG2E + _ROUND_SHIFT
    k = t - _ROUND_SHIFT
    r = (xc - k * _LN2_HI) - k * _LN2_LO
    r2 = r * r
    r4 = r2 * r2
    q0 = (1.0 + r) + (_EC2 + _EC3 * r) * r2
    q1 = (_EC4 + _EC5 * r) + (_EC6 + _EC7 * r) * r2
    q2 = (_EC8 + _EC9 * r) + (_EC10 + _EC11 * r) * r2
    q3 = _EC12 + _EC13 * r
    p = (q0 + q1 * r4) + (q2 + q3 * r4) * (r4 * r4)
    scale = _from_bits((_as_bits(t) - _ROUND_SHIFT_BITS + _EXP_BIAS) << _EXPONENT_SHIFT)
    return p * scale if x > _EXP_MIN else 0.0


@njit(**_JIT)
def _power(y: float, log_y: float, rho: float) -> float:
    """``y ** rho`` from ``log y``; exact when ``rho == 1``."""
    return y if rho == 1.0 else _exp(rho * log_y)


@njit(**_JIT)
def vlog(y: np.ndarray, out: np.ndarray) -> None:
    """``out = log(y)`` elementwise for 1-D ``y >= 0``."""
    for i in range(y.size):
        out[i] = _log(y[i])


@njit(**_JIT)
def vexp(x: np.ndarray, out: np.ndarray) -> None:
    """``out = exp(x)`` elementwise for 1-D ``x <= 709``."""
    for i in range(x.size):
        out[i] = _exp(x[i])


# --------------------------------------------------------------------------- blocks
#
# A block holds LANES rows. Per-actor arrays are (n, LANES), per-pair arrays
# (n, n, LANES). In every lane the actors are sorted by position (ties in input order);
# ``orig[q, l]`` is the input index of the actor in slot q, used to break ties "first
# in input order" and to put the results back in input order.

# slots of the float scratch array F, each (n, n, LANES)
_D, _NUM, _LD, _LN, _LF, _GAP, _A, _B = range(8)
_FLOAT_SLOTS = 8
# slots of the per-actor float array V, each (n, LANES)
_X, _S, _W, _WST, _R, _NX, _ER, _EP, _DANGER, _UX, _UW, _ORIG = range(12)  # _UX, _UW: input order
_VECTOR_SLOTS = 12


@njit(**_JIT)
def workspace(n: int):
    """Scratch arrays for one worker: ``(F, PF, CNT, V, J, lane)``."""
    F = np.empty((_FLOAT_SLOTS, n, n, LANES))
    PF = np.empty((n + 1, n, LANES))
    CNT = np.empty((n, n, LANES), dtype=np.int32)
    V = np.empty((_VECTOR_SLOTS, n, LANES))
    J = np.empty((4, n, LANES), dtype=np.int64)  # orig, rank, partner, kind
    lane = np.empty((6, LANES))  # scale, 1/Z, cost, median, mean, best
    return F, PF, CNT, V, J, lane


@njit(**_JIT)
def _load_sorted(x, s, w, wstat, scale, lo, rows, V, J, lane) -> None:
    """Load rows ``lo..lo+rows`` into the lanes (padding with the last row), each lane sorted by position."""
    n = x.shape[1]
    U = V[_UX]
    rank = J[1]
    orig = J[0]
    for l in range(LANES):
        row = lo + min(l, rows - 1)
        lane[0, l] = scale[row]
        for i in range(n):
            U[i, l] = x[row, i]
            V[_UW, i, l] = wstat[row, i]
    for k in range(n):
        for l in range(LANES):
            rank[k, l] = 0
        for j in range(k):
            for l in range(LANES):
                rank[k, l] += U[j, l] <= U[k, l]
        for j in range(k + 1, n):
            for l in range(LANES):
                rank[k, l] += U[j, l] < U[k, l]
    for l in range(LANES):
        row = lo + min(l, rows - 1)
        for i in range(n):
            q = rank[i, l]
            orig[q, l] = i
            V[_ORIG, q, l] = i
            V[_X, q, l] = x[row, i]
            V[_S, q, l] = s[row, i]
            V[_W, q, l] = w[row, i]
            V[_WST, q, l] = wstat[row, i]


@njit(**_JIT)
def _store_sorted(src, orig, dst, lo, rows) -> None:
    """Write the first ``rows`` lanes of ``src`` (n, LANES, sorted slots) to rows of ``dst`` (B, n) in input order."""
    n = src.shape[0]
    for l in range(rows):
        for q in range(n):
            dst[lo + l, orig[q, l]] = src[q, l]


@njit(**_JIT)
def _geometry(X, scale, D, CNT, LD, LN, LF) -> None:
    """Per lane: ``D[k, j] = |x_k − x_j| / Δ`` with its logarithms ``log d``, ``log(1/2 − d/2)``
    and ``log(1/2 + d/2)`` (once per pair), and for sorted slots ``a < b`` with ``x_a < x_b``
    ``CNT[a, b]``: how many voters lie strictly left of the pair's midpoint."""
    n = X.shape[0]
    for k in range(n):
        for j in range(k, n):
            for l in range(LANES):
                d = abs(X[k, l] - X[j, l]) / scale[l]
                ld = _log(d)
                ln = _log(0.5 - 0.5 * d)
                lf = _log(0.5 + 0.5 * d)
                D[k, j, l] = d
                LD[k, j, l] = ld
                LN[k, j, l] = ln
                LF[k, j, l] = lf
                D[j, k, l] = d
                LD[j, k, l] = ld
                LN[j, k, l] = ln
                LF[j, k, l] = lf
    for a in range(n):
        for b in range(a + 1, n):
            for l in range(LANES):
                CNT[a, b, l] = a + 1
            for q in range(a + 1, b):
                for l in range(LANES):
                    CNT[a, b, l] += X[q, l] < 0.5 * (X[a, l] + X[b, l])


@njit(**_JIT)
def _prefix_sums(W, M, LM, rho, powered, PF) -> None:
    """``PF[q, col] = Σ_{k<q} w_k v[k, col]`` over the sorted voters, with ``v = M`` or, with
    ``powered``, ``v[k, col] = M[k, col] ** ρ_k`` from ``LM = log M``."""
    n = W.shape[0]
    for col in range(n):
        for l in range(LANES):
            PF[0, col, l] = 0.0
    for q in range(n):
        for col in range(n):
            for l in range(LANES):
                v = _power(M[q, col, l], LM[q, col, l], rho[q, l]) if powered else M[q, col, l]
                PF[q + 1, col, l] = PF[q, col, l] + W[q, l] * v


@njit(**_JIT)
def _vote_numerators(X, W, M, LM, rho, powered, CNT, PF, NUM, total) -> None:
    """``NUM[a, b] = Σ_k w_k max(0, v[k, b] − v[k, a])`` per lane; ``total[l] = 1 / (2 Σ NUM)`` (0 if the sum is 0).

    The vote terms are ``v = M`` (linear) or, with ``powered``, ``v[k, l] = M[k, l] ** ρ_k``
    from ``LM = log M``. ``v[k, l]`` increases with ``|x_k − x_l|``, so the voters
    preferring a to b are those nearer to a: the sorted slots left of the midpoint when
    ``x_a < x_b``. Each pair's sum is a difference of prefix sums ``PF`` over the voters.
    """
    n = X.shape[0]
    _prefix_sums(W, M, LM, rho, powered, PF)
    for l in range(LANES):
        total[l] = 0.0
    for a in range(n):
        for l in range(LANES):
            NUM[a, a, l] = 0.0
        for b in range(a + 1, n):
            for l in range(LANES):
                m = CNT[a, b, l]
                left = PF[m, b, l] - PF[m, a, l]
                right = (PF[n, a, l] - PF[m, a, l]) - (PF[n, b, l] - PF[m, b, l])
                apart = X[a, l] < X[b, l]
                ab = max(left, 0.0) if apart else 0.0
                ba = max(right, 0.0) if apart else 0.0
                NUM[a, b, l] = ab
                NUM[b, a, l] = ba
                total[l] += ab + ba
    for l in range(LANES):
        total[l] = 0.0 if total[l] == 0 else 1.0 / (2 * total[l])


@njit(**_JIT)
def _linear_danger(X, S, W, D, CNT, PF, NUM, danger, wins, dist) -> None:
    """Pass 1 of a scholz round (``r ≡ 1``, linear votes): the danger sums ``S_i = Σ_{j≠i} EU(j→i)``.

    With ``U^s = 2d`` and ``U^f = −2d``, ``S_i = (2 − 4 s_i) Σ_j d_ij + s_i Σ_j P(j beats i) · 4 d_ij``
    (``wins`` and ``dist`` are scratch).
    """
    n = X.shape[0]
    inv_z = np.empty(LANES)
    _vote_numerators(X, W, D, D, S, False, CNT, PF, NUM, inv_z)
    wins[:, :] = 0.0
    dist[:, :] = 0.0
    for a in range(n):
        for b in range(a + 1, n):
            for l in range(LANES):
                d = D[a, b, l]
                wins[b, l] += NUM[a, b, l] * 4 * d
                wins[a, l] += NUM[b, a, l] * 4 * d
                dist[a, l] += d
                dist[b, l] += d
    for l in range(LANES):
        for i in range(n):
            danger[i, l] = (2 - 4 * S[i, l]) * dist[i, l] + S[i, l] * wins[i, l] * inv_z[l]


@njit(**_JIT)
def _risk_exponents(danger, r) -> None:
    """r from the danger sums S (``docs/methods/bdm.md``, "Risk") per lane; r ≡ 1 where S_max and S_min
    are equal within the decision tolerance."""
    n = danger.shape[0]
    for l in range(LANES):
        smax = danger[0, l]
        smin = danger[0, l]
        for i in range(1, n):
            smax = max(smax, danger[i, l])
            smin = min(smin, danger[i, l])
        span = smax - smin
        flat = span <= DECISION_TOL * max(1.0, max(abs(smax), abs(smin)))
        for i in range(n):
            big_r = 0.0 if flat else (2 * danger[i, l] - smax - smin) / span
            r[i, l] = (1 - big_r / 3) / (1 + big_r / 3)


@njit(cache=True, nogil=True, error_model="numpy")
def _median_cost(X, Wst, p, cost) -> None:
    """``cost[l] = Σ_k w_k |x_k − x_p|`` per lane, summed in input order without fused multiply-adds."""
    n = X.shape[0]
    for l in range(LANES):
        cost[l] = 0.0
    for k in range(n):
        for l in range(LANES):
            cost[l] += Wst[k, l] * abs(X[k, l] - X[p, l])


@njit(cache=True, nogil=True, error_model="numpy")
def _median_mean(X, Wst, median, mean, cost, best) -> None:
    """Per lane, actors in input order: ``Σwx/Σw`` clipped to the range, and the median: the
    first actor in input order whose cost ``Σ w|x_k − p|`` lies within ``DECISION_TOL·Δ·Σw``
    of the least cost (``Δ`` the lane's current range of positions). Sums run in input
    order without fused multiply-adds, as in a plain loop."""
    n = X.shape[0]
    for l in range(LANES):
        num = 0.0
        den = 0.0
        lo = X[0, l]
        hi = X[0, l]
        for k in range(n):
            num += Wst[k, l] * X[k, l]
            den += Wst[k, l]
            lo = min(lo, X[k, l])
            hi = max(hi, X[k, l])
        mean[l] = min(max(num / den, lo), hi)
        median[l] = DECISION_TOL * (hi - lo) * den  # the cost tolerance, until the median is known
        best[l] = np.inf
    for p in range(n):
        _median_cost(X, Wst, p, cost)
        for l in range(LANES):
            best[l] = min(best[l], cost[l])
    for l in range(LANES):
        best[l] += median[l]
        median[l] = np.nan
    for p in range(n):
        _median_cost(X, Wst, p, cost)
        for l in range(LANES):
            take = (cost[l] <= best[l]) & np.isnan(median[l])
            median[l] = X[p, l] if take else median[l]


@njit(**_JIT)
def _eu(s_target, p, u_s, u_f, u_sq) -> float:
    """EU of a challenge (``docs/methods/bdm.md``, "Expected utility", Q = 1): ``s(P·U^s + (1−P)·U^f) + (1−s)·U^s − U^sq``."""
    return s_target * (p * u_s + (1 - p) * u_f) + (1 - s_target) * u_s - u_sq


# --------------------------------------------------------------------------- scholz


@njit(**_JIT)
def _scholz_block(V, scale, F, PF, CNT, inv_z) -> None:
    """Scholz round quantities of a loaded block: ``r`` into ``V[_R]``; the pass-2 vote
    numerators in ``F[_NUM]`` with ``inv_z = 1/Z``; the pair logs in ``F[_LN]``, ``F[_LF]``."""
    X, S, W, r, danger = V[_X], V[_S], V[_W], V[_R], V[_DANGER]
    n = X.shape[0]
    D, NUM = F[_D], F[_NUM]
    _geometry(X, scale, D, CNT, F[_LD], F[_LN], F[_LF])
    # pass 1: r ≡ 1, linear votes
    _linear_danger(X, S, W, D, CNT, PF, NUM, danger, V[_ER], V[_EP])
    _risk_exponents(danger, r)
    # pass 2: every distance term raised to the exponent of the actor it is seen from
    _vote_numerators(X, W, D, F[_LD], r, True, CNT, PF, NUM, inv_z)
    for k in range(n):
        for l in range(LANES):
            danger[k, l] = 2 - 4 * 0.5 ** r[k, l]  # U^sq of receiver k


@njit(**_JIT)
def _scholz_row(k, V, F, inv_z, a_row, b_row) -> None:
    """Receiver k's row: ``a_row[j] = a[k, j] = EU(k→j)``, ``b_row[j] = b[k, j] = EU(j→k)``, both with ``r_k``."""
    S, r, usq = V[_S], V[_R], V[_DANGER]
    D, NUM, LN, LF = F[_D], F[_NUM], F[_LN], F[_LF]
    n = S.shape[0]
    for j in range(n):
        for l in range(LANES):
            d = D[k, j, l]
            u_s = 2 - 4 * _power(0.5 - 0.5 * d, LN[k, j, l], r[k, l])
            u_f = 2 - 4 * _power(0.5 + 0.5 * d, LF[k, j, l], r[k, l])
            a_row[j, l] = _eu(S[j, l], NUM[k, j, l] * inv_z[l], u_s, u_f, usq[k, l])
            b_row[j, l] = _eu(S[k, l], NUM[j, k, l] * inv_z[l], u_s, u_f, usq[k, l])


@njit(**_JIT)
def _scholz_matrices(V, F, inv_z) -> None:
    """``F[_A] = a[k, j]`` and ``F[_B] = b[k, j]`` for every pair (for inspection)."""
    for k in range(V.shape[1]):
        _scholz_row(k, V, F, inv_z, F[_A, k], F[_B, k])


@njit(**_JIT)
def _pair_options(X, A, B, k, j, l, tol_x):
    """For receiver k and proposer j in lane l: whether k loses a confrontation to j, whether it
    would compromise with j (``docs/methods/bdm.md``, "A round"; every comparison with the
    decision tolerance), their distance and the compromise's key."""
    xk = X[k, l]
    xj = X[j, l]
    a = A[j, l]
    b = B[j, l]
    gap = abs(xk - xj)
    differ = gap > tol_x
    conf = differ & (a > DECISION_TOL) & (b > a + DECISION_TOL)
    comp = differ & (a < -DECISION_TOL) & (b > -a + DECISION_TOL)
    return conf, comp, gap, (abs(a) * xk + abs(b) * xj) / (abs(a) + abs(b))


@njit(**_JIT)
def _scholz_choose(V, orig, F, inv_z, scale, partner, kind) -> None:
    """Each receiver's move: the nearest lost confrontation, else the compromise of smallest key.
    Among options within the tolerance of the best (``DECISION_TOL·Δ``) the first proposer in
    input order wins: a first pass finds the exact best, a second the first option near it,
    so the choice does not depend on the order of the scan. Each receiver's utilities are
    computed row by row (in ``F[_A, 0]``, ``F[_B, 0]``), which keeps them in cache."""
    A, B = F[_A, 0], F[_B, 0]
    X, NX, ER, EP, OF = V[_X], V[_NX], V[_ER], V[_EP], V[_ORIG]
    n = X.shape[0]
    # the running choices are kept as floats (slot and input index) so that every
    # select in the loop is a float vector operation
    gap_best = np.empty(LANES)
    key_best = np.empty(LANES)
    conf_f = np.empty(LANES)
    comp_f = np.empty(LANES)
    conf_first = np.empty(LANES)
    comp_first = np.empty(LANES)
    conf = np.empty(LANES, dtype=np.int64)
    comp = np.empty(LANES, dtype=np.int64)
    for k in range(n):
        _scholz_row(k, V, F, inv_z, A, B)
        for l in range(LANES):
            gap_best[l] = np.inf
            key_best[l] = np.inf
            conf_f[l] = -1.0
            comp_f[l] = -1.0
            conf_first[l] = n
            comp_first[l] = n
        for j in range(n):
            for l in range(LANES):
                is_conf, is_comp, gap, key = _pair_options(X, A, B, k, j, l, DECISION_TOL * scale[l])
                gap_best[l] = min(gap_best[l], gap) if is_conf else gap_best[l]
                key_best[l] = min(key_best[l], key) if is_comp else key_best[l]
        for l in range(LANES):
            gap_best[l] += DECISION_TOL * scale[l]
            key_best[l] += DECISION_TOL * scale[l]
        for j in range(n):
            jf = float(j)
            for l in range(LANES):
                is_conf, is_comp, gap, key = _pair_options(X, A, B, k, j, l, DECISION_TOL * scale[l])
                oj = OF[j, l]
                take = is_conf & (gap <= gap_best[l]) & (oj < conf_first[l])
                conf_f[l] = jf if take else conf_f[l]
                conf_first[l] = oj if take else conf_first[l]
                take = is_comp & (key <= key_best[l]) & (oj < comp_first[l])
                comp_f[l] = jf if take else comp_f[l]
                comp_first[l] = oj if take else comp_first[l]
        for l in range(LANES):
            conf[l] = int(conf_f[l])
            comp[l] = int(comp_f[l])
        for l in range(LANES):
            j = conf[l] if conf[l] >= 0 else comp[l]
            if j < 0:
                kind[k, l] = NONE
                partner[k, l] = -1
                NX[k, l] = X[k, l]
                ER[k, l] = 0.0
                EP[k, l] = 0.0
                continue
            a = A[j, l]
            b = B[j, l]
            partner[k, l] = orig[j, l]
            ER[k, l] = a
            EP[k, l] = b
            if conf[l] >= 0:
                kind[k, l] = CONFRONTATION
                NX[k, l] = X[j, l]
            else:
                kind[k, l] = COMPROMISE
                NX[k, l] = X[k, l] + (X[j, l] - X[k, l]) * abs(a / b)


# --------------------------------------------------------------------------- masad


@njit(**_JIT)
def _masad_block(V, orig, scale, Q, T, F, PF, CNT, lane) -> None:
    """Masad round quantities of a loaded block: pass-0 ``r`` into ``V[_R]``, ``E1`` (pass 1) into
    ``F[_A]`` and ``E[i, j] = EU(i→j)`` into ``F[_B]``."""
    X, S, W, _Wst, r, danger = V[_X], V[_S], V[_W], V[_WST], V[_R], V[_DANGER]
    n = X.shape[0]
    D, P, G = F[_D], F[_NUM], F[_GAP]
    inv_z, cost, median, mean, best = lane[1], lane[2], lane[3], lane[4], lane[5]
    _geometry(X, scale, D, CNT, F[_LD], F[_LN], F[_LF])
    for k in range(n):
        for j in range(n):
            for l in range(LANES):
                G[k, j, l] = abs(X[k, l] - X[j, l])
    _vote_numerators(X, W, G, G, r, False, CNT, PF, P, inv_z)
    # P(i beats j) = max(0, N[i,j] − N[j,i]) / (N[i,j] + N[j,i]), 0 when the denominator is 0
    for i in range(n):
        for j in range(i + 1, n):
            for l in range(LANES):
                fwd = P[i, j, l]
                bwd = P[j, i, l]
                den = fwd + bwd
                inv = 0.0 if den == 0 else 1.0 / den
                P[i, j, l] = max(fwd - bwd, 0.0) * inv
                P[j, i, l] = max(bwd - fwd, 0.0) * inv
    # pass 1: r ≡ 1, μ = weighted median
    _median_mean(V[_UX], V[_UW], median, mean, cost, best)
    E1 = F[_A]
    danger[:, :] = 0.0
    for i in range(n):
        for j in range(n):
            for l in range(LANES):
                d = D[i, j, l]
                eu = _eu(S[j, l], P[i, j, l], 2 - 4 * (0.5 - 0.5 * d), 2 - 4 * (0.5 + 0.5 * d), 0.0)
                base = 0.25 * (abs(X[i, l] - median[l]) / scale[l] + d)
                u_b = 2 - 4 * (0.5 - base)
                u_w = 2 - 4 * (0.5 + base)
                eu = eu - (1 - Q) * (T * u_b + (1 - T) * u_w) if Q != 1 else eu
                eu = 0.0 if i == j else eu
                E1[i, j, l] = eu
                danger[j, l] += eu
    _risk_exponents(danger, r)
    # pass 2: each challenger's own r_i, μ = weighted mean
    LN, LF, E = F[_LN], F[_LF], F[_B]
    for i in range(n):
        for l in range(LANES):
            danger[i, l] = 2 - 4 * 0.5 ** r[i, l]  # U^sq of challenger i
        for j in range(n):
            for l in range(LANES):
                d = D[i, j, l]
                u_s = 2 - 4 * _power(0.5 - 0.5 * d, LN[i, j, l], r[i, l])
                u_f = 2 - 4 * _power(0.5 + 0.5 * d, LF[i, j, l], r[i, l])
                E[i, j, l] = _eu(S[j, l], P[i, j, l], u_s, u_f, danger[i, l])
    if Q != 1:
        # U^b and U^w around the weighted mean, with the challenger's exponent
        for i in range(n):
            for j in range(n):
                for l in range(LANES):
                    base = 0.25 * (abs(X[i, l] - mean[l]) / scale[l] + D[i, j, l])
                    u_b = 2 - 4 * _power(0.5 - base, _log(0.5 - base), r[i, l])
                    u_w = 2 - 4 * _power(0.5 + base, _log(0.5 + base), r[i, l])
                    usq = danger[i, l]
                    E[i, j, l] += usq - (Q * usq + (1 - Q) * (T * u_b + (1 - T) * u_w))


@njit(**_JIT)
def _masad_offer(X, E, i, j, l, tol_x):
    """Whether sender i makes target j an offer in lane l (another position, ``E[i, j]`` above the
    tolerance), with ``E[i, j]`` and their distance."""
    e = E[i, j, l]
    gap = abs(X[j, l] - X[i, l])
    return (gap > tol_x) & (e > DECISION_TOL), e, gap


@njit(**_JIT)
def _masad_choose(V, orig, E, scale, partner, kind) -> None:
    """Each target takes the offer of largest sender EU, then the nearest sender, then the first
    in input order; "largest" and "nearest" within the decision tolerance of the exact best
    (three passes, so the choice does not depend on the order of the scan)."""
    X, NX, ER, EP = V[_X], V[_NX], V[_ER], V[_EP]
    n = X.shape[0]
    best = np.empty(LANES)
    gap_best = np.empty(LANES)
    sender = np.empty(LANES, dtype=np.int64)
    sender_first = np.empty(LANES, dtype=np.int64)  # input index of the current choice
    for j in range(n):
        for l in range(LANES):
            best[l] = -np.inf
            gap_best[l] = np.inf
            sender[l] = -1
            sender_first[l] = n
        for i in range(n):
            for l in range(LANES):
                offer, e, gap = _masad_offer(X, E, i, j, l, DECISION_TOL * scale[l])
                best[l] = max(best[l], e) if offer else best[l]
        for i in range(n):
            for l in range(LANES):
                offer, e, gap = _masad_offer(X, E, i, j, l, DECISION_TOL * scale[l])
                offer = offer & (e >= best[l] - DECISION_TOL)
                gap_best[l] = min(gap_best[l], gap) if offer else gap_best[l]
        for i in range(n):
            for l in range(LANES):
                offer, e, gap = _masad_offer(X, E, i, j, l, DECISION_TOL * scale[l])
                oi = orig[i, l]
                take = offer & (e >= best[l] - DECISION_TOL) & (gap <= gap_best[l] + DECISION_TOL * scale[l]) & (oi < sender_first[l])
                sender[l] = i if take else sender[l]
                sender_first[l] = oi if take else sender_first[l]
        for l in range(LANES):
            i = sender[l]
            event = NONE
            es = 0.0
            et = 0.0
            if i >= 0:
                es = E[i, j, l]
                et = E[j, i, l]
                if et > DECISION_TOL and es > et + DECISION_TOL:
                    event = CONFRONTATION
                elif et < -DECISION_TOL and es > -et + DECISION_TOL:
                    event = COMPROMISE
                elif et < -DECISION_TOL and -et > es + DECISION_TOL:
                    event = CAPITULATION
            kind[j, l] = event
            if event == NONE:
                partner[j, l] = -1
                NX[j, l] = X[j, l]
                ER[j, l] = 0.0
                EP[j, l] = 0.0
            else:
                partner[j, l] = orig[i, l]
                ER[j, l] = et
                EP[j, l] = es
                NX[j, l] = X[j, l] + (X[i, l] - X[j, l]) * abs(et / es) if event == COMPROMISE else X[i, l]


# --------------------------------------------------------------------------- batch entry points


@njit(parallel=True, **_JIT)
def play_round(variant, x, s, w, wstat, scale, Q, T, chunks, new_x, r, partner, kind, eu_r, eu_p, median, mean) -> None:
    """One round of ``variant`` (0 scholz, 1 masad) for every row of ``x`` ``(B, n)``.

    Writes the new positions, the risk exponents, each actor's partner (−1: none), event
    kind and the two deciding utilities, and the weighted median and mean of the new
    positions. ``chunks`` is the number of parallel work units.
    """
    bsz, n = x.shape
    blocks = (bsz + LANES - 1) // LANES
    for c in prange(chunks):
        F, PF, CNT, V, J, lane = workspace(n)
        orig, part, kd = J[0], J[2], J[3]
        for blk in range(c * blocks // chunks, (c + 1) * blocks // chunks):
            lo = blk * LANES
            rows = min(LANES, bsz - lo)
            _load_sorted(x, s, w, wstat, scale, lo, rows, V, J, lane)
            if variant == 0:
                _scholz_block(V, lane[0], F, PF, CNT, lane[1])
                _scholz_choose(V, orig, F, lane[1], lane[0], part, kd)
            else:
                _masad_block(V, orig, lane[0], Q, T, F, PF, CNT, lane)
                _masad_choose(V, orig, F[_B], lane[0], part, kd)
            # statistics of the new positions, in input order
            for q in range(n):
                for l in range(LANES):
                    V[_UX, orig[q, l], l] = V[_NX, q, l]
            _median_mean(V[_UX], V[_UW], lane[3], lane[4], lane[2], lane[5])
            _store_sorted(V[_NX], orig, new_x, lo, rows)
            _store_sorted(V[_R], orig, r, lo, rows)
            _store_sorted(V[_ER], orig, eu_r, lo, rows)
            _store_sorted(V[_EP], orig, eu_p, lo, rows)
            _store_sorted(part, orig, partner, lo, rows)
            _store_sorted(kd, orig, kind, lo, rows)
            for l in range(rows):
                median[lo + l] = lane[3, l]
                mean[lo + l] = lane[4, l]


@njit(**_JIT)
def statistics(x, wstat, median, mean) -> None:
    """The weighted median ``μ_med`` and the weighted mean of every row of ``x`` ``(B, n)``."""
    bsz, n = x.shape
    X = np.empty((n, LANES))
    Wst = np.empty((n, LANES))
    lane = np.empty((4, LANES))
    for lo in range(0, bsz, LANES):
        rows = min(LANES, bsz - lo)
        for l in range(LANES):
            row = lo + min(l, rows - 1)
            for i in range(n):
                X[i, l] = x[row, i]
                Wst[i, l] = wstat[row, i]
        _median_mean(X, Wst, lane[0], lane[1], lane[2], lane[3])
        for l in range(rows):
            median[lo + l] = lane[0, l]
            mean[lo + l] = lane[1, l]


@njit(**_JIT)
def utilities(variant, x, s, w, wstat, scale, Q, T, r, first, second) -> None:
    """Round-1 quantities of every row for inspection: ``r``, and ``a``/``b`` (scholz) or ``E1``/``E`` (masad).

    ``first`` and ``second`` have shape ``(B, n, n)``, in input order.
    """
    bsz, n = x.shape
    F, PF, CNT, V, J, lane = workspace(n)
    orig = J[0]
    for lo in range(0, bsz, LANES):
        rows = min(LANES, bsz - lo)
        _load_sorted(x, s, w, wstat, scale, lo, rows, V, J, lane)
        if variant == 0:
            _scholz_block(V, lane[0], F, PF, CNT, lane[1])
            _scholz_matrices(V, F, lane[1])
        else:
            _masad_block(V, orig, lane[0], Q, T, F, PF, CNT, lane)
        _store_sorted(V[_R], orig, r, lo, rows)
        for l in range(rows):
            for i in range(n):
                for j in range(n):
                    first[lo + l, orig[i, l], orig[j, l]] = F[_A, i, j, l]
                    second[lo + l, orig[i, l], orig[j, l]] = F[_B, i, j, l]


@njit(**_JIT)
def linear_vote_numerators(x, w, scale):
    """For one row: ``N[a, b] = Σ_k w_k max(0, d_kb − d_ka)`` with ``d = |x_k − x_l| / Δ``
    (input order), and ``Z = 2 Σ N``."""
    n = x.size
    F, PF, CNT, V, J, lane = workspace(n)
    rows = np.empty((1, n))
    rows[0] = x
    weights = np.empty((1, n))
    weights[0] = w
    _load_sorted(rows, rows, weights, weights, np.full(1, scale), 0, 1, V, J, lane)
    _geometry(V[_X], lane[0], F[_D], CNT, F[_LD], F[_LN], F[_LF])
    _vote_numerators(V[_X], V[_W], F[_D], F[_D], V[_R], False, CNT, PF, F[_NUM], lane[1])
    orig = J[0]
    out = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            out[orig[i, 0], orig[j, 0]] = F[_NUM, i, j, 0]
    inv = lane[1, 0]
    return out, (0.0 if inv == 0 else 1.0 / inv)
