"""BDM expected-utility model (docs/methods/bdm.md): the EC worked example of Bueno de Mesquita
(1994), agreement with the plain-loop reference, stopping rules, degenerate inputs and the
invariance properties."""

from __future__ import annotations

import csv
import json
import math
import random
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from accord.errors import ModelError
from accord.models import bdm
from accord.models.bdm import StopRule, bdm_model, first_round_utilities, linear_win_probabilities, run_bdm, simulate_batch
from accord.models.issue import IssueData

sys.path.insert(0, str(Path(__file__).parent))
from bdm_reference import run_reference  # noqa: E402

ABS = 1e-6
EC_ORDER = ("Netherlands", "Belgium", "Luxembourg", "Germany", "France", "Italy", "UK", "Ireland", "Denmark", "Greece")


@pytest.fixture(scope="module")
def ec(shared_data: Path) -> IssueData:
    with open(shared_data / "bdm" / "ec-emissions-1994.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return IssueData(
        id="ec-emissions",
        actors=tuple(r["Actor"] for r in rows),
        x=[float(r["Position"]) for r in rows],
        s=[float(r["Salience"]) for r in rows],
        c=[float(r["Capability"]) for r in rows],
        lo=4.0,
        hi=10.0,
    )


# --------------------------------------------------------------------------- EC, scholz

SCHOLZ_R1 = [1.4056527842180304, 0.7541959272436861, 0.5088637910269406, 1.4056527842180304, 1.0465238960570615,
             1.0465238960570615, 1.9648982295073372, 0.5000000000000001, 1.9999999999999998, 1.112124970858258]

SCHOLZ_MOVES_R1 = [
    ("Belgium", "compromise", "France", 8.415932315426764, -0.11483050347300794, 0.2432965945234421),
    ("Luxembourg", "confrontation", "Belgium", 7.0, 0.24550922248250817, 0.542246100211495),
    ("Ireland", "confrontation", "Luxembourg", 4.0, 0.5382377664333493, 0.6824778252511178),
]

# round: (BE partner, BE new x, LU new x, IE new x, IE partner, median, mean)
SCHOLZ_PATH = [
    (1, "France", 8.415932315426764, 7.0, 4.0, "Luxembourg", 8.415932315426764, 7.461314378277189),
    (2, "France", 9.610859134120188, 8.415932315426764, 7.0, "Luxembourg", 9.610859134120188, 7.552500865855845),
    (3, "France", 9.961979590401311, 9.610859134120188, 8.415932315426764, "Luxembourg", 9.961979590401311, 7.590144997451547),
    (4, "Netherlands", 4.800881140632622, 9.961979590401311, 9.610859134120188, "Luxembourg", 9.961979590401311, 7.358130531334201),
    (5, "France", 5.524237694197356, 4.800881140632622, 9.961979590401311, "Luxembourg", 9.961979590401311, 7.3491739896752115),
    (6, "France", 7.47204636191629, 5.524237694197356, 5.524237694197356, "Belgium", 7.47204636191629, 7.414877545372958),
    (7, "France", 8.824593855262423, 7.47204636191629, 7.47204636191629, "Belgium", 8.824593855262423, 7.510457183677219),
    (8, "France", 9.671129769802048, 8.824593855262423, 8.824593855262423, "Belgium", 9.671129769802048, 7.5724470975503),
    (9, "Netherlands", 4.144849062500606, 9.671129769802048, 9.671129769802048, "Belgium", 9.671129769802048, 7.324989065683666),
    (10, "France", 4.291541224979646, 4.144849062500606, 4.144849062500606, "Belgium", 7.0, 7.242130958473938),
]


def test_ec_input_order_and_shared_invariants(ec: IssueData) -> None:
    assert ec.actors == EC_ORDER
    run = run_bdm(ec, rounds=1)
    assert run.means[0] == pytest.approx(7.389955686853767, abs=1e-9)  # CM
    assert run.medians[0] == 7.0


def test_scholz_win_probability_example(ec: IssueData) -> None:
    p, z = linear_win_probabilities(ec.x, ec.c * ec.s, 6.0)
    assert z == pytest.approx(28.233, abs=1e-9)
    nl, fr = EC_ORDER.index("Netherlands"), EC_ORDER.index("France")
    assert p[nl, fr] == pytest.approx(0.008784047037155148, abs=1e-12)
    assert np.all(np.diag(p) == 0)


