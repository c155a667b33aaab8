"""Evidence extractors: one module per extractor and the ordered list they run in.

An extractor is a name, the row dataclasses it produces (``accord.evidence.records``) and a
function of a :class:`~accord.evidence.extract.context.DocumentContext` that adds those rows.
:data:`EXTRACTORS` is the registry: :func:`extract` runs it in order on every document, and the
store builds its tables from the rows it declares. To add one, see "Add an extractor" in
docs/evidence-schema.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from accord.evidence import clean as cleanmod
from accord.evidence.extract import claims, flags, hedges, quotes, speakers, statements
from accord.evidence.extract.context import DocumentContext, ScenarioRegistry
from accord.evidence.extract.document import article_row, cleaning_flags, paragraph_rows
from accord.evidence.records import (
    DocumentRecords,
    RawDocument,
    Row,
    content_hash,
    parse_date,
)


@dataclass(frozen=True)
class Extractor:
    """One step of extraction: its name, the row types it adds and the function that adds them."""

    name: str
    rows: tuple[type[Row], ...]
    run: Callable[[DocumentContext], None]


EXTRACTORS: list[Extractor] = [
    Extractor("speakers", speakers.ROWS, speakers.extract),
    Extractor("quotes", quotes.ROWS, quotes.extract),
    Extractor("hedges", hedges.ROWS, hedges.extract),
    Extractor("statements", statements.ROWS, statements.extract),
    Extractor("claims", claims.ROWS, claims.extract),
    Extractor("flags", flags.ROWS, flags.extract),
]
"""The extractor registry, in the order the extractors run (each may use the ones before it)."""


def extract(doc, raw: RawDocument, c: cleanmod.CleanText, reg: ScenarioRegistry,
            extractors: list[Extractor] | None = None) -> DocumentRecords:
    """Records of one parsed document (``doc.text == c.text``): the document's own rows, then
    every extractor of ``extractors`` (default :data:`EXTRACTORS`) in order."""
    aid = content_hash(c.text)
    published = parse_date(raw.published)
    records = DocumentRecords(article_row(aid, raw, c, published))
    records.article.scenario_key = reg.key
    for row in [*paragraph_rows(aid, c), *cleaning_flags(aid, c)]:
        records.add(row)
    ctx = DocumentContext(doc, raw, c, reg, published, records)
    for extractor in EXTRACTORS if extractors is None else extractors:
        extractor.run(ctx)
    return records
