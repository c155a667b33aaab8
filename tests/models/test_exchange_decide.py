"""Exchange model, variant ``decide`` (docs/methods/exchange.md, "Variant decide"): the
reference's outcomes over whole rounds, and the decimal arithmetic that reaches them."""

from __future__ import annotations

from decimal import Decimal as D
from decimal import localcontext

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord.errors import ModelError
from accord.models.exchange import exchange_input, run_exchange
from accord.models.exchange.decide_numbers import CONTEXT, IssueSums, decimal, decimal_positions, next_start
from accord.models.issue import IssueData
from accord.models.registry import forecast
from accord.scenario.decide import issue_data_from_decide, read_decide

# Issue outcomes on the voting positions of rounds 1-3 of decide-exchange-model 2022.1.28
# (Python API, random.seed(0), benchmarks/decide_reference_run.py), its candidates and
# realised exchanges per round and the ties it drew: facts of the reference, used as vectors.
REFERENCE = {
    "sample_data.txt": {
        "candidates": (240, 152, 133), "exchanges": (38, 40, 37), "ties": 7,
        "rounds": (
            {"tolheffing-binnenstad": 69.50165006613726, "tol-hoogte": 48.600508905852415, "wanneer-tol": 47.6104047665229,
             "woonwerkverkeer": 16.234703272321337, "extra-investering": 76.46198830409357, "kleine-of-grote-ring": 46.7727335247666},
            {"tolheffing-binnenstad": 69.4157599836779, "tol-hoogte": 54.35923869464531, "wanneer-tol": 49.81655540677467,
             "woonwerkverkeer": 10.681062946417654, "extra-investering": 81.30864128347903, "kleine-of-grote-ring": 41.46925720245264},
            {"tolheffing-binnenstad": 62.76282442093956, "tol-hoogte": 58.26972010178117, "wanneer-tol": 64.2217412243721,
             "woonwerkverkeer": 4.9484288766384825, "extra-investering": 87.7611257867883, "kleine-of-grote-ring": 46.78864391501852},
        ),
    },
    "cop21.csv": {
        "candidates": (2094, 1843, 1676), "exchanges": (124, 143, 133), "ties": 15,
        "rounds": (
            {"differentiation": 44.8475327316079, "mrv": 55.90993355677691, "legal": 62.34343382006272,
             "adapt_legal": 75.26717557251908, "adapt_inst": 67.35215511391883, "finance_vol": 40.009553794399764,
             "finance_who": 41.79566021696802, "adapt_finance": 68.05755907209112, "ld": 11.430990685859442,
             "progress": 43.843554427353716, "amb2050": 74.51342281879195, "amb2100": 94.30283728695557, "eaa": 23.467096419679404},
            {"differentiation": 42.419693358511815, "mrv": 63.205725423530374, "legal": 60.81554317635439,
             "adapt_legal": 78.93129770992367, "adapt_inst": 77.9471824379024, "finance_vol": 56.63429819462926,
             "finance_who": 38.492183636897884, "adapt_finance": 62.7409093005318, "ld": 5.280584414028867,
             "progress": 39.01636091868135, "amb2050": 69.93288590604027, "amb2100": 94.27394194961497, "eaa": 23.64864907280059},
            {"differentiation": 40.62000074102684, "mrv": 64.93557164581038, "legal": 68.59699480241828,
             "adapt_legal": 80.0, "adapt_inst": 74.81069809629037, "finance_vol": 59.8586641904968,
             "finance_who": 37.619534644346444, "adapt_finance": 61.34081874941135, "ld": 9.280826408014327,
             "progress": 35.90884490034679, "amb2050": 75.08157382550336, "amb2100": 92.18058975478262, "eaa": 9.213762886597937},
        ),
    },
    "copenhagen.csv": {
        "candidates": (437, 292, 248), "exchanges": (49, 47, 42), "ties": 17,
        "rounds": (
            {"Newtreaty": 54.261793241482636, "DevlopC2020": 66.87664923552542, "Domestred": 37.08019935051414,
             "MRVdecrease": 47.42789217115327, "Commitments": 19.06318082788671, "Control": 68.54120864695028, "Extra": 95.47783251231527},
            {"Newtreaty": 45.59211366442855, "DevlopC2020": 63.54197951986376, "Domestred": 41.97547537322001,
             "MRVdecrease": 41.553503612704354, "Commitments": 13.402178649237472, "Control": 70.93815032864246, "Extra": 96.1871921182266},
            {"Newtreaty": 52.970779826876104, "DevlopC2020": 69.48122570465145, "Domestred": 38.10238313723034,
             "MRVdecrease": 54.07812745818189, "Commitments": 16.641818878919537, "Control": 78.91032824283425, "Extra": 94.30315743156244},
        ),
    },
}


