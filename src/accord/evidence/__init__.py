"""News evidence: ingest articles, extract quotes, statements, claims and flags, suggest positions.

Entry points (imported lazily, so importing this package does not load spaCy):
``accord.evidence.ingest.ingest_paths``, ``accord.evidence.pipeline.process_document``,
``accord.evidence.suggest.suggest_positions`` / ``apply_patch``, ``accord.evidence.evaluate``.
The stored schema is documented in docs/evidence-schema.md.
"""
