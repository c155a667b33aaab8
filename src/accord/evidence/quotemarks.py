"""Pairing of quotation marks in a text (character offsets, marks included)."""

from __future__ import annotations

from dataclasses import dataclass

OPEN_DOUBLE = "“«„"
CLOSE_DOUBLE = "”»"
MAX_PARAGRAPHS = 4


@dataclass(frozen=True)
class QuoteSpan:
    """A quoted stretch ``text[start:end]`` with its marks; ``closed`` is False if no mark closed it."""

    start: int
    end: int
    closed: bool = True

    def words(self, text: str) -> int:
        """Number of whitespace-separated words inside the marks."""
        return len(text[self.start + 1 : self.end - 1].split())


def _is_word(ch: str) -> bool:
    return ch.isalnum()


def find_quotes(text: str) -> list[QuoteSpan]:
    """All quoted spans: curly and straight double quotes, and curly single quotes.

    A double quote left open at a paragraph break continues to the next closing mark (at most
    ``MAX_PARAGRAPHS`` paragraphs); a new opening mark of the same kind ends it there.
    """
    spans = _pair_double(text) + _pair_single(text)
    spans.sort(key=lambda q: (q.start, -q.end))
    out: list[QuoteSpan] = []
    for q in spans:  # drop quotes nested inside an earlier one
        if out and q.start < out[-1].end:
            continue
        out.append(q)
    return out


def _pair_double(text: str) -> list[QuoteSpan]:
    out: list[QuoteSpan] = []
    open_at: int | None = None
    open_kind = ""
    breaks = 0
    last_break = -1
    n = len(text)
    i = 0
    while i < n:
        ch = text[i]
        if ch == "\n" and i + 1 < n and text[i + 1] == "\n":
            if open_at is not None:
                breaks += 1
                last_break = i
                if breaks > MAX_PARAGRAPHS or open_kind == '"':
                    out.append(QuoteSpan(open_at, last_break, closed=False))
                    open_at = None
            i += 2
            continue
        if ch in OPEN_DOUBLE:
            if open_at is not None:
                # a fresh opening mark: close the running one at the last paragraph break, if any
                end = last_break if last_break > open_at else i
                out.append(QuoteSpan(open_at, end, closed=False))
            open_at, open_kind, breaks = i, "“", 0
        elif ch in CLOSE_DOUBLE:
            if open_at is not None:
                out.append(QuoteSpan(open_at, i + 1))
                open_at = None
        elif ch == '"':
            if open_at is None:
                open_at, open_kind, breaks = i, '"', 0
            elif open_kind == '"':
                out.append(QuoteSpan(open_at, i + 1))
                open_at = None
            else:
                out.append(QuoteSpan(open_at, i + 1))
                open_at = None
        i += 1
    return [q for q in out if q.end - q.start > 2]


def _pair_single(text: str) -> list[QuoteSpan]:
    out: list[QuoteSpan] = []
    open_at: int | None = None
    breaks = 0
    n = len(text)
    for i, ch in enumerate(text):
        if ch == "\n" and open_at is not None and i + 1 < n and text[i + 1] == "\n":
            breaks += 1
            if breaks > 1:
                open_at = None
        elif ch == "‘":
            prev = text[i - 1] if i else " "
            if not _is_word(prev):
                open_at, breaks = i, 0
        elif ch == "’" and open_at is not None:
            prev = text[i - 1] if i else " "
            nxt = text[i + 1] if i + 1 < n else " "
            if _is_word(prev) and _is_word(nxt):
                continue  # an apostrophe inside a word
            out.append(QuoteSpan(open_at, i + 1))
            open_at = None
    return [q for q in out if q.end - q.start > 2]
