"""The ``flags`` extractor: the article's quality summary and its date check.

Runs last: the summary counts what cleaning and the earlier extractors flagged (duplicates,
boilerplate, mojibake, unattributed sentences, anonymous quotes). The date check reads the
dateline (:mod:`accord.evidence.dateline`) into the article's ``text_date`` and flags
``date_mismatch`` when it contradicts the header date (docs/methods/evidence.md).
"""

from __future__ import annotations

from accord.evidence import clean as cleanmod
from accord.evidence.dateline import contradicts, dateline_date
from accord.evidence.extract.context import DocumentContext
from accord.evidence.records import FlagRow, record_id

ROWS = (FlagRow,)
_ANONYMOUS = ("anonymous_official", "vague")


def extract(ctx: DocumentContext) -> None:
    """Fill the article's quality summary and text date; flag a contradicting date."""
    article = ctx.records.article
    article.quality = quality(ctx)
    article.quality_score = article.quality["score"]
    paras = ctx.clean.paragraphs
    article.text_date = dateline_date([p.text for p in paras], ctx.published)
    if ctx.published and article.text_date and contradicts(ctx.published, article.text_date):
        ctx.add(FlagRow(
            id=record_id(ctx.article_id, "flag", "date_mismatch"), article_id=ctx.article_id, kind="date_mismatch",
            start_char=0, end_char=0, paragraph=None,
            detail=f"header date {ctx.published.isoformat()} but the text is dated {article.text_date.isoformat()}"))


def quality(ctx: DocumentContext) -> dict:
    """The article's quality signals and score (docs/evidence-schema.md, ``articles.quality``)."""
    c, quotes = ctx.clean, ctx.records.quotes
    n_sent = max(1, len(ctx.sentences))
    counts = {
        "duplicate_paragraphs": any(p.duplicate_of is not None for p in c.paragraphs),
        "near_duplicate_paragraphs": any(p.near_duplicate_of is not None for p in c.paragraphs),
        "boilerplate": any(p.boilerplate for p in c.paragraphs),
        "mojibake": any(f["kind"] == "mojibake" for f in c.flags),
        "unattributed_share": sum(1 for f in ctx.sentence_flags.values() if f.unattributed) / n_sent,
        "slug_title_mismatch": cleanmod.slug_title_mismatch(ctx.raw.url, ctx.raw.title),
    }
    anon = [q for q in quotes if q.attribution_kind in _ANONYMOUS]
    out = {k: (round(float(v), 4) if isinstance(v, float) else bool(v)) for k, v in counts.items()}
    out["anonymous_sourcing_share"] = round(len(anon) / len(quotes), 4) if quotes else 0.0
    out["score"] = round(cleanmod.quality_score({k: float(v) for k, v in counts.items()}), 4)
    return out
