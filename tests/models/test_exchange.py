"""Stokman equal-gain exchange model (docs/methods/exchange.md): reference-implementation vectors and round invariants."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.errors import ModelError
from accord.models.exchange import (
    describe_exchanges,
    equal_gain,
    equal_gain_loop,
    eu_max,
    exchange_distribution,
    exchange_input,
    exchange_model,
    exchange_sweep,
    expected_outcomes,
    initial_candidates,
    perturbed_gain,
    run_exchange,
)
from accord.models.issue import IssueData
from accord.models.registry import forecast
from accord.scenario.decide import issue_data_from_decide, read_decide

FILES = ("sample_data.txt", "cop21.csv", "copenhagen.csv")


def f(x: Fraction | int) -> float:
    return float(Fraction(x))


def _two_by_two() -> list[IssueData]:
    return [
        IssueData("i1", ("A1", "A2"), np.array([0.0, 100.0]), np.array([10.0, 60.0]), np.array([1.0, 1.0])),
        IssueData("i2", ("A1", "A2"), np.array([0.0, 100.0]), np.array([90.0, 50.0]), np.array([1.0, 1.0])),
    ]


@pytest.fixture(scope="module")
def inputs(shared_data):
    return {
        name: exchange_input(issue_data_from_decide(read_decide(shared_data / "exchange" / name)))
        for name in FILES
    }


@pytest.fixture(scope="module")
def runs(inputs):
    return {name: run_exchange(inp, rounds=3, rng=7) for name, inp in inputs.items()}


def _ranked(cands):
    key = np.where(cands.valid, cands.gain, -np.inf)
    order = np.argsort(-key, kind="stable")
    return [int(k) for k in order if cands.valid[k]]


# -- (a) 2 actors × 2 issues ------------------------------------------------------------


def test_two_by_two_outcomes_and_roles():
    inp = exchange_input(_two_by_two())
    O, W = expected_outcomes(inp.x, inp.s, inp.c, inp.present)
    assert O[0] == pytest.approx(f(85 + Fraction(5, 7)), abs=1e-12)
    assert O[1] == pytest.approx(f(35 + Fraction(5, 7)), abs=1e-12)
    c = initial_candidates(inp)
    assert len(c) == 1
    assert inp.actors[c.j[0]] == "A1" and c.p[0] == 0  # J = A1 supplies issue 1
    assert inp.actors[c.i[0]] == "A2" and c.q[0] == 1  # I = A2 supplies issue 2


def _two_by_two_args():
    inp = exchange_input(_two_by_two())
    O, W = expected_outcomes(inp.x, inp.s, inp.c, inp.present)
    x, s, c = inp.x, inp.s, inp.c
    i, j = 1, 0
    return (x[i, 0], x[j, 0], x[i, 1], x[j, 1], s[i, 0], s[j, 0], s[i, 1], s[j, 1],
            c[j, 0], c[i, 1], W[0], W[1], O[0], O[1])


def test_two_by_two_equal_gain():
    sh = equal_gain(*_two_by_two_args())
    assert bool(sh.valid)
    assert float(sh.gain) == pytest.approx(500.0, abs=1e-12)
    assert float(sh.gain_i) == pytest.approx(500.0, abs=1e-9)
    assert float(sh.gain_j) == pytest.approx(500.0, abs=1e-9)
    assert float(sh.y_j) == pytest.approx(100.0, abs=1e-12)
    assert float(sh.y_i) == pytest.approx(80.0, abs=1e-12)
    assert float(sh.dp) == pytest.approx(f(Fraction(100, 7)), abs=1e-12)
    assert float(sh.dq) == pytest.approx(f(Fraction(50, 7)), abs=1e-12)


def test_two_by_two_full_moves_and_eu_max():
    em = eu_max(*_two_by_two_args())
    # full-move losses and gains: salience × full outcome shift
    assert 10 * float(em.full_p) == pytest.approx(f(Fraction(1000, 7)), abs=1e-12)  # A1 loss on issue 1
    assert 60 * float(em.full_p) == pytest.approx(f(Fraction(6000, 7)), abs=1e-12)  # A2 gain on issue 1
    assert 50 * float(em.full_q) == pytest.approx(f(Fraction(12500, 7)), abs=1e-9)  # A2 loss on issue 2
    assert 90 * float(em.full_q) == pytest.approx(f(Fraction(22500, 7)), abs=1e-9)  # A1 gain on issue 2
    assert float(em.full_p) == pytest.approx(f(Fraction(100, 7)), abs=1e-12)  # binding Δp*
    assert float(em.eu_max_j) == pytest.approx(1400.0, abs=1e-9)  # A1
    assert float(em.eu_max_i) == pytest.approx(777.7778, abs=1e-4)  # A2
    assert float(em.m_i_at_i) == pytest.approx(f(Fraction(1000, 225)), abs=1e-12)
    assert float(em.m_i_at_j) == pytest.approx(48.0, abs=1e-12)


def test_two_by_two_single_round_run():
    run = run_exchange(exchange_input(_two_by_two()), rounds=1)
    (e,) = run.exchanges()
    assert e.gain == pytest.approx(500.0, abs=1e-12)
    assert (e.y_j, e.y_i) == (pytest.approx(100.0, abs=1e-12), pytest.approx(80.0, abs=1e-12))
    # O_1 moves by 100/7 to A2's position, O_2 by 50/7 towards A1
    assert run.prediction[0] == pytest.approx(100.0, abs=1e-12)
    assert run.prediction[1] == pytest.approx(f(35 + Fraction(5, 7) - Fraction(50, 7)), abs=1e-12)


def test_more_than_one_round_needs_saliences_on_unit_interval():
    with pytest.raises(ModelError, match=r"\[0, 1\]"):
        run_exchange(exchange_input(_two_by_two()), rounds=2)


def test_describe_exchanges_sentence():
    run = run_exchange(exchange_input(_two_by_two()), rounds=1)
    text = describe_exchanges(
        run, {"A1": "Ukraine", "A2": "the United States"}, {"i1": "NATO", "i2": "security guarantees"}
    )
    assert text == [
        "Ukraine moves on NATO towards the United States; the United States moves on security "
        "guarantees towards Ukraine (gain 500.00 each)"
    ]
    text = describe_exchanges(run, {"A1": "the EU", "A2": "Russia"})
    assert text[0].startswith("The EU moves on i1 towards Russia; Russia moves on i2 towards the EU")


# -- (b)–(d) shipped files ----------------------------------------------------------------


def test_sample_outcomes(inputs):
    inp = inputs["sample_data.txt"]
    O, _ = expected_outcomes(inp.x, inp.s, inp.c, inp.present)
    expected = {
        "tolheffing-binnenstad": Fraction(9920, 201),
        "tol-hoogte": Fraction(46400, 1703),
        "wanneer-tol": Fraction(961, 19),
        "woonwerkverkeer": Fraction(9080, 173),
        "extra-investering": Fraction(16925, 342),
        "kleine-of-grote-ring": Fraction(27225, 481),
    }
    for d, issue in enumerate(inp.issues):
        assert O[d] == pytest.approx(f(expected[issue]), abs=1e-12)
    raw = 0.5 + O[1] * 6.5 / 100
    assert raw == pytest.approx(2.270992, abs=1e-6)


def _describe(inp, cands, k):
    sh = cands.shifts
    return (
        inp.actors[cands.j[k]], inp.issues[cands.p[k]], float(sh.y_j[k]),
        inp.actors[cands.i[k]], inp.issues[cands.q[k]], float(sh.y_i[k]),
    )


def test_sample_candidates_and_top_gains(inputs):
    inp = inputs["sample_data.txt"]
    c = initial_candidates(inp)
    assert len(c) == 240
    assert int(c.valid.sum()) == 230
    ranked = _ranked(c)
    gains = [float(c.gain[k]) for k in ranked]
    assert gains[0] == pytest.approx(f(Fraction(75, 38)), abs=1e-12)
    j, p, y_j, i, q, y_i = _describe(inp, c, ranked[0])
    assert (i, q, j, p) == ("Willems", "extra-investering", "Wcentr", "tolheffing-binnenstad")
    assert y_i == pytest.approx(100.0, abs=1e-12)
    assert y_j == pytest.approx(61.05117364047237, abs=1e-12)
    assert gains[1] == pytest.approx(f(Fraction(26730, 14911)), abs=1e-12)
    j, p, y_j, i, q, y_i = _describe(inp, c, ranked[1])
    assert (i, q, j, p) == ("Wcentr", "kleine-of-grote-ring", "PvdA", "woonwerkverkeer")
    assert y_i == pytest.approx(25.0, abs=1e-12)
    assert y_j == pytest.approx(0.14879954396083428, abs=1e-12)
    for got, want in zip(gains[2:5], (Fraction(1125, 646), Fraction(2478, 1615), Fraction(525, 361))):
        assert got == pytest.approx(f(want), abs=1e-12)


def test_sample_second_exchange_unaffected_by_first(inputs):
    run = run_exchange(inputs["sample_data.txt"], rounds=1, rng=0)
    first, second = run.exchanges()[:2]
    assert first.gain == pytest.approx(f(Fraction(75, 38)), abs=1e-12)
    assert second.gain == pytest.approx(f(Fraction(26730, 14911)), abs=1e-12)
    assert run.actors[second.i] == "Wcentr" and second.y_i == pytest.approx(25.0, abs=1e-12)
    assert run.actors[second.j] == "PvdA" and second.y_j == pytest.approx(0.14879954396083428, abs=1e-12)


def test_cop21_candidates_and_top_gains(inputs):
    inp = inputs["cop21.csv"]
    c = initial_candidates(inp)
    assert (len(c), int(c.valid.sum())) == (2094, 2051)
    ranked = _ranked(c)
    assert float(c.gain[ranked[0]]) == pytest.approx(f(Fraction(425, 194)), abs=1e-12)
    j, p, _, i, q, _ = _describe(inp, c, ranked[0])
    assert {(i, q), (j, p)} == {("USA", "eaa"), ("China", "finance_vol")}
    assert float(c.gain[ranked[1]]) == pytest.approx(f(Fraction(6200, 3027)), abs=1e-12)
    assert float(c.gain[ranked[2]]) == pytest.approx(f(Fraction(3175, 1649)), abs=1e-12)


def test_copenhagen_candidates_and_tie(inputs):
    inp = inputs["copenhagen.csv"]
    c = initial_candidates(inp)
    assert (len(c), int(c.valid.sum())) == (437, 420)
    ranked = _ranked(c)
    assert float(c.gain[ranked[0]]) == pytest.approx(f(Fraction(3328, 1015)), abs=1e-12)
    assert float(c.gain[ranked[1]]) == pytest.approx(f(Fraction(480, 203)), abs=1e-12)
    assert float(c.gain[ranked[2]]) == pytest.approx(f(Fraction(480, 203)), abs=1e-12)
    assert float(c.gain[ranked[3]]) < f(Fraction(480, 203)) - 1e-6


def test_copenhagen_tie_is_broken_at_random(shared_data):
    """Without the issue of the top exchange, the 480/203 tie heads the list: both sides get drawn."""
    issues = [i for i in issue_data_from_decide(read_decide(shared_data / "exchange" / "copenhagen.csv"))
              if i.id != "Commitments"]
    inp = exchange_input(issues)
    chosen = set()
    for seed in range(12):
        first = run_exchange(inp, rounds=1, rng=seed).exchanges()[0]
        assert first.tie
        assert first.gain == pytest.approx(f(Fraction(480, 203)), abs=1e-12)
        chosen.add(inp.issues[first.p])
    assert chosen == {"Newtreaty", "MRVdecrease"}


# -- invariants ----------------------------------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_equal_gains_on_every_exchange(runs, name):
    exchanges = runs[name].exchanges()
    assert exchanges
    for e in exchanges:
        assert e.gain > 0
        assert e.gain_i == pytest.approx(e.gain, rel=1e-12)
        assert e.gain_j == pytest.approx(e.gain, rel=1e-12)


@pytest.mark.parametrize("name", FILES)
def test_outcome_never_passes_the_demander(runs, name):
    for e in runs[name].exchanges():
        for before, after, demander in ((e.outcome_before[0], e.outcome_after[0], e.x_ip),
                                        (e.outcome_before[1], e.outcome_after[1], e.x_jq)):
            direction = np.sign(demander - before)
            assert direction != 0
            assert (after - before) * direction > 0  # moved towards the demander
            assert (after - demander) * direction <= 1e-9  # and not past it


@pytest.mark.parametrize("name", FILES)
def test_moves_are_monotone_within_a_round(runs, name):
    for r in runs[name].rounds:
        seen: dict[tuple[int, int], float] = {}
        for e in r.exchanges:
            for key, frm, to in (((e.j, e.p), e.x_jp, e.y_j), ((e.i, e.q), e.x_iq, e.y_i)):
                step = np.sign(to - frm)
                assert step != 0
                assert seen.setdefault(key, step) == step


@pytest.mark.parametrize("name", FILES)
def test_outcomes_stay_within_the_positions(inputs, runs, name):
    inp = inputs[name]
    for d in range(inp.m):
        xs = inp.x[inp.present[:, d], d]
        for r in runs[name].rounds:
            assert xs.min() - 1e-9 <= r.prediction[d] <= xs.max() + 1e-9
            assert xs.min() - 1e-9 <= r.outcome_start[d] <= xs.max() + 1e-9


def test_round_prediction_is_outcome_of_voting_positions(inputs, runs):
    inp = inputs["sample_data.txt"]
    for r in runs["sample_data.txt"].rounds:
        O, _ = expected_outcomes(r.voting, inp.s, inp.c, inp.present)
        np.testing.assert_allclose(r.prediction, O, rtol=0, atol=1e-12)


def test_next_round_start_pulls_towards_voting_positions(inputs, runs):
    inp = inputs["sample_data.txt"]
    r0, r1 = runs["sample_data.txt"].rounds[:2]
    pull = 0.4 * (1 - inp.s) + 0.1
    want = np.where(r0.moved, (1 - pull) * r0.start + pull * r0.voting, r0.start)
    np.testing.assert_allclose(r1.start, want, rtol=0, atol=1e-12)


def test_externalities_split_inner_and_outer(runs):
    r = runs["sample_data.txt"].rounds[0]
    ext = r.externalities()
    total = sum(e.externality for e in r.exchanges)
    np.testing.assert_allclose(ext["inner_gain"] + ext["inner_loss"] + ext["outer_gain"] + ext["outer_loss"], total, atol=1e-9)
    assert np.all(ext["inner_gain"] >= 0) and np.all(ext["inner_loss"] <= 0)
    for e in r.exchanges:
        assert e.externality[e.i] == 0 and e.externality[e.j] == 0
        assert not e.inner[e.i] and not e.inner[e.j]


def test_same_seed_same_result(inputs):
    inp = inputs["copenhagen.csv"]
    a = run_exchange(inp, rounds=3, rng=3)
    b = run_exchange(inp, rounds=3, rng=3)
    np.testing.assert_array_equal(a.prediction, b.prediction)
    assert [(e.i, e.j, e.p, e.q) for e in a.exchanges()] == [(e.i, e.j, e.p, e.q) for e in b.exchanges()]
    pa = run_exchange(inp, rounds=2, p=0.5, rng=3)
    pb = run_exchange(inp, rounds=2, p=0.5, rng=3)
    np.testing.assert_array_equal(pa.prediction, pb.prediction)


def test_permuting_and_scaling_capabilities(inputs):
    """Scaling all capabilities changes nothing (without ties in play)."""
    inp = inputs["sample_data.txt"]
    scaled = type(inp)(inp.actors, inp.issues, inp.x, inp.s, inp.c * 4.0, inp.present, inp.titles, inp.raw_bounds)
    c1, c2 = initial_candidates(inp), initial_candidates(scaled)
    np.testing.assert_allclose(c1.gain, c2.gain, rtol=1e-12, atol=1e-15)


def test_p_zero_reproduces_the_deterministic_model(inputs):
    inp = inputs["sample_data.txt"]
    det = run_exchange(inp, rounds=3, rng=5)
    zero = run_exchange(inp, rounds=3, p=0.0, rng=5)
    np.testing.assert_array_equal(det.prediction, zero.prediction)
    # the randomised re-solve itself with p = 0 gives the equal-gain shifts
    O, W = expected_outcomes(inp.x, inp.s, inp.c, inp.present)
    c = initial_candidates(inp)
    x, s, cc = inp.x, inp.s, inp.c
    i, j, P, Q = c.i, c.j, c.p, c.q
    args = (x[i, P], x[j, P], x[i, Q], x[j, Q], s[i, P], s[j, P], s[i, Q], s[j, Q], cc[j, P], cc[i, Q], W[P], W[Q], O[P], O[Q])
    rng = np.random.default_rng(0)
    u, v, z = rng.random((3, len(c)))
    pert = perturbed_gain(c.shifts, *args, 0.0, u, v, z)
    np.testing.assert_array_equal(pert.valid, c.valid)
    for name in ("dp", "dq", "m_j", "m_i", "y_j", "y_i", "gain_i", "gain_j"):
        np.testing.assert_allclose(getattr(pert, name), getattr(c.shifts, name), rtol=1e-9, atol=1e-9)


def test_randomised_gains_lie_between_zero_and_eu_max(inputs):
    inp = inputs["sample_data.txt"]
    O, W = expected_outcomes(inp.x, inp.s, inp.c, inp.present)
    c = initial_candidates(inp)
    x, s, cc = inp.x, inp.s, inp.c
    i, j, P, Q = c.i, c.j, c.p, c.q
    args = (x[i, P], x[j, P], x[i, Q], x[j, Q], s[i, P], s[j, P], s[i, Q], s[j, Q], cc[j, P], cc[i, Q], W[P], W[Q], O[P], O[Q])
    rng = np.random.default_rng(1)
    u, v, z = rng.random((3, len(c)))
    pert = perturbed_gain(c.shifts, *args, 1.0, u, v, z)
    assert pert.valid.any()
    ok = pert.valid
    assert np.all(pert.gain_i[ok] > 0) and np.all(pert.gain_j[ok] > 0)
    # the perturbed actor X gets between 0 and eu_max(X)
    em = eu_max(*args)
    x_is_i = u < 0.5
    got = np.where(x_is_i, pert.gain_i, pert.gain_j)[ok]
    cap = np.where(x_is_i, em.eu_max_i, em.eu_max_j)[ok]
    assert np.all(got <= cap + 1e-9)


def test_vectorised_and_loop_candidates_agree(inputs):
    inp = inputs["copenhagen.csv"]
    c = initial_candidates(inp)
    loop = equal_gain_loop(inp)
    np.testing.assert_array_equal([v for _, v in loop], c.valid)
    np.testing.assert_array_equal([g for g, _ in loop], c.gain)  # same operations, same floats


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(0.01, 1.0), min_size=4, max_size=4),
    st.lists(st.floats(0.0, 100.0), min_size=4, max_size=4),
    st.lists(st.floats(0.05, 2.0), min_size=2, max_size=2),
)
def test_gain_positive_iff_ratio_order(sal, pos, cap):
    """Equal gain: the two gains are equal, and G > 0 iff ρ_I > ρ_J (roles set by the ratio)."""
    s_ip, s_jp, s_iq, s_jq = sal
    x_ip, x_jp, x_iq, x_jq = pos
    # two actors only: W and O follow from the pair
    w_p = np.array([cap[0] * s_ip, cap[1] * s_jp])
    w_q = np.array([cap[0] * s_iq, cap[1] * s_jq])
    O_p = (w_p[0] * x_ip + w_p[1] * x_jp) / w_p.sum()
    O_q = (w_q[0] * x_iq + w_q[1] * x_jq) / w_q.sum()
    sh = equal_gain(x_ip, x_jp, x_iq, x_jq, s_ip, s_jp, s_iq, s_jq, cap[1], cap[0], w_p.sum(), w_q.sum(), O_p, O_q)
    if bool(sh.valid):
        assert s_ip / s_iq > s_jp / s_jq
        assert float(sh.gain_i) == pytest.approx(float(sh.gain), rel=1e-12, abs=1e-12)
        assert float(sh.gain_j) == pytest.approx(float(sh.gain), rel=1e-12, abs=1e-12)
    if s_ip / s_iq <= s_jp / s_jq:
        assert not bool(sh.valid)


# -- Monte Carlo and the registry ------------------------------------------------------


def test_distribution_shape_and_seed(inputs):
    inp = inputs["sample_data.txt"]
    a = exchange_distribution(inp, p=0.5, repetitions=6, seed=11, rounds=2)
    b = exchange_distribution(inp, p=0.5, repetitions=6, seed=11, rounds=2)
    assert set(a) == set(inp.issues)
    for issue, dist in a.items():
        assert dist.samples.shape == (6,)
        np.testing.assert_array_equal(dist.samples, b[issue].samples)
        qs = [dist.quantiles[k] for k in ("q05", "q25", "q50", "q75", "q95")]
        assert qs == sorted(qs)
        assert sum(dist.bands.values()) == pytest.approx(1.0)
        assert set(dist.to_dict()) == {"q05", "q25", "q50", "q75", "q95", "mean", "bands"}
    spread = max(float(np.ptp(d.samples)) for d in a.values())
    assert spread > 0  # randomised rates give different runs
    det = exchange_distribution(inp, p=0.0, repetitions=3, seed=11, rounds=2)
    first = run_exchange(inp, rounds=2, p=0.0, rng=np.random.default_rng(11)).prediction
    assert [det[i].samples[0] for i in inp.issues] == list(first)


def test_sweep_runs_each_p(inputs):
    out = exchange_sweep(inputs["sample_data.txt"], 0.0, 0.5, 1.0, repetitions=2, rounds=1)
    assert list(out) == [0.0, 0.5, 1.0]


def test_registry_adapter_groups_and_fallback(shared_data):
    issues = issue_data_from_decide(read_decide(shared_data / "exchange" / "sample_data.txt"))
    lone = IssueData("lone", ("a", "b"), np.array([0.0, 100.0]), np.array([0.5, 1.0]), np.array([1.0, 1.0]), group="other")
    result = forecast(issues + [lone], "exchange", rounds=2, seed=1)
    assert set(result.forecasts) == {i.id for i in issues} | {"lone"}
    fb = result.forecasts["lone"]
    assert fb.flags["fallback"] is True
    assert fb.value == pytest.approx(200 / 3, abs=1e-12)
    run = run_exchange(exchange_input(issues), rounds=2, rng=1)
    for d, issue in enumerate(issues):
        fc = result.forecasts[issue.id]
        assert fc.flags["fallback"] is False
        assert fc.value == pytest.approx(float(run.prediction[d]), abs=1e-12)
        for row in fc.details["exchanges"]:
            assert row["issue_supplied"] == issue.id
            assert set(row) >= {"text", "gain", "supplier", "issue_supplied", "partner", "issue_demanded"}
    tol = result.forecasts["tol-hoogte"]
    assert tol.details["raw_value"] == pytest.approx(0.5 + tol.value * 6.5 / 100, abs=1e-12)


def test_registry_adapter_none_group_links_everything():
    issues = [i.with_values(s=i.s / 100.0) for i in _two_by_two()]
    out = exchange_model(issues, rounds=1)
    assert all(not fc.flags["fallback"] for fc in out.values())
    assert out["i1"].details["n_exchanges"] == 1


def test_registry_adapter_rejects_bad_parameters():
    issues = [i.with_values(s=i.s / 100.0) for i in _two_by_two()]
    with pytest.raises(ModelError):
        exchange_model(issues, rounds=-1)
    with pytest.raises(ModelError):
        exchange_model(issues, p=1.5)
    with pytest.raises(ModelError):
        exchange_model(issues, repetitions=0)
    with pytest.raises(ModelError, match=r"\[0, 1\]"):
        exchange_model(_two_by_two())


def test_randomised_adapter_reports_interval(shared_data):
    issues = issue_data_from_decide(read_decide(shared_data / "exchange" / "sample_data.txt"))
    out = exchange_model(issues, rounds=1, p=0.8, repetitions=5, seed=2)
    fc = out["wanneer-tol"]
    assert fc.flags["randomised"] is True
    assert fc.value == pytest.approx(fc.details["interval"]["q50"])


def test_run_serialises_to_json(inputs):
    import json

    run = run_exchange(inputs["sample_data.txt"], rounds=2, rng=0)
    data = json.loads(json.dumps(run.to_dict()))
    assert [r["round"] for r in data["rounds"]] == [1, 2]
    assert data["rounds"][0]["candidates"] == 240 and data["rounds"][0]["valid"] == 230
    assert data["rounds"][0]["exchanges"][0]["gain"] == pytest.approx(f(Fraction(75, 38)), abs=1e-12)
    assert data["raw_prediction"]["tol-hoogte"] == pytest.approx(0.5 + data["prediction"]["tol-hoogte"] * 0.065, abs=1e-12)
