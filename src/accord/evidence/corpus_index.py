"""What an ingest checks each new article against: the articles stored before it.

:class:`CorpusIndex` flags a new record against the corpus (paragraphs seen in other articles,
near-duplicate paragraphs, syndicated copies, numeric conflicts) and writes its rows. The
look-up structures live in the database, in the ``corpus_index`` table (:mod:`accord.evidence.store`),
so the memory an ingest takes does not grow with the corpus: records are queued, and every
``FLUSH_EVERY`` of them are flagged together with one query for what the stored corpus holds
under their keys, then written with their own index entries (docs/methods/evidence.md,
"Duplicates across the corpus").
"""

from __future__ import annotations

import bisect
import collections
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from accord.evidence import minhash, store
from accord.evidence.clean import NEAR_RATIO, near_ratio, paragraph_key, quality_score
from accord.evidence.records import DocumentRecords, FlagRow, record_id

SYNDICATION_JACCARD = 0.8
CONFLICT_RELATIVE = 0.05
# Conflicting claims a claim lists (the furthest in value); it stores how many there are. A key
# with many values (casualty counts) would otherwise make every new claim list all earlier ones.
CONFLICTS_LISTED = 20
# Records flagged and written at once: one look-up query each time, and this many records' rows,
# and the stored entries under their keys, in memory. The look-up's rows grow as the stored corpus
# fills the bands (up to ``CANDIDATES_PER_BAND`` each): 65,000 for 256 records at 14,000 articles.
FLUSH_EVERY = 64
# Stored paragraphs compared per LSH band: the oldest ones. A band that more paragraphs share is
# common to many unrelated paragraphs (one template) and says little; capping it keeps the work per
# article from growing with the corpus. Only these are written to the index (and only as many
# holders of an exact paragraph key), so neither the table under a key nor its look-up grows with
# the corpus.
CANDIDATES_PER_BAND = store.INDEX_PER_KEY
# Holders of an exact paragraph key written to the index: the oldest one is the one reported; the
# others stand in when it is removed.
HOLDERS_PER_KEY = store.INDEX_PER_KEY
# Comparison keys of stored paragraphs kept after computing them.
PARAGRAPH_KEY_CACHE = 16384

KEY, BAND, ARTICLE = store.INDEX_KINDS


@dataclass
class _Batch:
    """The index entries of the records flagged so far in the current flush, in order."""

    keys: dict[int, str] = field(default_factory=dict)
    bands: dict[int, list[tuple[str, int]]] = field(default_factory=dict)
    keys_by_paragraph: dict[tuple[str, int], str] = field(default_factory=dict)
    sig_ids: list[str] = field(default_factory=list)
    sigs: list[np.ndarray] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    written: collections.Counter[tuple[int, int]] = field(default_factory=collections.Counter)


