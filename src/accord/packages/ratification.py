"""Two-level ratification (docs/methods/ratification.md): stages, ratifiers, acceptance probabilities and win-sets."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.special import betainc, expit, logit

from accord.errors import ModelError
from accord.packages.space import PackageModel


@dataclass(frozen=True)
class Context:
    """The packages under evaluation: option-index rows and their utility matrix."""

    model: PackageModel
    choices: np.ndarray
    U: np.ndarray

    @classmethod
    def of(cls, model: PackageModel, choices: np.ndarray | None = None) -> Context:
        """All packages (enumerated) or the given option-index rows."""
        if choices is None:
            idx = np.arange(model.n_packages, dtype=np.int64)
            choices = model.choices(idx)
            return cls(model, choices, model.utility_matrix())
        ch = np.atleast_2d(np.asarray(choices, dtype=np.int64))
        return cls(model, ch, model.utilities_of(ch))


# -- elementary probabilities -------------------------------------------------------------

def threshold_prob(u: np.ndarray, tau: float, strict: bool = False) -> np.ndarray:
    """1[u ≥ τ] (or u > τ with ``strict``) as floats."""
    u = np.asarray(u)
    return ((u > tau) if strict else (u >= tau)).astype(float)


def logistic_prob(u: np.ndarray, tau: float, b: float) -> np.ndarray:
    """σ((u − τ)/b); b must be positive."""
    if not b > 0:
        raise ModelError(f"logistic temperature must be > 0, got {b}")
    return expit((np.asarray(u, dtype=float) - tau) / b)


def voting_body_prob(p: np.ndarray, weights: Sequence[float] | None, quota: float,
                     veto: Sequence[int] = ()) -> np.ndarray:
    """Pr(the body accepts): veto members must accept and the others' accepting weight must reach the rest of the quota.

    ``p`` is members × packages (or a vector of members); weights must be integers.
    """
    P = np.asarray(p, dtype=float)
    single = P.ndim == 1
    if single:
        P = P[:, None]
    m = P.shape[0]
    w = np.ones(m, dtype=np.int64) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (m,) or np.any(w < 0) or np.any(w != np.round(w)):
        raise ModelError("voting weights must be one non-negative integer per member")
    w = w.astype(np.int64)
    if np.any((P < 0) | (P > 1)) or not np.all(np.isfinite(P)):
        raise ModelError("member acceptance probabilities must lie in [0, 1]")
    vset = sorted(set(int(v) for v in veto))
    if any(v < 0 or v >= m for v in vset):
        raise ModelError("veto member out of range")
    out = np.ones(P.shape[1])
    for v in vset:
        out *= P[v]
    rest = [i for i in range(m) if i not in vset]
    need = float(quota) - float(w[vset].sum())
    total = int(w[rest].sum())
    if need <= 0:
        res = out
    elif need > total:
        res = np.zeros(P.shape[1])
    else:
        dist = np.zeros((total + 1, P.shape[1]))
        dist[0] = 1.0
        hi = 0
        for i in rest:
            wi = int(w[i])
            if wi == 0:
                continue
            new = dist * (1 - P[i])
            new[wi : hi + wi + 1] += dist[: hi + 1] * P[i]
            dist = new
            hi += wi
        start = int(math.ceil(need))
        res = out * dist[start:].sum(axis=0)
    res = np.clip(res, 0.0, 1.0)
    return res[0:1].reshape(()) if single else res


def referendum_prob(yes: np.ndarray | float, no: np.ndarray | float, n: np.ndarray | float, deff: float = 2.0,
                    lam: float | None = None, quorum: float | None = None, turnout: float | None = None,
                    turnout_n: float | None = None) -> np.ndarray:
    """Pr(yes share > 1/2) with Y ~ Beta(ŷ n_eff, (1 − ŷ) n_eff), ŷ = a + λ·undecided, times Pr(T ≥ quorum)."""
    a = np.asarray(yes, dtype=float)
    r = np.asarray(no, dtype=float)
    if np.any(a < 0) or np.any(r < 0) or np.any(a + r > 1 + 1e-12):
        raise ModelError("poll shares must be >= 0 with yes + no <= 1")
    if deff <= 0:
        raise ModelError("design effect must be > 0")
    und = np.clip(1 - a - r, 0, 1)
    if lam is None:
        lamv = np.divide(a, a + r, out=np.full_like(a + r, 0.5), where=(a + r) > 0)
    else:
        if not 0 <= lam <= 1:
            raise ModelError("undecided split must lie in [0, 1]")
        lamv = np.full_like(a, lam)
    yhat = np.clip(a + lamv * und, 0.0, 1.0)
    neff = np.asarray(n, dtype=float) / deff
    if np.any(neff <= 0):
        raise ModelError("poll size must be > 0")
    alpha = yhat * neff
    beta = (1 - yhat) * neff
    with np.errstate(all="ignore"):
        p = np.where(yhat >= 1, 1.0, np.where(yhat <= 0, 0.0,
                     betainc(np.maximum(beta, 1e-300), np.maximum(alpha, 1e-300), 0.5)))
    if quorum is not None:
        p = p * turnout_prob(quorum, turnout, turnout_n)
    return np.nan_to_num(np.asarray(p, dtype=float), nan=0.0)


def turnout_prob(quorum: float, turnout: float | None, turnout_n: float | None) -> float:
    """Pr(T ≥ quorum) for fixed turnout, or T ~ Beta(t·n, (1 − t)·n)."""
    if turnout is None:
        raise ModelError("a turnout quorum needs an expected turnout")
    if turnout_n is None:
        return float(turnout >= quorum)
    return float(betainc(turnout * turnout_n, (1 - turnout) * turnout_n, 1.0) - betainc(turnout * turnout_n, (1 - turnout) * turnout_n, quorum))


# -- stages ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class ThresholdStage:
    """Accept iff the party's utility reaches τ."""

    party: str
    tau: float
    strict: bool = False

    def prob(self, ctx: Context) -> np.ndarray:
        return threshold_prob(ctx.U[:, ctx.model.party_index(self.party)], self.tau, self.strict)


