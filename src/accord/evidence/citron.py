"""Quote-span metrics of the Citron scheme (docs/methods/evidence.md, "Evaluation"), on token-index spans."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

TokSpan = tuple[int, int]


@dataclass(frozen=True)
class TokQuote:
    """A quote as token-index spans: one cue, a source list and a content list."""

    cue: TokSpan | None
    source: tuple[TokSpan, ...]
    content: tuple[TokSpan, ...]


ROLES = ("cue", "source", "content")


class Tokens:
    """Character → token index mapping of one text (token i covers [starts[i], ends[i]))."""

    def __init__(self, starts: Sequence[int], ends: Sequence[int]) -> None:
        self.starts = list(starts)
        self.ends = list(ends)

    def span(self, start: int, end: int) -> TokSpan | None:
        """Token span of the tokens whose character range intersects ``[start, end)``."""
        first = bisect_right(self.ends, start)
        last = bisect_left(self.starts, end)
        if first >= last:
            return None
        return first, last

    def spans(self, spans) -> tuple[TokSpan, ...]:
        out = []
        for s, e in spans:
            t = self.span(s, e)
            if t is not None:
                out.append(t)
        return tuple(out)


def _overlap(a: TokSpan, b: TokSpan, compat: bool) -> bool:
    if compat:
        return a[0] <= b[1] and a[1] >= b[0]
    return a[0] < b[1] and a[1] > b[0]


def _toks(spans) -> set[int]:
    out: set[int] = set()
    for s, e in spans:
        out.update(range(s, e))
    return out


def _prf(tp_p: float, n_p: float, tp_r: float, n_r: float) -> tuple[float, float, float]:
    p = tp_p / n_p if n_p else 0.0
    r = tp_r / n_r if n_r else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def _cue_ov(p: TokQuote, g: TokQuote, compat: bool) -> bool:
    return p.cue is not None and g.cue is not None and _overlap(p.cue, g.cue, compat)


def score(
    pred_docs: Sequence[Sequence[TokQuote]],
    gold_docs: Sequence[Sequence[TokQuote]],
    citron_compat: bool = False,
) -> dict[str, tuple[float, float, float]]:
    """Micro-averaged (P, R, F1) of exact and overlap matching per role and for all spans."""
    ex = {k: [0, 0, 0, 0] for k in ("cue", "source", "content", "all")}  # tp_p, n_p, tp_r, n_r
    ov = {k: [0, 0, 0] for k in ("cue", "source", "content", "all")}  # overlap, n_pred_tok, n_gold_tok
    for preds, golds in zip(pred_docs, gold_docs):
        for role in ("cue", "source", "content", "all"):
            tests = _exact_test(role, citron_compat)
            tp_p = sum(1 for p in preds if any(tests(p, g) for g in golds))
            tp_r = sum(1 for g in golds if any(tests(p, g) for p in preds))
            e = ex[role]
            e[0] += tp_p
            e[1] += len(preds)
            e[2] += tp_r
            e[3] += len(golds)
        for role in ROLES:
            pt = [_toks(_role(p, role)) for p in preds]
            gt = [_toks(_role(g, role)) for g in golds]
            o = sum(len(a & b) for a in pt for b in gt)
            npt, ngt = sum(len(a) for a in pt), sum(len(b) for b in gt)
            for key in (role, "all"):
                ov[key][0] += o
                ov[key][1] += npt
                ov[key][2] += ngt
    out: dict[str, tuple[float, float, float]] = {}
    for role in ("cue", "source", "content", "all"):
        e = ex[role]
        out[f"{role}_exact"] = _prf(e[0], e[1], e[2], e[3])
        o = ov[role]
        out[f"{role}_overlap"] = _prf(o[0], o[1], o[0], o[2])
    return out


def _role(q: TokQuote, role: str) -> tuple[TokSpan, ...]:
    if role == "cue":
        return (q.cue,) if q.cue is not None else ()
    return q.source if role == "source" else q.content


def _exact_test(role: str, compat: bool):
    if role == "cue":
        return lambda p, g: p.cue is not None and p.cue == g.cue
    if role == "all":
        return lambda p, g: p.cue == g.cue and p.source == g.source and p.content == g.content
    return lambda p, g: _cue_ov(p, g, compat) and _role(p, role) == _role(g, role)