class CorpusIndex:
    """The corpus-level checks of an ingest over the database behind ``con`` (inside the
    caller's transaction). ``add(rec, report)`` queues a record; ``write()`` flags the queued
    records in order, each against the stored corpus and the records before it, and writes
    their rows and index entries. ``is_known(id)`` says whether an article is stored or queued.
    Any ingest that merges records (sequential or distributed) goes through this.
    """

    def __init__(self, con: Any) -> None:
        self.con = con
        self.unwritten: set[str] = set()  # ids this run handles that are not written yet
        self._queue: list[tuple[DocumentRecords, str, bool]] = []
        self._cache: collections.OrderedDict[tuple[str, int], str] = collections.OrderedDict()
        self._seq = 0

    @classmethod
    def load(cls, con: Any) -> CorpusIndex:
        """The index of the database behind ``con`` (nothing of the corpus is read into memory)."""
        idx = cls(con)
        idx._seq = con.execute("SELECT coalesce(max(seq) + 1, 0) FROM corpus_index").fetchall()[0][0]
        return idx

    def is_known(self, article_id: str) -> bool:
        """True when the article is stored or handled by this run already."""
        return article_id in self.unwritten or bool(self.stored([article_id]))

    def stored(self, article_ids: list[str]) -> set[str]:
        """The ids among ``article_ids`` of articles stored in the database (one query)."""
        return store.stored_ids(self.con, article_ids)

    def add(self, rec: DocumentRecords, report: Any) -> None:
        """Queue ``rec`` under the run of ``report`` (a re-linked article keeps the run that first
        stored it, and its stored rows are replaced); every ``FLUSH_EVERY`` records are written
        (:meth:`write`)."""
        run_id, replaces = report.run_id, rec.article_id in report.relinked
        if replaces:  # its rows stay if this run is discarded
            run_id = store.linked_scenario(self.con, rec.article_id)[1] or run_id
        self.unwritten.add(rec.article_id)
        self._queue.append((rec, run_id, replaces))
        if len(self._queue) >= FLUSH_EVERY:
            self.write()

    def write(self) -> None:
        """Flag the queued records in order and write their rows and index entries (inside the
        caller's transaction), replacing the stored rows of re-linked articles."""
        if not self._queue:
            return
        sigs = [minhash.signature(minhash.word_shingles(rec.article.text)) for rec, _, _ in self._queue]
        keys = [_Keys.of(rec, sig) for (rec, _, _), sig in zip(self._queue, sigs)]
        replaced = {rec.article_id for rec, _, replaces in self._queue if replaces}
        stored = _Stored(self, keys, replaced)
        claims, stored_claims = ClaimValues(), StoredConflicts.read(self.con, [rec for rec, _, _ in self._queue], replaced)
        batch = _Batch()
        rows = []
        for (rec, run_id, _), sig, rec_keys in zip(self._queue, sigs, keys):
            dups = self._flag(rec, sig, rec_keys, stored, batch)
            numeric_conflicts(rec, claims, stored_claims)
            rows.append(store.rows_for(rec, run_id, sig, dups))
            _remember(batch, rec, sig, rec_keys, stored)
        for rec, _, replaces in self._queue:
            if replaces:
                store.delete_article(self.con, rec.article_id)
        store.write_rows(self.con, store.merge_rows(rows))
        self._seq = store.write_index(self.con, batch.rows, self._seq)
        for paragraph, key in batch.keys_by_paragraph.items():
            self._cache_key(paragraph, key)
        for rec, _, _ in self._queue:
            self.unwritten.discard(rec.article_id)
        self._queue.clear()

    def _flag(self, rec: DocumentRecords, sig: np.ndarray, keys: _Keys, stored: _Stored,
              batch: _Batch) -> dict[int, str]:
        """Flag paragraphs seen (exactly or nearly) in other articles and near-copies of the whole article."""
        aid = rec.article_id
        dups: dict[int, str] = {}
        text = rec.article.text
        for p, h, bands in zip(rec.paragraphs, keys.exact, keys.bands):
            other = None
            if h is not None:
                other = stored.first(KEY, h) or batch.keys.get(h)
            kind, detail = "corpus_duplicate_paragraph", f"also in article {other}"
            if (not other or other == aid) and bands:
                other = None
                near = self._near(aid, paragraph_key(text[p.start_char:p.end_char]), bands, stored, batch)
                if near:
                    other, idx, ratio = near
                    kind = "corpus_near_duplicate_paragraph"
                    detail = f"near paragraph {idx} of article {other} (ratio {ratio:.2f})"
            if other and other != aid:
                dups[p.idx] = other
                rec.add(FlagRow(id=record_id(aid, "flag", kind, p.start_char, p.end_char), article_id=aid,
                                kind=kind, start_char=p.start_char, end_char=p.end_char, paragraph=p.idx,
                                detail=detail))
        q = rec.article.quality
        if dups:
            q["corpus_duplicate_paragraphs"] = True
        for other, sim in self._copies(aid, sig, keys.article, stored, batch):
            rec.add(FlagRow(id=record_id(aid, "flag", "syndicated", other), article_id=aid, kind="syndicated",
                            start_char=0, end_char=0, paragraph=None,
                            detail=f"copy of article {other} (Jaccard {sim:.2f})", score=sim))
            q["syndicated"] = True
        if dups or q.get("syndicated"):
            q["score"] = round(quality_score({k: float(v) for k, v in q.items()
                                              if k not in ("score", "anonymous_sourcing_share")}), 4)
            rec.article.quality_score = q["score"]
        return dups

    def _near(self, aid: str, key: str, bands: list[int], stored: _Stored,
              batch: _Batch) -> tuple[str, int, float] | None:
        """The first paragraph of another article sharing one of the LSH bands ``bands`` (their
        index keys) with the paragraph whose comparison key is ``key`` and similar enough to it:
        bands in order, and in each band the oldest ``CANDIDATES_PER_BAND`` stored paragraphs, then
        those of the current flush."""
        seen: set[tuple[str, int]] = set()
        for h in bands:
            for art, idx, other_key in self._candidates(h, stored, batch):
                if art == aid or (art, idx) in seen:
                    continue
                seen.add((art, idx))
                ratio = near_ratio(key, other_key())
                if ratio >= NEAR_RATIO:
                    return art, idx, ratio
        return None

    def _candidates(self, h: int, stored: _Stored, batch: _Batch) -> Iterator[tuple[str, int, Any]]:
        """The oldest ``CANDIDATES_PER_BAND`` paragraphs of the band ``h``, stored ones first, then
        those of this flush: the same paragraphs however the corpus was split into runs and flushes."""
        older = list(stored.band(h))
        for art, idx in older:
            yield art, idx, lambda p=(art, idx): self._stored_key(p, stored)
        for art, idx in batch.bands.get(h, ())[:max(0, CANDIDATES_PER_BAND - len(older))]:
            yield art, idx, lambda a=art, i=idx: batch.keys_by_paragraph[(a, i)]

    def _copies(self, aid: str, sig: np.ndarray, article_bands: list[int], stored: _Stored,
                batch: _Batch) -> list[tuple[str, float]]:
        """The articles (stored ones oldest first, then those of this flush) whose estimated
        Jaccard with ``sig`` (whose band keys are ``article_bands``) is at least ``SYNDICATION_JACCARD``."""
        out = [(other, jaccard) for other, other_sig in stored.articles(article_bands)
               if other != aid and (jaccard := minhash.jaccard(sig, other_sig)) >= SYNDICATION_JACCARD]
        if batch.sigs:
            sims = minhash.jaccard_many(sig, np.stack(batch.sigs))
            out.extend((batch.sig_ids[k], float(sims[k])) for k in np.flatnonzero(sims >= SYNDICATION_JACCARD)
                       if batch.sig_ids[k] != aid)
        return out

    def _stored_key(self, paragraph: tuple[str, int], stored: _Stored) -> str:
        """The comparison key of the stored ``(article, paragraph index)``: the one kept when the
        flush began, else made from the text the flush read (and kept)."""
        key = stored.keys.get(paragraph)
        if key is None:
            key = stored.keys[paragraph] = self._cache_key(paragraph, paragraph_key(stored.texts.pop(paragraph)))
        return key

    def kept_key(self, paragraph: tuple[str, int]) -> str | None:
        """The comparison key kept for a stored paragraph (None: not kept), marked as just used."""
        key = self._cache.get(paragraph)
        if key is not None:
            self._cache.move_to_end(paragraph)
        return key

    def _cache_key(self, paragraph: tuple[str, int], key: str) -> str:
        self._cache[paragraph] = key
        self._cache.move_to_end(paragraph)
        if len(self._cache) > PARAGRAPH_KEY_CACHE:
            self._cache.popitem(last=False)
        return key


