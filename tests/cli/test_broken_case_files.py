"""A broken optional file of a case folder is a problem of the run, never its end (issue 14, item 7).

Every optional input (``packages.yaml``, ``truce.yaml``, ``outcomes.yaml``, the market
price CSV) is broken in each usual way: missing, empty, binary, invalid YAML or CSV,
invalid UTF-8, wrong schema and a bad value. The loaders the run calls must report each
as an :class:`AccordError` naming the file (the run's ``attempt`` records it as a
problem) or, for the market prices, as a note of the backtest; two whole runs of
``accord run`` show the problems in ``result.json`` and exit 0.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from accord.analysis.agreement import EventForecast
from accord.analysis.rolling import has_backtest, rolling_backtest
from accord.cases import case_dir, load_case
from accord.cases.analysis import analyse_case_files
from accord.errors import AccordError

BROKEN_YAML = {
    "empty": b"",
    "binary": b"\x00\x01\x02\xffbinary",
    "invalid-yaml": b"a: [1, 2\nb: }\n",
    "invalid-utf8": b"name: caf\xe9\n",
    "wrong-schema": b"- 1\n- 2\n",
    "unknown-fields": b"colour: red\n",
}
BAD_VALUE = {
    "packages.yaml": b"parties: [a, b]\nissues: []\n",
    "truce.yaml": b"dms: [{id: A, options: [a]}, {id: B, options: [b]}]\npreferences: {A: {prioritisation: [zz]}, B: {prioritisation: [b]}}\n",
    "outcomes.yaml": b"outcomes: [{id: x, value: true, date: 2020-01-01}]\nbaselines: [{id: m, probability: 2.5}]\n",
}
CASES = [(f, kind, data) for f in ("packages.yaml", "truce.yaml", "outcomes.yaml") for kind, data in
         [*BROKEN_YAML.items(), ("bad-value", BAD_VALUE[f])]]

BROKEN_CSV = {
    "empty": b"",
    "binary": b"\x00\x01\x02\xff",
    "invalid-utf8": b"slug,market,time,price,end_date,resolution\nx,caf\xe9,2025-01-01,0.5,2025-12-01,1\n",
    "wrong-columns": b"a,b,c\n1,2,3\n",
    "bad-price": b"slug,market,time,price,end_date,resolution\nx,q,2025-01-01,7,2025-12-01,1\n",
    "bad-date": b"slug,market,time,price,end_date,resolution\nx,q,yesterday,0.5,2025-12-01,1\n",
    "short-row": b"slug,market,time,price,end_date,resolution\nx,q\n",
    "huge-header": b"slug,\"" + b"m" * 200_000 + b"\"\n",
    "huge-field": b"slug,market,time,price,end_date,resolution\nx,\"" + b"q" * 200_000 + b"\",2025-01-01,0.5,2025-12-01,1\n",
}


#: Two of the case's questions keep the whole runs below fast; the rolling backtest itself is tested elsewhere.
FEW_EVENTS = b"""events:
  - {id: ceasefire_by_2026_01_31, question: "A ceasefire by 31 January 2026", deadline: 2026-01-31, kind: issue,
     issue: truce_sequencing, side: below, value: 37.5}
  - {id: russia_back_in_g8_by_2026_06_15, question: "Russia in the G8", deadline: 2026-06-15, kind: not_modelled, reason: "no G8 issue"}
