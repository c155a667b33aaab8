"""The date an article gives itself in its dateline ("KYIV, Nov 27 (Wire) - ...").

A dateline opens one of the first two paragraphs: an optional place and a comma, a month and
a day (or a day and a month), an optional year, then an opening parenthesis or a dash. A
dateline without a year takes the year that puts it nearest the header date
(docs/methods/evidence.md, "Dates").
"""

from __future__ import annotations

import datetime as dt
import re

_MONTHS = {m[:3].lower(): k for k, m in enumerate(
    ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
     "November", "December"), start=1)}
_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?" \
         r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
_DATELINE = re.compile(
    rf"^[ \t]*(?:[A-Z][\w.'’ -]{{0,40}},[ \t]+)?"
    rf"(?:(?P<month>{_MONTH})\.?[ \t]+(?P<day>\d{{1,2}})|(?P<day2>\d{{1,2}})[ \t]+(?P<month2>{_MONTH})\.?)"
    rf"(?:,?[ \t]+(?P<year>\d{{4}}))?[ \t]*(?:\(|[-–—:])")
_PREFIX = re.compile(
    rf"(?:[A-Z][A-Z'’.]+(?:[ \t]+[A-Z][A-Z'’.]+)*(?:,[ \t]*)?)?"
    rf"(?:(?:{_MONTH})\.?[ \t]+\d{{1,2}}|\d{{1,2}}[ \t]+(?:{_MONTH})\.?)?(?:,?[ \t]+\d{{4}})?"
    rf"[ \t]*(?:\([^)\n]{{1,40}}\))?[ \t]*[-–—][ \t]+")
HEAD_PARAGRAPHS = 2
MISMATCH_DAYS = 1  # a day either way is a time zone, not a contradiction


def dateline_date(paragraphs: list[str], reference: dt.date | None) -> dt.date | None:
    """The dateline date of an article whose first paragraphs are ``paragraphs``, if it has one.

    ``reference`` (the header date) chooses the year of a dateline that gives none; without
    either, there is no date.
    """
    for para in paragraphs[:HEAD_PARAGRAPHS]:
        m = _DATELINE.match(para)
        if m is None:
            continue
        month = _MONTHS[(m.group("month") or m.group("month2"))[:3].lower()]
        day = int(m.group("day") or m.group("day2"))
        years = [int(m.group("year"))] if m.group("year") else (
            [reference.year - 1, reference.year, reference.year + 1] if reference else [])
        dates = [d for d in (_date(y, month, day) for y in years) if d is not None]
        if not dates:
            return None
        return min(dates, key=lambda d: abs((d - reference).days)) if reference else dates[0]
    return None


def dateline_end(text: str, start: int) -> int:
    """Where the text after a dateline starting at ``start`` begins ("VIENNA -", "GENEVA, May 13 -",
    "May 13 (Wire) -"); ``start`` itself when there is none."""
    m = _PREFIX.match(text, start)
    if m is None or not text[start:m.end()].strip(" \t-–—"):
        return start
    head = text[start:m.end()]
    has_place = bool(re.match(r"[A-Z][A-Z'’.]+\b", head)) and not re.match(rf"(?:{_MONTH})\b", head)
    has_date = bool(re.search(r"\d", head))
    return m.end() if has_place or has_date else start


def contradicts(header: dt.date | None, text_date: dt.date | None) -> bool:
    """True when the header date and the text's own date are more than a day apart."""
    return header is not None and text_date is not None and abs((text_date - header).days) > MISMATCH_DAYS


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