@dataclass
class _Keys:
    """A record's index keys, made once per flush: per paragraph the key of its exact text (None
    when too short to be looked up by it) and of its LSH bands, and the keys of the article's
    signature bands."""

    exact: list[int | None]
    bands: list[list[int]]
    article: list[int]

    @classmethod
    def of(cls, rec: DocumentRecords, sig: np.ndarray) -> _Keys:
        return cls([minhash.key64(p.key_hash) if p.key_hash and p.chars >= store.KEYED_MIN_CHARS else None
                    for p in rec.paragraphs],
                   [[minhash.key64(b) for b in p.bands or ()] for p in rec.paragraphs],
                   minhash.article_bands(sig))


def _remember(batch: _Batch, rec: DocumentRecords, sig: np.ndarray, keys: _Keys, stored: _Stored) -> None:
    """Add the index entries of a flagged record to the current flush: under a paragraph key or
    band, only while the stored corpus and the flush hold fewer than ``CANDIDATES_PER_BAND``
    entries (later ones would never be looked up)."""
    aid, text = rec.article_id, rec.article.text

    def add(kind: int, h: int, entry: tuple) -> None:
        if stored.count(kind, h) + batch.written[(kind, h)] < (HOLDERS_PER_KEY if kind == KEY else CANDIDATES_PER_BAND):
            batch.written[(kind, h)] += 1
            batch.rows.append((kind, h, *entry))

    for p, h, bands in zip(rec.paragraphs, keys.exact, keys.bands):
        if h is not None:
            batch.keys.setdefault(h, aid)
            add(KEY, h, (aid, p.idx, None, None))
        if bands:
            batch.keys_by_paragraph[(aid, p.idx)] = paragraph_key(text[p.start_char:p.end_char])
            for b in bands:
                batch.bands.setdefault(b, []).append((aid, p.idx))
                add(BAND, b, (aid, p.idx, p.start_char, p.end_char))
    batch.rows.extend((ARTICLE, h, aid, None, None, None) for h in keys.article)
    batch.sig_ids.append(aid)
    batch.sigs.append(sig)


