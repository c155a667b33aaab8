"""The document itself: the article row, its paragraphs and the flags of text cleaning."""

from __future__ import annotations

from accord.evidence import clean as cleanmod
from accord.evidence.records import (
    ArticleRow,
    FlagRow,
    ParagraphRow,
    RawDocument,
    record_id,
)

_WIRES = ("Reuters", "AP", "Associated Press", "AFP", "Bloomberg", "Xinhua", "TASS", "Interfax")


def article_row(aid: str, raw: RawDocument, c: cleanmod.CleanText, published) -> ArticleRow:
    """The article row (its quality summary is filled by the ``flags`` extractor)."""
    return ArticleRow(
        id=aid, url=raw.url, outlet=raw.outlet, source_domain=_domain(raw.url),
        published_at=published, retrieved_at=raw.retrieved_at, title=raw.title, text=c.text,
        wire_source=raw.wire_source or _wire(c.text), source_path=raw.source, format=raw.fmt,
    )


def paragraph_rows(aid: str, c: cleanmod.CleanText) -> list[ParagraphRow]:
    """One row per paragraph with its duplicate, near-duplicate and boilerplate signals."""
    return [ParagraphRow(
        id=record_id(aid, "paragraph", p.start, p.end), article_id=aid, idx=p.index, start_char=p.start,
        end_char=p.end, key_hash=record_id("", "pkey", p.key) if p.key else None, chars=len(p.key),
        boilerplate=p.boilerplate, duplicate_of=p.duplicate_of, near_duplicate_of=p.near_duplicate_of,
        bands=p.bands or None,
    ) for p in c.paragraphs]


def cleaning_flags(aid: str, c: cleanmod.CleanText) -> list[FlagRow]:
    """The flags raised while cleaning the text (boilerplate, duplicates, mojibake)."""
    return [FlagRow(
        id=record_id(aid, "flag", f["kind"], f["start"], f["end"]), article_id=aid, kind=f["kind"],
        start_char=f["start"], end_char=f["end"], paragraph=f["paragraph"], detail=f["detail"],
    ) for f in c.flags]


def _domain(url: str | None) -> str | None:
    if not url or "://" not in url:
        return None
    host = url.split("://", 1)[1].split("/", 1)[0].lower()
    return host[4:] if host.startswith("www.") else host


def _wire(text: str) -> str | None:
    head = text[:300]
    tail = text[-300:]
    for w in _WIRES:
        if f"({w})" in head or f"{w} —" in head or f"— {w}" in head or f"{w} contributed" in tail:
            return "AP" if w == "Associated Press" else w
    return None
