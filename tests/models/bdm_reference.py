"""Plain-loop reference of the BDM expected-utility model (docs/methods/bdm.md), for tests only.

Written for clarity, straight from the specification text: one actor, one pair, one
triple at a time. The vectorised model in ``accord.models.bdm`` must agree with it.
Only the fixed-round mode is implemented here; stopping rules are tested on the paths.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RefMove:
    """One actor's move in one round."""

    receiver: int
    kind: str  # confrontation | compromise | capitulation
    partner: int
    new_x: float
    eu_receiver: float
    eu_partner: float


@dataclass
class RefRun:
    """Path of a reference run: positions[t], risk[t-1], medians[t], means[t], moves[t-1]."""

    positions: list[list[float]] = field(default_factory=list)
    risk: list[list[float]] = field(default_factory=list)
    medians: list[float] = field(default_factory=list)
    means: list[float] = field(default_factory=list)
    moves: list[list[RefMove]] = field(default_factory=list)


def weights_for_statistics(s: list[float], c: list[float]) -> list[float]:
    """w = c*s, or all ones when every weight is zero (the degenerate fallback)."""
    w = [ci * si for ci, si in zip(c, s)]
    if sum(w) == 0:
        return [1.0] * len(w)
    return w


def median_position(x: list[float], w: list[float]) -> float:
    """argmin over actor positions of sum_k w_k |x_k - p|; first actor in input order on ties."""
    best_value = None
    best_pos = x[0]
    for p in x:
        total = 0.0
        for xk, wk in zip(x, w):
            total += wk * abs(xk - p)
        if best_value is None or total < best_value:
            best_value = total
            best_pos = p
    return best_pos


def weighted_mean(x: list[float], w: list[float]) -> float:
    """Sum w x / sum w."""
    return sum(wi * xi for wi, xi in zip(w, x)) / sum(w)


def vote(x: list[float], w: list[float], r: list[float], delta: float, k: int, a: float, b: float) -> float:
    """v_k(a, b) = w_k [ (|x_k - b|/Delta)^r_k - (|x_k - a|/Delta)^r_k ]."""
    return w[k] * ((abs(x[k] - b) / delta) ** r[k] - (abs(x[k] - a) / delta) ** r[k])


def scholz_z(x: list[float], w: list[float], r: list[float], delta: float) -> float:
    """Z = sum over all actor triples (k, l, m) of |v_k(x_l, x_m)|."""
    n = len(x)
    z = 0.0
    for k in range(n):
        for l in range(n):
            for m in range(n):
                z += abs(vote(x, w, r, delta, k, x[l], x[m]))
    return z


def p_scholz(x, w, r, delta, z, i: int, j: int) -> float:
    """P(x_i beats x_j) in the scholz form."""
    if z == 0:
        return 0.0
    num = 0.0
    for k in range(len(x)):
        num += max(0.0, vote(x, w, r, delta, k, x[i], x[j]))
    return num / z


def p_masad(x, w, i: int, j: int) -> float:
    """P(x_i beats x_j) in the masad form: linear, pairwise denominator."""
    num = 0.0
    den = 0.0
    for k in range(len(x)):
        d = abs(x[k] - x[j]) - abs(x[k] - x[i])
        num += w[k] * d
        den += w[k] * abs(d)
    if den == 0:
        return 0.0
    return max(0.0, num) / den


def expected_utility(p: float, s_target: float, dij: float, rho: float, q: float = 1.0, t: float = 1.0, dmu: float = 0.0) -> float:
    """EU(i -> j) ("Expected utility") with distance dij = |x_i - x_j|/Delta and dmu = |x_i - mu|/Delta."""
    us = 2 - 4 * (0.5 - 0.5 * dij) ** rho
    uf = 2 - 4 * (0.5 + 0.5 * dij) ** rho
    usq = 2 - 4 * 0.5**rho
    eu = s_target * (p * us + (1 - p) * uf) + (1 - s_target) * us
    if q == 1:
        return eu - usq
    ub = 2 - 4 * (0.5 - 0.25 * (dmu + dij)) ** rho
    uw = 2 - 4 * (0.5 + 0.25 * (dmu + dij)) ** rho
    return eu - (q * usq + (1 - q) * (t * ub + (1 - t) * uw))


def risk_exponents(danger: list[float]) -> list[float]:
    """r_i from S_i ("Risk"); all ones when S_max == S_min."""
    smax = max(danger)
    smin = min(danger)
    out = []
    for si in danger:
        big_r = 0.0 if smax == smin else (2 * si - smax - smin) / (smax - smin)
        out.append((1 - big_r / 3) / (1 + big_r / 3))
    return out