class _Stored:
    """What the stored corpus holds under the keys of the records of one flush, read with one
    query into arrays: the first ``CANDIDATES_PER_BAND`` entries of each key (all, for article
    bands), oldest first; then, with a second, the texts of the paragraphs among them whose
    comparison keys the index has not kept, once each. ``replaced``: the articles the flush
    rewrites (their entries are removed before it writes)."""

    def __init__(self, index: CorpusIndex, keys: list[_Keys], replaced: frozenset[str] | set[str] = frozenset()) -> None:
        self.replaced = replaced
        wanted: set[tuple[int, int]] = set()
        for rec_keys in keys:
            wanted.update((KEY, h) for h in rec_keys.exact if h is not None)
            wanted.update((BAND, h) for bands in rec_keys.bands for h in bands)
            wanted.update((ARTICLE, h) for h in rec_keys.article)
        with store.lookup_memory(index.con):
            found = store.index_entries(index.con, sorted(wanted), max(CANDIDATES_PER_BAND, HOLDERS_PER_KEY))
        # the article ids and paragraph indices as lists, read element by element (which numpy
        # arrays are slow at); their items are shared strings and small ints, so the lists hold
        # little more than pointers
        self.seq, self.aid, self.idx = found["seq"], found["article_id"].tolist(), found["idx"].tolist()
        starts, ends = found["start_char"], found["end_char"]
        # the rows of each key: [lo, hi) of the arrays, which come sorted by key
        kind, h = found["kind"], found["hash"]
        lo, hi = store.key_spans(found)
        self.rows: dict[tuple[int, int], tuple[int, int]] = (
            dict(zip(zip(kind[lo].tolist(), h[lo].tolist()), zip(lo.tolist(), hi.tolist()))) if len(kind) else {})
        self.keys: dict[tuple[str, int], str] = {}  # kept comparison keys, held for this flush
        spans: dict[tuple[str, int], tuple[int, int]] = {}
        for (k, band), (first, _) in self.rows.items():
            if k != BAND:
                continue
            for j, paragraph in zip(range(first, self._end(k, band)), self.band(band)):
                if (key := index.kept_key(paragraph)) is not None:
                    self.keys[paragraph] = key
                else:
                    spans[paragraph] = (int(starts[j]), int(ends[j]))
        self.texts = {(aid, idx): text for aid, idx, text in
                      store.paragraph_texts(index.con, [(*p, *span) for p, span in spans.items()])}
        ids = sorted({self.aid[j] for (k, art_band), (first, last) in self.rows.items() if k == ARTICLE
                      for j in range(first, last)})
        self.sigs = {aid: np.frombuffer(blob, dtype=np.uint32) for aid, blob in store.signatures(index.con, ids)}

    def _end(self, kind: int, h: int) -> int:
        """The end of the rows of ``(kind, h)`` looked at: at most ``CANDIDATES_PER_BAND`` of a band."""
        first, last = self.rows[(kind, h)]
        return min(last, first + CANDIDATES_PER_BAND) if kind == BAND else last

    def count(self, kind: int, h: int) -> int:
        """How many of the entries read under ``(kind, h)`` stay once the flush is written."""
        first, last = self.rows.get((kind, h), (0, 0))
        if not self.replaced:
            return last - first
        return sum(self.aid[j] not in self.replaced for j in range(first, last))

    def first(self, kind: int, h: int) -> str | None:
        """The article of the oldest entry under ``(kind, h)`` (None: none)."""
        found = self.rows.get((kind, h))
        return self.aid[found[0]] if found else None

    def band(self, h: int) -> Iterator[tuple[str, int]]:
        """``(article, paragraph index)`` of the oldest stored paragraphs in the LSH band ``h``, oldest first."""
        if (BAND, h) in self.rows:
            for j in range(self.rows[(BAND, h)][0], self._end(BAND, h)):
                yield self.aid[j], self.idx[j]

    def articles(self, article_bands: list[int]) -> list[tuple[str, np.ndarray]]:
        """The stored articles sharing one of the article bands ``article_bands``, oldest first,
        with their signatures."""
        first: dict[str, int] = {}
        for h in article_bands:
            start, end = self.rows.get((ARTICLE, h), (0, 0))
            for j in range(start, end):
                aid, seq = self.aid[j], int(self.seq[j])
                first[aid] = min(seq, first.get(aid, seq))
        return [(aid, self.sigs[aid]) for aid in sorted(first, key=first.__getitem__) if aid in self.sigs]


