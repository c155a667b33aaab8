"""Quote attribution over a spaCy Doc: direct, indirect and mixed quotes with cue, source, content.

Rules (docs/methods/evidence.md, "Quotes"): a reporting verb with a clausal complement or a quotation next to it is a
cue; its subject (or the agent of a passive, or the head noun of a relative clause) is the
source; the complement clause or the quotation is the content. "according to X" is a cue with
X as source. A quotation with no cue of its own continues the nearest preceding quote.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from accord.evidence.lexicons import load
from accord.evidence.nlp import sentences
from accord.evidence.quotemarks import QuoteSpan, find_quotes

Span = tuple[int, int]
_CONTENT_DEPS = {"ccomp"}
_SUBJ_DEPS = {"nsubj", "nsubjpass", "csubj"}
_EDGE_PUNCT = set(" \t\n,;:—–-")
_REL_PRONOUNS = {"who", "which", "that", "whom"}
MIN_DIRECT_WORDS = 3
CONTINUATION_PARAGRAPHS = 1


@dataclass
class Quote:
    """One attribution: cue, source and content spans (character offsets) and how it was found."""

    kind: str
    cue: Span
    source: list[Span]
    content: list[Span]
    sentence: int
    rule: str
    confidence: float
    source_head: int | None = None  # token index of the source's head word
    speaker_of: int | None = None  # index of the quote this one continues
    marks: list[Span] = field(default_factory=list)


def reporting_lemmas() -> frozenset[str]:
    """Lemmas of reporting verbs."""
    return frozenset(load("reporting_verbs"))


_REPORTING = reporting_lemmas()
_BELIEF = frozenset({"think", "believe", "hope", "expect", "know", "guess", "wonder"})
_FIRST_SECOND = frozenset({"i", "you", "we"})


def _object_cues() -> dict[str, str]:
    out: dict[str, str] = {}
    for entry in load("object_cues"):
        lemma, _, prep = entry.partition(" ")
        out[lemma] = prep
    return out


_OBJECT_CUES = _object_cues()


def _trim(text: str, start: int, end: int) -> Span:
    while start < end and text[start] in _EDGE_PUNCT:
        start += 1
    while end > start and text[end - 1] in _EDGE_PUNCT:
        end -= 1
    return start, end


def _subtree_span(tok, exclude=None) -> Span:
    """Character span of a token's subtree, optionally without one child subtree on its edge."""
    left, right = tok.left_edge.i, tok.right_edge.i
    if exclude is not None:
        ex_l, ex_r = exclude.left_edge.i, exclude.right_edge.i
        if ex_l > tok.i:
            right = min(right, ex_l - 1)
        elif ex_r < tok.i:
            left = max(left, ex_r + 1)
    doc = tok.doc
    return doc[left].idx, doc[right].idx + len(doc[right])


def _cue_span(verb) -> Span:
    doc = verb.doc
    start = verb.i
    while (
        start - 1 >= verb.sent.start
        and doc[start - 1].dep_ in ("aux", "auxpass")
        and doc[start - 1].head.i == verb.i
        and doc[start - 1].lower_ != "to"
    ):
        start -= 1
    end = verb.i
    for child in verb.rights:
        if child.dep_ == "prt" and child.i == end + 1:
            end = child.i
    if end + 1 < verb.sent.end and doc[end + 1].text == ":":
        end += 1
    return doc[start].idx, doc[end].idx + len(doc[end])


def _subject(verb):
    """The token heading the source of ``verb``: subject, passive agent or inherited subject."""
    for child in verb.children:
        if child.dep_ == "agent":
            for g in child.children:
                if g.dep_ == "pobj":
                    return g
    subjects = [c for c in verb.children if c.dep_ in _SUBJ_DEPS and c.dep_ != "nsubjpass"]
    if subjects:  # a dateline parsed as a second subject ("VIENNA - The agency said") is the farther one
        return max(subjects, key=lambda c: (c.i < verb.i, c.i if c.i < verb.i else -c.i))
    head = verb
    for _ in range(3):  # xcomp/conj/advcl chains inherit the subject ("went on to say")
        if head.dep_ in ("xcomp", "conj", "advcl") and head.head is not head:
            head = head.head
            for child in head.children:
                if child.dep_ in ("nsubj", "csubj"):
                    return child
        elif head.dep_ in ("acl", "relcl") and head.head is not head:
            return head.head
        else:
            break
    return None


