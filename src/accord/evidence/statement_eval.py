"""Evaluation of the evidence extractors on the statement set: quotes and speakers, statements with
their actors, types and directions, numbers, and hedged or unattributed sentences.

The set and its format: docs/annotation-guide.md. How each row is matched and scored:
docs/methods/evidence.md, "Statement set". Extraction goes through
:func:`accord.evidence.pipeline.process_documents`, the function ``accord ingest`` uses, so any
change to the extractors shows up here without a change to this module.

    python -m accord.evidence.statement_eval --split dev
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accord.errors import InputError

DEFAULT_DIR = Path("benchmarks") / "data" / "statements"
SPLITS = ("dev", "test")
MATCHINGS = ("one-to-one", "independent")  # the statement matchings (docs/methods/statement-typing.md)
DIRECTION_TOLERANCE = 25.0  # one anchor step of a five-anchor scale
_SPAN_TABLES = ("quotes", "numbers", "not_numbers", "hedges", "headers", "sentences")
_STOP = frozenset("the a an of in on to and for with by from at his her its their said".split())


# -- reading --------------------------------------------------------------------------------------
def read_articles(path: Path) -> list[dict]:
    """The annotated articles of a JSON-lines file; an InputError names the line and field of the
    first malformed one."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read the statement set: {exc.strerror or exc}", file=str(path)) from None
    out = []
    for no, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            art = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"not JSON: {exc.msg}", file=str(path), line=no) from None
        _check_article(art, str(path), no)
        out.append(art)
    if not out:
        raise InputError("no articles", file=str(path))
    return out


def _check_article(art: Any, file: str, line: int) -> None:
    if not isinstance(art, dict):
        raise InputError("expected a JSON object", file=file, line=line)
    for key in ("id", "scenario", "date", "text", "annotations"):
        if key not in art:
            raise InputError("missing", file=file, line=line, field=key)
    ann, n = art["annotations"], len(art["text"])
    for table in (*_SPAN_TABLES, "statements"):
        if not isinstance(ann.get(table, []), list):
            raise InputError("expected a list", file=file, line=line, field=f"annotations.{table}")
    for table in _SPAN_TABLES:
        for k, sp in enumerate(ann.get(table, [])):
            if not (isinstance(sp.get("start"), int) and isinstance(sp.get("end"), int) and 0 <= sp["start"] < sp["end"] <= n):
                raise InputError("span outside the text", file=file, line=line, field=f"annotations.{table}[{k}]")
    for k, st in enumerate(ann.get("statements", [])):
        if not (0 <= st.get("sentence_start", -1) < st.get("sentence_end", -1) <= n) or not isinstance(st.get("actors"), list):
            raise InputError("needs sentence_start < sentence_end inside the text and a list of actors",
                             file=file, line=line, field=f"annotations.statements[{k}]")


def load_scenarios(folder: Path, names: Iterable[str]) -> dict[str, Any]:
    """The scenario of each name: ``scenarios/<name>.yaml`` under ``folder``, or the file its
    ``scenario_file`` key points to (relative to it)."""
    from accord.io import read_yaml
    from accord.scenario.io import load_scenario

    out = {}
    for name in sorted(set(names)):
        path = Path(folder) / "scenarios" / f"{name}.yaml"
        if not path.exists():
            raise InputError(f"no scenario file for scenario {name!r}", file=str(path))
        data, _ = read_yaml(path)
        if isinstance(data, dict) and set(data) == {"scenario_file"}:
            path = path.parent / str(data["scenario_file"])
        out[name] = load_scenario(path)
    return out


def extract(articles: Sequence[dict], scenarios: dict[str, Any]) -> list[Any]:
    """The evidence records of every article, extracted with its scenario, in input order."""
    from accord.evidence.pipeline import ScenarioRegistry, process_documents
    from accord.evidence.records import RawDocument

    registries = {name: ScenarioRegistry.from_scenario(sc) for name, sc in scenarios.items()}
    out: list[Any] = [None] * len(articles)
    for name, reg in registries.items():
        idx = [i for i, a in enumerate(articles) if a["scenario"] == name]
        raws = [RawDocument(source=articles[i]["id"], text=articles[i]["text"], published=articles[i]["date"],
                            verbatim=True) for i in idx]
        for i, rec in zip(idx, process_documents(raws, reg)):
            out[i] = rec
    return out