class ClaimValues:
    """The numeric claims seen so far under each (quantity type, referent) key, sorted by value
    (equal values by id), so that the claims a new value conflicts with are found by bisection
    rather than by a scan of every claim under its key (docs/methods/evidence.md, "Numeric claims").
    A claim id is kept once: adding it again (a re-linked article) replaces its value. An ingest
    keeps one per flush, for the claims of the flush's own records; the stored claims are compared
    in the database (:class:`StoredConflicts`)."""

    def __init__(self) -> None:
        self._values: dict[tuple[str, str], list[float]] = {}
        self._claims: dict[tuple[str, str], list[str]] = {}  # ids, by value
        self._kept: dict[str, tuple[tuple[str, str], float]] = {}  # id -> its key and value

    def add(self, key: tuple[str, str], claim_id: str, value: float) -> None:
        """Keep a claim's value under ``key`` (a value that is not finite never conflicts: not kept)."""
        if claim_id in self._kept:
            old_key, old_value = self._kept.pop(claim_id)
            at = self._position(old_key, claim_id, old_value)
            del self._values[old_key][at], self._claims[old_key][at]
        if not math.isfinite(value):
            return
        values, claims = self._values.setdefault(key, []), self._claims.setdefault(key, [])
        at = self._position(key, claim_id, value)
        values.insert(at, value)
        claims.insert(at, claim_id)
        self._kept[claim_id] = (key, value)

    def value(self, claim_id: str) -> float:
        """The value kept for ``claim_id``."""
        return self._kept[claim_id][1]

    def _position(self, key: tuple[str, str], claim_id: str, value: float) -> int:
        """Where ``(value, claim_id)`` is (or goes) in the sorted lists of ``key``."""
        values, claims = self._values[key], self._claims[key]
        lo = bisect.bisect_left(values, value)
        return bisect.bisect_left(claims, claim_id, lo, bisect.bisect_right(values, value, lo))

    def conflicts(self, key: tuple[str, str], claim_id: str, value: float) -> tuple[list[str], int]:
        """The claims under ``key`` (but ``claim_id``) whose value is more than ``CONFLICT_RELATIVE``
        apart from ``value`` (relative to the larger magnitude): the ids of at most
        ``CONFLICTS_LISTED`` of them, those furthest from ``value`` (:func:`_furthest_first`), sorted by id,
        and how many there are. Neither depends on the order the claims were added in (one run or
        several, one process or segments); none for a value that is not finite."""
        if not math.isfinite(value):
            return [], 0
        values, claims = self._values.get(key, []), self._claims.get(key, [])
        # every value outside [lo, hi) conflicts and none inside [inner, outer); only the values
        # near the band's edges, between the two, are checked exactly
        near = sorted((value * (1 - CONFLICT_RELATIVE), value / (1 - CONFLICT_RELATIVE)))
        slack = [abs(edge) * 1e-9 + 1e-300 for edge in near]
        lo = bisect.bisect_left(values, near[0] - slack[0])
        hi = bisect.bisect_right(values, near[1] + slack[1])
        inner = bisect.bisect_left(values, near[0] + slack[0])
        outer = max(inner, bisect.bisect_right(values, near[1] - slack[1]))
        # the edges, checked once per value: equal values (zeros, or values exactly 5 % apart) can be many
        edges = [(a, b) for start, end in ((lo, inner), (outer, hi)) for a, b in _runs(values, start, end)
                 if _conflict(value, values[a])]
        # the furthest are the lowest values (equal ones by id) and the highest (the same)
        first = [*range(min(lo, CONFLICTS_LISTED + 1)),
                 *(k for a, b in edges for k in range(a, min(b, a + CONFLICTS_LISTED + 1))),
                 *_highest(values, hi, CONFLICTS_LISTED + 1)]
        furthest = sorted((k for k in first if claims[k] != claim_id),
                          key=lambda k: _furthest_first(value, values[k], claims[k]))[:CONFLICTS_LISTED]
        count = lo + len(values) - hi + sum(b - a for a, b in edges)
        return sorted(claims[k] for k in furthest), count - self._conflicts_with_itself(key, claim_id, lo, hi, edges)

    def _conflicts_with_itself(self, key: tuple[str, str], claim_id: str, lo: int, hi: int,
                               edges: list[tuple[int, int]]) -> int:
        """1 when ``claim_id`` is kept under ``key`` among the conflicting positions (its value
        changed on re-extraction), else 0."""
        kept = self._kept.get(claim_id)
        if kept is None or kept[0] != key:
            return 0
        at = self._position(key, claim_id, kept[1])
        return int(at < lo or at >= hi or any(a <= at < b for a, b in edges))