def scholz_round(x: list[float], s: list[float], c: list[float], delta: float) -> tuple[list[float], list[float], list[RefMove]]:
    """One round of the scholz variant ("A round"): new positions, risk exponents, moves."""
    n = len(x)
    w = [ci * si for ci, si in zip(c, s)]
    ones = [1.0] * n
    z1 = scholz_z(x, w, ones, delta)
    danger = []
    for i in range(n):
        total = 0.0
        for j in range(n):
            if j == i:
                continue
            dij = abs(x[j] - x[i]) / delta
            total += expected_utility(p_scholz(x, w, ones, delta, z1, j, i), s[i], dij, 1.0)
        danger.append(total)
    r = risk_exponents(danger)
    z = scholz_z(x, w, r, delta)
    new_x = list(x)
    moves = []
    for k in range(n):
        best_conf = None  # (key, j, a, b)
        best_comp = None
        for j in range(n):
            if x[j] == x[k]:
                continue
            dkj = abs(x[k] - x[j]) / delta
            a = expected_utility(p_scholz(x, w, r, delta, z, k, j), s[j], dkj, r[k])
            b = expected_utility(p_scholz(x, w, r, delta, z, j, k), s[k], dkj, r[k])
            if b > a > 0:
                key = abs(x[k] - x[j])
                if best_conf is None or key < best_conf[0]:
                    best_conf = (key, j, a, b)
            elif b > 0 > a and b > abs(a):
                key = (abs(a) * x[k] + abs(b) * x[j]) / (abs(a) + abs(b))
                if best_comp is None or key < best_comp[0]:
                    best_comp = (key, j, a, b)
            # capitulation (b > 0 > a and b < |a|) is disabled in the scholz variant
        if best_conf is not None:
            _, j, a, b = best_conf
            new_x[k] = x[j]
            moves.append(RefMove(k, "confrontation", j, x[j], a, b))
        elif best_comp is not None:
            _, j, a, b = best_comp
            new_x[k] = x[k] + (x[j] - x[k]) * abs(a / b)
            moves.append(RefMove(k, "compromise", j, new_x[k], a, b))
    return new_x, r, moves


def masad_round(x: list[float], s: list[float], c: list[float], delta: float, q: float = 1.0, t: float = 1.0) -> tuple[list[float], list[float], list[RefMove]]:
    """One round of the masad variant ("A round"): new positions, pass-0 risk exponents, moves."""
    n = len(x)
    w = [ci * si for ci, si in zip(c, s)]
    wstat = weights_for_statistics(s, c)
    p = [[p_masad(x, w, i, j) for j in range(n)] for i in range(n)]

    def eu_matrix(r: list[float], mu: float) -> list[list[float]]:
        return [
            [
                expected_utility(p[i][j], s[j], abs(x[i] - x[j]) / delta, r[i], q, t, abs(x[i] - mu) / delta)
                for j in range(n)
            ]
            for i in range(n)
        ]

    e1 = eu_matrix([1.0] * n, median_position(x, wstat))
    danger = [sum(e1[j][i] for j in range(n) if j != i) for i in range(n)]
    r = risk_exponents(danger)
    e = eu_matrix(r, weighted_mean(x, wstat))
    new_x = list(x)
    moves = []
    for j in range(n):  # target
        best = None  # (e_s, distance, i)
        for i in range(n):  # sender, in input order
            if x[i] == x[j] or not e[i][j] > 0:
                continue
            cand = (e[i][j], abs(x[j] - x[i]), i)
            if best is None or cand[0] > best[0] or (cand[0] == best[0] and cand[1] < best[1]):
                best = cand
        if best is None:
            continue
        es, _, i = best
        et = e[j][i]
        if 0 < et < es:
            new_x[j] = x[i]
            moves.append(RefMove(j, "confrontation", i, x[i], et, es))
        elif et < 0 and abs(et) < es:
            new_x[j] = x[j] + (x[i] - x[j]) * abs(et / es)
            moves.append(RefMove(j, "compromise", i, new_x[j], et, es))
        elif et < 0 and abs(et) > es:
            new_x[j] = x[i]
            moves.append(RefMove(j, "capitulation", i, x[i], et, es))
    return new_x, r, moves


def run_reference(
    x: list[float],
    s: list[float],
    c: list[float],
    variant: str = "scholz",
    rounds: int = 10,
    bounds: tuple[float, float] | None = None,
    q: float = 1.0,
    t: float = 1.0,
) -> RefRun:
    """Run a fixed number of rounds; Delta is the initial range (scholz) or the bounds (masad)."""
    x = [float(v) for v in x]
    if variant == "scholz":
        delta = max(x) - min(x)
    else:
        lo, hi = bounds if bounds is not None else (min(x), max(x))
        delta = hi - lo
    wstat = weights_for_statistics(s, c)
    run = RefRun(positions=[list(x)], medians=[median_position(x, wstat)], means=[weighted_mean(x, wstat)])
    if max(x) == min(x) or len(x) < 2:  # documented degenerate case: nobody can move
        return run
    for _ in range(rounds):
        if variant == "scholz":
            x, r, moves = scholz_round(x, s, c, delta)
        else:
            x, r, moves = masad_round(x, s, c, delta, q, t)
        run.positions.append(list(x))
        run.risk.append(r)
        run.moves.append(moves)
        run.medians.append(median_position(x, wstat))
        run.means.append(weighted_mean(x, wstat))
    return run
