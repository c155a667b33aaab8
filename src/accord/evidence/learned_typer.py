"""The learned statement typer: a softmax regression over the words of a clause, the marks the parse
and the rules give it, and the clause's token vectors (docs/methods/statement-typing.md).

The rules (:mod:`accord.evidence.statements`) find the clauses and type them first; the classifier
reads the clause's lemmas with marker words for its negation, modality, condition, speaker,
dependency relations and the rules' type, plus the English pipeline's token vectors
(``doc.tensor``) averaged over the clause and those of its head and reported predicate, and gives
the final type. The model ships in ``typer_model/``
next to this module and is trained by ``python -m accord.evidence.train_typer``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from accord.evidence.stance import NEGATIVE_APPRAISAL
from accord.evidence.statements import (
    NEGOTIATION_TYPES,
    PLAN_NOUNS,
    POSITIVE_APPRAISAL,
    TYPES,
    Typed,
    lookup_cue,
    reported_predicate,
    words_of,
)

MODEL_DIR = Path(__file__).with_name("typer_model")
WEIGHTS_FILE, META_FILE = "weights.npy", "model.json"
_MODALS = frozenset({"will", "would", "shall", "'ll", "wo", "must", "should", "could", "might", "may", "can", "ca"})
_CONDITIONS = frozenset({"if", "unless", "once", "provided"})
_FIRST_PERSON = frozenset({"we", "i", "us", "our", "my"})
_SUBJECTS = frozenset({"nsubj", "nsubjpass"})
_RELATIONS = frozenset({"dobj", "attr", "acomp", "xcomp", "ccomp", "oprd", "prep", "advmod", "nsubj", "nsubjpass",
                        "agent", "dative", "prt"})
VECTOR_WIDTH = 96  # the width of en_core_web_sm's token vectors
CLAUSE_VECTOR_WIDTH = 3 * VECTOR_WIDTH  # the clause's mean, its head's and its reported predicate's vectors
RULE_PRIOR = 0.05  # added to the rules' type's probability on our clauses: a tie-breaker (docs/methods/statement-typing.md)
_state: dict[str, Any] = {"override": False, "model": None}


@dataclass(frozen=True, eq=False)
class TyperModel:
    """A trained typer: the feature words it knows (row of each in ``weights``), the scaling of the
    clause vector, and one weight column per type (rows: words, then vector dimensions, then bias)."""

    vocabulary: dict[str, int]
    vector_mean: np.ndarray
    vector_scale: np.ndarray
    weights: np.ndarray
    labels: tuple[str, ...] = TYPES

    def probabilities(self, features: Sequence[Sequence[str]],
                      vectors: Sequence[Sequence[float] | None]) -> np.ndarray:
        """One row of type probabilities (columns: ``labels``) per clause; a clause without a
        vector (None) gets the training mean, which weighs nothing."""
        n_words, width = len(self.vocabulary), self.vector_mean.shape[0]
        if len(vectors) != len(features):
            raise ValueError(f"{len(features)} feature lists but {len(vectors)} vectors")
        given = [self.vector_mean if v is None else np.asarray(v, dtype=np.float64) for v in vectors]
        if any(v.shape != (width,) for v in given):
            raise ValueError(f"clause vectors must have {width} values")
        dense = (np.array(given).reshape(len(given), width) - self.vector_mean) * self.vector_scale
        scores = dense @ self.weights[n_words:-1] + self.weights[-1]
        for row, words in enumerate(features):
            scores[row] += self.weights[word_rows(self.vocabulary, words)].sum(axis=0)
        scores -= scores.max(axis=1, keepdims=True)
        probs = np.exp(scores)
        return probs / probs.sum(axis=1, keepdims=True)

    def save(self, folder: Path) -> None:
        """Write the weights (``weights.npy``) and the rest (``model.json``) to ``folder``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / WEIGHTS_FILE, self.weights.astype(np.float32), allow_pickle=False)
        meta = {"labels": list(self.labels), "vocabulary": sorted(self.vocabulary, key=self.vocabulary.__getitem__),
                "vector_mean": [float(x) for x in self.vector_mean], "vector_scale": [float(x) for x in self.vector_scale],
                "description": "accord's statement typer (docs/methods/statement-typing.md)"}
        (folder / META_FILE).write_text(json.dumps(meta, indent=0) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> TyperModel:
        """The model written by :meth:`save` to ``folder``."""
        meta = json.loads((Path(folder) / META_FILE).read_text(encoding="utf-8"))
        weights = np.load(Path(folder) / WEIGHTS_FILE, allow_pickle=False).astype(np.float64)
        return cls({w: i for i, w in enumerate(meta["vocabulary"])}, np.array(meta["vector_mean"]),
                   np.array(meta["vector_scale"]), weights, tuple(meta["labels"]))


def word_rows(vocabulary: dict[str, int], words: Sequence[str]) -> list[int]:
    """The rows (of the weights, or columns of the training input) of the known words among
    ``words``, each once, in order: a clause's words count as present or absent."""
    return sorted({vocabulary[w] for w in words if w in vocabulary})


def clause_features(head, tokens: list, typed: Typed, domain: str = "news") -> list[str]:
    """The words the classifier reads for one clause: its lemmas in order (names and numbers left
    out, so no article's actors are learned), then marker words for the rules' type, the cue and
    the reported predicate, negation, modals, conditions, first-person speech and a plan as subject,
    each marker once plain and once with the ``domain`` of the text ("news" or "plover"), so the
    model can weigh the rules differently on the two, then the dependents of the reported predicate
    and of the cue (:func:`relation_features`), and the clause's cue words, appraisal and quoted
    words (:func:`signal_features`). The same function builds training and run-time input."""
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
    return words + marks + [f"{domain}_{m}" for m in marks] + relation_features(content, pred, tokens) \
        + signal_features(tokens)


def signal_features(tokens: list) -> list[str]:
    """Words for what the clause says beyond its predicate: ``cue_<type>`` for every word of it the
    rules' cue table types (not only the predicate they chose: "mocked the decision, saying ... had
    failed" keeps the type of each cue) and ``negcue_<type>`` for a negated one; ``appraisal_good``
    and ``appraisal_bad`` when it praises or condemns in the rules' appraisal words ("a good start",
    "unacceptable"); ``quote_<lemma>`` for each word inside quotation marks, where the speaker's own
    judgement usually is ("not negotiable", "very well")."""
    out: set[str] = set()
    for tok in tokens:
        hit = lookup_cue(tok)
        if hit is not None:
            out.add(f"cue_{hit[0].lower()}")
            if any(c.dep_ == "neg" for c in tok.children):
                out.add(f"negcue_{hit[0].lower()}")
    text = " ".join(t.lower_ for t in tokens)
    if POSITIVE_APPRAISAL.search(text):
        out.add("appraisal_good")
    if NEGATIVE_APPRAISAL.search(text):
        out.add("appraisal_bad")
    quoted = False
    for tok in tokens:
        if tok.is_quote:
            quoted = not quoted
        elif quoted and not (tok.is_punct or tok.is_space):
            out.add(f"quote_{_word(tok)}")
    return sorted(out)


def relation_features(content, pred, tokens: list) -> list[str]:
    """``<relation>_<lemma>`` for each dependent inside the clause of the reported predicate and of
    the cue (its object, complement, subject, particle, prepositions with their objects, and the
    object of an infinitive it governs: "urged Veldia to drop the claim" gives ``dobj_name``,
    ``xcomp_drop`` and ``xdobj_claim``); names and numbers are ``name`` and ``number``."""
    inside = {t.i for t in tokens}
    out: set[str] = set()
    for tok in (content, pred):
        for c in tok.children:
            if c.i not in inside or c.dep_ not in _RELATIONS:
                continue
            out.add(f"{c.dep_}_{_word(c)}")
            if c.dep_ == "prep":
                out.update(f"pobj_{_word(g)}" for g in c.children if g.dep_ == "pobj")
            elif c.dep_ == "xcomp":
                out.update(f"xdobj_{_word(g)}" for g in c.children if g.dep_ in ("dobj", "prt"))
    return sorted(out)


def _word(tok) -> str:
    if tok.like_num:
        return "number"
    return "name" if tok.pos_ == "PROPN" or tok.ent_type_ else tok.lemma_.lower()


def clause_vector(head, tokens: list) -> np.ndarray | None:
    """The English pipeline's token vectors (``doc.tensor``) for a clause: their mean over the
    clause's words, then the vector of the clause's head, then that of its reported predicate
    (:func:`~accord.evidence.statements.reported_predicate`: "sign" in "said Moscow would not sign";
    the head itself when it reports nothing), ``CLAUSE_VECTOR_WIDTH`` numbers in all. The mean
    carries the clause's words in context, the other two the predicate's construction (its
    negation, modal and object as the parser read them). None when the pipeline keeps no vectors,
    or vectors of another width than the model's."""
    doc = tokens[0].doc
    if doc.tensor.shape != (len(doc), VECTOR_WIDTH):
        return None
    idx = [t.i for t in tokens if not (t.is_punct or t.is_space)] or [t.i for t in tokens]
    rows = doc.tensor[[*idx, head.i, reported_predicate(head, tokens).i]].astype(np.float64)
    return np.concatenate([rows[:-2].mean(axis=0), rows[-2], rows[-1]])


def plover_of(event_type: str, rule: Typed) -> str | None:
    """The PLOVER category of a learned type: the type itself for a negotiation type, none for
    PROPOSE (PLOVER has no such category), and the rules' category for OTHER when they also said
    OTHER (their fighting or coercion cues), else none."""
    if event_type == "PROPOSE":
        return None
    if event_type in NEGOTIATION_TYPES:
        return event_type
    return rule.plover if rule.event_type == "OTHER" else None


def predict(model: TyperModel, features: Sequence[Sequence[str]], vectors: Sequence[Sequence[float]],
            rules: Sequence[str] | None = None, prior: float = RULE_PRIOR) -> list[tuple[str, float]]:
    """The type and its probability for each clause (feature words and vector); with the rules'
    types, each gets ``prior`` added to its own type's probability first."""
    out = []
    for row, rule in zip(model.probabilities(features, vectors), rules or [None] * len(features), strict=True):
        scores = {t: float(p) + (prior if t == rule else 0.0) for t, p in zip(model.labels, row)}
        label = max(scores, key=lambda t: (scores[t], t))
        out.append((label, float(row[model.labels.index(label)])))
    return out


@lru_cache(maxsize=1)
def shipped_model() -> TyperModel | None:
    """The classifier shipped with the package (None when its folder is missing)."""
    if not (MODEL_DIR / WEIGHTS_FILE).exists():
        return None
    return TyperModel.load(MODEL_DIR)


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
    (label, _), = predict(model, [clause_features(head, tokens, typed)], [clause_vector(head, tokens)], [typed.event_type],
                          RULE_PRIOR)
    typed.plover = plover_of(label, typed)
    typed.event_type = label
    return typed
