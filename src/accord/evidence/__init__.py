"""News evidence: ingest articles, extract quotes, statements, claims and flags, suggest positions.

Entry points (imported lazily, so importing this package does not load spaCy):
``accord.evidence.ingest.ingest_paths``, ``accord.evidence.pipeline.process_document``,
``accord.evidence.suggest.suggest_positions`` / ``apply_patch``, ``accord.evidence.evaluate``.
Extraction is the ordered extractor registry ``accord.evidence.extract.EXTRACTORS``; the stored
rows are the dataclasses of ``accord.evidence.records`` (docs/evidence-schema.md). How each
extractor works: docs/methods/evidence.md.
"""
