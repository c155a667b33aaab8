"""The ``speakers`` extractor: named entities and actor aliases, linked to the scenario's actors.

Person mentions (and organisations or places linked to an actor) are kept in text order for
the quotes extractor, which resolves pronoun speakers to them (docs/methods/evidence.md).
"""

from __future__ import annotations

from accord.evidence.extract.context import DocumentContext, PersonMention
from accord.evidence.records import MentionRow, record_id
from accord.evidence.speakers import OFFICE_WORDS, ROLE_WORDS

ROWS = (MentionRow,)
_MENTION_LABELS = {"PERSON", "ORG", "GPE", "NORP"}
ALIAS_CONFIDENCE = 0.9
TITLE_WINDOW = 4  # tokens before a name that can hold its title ("Kremlin spokesman Dmitry Peskov")


def _is_subject(tok) -> bool:
    for t in (tok, tok.head):
        if t.dep_ in ("nsubj", "nsubjpass"):
            return True
        if t.dep_ not in ("appos", "compound", "poss"):
            break
    return False


def titles_of(ent) -> frozenset[str]:
    """Office words the text gives a person: just before the name or in an appositive after it
    ("Foreign Minister Marta Oskarsson", "Oskarsson, the foreign minister,")."""
    doc = ent.doc
    words = [t.lower_ for t in doc[max(ent.sent.start, ent.start - TITLE_WINDOW):ent.start]]
    for t in ent.root.children:
        if t.dep_ == "appos":
            words += [w.lower_ for w in t.subtree]
    if ent.root.dep_ == "appos":
        words += [w.lower_ for w in ent.root.head.subtree if w.i < ent.start]
    return frozenset(w for w in words if w in OFFICE_WORDS or w in ROLE_WORDS)


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
            titles = titles_of(ent) if ent.label_ == "PERSON" else frozenset()
            ctx.persons.append(PersonMention(ent.start_char, ent.end_char, ent.text, link, ent.label_ == "PERSON",
                                             titles, _is_subject(ent.root)))
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