def _furthest_first(value: float, other: float, claim_id: str) -> tuple[float, float, str]:
    """Order of the conflicting claims listed: furthest from ``value`` first; at an equal
    (rounded) distance, the more extreme value, then the smaller id."""
    return -abs(value - other), other if other < value else -other, claim_id


def _runs(values: list[float], start: int, end: int) -> Iterator[tuple[int, int]]:
    """The runs ``[a, b)`` of equal values in ``values[start:end]`` (sorted)."""
    while start < end:
        run_end = bisect.bisect_right(values, values[start], start, end)
        yield start, run_end
        start = run_end


def _highest(values: list[float], start: int, m: int) -> list[int]:
    """The positions of the ``m`` highest of ``values[start:]`` (sorted), equal values by position."""
    out: list[int] = []
    end = len(values)
    while end > start and len(out) < m:
        run = bisect.bisect_left(values, values[end - 1], start, end)
        out.extend(range(run, min(end, run + m - len(out))))
        end = run
    return out


class StoredConflicts:
    """What the stored claims say of the numeric claims of one flush, read with two queries: for
    each claim, how many stored claims under its key conflict with it (the pairwise rule, counted
    in the database), and for each key the ``CONFLICTS_LISTED`` lowest and highest stored values,
    among which the furthest conflicting ones always are. Nothing of the other keys, nor all the
    values under a key, is read into memory (docs/methods/evidence.md, "Numeric claims")."""

    def __init__(self, counts: dict[str, int], extremes: dict[tuple[str, str], dict[str, float]]) -> None:
        self.counts = counts
        self.extremes = extremes

    @classmethod
    def read(cls, con: Any, records: list[DocumentRecords], leaving: set[str] | frozenset[str] = frozenset()
             ) -> StoredConflicts:
        """What the stored claims (but those of the articles ``leaving``, which the flush replaces)
        say of the claims of ``records`` that have a referent and a finite value."""
        queries = [(c.id, c.quantity_type, c.referent_key, float(c.value))
                   for rec in records for c in rec.claims
                   if c.referent and c.value is not None and math.isfinite(float(c.value))]
        if not queries:
            return cls({}, {})
        counts, extremes = store.claim_conflicts(con, queries, sorted(leaving), CONFLICT_RELATIVE, CONFLICTS_LISTED)
        by_key: dict[tuple[str, str], dict[str, float]] = {}
        for qtype, key, cid, value in extremes:
            by_key.setdefault((qtype, key), {})[cid] = value
        return cls(counts, by_key)

    def merged(self, key: tuple[str, str], claim_id: str, value: float, listed: list[str], count: int,
               flush: ClaimValues) -> tuple[list[str], int]:
        """The conflicts of ``claim_id`` (of value ``value``) with the stored claims added to those
        with the flush's earlier claims (``listed`` and ``count``, from ``flush``): the
        ``CONFLICTS_LISTED`` furthest of both, sorted by id, and how many there are in all."""
        if not math.isfinite(value):
            return listed, count
        found = [(w, cid) for cid, w in self.extremes.get(key, {}).items() if _conflict(value, w)]
        found += [(flush.value(cid), cid) for cid in listed]
        furthest = sorted(found, key=lambda item: _furthest_first(value, *item))[:CONFLICTS_LISTED]
        return sorted(cid for _, cid in furthest), count + self.counts.get(claim_id, 0)


