"""The ``hedges`` extractor: hedged sentences and unattributed claims, one flag per sentence.

A sentence is flagged from its hedge words, weasel patterns and sourcing, taking into account
the quote that covers it (:func:`accord.evidence.hedges.flag_sentence`, docs/methods/evidence.md).
"""

from __future__ import annotations

from collections.abc import Iterator

from accord.evidence.extract.context import DocumentContext
from accord.evidence.hedges import flag_sentence
from accord.evidence.records import FlagRow, record_id

ROWS = (FlagRow,)


def sentence_bounds(ctx: DocumentContext) -> Iterator[tuple[int, int, int]]:
    """``(index, start, end)`` of every non-blank sentence, trailing white space left out."""
    text = ctx.text
    for si, sent in enumerate(ctx.sentences):
        s0, s1 = sent.start_char, sent.end_char
        while s1 > s0 and text[s1 - 1].isspace():
            s1 -= 1
        if s1 > s0:
            yield si, s0, s1


def extract(ctx: DocumentContext) -> None:
    """Add a flag for every hedged or unattributed sentence."""
    aid = ctx.article_id
    for si, s0, s1 in sentence_bounds(ctx):
        cov = ctx.cover(s0, s1)
        f = flag_sentence(ctx.text, s0, s1, cov.attribution_kind if cov else None)
        if f is None:
            continue
        ctx.sentence_flags[si] = ctx.add(FlagRow(
            id=record_id(aid, "flag", "sentence", s0, s1), article_id=aid,
            kind="unattributed_claim" if f.unattributed else "hedged_sentence",
            start_char=s0, end_char=s1, paragraph=ctx.paragraph_of(s0),
            detail=",".join(f.signals + f.weasel_patterns),
            hedge_cues=[ctx.span(a, b) for a, b in f.hedge_cues], weasel_patterns=f.weasel_patterns,
            attribution_kind=f.attribution_kind, unattributed=f.unattributed, score=f.score))