def _issues(shared_data, name: str) -> list[IssueData]:
    return issue_data_from_decide(read_decide(shared_data / "exchange" / name))


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_decide_variant_matches_the_reference_for_three_rounds(shared_data, name) -> None:
    ref = REFERENCE[name]
    inp = exchange_input(_issues(shared_data, name))
    run = run_exchange(inp, rounds=3, rng=0, variant="decide")
    assert tuple(r.n_candidates for r in run.rounds) == ref["candidates"]
    assert tuple(len(r.exchanges) for r in run.rounds) == ref["exchanges"]
    assert run.ties == ref["ties"]
    for r, want in zip(run.rounds, ref["rounds"]):
        assert dict(zip(run.issues, r.prediction.tolist())) == pytest.approx(want, abs=1e-9)
    published = run_exchange(inp, rounds=1, rng=0)
    assert len(published.rounds[0].exchanges) != ref["exchanges"][0]  # the published variant executes differently


def test_decide_variant_through_the_registry(shared_data) -> None:
    out = forecast(_issues(shared_data, "copenhagen.csv"), "exchange", rounds=2, variant="decide").forecasts
    want = REFERENCE["copenhagen.csv"]["rounds"]
    assert {k: fc.value for k, fc in out.items()} == pytest.approx(want[1], abs=1e-9)
    assert out["Extra"].params["variant"] == "decide"
    assert out["Extra"].details["path"][1:] == pytest.approx([want[0]["Extra"], want[1]["Extra"]], abs=1e-9)


def test_decide_variant_records_moves_towards_the_partner(shared_data) -> None:
    run = run_exchange(exchange_input(_issues(shared_data, "sample_data.txt")), rounds=1, rng=0, variant="decide")
    for e in run.exchanges():
        assert e.gain > 1e-10 and e.m_j > 0 and e.m_i > 0
        assert abs(e.y_j - e.x_jp) <= abs(e.x_ip - e.x_jp) + 1e-9  # j moves towards i on p, never past
        assert (e.y_j - e.x_jp) * (e.x_ip - e.x_jp) > 0
        assert (e.y_i - e.x_iq) * (e.x_jq - e.x_iq) > 0


def test_decide_variant_rejects_randomised_rates_and_unknown_variants(shared_data) -> None:
    inp = exchange_input(_issues(shared_data, "sample_data.txt"))
    with pytest.raises(ModelError, match="p must be 0"):
        run_exchange(inp, rounds=1, p=0.5, variant="decide")
    with pytest.raises(ModelError, match="unknown exchange variant"):
        run_exchange(inp, rounds=1, variant="stokman")


