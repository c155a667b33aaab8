"""The ``statements`` extractor: typed statements with their actor, targets, issues and stance.

Each sentence with a statement type (:func:`accord.evidence.statements.classify_sentence`) and
either an actor (its quote's speaker, else its grammatical subject) or an issue becomes a
statement; its stance on each issue is a polarity and, where the wording matches an anchor, a
position (docs/methods/evidence.md).
"""

from __future__ import annotations

from accord.evidence.extract.context import DocumentContext
from accord.evidence.extract.hedges import sentence_bounds
from accord.evidence.records import QuoteRow, StatementIssueRow, StatementRow, record_id
from accord.evidence.statements import classify_sentence, stance_polarity

ROWS = (StatementRow, StatementIssueRow)
HEDGED_FACTOR = 0.7


def extract(ctx: DocumentContext) -> None:
    """Add a statement row (and its issue rows) for every typed sentence with an actor or an issue."""
    quotes_by_sentence: dict[int, list[QuoteRow]] = {}
    for q in ctx.records.quotes:
        quotes_by_sentence.setdefault(ctx.quote_sentence[q.id], []).append(q)
    for si, s0, s1 in sentence_bounds(ctx):
        row = _statement(ctx, si, s0, s1, quotes_by_sentence.get(si, []))
        if row is None:
            continue
        ctx.add(row)
        for iid, st in row.stance.items():
            ctx.issue_rows[(row.id, iid)] = ctx.add(StatementIssueRow(
                statement_id=row.id, article_id=row.article_id, issue_id=iid,
                polarity=st["polarity"], position=st["position"]))


def set_position(ctx: DocumentContext, statement: StatementRow, issue_id: str, position: float) -> None:
    """Set the position a statement implies on an issue (in its stance and its issue row)."""
    statement.stance[issue_id]["position"] = position
    ctx.issue_rows[(statement.id, issue_id)].position = position


def _statement(ctx: DocumentContext, si: int, s0: int, s1: int, qs: list[QuoteRow]) -> StatementRow | None:
    text, reg = ctx.text, ctx.registry
    stext = text[s0:s1]
    typed = classify_sentence(ctx.sentences[si])
    issue_ids = reg.issues.issues_in(stext) if reg.issues.patterns else []
    actor_id, quote_id, conf = None, None, 0.5
    if qs:
        q = next((q for q in qs if q.source_actor_id), qs[0])
        actor_id, quote_id = q.source_actor_id, q.id
        conf = 0.5 + 0.4 * (q.link_confidence or 0.0)
    if actor_id is None and typed is not None:
        subj = _subject_of(ctx.doc[typed.predicate])
        if subj is not None:
            link = reg.actors.link(text[subj[0]:subj[1]], ctx.published)
            if link.actor_id:
                actor_id, conf = link.actor_id, 0.4 + 0.4 * link.confidence
    if typed is None or (actor_id is None and not issue_ids):
        return None
    flagged = si in ctx.sentence_flags
    stance = {iid: {"polarity": stance_polarity(typed.event_type, stext, typed.negated),
                    "position": reg.issues.anchor_position(iid, stext)} for iid in issue_ids}
    if flagged:
        conf *= HEDGED_FACTOR
    return StatementRow(
        id=record_id(ctx.article_id, "statement", s0, s1), article_id=ctx.article_id, quote_id=quote_id,
        sentence_start=s0, sentence_end=s1, sentence_text=stext, paragraph=ctx.paragraph_of(s0),
        actor_id=actor_id, target_actor_ids=sorted({a for _, _, a in reg.actors.find_aliases(stext) if a != actor_id}),
        event_type=typed.event_type, plover_category=typed.plover, predicate=ctx.doc[typed.predicate].text,
        issue_ids=issue_ids, stance=stance, future=typed.future, conditional=typed.conditional,
        negated=typed.negated, hedged=typed.hedged or flagged, confidence=round(conf, 4),
    )


def _subject_of(tok) -> tuple[int, int] | None:
    for t in (tok, tok.head, tok.head.head):
        for ch in t.children:
            if ch.dep_ in ("nsubj", "nsubjpass"):
                left, right = ch.left_edge, ch.right_edge
                return left.idx, right.idx + len(right)
        if t.dep_ not in ("xcomp", "ccomp", "conj", "advcl"):
            break
    return None
