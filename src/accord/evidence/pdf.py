"""Reading a PDF file into a RawDocument with pypdf (text layer only; no OCR).

The text of every page, pages separated by a blank line; the document information gives the
title, the date (``/CreationDate``) and the address (``/Source`` or ``/URL`` when a URL).
A PDF without a text layer (a scan) or one pypdf cannot parse becomes a ``Problem``.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
from typing import Any

from accord.evidence.records import RawDocument

_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})(\d{2})")
_URL = re.compile(r"^https?://\S+$")


def pdf_document(data: bytes, name: str):
    """The article in the PDF bytes ``data`` read from ``name``, or a Problem."""
    from accord.evidence.readers import Problem

    try:
        import pypdf
    except ImportError:
        return Problem(name, "reading PDF needs the pypdf package (pip install pypdf)")
    try:
        with _quiet():
            reader = pypdf.PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                return Problem(name, "encrypted PDF")
            pages = [(page.extract_text() or "").strip() for page in reader.pages]
            info: Any = reader.metadata or {}
    except Exception as exc:  # pypdf raises assorted errors on damaged files
        return Problem(name, f"PDF could not be read ({type(exc).__name__})")
    text = "\n\n".join(p for p in pages if p)
    if not text.strip():
        return Problem(name, "PDF has no text layer (a scanned image?)")
    url = next((str(info[k]) for k in ("/Source", "/URL") if k in info and _URL.match(str(info[k]))), None)
    return RawDocument(source=name, text=text, url=url, title=_info(info, "/Title"),
                       published=_date(_info(info, "/CreationDate")), fmt="pdf")


@contextlib.contextmanager
def _quiet():
    """pypdf logs every repair it makes; the reader reports problems itself."""
    log = logging.getLogger("pypdf")
    level = log.level
    log.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        log.setLevel(level)


def _info(info, key: str) -> str | None:
    value = info.get(key)
    return str(value).strip() or None if value is not None else None


def _date(value: str | None) -> str | None:
    m = _PDF_DATE.match(value or "")
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else None
