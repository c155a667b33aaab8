"""Direction of a clause on an issue from its dependency parse (docs/methods/evidence.md, "Stance").

The issue's mention in the clause is the proposition; every word on the path from it up to the
clause's predicate can turn the speaker's attitude to it around: a negation ("not", "never",
"no"), a verb of refusal ("reject", "refuse", "rule out"), "against" or "without". A verb that
undoes the issue's subject ("lift the embargo", "end the truce") reverses the proposition itself.
The clause's words are then compared with the issue's anchor labels (by word stems): a matching
anchor gives its value when the clause and the label agree in sign, and the mirrored value when
one of them is negated ("will not lift the embargo" against "embargo lifted immediately").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from accord.evidence.lexicons import load

_NEG_WORDS = frozenset({"not", "n't", "never", "no", "neither", "nor", "without", "against", "none"})
_REPORTING_STOP = frozenset({"say", "tell", "add", "state", "announce", "report", "write", "note", "claim"})
_CONDITION_MARKS = frozenset({"if", "unless", "provided", "once", "until"})
_STEM_END = ("ings", "ing", "ed", "es", "s")
_STOP = frozenset("a an the of to and or in on for with by from at into no not any all its their his her as is are "
                  "be was were will would shall should can could may might must has have had it this that these those "
                  "never without against none plus including only both whole".split())
_STRONG = re.compile(r"\b(?:as soon as possible|immediately|at once|without delay|under no circumstances|never|"
                     r"in full|fully|completely|entirely|any)\b", re.I)
_NEG_LABEL = re.compile(r"\b(?:no|not|none|never|without)\b", re.I)
STRONG_OFFSET = 40.0  # a strongly worded stance without a matching anchor: 10 or 90
PLAIN_OFFSET = 25.0  # otherwise: 25 or 75


def _lexicon(name: str) -> frozenset[str]:
    return frozenset(w.lower() for w in load(name))


_OPPOSING = _lexicon("opposing_verbs")
_UNDOING = _lexicon("undoing_verbs")


@dataclass(frozen=True)
class Direction:
    """A clause's attitude to one issue mention: its signs, condition and strength.

    ``negation`` is −1 when the speaker is against the proposition as worded (an odd number of
    negations and refusals above the mention); ``undoing`` is −1 when the proposition undoes the
    issue's subject ("lift the embargo"); ``polarity`` is their product, the attitude to the
    issue's keywords.
    """

    negation: int
    undoing: int
    conditional: bool
    strong: bool

    @property
    def polarity(self) -> int:
        """+1 for the issue's keywords, −1 against them."""
        return self.negation * self.undoing


def stem(word: str) -> str:
    """A crude English stem: lower case without a plural or verb ending ("lifting" → "lift")."""
    w = word.lower()
    for end in _STEM_END:
        if w.endswith(end) and len(w) - len(end) >= 3:
            w = w[: -len(end)]
            break
    return w[:-1] if w.endswith("e") and len(w) > 4 else w


def stems(text: str) -> frozenset[str]:
    """Stems of the content words of ``text``."""
    return frozenset(stem(w) for w in re.findall(r"[a-z][a-z-]+", text.lower()) if w not in _STOP and len(w) > 2)


def _negations_on(tok) -> int:
    """How many negations the token carries itself or through its children."""
    n = 0
    for c in tok.children:
        if c.dep_ == "neg" or (c.dep_ in ("det", "advmod", "preconj") and c.lower_ in _NEG_WORDS):
            n += 1
    if tok.lemma_.lower() in _OPPOSING or tok.lower_ in ("against", "without"):
        n += 1
    if tok.dep_ == "prt" and tok.head.lemma_.lower() + " " + tok.lower_ in _OPPOSING:
        n += 1
    return n


def _phrasal(tok) -> str:
    prt = next((c.lower_ for c in tok.children if c.dep_ == "prt"), "")
    return f"{tok.lemma_.lower()} {prt}".strip()


def direction_of(mention, stop, keyword_tokens: set[int]) -> Direction:
    """The attitude to the issue mentioned at token ``mention``, read up to token ``stop``.

    ``keyword_tokens`` are the indices of the mention's own words: a keyword verb
    ("withdraw") is the proposition, not a reversal of it.
    """
    negations, undo, conditional = 0, 1, False
    tok, steps = mention, 0
    while steps < 12:
        steps += 1
        if tok.i == mention.i and tok.pos_ not in ("VERB", "AUX"):
            negations += sum(1 for c in tok.children if c.dep_ == "det" and c.lower_ in ("no", "neither"))
        else:
            negations += _negations_on(tok)
        verb = _phrasal(tok)
        if tok.i not in keyword_tokens and (verb in _UNDOING or tok.lemma_.lower() in _UNDOING) \
                and tok.pos_ in ("VERB", "NOUN"):
            undo = -undo
        if any(c.dep_ == "mark" and c.lower_ in _CONDITION_MARKS for c in tok.children):
            conditional = True
            break
        if tok.i == stop.i or tok.head is tok or (tok.lemma_.lower() in _REPORTING_STOP and tok.i != mention.i):
            break
        tok = tok.head
    if tok.lemma_.lower() in _REPORTING_STOP and tok.i != mention.i:
        negations -= _negations_on(tok)  # "did not say" is not a stance on the content
    sent_text = mention.sent.text if hasattr(mention, "sent") else ""
    return Direction(-1 if negations % 2 else 1, undo, conditional, bool(_STRONG.search(sent_text)))


def anchor_position(anchors: list[tuple[float, str]], clause_text: str, negation: int) -> float | None:
    """The value of the anchor the clause's words match best, mirrored when only one is negated.

    A match needs two shared stems and half the label's stems; a negated match of a middle
    anchor says nothing and gives None.
    """
    words = stems(clause_text)
    best: tuple[float, float, str] | None = None
    for value, label in anchors:
        label_words = stems(label)
        if len(label_words) < 2:
            continue
        hit = len(words & label_words)
        score = hit / len(label_words)
        if hit >= 2 and score >= 0.5 and (best is None or score > best[0]):
            best = (score, value, label)
    if best is None:
        return None
    _, value, label = best
    label_sign = -1 if _NEG_LABEL.search(label) else 1
    if label_sign == negation:
        return value
    if abs(value - 50.0) < 25.0:
        return None
    return 100.0 - value


def fallback_position(polarity: int, issue_direction: int, strong: bool) -> float | None:
    """A position from the attitude alone: 75/25 (90/10 when strongly worded) on the issue's side."""
    if polarity == 0:
        return None
    offset = STRONG_OFFSET if strong else PLAIN_OFFSET
    return 50.0 + offset if polarity * issue_direction > 0 else 50.0 - offset