# -- matching -------------------------------------------------------------------------------------
def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Characters two half-open spans share."""
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def match_spans(gold: Sequence[tuple[int, int]], pred: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """One-to-one (gold index, predicted index) pairs of overlapping spans, largest overlap first
    (ties: earlier gold, then earlier prediction)."""
    pairs = sorted(((overlap(g, p), gi, pi) for gi, g in enumerate(gold) for pi, p in enumerate(pred)
                    if overlap(g, p) > 0), key=lambda t: (-t[0], t[1], t[2]))
    used_g: set[int] = set()
    used_p: set[int] = set()
    out = []
    for _, gi, pi in pairs:
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            out.append((gi, pi))
    return sorted(out)


@dataclass
class Tally:
    """Counts behind a precision/recall/F1 row."""

    gold: int = 0
    predicted: int = 0
    matched: int = 0

    def add(self, gold: int, predicted: int, matched: int) -> None:
        """Add one article's counts."""
        self.gold += gold
        self.predicted += predicted
        self.matched += matched

    def prf(self) -> tuple[float, float, float]:
        """Precision, recall and F1 (0 where a denominator is 0)."""
        p = self.matched / self.predicted if self.predicted else 0.0
        r = self.matched / self.gold if self.gold else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", (text or "").lower()) if w not in _STOP and len(w) > 1}


def _surnames(name: str) -> set[str]:
    return {part.split()[-1].lower() for part in name.split(" and ") if part.split()}


def speaker_correct(gold: dict, pred: Any, article_surnames: set[str]) -> bool:
    """Whether a predicted quote names the gold speaker (rules: docs/methods/evidence.md)."""
    said = (pred.speaker or "").lower()
    said_words = set(re.findall(r"[\w'-]+", said))
    kind = gold.get("speaker_kind", "person")
    if kind in ("person", "joint"):
        return bool(_surnames(gold["speaker"]) & said_words)
    if kind == "anonymous":
        if not said or article_surnames & said_words:
            return False
        return pred.attribution_kind in ("anonymous_official", "vague") or bool(_words(gold["speaker"]) & _words(said))
    if gold.get("actor") and pred.source_actor_id == gold["actor"]:
        return True
    return bool(_words(gold["speaker"]) & _words(said))


def _spans(rows: Iterable[dict]) -> list[tuple[int, int]]:
    return [(r["start"], r["end"]) for r in rows]


def _statement_actors(row: Any) -> list[str]:
    """The actors a predicted statement speaks for (``actor_ids`` when the row has them)."""
    ids = getattr(row, "actor_ids", None)
    return list(ids) if ids else ([row.actor_id] if row.actor_id else [])


def gold_span(st: dict) -> tuple[int, int]:
    """The span a gold statement covers: its clause when it has clause offsets, else its sentence."""
    if st.get("clause_start") is not None:
        return st["clause_start"], st["clause_end"]
    return st["sentence_start"], st["sentence_end"]


