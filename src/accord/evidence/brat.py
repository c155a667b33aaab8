"""Reader of PolNeAR brat standoff annotations into gold quotes (docs/methods/evidence.md, "Evaluation")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from accord.errors import InputError

Span = tuple[int, int]
_RECORD = re.compile(r"^(T\d+|E\d+|#\d+)\t")


@dataclass(frozen=True)
class GoldQuote:
    """A gold attribution: cue span, source multi-span (may be empty), content multi-span."""

    cue: tuple[Span, ...]
    source: tuple[Span, ...]
    content: tuple[Span, ...]


def _records(path: Path) -> list[str]:
    lines: list[str] = []
    with open(path, encoding="utf-8", newline="") as fh:
        for raw in fh.read().split("\n"):
            if _RECORD.match(raw) or not lines:
                lines.append(raw)
            else:  # a covered text with a raw newline continues the previous record
                lines[-1] += "\n" + raw
    return [ln for ln in lines if ln.strip()]


def read_ann(path: Path) -> tuple[list[GoldQuote], list[Span]]:
    """Gold quotes and the ``Discard`` spans of one ``.ann`` file (two passes: T first, then E)."""
    tb: dict[str, tuple[str, tuple[Span, ...]]] = {}
    events: list[tuple[int, str]] = []
    for n, rec in enumerate(_records(path), start=1):
        tag = rec.split("\t", 1)[0]
        if tag.startswith("T"):
            try:
                _, meta, _ = rec.split("\t", 2)
                label, offs = meta.split(" ", 1)
                spans = tuple(
                    (int(a), int(b)) for a, b in (frag.split() for frag in offs.split(";"))
                )
            except ValueError:
                raise InputError("malformed text-bound record", file=str(path), line=n) from None
            tb[tag] = (label, spans)
        elif tag.startswith("E"):
            events.append((n, rec))
    quotes: list[GoldQuote] = []
    for n, rec in events:
        cue: tuple[Span, ...] = ()
        source: list[Span] = []
        content: list[Span] = []
        for arg in rec.split("\t", 1)[1].split()[1:]:
            role, _, ref = arg.partition(":")
            if ref not in tb:
                raise InputError(f"relation refers to unknown {ref}", file=str(path), line=n)
            spans = tb[ref][1]
            base = role.rstrip("0123456789")
            if base == "Cue":
                cue = spans
            elif base == "Source":
                source.extend(spans)
            elif base == "Content":
                content.extend(spans)
        quotes.append(GoldQuote(cue, tuple(source), tuple(content)))
    discards = [s for label, spans in tb.values() if label == "Discard" for s in spans]
    return quotes, discards


def polnear_split(split_dir: Path) -> list[tuple[str, Path, Path]]:
    """(stem, text path, canonical annotation path) per article: the first ``.ann`` by name."""
    text_dir, ann_dir = split_dir / "text", split_dir / "attributions"
    if not text_dir.is_dir() or not ann_dir.is_dir():
        raise InputError("not a PolNeAR split (needs text/ and attributions/)", file=str(split_dir))
    anns = sorted(p.name for p in ann_dir.glob("*.ann"))
    out = []
    for txt in sorted(text_dir.glob("*.txt")):
        stem = txt.stem
        first = next((a for a in anns if a.startswith(stem + "_")), None)
        if first is not None:
            out.append((stem, txt, ann_dir / first))
    return out


def read_text(path: Path) -> str:
    """A PolNeAR text read verbatim (UTF-8, no newline translation)."""
    with open(path, encoding="utf-8", newline="") as fh:
        return fh.read()