def test_scholz_round1_risk_exponents(ec: IssueData) -> None:
    run = run_bdm(ec, rounds=1)
    assert run.risk[0] == pytest.approx(SCHOLZ_R1, abs=ABS)
    assert first_round_utilities(ec)["r"] == pytest.approx(SCHOLZ_R1, abs=ABS)


def test_scholz_round1_moves(ec: IssueData) -> None:
    run = run_bdm(ec, rounds=1)
    got = [(o.receiver, o.kind, o.partner, o.new_x, o.eu_receiver, o.eu_partner) for o in run.offers_in(1)]
    assert [g[:3] for g in got] == [m[:3] for m in SCHOLZ_MOVES_R1]
    for g, m in zip(got, SCHOLZ_MOVES_R1):
        assert g[3:] == pytest.approx(m[3:], abs=ABS)


def test_scholz_ten_round_path(ec: IssueData) -> None:
    run = run_bdm(ec, rounds=10, stop="fixed")
    assert run.stop_reason == "fixed" and run.rounds == 10
    be, lu, ie = (EC_ORDER.index(a) for a in ("Belgium", "Luxembourg", "Ireland"))
    movers = {"Belgium", "Luxembourg", "Ireland"}
    for t, be_partner, be_x, lu_x, ie_x, ie_partner, med, mean in SCHOLZ_PATH:
        offers = {o.receiver: o for o in run.offers_in(t)}
        assert set(offers) == movers
        assert offers["Belgium"].kind == "compromise" and offers["Belgium"].partner == be_partner
        assert offers["Luxembourg"].kind == "confrontation"
        assert offers["Ireland"].kind == "confrontation" and offers["Ireland"].partner == ie_partner
        assert run.positions[t, [be, lu, ie]] == pytest.approx([be_x, lu_x, ie_x], abs=ABS)
        assert run.medians[t] == pytest.approx(med, abs=ABS)
        assert run.means[t] == pytest.approx(mean, abs=ABS)
    others = [k for k in range(10) if k not in (be, lu, ie)]
    assert np.all(run.positions[:, others] == ec.x[others])
    assert run.forecast == pytest.approx(7.0, abs=ABS)


# --------------------------------------------------------------------------- EC, masad

MASAD_R0 = [1.1271980463013587, 0.7809178391316438, 0.5000000000000001, 1.1271980463013587, 1.0778922989239863,
            1.0778922989239863, 2.000000000000001, 0.5247821721738853, 1.4716965449819073, 1.1404794480175189]

MASAD_E = [
    ("Belgium", "Luxembourg", 0.7034516927698495), ("Belgium", "Netherlands", -0.1055122924983457),
    ("Belgium", "Germany", -0.1055122924983457), ("Belgium", "France", -0.12290936745034992),
    ("Belgium", "Italy", -0.12290936745034992), ("Belgium", "UK", -0.6709172284384823),
    ("Belgium", "Denmark", -0.3751669542544107), ("Belgium", "Ireland", 0.0), ("Belgium", "Greece", 0.0),
    ("UK", "Netherlands", -1.7178082191780832), ("UK", "Germany", -1.7178082191780832),
    ("UK", "Belgium", -0.05000000000000049), ("UK", "Luxembourg", 0.3205479452054789),
    ("UK", "Ireland", 0.5499999999999996), ("UK", "Denmark", -2.397260273972604), ("UK", "Greece", -0.6500000000000002),
    ("UK", "France", 0.0), ("UK", "Italy", 0.0), ("Luxembourg", "France", 0.42842712474618994),
]


def test_masad_pass0_exponents_and_pass2_utilities(ec: IssueData) -> None:
    u = first_round_utilities(ec, "masad", bounds=(4.0, 10.0))
    assert u["r"] == pytest.approx(MASAD_R0, abs=ABS)
    for i, j, value in MASAD_E:
        assert u["E"][EC_ORDER.index(i), EC_ORDER.index(j)] == pytest.approx(value, abs=ABS), (i, j)
    run = run_bdm(ec, variant="masad", rounds=1, bounds=(4.0, 10.0))
    assert run.risk[0] == pytest.approx(MASAD_R0, abs=ABS)


