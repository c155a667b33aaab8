"""Position suggestions from stored statements, as a reviewable scenario patch (origin: evidence).

Each statement on an issue implies a point on the issue's 0–100 scale: the position its clause
gives (an anchor it matches read through its negations, a number, or its attitude on the issue's
side), else 75 or 25 by its polarity and the issue's direction
(:func:`accord.evidence.stance.fallback_position`). Points are averaged with
weights confidence × article quality × recency (half-life ``HALF_LIFE_DAYS``) × 0.5 when hedged.
Confidence grows with the weight of independent sources, not of statements: statements from
one article, or from articles carrying one wire story, count as one source with the weight of its
strongest statement; it shrinks with disagreement. Every suggestion lists its supporting
statements with their sentence, speaker and hedge status.

A statement is dated by the later of its article's header date and the date its text gives
itself (the dateline, ``articles.text_date``): an article cannot be known before the events it
reports, so a mis-dated article never enters the picture of an earlier date
(docs/methods/evidence.md, "Dates" and "Suggestions").
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from accord.errors import InputError
from accord.evidence import store
from accord.evidence.stance import fallback_position
from accord.evidence.statements import IssueIndex
from accord.io import read_yaml
from accord.scenario.model import Position, Scenario, Source

HALF_LIFE_DAYS = 30.0
SUPPORT_BAND = 25.0
MAX_SOURCES = 5
DEFAULT_SALIENCE = 0.5


@dataclass
class EvidenceItem:
    """One statement behind a suggestion."""

    statement_id: str
    article_id: str
    date: dt.date | None
    implied: float
    weight: float
    polarity: int
    sentence: str
    speaker: str | None
    url: str | None
    title: str | None
    outlet: str | None
    event_type: str
    hedged: bool = False
    source_key: str = ""  # statements with one key are one source (an article, or a wire story)


@dataclass
class Suggestion:
    """A suggested position of one actor on one issue, with its evidence."""

    actor: str
    issue: str
    position: float
    confidence: float
    salience: float
    date: dt.date
    n_statements: int
    n_sources: int = 0
    supporting: list[EvidenceItem] = field(default_factory=list)
    contradicting: list[EvidenceItem] = field(default_factory=list)

    def to_position(self) -> Position:
        """The suggestion as a scenario Position with origin ``evidence``."""
        sources = []
        for item in self.supporting[:MAX_SOURCES]:
            sources.append(Source(url=item.url or f"article:{item.article_id}", id=item.statement_id,
                                  title=item.title, outlet=item.outlet, date=item.date,
                                  quote=_short(item.sentence)))
        note = (f"evidence: {self.n_statements} statement(s), confidence {self.confidence:.2f}; "
                f"{len(self.supporting)} supporting, {len(self.contradicting)} contradicting")
        return Position(actor=self.actor, issue=self.issue, position=round(self.position, 2),
                        salience=round(self.salience, 3), date=self.date,
                        uncertainty=round(max(5.0, 50.0 * (1.0 - self.confidence)), 2),
                        sources=sources, note=note, origin="evidence")

    def to_patch_entry(self) -> dict[str, Any]:
        """A YAML-ready patch entry: the Position plus confidence and contradicting evidence."""
        d = self.to_position().model_dump(mode="json", exclude_none=True)
        d["confidence"] = round(self.confidence, 4)
        d["n_sources"] = self.n_sources
        d["supporting"] = [_evidence_entry(i) for i in self.supporting[:MAX_SOURCES]]
        d["contradicting"] = [_evidence_entry(i) for i in self.contradicting[:MAX_SOURCES]]
        return d


def _evidence_entry(i: EvidenceItem) -> dict[str, Any]:
    """One statement behind a suggestion as the patch shows it: where, who, whether hedged."""
    return {"url": i.url or f"article:{i.article_id}", "id": i.statement_id, "outlet": i.outlet,
            "date": i.date.isoformat() if i.date else None, "quote": _short(i.sentence),
            "speaker": i.speaker, "hedged": i.hedged, "type": i.event_type,
            "implied_position": round(i.implied, 2)}


def _short(text: str, limit: int = 240) -> str:
    t = " ".join(text.split())
    return t if len(t) <= limit else t[: limit - 1] + "…"


def _as_date(v: Any) -> dt.date | None:
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v)[:10])
    except ValueError:
        return None


def suggest_positions(db: str | Path, scenario: Scenario, as_of: dt.date | str | None = None) -> list[Suggestion]:
    """Suggested positions per actor and issue from the statements stored in ``db``."""
    cutoff = _as_date(as_of) if as_of is not None else None
    if as_of is not None and cutoff is None:
        raise InputError(f"not an ISO date: {as_of!r}", field="as_of")
    index = IssueIndex.from_scenario(scenario)
    actors = {a.id for a in scenario.actors}
    issues = {i.id for i in scenario.issues}
    con = store.connect(db, read_only=True)
    try:
        cur = con.execute("""
            SELECT si.statement_id, si.article_id, si.issue_id, si.polarity, si.position, s.actor_id,
                   s.confidence, s.hedged, s.sentence_text, s.event_type, greatest(a.published_at, a.text_date), a.url, a.title,
                   a.outlet, a.quality_score, q.speaker, a.wire_source
            FROM statement_issues si JOIN statements s ON s.id = si.statement_id
            JOIN articles a ON a.id = si.article_id LEFT JOIN quotes q ON q.id = s.quote_id
            WHERE s.actor_id IS NOT NULL
            ORDER BY si.issue_id, s.actor_id, greatest(a.published_at, a.text_date) NULLS FIRST, si.statement_id""")
        rows = cur.fetchall()
    finally:
        con.close()
    groups: dict[tuple[str, str], list[EvidenceItem]] = {}
    for (sid, aid, iid, pol, pos, actor, conf, hedged, sent, etype, pub, url, title, outlet, quality,
         speaker, wire) in rows:
        if actor not in actors or iid not in issues:
            continue
        date = _as_date(pub)
        if cutoff is not None and (date is None or date > cutoff):
            continue
        implied = float(pos) if pos is not None else \
            fallback_position(int(pol or 0), index.direction.get(iid, 1), strong=False)
        if implied is None:
            continue
        w = float(conf or 0.5) * float(quality if quality is not None else 1.0) * (0.5 if hedged else 1.0)
        key = f"wire:{wire}:{date}" if wire else f"article:{aid}"
        groups.setdefault((actor, iid), []).append(
            EvidenceItem(sid, aid, date, implied, w, int(pol or 0), sent, speaker, url, title, outlet, etype,
                         bool(hedged), key))
    counts: dict[str, int] = {}
    for (actor, _), items in groups.items():
        counts[actor] = max(counts.get(actor, 0), len(items))
    out: list[Suggestion] = []
    order_a = {a.id: k for k, a in enumerate(scenario.actors)}
    order_i = {i.id: k for k, i in enumerate(scenario.issues)}
    for (actor, iid), items in sorted(groups.items(), key=lambda kv: (order_i[kv[0][1]], order_a[kv[0][0]])):
        dates = [i.date for i in items if i.date is not None]
        ref = cutoff or (max(dates) if dates else dt.date.today())
        for it in items:
            if it.date is not None:
                age = max(0, (ref - it.date).days)
                it.weight *= 0.5 ** (age / HALF_LIFE_DAYS)
        total = sum(i.weight for i in items)
        if total <= 0:
            continue
        pos = sum(i.weight * i.implied for i in items) / total
        var = sum(i.weight * (i.implied - pos) ** 2 for i in items) / total
        agreement = max(0.0, 1.0 - math.sqrt(var) / 50.0)
        sources = _source_weights(items)
        confidence = (1.0 - math.exp(-sum(sources.values()))) * agreement
        supporting = sorted((i for i in items if abs(i.implied - pos) <= SUPPORT_BAND), key=lambda i: -i.weight)
        contradicting = sorted((i for i in items if abs(i.implied - pos) > SUPPORT_BAND), key=lambda i: -i.weight)
        out.append(Suggestion(
            actor=actor, issue=iid, position=float(min(100.0, max(0.0, pos))),
            confidence=float(min(1.0, max(0.0, confidence))),
            salience=float(min(1.0, max(0.1, len(items) / counts[actor]))) if counts[actor] else DEFAULT_SALIENCE,
            date=max(dates) if dates else ref, n_statements=len(items), n_sources=len(sources),
            supporting=supporting, contradicting=contradicting))
    return out


def _source_weights(items: list[EvidenceItem]) -> dict[str, float]:
    """The weight of each independent source: its strongest statement (repeats add nothing)."""
    out: dict[str, float] = {}
    for i in items:
        out[i.source_key] = max(out.get(i.source_key, 0.0), i.weight)
    return out


def patch_yaml(suggestions: list[Suggestion]) -> str:
    """The suggestions as a YAML scenario patch (a list of Position-like entries)."""
    entries = [s.to_patch_entry() for s in suggestions]
    header = ("# accord suggestion patch: positions suggested from news evidence (origin: evidence).\n"
              "# Review, edit or delete entries, then apply with accord.evidence.suggest.apply_patch.\n")
    return header + yaml.safe_dump(entries, sort_keys=False, allow_unicode=True)


def load_patch(path: str | Path) -> list[dict[str, Any]]:
    """Read a patch file written by ``patch_yaml``."""
    p = Path(path)
    data, _ = read_yaml(p)  # the shared loader: its limits and one-line errors naming file and line
    if not isinstance(data, list):
        raise InputError("a patch must be a YAML list of positions", file=str(p))
    return data


def apply_patch(scenario: Scenario, patch: list[dict[str, Any]] | list[Suggestion],
                source: str | None = None) -> Scenario:
    """The scenario with the patch's positions added (replacing any with the same actor, issue, date).

    ``source`` names the patch file in error messages.
    """
    new: list[Position] = []
    for k, entry in enumerate(patch):
        if isinstance(entry, Suggestion):
            new.append(entry.to_position())
            continue
        if not isinstance(entry, dict):
            raise InputError("patch entry is not a mapping", file=source, field=f"[{k}]")
        data = {key: v for key, v in entry.items() if key not in _PATCH_EXTRAS}
        data.setdefault("origin", "evidence")
        try:
            new.append(Position.model_validate(data))
        except ValidationError as exc:
            raise InputError(f"invalid position: {_first_error(exc)}", file=source, field=f"[{k}]") from None
    keys = {(p.actor, p.issue, p.date) for p in new}
    kept = [p for p in scenario.positions if (p.actor, p.issue, p.date) not in keys]
    data = scenario.model_dump(mode="python", by_alias=True)
    data["positions"] = [p.model_dump(mode="python") for p in kept + new]
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"patch does not fit the scenario: {_first_error(exc)}", file=source) from None


_PATCH_EXTRAS = ("confidence", "n_sources", "supporting", "contradicting")  # shown for review, not Position fields


def _first_error(exc: ValidationError) -> str:
    """The first problem pydantic found, as ``field: message`` on one line."""
    err = exc.errors()[0]
    where = ".".join(str(part) for part in err["loc"])
    msg = str(err["msg"]).removeprefix("Value error, ")
    return " ".join(f"{where + ': ' if where else ''}{msg}".split())


def suggestions_json(suggestions: list[Suggestion]) -> str:
    """The suggestions as JSON (for the CLI)."""
    return json.dumps([s.to_patch_entry() for s in suggestions], indent=2, default=str)