def _source_span(subj, text: str) -> tuple[Span, int]:
    """Source span and head token index; relative pronouns resolve to the modified noun."""
    if subj.lower_ in _REL_PRONOUNS and subj.head.dep_ == "relcl":
        noun = subj.head.head
        s, e = _subtree_span(noun, exclude=subj.head)
        return _trim(text, s, e), noun.i
    s, e = _subtree_span(subj)
    return _trim(text, s, e), subj.i


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _inside(a: Span, b: Span) -> bool:
    return b[0] <= a[0] and a[1] <= b[1]


class _Quoted:
    """Lookup of quotation-mark spans by character position."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans: list[QuoteSpan] = find_quotes(text)

    def overlapping(self, span: Span) -> list[QuoteSpan]:
        return [q for q in self.spans if q.start < span[1] and span[0] < q.end]


def _content_of(verb, text: str, sent_end_char: int) -> Span | None:
    """The complement clause of a reporting verb (or the clause it interrupts), or None."""
    for child in verb.children:
        if child.dep_ in _CONTENT_DEPS:
            s, e = _subtree_span(child)
            if s > verb.idx:  # content after the cue runs to the end of the sentence, final stop excluded
                e = max(e, sent_end_char)
                if e - 1 > s and text[e - 1] in ".!?":
                    e -= 1
            return _trim(text, s, e)
    if verb.dep_ == "parataxis" and verb.head is not verb:
        s, e = _subtree_span(verb.head, exclude=verb)
        return _trim(text, s, e)
    return None


def _sent_end(sent, text: str) -> int:
    last = sent[-1]
    end = last.idx + len(last)
    while end > sent.start_char and text[end - 1] in " \n":
        end -= 1
    return end


def extract_quotes(doc, sents: list | None = None, text: str | None = None) -> list[Quote]:
    """All quotes of a parsed document, in text order. ``sents``: the document's
    :func:`~accord.evidence.nlp.sentences`, and ``text``: ``doc.text``, when the caller has them
    already (spaCy joins the tokens' texts each time ``doc.text`` is read)."""
    text = doc.text if text is None else text
    quoted = _Quoted(text)
    out: list[Quote] = []
    used_marks: set[int] = set()
    sents = sentences(doc) if sents is None else sents
    for si, sent in enumerate(sents):
        sent_span = (sent.start_char, sent.end_char)
        sent_end = _sent_end(sent, text)
        marks_here = quoted.overlapping(sent_span)
        for tok in sent:
            low = tok.lower_
            if low == "according" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "to":
                q = _according_to(tok, sent, si, text)
                if q is not None:
                    out.append(q)
                continue
            lemma = tok.lemma_.lower()
            if tok.pos_ not in ("VERB", "AUX") or tok.dep_ == "amod":
                continue
            if lemma in _OBJECT_CUES and (lemma not in _REPORTING or _OBJECT_CUES[lemma]):
                q = _object_quote(tok, lemma, sent, si, text)
                if q is not None:
                    out.append(q)
                    continue
                if lemma not in _REPORTING:
                    continue
            if lemma not in _REPORTING:
                continue
            subj = _subject(tok)
            if lemma in _BELIEF and subj is not None and subj.lower_ in _FIRST_SECOND:
                continue
            cue = _cue_span(tok)
            content = _content_of(tok, text, sent_end)
            source: list[Span] = []
            head_i = None
            if subj is not None:
                sspan, head_i = _source_span(subj, text)
                if sspan[1] > sspan[0]:
                    source = [sspan]
            # quotation marks next to the cue take precedence as content
            mark = _adjacent_mark([m for m in marks_here if m.start not in used_marks], cue, source, content, text)
            kind = "indirect"
            if mark is not None:
                used_marks.add(mark.start)
                mspan = (mark.start, mark.end)
                if content is None or _inside(content, mspan):
                    content, kind = mspan, "direct"
                elif _inside(mspan, content) and mspan[1] - mspan[0] >= 0.95 * (content[1] - content[0]):
                    kind = "direct"
                else:
                    kind = "mixed"
            elif content is not None and any(
                _inside((m.start, m.end), content) for m in marks_here
            ):
                kind = "mixed"
                for m in marks_here:
                    if _inside((m.start, m.end), content):
                        used_marks.add(m.start)
            if content is None or content[1] <= content[0]:
                continue
            if source and _overlaps(source[0], content):
                source = []
                head_i = None
            conf = 0.8 if kind == "direct" else 0.6
            if not source:
                conf -= 0.2
            out.append(Quote(kind, cue, source, [content], si, "verb", conf, head_i))
    out.extend(_colon_quotes(text, sents, out))
    out.extend(_continuations(doc, text, sents, quoted, out, used_marks))
    out.sort(key=lambda q: (q.content[0][0], q.cue[0]))
    return out


def _adjacent_mark(marks: list[QuoteSpan], cue: Span, source: list[Span], content: Span | None, text: str) -> QuoteSpan | None:
    """The quotation (≥ MIN_DIRECT_WORDS words) nearest the cue, not containing the cue or source."""
    best, best_gap = None, 10**9
    for m in marks:
        mspan = (m.start, m.end)
        if _overlaps(mspan, cue) or (source and _overlaps(mspan, source[0])):
            continue
        if m.words(text) < MIN_DIRECT_WORDS and not (content and _inside(content, mspan)):
            continue
        gap = cue[0] - m.end if m.end <= cue[0] else m.start - cue[1]
        if gap < best_gap:
            best, best_gap = m, gap
    if best is None:
        return None
    between = text[best.end : cue[0]] if best.end <= cue[0] else text[cue[1] : best.start]
    if len(between) > 120:
        return None
    return best


def _object_quote(verb, lemma: str, sent, si: int, text: str) -> Quote | None:
    """"called for a ceasefire": the object (or the object of the listed preposition) is content."""
    prep_word = _OBJECT_CUES[lemma]
    obj = None
    cue_end_tok = verb
    for child in verb.rights:
        if prep_word and child.lower_ == prep_word and child.dep_ in ("prep", "prt", "dative"):
            cue_end_tok = child
            obj = next((g for g in child.children if g.dep_ == "pobj"), None)
            if obj is None:
                obj = next((g for g in verb.rights if g.dep_ == "dobj" and g.i > child.i), None)
            break
        if not prep_word and child.dep_ in ("dobj", "xcomp", "ccomp"):
            obj = child
            break
    if obj is None and prep_word:  # "called the charges unsubstantiated": object plus predicate
        dobj = next((c for c in verb.rights if c.dep_ == "dobj"), None)
        oprd = next((c for c in verb.rights if c.dep_ in ("oprd", "ccomp", "xcomp")), None)
        if dobj is not None and oprd is not None:
            subj = _subject(verb)
            if subj is None:
                return None
            sspan, head_i = _source_span(subj, text)
            content = _trim(text, dobj.left_edge.idx, oprd.right_edge.idx + len(oprd.right_edge))
            if _overlaps(sspan, content):
                return None
            return Quote("indirect", _cue_span(verb), [sspan], [content], si, "object", 0.4, head_i)
    if obj is None:
        return None
    subj = _subject(verb)
    if subj is None:
        return None
    cue = _cue_span(verb)
    cue = (cue[0], max(cue[1], cue_end_tok.idx + len(cue_end_tok)))
    sspan, head_i = _source_span(subj, text)
    s, e = _subtree_span(obj)
    content = _trim(text, s, e)
    if content[1] - content[0] < 2 or _overlaps(sspan, content):
        return None
    return Quote("indirect", cue, [sspan], [content], si, "object", 0.4, head_i)


_COLON_LINE = re.compile(
    r"(?m)^(?P<open>[\"“]?)(?P<src>[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,2}):[ \t]+(?P<content>\S[^\n]*)$")


_BAR_CREDIT = re.compile(
    r"(?P<q>“[^”\n]{3,}”)[ \t\u00a0]*(?P<cue>―)[ \t\u00a0]*(?P<src>[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,3})")


def _heading(name: str) -> bool:
    """A dateline or subhead before a colon ("GENEVA:", "Washington:", "Key points:"), not a speaker."""
    return (name.isupper() and len(name) > 3) or name.lower() in _HEADING_WORDS or \
        any(w.lower() in _HEADING_WORDS for w in name.split()[1:])


_HEADING_WORDS = frozenset(load("heading_words"))


def _place(sents: list, span: Span) -> bool:
    """True when the parser reads ``span`` as a place (a dateline such as "Washington:")."""
    if not sents:
        return False
    sp = sents[0].doc.char_span(span[0], span[1], alignment_mode="expand")
    return sp is not None and any(t.ent_type_ in ("GPE", "LOC", "FAC") for t in sp)


def _colon_quotes(text: str, sents: list, found: list[Quote]) -> list[Quote]:
    """Transcript and headline lines "NAME: words" (the colon is the cue, NAME the source), and
    quotations credited with a bar ("“…” ― Name")."""
    out: list[Quote] = []
    cues = {q.cue for q in found}
    starts = [sp.start_char for sp in sents]
    for m in _BAR_CREDIT.finditer(text):
        cue = m.span("cue")
        if cue in cues:
            continue
        src = _trim(text, *m.span("src"))
        si = max(0, bisect_right(starts, cue[0]) - 1)
        out.append(Quote("direct", cue, [src], [m.span("q")], si, "bar", 0.5, None))
    for m in _COLON_LINE.finditer(text):
        src = (m.start("src"), m.end("src"))
        cue = (m.end("src"), m.end("src") + 1)
        if cue in cues or len(m.group("content")) < 8 or _heading(m.group("src")) or _place(sents, src):
            continue
        c0, c1 = _trim(text, m.start("content"), m.end("content"))
        if c1 - c0 < 3:
            continue
        si = max(0, bisect_right(starts, cue[0]) - 1)
        out.append(Quote("direct", cue, [src], [(c0, c1)], si, "colon", 0.5, None))
    return out


def _according_to(tok, sent, si: int, text: str) -> Quote | None:
    to = tok.doc[tok.i + 1]
    pobj = next((c for c in to.children if c.dep_ == "pobj"), None)
    if pobj is None:
        return None
    cue = (tok.idx, to.idx + len(to))
    s, e = _subtree_span(pobj)
    source = _trim(text, s, e)
    sent_start, sent_end = sent.start_char, _sent_end(sent, text)
    parts = [_trim(text, sent_start, cue[0]), _trim(text, source[1], sent_end)]
    content = [p for p in parts if p[1] - p[0] >= 3]
    if not content:
        return None
    return Quote("indirect", cue, [source], content, si, "according_to", 0.7, pobj.i)


def _continuations(doc, text: str, sents, quoted: _Quoted, found: list[Quote], used: set[int]) -> list[Quote]:
    """Quotations without a cue of their own, continuing the nearest preceding attributed quote."""
    out: list[Quote] = []
    anchors = sorted((q for q in found if q.source), key=lambda q: q.content[0][0])
    for m in quoted.spans:
        if m.start in used or m.words(text) < MIN_DIRECT_WORDS:
            continue
        if any(_overlaps((m.start, m.end), c) for q in found for c in q.content):
            continue
        prev = None
        for q in anchors:
            if q.content[0][1] <= m.start or q.cue[1] <= m.start:
                prev = q
        if prev is None:
            continue
        between = text[prev.cue[1] : m.start] if prev.cue[1] <= m.start else "x"
        if prev.kind == "direct" and prev.content[-1][1] <= prev.cue[0] and len(between.strip(" ,;:\n")) == 0:
            prev.content.append((m.start, m.end))  # "“A,” she said, “B.”": one quote, two content spans
            used.add(m.start)
            continue
        gap_text = text[max(prev.content[0][1], prev.cue[1]) : m.start]
        if gap_text.count("\n\n") > CONTINUATION_PARAGRAPHS or len(gap_text) > 400:
            continue
        tok = doc.char_span(m.start, m.end, alignment_mode="expand")
        si = _sent_index(sents, tok[0].i) if tok is not None and len(tok) else prev.sentence
        out.append(
            Quote("direct", prev.cue, list(prev.source), [(m.start, m.end)], si, "continuation",
                  0.5, prev.source_head, speaker_of=found.index(prev))
        )
    return out


def _sent_index(sents, token_i: int) -> int:
    for k, s in enumerate(sents):
        if s.start <= token_i < s.end:
            return k
    return 0