def test_masad_round1_events(ec: IssueData) -> None:
    run = run_bdm(ec, variant="masad", rounds=1, bounds=(4.0, 10.0))
    events = [(o.receiver, o.kind, o.partner) for o in run.offers_in(1)]
    assert events == [("Luxembourg", "confrontation", "France"), ("Ireland", "compromise", "France")]
    lu, ie = EC_ORDER.index("Luxembourg"), EC_ORDER.index("Ireland")
    assert run.positions[1, lu] == pytest.approx(10.0, abs=ABS)
    assert run.positions[1, ie] == pytest.approx(7.188031155979557, abs=ABS)
    assert run.medians[1] == pytest.approx(10.0, abs=ABS)
    assert run.means[1] == pytest.approx(7.444520171019051, abs=ABS)


# --------------------------------------------------------------------------- vectorised vs reference

def _inputs(n_max: int = 30):
    grid = st.integers(0, 8).map(lambda v: 12.5 * v)
    # exact ties come from the grid; free positions are rounded so that distinct positions
    # differ by at least 0.001 (1-ulp near-ties make every decision rounding noise)
    frac = st.floats(0, 100, allow_nan=False, allow_infinity=False).map(lambda v: round(v, 3))
    position = st.one_of(grid, grid, frac)
    return st.integers(2, n_max).flatmap(
        lambda n: st.tuples(
            st.lists(position, min_size=n, max_size=n),
            # distinct saliences and capabilities: with equal weights, mirror-symmetric
            # positions make pairs of expected utilities equal in exact arithmetic, and
            # which of them comes out larger is rounding noise
            st.lists(st.floats(0.01, 1.0), min_size=n, max_size=n, unique=True),
            st.lists(st.floats(0.01, 10.0), min_size=n, max_size=n, unique=True),
        )
    )


def _assert_matches_reference(x, s, c, variant: str, rounds: int) -> None:
    bounds = (0.0, 100.0) if variant == "masad" else None
    ref = run_reference(x, s, c, variant, rounds, bounds=bounds)
    res = simulate_batch(np.array(x), np.array(s), np.array(c), variant=variant, rounds=rounds, bounds=bounds, record=True)
    done = int(res.n_rounds[0])
    assert done == len(ref.positions) - 1
    np.testing.assert_allclose(res.positions[0, : done + 1], np.array(ref.positions), rtol=0, atol=1e-9)
    w = np.array(s) * np.array(c)
    for t, (got, want) in enumerate(zip(res.medians[0, : done + 1], ref.medians)):
        if abs(got - want) > 1e-9:
            # a mathematically exact tie of two positions (symmetric configurations) is
            # decided by rounding noise: accept any position whose cost is within 1e-9
            xs = np.array(ref.positions[t])
            cost = lambda p, xs=xs: float(np.sum(w * np.abs(xs - p)))  # noqa: E731
            assert cost(got) - cost(want) <= 1e-9 * max(1.0, cost(want)), (t, got, want)
            assert np.min(np.abs(xs - got)) <= 1e-9
    np.testing.assert_allclose(res.means[0, : done + 1], ref.means, rtol=0, atol=1e-9)
    for t in range(done):
        np.testing.assert_allclose(res.risk[0, t], ref.risk[t], rtol=0, atol=1e-9)
        moves = {m.receiver: m for m in ref.moves[t]}
        for k in range(len(x)):
            kind = bdm.EVENT_NAMES[int(res.kind[0, t, k])]
            if k in moves:
                m = moves[k]
                assert (kind, int(res.partner[0, t, k])) == (m.kind, m.partner)
                assert res.eu_receiver[0, t, k] == pytest.approx(m.eu_receiver, abs=1e-9)
                assert res.eu_partner[0, t, k] == pytest.approx(m.eu_partner, abs=1e-9)
            else:
                assert kind == "none"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_inputs())
def test_scholz_matches_reference(data) -> None:
    x, s, c = data
    _assert_matches_reference(x, s, c, "scholz", rounds=3)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_inputs())
def test_masad_matches_reference(data) -> None:
    x, s, c = data
    _assert_matches_reference(x, s, c, "masad", rounds=3)


def test_batch_rows_are_independent(ec: IssueData) -> None:
    """A batch of several issues gives each row what it gives alone."""
    rng = np.random.default_rng(5)
    x = np.vstack([ec.x, rng.uniform(4, 10, 10), np.full(10, 6.0)])
    s = np.vstack([ec.s, rng.uniform(0, 1, 10), ec.s])
    c = np.vstack([ec.c, rng.uniform(0, 1, 10), ec.c])
    both = simulate_batch(x, s, c, rounds=6, stop="bdm_discount")
    for row in range(3):
        alone = simulate_batch(x[row], s[row], c[row], rounds=6, stop="bdm_discount")
        assert both.forecast[row] == alone.forecast[0]
        assert both.stop_code[row] == alone.stop_code[0]
        np.testing.assert_array_equal(both.medians[row], alone.medians[0])


