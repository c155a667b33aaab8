"""The ``speakers`` extractor: named entities and actor aliases, linked to the scenario's actors.

Person mentions (and organisations or places linked to an actor) are kept in text order for
the quotes extractor, which resolves pronoun speakers to them (docs/methods/evidence.md).
"""

from __future__ import annotations

from accord.evidence.extract.context import DocumentContext, PersonMention
from accord.evidence.records import MentionRow, record_id

ROWS = (MentionRow,)
_MENTION_LABELS = {"PERSON", "ORG", "GPE", "NORP"}
ALIAS_CONFIDENCE = 0.9


def extract(ctx: DocumentContext) -> None:
    """Add a mention row per entity and per alias match the entities missed."""
    aid, actors, published = ctx.article_id, ctx.registry.actors, ctx.published
    mentions: list[MentionRow] = []
    for ent in ctx.doc.ents:
        if ent.label_ not in _MENTION_LABELS:
            continue
        link = actors.link(ent.text, published)
        mentions.append(MentionRow(
            id=record_id(aid, "mention", ent.start_char, ent.end_char), article_id=aid,
            start_char=ent.start_char, end_char=ent.end_char, surface=ent.text, ner_label=ent.label_,
            actor_id=link.actor_id, link_method=link.method, confidence=link.confidence))
        if ent.label_ == "PERSON" or (ent.label_ in ("ORG", "GPE") and link.actor_id):
            ctx.persons.append(PersonMention(ent.start_char, ent.end_char, ent.text, link, ent.label_ == "PERSON"))
    ent_spans = {(m.start_char, m.end_char) for m in mentions}
    for s, e, actor in actors.find_aliases(ctx.text):
        if (s, e) in ent_spans:
            continue
        mentions.append(MentionRow(
            id=record_id(aid, "mention", s, e), article_id=aid, start_char=s, end_char=e,
            surface=ctx.text[s:e], ner_label=None, actor_id=actor, link_method="alias",
            confidence=ALIAS_CONFIDENCE))
    mentions.sort(key=lambda m: (m.start_char, m.end_char))
    for m in mentions:
        ctx.add(m)