@dataclass(frozen=True)
class LogisticStage:
    """Accept with probability σ((u − τ)/b)."""

    party: str
    tau: float
    b: float

    def prob(self, ctx: Context) -> np.ndarray:
        return logistic_prob(ctx.U[:, ctx.model.party_index(self.party)], self.tau, self.b)


@dataclass(frozen=True)
class Member:
    """A member of a voting body: name, weight and its own acceptance stage."""

    name: str
    weight: float
    stage: object


@dataclass(frozen=True)
class VotingBody:
    """A parliament, cabinet or set of parties voting with a quota and veto holders."""

    members: tuple[Member, ...]
    quota: float
    veto: tuple[str, ...] = ()

    def prob(self, ctx: Context) -> np.ndarray:
        names = [m.name for m in self.members]
        P = np.stack([np.asarray(m.stage.prob(ctx), dtype=float) for m in self.members]) if self.members else np.zeros((0, len(ctx.U)))
        veto = [names.index(v) for v in self.veto]
        return voting_body_prob(P, [m.weight for m in self.members], self.quota, veto)


_RULE_INCL = re.compile(r"^\s*(?:(n\s*-\s*(\d+))|(\d+)\s*-?\s*of\s*-?\s*(?:n|\d+)|(n))\s*(?:incl(?:uding)?\s*\{([^}]*)\})?\s*$", re.I)


