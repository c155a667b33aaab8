"""The ``quotes`` extractor: quotations with their cue, source, content and speaker.

Quote spans come from :func:`accord.evidence.quotes.extract_quotes`; this step names the
speaker (the source text, the speaker of a continued quote, or for a pronoun the nearest
person mentioned before it), links it to an actor and classifies the attribution
(docs/methods/evidence.md).
"""

from __future__ import annotations

import re
from bisect import bisect_right

from accord.evidence.dateline import dateline_end
from accord.evidence.extract.context import DocumentContext, PersonMention
from accord.evidence.hedges import attribution_kind
from accord.evidence.quotes import Quote, extract_quotes
from accord.evidence.records import QuoteRow, record_id
from accord.evidence.speakers import PRONOUNS, Link

ROWS = (QuoteRow,)
_PERSONAL = ("he", "she", "him", "her")
PRONOUN_CONFIDENCE = 0.6
ROLE_CONFIDENCE = 0.85
_ANONYMOUS = ("anonymous_official", "vague")
_ROLE_SINGULAR = frozenset({"official", "diplomat", "aide", "source", "envoy", "negotiator", "mediator", "minister",
                            "spokesman", "spokesperson", "commissioner", "director", "adviser", "advisor"})
_ROLE_HEADS = ("president|minister|premier|chancellor|adviser|advisor|aide|spokesman|spokeswoman|spokesperson|envoy|"
               "negotiator|secretary|ambassador|commander|leader|diplomat|mediator|chief|head|mayor|governor|"
               "commissioner|director|officials?|sources?|diplomats|aides|negotiators|mediators")
_ROLE = re.compile(rf"^(?:the|[A-Z][\w-]*(?:’s|'s))\s+(?:[\w’'-]+\s+){{0,3}}(?:{_ROLE_HEADS})$", re.I)


def extract(ctx: DocumentContext) -> None:
    """Add a quote row per quotation found (the first of identical ones) and index their contents."""
    by_index: dict[int, QuoteRow] = {}
    seen: set[str] = set()
    for qi, q in enumerate(extract_quotes(ctx.doc, ctx.sentences, ctx.text)):
        row = _quote_row(ctx, q, by_index)
        by_index[qi] = row
        for s, e in q.content:
            ctx.covering.append((s, e, row.attribution_kind, row))
        if row.id in seen:  # identical cue and content found by two rules
            continue
        seen.add(row.id)
        ctx.quote_sentence[row.id] = q.sentence
        ctx.add(row)


def _quote_row(ctx: DocumentContext, q: Quote, by_index: dict[int, QuoteRow]) -> QuoteRow:
    text, actors = ctx.text, ctx.registry.actors
    q.source = [(dateline_end(text, a), b) for a, b in q.source if dateline_end(text, a) < b]  # "VIENNA - X said"
    src_text = " ".join(text[s:e] for s, e in q.source)
    link = actors.link(src_text, ctx.published) if src_text else Link(None, "none", 0.0)
    speaker = src_text or None
    pronoun = src_text.lower() in PRONOUNS
    anonymous: str | None = None
    if q.speaker_of is not None and q.speaker_of in by_index:
        prev = by_index[q.speaker_of]
        speaker = prev.speaker
        link = Link(prev.source_actor_id, prev.link_method or "none", prev.link_confidence or 0.0)
    elif pronoun and q.source:
        ante = _antecedent(ctx, q.source[0][0], src_text.lower() in _PERSONAL)
        anon = _anonymous_before(ctx, q.source[0][0], ante, by_index)
        if anon is not None:  # "a senior official said ... He added": the pronoun stays anonymous
            speaker, anonymous = anon.speaker, anon.attribution_kind
        elif ante is not None:
            speaker = ante.surface
            base = ante.link if ante.link.actor_id else actors.link(ante.surface, ctx.published)
            link = Link(base.actor_id, "pronoun_heuristic", round(PRONOUN_CONFIDENCE * max(base.confidence, 0.5), 3))
    elif q.source and not _has_person(ctx.doc, q.source):
        role = _role_word(src_text)
        holder = _role_holder(ctx, q.source[0][0], role, src_text.split(",", 1)[0], by_index) if role else None
        if holder is not None:  # "the minister said": the minister the article introduced
            speaker, base, anonymous = holder
            if base.actor_id:
                link = Link(base.actor_id, "role_reference", round(ROLE_CONFIDENCE * base.confidence, 3))
    has_name = _has_person(ctx.doc, q.source) or q.speaker_of is not None or (pronoun and speaker != src_text)
    kind = anonymous or attribution_kind(speaker or "", has_name and anonymous is None)
    content = [ctx.span(s, e) for s, e in q.content]
    return QuoteRow(
        id=record_id(ctx.article_id, "quote", q.cue[0], q.cue[1], q.content[0][0], q.content[-1][1]),
        article_id=ctx.article_id, kind=q.kind, cue_start=q.cue[0], cue_end=q.cue[1], cue_text=text[q.cue[0]:q.cue[1]],
        source=[ctx.span(s, e) for s, e in q.source], content=content, content_start=content[0]["start"],
        content_end=content[-1]["end"], content_text=" … ".join(c["text"] for c in content), speaker=speaker,
        source_actor_id=link.actor_id, link_method=link.method, link_confidence=link.confidence,
        attribution_kind=kind, confidence=q.confidence, rule=q.rule,
        paragraph=ctx.paragraph_of(q.cue[0]),
    )


