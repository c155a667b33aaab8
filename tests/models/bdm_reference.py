"""Plain-loop reference of the BDM expected-utility model (docs/methods/bdm.md), for tests only.

Written for clarity, straight from the specification text: one actor, one pair, one
triple at a time. The vectorised model in ``accord.models.bdm`` must agree with it.
Only the fixed-round mode is implemented here; stopping rules are tested on the paths.
Every comparison that decides an outcome uses the documented tolerance ``TOL`` (utilities
absolute, positions relative to the scale Δ) and the first-in-input-order tie rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from accord.models.bdm_kernels import DECISION_TOL as TOL


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
    """argmin over actor positions of sum_k w_k |x_k - p|: the first actor in input order whose
    cost is within TOL * (range of x) * sum(w) of the least cost."""
    costs = []
    for p in x:
        total = 0.0
        for xk, wk in zip(x, w):
            total += wk * abs(xk - p)
        costs.append(total)
    least = min(costs) + TOL * (max(x) - min(x)) * sum(w)
    for p, cost in zip(x, costs):
        if cost <= least:
            return p
    raise AssertionError("unreachable: the least cost is always within the tolerance")


def first_near_best(options: list[tuple[float, int, object]], tol: float) -> object:
    """Among ``(key, input index, payload)``: the payload of the first input index whose key is
    within ``tol`` of the smallest key."""
    least = min(key for key, _, _ in options) + tol
    return min((i, payload) for key, i, payload in options if key <= least)[1]


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
    """r_i from S_i ("Risk"); all ones when S_max and S_min are equal within TOL."""
    smax = max(danger)
    smin = min(danger)
    out = []
    for si in danger:
        flat = smax - smin <= TOL * max(1.0, abs(smax), abs(smin))
        big_r = 0.0 if flat else (2 * si - smax - smin) / (smax - smin)
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
        confrontations = []  # (key, j, (a, b))
        compromises = []
        for j in range(n):
            if abs(x[j] - x[k]) <= TOL * delta:
                continue
            dkj = abs(x[k] - x[j]) / delta
            a = expected_utility(p_scholz(x, w, r, delta, z, k, j), s[j], dkj, r[k])
            b = expected_utility(p_scholz(x, w, r, delta, z, j, k), s[k], dkj, r[k])
            if a > TOL and b > a + TOL:  # b > a > 0
                confrontations.append((abs(x[k] - x[j]), j, (a, b)))
            elif a < -TOL and b > -a + TOL:  # b > 0 > a and b > |a|
                compromises.append(((abs(a) * x[k] + abs(b) * x[j]) / (abs(a) + abs(b)), j, (a, b)))
            # capitulation (b > 0 > a and b < |a|) is disabled in the scholz variant
        if confrontations:
            j, a, b = first_near_best([(key, j, (j, a, b)) for key, j, (a, b) in confrontations], TOL * delta)
            new_x[k] = x[j]
            moves.append(RefMove(k, "confrontation", j, x[j], a, b))
        elif compromises:
            j, a, b = first_near_best([(key, j, (j, a, b)) for key, j, (a, b) in compromises], TOL * delta)
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
        offers = [i for i in range(n) if abs(x[i] - x[j]) > TOL * delta and e[i][j] > TOL]
        if not offers:
            continue
        top = max(e[i][j] for i in offers)
        offers = [i for i in offers if e[i][j] >= top - TOL]  # the largest sender EU, within TOL
        i = first_near_best([(abs(x[j] - x[i]), i, i) for i in offers], TOL * delta)  # then the nearest
        es = e[i][j]
        et = e[j][i]
        if et > TOL and es > et + TOL:  # 0 < e_t < e_s
            new_x[j] = x[i]
            moves.append(RefMove(j, "confrontation", i, x[i], et, es))
        elif et < -TOL and es > -et + TOL:  # e_t < 0 and |e_t| < e_s
            new_x[j] = x[j] + (x[i] - x[j]) * abs(et / es)
            moves.append(RefMove(j, "compromise", i, new_x[j], et, es))
        elif et < -TOL and -et > es + TOL:  # e_t < 0 and |e_t| > e_s
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