def _conflict(value: float, other: float) -> bool:
    """The pairwise rule: more than ``CONFLICT_RELATIVE`` apart, relative to the larger magnitude."""
    return abs(value - other) > CONFLICT_RELATIVE * max(abs(value), abs(other))


def numeric_conflicts(rec: DocumentRecords, index: ClaimValues, stored: StoredConflicts | None = None) -> None:
    """Fill ``conflicts_with``: same quantity type and referent, values more than 5 % apart
    (docs/methods/evidence.md): with the claims kept in ``index`` (those of the flush's records
    before ``rec``; ``rec``'s own are added to it in turn) and those ``stored`` in the database."""
    for c in rec.claims:
        if not c.referent or c.value is None:
            continue
        key = (c.quantity_type, c.referent_key)
        v = float(c.value)
        listed, c.conflicts = index.conflicts(key, c.id, v)
        if stored is not None:
            listed, c.conflicts = stored.merged(key, c.id, v, listed, c.conflicts, index)
        c.conflicts_with.extend(listed)
        index.add(key, c.id, v)
        if c.conflicts:
            more = c.conflicts - len(listed)
            rec.add(FlagRow(
                id=record_id(rec.article_id, "flag", "numeric_conflict", c.start_char, c.end_char),
                article_id=rec.article_id, kind="numeric_conflict", start_char=c.start_char, end_char=c.end_char,
                paragraph=c.paragraph, detail="conflicts with claim(s) " + ", ".join(c.conflicts_with)
                + (f" and {more} more" if more else "")))
