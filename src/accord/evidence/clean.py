"""Article clean-up and quality signals: paragraphs, boilerplate, duplicates, mojibake.

Nothing is dropped: every signal becomes a flag on the article or a paragraph.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz.distance import LCSseq

from accord.evidence import minhash
from accord.evidence.lexicons import load

EXACT_MIN_CHARS = 40
NEAR_MIN_CHARS = 80
NEAR_RATIO = 0.90
BOILERPLATE_MAX_CHARS = 200
_BLANK = re.compile(r"\n[ \t]*\n+")
_WS = re.compile(r"\s+")
_MOJIBAKE = re.compile(r"\ufffd|Ã.|â€|\?(?=[A-Z][a-z])")

# weights of the quality score (1 − Σ α·flag, clipped to [0, 1])
QUALITY_WEIGHTS = {
    "duplicate_paragraphs": 0.15,
    "near_duplicate_paragraphs": 0.15,
    "boilerplate": 0.05,
    "mojibake": 0.1,
    "corpus_duplicate_paragraphs": 0.1,
    "syndicated": 0.1,
    "unattributed_share": 0.2,
    "slug_title_mismatch": 0.05,
}


@dataclass
class Paragraph:
    """One paragraph of the cleaned text, with its quality signals."""

    index: int
    start: int
    end: int
    text: str
    key: str
    boilerplate: str | None = None
    duplicate_of: int | None = None
    near_duplicate_of: int | None = None
    similarity: float | None = None
    bands: list[str] = field(default_factory=list)


@dataclass
class CleanText:
    """The cleaned article body, its paragraphs and article-level flags."""

    text: str
    paragraphs: list[Paragraph]
    flags: list[dict] = field(default_factory=list)


def paragraph_key(text: str) -> str:
    """NFKC, lower case, whitespace collapsed, edge punctuation stripped."""
    t = unicodedata.normalize("NFKC", text).lower()
    t = _WS.sub(" ", t).strip()
    return t.strip(" \t.,;:!?-–—'\"“”‘’()[]*")


def split_paragraphs(raw: str) -> list[str]:
    """Paragraphs of a plain text: blank-line separated blocks, or lines when no blank line exists."""
    raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    if _BLANK.search(raw.strip()):
        blocks = _BLANK.split(raw)
        parts = [_WS.sub(" ", b).strip() for b in blocks]
    else:
        parts = [_WS.sub(" ", ln).strip() for ln in raw.split("\n")]
    return [p for p in parts if p]


def normalise(raw: str) -> tuple[str, list[tuple[int, int]]]:
    """The cleaned text (NFC, paragraphs joined by a blank line) and paragraph offsets."""
    paras = split_paragraphs(unicodedata.normalize("NFC", raw))
    spans: list[tuple[int, int]] = []
    pos = 0
    for p in paras:
        spans.append((pos, pos + len(p)))
        pos += len(p) + 2
    return "\n\n".join(paras), spans


def boilerplate_phrase(text: str) -> str | None:
    """The boilerplate phrase a short paragraph matches, or None."""
    if len(text) > BOILERPLATE_MAX_CHARS:
        return None
    low = paragraph_key(text)
    for phrase in load("boilerplate"):
        if phrase in low:
            return phrase
    return None


LSH_BANDS = 16


def band_keys(sig: np.ndarray, bands: int = LSH_BANDS) -> list[str]:
    """LSH band keys of a MinHash signature: paragraphs sharing one are near-duplicate candidates."""
    rows = len(sig) // bands
    return [f"{b}:{sig[b * rows:(b + 1) * rows].tobytes().hex()}" for b in range(bands)]


def _near_pairs(paras: list[Paragraph]) -> None:
    long = [p for p in paras if len(p.key) >= NEAR_MIN_CHARS]
    if not long:
        return
    sigs = np.stack([minhash.signature(minhash.char_shingles(p.key)) for p in long])
    for p, sig in zip(long, sigs):
        p.bands = band_keys(sig)
    long_sigs = [(p, sig) for p, sig in zip(long, sigs) if p.duplicate_of is None]
    long = [p for p, _ in long_sigs]
    if len(long) < 2:
        return
    sigs = np.stack([sig for _, sig in long_sigs])
    for j in range(1, len(long)):
        sims = minhash.jaccard_many(sigs[j], sigs[:j])
        for i in np.argsort(-sims, kind="stable"):
            if sims[i] < 0.5:
                break
            a, b = long[i].key, long[j].key
            sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
            if sm.real_quick_ratio() < NEAR_RATIO or sm.quick_ratio() < NEAR_RATIO:
                continue
            ratio = sm.ratio()
            if ratio >= NEAR_RATIO:
                long[j].near_duplicate_of = long[i].index
                long[j].similarity = round(ratio, 4)
                break


def clean(raw: str, *, verbatim: bool = False) -> CleanText:
    """Clean ``raw`` into paragraphs and flag boilerplate, duplicates and mojibake.

    With ``verbatim`` the text is kept as given (for gold-offset evaluation); paragraphs are
    then the blank-line separated blocks of the original text.
    """
    if verbatim:
        text = raw
        spans = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+(?:\n[^\n]+)*", raw)]
        spans = [(s, e) for s, e in spans if raw[s:e].strip()]
    else:
        text, spans = normalise(raw)
    paras = [Paragraph(k, s, e, text[s:e], paragraph_key(text[s:e])) for k, (s, e) in enumerate(spans)]
    first: dict[str, int] = {}
    for p in paras:
        p.boilerplate = boilerplate_phrase(p.text)
        if len(p.key) >= EXACT_MIN_CHARS:
            if p.key in first:
                p.duplicate_of = first[p.key]
            else:
                first[p.key] = p.index
    _near_pairs(paras)
    flags: list[dict] = []
    for p in paras:
        if p.boilerplate:
            flags.append(_flag("boilerplate", p, detail=p.boilerplate))
        if p.duplicate_of is not None:
            flags.append(_flag("duplicate_paragraph", p, detail=f"same as paragraph {p.duplicate_of}"))
        if p.near_duplicate_of is not None:
            flags.append(
                _flag(
                    "near_duplicate_paragraph",
                    p,
                    detail=f"near paragraph {p.near_duplicate_of} (ratio {p.similarity:.2f})",
                )
            )
    for m in _MOJIBAKE.finditer(text):
        flags.append({"kind": "mojibake", "start": m.start(), "end": m.end(), "paragraph": None,
                      "detail": m.group(0)})
    return CleanText(text, paras, flags)


def _flag(kind: str, p: Paragraph, detail: str) -> dict:
    return {"kind": kind, "start": p.start, "end": p.end, "paragraph": p.index, "detail": detail}


def quality_score(counts: dict[str, float]) -> float:
    """1 − Σ α_k·signal_k clipped to [0, 1]; signals are 0/1 flags or shares."""
    total = sum(QUALITY_WEIGHTS.get(k, 0.0) * min(1.0, float(v)) for k, v in counts.items())
    return float(min(1.0, max(0.0, 1.0 - total)))


def slug_title_mismatch(url: str | None, title: str | None) -> bool:
    """True when the URL slug and the title share under 20 % of their word tokens."""
    if not url or not title:
        return False
    slug = url.rstrip("/").rsplit("/", 1)[-1]
    slug = re.sub(r"\.\w+$", "", slug)
    a = set(re.findall(r"[a-z0-9]+", slug.lower()))
    b = set(re.findall(r"[a-z0-9]+", title.lower()))
    if len(a) < 2 or not b:
        return False
    return len(a & b) / len(a | b) < 0.2


def near_ratio(a: str, b: str) -> float:
    """Similarity ratio (0–1) of two paragraph keys: difflib's, or 0 when an upper bound of it is
    already below ``NEAR_RATIO``. The bound is the ratio of their longest common subsequence
    (``2·LCS / total length``, computed in C by rapidfuzz): difflib's matching blocks are a common
    subsequence, so its ratio is never above it, and the bound spares most candidates the slow
    comparison (docs/methods/evidence.md, "Duplicates across the corpus")."""
    total = len(a) + len(b)
    if total and 2.0 * LCSseq.similarity(a, b) / total < NEAR_RATIO:
        return 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