# --------------------------------------------------------------------------- stopping rules

def test_bdm_discount_rule_on_ec(ec: IssueData) -> None:
    # From the published path: δ^t |μ_{t+1} − μ_t| first drops to <= 0.01·6 at t = 3 (μ_4 = μ_3).
    run = run_bdm(ec, rounds=50, stop=bdm.bdm_discount())
    assert run.stop_reason == "bdm_discount"
    assert run.stop_round == 3
    assert run.rounds == 4
    assert run.forecast == pytest.approx(9.961979590401311, abs=ABS)
    assert run.forecast_mean == pytest.approx(7.590144997451547, abs=ABS)


def test_discount_rule_stops_at_once_with_delta_zero_shift() -> None:
    iss = IssueData("flat", ("a", "b", "c"), [0.0, 0.0, 100.0], [1.0, 1.0, 0.0], [1.0, 1.0, 1.0])
    fixed_run = run_bdm(iss, rounds=5, stop="fixed")
    disc = run_bdm(iss, rounds=5, stop="bdm_discount")
    shifts = np.abs(np.diff(fixed_run.medians)) * 0.9 ** np.arange(5)
    first = int(np.argmax(shifts <= 0.01 * 100))
    assert disc.stop_round == first
    assert disc.forecast == fixed_run.medians[first]


def test_ec_does_not_converge_and_max_rounds_is_reported(ec: IssueData) -> None:
    run = run_bdm(ec, rounds=10, stop="converged")
    assert run.stop_reason == "max_rounds"
    assert run.rounds == 10


@pytest.mark.parametrize("rule", ["converged", "cycle"])
def test_convergence_and_cycle_rules_agree_with_the_path(rule: str) -> None:
    rng = np.random.default_rng(11)
    for _ in range(5):
        iss = IssueData("r", tuple("abcdef"), rng.integers(0, 5, 6) * 25.0, rng.uniform(0, 1, 6), rng.uniform(0, 1, 6))
        path = run_bdm(iss, rounds=12, stop="fixed").positions
        run = run_bdm(iss, rounds=12, stop=rule)
        span = np.ptp(iss.x) or 1.0
        expect = None
        for t in range(1, 13):
            if rule == "converged":
                hit = np.abs(path[t] - path[t - 1]).max() <= 1e-6 * span
            else:
                hit = any(np.abs(path[t] - path[t - k]).max() <= 1e-9 * span for k in range(1, min(t, 10) + 1))
            if hit:
                expect = t
                break
        if expect is None:
            assert run.stop_reason == "max_rounds"
        else:
            assert run.stop_reason == rule and run.rounds == expect
            if rule == "cycle":
                k = run.cycle_length
                assert np.abs(path[expect] - path[expect - k]).max() <= 1e-9 * span


# --------------------------------------------------------------------------- degenerate and bad input

def test_all_actors_at_one_position() -> None:
    iss = IssueData("same", ("a", "b", "c"), [40.0, 40.0, 40.0], [0.5, 1.0, 0.2], [1.0, 2.0, 3.0])
    for variant in bdm.VARIANTS:
        run = run_bdm(iss, variant=variant)
        assert run.forecast == 40.0 and run.forecast_mean == 40.0
        assert run.stop_reason == "degenerate" and run.degenerate and run.rounds == 0


def test_single_actor() -> None:
    iss = IssueData("one", ("a",), [30.0], [0.5], [1.0])
    run = run_bdm(iss)
    assert run.forecast == 30.0 and run.stop_reason == "degenerate"


def test_zero_weights_fall_back_to_unweighted_statistics() -> None:
    iss = IssueData("zero", ("a", "b", "c"), [0.0, 20.0, 90.0], [0.5, 0.5, 0.5], [0.0, 0.0, 0.0])
    run = run_bdm(iss, rounds=5, stop="fixed")
    assert run.degenerate
    assert run.medians[0] == 20.0  # unweighted median
    assert run.means[0] == pytest.approx(110.0 / 3)
    assert np.all(np.isfinite(run.positions)) and math.isfinite(run.forecast)