def compile_rule(rule: str, members: Sequence[str], weights: Sequence[float] | None = None) -> tuple[float, tuple[str, ...]]:
    """Quota and veto holders of a rule string: ``n-1 incl {a,b}``, ``k-of-n incl {a}``, ``unanimity``, ``majority``, ``2/3 weight``, ``quota 267``."""
    n = len(members)
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    total = float(w.sum())
    text = rule.strip().lower()
    if text in {"unanimity", "unanimous", "all"}:
        return float(total), ()
    if text in {"majority", "simple majority"}:
        return float(math.floor(total / 2) + 1), ()
    m = re.match(r"^\s*(\d+)\s*/\s*(\d+)\s*(?:weight|majority)?\s*$", text)
    if m:
        return float(math.ceil(total * int(m.group(1)) / int(m.group(2)) - 1e-12)), ()
    m = re.match(r"^\s*quota\s*([0-9.]+)\s*$", text)
    if m:
        return float(m.group(1)), ()
    m = _RULE_INCL.match(rule)
    if not m:
        raise ModelError(f"cannot read voting rule {rule!r}; use e.g. 'n-1 incl {{a,b}}', 'k-of-n', 'unanimity', 'majority', '2/3 weight', 'quota 267'")
    if m.group(1):
        quota = n - int(m.group(2))
    elif m.group(3):
        quota = int(m.group(3))
    else:
        quota = n
    veto: list[str] = []
    if m.group(5):
        for tok in [t.strip() for t in m.group(5).split(",") if t.strip()]:
            pos = re.match(r"^(\d+)(?:st|nd|rd|th)?$", tok)
            if tok in members:
                veto.append(tok)
            elif pos and 1 <= int(pos.group(1)) <= n:
                veto.append(members[int(pos.group(1)) - 1])
            else:
                raise ModelError(f"voting rule {rule!r} names unknown member {tok!r}")
    if weights is not None and not np.all(w == 1):
        raise ModelError("count rules ('n-1', 'k-of-n') need unit weights; use 'quota W' for weighted bodies")
    return float(quota), tuple(veto)


@dataclass(frozen=True)
class Poll:
    """A poll on a provision or package: packages matching ``match`` (issue -> allowed option indices)."""

    yes: float
    no: float
    n: float
    match: Mapping[int, frozenset[int]] = field(default_factory=dict)
    label: str = ""
    source: str = ""

    def matches(self, choices: np.ndarray) -> np.ndarray:
        ok = np.ones(choices.shape[0], dtype=bool)
        for k, allowed in self.match.items():
            ok &= np.isin(choices[:, k], np.fromiter(allowed, dtype=np.int64))
        return ok


