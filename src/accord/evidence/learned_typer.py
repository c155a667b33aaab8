"""The learned statement typer: a spaCy text classifier over the words of a clause and the marks
the parse and the rules give it (docs/methods/statement-typing.md).

The rules (:mod:`accord.evidence.statements`) find the clauses and type them first; the classifier
reads the clause's lemmas with marker words for its negation, modality, condition, speaker and
the rules' type, and gives the final type. The model ships in ``typer_model/`` next to this module
and is trained by ``python -m accord.evidence.train_typer``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from accord.evidence.statements import NEGOTIATION_TYPES, PLAN_NOUNS, Typed, reported_predicate, words_of

MODEL_DIR = Path(__file__).with_name("typer_model")
_MODALS = frozenset({"will", "would", "shall", "'ll", "wo", "must", "should", "could", "might", "may", "can", "ca"})
_CONDITIONS = frozenset({"if", "unless", "once", "provided"})
_FIRST_PERSON = frozenset({"we", "i", "us", "our", "my"})
_SUBJECTS = frozenset({"nsubj", "nsubjpass"})
RULE_PRIOR = 0.3  # added to the rules' type's probability (chosen by cross-validation)
_state: dict[str, Any] = {"override": False, "model": None}


def clause_features(head, tokens: list, typed: Typed, domain: str = "news") -> list[str]:
    """The words the classifier reads for one clause: its lemmas in order (names and numbers left
    out, so no article's actors are learned), then marker words for the rules' type, the cue and
    the reported predicate, negation, modals, conditions, first-person speech and a plan as subject,
    each marker once plain and once with the ``domain`` of the text ("news" or "plover"), so the
    model can weigh the rules differently on the two (the same function builds training and
    run-time input)."""
    words = [t.lemma_.lower() for t in tokens if not (t.is_space or t.is_punct or t.like_num or t.pos_ == "PROPN"
                                                       or t.ent_type_)]
    pred = head.doc[typed.predicate] if typed.predicate < len(head.doc) else head
    content = reported_predicate(head, tokens)
    marks = [f"rule_{typed.event_type.lower()}", f"pred_{pred.lemma_.lower()}", f"head_{content.lemma_.lower()}"]
    if typed.negated:
        marks.append(f"neg_{pred.lemma_.lower()}")
    if any(c.dep_ == "neg" for c in content.children):
        marks += ["mark_negated", f"neg_{content.lemma_.lower()}"]
    if typed.future:
        marks.append("mark_future")
    if typed.conditional or any(t.lower_ in _CONDITIONS for t in tokens):
        marks.append("mark_conditional")
    marks += sorted({f"modal_{t.lower_}" for t in tokens if t.dep_ in ("aux", "auxpass") and t.lower_ in _MODALS})
    if any(t.lower_ in _FIRST_PERSON and t.text != "US" for t in tokens):
        marks.append("mark_first_person")
    if any(t.lemma_.lower() in PLAN_NOUNS and (t.dep_ in _SUBJECTS or t.head.lower_ == "under") for t in tokens):
        marks.append("mark_plan")
    if typed.hedged:
        marks.append("mark_hedged")
    return words + marks + [f"{domain}_{m}" for m in marks]


def plover_of(event_type: str, rule: Typed) -> str | None:
    """The PLOVER category of a learned type: the type itself for a negotiation type, none for
    PROPOSE (PLOVER has no such category), and the rules' category for OTHER when they also said
    OTHER (their fighting or coercion cues), else none."""
    if event_type == "PROPOSE":
        return None
    if event_type in NEGOTIATION_TYPES:
        return event_type
    return rule.plover if rule.event_type == "OTHER" else None


def predict(nlp, features: list[list[str]], rules: list[str] | None = None) -> list[tuple[str, float]]:
    """The type and its score for each feature list, with a loaded classifier pipeline; with the
    rules' types, each gets ``RULE_PRIOR`` added to its own type's score first."""
    from spacy.tokens import Doc

    textcat = nlp.get_pipe("textcat")
    docs = [Doc(nlp.vocab, words=f or ["empty"]) for f in features]
    out = []
    for doc, rule in zip(textcat.pipe(docs), rules or [None] * len(docs)):
        scores = {t: p + (RULE_PRIOR if t == rule else 0.0) for t, p in doc.cats.items()}
        label = max(scores, key=lambda t: (scores[t], t))
        out.append((label, doc.cats[label]))
    return out


@lru_cache(maxsize=1)
def shipped_model():
    """The classifier shipped with the package (None when its folder is missing)."""
    import spacy

    if not (MODEL_DIR / "config.cfg").exists():
        return None
    return spacy.load(MODEL_DIR)


def active_model():
    """The classifier the extractors use now: the one :func:`using` set, else the shipped one."""
    return _state["model"] if _state["override"] else shipped_model()


@contextmanager
def using(model) -> Iterator[None]:
    """Type with ``model`` inside the block (None: the rules alone); used by training and evaluation."""
    saved = dict(_state)
    _state.update(override=True, model=model)
    try:
        yield
    finally:
        _state.update(saved)


def rules_decide(tokens: list, typed: Typed) -> bool:
    """Whether the rules' type stands whatever the classifier says: a future act "unless" the other
    side acts is a THREATEN (the annotation guide fixes it; the training data has few of them)."""
    return typed.event_type == "THREATEN" and typed.future and "unless" in words_of(tokens)


def retype(head, tokens: list, typed: Typed) -> Typed:
    """``typed`` with the learned type and its PLOVER category (unchanged without a model)."""
    model = active_model()
    if model is None or rules_decide(tokens, typed):
        return typed
    (label, _), = predict(model, [clause_features(head, tokens, typed)], [typed.event_type])
    typed.plover = plover_of(label, typed)
    typed.event_type = label
    return typed