@pytest.mark.parametrize(
    "x, s, c, match",
    [
        ([0.0, 50.0], [0.5, 0.5], [1.0, -1.0], "capability"),
        ([0.0, 50.0], [0.5, 1.5], [1.0, 1.0], "salience"),
        ([0.0, 50.0], [-0.1, 0.5], [1.0, 1.0], "salience"),
        ([0.0, float("nan")], [0.5, 0.5], [1.0, 1.0], "position"),
    ],
)
def test_bad_inputs_raise_model_error(x, s, c, match) -> None:
    iss = IssueData("bad", ("a", "b"), x, s, c)
    with pytest.raises(ModelError, match=match):
        run_bdm(iss)
    with pytest.raises(ModelError):
        bdm_model([iss])


def test_bad_parameters_raise_model_error(ec: IssueData) -> None:
    with pytest.raises(ModelError, match="Q = 1"):
        run_bdm(ec, Q=0.5)
    with pytest.raises(ModelError, match="variant"):
        run_bdm(ec, variant="other")
    with pytest.raises(ModelError, match="rounds"):
        run_bdm(ec, rounds=0)
    with pytest.raises(ModelError, match="stopping rule"):
        run_bdm(ec, stop="sometimes")
    with pytest.raises(ModelError, match="bounds"):
        run_bdm(ec, variant="masad", bounds=(5.0, 10.0))


def test_masad_accepts_q_and_t(ec: IssueData) -> None:
    run = run_bdm(ec, variant="masad", Q=0.5, T=0.25, rounds=3, bounds=(4.0, 10.0))
    assert np.all(np.isfinite(run.positions)) and 4.0 <= run.forecast <= 10.0


# --------------------------------------------------------------------------- invariance properties

def _distinct_inputs():
    return st.integers(2, 12).flatmap(
        lambda n: st.tuples(
            st.lists(st.floats(0, 100).map(lambda v: round(v, 3)), min_size=n, max_size=n, unique=True),
            st.lists(st.floats(0.05, 1.0), min_size=n, max_size=n),
            st.lists(st.floats(0.05, 5.0), min_size=n, max_size=n),
            st.randoms(use_true_random=False),
        )
    )


def _equidistant_proposers(positions: np.ndarray) -> bool:
    """Whether, in some round, an actor lies halfway between two others at different positions:
    its two options are then equally near, and the documented tie rule (first in input order)
    decides, so that permuting the actors may change the choice."""
    for pos in positions:
        tol = 1e-9 * max(float(np.ptp(pos)), 1e-300)
        for xk in pos:
            others = pos[np.abs(pos - xk) > tol]
            halfway = np.abs((others[:, None] + others[None, :]) / 2 - xk) <= tol
            if np.any(halfway & (np.abs(others[:, None] - others[None, :]) > tol)):
                return True
    return False


@settings(max_examples=30, deadline=None)
@given(_distinct_inputs(), st.sampled_from(bdm.VARIANTS))
def test_permutation_invariance(data, variant) -> None:
    x, s, c, rnd = data
    assume(len(set(s)) == len(s) and len(set(c)) == len(c))  # no symmetric utilities
    perm = list(range(len(x)))
    rnd.shuffle(perm)
    kw = dict(variant=variant, rounds=4, bounds=(0.0, 100.0) if variant == "masad" else None)
    a = simulate_batch(np.array(x), np.array(s), np.array(c), record=True, **kw)
    assume(not _equidistant_proposers(a.positions[0]))
    b = simulate_batch(np.array(x)[perm], np.array(s)[perm], np.array(c)[perm], record=True, **kw)
    np.testing.assert_allclose(b.positions[0], a.positions[0][:, perm], atol=1e-9)
    # the median is a minimiser of Σ w |x − p|; where several actors' positions minimise it,
    # the documented tie rule (first in input order) picks one, so only the minimum is invariant
    w = np.array(c) * np.array(s)
    for t, pos in enumerate(a.positions[0]):
        def spread(p: float, pos: np.ndarray = pos) -> float:
            return float(np.sum(w * np.abs(pos - p)))
        assert np.min(np.abs(pos - b.medians[0, t])) <= 1e-9
        assert spread(b.medians[0, t]) == pytest.approx(spread(a.medians[0, t]), rel=1e-9, abs=1e-9)


