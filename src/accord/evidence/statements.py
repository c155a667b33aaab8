"""Statement typing (PLOVER-aligned), issue detection and stance (docs/methods/evidence.md, "Statements")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from accord.evidence.lexicons import load
from accord.evidence.stance import NEGATIVE_APPRAISAL as _NEGATIVE_APPRAISAL
from accord.evidence.stance import concepts
from accord.scenario.model import Scenario

TYPES = ("PROPOSE", "AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "CONCEDE", "RETREAT",
         "DEMAND", "DISAPPROVE", "REJECT", "THREATEN", "OTHER")
NEGOTIATION_TYPES = TYPES[:-1]
_LIGHT = frozenset({"hold", "launch", "issue", "make", "take", "give", "conduct", "undertake", "mount", "have",
                    "begin", "start", "decide", "seek", "try", "continue", "announce", "say", "claim", "state",
                    "tell", "report", "be", "appear", "seem", "plan", "move", "renew", "express",
                    "voice", "stress", "emphasize", "confirm", "add", "reiterate", "vow"})
_REPORT = frozenset({"say", "announce", "claim", "state", "tell", "report", "add", "confirm", "stress",
                     "emphasize", "reiterate", "note", "write", "declare"})
_FUTURE = frozenset({"will", "would", "shall", "'ll", "wo"})
PLAN_NOUNS = frozenset({"plan", "proposal", "draft", "framework", "blueprint", "roadmap", "initiative",
                        "document", "text", "provision", "clause", "point", "version", "memorandum"})
"""Nouns naming a plan or one of its provisions ("the draft would ...", "under the plan")."""


def _cue_table() -> tuple[dict[str, tuple[str, str | None]], dict[tuple[str, str], tuple[str, str | None]]]:
    single: dict[str, tuple[str, str | None]] = {}
    pairs: dict[tuple[str, str], tuple[str, str | None]] = {}
    for line in load("event_cues"):
        head, _, cue = line.rpartition(":")
        head = head.upper()
        if head.startswith("OTHER:"):
            etype, plover = "OTHER", head.split(":", 1)[1]
        else:
            etype, plover = head, (None if head == "PROPOSE" else head)
        parts = cue.strip().split()
        if len(parts) == 2:
            pairs.setdefault((parts[0], parts[1]), (etype, plover))
        else:
            single.setdefault(parts[0], (etype, plover))
    return single, pairs


_SINGLE, _PAIRS = _cue_table()


@dataclass
class Typed:
    """The statement type of a clause with its predicate and modality."""

    event_type: str
    plover: str | None
    predicate: int  # token index
    future: bool = False
    conditional: bool = False
    negated: bool = False
    hedged: bool = False


_VERB_ONLY = frozenset({"table"})  # "tabled a plan" proposes; "on the table" does not


def lookup_cue(tok) -> tuple[str, str | None] | None:
    lemma = tok.lemma_.lower()
    for child in tok.children:
        if child.dep_ in ("prt", "prep") and (lemma, child.lower_) in _PAIRS:
            return _PAIRS[(lemma, child.lower_)]
    if tok.pos_ in ("VERB", "ADJ", "NOUN", "AUX") and lemma in _SINGLE:
        if (tok.pos_ == "AUX" and lemma != "must") or (lemma in _VERB_ONLY and tok.pos_ != "VERB"):
            return None
        return _SINGLE[lemma]
    return None


def _future(tok) -> bool:
    for t in (tok, tok.head):
        for c in t.children:
            if c.dep_ == "aux" and c.lower_ in _FUTURE:
                return True
            if c.dep_ == "aux" and c.lower_ in ("going",):
                return True
        if t.dep_ not in ("xcomp",):
            break
    return False


def _negated(tok) -> bool:
    for t in (tok, tok.head):
        if any(c.dep_ == "neg" for c in t.children):
            return True
        if t.dep_ not in ("xcomp",):
            break
    return False


def classify_sentence(sent) -> Typed | None:
    """Statement type of one spaCy sentence: the shallowest predicate with a cue wins."""
    return classify_clause(sent.root, list(sent))


def classify_clause(head, tokens: list) -> Typed | None:
    """Statement type of the clause of ``tokens`` headed by ``head`` (the shallowest cue wins)."""
    inside = {t.i for t in tokens}
    queue = [head]
    fallback: Typed | None = None
    seen = 0
    while queue and seen < 40:
        tok = queue.pop(0)
        seen += 1
        hit = lookup_cue(tok)
        lemma = tok.lemma_.lower()
        if hit is not None and not (lemma in _LIGHT and _has_content_child(tok)):
            return _finish(tokens, tok, hit)
        if hit is not None and fallback is None:
            fallback = _finish(tokens, tok, hit)
        kids = sorted((c for c in tok.children if c.i in inside and not _condition(c)), key=lambda c: _dep_rank(c))
        queue.extend(c for c in kids if c.dep_ not in ("punct", "det", "cc", "advmod", "amod", "compound", "poss", "nsubj", "nsubjpass", "npadvmod", "appos")
                     or (c.dep_ in ("nsubj",) and c.pos_ == "NOUN" and tok.lemma_ in ("be",)))
    return fallback


_RELATIVE = frozenset({"that", "which", "who", "whom", "whose", "what"})
_TIME_MARKS = frozenset({"after", "before", "while", "when", "as"})


def clause_heads(sent) -> list:
    """The predicates heading the sentence's clauses: its root, every verb coordinated with a clause
    head, and every verb that starts another act inside it (:func:`_own_act`)."""
    heads = [sent.root]
    for tok in sent:
        if tok.i == sent.root.i or tok.pos_ not in ("VERB", "AUX") or not _has_own_words(tok):
            continue
        if (tok.dep_ == "conj" and tok.head.pos_ in ("VERB", "AUX") and not _shared_act(tok)) or _own_act(tok):
            heads.append(tok)
    return heads


def _shared_act(tok) -> bool:
    """True for a verb coordinated inside what a cue verb other than a reporting one governs: the
    cue types every part ("demanded that Ukraine withdraw ..., renounce NATO and hold elections",
    "urged Veldia to free the prisoners and reopen the border"), unlike the parts of what someone
    said ("said it had not received the text and did not intend to study it")."""
    first = tok
    while first.dep_ == "conj":
        first = first.head
    governor = first.head
    return first.dep_ in ("ccomp", "xcomp") and governor.lemma_.lower() not in _REPORT \
        and lookup_cue(governor) is not None


def _own_act(tok) -> bool:
    """True for a verb the parse hangs below another clause that reports an act of its own
    (docs/methods/statement-typing.md, "Clause cutting"): a relative clause with its own subject ("a
    step European officials had requested", "which they had found unacceptable"), a participle
    adding a second act of the same subject ("..., accusing the Union of backtracking"), and a time
    clause with its own subject ("after the government promised compensation")."""
    kids = list(tok.children)
    subject = any(c.dep_ in ("nsubj", "nsubjpass") and c.lower_ not in _RELATIVE for c in kids)
    marks = {c.lower_ for c in kids if c.dep_ == "mark"}
    if tok.dep_ in ("relcl", "acl"):  # not the content of a noun ("a report that Russia had agreed",
        if marks or any(c.dep_ == "prep" for c in kids if c.i < tok.i):  # "no scenario in which ...")
            return False
        # a finite verb hung on a noun is a relative clause whose subject the parse took for its head
        return subject or (tok.dep_ == "acl" and tok.tag_ in ("VBD", "VBZ", "VBP"))
    if tok.dep_ != "advcl":
        return False
    if not marks:
        return tok.tag_ == "VBG" and not subject and tok.i > tok.head.i
    return subject and bool(marks & _TIME_MARKS)


def _has_own_words(tok) -> bool:
    return sum(1 for _ in tok.subtree) >= 3


def clause_tokens(sent, head, heads: list) -> list:
    """The tokens of ``head``'s clause: its subtree without the other clauses nested in it
    (the root clause also keeps the words outside every subtree, such as a trailing "she said")."""
    others = [h for h in heads if h.i != head.i and head.is_ancestor(h)]
    cut = {t.i for h in others for t in h.subtree}
    for h in others:  # the conjunction before a coordinated clause goes with it
        cut.update(c.i for c in h.head.children if c.dep_ in ("cc", "punct") and h.left_edge.i - 2 <= c.i < h.i)
    if head.i == sent.root.i:
        return [t for t in sent if t.i not in cut]
    return [t for t in head.subtree if t.i not in cut]


def _condition(tok) -> bool:
    """True for the head of an "if"/"unless" clause: what it names is asked for, not done."""
    return tok.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in ("if", "unless") for c in tok.children)


def _has_content_child(tok) -> bool:
    return any(c.dep_ in ("ccomp", "xcomp", "dobj") for c in tok.children)


def _dep_rank(c) -> int:
    order = {"ccomp": 0, "xcomp": 1, "dobj": 2, "acomp": 2, "attr": 3, "prep": 4, "pobj": 4, "conj": 6,
             "advcl": 7, "relcl": 9, "acl": 8}
    return order.get(c.dep_, 5)


def _finish(tokens: list, tok, hit: tuple[str, str | None]) -> Typed:
    low = " ".join(t.lower_ for t in tokens)
    etype, plover = hit
    future = _future(tok)
    negated = _negated(tok)
    words = {t.lower_ for t in tokens}
    conditional = bool(words & {"if", "unless"})
    if future and etype in ("CONSULT", "SUPPORT", "COOPERATE", "AID"):
        etype, plover = "AGREE", "AGREE"
    elif future and etype == "RETREAT":
        etype, plover = "CONCEDE", "CONCEDE"
    if any(c.dep_ == "aux" and c.lower_ == "must" for c in tok.children):
        etype, plover = "DEMAND", "DEMAND"
    if "out of the question" in low or "non-starter" in low:
        etype, plover = "REJECT", "REJECT"
    if "unless" in words and future:
        etype, plover = "THREATEN", "THREATEN"
    elif conditional and future and etype in ("REJECT", "OTHER", "CONCEDE", "RETREAT"):
        etype, plover = "THREATEN", "THREATEN"
    if negated and future and etype in ("AGREE", "SUPPORT", "CONCEDE", "RETREAT"):
        etype, plover = "REJECT", "REJECT"
    etype, plover = _retype(tokens, tok, etype, plover, negated)
    hedged = bool(words & {"reportedly", "allegedly", "apparently", "purportedly", "may", "might", "could"})
    return Typed(etype, plover, tok.i, future, conditional, negated, hedged)


_TRUCE = frozenset({"truce", "ceasefire", "cease-fire", "armistice", "moratorium", "pause"})
_OFFERING = frozenset({"offer", "propose", "suggest", "float", "put", "declare", "announce", "pledge"})
_PROPOSALS = frozenset({"plan", "proposal", "deal", "package", "guarantee", "framework", "roadmap", "formula",
                        "initiative", "brigade", "force", "mission"})
_OBLIGATION = re.compile(r"\b(?:has|have|had|would have|will have) to be\b|\bmust be\b")
_APPRAISAL = frozenset({"useful", "productive", "constructive", "fruitful", "positive", "progress", "encouraging",
                        "substantive", "good", "promising", "breakthrough"})
_TALK_WORDS = frozenset({"be", "make", "call", "describe", "hold", "meet", "talk", "discussion", "talks", "meeting"})
_APPEAL = frozenset({"call", "appeal", "urge", "plead"})


_RECEIVING = frozenset({"receive", "host", "welcome"})
_VISITORS = frozenset({"envoy", "envoys", "delegation", "delegations", "minister", "ministers", "president",
                       "negotiator", "negotiators", "counterpart", "visitor", "visitors", "mediator", "mediators"})
_SOFT_MODALS = frozenset({"could", "might", "may"})
POSITIVE_APPRAISAL = re.compile(
    r"\b(?:useful|productive|constructive|fruitful|positive|progress|encouraging|substantive|promising|breakthrough|"
    r"step in the right direction|closer than|good basis|fair start|good start|deserves? (?:serious )?"
    r"(?:consideration|study)|welcome)\b", re.I)


def _retype(tokens: list, tok, etype: str, plover: str | None, negated: bool) -> tuple[str, str | None]:
    """Types the cue table gets wrong: offering a truce or a package is a proposal, praising talks is
    support, an appeal is a demand, receiving envoys is a meeting, "could accept" gives ground
    (docs/methods/evidence.md, "Statements")."""
    lemma = tok.lemma_.lower()
    objects = {c.lemma_.lower() for c in tok.subtree if c.dep_ in ("dobj", "pobj", "attr", "nsubjpass")}
    kids = {c.dep_ for c in tok.children}
    if lemma in _OFFERING and objects & (_TRUCE | _PROPOSALS) and not negated:
        return "PROPOSE", None
    if etype in ("AGREE", "CONSULT", "SUPPORT", "OTHER") and _OBLIGATION.search(" ".join(t.lower_ for t in tokens)):
        return "DEMAND", "DEMAND"
    judging = (lemma == "call" and kids & {"oprd", "ccomp", "xcomp"}) or \
        (lemma == "describe" and any(c.lower_ == "as" for c in tok.children))
    if judging and "dobj" in kids:  # "called the demand colonial", "described the talks as useful"
        judged = " ".join(t.lower_ for t in tokens)
        good = POSITIVE_APPRAISAL.search(judged) and not _NEGATIVE_APPRAISAL.search(judged)
        return ("SUPPORT", "SUPPORT") if good else ("DISAPPROVE", "DISAPPROVE")
    if etype in ("CONSULT", "AGREE", "OTHER") and not negated \
            and any(t.lemma_.lower() in _APPRAISAL and t.dep_ in ("acomp", "dobj", "attr", "amod", "oprd") for t in tokens) \
            and (lemma in _APPRAISAL or lemma in _TALK_WORDS):
        return "SUPPORT", "SUPPORT"
    if lemma in _APPEAL and etype in ("AGREE", "CONSULT") and any(
            c.lower_ in ("for", "on") for c in tok.children):
        return "DEMAND", "DEMAND"
    if lemma in _RECEIVING and objects & _VISITORS:
        return "CONSULT", "CONSULT"
    if etype == "AGREE" and any(c.dep_ == "aux" and c.lower_ in _SOFT_MODALS for c in tok.children):
        return "CONCEDE", "CONCEDE"
    if etype == "DEMAND" and any(c.lower_ == "longer" for c in tok.subtree if c.i < tok.i):
        return "CONCEDE", "CONCEDE"
    return etype, plover


def words_of(tokens: list) -> set[str]:
    """The lower-case words of a clause."""
    return {t.lower_ for t in tokens}


def reported_predicate(head, tokens: list):
    """The predicate of what a reporting verb heading the clause reports ("said (that) Moscow would
    not ..."), else ``head`` itself."""
    inside = {t.i for t in tokens}
    while head.lemma_.lower() in _REPORT:
        content = next((c for c in head.children if c.dep_ in ("ccomp", "parataxis") and c.i in inside), None)
        if content is None:
            break
        head = content
    return head


def untyped_clause(head, tokens: list) -> Typed:
    """The type of a reported clause no cue word types: a demand ("wants", "has to"), a refusal
    ("a red line", "not for sale"), a judgement (DISAPPROVE or SUPPORT) or OTHER."""
    low = " ".join(t.lower_ for t in tokens)
    lemmas = {t.lemma_.lower() for t in tokens}
    head = reported_predicate(head, tokens)  # "X said (that) ...": the reported predicate decides
    negated = any(c.dep_ == "neg" for c in head.children)
    if lemmas & {"want", "need", "must"} or re.search(r"\b(?:has|have|had) to\b", low):
        etype = "DEMAND"
    elif words_of(tokens) & {"if", "unless"} and _future(head):
        etype = "THREATEN"
    elif re.search(r"\ball options (?:remain |are )?on the table\b", low):
        etype = "THREATEN"
    elif re.search(r"\b(?:red line|not for sale|not on the (?:agenda|table)|out of the question|no deal|"
                   r"not (?:a|an) (?:bargaining|option)|not in a hurry)\b", low) or (negated and _future(head)):
        etype = "REJECT"
    elif _NEGATIVE_APPRAISAL.search(low):
        etype = "DISAPPROVE"
    elif POSITIVE_APPRAISAL.search(low):
        etype = "SUPPORT"
    else:
        etype = "OTHER"
    words = {t.lower_ for t in tokens}
    return Typed(etype, None if etype == "OTHER" else etype, head.i, _future(head), bool(words & {"if", "unless"}),
                 negated, bool(words & {"reportedly", "allegedly", "apparently", "may", "might", "could"}))


# -- issues and stance --------------------------------------------------------------------------
_STOP = frozenset("a an the of to and or in on for with by from at into no not any all its their his her "
                  "as is are be plus including only both whole".split())


@dataclass
class IssueIndex:
    """Keyword matchers and scale anchors of the scenario issues."""

    patterns: dict[str, re.Pattern] = field(default_factory=dict)
    anchors: dict[str, list[tuple[float, frozenset[str], str]]] = field(default_factory=dict)
    direction: dict[str, int] = field(default_factory=dict)
    numeric: dict[str, list[tuple[float, float]]] = field(default_factory=dict)  # (raw number, scale value)
    keywords: dict[str, frozenset[str]] = field(default_factory=dict)  # issue id -> its keywords as concepts
    # issue id -> its keywords folded (:data:`_IGNORECASE_FOLD`, lower case) when all are ASCII
    folded: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_scenario(cls, scenario: Scenario | None) -> IssueIndex:
        """Matchers for every issue of ``scenario`` (empty without one)."""
        idx = cls()
        if scenario is None:
            return idx
        for issue in scenario.issues:
            kws = [k for k in issue.keywords if k.strip()] or [issue.title]
            kws = sorted(set(kws), key=len, reverse=True)
            idx.patterns[issue.id] = re.compile(
                r"(?<![\w])(?:" + "|".join(re.escape(k) for k in kws) + r")(?![\w])", re.I)
            idx.anchors[issue.id] = [(a.value, _content_words(a.label), a.label) for a in issue.scale.anchors]
            idx.direction[issue.id] = _direction(kws, issue.scale.anchors)
            idx.keywords[issue.id] = frozenset().union(*(concepts(k) for k in kws))
            if all(k.isascii() for k in kws):
                idx.folded[issue.id] = tuple(k.lower() for k in kws)
            nums = []
            for a in issue.scale.anchors:
                m = _LABEL_NUMBER.search(a.label)
                if m:
                    nums.append((float(m.group(0).replace(",", "")), a.value))
            if len(nums) >= 2:
                idx.numeric[issue.id] = sorted(nums)
        return idx

    def numeric_position(self, issue_id: str, value: float) -> float | None:
        """Scale value of a number on an issue whose anchors carry numbers ("600,000 at all times"):
        the anchor with that number, else linear interpolation between the neighbouring ones."""
        pts = self.numeric.get(issue_id)
        if not pts or not (pts[0][0] <= value <= pts[-1][0]):
            return None
        for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
            if x0 <= value <= x1:
                return y0 if x1 == x0 else y0 + (y1 - y0) * (value - x0) / (x1 - x0)
        return None

    def issues_in(self, text: str) -> list[str]:
        """Issue ids whose keywords occur in ``text``. An issue with ASCII keywords is searched
        only when one of them is a substring of the folded text, which every match implies."""
        folded = text.translate(_IGNORECASE_FOLD).lower()
        return [iid for iid, pat in self.patterns.items()
                if ((kws := self.folded.get(iid)) is None or any(map(folded.__contains__, kws))) and pat.search(text)]


# The characters besides ASCII letters that a case-insensitive pattern matches with an ASCII
# letter (dotted and dotless i, long s, the Kelvin sign), mapped to that letter: after this
# and ``str.lower`` an ASCII keyword matched case-insensitively is a plain substring.
_IGNORECASE_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


_LABEL_NUMBER = re.compile(r"\b\d{1,3}(?:,\d{3})+\b|\b\d{4,}\b")
_NEG_LABEL = re.compile(r"\b(?:no|not|none|never|without)\b", re.I)
_UNDO_LABEL = re.compile(r"\b(?:lift|lifted|lifting|removed?|scrapped|abolished|ended|phased out|dropped|cancell?ed|"
                         r"repealed|revoked|renounced?|renounces|unfrozen)\b", re.I)


def _direction(keywords: list[str], anchors) -> int:
    """+1 when supporting the issue's keywords points up the scale, −1 when it points down.

    Each anchor label sharing words with the keywords votes by its side of the scale midpoint,
    reversed when the label is negated ("no withdrawal"); ties point up.
    """
    kw = frozenset(w for k in keywords for w in _content_words(k))
    total = 0.0
    for a in anchors:
        hit = len(kw & _content_words(a.label))
        if not hit:
            continue
        sign = -1.0 if _NEG_LABEL.search(a.label) else 1.0
        if _UNDO_LABEL.search(a.label):  # "tariff removed": the label is against the keywords
            sign = -sign
        total += (a.value - 50.0) * sign * hit
    return -1 if total < 0 else 1


def _content_words(text: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"[a-z][a-z-]+", text.lower()) if w not in _STOP and len(w) > 2)
