"""Input documents, the stored rows (one dataclass per table) and stable ids.

Every table of the evidence database is declared here as a :class:`Row` dataclass: its
fields, in order, are the table's columns, and their annotations give the column types
(``str`` VARCHAR, ``int`` INTEGER, ``float`` DOUBLE, ``bool`` BOOLEAN, ``dt.date`` DATE,
``dt.datetime`` TIMESTAMP, ``bytes`` BLOB; lists and dicts are stored as JSON text; a field's
``metadata={"sql_type": ...}`` overrides the type, e.g. ISO text stored as TIMESTAMP). The
store builds ``CREATE TABLE`` and the inserts from these declarations (docs/evidence-schema.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

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
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


# ------------------------------------------------------------------------------------------ rows


@dataclass
class Row:
    """One row of one evidence table; subclasses set ``TABLE`` (and ``PRIMARY_KEY`` if not ``id``)."""

    TABLE: ClassVar[str] = ""
    PRIMARY_KEY: ClassVar[tuple[str, ...]] = ("id",)

    def spans(self) -> Iterator[tuple[int, int, str]]:
        """The ``(start, end, text)`` spans the store checks against the article text."""
        return iter(())


def _spans(items: list[dict[str, Any]]) -> Iterator[tuple[int, int, str]]:
    for sp in items:
        yield sp["start"], sp["end"], sp["text"]


def span(text: str, start: int, end: int) -> dict[str, Any]:
    """A ``{"start", "end", "text"}`` span of ``text`` (the JSON form of spans in the store)."""
    return {"start": start, "end": end, "text": text[start:end]}


@dataclass
class MetaRow(Row):
    """A key/value setting of the database (``schema_version``)."""

    TABLE: ClassVar[str] = "meta"
    PRIMARY_KEY: ClassVar[tuple[str, ...]] = ("key",)
    key: str
    value: str | None = None


@dataclass
class RunRow(Row):
    """One ingest run: when, with which extractor and scenario, on which inputs, and its outcome."""

    TABLE: ClassVar[str] = "runs"
    id: str
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    extractor_version: str | None = None
    pipeline: str | None = None
    scenario_id: str | None = None
    inputs: str | None = None  # JSON list of the paths given
    articles_added: int | None = None
    articles_existing: int | None = None
    problems: str | None = None  # JSON list of one-line messages


@dataclass
class ArticleRow(Row):
    """One article: the cleaned text, its metadata and its quality summary."""

    TABLE: ClassVar[str] = "articles"
    id: str
    run_id: str | None = None
    url: str | None = None
    outlet: str | None = None
    source_domain: str | None = None
    published_at: dt.date | None = None
    retrieved_at: str | None = field(default=None, metadata={"sql_type": "TIMESTAMP"})  # ISO text
    title: str | None = None
    text: str = ""
    language: str | None = "en"
    wire_source: str | None = None
    source_path: str = ""
    format: str | None = None
    quality: dict[str, Any] = field(default_factory=dict)
    quality_score: float | None = None
    minhash: bytes | None = None
    extractor_version: str = EXTRACTOR_VERSION
    text_date: dt.date | None = None  # the date the text gives itself (dateline), when it has one
    scenario_key: str | None = None  # fingerprint of the scenario actors and issues were linked with


@dataclass
class ParagraphRow(Row):
    """One paragraph with its duplicate and boilerplate signals (``key`` and ``bands`` index it)."""

    TABLE: ClassVar[str] = "paragraphs"
    id: str
    article_id: str
    idx: int
    start_char: int
    end_char: int
    key_hash: str | None = None
    chars: int = 0
    boilerplate: str | None = None
    duplicate_of: int | None = None
    near_duplicate_of: int | None = None
    corpus_duplicate_of: str | None = None
    bands: list[str] | None = None
    extractor_version: str = EXTRACTOR_VERSION


@dataclass
class MentionRow(Row):
    """A named entity or actor alias, with the actor it links to."""

    TABLE: ClassVar[str] = "mentions"
    id: str
    article_id: str
    start_char: int
    end_char: int
    surface: str
    ner_label: str | None = None
    actor_id: str | None = None
    link_method: str | None = None
    confidence: float | None = None
    extractor_version: str = EXTRACTOR_VERSION

    def spans(self) -> Iterator[tuple[int, int, str]]:
        yield self.start_char, self.end_char, self.surface


@dataclass
class QuoteRow(Row):
    """A quotation: cue, source and content spans, the speaker and the actor it is attributed to."""

    TABLE: ClassVar[str] = "quotes"
    id: str
    article_id: str
    kind: str
    cue_start: int
    cue_end: int
    cue_text: str
    source: list[dict[str, Any]]
    content: list[dict[str, Any]]
    content_start: int
    content_end: int
    content_text: str
    speaker: str | None = None
    source_actor_id: str | None = None
    link_method: str | None = None
    link_confidence: float | None = None
    attribution_kind: str | None = None
    confidence: float | None = None
    rule: str | None = None
    paragraph: int | None = None
    extractor_version: str = EXTRACTOR_VERSION

    def spans(self) -> Iterator[tuple[int, int, str]]:
        yield self.cue_start, self.cue_end, self.cue_text
        yield from _spans(self.source)
        yield from _spans(self.content)


@dataclass
class StatementRow(Row):
    """A typed statement (one clause, for one actor): actor, targets, type, issues, stance and modality."""

    TABLE: ClassVar[str] = "statements"
    id: str
    article_id: str
    quote_id: str | None
    sentence_start: int
    sentence_end: int
    sentence_text: str
    paragraph: int | None
    actor_id: str | None
    target_actor_ids: list[str]
    event_type: str
    plover_category: str | None
    predicate: str | None
    issue_ids: list[str]
    stance: dict[str, dict[str, Any]]
    future: bool = False
    conditional: bool = False
    negated: bool = False
    hedged: bool = False
    confidence: float = 0.5
    extractor_version: str = EXTRACTOR_VERSION

    def spans(self) -> Iterator[tuple[int, int, str]]:
        yield self.sentence_start, self.sentence_end, self.sentence_text


@dataclass
class StatementIssueRow(Row):
    """One issue of a statement, with its polarity and the position it implies (if any)."""

    TABLE: ClassVar[str] = "statement_issues"
    PRIMARY_KEY: ClassVar[tuple[str, ...]] = ("statement_id", "issue_id")
    statement_id: str
    article_id: str
    issue_id: str
    polarity: int | None = None
    position: float | None = None


@dataclass
class ClaimRow(Row):
    """A number in the text: what it measures, its value or range, and who states it."""

    TABLE: ClassVar[str] = "claims"
    id: str
    article_id: str
    start_char: int
    end_char: int
    text: str
    quantity_type: str
    value: float | None
    values: list[float] | None
    low: float | None
    high: float | None
    unit: str | None
    approx: str | None
    referent: str | None
    iso_date: str | None
    issue_ids: list[str]
    attributed_to: str | None
    hedged: bool
    unattributed: bool
    sentence_start: int | None
    sentence_end: int | None
    paragraph: int | None
    conflicts_with: list[str] = field(default_factory=list)  # at most corpus_index.CONFLICTS_LISTED
    conflicts: int = 0  # how many earlier claims conflict (NULL in rows stored before the column existed)
    referent_key: str | None = None  # the referent as conflicts compare it (accord.evidence.claims.referent_key)
    extractor_version: str = EXTRACTOR_VERSION

    def spans(self) -> Iterator[tuple[int, int, str]]:
        yield self.start_char, self.end_char, self.text


@dataclass
class FlagRow(Row):
    """A data-quality flag on an article, a paragraph or a sentence."""

    TABLE: ClassVar[str] = "flags"
    id: str
    article_id: str
    kind: str
    start_char: int | None = None
    end_char: int | None = None
    paragraph: int | None = None
    detail: str | None = None
    hedge_cues: list[dict[str, Any]] = field(default_factory=list)
    weasel_patterns: list[str] = field(default_factory=list)
    attribution_kind: str | None = None
    unattributed: bool = False
    score: float | None = None
    extractor_version: str = EXTRACTOR_VERSION


CORE_ROWS: tuple[type[Row], ...] = (MetaRow, RunRow, ArticleRow, ParagraphRow)
R = TypeVar("R", bound=Row)


@dataclass
class DocumentRecords:
    """Everything extracted from one document: its article row and rows per table."""

    article: ArticleRow
    rows: dict[str, list[Row]] = field(default_factory=dict)

    @property
    def article_id(self) -> str:
        """The content hash identifying the article."""
        return self.article.id

    def table(self, name: str) -> list[Any]:
        """The rows of table ``name`` (an empty list when the document has none)."""
        return self.rows.setdefault(name, [])

    def add(self, row: R) -> R:
        """Append ``row`` to its table and return it."""
        self.table(row.TABLE).append(row)
        return row

    paragraphs = property(lambda self: self.table(ParagraphRow.TABLE), doc="Paragraph rows.")
    mentions = property(lambda self: self.table(MentionRow.TABLE), doc="Mention rows.")
    quotes = property(lambda self: self.table(QuoteRow.TABLE), doc="Quote rows.")
    statements = property(lambda self: self.table(StatementRow.TABLE), doc="Statement rows.")
    claims = property(lambda self: self.table(ClaimRow.TABLE), doc="Claim rows.")
    flags = property(lambda self: self.table(FlagRow.TABLE), doc="Flag rows.")


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