@settings(max_examples=30, deadline=None)
@given(_distinct_inputs(), st.floats(1e-3, 1e3), st.sampled_from(bdm.VARIANTS))
def test_capability_scaling_invariance(data, k, variant) -> None:
    x, s, c, _ = data
    kw = dict(variant=variant, rounds=4, bounds=(0.0, 100.0) if variant == "masad" else None, record=True)
    a = simulate_batch(np.array(x), np.array(s), np.array(c), **kw)
    b = simulate_batch(np.array(x), np.array(s), k * np.array(c), **kw)
    np.testing.assert_allclose(b.positions[0], a.positions[0], atol=1e-9)


@settings(max_examples=30, deadline=None)
@given(_distinct_inputs(), st.floats(-50, 50), st.floats(0.1, 10), st.sampled_from(bdm.VARIANTS))
# mirror-symmetric saliences: exact ties of utilities and distances, which exact comparisons
# once decided by rounding (it converged to 2 on the 0–6 scale and to 0.4 on the 0–0.6 scale)
@example(([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [1.0, 1.0, 0.5, 0.25, 0.5, 1.0, 1.0], [1.0] * 7, random.Random(0)), 0.0, 0.1, "scholz")
def test_affine_equivariance(data, shift, factor, variant) -> None:
    x, s, c, _ = data
    x = np.array(x)
    kw = dict(variant=variant, rounds=4, record=True)
    a = simulate_batch(x, np.array(s), np.array(c), bounds=(0.0, 100.0) if variant == "masad" else None, **kw)
    b = simulate_batch(shift + factor * x, np.array(s), np.array(c),
                       bounds=(shift, shift + 100 * factor) if variant == "masad" else None, **kw)
    np.testing.assert_allclose(b.positions[0], shift + factor * a.positions[0], atol=1e-9 * max(1.0, factor) * 100)
    np.testing.assert_allclose(b.forecast, shift + factor * a.forecast, atol=1e-9 * max(1.0, factor) * 100)


@settings(max_examples=30, deadline=None)
@given(_distinct_inputs(), st.sampled_from(bdm.VARIANTS), st.sampled_from(bdm.STOP_RULES))
def test_outputs_stay_within_the_range_of_positions(data, variant, rule) -> None:
    x, s, c, _ = data
    res = simulate_batch(np.array(x), np.array(s), np.array(c), variant=variant, rounds=6, stop=rule,
                         bounds=(0.0, 100.0) if variant == "masad" else None, record=True)
    lo, hi = min(x), max(x)
    for arr in (res.positions, res.medians, res.means, res.forecast, res.forecast_mean):
        assert np.all(np.isfinite(arr))
        assert np.all(arr >= lo) and np.all(arr <= hi)


# --------------------------------------------------------------------------- adapter

def test_registry_adapter(ec: IssueData) -> None:
    from accord.models.registry import forecast

    out = forecast([ec], "bdm", stop="fixed", rounds=10)
    fc = out.forecasts["ec-emissions"]
    assert fc.model == "bdm"
    assert fc.value == pytest.approx(7.0, abs=ABS)
    assert len(fc.details["median_path"]) == 11
    assert fc.details["median_path"][3] == pytest.approx(9.961979590401311, abs=ABS)
    assert fc.details["stop_reason"] == "fixed"
    tuned = bdm_model([ec], stop="bdm_discount")["ec-emissions"]
    assert tuned.details["stop_reason"] == "bdm_discount"
    assert tuned.value == pytest.approx(9.961979590401311, abs=ABS)
    assert tuned.details["median_path"][-1] == tuned.value  # the path ends at the forecast
    assert tuned.params["rounds"] == 100
    with pytest.raises(ModelError, match="unknown parameter"):
        bdm_model([ec], colour="red")


# --------------------------------------------------------------------------- published default

def test_published_default_on_ec_is_an_oscillation_averaged_over_the_last_five_rounds(ec: IssueData) -> None:
    """Ten rounds as published; the median turns down, up and down again in rounds 6–10 (the spec path)."""
    default = bdm_model([ec])["ec-emissions"]
    run = run_bdm(ec)
    assert run.rounds == 10 and run.stop_round == 10
    assert run.stop_reason == "oscillating" and run.averaged == 5
    want = sum(row[6] for row in SCHOLZ_PATH[5:]) / 5  # medians of rounds 6–10
    assert want == pytest.approx(8.527779951356589, abs=1e-12)
    assert run.forecast == pytest.approx(want, abs=1e-9) and default.value == run.forecast
    assert run.forecast_mean == pytest.approx(sum(row[7] for row in SCHOLZ_PATH[5:]) / 5, abs=1e-9)
    assert run.forecast_path[:11] == pytest.approx([7.0] + [row[6] for row in SCHOLZ_PATH], abs=ABS)
    assert run.forecast_path[-1] == run.forecast and len(run.forecast_path) == 12
    assert default.details["median_path"] == run.forecast_path
    assert "changing direction over the last 5 of 10 rounds" in default.details["explanation"]


@pytest.mark.parametrize("x, s, c, lag, first", [
    ([25.0, 50.0, 50.0], [0.8, 0.7, 0.4], [0.6, 0.9, 1.0], 2, 0),  # two camps swap places every round
    ([12.5, 100.0, 50.0], [0.6, 0.5, 0.7], [0.6, 0.9, 1.0], 5, 1),  # a five-round cycle from round 1
])
def test_published_cycle_is_averaged_over_the_cycle(x, s, c, lag, first) -> None:
    iss = IssueData("cyc", ("a", "b", "c"), x, s, c)
    path = run_bdm(iss, stop="fixed")
    run = run_bdm(iss)
    np.testing.assert_array_equal(run.positions, path.positions)  # the published rule plays every round
    np.testing.assert_allclose(path.positions[10], path.positions[10 - lag], atol=1e-9)
    assert run.stop_reason == "cycle" and run.cycle_length == lag == run.averaged
    assert run.forecast == pytest.approx(path.medians[11 - lag:].mean(), abs=1e-12)
    assert run.forecast != path.forecast and run.forecast_path[-1] == run.forecast
    assert f"From round {first} on the positions repeat every {lag} rounds" in run.explanation


def test_published_classification_on_constructed_paths() -> None:
    tol = np.array([1e-9, 1e-9, 1e-9, 1e-9])
    medians = np.array([
        [0.0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],       # steady: fixed
        [0.0, 5, 5, 5, 5, 5, 9, 2, 2, 2, 2],        # one turn: fixed
        [0.0, 5, 5, 5, 5, 5, 9, 2, 2, 2, 8],        # down then up again: oscillating
        [0.0, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5],        # positions repeat (lag 1): converged
    ])
    rows = np.arange(4)
    code = np.zeros(4, dtype=np.int8)
    cyc = np.zeros(4, dtype=np.int64)
    bdm._classify_published(rows, np.array([0, 0, 0, 1]), medians, tol, code, cyc)
    assert [bdm.STOP_REASONS[c] for c in code] == ["fixed", "fixed", "oscillating", "converged"]
    assert bdm.oscillation_window(10) == 5 and bdm.oscillation_window(3) == 2


def test_degenerate_runs_say_why() -> None:
    one = run_bdm(IssueData("one", ("a",), [30.0], [0.5], [1.0]))
    same = run_bdm(IssueData("same", ("a", "b", "c"), [40.0, 40.0, 40.0], [0.5, 1.0, 0.2], [1.0, 2.0, 3.0]))
    zero = run_bdm(IssueData("zero", ("a", "b", "c"), [0.0, 20.0, 90.0], [0.5, 0.5, 0.5], [0.0, 0.0, 0.0]))
    assert one.explanation.startswith("Only one actor has a position on this issue")
    assert same.explanation.startswith("All 3 actors hold the same position")
    assert zero.degenerate and "weight (capability × salience) is 0" in zero.explanation
    assert one.to_dict()["explanation"] == one.explanation


def test_run_serialises_to_json(ec: IssueData) -> None:
    run = run_bdm(ec, rounds=3)
    back = json.loads(json.dumps(run.to_dict()))
    assert back["medians"] == run.medians.tolist()
    assert back["offers"][0]["receiver"] == "Belgium"
    assert isinstance(StopRule("cycle").to_dict()["K"], int)


def test_missing_salience_counts_as_zero() -> None:
    iss = IssueData("nan", ("a", "b", "c"), [0.0, 50.0, 100.0], [0.5, float("nan"), 0.5], [1.0, 1.0, 1.0])
    zero = iss.with_values(s=np.array([0.5, 0.0, 0.5]))
    a = run_bdm(iss, rounds=3, stop="fixed")
    b = run_bdm(zero, rounds=3, stop="fixed")
    np.testing.assert_array_equal(a.positions, b.positions)
