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
from functools import lru_cache

from accord.evidence.lexicons import load

_NEG_WORDS = frozenset({"not", "n't", "never", "no", "neither", "nor", "without", "against", "none"})
_REPORTING_STOP = frozenset({"say", "tell", "add", "state", "announce", "report", "write", "note", "claim"})
_CONDITION_MARKS = frozenset({"if", "unless", "provided", "once", "until"})
_STEM_END = ("ings", "ing", "ed", "es", "s")
_STOP = frozenset("a an the of to and or in on for with by from at into no not its their his her as is are "
                  "be was were will would shall should can could may might must has have had it this that these those "
                  "never without against none plus including only both whole".split())
_STRONG = re.compile(r"\b(?:as soon as possible|immediately|at once|without delay|under no circumstances|never|"
                     r"in full|fully|completely|entirely|any)\b", re.I)
_NEG_LABEL = re.compile(r"\b(?:no|not|none|never|without)\b", re.I)
NEGATIVE_APPRAISAL = re.compile(
    r"\b(?:unacceptable|impossible|unrealistic|capitulation|non-?starter|trap|theft|blackmail|posturing|colonial|"
    r"provocation|provocative|cynical|absurd|illegal|lies?|theatre|theater|sabotage|ultimatum|wrong|dangerous|"
    r"red line|out of the question|not on the (?:agenda|table)|not for sale|veto|disappointed|disappointing|"
    r"politically motivated|obstacle|occupation|aggression|terror|pretext|deceit|deception|hypocrisy)\b", re.I)
"""Words that judge what they describe as bad ("unacceptable", "a red line", "theft")."""
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
    marked: bool = False  # a negation, refusal, undoing verb or condition was found on the path

    @property
    def polarity(self) -> int:
        """+1 for the issue's keywords, −1 against them."""
        return self.negation * self.undoing


def stem(word: str) -> str:
    """A crude English stem: lower case without a plural or verb ending ("lifting" → "lift")."""
    w = word.lower()
    if w.endswith("ly") and len(w) > 5:
        w = w[:-2]
    for end in _STEM_END:
        if w.endswith(end) and len(w) - len(end) >= 3:
            w = w[: -len(end)]
            if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiouls":  # "scrapped" -> "scrap"
                w = w[:-1]
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
    for c in tok.children:  # "X is unacceptable", "called X a trap"
        if c.dep_ in ("acomp", "attr", "oprd") and NEGATIVE_APPRAISAL.search(" ".join(w.lower_ for w in c.subtree)):
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
    return Direction(-1 if negations % 2 else 1, undo, conditional, bool(_STRONG.search(sent_text)),
                     negations > 0 or undo < 0 or conditional)


def _concepts() -> dict[str, str]:
    out: dict[str, str] = {}
    for line in load("stance_concepts"):
        concept, _, words = line.partition(":")
        for w in words.split():
            out.setdefault(w, concept.strip())
    return out


_CONCEPT = _concepts()


def concepts(text: str) -> frozenset[str]:
    """Stems of ``text``'s content words, words of one concept merged (lexicons/stance_concepts.txt)."""
    return frozenset(_CONCEPT.get(w, w) for w in stems(text))


@lru_cache(maxsize=4096)
def _label_concepts(label: str) -> frozenset[str]:
    return concepts(label)


def anchor_position(anchors: list[tuple[float, str]], clause_text: str, negation: int,
                    keywords: frozenset[str] = frozenset()) -> float | None:
    """The value of the anchor the clause's words match best; when only one of the clause and the
    label is negated, the anchor in the mirror place on the other side of the scale.

    Words every label shares and the issue's own keywords cannot tell anchors apart and are left
    out; a match needs one of the remaining words.
    """
    labels = [(value, label, _label_concepts(label)) for value, label in sorted(anchors)]
    if len(labels) < 2:
        return None
    common = frozenset.intersection(*(w for _, _, w in labels)) | keywords
    words = concepts(clause_text)
    best: tuple[int, float, int] | None = None
    for k, (_, _, label_words) in enumerate(labels):
        own = label_words - common
        hit = len(words & own)
        if hit and (best is None or (hit, hit / len(own)) > best[:2]):
            best = (hit, hit / len(own), k)
    if best is None:
        return None
    k = best[2]
    value, label, _ = labels[k]
    label_sign = -1 if _NEG_LABEL.search(label) else 1
    if label_sign == negation:
        return value
    mirror = len(labels) - 1 - k  # not this end: the anchor at the other end
    return None if mirror == k else labels[mirror][0]


def fallback_position(polarity: int, issue_direction: int, strong: bool) -> float | None:
    """A position from the attitude alone: 75/25 (90/10 when strongly worded) on the issue's side."""
    if polarity == 0:
        return None
    offset = STRONG_OFFSET if strong else PLAIN_OFFSET
    return 50.0 + offset if polarity * issue_direction > 0 else 50.0 - offset
