"""The ``claims`` extractor: numbers in the text, what they measure and who states them.

Numbers come from :func:`accord.evidence.claims.extract_claims`. A number inside a statement
on an issue with numeric anchors also gives that statement's position on the issue
(docs/methods/evidence.md).
"""

from __future__ import annotations

from accord.evidence.claims import NumericClaim, extract_claims, referent_key
from accord.evidence.extract.context import DocumentContext
from accord.evidence.extract.statements import set_position
from accord.evidence.records import ClaimRow, StatementRow, record_id

ROWS = (ClaimRow,)
POSITION_QUANTITIES = ("troops", "persons", "count", "money", "distance")
_LOW_APPROX = ("exact", "at_least", "more_than", "about")
_HIGH_APPROX = ("exact", "up_to", "less_than", "almost", "about")


def extract(ctx: DocumentContext) -> None:
    """Fill numeric positions of statements, then add a claim row per number."""
    found = extract_claims(ctx.text, ctx.published)
    if ctx.registry.issues.numeric:
        for st in ctx.records.statements:
            _numeric_positions(ctx, st, found)
    for cl in found:
        ctx.add(_claim_row(ctx, cl))


def _numeric_positions(ctx: DocumentContext, st: StatementRow, found: list[NumericClaim]) -> None:
    issues = ctx.registry.issues
    for iid, stance in st.stance.items():
        if stance.get("basis") == "anchor" or iid not in issues.numeric:
            continue
        for cl in found:
            if st.sentence_start <= cl.start < st.sentence_end and isinstance(cl.value, float) \
                    and cl.quantity_type in POSITION_QUANTITIES:
                pos = issues.numeric_position(iid, cl.value)
                if pos is not None:
                    set_position(ctx, st, iid, round(pos, 4), "number")
                    break


def _claim_row(ctx: DocumentContext, cl: NumericClaim) -> ClaimRow:
    text, reg = ctx.text, ctx.registry
    si = ctx.sentence_of(cl.start)
    sent = ctx.sentences[si] if ctx.sentences else None
    stext = text[sent.start_char:sent.end_char] if sent is not None else ""
    cov = ctx.cover(cl.start, cl.end)
    st = next((s for s in ctx.records.statements if s.sentence_start <= cl.start < s.sentence_end), None)
    flag = ctx.sentence_flags.get(si)
    low: float | None
    high: float | None
    if isinstance(cl.value, list):
        value, values, low, high = None, cl.value, min(cl.value), max(cl.value)
    else:
        value, values = cl.value, None
        low = cl.value if cl.approx in _LOW_APPROX else None
        high = cl.value if cl.approx in _HIGH_APPROX else None
    return ClaimRow(
        id=record_id(ctx.article_id, "claim", cl.start, cl.end), article_id=ctx.article_id,
        start_char=cl.start, end_char=cl.end, text=text[cl.start:cl.end], quantity_type=cl.quantity_type,
        value=value, values=values, low=low, high=high,
        unit=cl.unit, approx=cl.approx, referent=cl.referent,
        referent_key=referent_key(cl.referent) if cl.referent else None, iso_date=cl.iso_date,
        issue_ids=reg.issues.issues_in(stext) if reg.issues.patterns else [],
        attributed_to=cov.id if cov else (st.actor_id if st and st.actor_id else None),
        hedged=bool(flag), unattributed=bool(flag and flag.unattributed),
        sentence_start=sent.start_char if sent is not None else None,
        sentence_end=sent.start_char + len(stext.rstrip()) if sent is not None else None,
        paragraph=ctx.paragraph_of(cl.start),
    )
