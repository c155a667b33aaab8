"""Graph Model for Conflict Resolution (docs/methods/gmcr.md): DMs, options, feasible states, moves, preferences."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from accord.errors import ModelError
from accord.gmcr.moves import Moves
from accord.gmcr.option_moves import DIRECT_OPTIONS, OptionMoves

REVERSIBILITY = ("both", "forward", "backward")

# Sizes the analysis handles within a minute and well under 2 GB (docs/formats.md, "Limits";
# docs/methods/gmcr.md, section 4; benchmarks/bench_gmcr.py):
MAX_OPTIONS = 21  # binary options: arrays over all 2^m option codes
MAX_STATES = 2**21  # feasible states
MAX_WORK = 2**30  # steps of one stability pass, see check_size


def check_size(n_states: int, options_per_dm: Mapping[str, int] | None = None) -> None:
    """Refuse a model larger than :data:`MAX_STATES` states or, for option models (options per DM
    given), one whose analysis needs more than :data:`MAX_WORK` steps in one of its two costly parts:

    - the coalitions: every DM's sanctions scan the 2^m option codes once per other DM with
      options, a few times over: DMs × DMs with options × 2^m;
    - the improvements of a DM with k options (k above :data:`DIRECT_OPTIONS`): states × 2^⌈k/2⌉.
    """
    if n_states > MAX_STATES:
        raise ModelError(f"{n_states:,} states; limit {MAX_STATES:,}")
    if options_per_dm is None:
        return
    m = sum(options_per_dm.values())
    movers = sum(1 for k in options_per_dm.values() if k)
    scans = len(options_per_dm) * movers << m
    if scans > MAX_WORK:
        raise ModelError(
            f"{len(options_per_dm)} decision makers ({movers} with options) × 2^{m} option codes = {scans:,} "
            f"steps; limit {MAX_WORK:,} (fewer decision makers or options)")
    for dm, k in options_per_dm.items():
        steps = n_states << (k + 1) // 2
        if k > DIRECT_OPTIONS and steps > MAX_WORK:
            raise ModelError(
                f"decision maker {dm!r} with {k} options needs {n_states:,} states × 2^{(k + 1) // 2} = {steps:,} steps; "
                f"limit {MAX_WORK:,} (give it fewer options, or mark states infeasible)")


@dataclass(frozen=True)
class GMCRModel:
    """A graph model: DMs, their moves over feasible states, and preference scores (higher = preferred).

    ``scores[i, p]`` is DM i's preference score of the state at position p; equal
    scores mean indifference. ``codes`` are the decimal option codes (ascending;
    the state id is position + 1), or None for collapsed models with explicit states.
    """

    dms: tuple[str, ...]
    moves: tuple[Moves, ...] | tuple[OptionMoves, ...]
    scores: np.ndarray
    codes: np.ndarray | None = None
    options: tuple[str, ...] = ()
    owner: tuple[int, ...] = ()
    reversibility: tuple[str, ...] = ()
    state_names: tuple[str, ...] = ()
    name: str = ""
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.dms)
        if n < 2:
            raise ModelError("a graph model needs at least two decision makers")
        if len(set(self.dms)) != n:
            raise ModelError("decision maker ids must be unique")
        if len(self.moves) != n:
            raise ModelError("one move list per decision maker is needed")
        sc = np.asarray(self.scores)
        if sc.ndim != 2 or sc.shape[0] != n:
            raise ModelError("scores must be a (DMs × states) matrix")
        object.__setattr__(self, "scores", sc.astype(np.int64))
        for mv in self.moves:
            if mv.n_states != sc.shape[1]:
                raise ModelError("move lists do not match the number of states")

    @property
    def n_states(self) -> int:
        return int(self.scores.shape[1])

    def dm_index(self, dm: str) -> int:
        try:
            return self.dms.index(dm)
        except ValueError:
            raise ModelError(f"unknown decision maker {dm!r}; known: {', '.join(self.dms)}") from None

    def state_label(self, pos: int) -> str:
        """Readable form of a state: its name, or the options taken."""
        if self.state_names:
            return self.state_names[pos]
        if self.codes is not None and self.options:
            code = int(self.codes[pos])
            taken = [o for b, o in enumerate(self.options) if code >> b & 1]
            return "+".join(taken) if taken else "(none)"
        return str(pos + 1)


# -- building from options --------------------------------------------------------------------

def feasible_codes(n_options: int, infeasible: Sequence[Mapping[int, bool]] = ()) -> np.ndarray:
    """All option codes 0..2^m−1 minus those matching any infeasible partial assignment."""
    if n_options > MAX_OPTIONS:
        raise ModelError(f"{n_options} options; limit {MAX_OPTIONS} binary options")
    codes = np.arange(1 << n_options, dtype=np.int64)
    keep = np.ones(codes.size, dtype=bool)
    for pat in infeasible:
        mask = 0
        val = 0
        for o, v in pat.items():
            mask |= 1 << o
            if v:
                val |= 1 << o
        keep &= (codes & mask) != val
    return codes[keep]


# -- preferences --------------------------------------------------------------------------------

_TOKEN = re.compile(r"\s*(\(|\)|&|\||-|!|~|\bIF\b|\bif\b|[A-Za-z_][A-Za-z0-9_.]*)")


def _tokens(text: str) -> list[str]:
    pos = 0
    out = []
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ModelError(f"cannot read preference statement {text!r} near {text[pos:]!r}")
        out.append(m.group(1))
        pos = m.end()
    return out


def statement_truth(statement: str, codes: np.ndarray, options: Sequence[str]) -> np.ndarray:
    """Truth of an option-prioritisation statement in every state: literals ``o`` / ``-o``, ``&``, ``|``, ``A IF B``, parentheses."""
    toks = _tokens(statement)
    index = {o: b for b, o in enumerate(options)}
    pos = 0

    def peek() -> str | None:
        return toks[pos] if pos < len(toks) else None

    def take() -> str:
        nonlocal pos
        if pos >= len(toks):
            raise ModelError(f"preference statement {statement!r} ends too early")
        pos += 1
        return toks[pos - 1]

    def p_if() -> np.ndarray:
        a = p_or()
        if peek() is not None and peek().upper() == "IF":
            take()
            b = p_or()
            return ~b | a
        return a

    def p_or() -> np.ndarray:
        a = p_and()
        while peek() == "|":
            take()
            a = a | p_and()
        return a

    def p_and() -> np.ndarray:
        a = p_not()
        while peek() == "&":
            take()
            a = a & p_not()
        return a

    def p_not() -> np.ndarray:
        if peek() in ("-", "!", "~"):
            take()
            return ~p_not()
        if peek() == "(":
            take()
            a = p_if()
            if take() != ")":
                raise ModelError(f"unbalanced parenthesis in {statement!r}")
            return a
        tok = take()
        if tok not in index:
            raise ModelError(f"preference statement {statement!r} names unknown option {tok!r}")
        return (codes >> index[tok] & 1).astype(bool)

    result = p_if()
    if pos != len(toks):
        raise ModelError(f"unexpected {toks[pos]!r} in preference statement {statement!r}")
    return result


def prioritisation_scores(statements: Sequence[str], codes: np.ndarray, options: Sequence[str]) -> np.ndarray:
    """score(s) = Σ_k 2^(K−k) over statements true in s (first statement weighs most)."""
    K = len(statements)
    if K > 62:
        raise ModelError("at most 62 prioritisation statements are supported")
    score = np.zeros(codes.size, dtype=np.int64)
    for k, st in enumerate(statements, start=1):
        score += statement_truth(st, codes, options).astype(np.int64) << (K - k)
    return score


def ranking_scores(ranking: Sequence[Sequence[int] | int], n_states: int) -> np.ndarray:
    """Scores from a ranking with ties (state ids 1-based, most preferred first); every state exactly once."""
    score = np.full(n_states, -1, dtype=np.int64)
    L = len(ranking)
    for level, group in enumerate(ranking):
        ids = [group] if isinstance(group, (int, np.integer)) else list(group)
        for sid in ids:
            sid = int(sid)
            if not 1 <= sid <= n_states:
                raise ModelError(f"ranking names state {sid}, but states are 1..{n_states}")
            if score[sid - 1] >= 0:
                raise ModelError(f"ranking names state {sid} twice")
            score[sid - 1] = L - level
    missing = np.flatnonzero(score < 0) + 1
    if missing.size:
        raise ModelError(f"ranking misses states {', '.join(map(str, missing[:10]))}")
    return score


def build_option_model(
    dms: Sequence[str],
    options: Sequence[tuple[str, str, str]],
    preferences: Mapping[str, Mapping[str, object]],
    infeasible: Sequence[Mapping[str, bool]] = (),
    name: str = "",
) -> GMCRModel:
    """A model from options ``(id, dm, reversibility)``, infeasible patterns and per-DM preferences.

    Preferences per DM: ``{"prioritisation": [statements]}`` or ``{"ranking": [[ids], ...]}``.
    """
    opt_ids = [o[0] for o in options]
    if len(set(opt_ids)) != len(opt_ids):
        raise ModelError("option ids must be unique")
    owner = []
    rev = []
    for oid, dm, r in options:
        if dm not in dms:
            raise ModelError(f"option {oid!r} belongs to unknown decision maker {dm!r}")
        if r not in REVERSIBILITY:
            raise ModelError(f"option {oid!r}: reversibility must be one of {', '.join(REVERSIBILITY)}")
        owner.append(list(dms).index(dm))
        rev.append(r)
    m = len(opt_ids)
    pats = []
    for pat in infeasible:
        conv = {}
        for o, v in pat.items():
            if o not in opt_ids:
                raise ModelError(f"infeasibility pattern names unknown option {o!r}")
            conv[opt_ids.index(o)] = bool(v)
        pats.append(conv)
    codes = feasible_codes(m, pats)
    if codes.size == 0:
        raise ModelError("no feasible state is left after the infeasibility patterns")
    check_size(codes.size, {dm: owner.count(i) for i, dm in enumerate(dms)})
    moves = tuple(OptionMoves(codes, m, tuple((b, rev[b]) for b in range(m) if owner[b] == i)) for i in range(len(dms)))
    scores = []
    for dm in dms:
        pref = preferences.get(dm)
        if pref is None:
            raise ModelError(f"no preferences given for decision maker {dm!r}")
        if "prioritisation" in pref:
            scores.append(prioritisation_scores(list(pref["prioritisation"]), codes, opt_ids))  # type: ignore[arg-type]
        elif "ranking" in pref:
            scores.append(ranking_scores(pref["ranking"], codes.size))  # type: ignore[arg-type]
        else:
            raise ModelError(f"preferences of {dm!r} need 'prioritisation' or 'ranking'")
    return GMCRModel(tuple(dms), moves, np.stack(scores), codes, tuple(opt_ids), tuple(owner), tuple(rev), name=name)


def build_explicit_model(
    dms: Sequence[str],
    n_states: int,
    moves: Mapping[str, Sequence[tuple[int, int]]],
    rankings: Mapping[str, Sequence[Sequence[int] | int]],
    state_names: Sequence[str] = (),
    name: str = "",
) -> GMCRModel:
    """A collapsed model: explicit states (ids 1..n), per-DM move lists and rankings."""
    check_size(n_states)
    mv = []
    for dm in dms:
        pairs = np.asarray(list(moves.get(dm, [])), dtype=np.int64).reshape(-1, 2)
        if pairs.size and (pairs.min() < 1 or pairs.max() > n_states):
            raise ModelError(f"moves of {dm!r} name a state outside 1..{n_states}")
        mv.append(Moves.from_pairs(pairs[:, 0] - 1, pairs[:, 1] - 1, n_states))
    scores = []
    for dm in dms:
        if dm not in rankings:
            raise ModelError(f"no ranking given for decision maker {dm!r}")
        scores.append(ranking_scores(rankings[dm], n_states))
    return GMCRModel(tuple(dms), tuple(mv), np.stack(scores), state_names=tuple(state_names), name=name)
