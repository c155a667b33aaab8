"""Evaluation of quote attribution on PolNeAR and statement typing on the PLOVER GSR.

How it is scored: docs/methods/evidence.md, "Evaluation".
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from accord.errors import InputError
from accord.evidence.brat import polnear_split, read_ann, read_text
from accord.evidence.citron import Tokens, TokQuote, score

METRIC_ROWS = ("cue_exact", "source_exact", "content_exact", "all_exact",
               "cue_overlap", "source_overlap", "content_overlap", "all_overlap")


@dataclass
class QuoteEval:
    """Scores per system: metric name → (P, R, F1); documents and gold counts."""

    scores: dict[str, dict[str, tuple[float, float, float]]]
    documents: int
    gold_quotes: int
    gold_with_source: int

    def rows(self) -> list[dict]:
        """One row per metric with P/R/F1 per system."""
        out = []
        for m in METRIC_ROWS:
            row: dict = {"metric": m}
            for system, sc in self.scores.items():
                p, r, f = sc[m]
                row[f"{system}_P"] = round(p, 4)
                row[f"{system}_R"] = round(r, 4)
                row[f"{system}_F1"] = round(f, 4)
            out.append(row)
        return out


def _tokens(doc) -> Tokens:
    return Tokens([t.idx for t in doc], [t.idx + len(t) for t in doc])


def _accord_quotes(doc, toks: Tokens) -> list[TokQuote]:
    from accord.evidence.quotes import extract_quotes

    out = []
    for q in extract_quotes(doc):
        out.append(TokQuote(toks.span(*q.cue), toks.spans(q.source), toks.spans(q.content)))
    return out


def _runs(idx: Iterable[int]) -> tuple[tuple[int, int], ...]:
    out: list[list[int]] = []
    for i in sorted(set(idx)):
        if out and out[-1][1] == i:
            out[-1][1] = i + 1
        else:
            out.append([i, i + 1])
    return tuple((a, b) for a, b in out)


def _textacy_quotes(doc, toks: Tokens) -> list[TokQuote]:
    from textacy.extract.triples import direct_quotations

    out = []
    try:
        triples = list(direct_quotations(doc))
    except (ValueError, IndexError):  # textacy fails on some unbalanced quotation marks
        triples = []
    for t in triples:
        cue_i = [tok.i for tok in t.cue]
        cue = (min(cue_i), max(cue_i) + 1) if cue_i else None
        out.append(TokQuote(cue, _runs(tok.i for tok in t.speaker), ((t.content.start, t.content.end),)))
    return out


SYSTEMS: dict[str, Callable] = {"accord": _accord_quotes, "textacy": _textacy_quotes}


def evaluate_quotes(
    split_dir: Path,
    *,
    limit: int | None = None,
    systems: Sequence[str] = ("accord", "textacy"),
    citron_compat: bool = False,
    batch_size: int = 16,
) -> QuoteEval:
    """Citron-scheme scores of each system on a PolNeAR split (canonical annotation per article)."""
    from accord.evidence.nlp import get_nlp

    docs = polnear_split(Path(split_dir))
    if limit is not None:
        docs = docs[:limit]
    if not docs:
        raise InputError("no annotated articles found", file=str(split_dir))
    texts = [read_text(t) for _, t, _ in docs]
    golds_raw = [read_ann(a)[0] for _, _, a in docs]
    preds: dict[str, list[list[TokQuote]]] = {s: [] for s in systems}
    golds: list[list[TokQuote]] = []
    n_gold = n_src = 0
    for doc, graw in zip(get_nlp().pipe(texts, batch_size=batch_size), golds_raw):
        toks = _tokens(doc)
        g = []
        for q in graw:
            cue = toks.spans(q.cue)
            g.append(TokQuote((cue[0][0], cue[-1][1]) if cue else None, toks.spans(q.source), toks.spans(q.content)))
            n_gold += 1
            n_src += bool(q.source)
        golds.append(g)
        for s in systems:
            preds[s].append(SYSTEMS[s](doc, toks))
    scores = {s: score(preds[s], golds, citron_compat=citron_compat) for s in systems}
    return QuoteEval(scores, len(docs), n_gold, n_src)


# -- PLOVER statement typing ------------------------------------------------------------------
@dataclass
class EventEval:
    """Accuracy, macro-F1 over the negotiation types, per-type scores and the confusion table."""

    n: int
    accuracy: float
    macro_f1: float
    per_type: dict[str, tuple[float, float, float, int]]
    confusion: dict[str, dict[str, int]]
    labels: list[str] = field(default_factory=list)

    def rows(self) -> list[dict]:
        """One row per type: P, R, F1, support."""
        return [{"type": t, "P": round(p, 4), "R": round(r, 4), "F1": round(f, 4), "support": n}
                for t, (p, r, f, n) in self.per_type.items()]

    def confusion_rows(self) -> list[dict]:
        """The confusion table: one row per gold type, one column per predicted type."""
        return [{"gold": g, **{p: self.confusion[g].get(p, 0) for p in self.labels}} for g in self.labels]


def gold_type(event: str) -> str:
    """The accord type of a PLOVER GSR label (FIGHT → ASSAULT → OTHER; non-negotiation → OTHER)."""
    from accord.evidence.statements import NEGOTIATION_TYPES

    e = (event or "").upper()
    return e if e in NEGOTIATION_TYPES else "OTHER"


def read_plover(path: Path) -> list[dict]:
    """The event records of a PLOVER GSR JSON file (the DOCUMENT record left out)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read PLOVER records: {exc}", file=str(path)) from None
    if not isinstance(data, list):
        raise InputError("expected a JSON array", file=str(path))
    return [r for r in data if isinstance(r, dict) and r.get("event") != "DOCUMENT" and r.get("text")]


