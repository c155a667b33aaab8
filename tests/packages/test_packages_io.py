"""YAML loader errors (file, line, field), edge cases and the additive frontier."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from accord.errors import InputError
from accord.packages.analysis import analyse_packages
from accord.packages.io import load_package_model
from accord.packages.pareto import (
    coverage_gap,
    frontier_additive,
    frontier_enumerated,
    pareto_mask,
)
from accord.packages.space import PackageModel

BASE = """\
parties:
  - {id: a, reservation: 0.4}
  - {id: b, reservation: 0.4}
issues:
  - id: t
    options:
      - {id: keep, point: 0}
      - {id: split, point: 50}
      - {id: cede, point: 100}
    positions:
      a: {position: 0, salience: 1}
      b: {position: 100, salience: 1}
  - id: g
    options:
      - {id: weak, point: 100}
      - {id: strong, point: 0}
    positions:
      a: {position: 0, salience: 0.5}
      b: {position: 100, salience: 0.5}
"""


def _write(tmp_path, text, name="m.yaml"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def test_loads_and_derives_utilities(tmp_path):
    case = load_package_model(_write(tmp_path, BASE))
    m = case.model
    assert m.n_packages == 6
    # a: ω = (2/3, 1/3); keep+strong gives v = (1, 1)
    u = m.utilities_of(m.parse_label("A1,B2"))[0]
    assert u[0] == pytest.approx(1.0) and u[1] == pytest.approx(0.0)
    u = m.utilities_of(m.parse_label("A2,B1"))[0]
    assert u.tolist() == pytest.approx([2 / 3 * 0.5, 2 / 3 * 0.5 + 1 / 3])


@pytest.mark.parametrize(
    "old, new, line, field",
    [
        ("position: 100, salience: 1}", "position: 140, salience: 1}", 12, "issues.0.positions.b.position"),
        ("      - {id: split, point: 50}", "      - {id: split, point: fifty}", 8, "issues.0.options.1.point"),
        ("      b: {position: 100, salience: 0.5}", "      c: {position: 100, salience: 0.5}", 19, "issues.1.positions.c"),
        ("  - {id: b, reservation: 0.4}", "  - {id: a, reservation: 0.4}", 3, "parties.1.id"),
    ],
)
def test_errors_name_file_line_field(tmp_path, old, new, line, field):
    assert old in BASE
    p = _write(tmp_path, BASE.replace(old, new))
    with pytest.raises(InputError) as err:
        load_package_model(p)
    assert err.value.file == str(p)
    assert err.value.line == line
    assert err.value.field == field
    assert str(err.value).startswith(f"{p}:{line}: {field}: ")


def test_invalid_yaml_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_package_model(tmp_path / "nope.yaml")
    p = _write(tmp_path, "parties: [a\nissues: x\n")
    with pytest.raises(InputError) as err:
        load_package_model(p)
    assert err.value.line is not None


def test_option_no_party_values_is_a_warning_not_a_crash(tmp_path):
    text = BASE + """\
  - id: extra
    options: [{id: x, point: 0}, {id: y, point: 100}]
    values:
      a: {salience: 0.3, v: [1, 0]}
      b: {salience: 0.3, v: [1, 0]}
"""
    case = load_package_model(_write(tmp_path, text))
    assert any("extra=y is valued by no party" in w for w in case.warnings)
    out = analyse_packages(case.model)
    assert out["acceptable_count"] >= 0
    assert out["solutions"]["nash"]["options"]["extra"] == "x"
    assert out["zopa_per_issue"]["extra"] == ["x"]


def test_reservation_above_every_package_gives_documented_empty_result(tmp_path):
    case = load_package_model(_write(tmp_path, BASE.replace("{id: a, reservation: 0.4}", "{id: a, reservation: 1.5}")))
    assert any("exceeds its best package" in w for w in case.warnings)
    out = analyse_packages(case.model)
    assert out["acceptable_count"] == 0
    assert out["any_acceptable_to_all"] is False
    assert out["solutions"]["nash"] == {"package": None, "reason": "no_strictly_rational_outcome"}
    assert out["solutions"]["kalai_smorodinsky"]["reason"] == "no_rational_outcome"
    assert out["zopa_per_issue"] == {"t": [], "g": []}


def test_referendum_without_polls_is_rejected_with_location(tmp_path):
    text = BASE + """\
ratification:
  - side: a
    stages:
      - type: referendum
        population: a
        polls: []