"""


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """A copy of the Ukraine case (which has every optional file) without its articles, with two of its events."""
    folder = tmp_path_factory.mktemp("case") / "ukraine"
    shutil.copytree(case_dir("ukraine"), folder, ignore=shutil.ignore_patterns("articles", "__pycache__"))
    (folder / "events.yaml").write_bytes(FEW_EVENTS)
    return folder


@pytest.fixture(scope="module")
def fixed_forecaster():
    """A forecaster that gives every event 0.3 (what the models say is not under test here)."""
    def forecaster(case, events, origin, *, draws, seed):
        return [EventForecast(e.id, origin, e.deadline, 0.3, 0.01, 0.3, 1.0, True, "") for e in events]
    return forecaster


def _broken_copy(base: Path, tmp_path: Path, name: str, data: bytes | None) -> Path:
    folder = tmp_path / "case"
    shutil.copytree(base, folder)
    if data is None:
        (folder / name).unlink()
    else:
        (folder / name).write_bytes(data)
    return folder


def _backtest(folder: Path, forecaster, markets: Path | None = None):
    if not has_backtest(folder):
        return None
    return rolling_backtest(load_case(folder), forecaster=forecaster, markets=markets)


@pytest.mark.parametrize(("name", "kind", "data"), CASES, ids=[f"{f}-{k}" for f, k, _ in CASES])
def test_broken_optional_file_is_reported_by_name(base, tmp_path, fixed_forecaster, name, kind, data):
    folder = _broken_copy(base, tmp_path, name, data)
    if name == "outcomes.yaml":
        with pytest.raises(AccordError) as err:
            _backtest(folder, fixed_forecaster)
        message = str(err.value)
    else:
        got = analyse_case_files(folder)
        assert got["packages" if name == "packages.yaml" else "truce"] is None
        assert [p["file"] for p in got["problems"]] == [str(folder / name)]
        message = got["problems"][0]["message"]
    assert message.startswith(str(folder / name))
    assert "\n" not in message and "Traceback" not in message


@pytest.mark.parametrize("name", ["packages.yaml", "truce.yaml", "outcomes.yaml"])
def test_missing_optional_file_leaves_its_part_out_without_a_problem(base, tmp_path, fixed_forecaster, name):
    folder = _broken_copy(base, tmp_path, name, None)
    if name == "outcomes.yaml":
        assert _backtest(folder, fixed_forecaster) is None
    else:
        got = analyse_case_files(folder)
        assert got["problems"] == []
        assert got["packages" if name == "packages.yaml" else "truce"] is None
        assert got["truce" if name == "packages.yaml" else "packages"] is not None


@pytest.mark.parametrize(("kind", "data"), list(BROKEN_CSV.items()), ids=list(BROKEN_CSV))
def test_broken_market_prices_become_a_note_and_the_backtest_goes_on(base, tmp_path, fixed_forecaster, kind, data):
    markets = tmp_path / "markets.csv"
    markets.write_bytes(data)
    bt = _backtest(base, fixed_forecaster, markets)
    unreadable = [n for n in bt.notes if n.startswith("market prices unreadable")]
    assert len(unreadable) == 1 and str(markets) in unreadable[0]
    assert not any("polymarket" in c.forecasts for c in bt.cells)
    assert {c.event_id for c in bt.cells} == {"ceasefire_by_2026_01_31", "russia_back_in_g8_by_2026_06_15"}


def test_run_with_broken_optional_files_exits_0_and_lists_them(base, tmp_path, cli):
    folder = tmp_path / "case"
    shutil.copytree(base, folder)
    (folder / "packages.yaml").write_bytes(BROKEN_YAML["binary"])
    (folder / "truce.yaml").write_bytes(BROKEN_YAML["invalid-yaml"])
    markets = tmp_path / "markets.csv"
    markets.write_bytes(BROKEN_CSV["wrong-columns"])
    code, _, err = cli("run", str(folder), "--draws", "20", "--out", str(tmp_path / "out"), "--format", "json",
                       "--markets", str(markets))
    assert code == 0, err
    result = json.loads((tmp_path / "out" / "result.json").read_text(encoding="utf-8"))
    assert [(p["file"], p["stage"]) for p in result["problems"]] == [
        (str(folder / "packages.yaml"), "packages"), (str(folder / "truce.yaml"), "packages")]
    assert any(n.startswith(f"market prices unreadable ({markets}:1: missing column(s)") for n in result["track_record"]["notes"])


def test_run_with_broken_outcomes_exits_0_without_a_backtest(base, tmp_path, cli):
    folder = tmp_path / "case"
    shutil.copytree(base, folder)
    (folder / "outcomes.yaml").write_bytes(BAD_VALUE["outcomes.yaml"])
    code, _, err = cli("run", str(folder), "--draws", "20", "--out", str(tmp_path / "out"), "--format", "json")
    assert code == 0, err
    result = json.loads((tmp_path / "out" / "result.json").read_text(encoding="utf-8"))
    assert result["backtest"] is None and result["track_record"] is None
    [problem] = result["problems"]
    assert problem["file"] == str(folder / "outcomes.yaml") and problem["stage"] == "backtest"
    assert "baselines.0.probability" in problem["error"]


@pytest.mark.parametrize("data", [BROKEN_YAML["binary"], BROKEN_YAML["invalid-yaml"]], ids=["binary", "invalid-yaml"])
def test_broken_scenario_is_the_one_file_that_stops_the_run(base, tmp_path, cli, data):
    folder = _broken_copy(base, tmp_path, "scenario.yaml", data)
    (folder / "case.yaml").unlink()  # the dates come from the scenario then
    code, out, err = cli("run", str(folder), "--draws", "20", "--out", str(tmp_path / "out"))
    assert code == 2
    assert err.startswith(f"error: {folder / 'scenario.yaml'}") and "Traceback" not in err + out