@dataclass(frozen=True)
class ReferendumStage:
    """A popular vote: yes-shares from polls matching a package, else from a voter model fitted on the polls.

    A package matched by several polls takes the lowest yes-share (the binding
    provision). Unpolled packages: ŷ = σ(θ₀ + θ₁ (U_pop(x) − U_pop(x∅))) with U_pop
    the utility of ``population`` and U_pop(x∅) its reservation value; each poll
    is placed at the mean U_pop of the packages it matches.
    """

    polls: tuple[Poll, ...]
    population: str
    deff: float = 2.0
    lam: float | None = None
    quorum: float | None = None
    turnout: float | None = None
    turnout_n: float | None = None
    theta1: float = 10.0
    name: str = "referendum"

    def voter_model(self, model: PackageModel) -> tuple[float, float, float]:
        """(θ₀, θ₁, smallest n) of the population voter model fitted on the polls."""
        if not self.polls:
            raise ModelError(f"{self.name}: no poll data; give at least one poll (yes, no, n) for the referendum")
        i = model.party_index(self.population)
        ref = float(model.reservation[i])
        xs, ys = [], []
        for p in self.polls:
            total = 0.0
            for k, tab in enumerate(model.tables):
                allowed = sorted(p.match.get(k, range(tab.shape[1])))
                total += float(tab[i, allowed].mean())
            a, r = p.yes, p.no
            lam = self.lam if self.lam is not None else (a / (a + r) if a + r > 0 else 0.5)
            y = min(max(a + lam * max(0.0, 1 - a - r), 1e-6), 1 - 1e-6)
            xs.append(total - ref)
            ys.append(float(logit(y)))
        x = np.array(xs)
        y = np.array(ys)
        if len(x) >= 2 and np.ptp(x) > 1e-12:
            th1, th0 = np.polyfit(x, y, 1)
        else:
            th1 = self.theta1
            th0 = float(np.mean(y - th1 * x))
        return float(th0), float(th1), float(min(p.n for p in self.polls))

    def shares(self, ctx: Context) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(yes, no, n) per package after poll matching and the voter model."""
        th0, th1, nmin = self.voter_model(ctx.model)
        m = ctx.choices.shape[0]
        yes = np.full(m, np.nan)
        no = np.full(m, np.nan)
        n = np.full(m, np.nan)
        yhat_best = np.full(m, np.inf)
        for p in self.polls:
            hit = p.matches(ctx.choices)
            lam = self.lam if self.lam is not None else (p.yes / (p.yes + p.no) if p.yes + p.no > 0 else 0.5)
            yh = p.yes + lam * max(0.0, 1 - p.yes - p.no)
            better = hit & (yh < yhat_best)
            yes[better], no[better], n[better] = p.yes, p.no, p.n
            yhat_best[better] = yh
        free = np.isnan(yes)
        if free.any():
            i = ctx.model.party_index(self.population)
            ref = float(ctx.model.reservation[i])
            yes[free] = expit(th0 + th1 * (ctx.U[free, i].astype(float) - ref))
            no[free] = 1 - yes[free]
            n[free] = nmin
        return yes, no, n

    def prob(self, ctx: Context) -> np.ndarray:
        yes, no, n = self.shares(ctx)
        return referendum_prob(yes, no, n, self.deff, None if self.lam is None else self.lam,
                               self.quorum, self.turnout, self.turnout_n)


@dataclass(frozen=True)
class Ratifier:
    """One side's ratification procedure: ordered stages and the win-set threshold τ_j."""

    side: str
    stages: tuple[object, ...]
    tau: float = 0.5
    combine: str = "product"

    def prob(self, ctx: Context) -> np.ndarray:
        """P_j(x) = Π stages (independent) or min over stages (comonotone)."""
        if not self.stages:
            return np.ones(ctx.U.shape[0])
        ps = np.stack([np.asarray(s.prob(ctx), dtype=float) for s in self.stages])
        if self.combine == "product":
            return ps.prod(axis=0)
        if self.combine == "min":
            return ps.min(axis=0)
        raise ModelError(f"unknown stage combination {self.combine!r} (product or min)")


@dataclass(frozen=True)
class WinSets:
    """Ratification probabilities per side and overall, and the win-set masks."""

    sides: tuple[str, ...]
    prob: np.ndarray  # sides × packages
    p_all: np.ndarray
    member: np.ndarray  # sides × packages, P_j ≥ τ_j

    def sizes(self) -> dict[str, int]:
        return {s: int(self.member[j].sum()) for j, s in enumerate(self.sides)}


def win_sets(ratifiers: Sequence[Ratifier], ctx: Context) -> WinSets:
    """P_j, P_all and W_j(τ_j) for every package of the context."""
    if not ratifiers:
        ones = np.ones(ctx.U.shape[0])
        return WinSets((), np.zeros((0, len(ones))), ones, np.zeros((0, len(ones)), dtype=bool))
    P = np.stack([r.prob(ctx) for r in ratifiers])
    member = np.stack([P[j] >= r.tau for j, r in enumerate(ratifiers)])
    return WinSets(tuple(r.side for r in ratifiers), P, P.prod(axis=0), member)


def expected_utility(U: np.ndarray, p_all: np.ndarray, d: np.ndarray) -> np.ndarray:
    """EU_i(x) = P_all(x) u_i(x) + (1 − P_all(x)) d_i."""
    return p_all[:, None] * np.asarray(U, dtype=float) + (1 - p_all[:, None]) * np.asarray(d, dtype=float)[None, :]


def game_rule_body(model: PackageModel, veto: Sequence[str], rule: str = "n-1 incl {veto}", strict: bool = False) -> VotingBody:
    """The scorable-game rule as a voting body of the parties with threshold stages at their reservation values."""
    members = tuple(Member(p, 1.0, ThresholdStage(p, float(model.reservation[i]), strict)) for i, p in enumerate(model.parties))
    text = rule.replace("{veto}", "{" + ",".join(veto) + "}")
    quota, vset = compile_rule(text, list(model.parties))
    return VotingBody(members, quota, vset)