"""
    p = _write(tmp_path, text)
    with pytest.raises(InputError) as err:
        load_package_model(p)
    assert "at least one poll" in str(err.value)
    assert err.value.field == "ratification.0.stages.0.polls"
    assert err.value.line == 25


def test_default_reservation_is_minimum_and_flagged(tmp_path):
    case = load_package_model(_write(tmp_path, BASE.replace(", reservation: 0.4}", "}")))
    assert case.model.reservation_defaulted == (True, True)
    assert case.model.reservation.tolist() == pytest.approx(case.model.utility_matrix().min(axis=0).tolist())


def _random(sizes, n, seed):
    rng = np.random.default_rng(seed)
    tables = tuple(rng.integers(0, 20, size=(n, m)) for m in sizes)
    return PackageModel(tuple(f"p{i}" for i in range(n)), tuple(f"i{k}" for k in range(len(sizes))),
                        tuple(tuple(str(j) for j in range(m)) for m in sizes), tables, np.zeros(n))


@pytest.mark.parametrize("n, seed", [(2, 0), (2, 1), (3, 2), (4, 3)])
def test_additive_frontier_equals_enumeration(n, seed):
    m = _random([3, 2, 4, 3, 2, 3], n, seed)
    a = frontier_additive(m)
    e = frontier_enumerated(m)
    assert np.array_equal(np.sort(m.flat_index(a.choices)), np.sort(m.flat_index(e.choices)))


def test_epsilon_pruning_guarantee():
    m = _random([3, 4, 3, 4, 3, 2, 3], 4, 9)
    scaled = PackageModel(m.parties, m.issues, m.options, tuple(t / 140.0 for t in m.tables), m.reservation)
    exact = frontier_enumerated(scaled)
    for eps in (0.01, 0.05):
        approx = frontier_additive(scaled, epsilon=eps)
        assert approx.approximate and approx.epsilon == eps
        assert coverage_gap(exact.utilities, approx.utilities) <= eps + 1e-12
        assert len(approx) <= len(exact)


def test_pareto_mask_keeps_identical_vectors():
    U = np.array([[1, 1], [1, 1], [0, 2], [0, 1], [2, 0]])
    assert pareto_mask(U).tolist() == [True, True, True, False, True]
    U3 = np.array([[1, 1, 1], [1, 1, 1], [1, 1, 0], [0, 2, 0]])
    assert pareto_mask(U3).tolist() == [True, True, False, True]


def test_every_stage_type_is_summarised(tmp_path):
    from accord.cases.analysis import package_analysis

    text = BASE + """\
packages:
  middle: {t: split, g: weak}
ratification:
  - side: a
    stages:
      - {type: logistic, party: a, tau: 0.4, b: 0.05}
      - type: voting_body
        rule: unanimity
        members:
          - {name: house, stage: {type: threshold, party: a}}
          - {name: senate, stage: {type: threshold, party: a, tau: 0.9}}
  - side: b
    stages:
      - type: referendum
        population: b
        polls:
          - {yes: 0.6, no: 0.3, n: 800, match: {t: cede}}
"""
    out = package_analysis(_write(tmp_path, text))
    stages = out["stages"]
    assert [s["type"] for s in stages["a"]] == ["logistic", "voting_body"] and stages["b"][0]["type"] == "referendum"
    # u_a(middle) = 2/3·0.5 + 1/3·0 = 1/3: logistic σ((1/3 − 0.4)/0.05) and a failed unanimity vote
    assert stages["a"][0]["named"]["middle"] == pytest.approx(1 / (1 + np.exp((0.4 - 1 / 3) / 0.05)))
    assert stages["a"][1]["named"]["middle"] == 0.0
    assert stages["a"][1]["passing_count"] == 1  # only keep+strong gives a 1.0 >= 0.9
    assert out["frontier_count"] == out["pareto_count"] == len(out["frontier"])
    assert {r["label"] for r in out["frontier"]} >= {"A1,B2", "A3,B1"}


def test_voting_body_needs_a_rule_or_a_quota(tmp_path):
    text = BASE + """\
ratification:
  - side: a
    stages:
      - type: voting_body
        members: [{name: house, stage: {type: threshold, party: zz}}]
"""
    with pytest.raises(InputError) as err:
        load_package_model(_write(tmp_path, text))
    assert err.value.field == "ratification.0.stages.0.quota" and err.value.line == 23