def test_a_zero_salience_or_capability_makes_the_deal_invalid() -> None:
    """Where the reference would divide by zero, the deal is invalid; the others trade as before."""
    x = np.array([0.0, 100.0, 40.0])
    base = [
        IssueData("p", ("a", "b", "c"), x, np.array([0.2, 0.9, 0.5]), np.ones(3)),
        IssueData("q", ("a", "b", "c"), 100 - x, np.array([0.9, 0.3, 0.5]), np.ones(3)),
    ]
    run = run_exchange(exchange_input(base), rounds=1, variant="decide")
    assert [(run.actors[e.i], run.actors[e.j]) for e in run.exchanges()] == [("b", "a")]
    for k, zero_s in ((1, True), (0, False)):
        changed = [issue.with_values(s=issue.s.copy(), c=issue.c.copy()) for issue in base]
        if zero_s:
            changed[1].s[k] = 0.0  # b's salience on q: the reference divides s_p / s_q
        else:
            changed[0].c[k] = 0.0  # a, the supplier of p, without capability
        result = run_exchange(exchange_input(changed), rounds=1, variant="decide").rounds[0]
        assert result.n_candidates == 1 and result.n_valid == 0 and not result.exchanges


# -- the decimal arithmetic ------------------------------------------------------------


def test_positions_on_a_raw_scale_are_read_as_the_reference_reads_them(shared_data) -> None:
    inp = exchange_input(_issues(shared_data, "sample_data.txt"))
    d = inp.issues.index("tol-hoogte")  # raw scale 0.5–7: positions 3.0, 3.0, 5.0 of the first three actors
    with localcontext(CONTEXT):
        column = decimal_positions(inp)[d]
    assert [column[a] for a in range(3)] == [
        D("38.46153846153846153846153845"), D("38.46153846153846153846153845"), D("69.23076923076923076923076921"),
    ]
    assert decimal_positions(inp)[inp.issues.index("wanneer-tol")][1] == D("75.0")


def test_numbers_are_read_back_as_written() -> None:
    mapped = (0.007 - 0.0) * 100.0 / (100.0 - 0.0)  # a Decide position of 0.007 on 0–100, mapped in floats
    assert mapped != 0.007
    assert decimal(mapped) == D("0.007")
    assert decimal(100 / 13) == D(repr(100 / 13))  # a computed number keeps all its digits
    assert decimal(0.95) == D("0.95") and decimal(0.0) == 0


def test_issues_are_summed_in_the_order_of_their_source_lines() -> None:
    issues = [
        IssueData("p", ("a", "b", "c"), np.array([0.0, 50.0, 100.0]), np.full(3, 0.5), np.ones(3), meta={"lines": [9, 3, 5]}),
        IssueData("q", ("a", "b", "c"), np.array([0.0, 50.0, 100.0]), np.full(3, 0.5), np.ones(3)),
    ]
    assert exchange_input(issues).row_order == ((1, 2, 0), (0, 1, 2))


def test_next_start_uses_the_reference_decimal_weights() -> None:
    with localcontext(CONTEXT):
        assert next_start(D("0.5"), D(0), D(100)) == D("30.00000000000000166533453694")
        assert next_start(D("0.5"), D(100), D(0)) == D("69.99999999999999833466546306")


@given(
    st.lists(st.tuples(st.decimals("0", "100", places=25), st.decimals("0.05", "1", places=20), st.decimals("0.1", "5", places=20)),
             min_size=1, max_size=8),
    st.dictionaries(st.integers(0, 7), st.one_of(st.none(), st.decimals("0", "100", places=25)), max_size=3),
)
def test_sums_reusing_the_unchanged_prefix_equal_the_plain_sum(rows, changed) -> None:
    """The shortcut over the unchanged leading actors gives the same decimal digits as summing afresh."""
    with localcontext(CONTEXT):
        order = tuple(range(len(rows)))[::-1]
        issue = IssueSums.build(order, {a: r[1] for a, r in enumerate(rows)}, {a: r[2] for a, r in enumerate(rows)})
        x = {a: r[0] for a, r in enumerate(rows)}
        terms, prefix = issue.sums(x)
        changed = {a: v for a, v in changed.items() if a < len(rows)}
        plain: D | int = 0
        for a in order:
            pos = changed[a] if a in changed else x[a]
            if pos is not None:
                plain += pos * issue.s[a] * issue.c[a]
        assert issue.weighted_sum(terms, prefix, changed) == plain