# -- scoring --------------------------------------------------------------------------------------
@dataclass
class StatementSetEval:
    """Every score of one split, as counts (rows: :meth:`rows`)."""

    split: str
    articles: int = 0
    sentences: int = 0
    quotes: Tally = field(default_factory=Tally)
    speakers: Tally = field(default_factory=Tally)
    headers_as_speakers: int = 0
    with_actor: int = 0
    found: int = 0
    type_right: int = 0
    with_issue: int = 0
    issue_right: int = 0
    with_direction: int = 0
    direction_given: int = 0
    direction_right: int = 0
    direction_error: float = 0.0
    numbers: Tally = field(default_factory=Tally)
    number_spans: Tally = field(default_factory=Tally)
    names: int = 0
    names_read: int = 0
    hedges: Tally = field(default_factory=Tally)
    errors: list[dict] | None = None  # a list to fill with every miss (see ``note``), or None
    matching: str = "one-to-one"  # how gold statements meet predicted ones (MATCHINGS)
    article: dict = field(default_factory=dict, repr=False)  # the article being scored

    def note(self, kind: str, start: int, end: int, detail: str = "") -> None:
        """Record one miss of the current article (when ``errors`` is a list)."""
        if self.errors is not None:
            text = self.article.get("text", "")
            self.errors.append({"article": self.article.get("id"), "kind": kind, "start": start, "end": end,
                                "text": " ".join(text[start:end].split()), "detail": detail})

    def rows(self) -> list[dict]:
        """One row per measure: gold and predicted counts, matches, and P/R/F1 or a share."""
        def prf(name: str, t: Tally) -> dict:
            p, r, f = t.prf()
            return {"measure": name, "gold": t.gold, "predicted": t.predicted, "matched": t.matched,
                    "P": round(p, 4), "R": round(r, 4), "F1 or share": round(f, 4)}

        def share(name: str, hit: int, of: int) -> dict:
            return {"measure": name, "gold": of, "predicted": None, "matched": hit, "P": None, "R": None,
                    "F1 or share": round(hit / of, 4) if of else 0.0}

        mae = round(self.direction_error / self.direction_given, 2) if self.direction_given else None
        return [
            prf("quote spans F1", self.quotes),
            prf("quote + correct speaker F1", self.speakers),
            share("gold statements found with the right actor", self.found, self.with_actor),
            share("statement type accuracy (on found)", self.type_right, self.found),
            share("issue found (on found, with an issue)", self.issue_right, self.with_issue),
            share(f"direction within {DIRECTION_TOLERANCE:g} (on found, with a direction)",
                  self.direction_right, self.with_direction),
            {"measure": "direction MAE (where a position was given)", "gold": self.with_direction,
             "predicted": self.direction_given, "matched": None, "P": None, "R": None, "F1 or share": mae},
            prf("numeric claims F1 (span and value)", self.numbers),
            prf("numeric claims F1 (span only)", self.number_spans),
            {"measure": "numbers inside names read as claims", "gold": self.names, "predicted": self.names_read,
             "matched": None, "P": None, "R": None, "F1 or share": None},
            prf("hedged or unattributed claims F1 (sentences)", self.hedges),
            {"measure": "datelines, subheads or captions taken as speakers", "gold": None,
             "predicted": self.headers_as_speakers, "matched": None, "P": None, "R": None, "F1 or share": None},
        ]


def score_article(ev: StatementSetEval, art: dict, rec: Any) -> None:
    """Add one article's counts to ``ev``."""
    ann = art["annotations"]
    ev.article = art
    ev.articles += 1
    ev.sentences += len(ann.get("sentences", []))
    _score_quotes(ev, ann, rec)
    _score_statements(ev, ann, rec)
    _score_numbers(ev, ann, rec)
    _score_hedges(ev, ann, rec)


def _score_quotes(ev: StatementSetEval, ann: dict, rec: Any) -> None:
    gold = ann.get("quotes", [])
    pred = rec.quotes
    pairs = match_spans(_spans(gold), [(q.content_start, q.content_end) for q in pred])
    ev.quotes.add(len(gold), len(pred), len(pairs))
    names = set().union(*(_surnames(q["speaker"]) for q in gold if q.get("speaker_kind") in ("person", "joint")))
    right = 0
    for gi, pi in pairs:
        if speaker_correct(gold[gi], pred[pi], names):
            right += 1
        else:
            ev.note("quote speaker", gold[gi]["start"], gold[gi]["end"],
                    f"gold {gold[gi]['speaker']!r}, extracted {pred[pi].speaker!r}")
    ev.speakers.add(len(gold), len(pred), right)
    _note_unmatched(ev, "quote", gold, [(q.content_start, q.content_end) for q in pred], pairs,
                    lambda g: f"speaker {g['speaker']!r}", lambda pi: f"speaker {pred[pi].speaker!r}")
    headers = _spans(ann.get("headers", []))
    ev.headers_as_speakers += sum(1 for q in pred if any(overlap((s["start"], s["end"]), h) for s in q.source
                                                         for h in headers))