def record_sentence(doc):
    """The sentence a PLOVER record is typed by: its longest, or the whole text without sentences."""
    from accord.evidence.nlp import sentences

    sents = sentences(doc)
    return max(sents, key=len) if sents else doc[:]


def evaluate_events(path: Path, batch_size: int = 32) -> EventEval:
    """Statement typing on the PLOVER GSR: accuracy, macro-F1 over 11 types, confusion."""
    from accord.evidence.nlp import get_nlp
    from accord.evidence.statements import classify_sentence

    records = read_plover(path)
    gold = [gold_type(r["event"]) for r in records]
    pred = []
    for doc in get_nlp().pipe([r["text"] for r in records], batch_size=batch_size):
        typed = classify_sentence(record_sentence(doc))
        pred.append(typed.event_type if typed else "OTHER")
    return score_types(gold, pred)


def score_types(gold: list[str], pred: list[str]) -> EventEval:
    """Accuracy, macro-F1 over the 11 PLOVER negotiation types, per-type scores and confusion of
    predicted against gold statement types."""
    from accord.evidence.statements import NEGOTIATION_TYPES, TYPES

    labels = [t for t in TYPES if t != "PROPOSE"] + ["PROPOSE"]
    confusion = {g: {} for g in labels}
    for g, p in zip(gold, pred):
        confusion.setdefault(g, {})
        confusion[g][p] = confusion[g].get(p, 0) + 1
    per_type = {}
    for t in labels:
        tp = sum(1 for g, p in zip(gold, pred) if g == p == t)
        n_pred = sum(1 for p in pred if p == t)
        n_gold = sum(1 for g in gold if g == t)
        pr = tp / n_pred if n_pred else 0.0
        rc = tp / n_gold if n_gold else 0.0
        f = 2 * pr * rc / (pr + rc) if pr + rc else 0.0
        per_type[t] = (pr, rc, f, n_gold)
    macro = sum(per_type[t][2] for t in NEGOTIATION_TYPES if t != "PROPOSE") / (len(NEGOTIATION_TYPES) - 1)
    acc = sum(1 for g, p in zip(gold, pred) if g == p) / len(gold) if gold else 0.0
    return EventEval(len(gold), acc, macro, per_type, confusion, labels)
