"""Numeric claims: percentages, money, troops and persons, distances, areas, durations, counts, dates.

accord's own regexes (docs/methods/evidence.md, "Numeric claims"). Values are normalised: money to
the currency with the scale expanded ("$100bn" → 1e11 USD), distances to km, durations to hours or
days, fractions to percent.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

_SMALL = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "hundred": 100,
}
_ORD = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fourth": 4,
        "fifth": 5, "fifths": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10}
_SCALE = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9,
          "b": 1e9, "trillion": 1e12, "tn": 1e12, "trn": 1e12}
_CURRENCY = {"$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD", "€": "EUR",
             "eur": "EUR", "euro": "EUR", "euros": "EUR", "£": "GBP", "gbp": "GBP", "pounds": "GBP",
             "rubles": "RUB", "roubles": "RUB", "hryvnias": "UAH"}
_MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}
_QUAL = [
    (r"more than|over|above|in excess of|upwards of|exceeding", "more_than"),
    (r"less than|fewer than|under|below", "less_than"),
    (r"nearly|almost|close to|just under", "almost"),
    (r"about|around|roughly|approximately|some|an estimated|estimated|approx\.?", "about"),
    (r"at least|no fewer than|no less than", "at_least"),
    (r"up to|capped at|limited to|no more than|a maximum of|at most|maximum of|a ceiling of", "up_to"),
]
_QUAL_RE = "|".join(q for q, _ in _QUAL)
_NUMWORD = "|".join(sorted(_SMALL, key=len, reverse=True))
NUM = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_SCALE_RE = r"(?:\s?(?:thousand|million|billion|trillion|bn|mn|tn|trn|m|b|k)\b)"
_Q = rf"(?:\b(?P<qual>{_QUAL_RE})\s+)?"
_QUAL_TAIL = re.compile(rf"\b({_QUAL_RE})\s+$", re.I)

_MONTH_FULL = "January|February|March|April|May|June|July|August|September|October|November|December"
_MONTH_RE = _MONTH_FULL + r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"
_COUNT_WORDS = "|".join(w for w in _SMALL if _SMALL[w] >= 2)
_NAME_NUMBER = re.compile(
    r"(?:\b(?:Article|Articles|Art\.|Point|Points|Chapter|Section|Paragraph|Clause|Resolution|No\.|Number|Item|"
    r"Protocol|Annex|Format|Group|Flight|Route|Highway|Unit|Brigade|Battalion|Regiment|Corps|Division|Army|"
    r"Block|Reactor|Phase|Stage|Round|Channel|Room|Lane)\s+$)", re.I)
"""A word before a number that makes the number part of a name ("Article 5", "Resolution 2202")."""

PATTERNS: list[tuple[str, re.Pattern]] = [
    ("duration", re.compile(
        rf"\b(?P<num>{NUM}|(?:{_NUMWORD})(?:-and-a-half| and a half)?)[-\s](?P<unit>hours?|days?|weeks?|months?|years?)\b", re.I)),
    ("fraction_in", re.compile(rf"\b(?P<num>{_NUMWORD}|\d+)\s+(?:in|out of)\s+(?P<den>{_NUMWORD}|\d+)\b", re.I)),
    ("fraction", re.compile(r"(?<![-\w])(?P<num>a|one|two|three|four)[-\s](?P<den>half|halves|thirds?|quarters?|fifths?)\b", re.I)),
    ("percent", re.compile(rf"(?P<num>{NUM})\s?(?:%|percent\b|per cent\b|pct\b)", re.I)),
    ("money", re.compile(
        rf"(?P<cur>US\$|\$|€|£)\s?(?P<num>{NUM})(?P<scale>{_SCALE_RE})?", re.I)),
    ("money_word", re.compile(
        rf"(?P<num>{NUM})(?P<scale>{_SCALE_RE})?\s(?P<cur>dollars|euros|USD|EUR|GBP|rubles|roubles|hryvnias)\b", re.I)),
    ("army", re.compile(
        rf"\b(?:army|armed forces|military|troops)\s+(?:of|capped at|limited to|at|to)\s+{_Q}(?P<num>{NUM})(?P<scale>{_SCALE_RE})?", re.I)),
    ("distance", re.compile(
        rf"(?P<num>{NUM}(?:(?:,\s?|\s(?:or|and|to)\s){NUM})*)[-\s]?(?P<unit>km|kilomet(?:er|re)s?|miles?|mi)\b(?!\s?2|²)", re.I)),
    ("area", re.compile(rf"(?P<num>{NUM})\s?(?P<unit>km2|km²|square kilomet(?:er|re)s|sq\.? km)", re.I)),
    ("persons", re.compile(
        rf"(?P<num>{NUM})(?P<scale>{_SCALE_RE})?\s(?P<unit>troops|soldiers|servicemen|personnel|people|civilians|persons|refugees|prisoners|POWs|children|residents)\b", re.I)),
    ("date", re.compile(
        rf"(?P<by>\b(?:by|before|until|no later than|on|from|since)\s+)?\b(?P<month>{_MONTH_RE})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?!:)(?:,?\s+(?P<year>\d{{4}}))?\b")),
    ("date_dm", re.compile(
        rf"(?P<by>\b(?:by|before|until|no later than|on|from|since)\s+)?\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>{_MONTH_RE})\b(?:,?\s+(?P<year>\d{{4}}))?")),
    ("time", re.compile(
        r"\b(?P<hour>[01]?\d|2[0-3])(?::(?P<minute>[0-5]\d))?\s?(?P<ampm>a\.m\.|p\.m\.|am\b|pm\b)|"
        r"\b(?P<hour24>[01]?\d|2[0-3]):(?P<minute24>[0-5]\d)\b(?!:)", re.I)),
    ("month", re.compile(
        rf"(?P<by>\b(?:by|before|until|in|from|since|after|during|early|late|mid-?|next|last|this|of|beyond|"
        rf"through|till|throughout)\s+)(?P<month>{_MONTH_FULL})\b"
        rf"(?:,?\s+(?P<year>\d{{4}}))?|\b(?P<month2>{_MONTH_FULL})\s+(?P<year2>(?:19|20)\d\d)\b")),
    ("year", re.compile(r"(?<![\w$€£.,-])(?P<year>(?:19|20)\d\d)(?![\w%,.]\d|[\w%])")),
    ("count", re.compile(rf"(?P<num>{NUM})(?P<scale>{_SCALE_RE})?[-\s](?P<unit>[a-z]+)\b", re.I)),
    ("count_word", re.compile(
        rf"(?<!\bthe )(?<!\bThe )(?<!\bthese )(?<!\bthose )\b(?P<num>{_COUNT_WORDS}|dozen)\s+(?:[a-z-]+\s+){{0,2}}?"
        rf"(?P<unit>[a-z]+s)\b", re.I)),
    ("ordinal", re.compile(
        r"\b(?:the|a|its|their|his|her|this|our)\s+(?P<num>first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|"
        r"tenth|\d{1,3}(?:st|nd|rd|th))\b", re.I)),
    ("grouped", re.compile(r"(?<![\w$€£.])(?P<num>\d{1,3}(?:,\d{3})+)(?![\w%]|\.\d)")),
]
_TROOP_UNITS = {"troops", "soldiers", "servicemen", "personnel"}
_PERSON_UNITS = _TROOP_UNITS | {"people", "civilians", "persons", "refugees", "prisoners", "pows", "children", "residents"}
_COUNT_STOP = {"percent", "per", "and", "or", "to", "of", "in", "the", "a", "years", "year", "times", "am", "pm",
               "p", "a.m", "th", "st", "nd", "rd", "from", "on", "at", "by", "for", "with", "is", "was", "were"}
_REF_STOP = frozenset("and or in into to by that which who is are was were has have had would will could for from "
                      "on as at with after before over under since per while because than but back backs backed "
                      "support supports supported want wants say says said oppose opposes favour favor".split())
_OF_RE = re.compile(r"^\s+(?:of)\s+((?:[\w’'-]+\s?){1,6})")


@dataclass
class NumericClaim:
    """A number in the text with what it measures (stored as a ``claims`` row)."""

    start: int
    end: int
    quantity_type: str
    value: float | list[float] | None
    unit: str
    approx: str
    referent: str | None = None
    iso_date: str | None = None
    issue_ids: list[str] = field(default_factory=list)


def _num(s: str) -> float:
    s = s.strip().lower()
    if s in _SMALL:
        return float(_SMALL[s])
    if s == "dozen":
        return 12.0
    for half in ("-and-a-half", " and a half"):
        if s.endswith(half):
            return _num(s[: -len(half)]) + 0.5
    return float(s.replace(",", ""))


def _qual(q: str | None) -> str:
    if not q:
        return "exact"
    q = q.lower()
    for pat, name in _QUAL:
        if re.fullmatch(pat, q):
            return name
    return "exact"


def _scale(s: str | None) -> float:
    return _SCALE.get((s or "").strip().lower(), 1.0)


def _referent(text: str, end: int) -> str | None:
    m = _OF_RE.match(text[end : end + 80])
    if not m:
        return None
    words = m.group(1).split()
    out = []
    for w in words:
        if w.lower() in _REF_STOP:
            break
        out.append(w.strip(",.;:"))
        if w[-1:] in ",.;:":
            break
    return " ".join(out) or None


def referent_key(referent: str) -> str:
    """A claim referent normalised for comparison (lower case, no articles or possessives): the
    key, with the quantity type, under which numeric conflicts compare claims (docs/methods/evidence.md)."""
    words = [w for w in referent.lower().replace("’s", "").replace("'s", "").split() if w not in ("the", "a", "an")]
    return " ".join(words)


def extract_claims(text: str, published: dt.date | None = None) -> list[NumericClaim]:
    """All numeric claims in ``text`` (non-overlapping, first pattern wins), in text order."""
    taken: list[tuple[int, int]] = []
    out: list[NumericClaim] = []
    for kind, pat in PATTERNS:
        for m in pat.finditer(text):
            s, e = m.span()
            while s < e and text[s].isspace():
                s += 1
            qual = m.groupdict().get("qual")
            if qual is None and kind not in ("date", "army"):
                tail = _QUAL_TAIL.search(text, max(0, s - 30), s)
                if tail is not None:
                    qual, s = tail.group(1), tail.start()
            if any(s < b and a < e for a, b in taken) or in_name(text, _number_start(m, s)):
                continue
            claim = _build(kind, m, text, s, e, published, qual)
            if claim is None or not _finite(claim.value):
                continue
            taken.append((s, e))
            out.append(claim)
    out.sort(key=lambda c: c.start)
    return out


def _finite(value: float | list[float] | None) -> bool:
    """False for a value that overflowed a float ("999…9 trillion"): such a number is not a claim."""
    values = value if isinstance(value, list) else [value]
    return all(v is None or math.isfinite(v) for v in values)


def in_name(text: str, start: int) -> bool:
    """True when the number starting at ``start`` is part of a name: "E3", "G7", "F-16",
    "Article 5", "Resolution 2202" (docs/methods/evidence.md, "Numeric claims")."""
    if start >= len(text) or not text[start].isdigit():
        return False
    before = text[start - 1] if start else " "
    if before.isalpha() or (before == "-" and start >= 2 and text[start - 2].isalpha()):
        return True
    if re.match(r"\d+-point\b", text[start:start + 12]):  # "the 20-point plan"
        return True
    return _NAME_NUMBER.search(text, max(0, start - 20), start) is not None


def _number_start(m: re.Match, s: int) -> int:
    for name in ("num", "year", "day", "hour", "hour24"):
        if name in m.re.groupindex and m.group(name) is not None and m.start(name) >= s:
            return m.start(name)
    return s


def _build(kind: str, m: re.Match, text: str, s: int, e: int, published: dt.date | None,
           qual: str | None) -> NumericClaim | None:
    g = m.groupdict()
    approx = _qual(qual)
    ref = _referent(text, e)
    if kind == "fraction_in":
        den = _num(g["den"])
        if den < 2:
            return None
        return NumericClaim(s, e, "percent", 100.0 * _num(g["num"]) / den, "percent", approx, ref)
    if kind == "fraction":
        num = _num(g["num"])
        den = float(_ORD[g["den"].lower()])
        return NumericClaim(s, e, "percent", 100.0 * num / den, "percent", approx, ref)
    if kind == "percent":
        return NumericClaim(s, e, "percent", _num(g["num"]), "percent", approx, ref)
    if kind in ("money", "money_word"):
        ref = ref or _in_referent(text, e)
        cur = _CURRENCY.get(g["cur"].lower(), g["cur"].upper())
        return NumericClaim(s, e, "money", _num(g["num"]) * _scale(g.get("scale")), cur, approx, ref)
    if kind == "army":
        return NumericClaim(s, e, "troops", _num(g["num"]) * _scale(g.get("scale")), "persons",
                            approx if approx != "exact" or "capped" not in m.group(0).lower() else "up_to",
                            "army")
    if kind == "distance":
        nums = [_num(x) for x in re.findall(NUM, g["num"])]
        factor = 1.609344 if g["unit"].lower().startswith("mi") else 1.0
        vals = [round(v * factor, 6) for v in nums]
        if len(vals) > 1:
            return NumericClaim(s, e, "distance", vals, "km", "list", ref)
        return NumericClaim(s, e, "distance", vals[0], "km", approx, ref)
    if kind == "area":
        return NumericClaim(s, e, "area", _num(g["num"]), "km2", approx, ref)
    if kind == "duration":
        unit = g["unit"].lower().rstrip("s")
        if g["num"].lower() in ("a", "an") and re.search(r"\d", text[max(0, s - 30):s]):
            return None  # a rate: "40,000 tonnes a year"
        val = _num(g["num"])
        if unit in ("year",) and val > 100:
            return None
        units = {"hour": "hours", "day": "days", "week": "weeks", "month": "months", "year": "years"}
        return NumericClaim(s, e, "duration", val, units[unit], approx, ref or _after_noun(text, e))
    if kind == "persons":
        unit = g["unit"].lower()
        qt = "troops" if unit in _TROOP_UNITS else "persons"
        return NumericClaim(s, e, qt, _num(g["num"]) * _scale(g.get("scale")), "persons", approx, unit)
    if kind in _DATE_KINDS:
        return _date_claim(kind, m, g, s, e, published)
    if kind == "ordinal":
        word = g["num"].lower()
        rank = _ORDINALS.get(word) or int(re.sub(r"\D", "", word))
        return NumericClaim(m.start("num"), e, "ordinal", float(rank), "rank", "exact", _after_noun(text, e))
    if kind == "grouped":
        return NumericClaim(s, e, "count", _num(g["num"]), "", approx, ref or _after_noun(text, e))
    if kind == "count_word":
        unit = g["unit"].lower()
        if unit in _COUNT_STOP:
            return None
        if unit in _PERSON_UNITS:
            return NumericClaim(s, e, "troops" if unit in _TROOP_UNITS else "persons", _num(g["num"]), "persons",
                                approx, unit)
        return NumericClaim(s, e, "count", _num(g["num"]), unit, approx, ref)
    if kind == "count":
        unit = g["unit"].lower()
        num_s = g["num"]
        if unit in _COUNT_STOP or len(unit) < 3:
            return None
        if re.fullmatch(r"(19|20)\d\d", num_s) and not g.get("scale"):
            return None
        return NumericClaim(s, e, "count", _num(num_s) * _scale(g.get("scale")), unit, approx, ref)
    return None


_DATE_KINDS = ("date", "date_dm", "time", "month", "year")


def _date_claim(kind: str, m: re.Match, g: dict, s: int, e: int, published: dt.date | None) -> NumericClaim | None:
    """A day, a clock time, a month or a year."""
    if kind in ("date", "date_dm"):
        return _day_date(m, g, s, e, published)
    if kind == "time":
        hour = int(g["hour"] or g["hour24"])
        minute = int(g["minute"] or g["minute24"] or 0)
        if (g["ampm"] or "").lower().startswith("p") and hour < 12:
            hour += 12
        return NumericClaim(s, e, "time", hour + minute / 60.0, "hours", "exact", None,
                            iso_date=f"T{hour:02d}:{minute:02d}")
    if kind == "month":
        name = g["month"] or g["month2"]
        year = g["year"] or g["year2"]
        s = m.start("month") if g["month"] else s
        month = _MONTHS[name.lower()]
        year = year or (_nearest_year(month, 15, published) if published else None)
        iso = f"{year}-{month:02d}" if year else f"--{month:02d}"
        return NumericClaim(s, e, "date", None, "month", "exact", None, iso_date=iso)
    if kind == "year":
        return NumericClaim(s, e, "date", None, "year", "exact", None, iso_date=g["year"])
    return None


def _day_date(m: re.Match, g: dict, s: int, e: int, published: dt.date | None) -> NumericClaim | None:
    """A day of a month ("November 26", "26 Nov", "Dec. 11, 2025"), a deadline after "by"/"until"."""
    month, day = _MONTHS[_MONTH_NAMES[g["month"][:3].lower()]], int(g["day"])
    if day > 31 or day < 1:
        return None
    year = int(g["year"]) if g.get("year") else (_nearest_year(month, day, published) if published else None)
    iso = None
    if year is not None:
        try:
            iso = dt.date(year, month, day).isoformat()
        except ValueError:
            return None
    by = (g.get("by") or "").strip().lower()
    approx_d = {"by": "up_to", "before": "less_than", "until": "up_to", "no later than": "up_to",
                "since": "at_least", "from": "at_least"}.get(by, "exact")
    ref_d = "deadline" if by in ("by", "before", "until", "no later than") else None
    if by in ("on", "from", "since") or not g.get("by"):
        s = min(m.start("month"), m.start("day"))
    return NumericClaim(s, e, "date", None, "date", approx_d, ref_d, iso_date=iso or f"--{month:02d}-{day:02d}")


_MONTH_NAMES = {m[:3]: m for m in _MONTHS}


def _nearest_year(month: int, day: int, published: dt.date) -> int:
    """The year that puts a day given without one nearest the publication date."""
    def gap(year: int) -> int:
        try:
            return abs((dt.date(year, month, day) - published).days)
        except ValueError:
            return 10**6
    return min((published.year - 1, published.year, published.year + 1), key=gap)
_ORDINALS = {w: k for k, w in enumerate(
    "first second third fourth fifth sixth seventh eighth ninth tenth".split(), start=1)}


def _in_referent(text: str, end: int) -> str | None:
    m = re.match(r"^\s+in\s+((?:[\w’'-]+\s?){1,4})", text[end : end + 60])
    return m.group(1).strip(" ,.;") if m else None


def _after_noun(text: str, end: int) -> str | None:
    m = re.match(r"^\s+([a-z][\w-]+)", text[end : end + 40])
    return m.group(1) if m else None