def _note_unmatched(ev: StatementSetEval, what: str, gold: list[dict], pred_spans: list[tuple[int, int]],
                    pairs: list[tuple[int, int]], gold_detail, pred_detail) -> None:
    """Note the gold items no prediction matched ("<what> missed") and the other way round
    ("<what> spurious")."""
    for gi in sorted(set(range(len(gold))) - {g for g, _ in pairs}):
        ev.note(f"{what} missed", gold[gi]["start"], gold[gi]["end"], gold_detail(gold[gi]))
    for pi in sorted(set(range(len(pred_spans))) - {p for _, p in pairs}):
        ev.note(f"{what} spurious", *pred_spans[pi], pred_detail(pi))


def _score_statements(ev: StatementSetEval, ann: dict, rec: Any) -> None:
    preds = rec.statements
    found = []
    for st in ann.get("statements", []):
        if not st["actors"]:
            continue
        ev.with_actor += 1
        span = gold_span(st)
        near = [p for p in preds if overlap(span, (p.sentence_start, p.sentence_end))]
        spoken = set().union(*(_statement_actors(p) for p in near)) if near else set()
        if not set(st["actors"]) <= spoken:
            ev.note("statement actor", *span, f"gold {sorted(st['actors'])}, extracted {sorted(spoken)}")
            continue
        found.append((st, span, near))
    compared = (assign_statements(found, ev.article.get("text", "")) if ev.matching == "one-to-one"
                else [_best_statement(st, span, near) for st, span, near in found])
    for (st, span, _), best in zip(found, compared):
        ev.found += 1
        ev.type_right += best.event_type == st["type"]
        if best.event_type != st["type"]:
            ev.note("statement type", *span, f"gold {st['type']}, extracted {best.event_type}")
        if st.get("issue"):
            ev.with_issue += 1
            ev.issue_right += st["issue"] in best.issue_ids
        if st.get("issue") and st.get("direction") is not None:
            _score_direction(ev, st, best)


def _rank(st: dict, span: tuple[int, int], p: Any, text: str) -> tuple:
    """How well a predicted statement fits a found gold one, smaller first: one of its actors, then
    one on its issue, then (for a gold statement with clause offsets) one whose predicate word lies
    in the gold clause, then the largest overlap, then the earliest."""
    return (not set(_statement_actors(p)) & set(st["actors"]), st.get("issue") not in p.issue_ids,
            st.get("clause_start") is not None and not _predicate_inside(p, span, text),
            -overlap(span, (p.sentence_start, p.sentence_end)), p.sentence_start)


def _predicate_inside(p: Any, span: tuple[int, int], text: str) -> bool:
    """Whether the predicted statement's predicate word occurs, as a word of its sentence, inside ``span``."""
    word = getattr(p, "predicate", None)
    if not word or not text:
        return False
    pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)")
    return any(overlap(span, m.span()) for m in pattern.finditer(text, p.sentence_start, p.sentence_end))


def _best_statement(st: dict, span: tuple[int, int], near: list, text: str = "") -> Any:
    """The predicted statement that fits a found gold one best (:func:`_rank`), each gold statement
    on its own (the ``independent`` matching)."""
    return min(near, key=lambda p: _rank(st, span, p, text))


def assign_statements(found: Sequence[tuple[dict, tuple[int, int], list]], text: str = "") -> list[Any]:
    """The predicted statement each found gold statement of an article is compared with, one to one:
    the (gold, predicted) pairs are taken best rank first (:func:`_rank`; ties: earlier gold, then
    earlier prediction), each predicted row going to one gold statement at most, never by type. A
    gold statement whose candidates all went to others is compared with its best one all the same
    (the extractor did not separate it). ``found``: (gold statement, its span, its candidates)."""
    index = {}
    for _, _, near in found:
        for p in near:
            index.setdefault(id(p), len(index))
    pairs = sorted((_rank(st, span, p, text), gi, index[id(p)], p) for gi, (st, span, near) in enumerate(found)
                   for p in near)
    out: list[Any] = [None] * len(found)
    taken: set[int] = set()
    for _, gi, pi, p in pairs:
        if out[gi] is None and pi not in taken:
            out[gi] = p
            taken.add(pi)
    return [p if p is not None else _best_statement(st, span, near, text)
            for p, (st, span, near) in zip(out, found)]


