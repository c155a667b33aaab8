"""Input documents, per-document records and stable ids."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

EXTRACTOR_VERSION = "accord-evidence-0.1.0"


@dataclass
class RawDocument:
    """One input document before extraction: body text and whatever metadata came with it."""

    source: str
    text: str
    url: str | None = None
    title: str | None = None
    published: str | None = None
    outlet: str | None = None
    fmt: str = "text"
    wire_source: str | None = None
    verbatim: bool = False  # keep the text as given (gold-offset evaluation)
    link_density: float | None = None
    retrieved_at: str | None = None  # ISO timestamp set by the reader (keeps extraction pure)


def now_iso() -> str:
    """The current UTC time as an ISO timestamp without microseconds."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


@dataclass
class DocumentRecords:
    """Everything extracted from one document, as plain rows ready for the store."""

    article: dict[str, Any]
    paragraphs: list[dict[str, Any]] = field(default_factory=list)
    mentions: list[dict[str, Any]] = field(default_factory=list)
    quotes: list[dict[str, Any]] = field(default_factory=list)
    statements: list[dict[str, Any]] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)
    flags: list[dict[str, Any]] = field(default_factory=list)

    @property
    def article_id(self) -> str:
        """The content hash identifying the article."""
        return self.article["id"]


def content_hash(text: str) -> str:
    """The article id: the first 16 hex digits of the SHA-256 of the cleaned text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def record_id(article_id: str, kind: str, *offsets: int | str) -> str:
    """A stable record id from the article, the record type and its offsets."""
    key = "|".join([article_id, kind, *map(str, offsets)])
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def parse_date(value: str | None) -> dt.date | None:
    """An ISO date (or the date part of an ISO timestamp), else None."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