def _antecedent(ctx: DocumentContext, pos: int, person: bool) -> PersonMention | None:
    """Nearest preceding person (or, for they/it, linked) mention in this or the previous paragraph,
    a clause subject first ("Umerov proposed a truce over Easter ... he said" is Umerov)."""
    k = bisect_right([m.start for m in ctx.persons], pos) - 1
    paras = ctx.clean.paragraphs
    floor = paras[max(0, ctx.paragraph_of(pos) - 1)].start if paras else 0
    nearest = None
    while k >= 0:
        m = ctx.persons[k]
        if m.start < floor:
            break
        if m.end <= pos and (m.is_person or not person):
            if m.subject or not person:
                return m
            nearest = nearest or m
        k -= 1
    return nearest


def _anonymous_before(ctx: DocumentContext, pos: int, ante: PersonMention | None,
                      by_index: dict[int, QuoteRow]) -> QuoteRow | None:
    """The anonymous quote introduced after the pronoun's named antecedent and before the pronoun
    (in this or the previous paragraph), if any."""
    floor = max(ante.end if ante is not None else 0, ctx.clean.paragraphs[max(0, ctx.paragraph_of(pos) - 1)].start
                if ctx.clean.paragraphs else 0)
    found = None
    for row in by_index.values():
        if row.attribution_kind in _ANONYMOUS and row.source and floor <= row.source[0]["start"] < pos:
            found = row
    return found


def _role_word(source: str) -> str | None:
    """The office word of a definite role reference ("the minister", "The diplomat, who ..."), singular."""
    head = source.split(",", 1)[0].strip()
    if not _ROLE.match(head):
        return None
    word = head.lower().split()[-1]
    return word[:-1] if word.endswith("s") and word[:-1] in _ROLE_SINGULAR else word


def _role_holder(ctx: DocumentContext, pos: int, role: str, phrase: str,
                 by_index: dict[int, QuoteRow]) -> tuple[str, Link, str | None] | None:
    """The last speaker before ``pos`` the article gave the title ``role``: a named person
    ("Foreign Minister Marta Oskarsson") or an earlier source ("a European diplomat"), with the
    link and, for an unnamed source, its attribution kind."""
    best: tuple[int, str, Link, str | None] | None = None
    for m in ctx.persons:
        if m.end <= pos and m.is_person and role in m.titles and (best is None or m.start > best[0]):
            link = m.link if m.link.actor_id else ctx.registry.actors.link(m.surface, ctx.published)
            best = (m.start, m.surface, link, None)
    for row in by_index.values():
        if not row.source or row.source[0]["start"] >= pos or not row.speaker:
            continue
        words = [w.rstrip("s") if w.rstrip("s") in _ROLE_SINGULAR else w for w in row.speaker.lower().split(",")[0].split()]
        if role in words and (best is None or row.source[0]["start"] > best[0]):
            kind = row.attribution_kind if row.attribution_kind in _ANONYMOUS else None
            best = (row.source[0]["start"], row.speaker,
                    Link(row.source_actor_id, row.link_method or "none", row.link_confidence or 0.0), kind)
    if best is None:  # an office the article never tied to a name: its holder in the scenario
        holder = ctx.registry.actors.role_holder(phrase, ctx.published)
        if holder is not None:
            return holder, ctx.registry.actors.link(holder, ctx.published), None
    return None if best is None else best[1:]


def _has_person(doc, spans: list[tuple[int, int]]) -> bool:
    for s, e in spans:
        sp = doc.char_span(s, e, alignment_mode="expand")
        if sp is not None and any(t.ent_type_ == "PERSON" for t in sp):
            return True
    return False