def _score_direction(ev: StatementSetEval, st: dict, best: Any) -> None:
    ev.with_direction += 1
    pos = (best.stance.get(st["issue"]) or {}).get("position")
    err = None if pos is None else abs(float(pos) - float(st["direction"]))
    if err is None or err > DIRECTION_TOLERANCE:
        ev.note("statement direction", *gold_span(st), f"{st['issue']}: gold {st['direction']:g}, extracted {pos}")
    if err is None:
        return
    ev.direction_given += 1
    ev.direction_error += err
    ev.direction_right += err <= DIRECTION_TOLERANCE


def value_matches(gold: dict, claim: Any) -> bool:
    """Whether a claim row carries the gold number's value (dates to the gold precision, times as
    "HH:MM" or decimal hours, numbers to a relative 1e-6)."""
    kind, want = gold["kind"], gold["value"]
    if kind == "date":
        return bool(claim.iso_date) and claim.iso_date[:len(want)] == want and len(claim.iso_date) >= len(want)
    if kind == "time":
        hh, mm = (int(x) for x in str(want).split(":"))
        if claim.iso_date and claim.iso_date[-5:] == want:
            return True
        return claim.quantity_type == "time" and claim.value is not None and abs(claim.value - (hh + mm / 60)) < 1e-6
    values = list(claim.values or []) + ([claim.value] if claim.value is not None else [])
    return any(abs(v - float(want)) <= 1e-6 * max(1.0, abs(float(want))) for v in values)


def _score_numbers(ev: StatementSetEval, ann: dict, rec: Any) -> None:
    gold = ann.get("numbers", [])
    pred = rec.claims
    pred_spans = [(c.start_char, c.end_char) for c in pred]
    pairs = match_spans(_spans(gold), pred_spans)
    ev.number_spans.add(len(gold), len(pred), len(pairs))
    right = 0
    for gi, pi in pairs:
        if value_matches(gold[gi], pred[pi]):
            right += 1
        else:
            c = pred[pi]
            ev.note("number value", gold[gi]["start"], gold[gi]["end"],
                    f"gold {gold[gi]['kind']} {gold[gi]['value']}, extracted {c.quantity_type} {c.value} {c.iso_date}")
    ev.numbers.add(len(gold), len(pred), right)
    _note_unmatched(ev, "number", gold, pred_spans, pairs, lambda g: f"{g['kind']} {g['value']}",
                    lambda pi: pred[pi].quantity_type)
    names = _spans(ann.get("not_numbers", []))
    ev.names += len(names)
    ev.names_read += sum(1 for n in names if any(overlap(n, p) for p in pred_spans))


def _score_hedges(ev: StatementSetEval, ann: dict, rec: Any) -> None:
    sentences = _spans(ann.get("sentences", []))
    cues = _spans(ann.get("hedges", []))
    gold = {i for i, s in enumerate(sentences) if any(overlap(s, c) for c in cues)}
    flagged = set()
    for f in rec.flags:
        if f.kind in ("hedged_sentence", "unattributed_claim") and f.start_char is not None:
            hits = [(overlap((f.start_char, f.end_char), s), i) for i, s in enumerate(sentences)]
            best = max(hits, default=(0, -1))
            if best[0] > 0:
                flagged.add(best[1])
    ev.hedges.add(len(gold), len(flagged), len(gold & flagged))
    for i in sorted(gold - flagged):
        ev.note("hedge missed", *sentences[i])
    for i in sorted(flagged - gold):
        ev.note("hedge spurious", *sentences[i])


def evaluate_statement_set(split: str = "dev", folder: Path = DEFAULT_DIR, errors: bool = False,
                           matching: str = MATCHINGS[0]) -> StatementSetEval:
    """Scores of the extractors on one half of the statement set (with ``errors``, every miss is
    listed in ``errors`` too; ``matching``: one of ``MATCHINGS``)."""
    if split not in SPLITS:
        raise InputError(f"unknown split {split!r} (dev or test)", field="--split")
    if matching not in MATCHINGS:
        raise InputError(f"unknown matching {matching!r} ({' or '.join(MATCHINGS)})", field="--matching")
    articles = read_articles(Path(folder) / f"{split}.jsonl")
    records = extract(articles, load_scenarios(folder, (a["scenario"] for a in articles)))
    ev = StatementSetEval(split, errors=[] if errors else None, matching=matching)
    for art, rec in zip(articles, records):
        if rec.article.text != art["text"]:
            raise InputError("extraction changed the text, so offsets would not match", file=art["id"])
        score_article(ev, art, rec)
    return ev


