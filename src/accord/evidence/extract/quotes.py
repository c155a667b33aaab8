"""The ``quotes`` extractor: quotations with their cue, source, content and speaker.

Quote spans come from :func:`accord.evidence.quotes.extract_quotes`; this step names the
speaker (the source text, the speaker of a continued quote, or for a pronoun the nearest
person mentioned before it), links it to an actor and classifies the attribution
(docs/methods/evidence.md).
"""

from __future__ import annotations

from bisect import bisect_right

from accord.evidence.extract.context import DocumentContext, PersonMention
from accord.evidence.hedges import attribution_kind
from accord.evidence.quotes import Quote, extract_quotes
from accord.evidence.records import QuoteRow, record_id
from accord.evidence.speakers import PRONOUNS, Link

ROWS = (QuoteRow,)
_PERSONAL = ("he", "she", "him", "her")
PRONOUN_CONFIDENCE = 0.6


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
    if q.speaker_of is not None and q.speaker_of in by_index:
        prev = by_index[q.speaker_of]
        speaker = prev.speaker
        link = Link(prev.source_actor_id, prev.link_method or "none", prev.link_confidence or 0.0)
    elif pronoun and q.source:
        ante = _antecedent(ctx, q.source[0][0], src_text.lower() in _PERSONAL)
        if ante is not None:
            speaker = ante.surface
            base = ante.link if ante.link.actor_id else actors.link(ante.surface, ctx.published)
            link = Link(base.actor_id, "pronoun_heuristic", round(PRONOUN_CONFIDENCE * max(base.confidence, 0.5), 3))
    has_name = _has_person(ctx.doc, q.source) or q.speaker_of is not None or (pronoun and speaker != src_text)
    content = [ctx.span(s, e) for s, e in q.content]
    return QuoteRow(
        id=record_id(ctx.article_id, "quote", q.cue[0], q.cue[1], q.content[0][0], q.content[-1][1]),
        article_id=ctx.article_id, kind=q.kind, cue_start=q.cue[0], cue_end=q.cue[1], cue_text=text[q.cue[0]:q.cue[1]],
        source=[ctx.span(s, e) for s, e in q.source], content=content, content_start=content[0]["start"],
        content_end=content[-1]["end"], content_text=" … ".join(c["text"] for c in content), speaker=speaker,
        source_actor_id=link.actor_id, link_method=link.method, link_confidence=link.confidence,
        attribution_kind=attribution_kind(speaker or "", has_name), confidence=q.confidence, rule=q.rule,
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


def _has_person(doc, spans: list[tuple[int, int]]) -> bool:
    for s, e in spans:
        sp = doc.char_span(s, e, alignment_mode="expand")
        if sp is not None and any(t.ent_type_ == "PERSON" for t in sp):
            return True
    return False
