"""Extraction of documents into evidence records: a pure function of the text and scenario.

``process_document`` handles one document; ``process_documents`` runs many through
``nlp.pipe`` in batches. Both give identical records for the same input. The extraction
itself is the extractor registry (:mod:`accord.evidence.extract`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

from accord.evidence import clean as cleanmod
from accord.evidence.extract import Extractor, extract
from accord.evidence.extract.context import EMPTY_REGISTRY, ScenarioRegistry
from accord.evidence.nlp import get_nlp, reload_nlp
from accord.evidence.parse_process import ParseProcess
from accord.evidence.records import DocumentRecords, RawDocument

__all__ = ["ScenarioRegistry", "process_document", "process_documents"]

# spaCy keeps every new string it meets (vocabulary strings and lexemes, about 1,000 and 0.5 MB
# per 1,000 news articles) for the life of the pipeline; a fresh one every this many documents
# bounds them. Parses do not depend on what the vocabulary met before.
RELOAD_EVERY = 5000


def process_document(raw: RawDocument, scenario_registry: ScenarioRegistry | None = None,
                     extractors: list[Extractor] | None = None) -> DocumentRecords:
    """All evidence records of one document."""
    return next(process_documents([raw], scenario_registry, batch_size=1, extractors=extractors))


def process_documents(
    raws: Iterable[RawDocument], scenario_registry: ScenarioRegistry | None = None, batch_size: int = 16,
    extractors: list[Extractor] | None = None, parser: ParseProcess | None = None,
) -> Iterator[DocumentRecords]:
    """Records of many documents, parsed with ``nlp.pipe`` in batches, in input order.

    ``extractors`` defaults to the registry :data:`accord.evidence.extract.EXTRACTORS`. Every
    ``RELOAD_EVERY`` documents the pipeline is loaded afresh (:func:`accord.evidence.nlp.reload_nlp`).
    With ``parser`` the parse runs in that process, a few batches ahead (the same records).
    """
    reg = scenario_registry or EMPTY_REGISTRY
    raws = iter(raws)
    while True:
        done = 0
        for rec in _parsed(get_nlp(), itertools.islice(raws, RELOAD_EVERY), reg, batch_size, extractors, parser):
            done += 1
            yield rec
        if done < RELOAD_EVERY:
            return
        reload_nlp()


def _parsed(nlp, raws: Iterable[RawDocument], reg: ScenarioRegistry, batch_size: int,
            extractors: list[Extractor] | None, parser: ParseProcess | None = None) -> Iterator[DocumentRecords]:
    cleaned: list = []

    def texts() -> Iterator[str]:
        for raw in raws:
            c = cleanmod.clean(raw.text, verbatim=raw.verbatim)
            cleaned.append((raw, c))
            yield c.text

    docs = nlp.pipe(texts(), batch_size=batch_size) if parser is None else parser.pipe(nlp, texts(), batch_size)
    for k, doc in enumerate(docs):
        raw, c = cleaned[k]
        cleaned[k] = None  # free as we go
        yield extract(doc, raw, c, reg, extractors)