# -- PLOVER by fold -------------------------------------------------------------------------------
def plover_folds(path: Path, k: int = 5, seed: int = 17) -> list[Any]:
    """The statement typer's PLOVER scores on each of ``k`` folds of the records (seeded shuffle).

    The typer is rules, fitted to nothing, so a fold is only scored, never trained on: the spread of
    the folds shows how much the figures move between record samples.
    """
    from accord.evidence.evaluate import evaluate_events, read_plover

    records = read_plover(Path(path))
    if k < 2 or k > len(records):
        raise InputError(f"cannot make {k} folds of {len(records)} records", field="--folds")
    order = list(range(len(records)))
    random.Random(seed).shuffle(order)
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for f in range(k):
            fold = [records[i] for i in order[f::k]]
            fold_path = Path(tmp) / f"fold{f}.json"
            fold_path.write_text(json.dumps(fold), encoding="utf-8")
            out.append(evaluate_events(fold_path))
    return out


def present_macro_f1(ev: Any) -> float:
    """Macro-F1 over the negotiation types that occur in the gold records (a fold lacks some types,
    and the full macro-F1 counts each missing type as 0)."""
    f1s = [f for t, (_, _, f, n) in ev.per_type.items() if n and t not in ("OTHER", "PROPOSE")]
    return sum(f1s) / len(f1s) if f1s else 0.0


def fold_rows(folds: Sequence[Any]) -> list[dict]:
    """One row per fold and a last row with the mean and the spread (sample sd) of the folds."""
    rows = [{"fold": i + 1, "records": f.n, "accuracy": round(f.accuracy, 4), "macro_f1": round(f.macro_f1, 4),
             "macro_f1_present": round(present_macro_f1(f), 4)} for i, f in enumerate(folds)]

    def mean_sd(xs: list[float]) -> str:
        m = sum(xs) / len(xs)
        sd = (sum((x - m) ** 2 for x in xs) / (len(xs) - 1)) ** 0.5 if len(xs) > 1 else 0.0
        return f"{m:.4f} ± {sd:.4f}"

    rows.append({"fold": "mean ± sd", "records": sum(f.n for f in folds),
                 "accuracy": mean_sd([f.accuracy for f in folds]), "macro_f1": mean_sd([f.macro_f1 for f in folds]),
                 "macro_f1_present": mean_sd([present_macro_f1(f) for f in folds])})
    return rows


# -- command line ---------------------------------------------------------------------------------
def text_table(rows: list[dict]) -> str:
    """Rows of equal keys as aligned plain-text columns under a header line."""
    cols = list(rows[0])
    cells = [[("" if r[c] is None else str(r[c])) for c in cols] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(cols, widths))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)) for row in cells]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m accord.evidence.statement_eval --split dev|test [--data DIR] [--json] [--matching M]``."""
    ap = argparse.ArgumentParser(prog="python -m accord.evidence.statement_eval",
                                 description="Score the evidence extractors on the statement set.")
    ap.add_argument("--split", default="dev", choices=SPLITS)
    ap.add_argument("--data", type=Path, default=DEFAULT_DIR, help="the statement set folder")
    ap.add_argument("--json", action="store_true", help="print the rows as JSON")
    ap.add_argument("--errors", action="store_true", help="list every miss (article, kind, text, detail) instead")
    ap.add_argument("--matching", default=MATCHINGS[0], choices=MATCHINGS,
                    help="one-to-one (each predicted statement compared with one gold statement at most) or "
                         "independent (the rule before it, for comparison)")
    args = ap.parse_args(argv)
    try:
        ev = evaluate_statement_set(args.split, args.data, errors=args.errors, matching=args.matching)
    except InputError as exc:
        print(f"error: {exc.format()}", file=sys.stderr)
        return 2
    if args.errors:
        for e in ev.errors or []:
            print(f"{e['article']}\t{e['kind']}\t{e['text'][:100]}\t{e['detail']}")
    elif args.json:
        print(json.dumps(ev.rows(), indent=2))
    else:
        print(f"statement set {ev.split}: {ev.articles} articles, {ev.sentences} sentences")
        print(text_table(ev.rows()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
