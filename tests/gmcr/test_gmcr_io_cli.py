"""GMCR YAML errors (file, line, field) and the `accord gmcr` / `accord packages` commands."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accord.cli.main import app
from accord.errors import InputError
from accord.gmcr.io import load_gmcr

FIX = Path(__file__).parent / "fixtures"
runner = CliRunner()

MODEL = """\
name: toy
dms:
  - id: A
    options: [a1, {id: a2, reversibility: forward}]
  - id: B
    options: [b1]
infeasible:
  - {a1: true, a2: true}
preferences:
  A:
    prioritisation: ["a1", "-b1"]
  B:
    prioritisation: ["b1 IF a1"]
"""


def _write(tmp_path, text):
    p = tmp_path / "g.yaml"
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def test_option_model_loads(tmp_path):
    m = load_gmcr(_write(tmp_path, MODEL))
    assert m.codes.tolist() == [0, 1, 2, 4, 5, 6]
    assert m.options == ("a1", "a2", "b1")


@pytest.mark.parametrize(
    "old, new, line, field",
    [
        ('["a1", "-b1"]', '["a1", "-zz"]', 11, "preferences.A.prioritisation.1"),
        ("reversibility: forward", "reversibility: sideways", 4, "dms.0.options.1.reversibility"),
        ("{a1: true, a2: true}", "{a1: true, q: true}", 8, "infeasible.0.q"),
        ('  B:\n    prioritisation: ["b1 IF a1"]\n', "", 9, "preferences"),
    ],
)
def test_errors_name_file_line_field(tmp_path, old, new, line, field):
    assert old in MODEL
    p = _write(tmp_path, MODEL.replace(old, new))
    with pytest.raises(InputError) as err:
        load_gmcr(p)
    assert (err.value.file, err.value.line, err.value.field) == (str(p), line, field)


def test_collapsed_model_errors(tmp_path):
    text = (FIX / "elmira.yaml").read_text().replace("[1, 2], [3, 4]", "[1, 2], [3, 14]")
    p = _write(tmp_path, text)
    with pytest.raises(InputError) as err:
        load_gmcr(p)
    assert err.value.field == "moves.MoE.1"
    assert "1..9" in str(err.value)


def test_cli_gmcr_json():
    res = runner.invoke(app, ["gmcr", str(FIX / "elmira.yaml"), "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = {r["concept"]: r["equilibria"] for r in json.loads(res.output)}
    assert rows == {"nash": "5 8 9", "gmr": "1 4 5 8 9", "smr": "1 4 5 8 9", "seq": "5 8 9"}
    counts = {r["concept"]: r["count"] for r in json.loads(res.output)}
    assert counts == {"nash": 3, "gmr": 5, "smr": 5, "seq": 3}


INDIFFERENT = """\
name: flat
dms:
  - id: A
    options: [a1, a2, a3]
  - id: B
    options: [b1, b2]
preferences:
  A:
    prioritisation: []
  B:
    prioritisation: []
"""


def test_cli_gmcr_table_lists_twenty_equilibria_and_counts_the_rest(tmp_path):
    """With no preferences all 32 states are equilibria: the table shows 20 and counts 12; json lists 32."""
    p = _write(tmp_path, INDIFFERENT)
    res = runner.invoke(app, ["gmcr", str(p), "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = {r["concept"]: r for r in json.loads(res.output)}
    assert rows["nash"]["count"] == 32
    assert rows["nash"]["equilibria"] == " ".join(str(i) for i in range(1, 33))
    res = runner.invoke(app, ["gmcr", str(p)], env={"COLUMNS": "400"})
    assert res.exit_code == 0, res.output
    assert res.output.count("… and 12 more") == 8  # ids and labels, for each of the four concepts


def test_cli_gmcr_states_csv():
    res = runner.invoke(app, ["gmcr", str(FIX / "prisoners_dilemma.yaml"), "--states", "--format", "csv"])
    assert res.exit_code == 0, res.output
    lines = res.output.strip().splitlines()
    assert lines[0].startswith("state,label,code,nash_eq")
    assert len(lines) == 5


def test_cli_packages_scorable(shared_data):
    res = runner.invoke(app, ["packages", str(shared_data / "deliberation" / "base"), "--format", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["passing_count"] == 55 and out["acceptable_count"] == 12 and out["pareto_count"] == 481
    res = runner.invoke(app, ["packages", str(shared_data / "deliberation" / "base"), "--strict", "--format", "csv"])
    assert res.exit_code == 0
    assert "passing_count,37" in res.output


def test_cli_bad_file_is_one_line_exit_2(tmp_path):
    import subprocess
    import sys

    bad = _write(tmp_path, MODEL.replace('["a1", "-b1"]', '["a1", "-zz"]'))
    proc = subprocess.run([sys.executable, "-m", "accord.cli.main", "gmcr", str(bad)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "preferences.A.prioritisation.1" in proc.stderr and "Traceback" not in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "accord.cli.main", "packages", str(tmp_path / "missing.yaml")], capture_output=True, text=True)
    assert proc.returncode == 2 and "file not found" in proc.stderr
