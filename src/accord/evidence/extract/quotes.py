"""The ``quotes`` extractor: quotations with their cue, source, content and speaker.

Quote spans come from :func:`accord.evidence.quotes.extract_quotes`; this step names the
speaker (the source text, the speaker of a continued quote, or for a pronoun the nearest
person mentioned before it), links it to an actor and classifies the attribution
(docs/methods/evidence.md).
"""

from __future__ import annotations

import re
from bisect import bisect_right

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
_ROLE_HEADS = ("president|minister|premier|chancellor|adviser|advisor|aide|spokesman|spokeswoman|spokesperson|envoy|"
               "negotiator|secretary|ambassador|commander|leader|diplomat|mediator|chief|head|mayor|governor")
_ROLE = re.compile(rf"^the\s+(?:[\w’'-]+\s+){{0,3}}(?:{_ROLE_HEADS})$", re.I)


def extract(ctx: DocumentContext) -> None:
    """Add a quote row per quotation found (the first of identical ones) and index their contents."""
    by_index: dict[int, QuoteRow] = {}
    seen: set[str] = set()
    for qi, q in enumerate(extract_quotes(ctx.doc)):
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
    elif q.source and _ROLE.match(src_text) and not _has_person(ctx.doc, q.source):
        holder = _role_holder(ctx, q.source[0][0], src_text.lower().split()[-1])
        if holder is not None:  # "the minister said": the minister the article named
            speaker = holder.surface
            base = holder.link if holder.link.actor_id else actors.link(holder.surface, ctx.published)
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
    """Nearest preceding person (or, for they/it, linked) mention in this or the previous paragraph."""
    k = bisect_right([m.start for m in ctx.persons], pos) - 1
    paras = ctx.clean.paragraphs
    floor = paras[max(0, ctx.paragraph_of(pos) - 1)].start if paras else 0
    while k >= 0:
        m = ctx.persons[k]
        if m.start < floor:
            return None
        if m.end <= pos and (m.is_person or not person):
            return m
        k -= 1
    return None


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


def _role_holder(ctx: DocumentContext, pos: int, role: str) -> PersonMention | None:
    """The last person before ``pos`` the article gave the title ``role``."""
    for m in reversed(ctx.persons):
        if m.end <= pos and m.is_person and role in m.titles:
            return m
    return None


def _has_person(doc, spans: list[tuple[int, int]]) -> bool:
    for s, e in spans:
        sp = doc.char_span(s, e, alignment_mode="expand")
        if sp is not None and any(t.ent_type_ == "PERSON" for t in sp):
            return True
    return False
