"""Graph models the analysis cannot hold are refused by the loader with the limit named (issue 14, item 8);
the fast row-wise reduction of explicit moves agrees with the edge-list one."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord.cli.main import main
from accord.errors import InputError, ModelError
from accord.gmcr.io import load_gmcr
from accord.gmcr.model import MAX_OPTIONS, MAX_STATES, MAX_WORK, build_option_model
from accord.gmcr.moves import Moves, reduce_edges


def _option_file(tmp_path, per_dm: list[int]) -> str:
    lines = ["dms:"]
    prefs = ["preferences:"]
    for d, k in enumerate(per_dm):
        lines.append(f"  - id: D{d}")
        lines.append("    options: [" + ", ".join(f"o{d}_{j}" for j in range(k)) + "]")
        prefs.append(f"  D{d}: {{prioritisation: [o{d if k else 0}_0]}}")
    path = tmp_path / "big.yaml"
    path.write_text("\n".join(lines + prefs) + "\n", encoding="utf-8")
    return str(path)


def test_more_options_than_the_limit_are_refused(tmp_path):
    path = _option_file(tmp_path, [11, 11])
    with pytest.raises(InputError) as err:
        load_gmcr(path)
    assert str(err.value) == f"{path}:1: dms: 22 options; limit {MAX_OPTIONS} binary options"


def test_twenty_options_between_two_decision_makers_load_without_listing_moves(tmp_path):
    model = load_gmcr(_option_file(tmp_path, [10, 10]))
    assert model.n_states == 1_048_576
    assert [mv.n_edges for mv in model.moves] == [1_048_576 * 1023] * 2  # counted, never listed


@pytest.mark.parametrize("per_dm, message", [
    ([20, 1], "decision maker 'D0' with 20 options needs 2,097,152 states × 2^10 = 2,147,483,648 steps; "
              "limit 1,073,741,824 (give it fewer options, or mark states infeasible)"),
    ([1] * 21 + [0] * 4, "25 decision makers (21 with options) × 2^21 option codes = 1,101,004,800 steps; "
                         "limit 1,073,741,824 (fewer decision makers or options)"),
])
def test_models_needing_too_many_steps_are_refused(tmp_path, per_dm, message):
    path = _option_file(tmp_path, per_dm)
    with pytest.raises(InputError) as err:
        load_gmcr(path)
    assert MAX_WORK == 1_073_741_824
    assert str(err.value) == f"{path}:1: dms: 21 options: {message}"


def test_collapsed_models_are_limited_in_states(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(f"dms: [A, B]\nstates: {10**12}\nmoves: {{A: [[1, 2]]}}\n"
                    "preferences: {A: {ranking: [1]}, B: {ranking: [1]}}\n", encoding="utf-8")
    with pytest.raises(InputError, match=f"states: 1,000,000,000,000 states; limit {MAX_STATES:,}"):
        load_gmcr(path)


def test_the_api_refuses_what_the_loader_refuses():
    options = [(f"o{b}", "A" if b < 20 else "B", "both") for b in range(21)]
    prefs = {"A": {"prioritisation": ["o0"]}, "B": {"prioritisation": ["o20"]}}
    with pytest.raises(ModelError, match=f"limit {MAX_WORK:,} \\(give it fewer options"):
        build_option_model(["A", "B"], options, prefs)


def test_the_cli_gives_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    path = _option_file(tmp_path, [20, 1])
    monkeypatch.setattr(sys, "argv", ["accord", "gmcr", path])
    with pytest.raises(SystemExit) as stop:
        main()
    out, err = capsys.readouterr()
    assert stop.value.code == 2 and out == ""
    assert err.startswith(f"error: {path}:1: dms: 21 options: decision maker 'D0' with 20 options") and err.count("\n") == 1


@given(st.lists(st.lists(st.integers(0, 7), max_size=6), min_size=1, max_size=8), st.data())
def test_row_wise_and_edge_list_reductions_agree(targets, data):
    n = max(len(targets), 8)
    src = np.array([s for s, ts in enumerate(targets) for _ in ts], dtype=np.int64)
    dst = np.array([t for ts in targets for t in ts], dtype=np.int64)
    moves = Moves.from_pairs(src, dst, n)
    values = np.array(data.draw(st.lists(st.integers(-50, 50), min_size=n, max_size=n)), dtype=np.int32)
    expected_min = [min((values[t] for t in moves.of(s)), default=999) for s in range(n)]
    expected_max = [max((values[t] for t in moves.of(s)), default=-999) for s in range(n)]
    assert reduce_edges(moves, values, np.minimum, 999).tolist() == expected_min
    assert reduce_edges(moves, values, np.maximum, -999).tolist() == expected_max
    if moves.padded is not None:  # the same through the edge list
        edge_list = Moves(moves.indptr, moves.indices)
        object.__setattr__(edge_list, "padded", None)
        assert reduce_edges(edge_list, values, np.minimum, 999).tolist() == expected_min
