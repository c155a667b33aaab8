"""Ingest: read inputs, extract evidence, and write it to DuckDB in batches.

Articles are identified by the hash of their cleaned text, so ingesting the same input twice
adds nothing. An interrupted or killed run leaves the database as it was before the run
(:func:`ingest_run`).
"""

from __future__ import annotations

import array
import collections
import contextlib
import datetime as dt
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from accord.evidence import minhash, store
from accord.evidence.clean import NEAR_RATIO, near_ratio, normalise, paragraph_key, quality_score
from accord.evidence.pipeline import ScenarioRegistry, process_documents
from accord.evidence.readers import Problem, read_inputs
from accord.evidence.records import (
    EXTRACTOR_VERSION,
    DocumentRecords,
    FlagRow,
    RawDocument,
    RunRow,
    content_hash,
    record_id,
)
from accord.scenario.model import Scenario

SYNDICATION_JACCARD = 0.8
BATCH_SIZE = 16
# Articles whose rows are written to DuckDB at once: each write has a fixed cost of tens of ms
# per table, and the rows of this many articles take a few MB.
WRITE_EVERY = 256
# Test hook: seconds to sleep after writing each document (to interrupt a run on purpose).
DELAY_ENV = "ACCORD_INGEST_DELAY"


@dataclass
class IngestReport:
    """What one ingest run did: ids, counts and the inputs it skipped with reasons."""

    run_id: str
    documents_read: int = 0
    articles_added: int = 0
    articles_existing: int = 0
    relinked: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    rows_added: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def messages(self) -> list[str]:
        """One line per skipped input."""
        return [str(p) for p in self.problems]


def _run_id(paths: list[str], started: dt.datetime) -> str:
    return hashlib.sha1((started.isoformat() + "|" + "|".join(paths)).encode()).hexdigest()[:16]


@contextlib.contextmanager
def ingest_run(db: str | Path, report: IngestReport, run: RunRow, all_or_nothing: bool = True) -> Iterator[Any]:
    """A connection to ``db`` for the ingest run ``run``, inside a transaction.

    The run's row goes in first with no ``finished_at``; the caller commits batches of articles
    (:func:`store.commit_batch`), and the row is completed and committed when the block ends
    (``report.rows_added`` filled). ``all_or_nothing``: on any error, including an interrupt,
    the run's committed batches are removed again, and after a kill the next connection to the
    database removes them (:func:`store.discard_runs`), so the database is as before the run or
    holds all of it. Otherwise the committed batches stay, and the open one is rolled back.
    A failed write (disk full, I/O error) becomes a one-line :class:`store.StoreWriteError`.
    """
    con = store.connect(db)
    try:
        before = store.counts(con)
        con.execute("BEGIN TRANSACTION")
        con.execute(store.insert_sql(RunRow), store.as_tuple(run))
        if all_or_nothing:
            store.mark_for_roll_back(con, report.run_id)
        yield con
        con.execute(
            "UPDATE runs SET finished_at = ?, articles_added = ?, articles_existing = ?, problems = ? WHERE id = ?",
            [dt.datetime.now(dt.UTC).replace(tzinfo=None), report.articles_added, report.articles_existing,
             json.dumps(report.messages()), report.run_id])
        store.finish_run(con, report.run_id)
        con.execute("COMMIT")
        after = store.counts(con)
        report.rows_added = {t: after[t] - before[t] for t in after}
    except BaseException as exc:
        with contextlib.suppress(Exception):  # the transaction may already be gone
            con.execute("ROLLBACK")
        if all_or_nothing:
            with contextlib.suppress(Exception):  # else the next connection removes them
                store.discard_runs(con, [report.run_id])
        reason = store.write_failure(exc)
        if reason is not None:
            done = "were rolled back" if all_or_nothing else "not yet committed were rolled back"
            raise store.StoreWriteError(
                f"{db}: cannot write the evidence database ({reason}); the articles of this run {done}") from None
        raise
    finally:
        with contextlib.suppress(Exception):
            con.close()


def new_run(report: IngestReport, started: dt.datetime, registry: ScenarioRegistry, paths: list[str]) -> RunRow:
    """The ``runs`` row of a run as it starts (no ``finished_at`` yet)."""
    return RunRow(report.run_id, started.replace(tzinfo=None), None, EXTRACTOR_VERSION, _pipeline_name(),
                  registry.scenario_id, json.dumps(paths), 0, 0, "[]")


def ingest_paths(
    paths: Iterable[str | Path],
    db: str | Path,
    scenario: Scenario | None = None,
    progress: Callable[[str, int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> IngestReport:
    """Ingest files, folders and URL lists into the evidence database ``db``.

    ``progress(source, n_done)`` is called after each new document; rows are written and
    committed every ``WRITE_EVERY`` documents, and an error, an interrupt or a kill leaves
    nothing of the run (:func:`ingest_run`).
    """
    paths = [str(p) for p in paths]
    started = dt.datetime.now(dt.UTC)
    report = IngestReport(_run_id(paths, started))
    registry = ScenarioRegistry.from_scenario(scenario)
    delay = float(os.environ.get(DELAY_ENV, "0") or 0)
    t0 = time.perf_counter()
    with ingest_run(db, report, new_run(report, started, registry, paths)) as con:
        index = CorpusIndex.load(con)
        this_run: set[str] = set()

        def fresh() -> Iterator[RawDocument]:
            for item in read_inputs(paths):
                if isinstance(item, Problem):
                    report.problems.append(item)
                    continue
                report.documents_read += 1
                aid = content_hash(item.text if item.verbatim else normalise(item.text)[0])
                if aid in index.known and not relink(con, aid, registry, report, this_run):
                    report.articles_existing += 1
                    continue
                index.known.add(aid)
                this_run.add(aid)
                yield item

        waiting = 0
        for rec in process_documents(fresh(), registry, batch_size=batch_size):
            index.add(rec, report)
            report.articles_added += 1
            waiting += 1
            if delay or waiting >= WRITE_EVERY:
                index.write()
                if waiting >= WRITE_EVERY:
                    store.commit_batch(con)
                    waiting = 0
                time.sleep(delay)
            if progress is not None:
                progress(rec.article.source_path, report.articles_added)
        index.write()
        report.seconds = time.perf_counter() - t0
    return report


def relink(con, article_id: str, registry: ScenarioRegistry, report: IngestReport, this_run: set[str]) -> bool:
    """True when an article stored before this run must be extracted again because the run links
    with another scenario than the one it was stored with; it is then recorded in
    ``report.relinked``, and its old rows are replaced when the new ones are written
    (:meth:`CorpusIndex.write`, in one transaction).
    ``this_run`` holds the ids the run already handles. Without a scenario, stored links are kept."""
    if registry.key is None or article_id in this_run:
        return False
    if store.linked_scenario(con, article_id)[0] == registry.key:
        return False
    report.relinked.add(article_id)
    this_run.add(article_id)
    return True


CONFLICT_RELATIVE = 0.05
PARAGRAPH_KEY_CACHE = 16384


class CorpusIndex:
    """What the merge step knows about the stored corpus: ids, paragraph keys and LSH bands,
    article MinHashes and claims. ``add(rec, report)`` flags a new record against it (corpus
    duplicates, near-duplicates, syndication, numeric conflicts), queues its rows and remembers
    it; ``write()`` writes the queued rows. Any ingest that merges records (sequential or
    distributed) should go through this.

    Kept compact, since it grows with the corpus: articles and banded paragraphs are numbered
    (a paragraph's article, index and span in ``array`` columns, 32 bytes), paragraph-key hashes
    and band keys sit in :class:`minhash.BucketIndex` arrays (16 bytes an entry), the signatures
    in one growing uint32 matrix (512 bytes an article), and paragraph texts are not held: those
    needed to compare near-duplicate candidates are read back from the database and kept in a
    bounded least-recently-used cache.
    """

    def __init__(self, con: Any) -> None:
        self.con = con
        self.known: set[str] = set()
        self.claims: dict[tuple[str, str], list[tuple[str, float]]] = {}
        self.sig_ids: list[str] = []
        self._sigs = np.empty((0, minhash.NUM_PERM), dtype=np.uint32)
        self._ids: list[str] = []
        self._number: dict[str, int] = {}
        self._pkeys = minhash.BucketIndex()
        self._bands = minhash.BucketIndex()
        self._para = {name: array.array("q") for name in ("article", "idx", "start", "end")}
        self._texts: dict[int, str] = {}  # paragraph keys of the queued articles, by paragraph number
        self._cache: collections.OrderedDict[int, str] = collections.OrderedDict()
        self._pending: list[dict[str, list[tuple]]] = []
        self._replacing: list[str] = []

    @property
    def sigs(self) -> np.ndarray:
        """The MinHash signatures of the known articles, one row each (in ``sig_ids`` order)."""
        return self._sigs[:len(self.sig_ids)]

    def _article_number(self, aid: str) -> int:
        n = self._number.get(aid)
        if n is None:
            n = self._number[aid] = len(self._ids)
            self._ids.append(aid)
        return n

    def _add_signature(self, aid: str, sig: np.ndarray) -> None:
        n = len(self.sig_ids)
        if n == len(self._sigs):
            grown = np.empty((max(64, 2 * n), minhash.NUM_PERM), dtype=np.uint32)
            grown[:n] = self._sigs[:n]
            self._sigs = grown
        self._sigs[n] = sig
        self.sig_ids.append(aid)

    def _add_bands(self, aid: str, idx: int, span: tuple[int, int], bands: Iterable[str]) -> int:
        number = len(self._para["idx"])
        for name, v in zip(self._para, (self._article_number(aid), idx, *span)):
            self._para[name].append(v)
        for b in bands:
            self._bands.add(band_hash(b), number)
        return number

    def _add_pkey(self, key_hash: str, aid: str) -> None:
        h = band_hash(key_hash)
        if not self._pkeys.get(h):
            self._pkeys.add(h, self._article_number(aid))

    def first_with_key(self, key_hash: str) -> str | None:
        """The first article holding a paragraph with the key hash ``key_hash`` (None: none)."""
        found = self._pkeys.get(band_hash(key_hash))
        return self._ids[found[0]] if found else None

    def candidates(self, band: str) -> list[tuple[str, int, int]]:
        """``(article, paragraph index, paragraph number)`` of the known paragraphs in LSH
        ``band``, oldest first."""
        art, idx = self._para["article"], self._para["idx"]
        return [(self._ids[art[n]], idx[n], n) for n in self._bands.get(band_hash(band))]

    def paragraph_key(self, number: int) -> str:
        """The comparison key of the known paragraph ``number`` (see :meth:`candidates`)."""
        key = self._texts.get(number)
        if key is None:
            key = self._cache.get(number)
            if key is None:
                aid = self._ids[self._para["article"][number]]
                text = self.con.execute("SELECT text FROM articles WHERE id = ?", [aid]).fetchall()[0][0]
                key = self._remember(number, paragraph_key(text[self._para["start"][number]:self._para["end"][number]]))
            self._cache.move_to_end(number)
        return key

    def _remember(self, number: int, key: str) -> str:
        self._cache[number] = key
        if len(self._cache) > PARAGRAPH_KEY_CACHE:
            self._cache.popitem(last=False)
        return key

    @classmethod
    def load(cls, con) -> CorpusIndex:
        """The index of everything already stored in the database behind ``con`` (read in chunks)."""
        idx = cls(con)
        idx.known = {r[0] for r in con.execute("SELECT id FROM articles").fetchall()}
        cur = con.execute(
            "SELECT key_hash, min(article_id) FROM paragraphs WHERE key_hash IS NOT NULL AND chars >= 40 "
            "GROUP BY key_hash ORDER BY 2, 1")
        while chunk := cur.fetchmany(LOAD_CHUNK):
            for key_hash, aid in chunk:
                idx._add_pkey(key_hash, aid)
        cur = con.execute("SELECT article_id, idx, start_char, end_char, bands FROM paragraphs "
                          "WHERE bands IS NOT NULL ORDER BY article_id, idx")
        while chunk := cur.fetchmany(LOAD_CHUNK):
            for art, i, s0, s1, bjson in chunk:
                idx._add_bands(art, i, (s0, s1), json.loads(bjson))
        for cid, qtype, ref, val in con.execute(
            "SELECT id, quantity_type, referent, value FROM claims WHERE referent IS NOT NULL AND value IS NOT NULL "
            "ORDER BY id"
        ).fetchall():
            idx.claims.setdefault((qtype, referent_key(ref)), []).append((cid, float(val)))
        cur = con.execute("SELECT id, minhash FROM articles WHERE minhash IS NOT NULL ORDER BY id")
        while chunk := cur.fetchmany(LOAD_CHUNK):
            for aid, blob in chunk:
                idx._add_signature(aid, np.frombuffer(blob, dtype=np.uint32))
        return idx

    def add(self, rec: DocumentRecords, report: IngestReport) -> None:
        """Flag ``rec`` against the corpus, remember it, and queue its table rows (under the run
        of ``report``, or for a re-linked article the run that first stored it)."""
        sig = minhash.signature(minhash.word_shingles(rec.article.text))
        dups = _corpus_flags(rec, self, sig)
        numeric_conflicts(rec, self.claims)
        aid = rec.article_id
        run_id = report.run_id
        if aid in report.relinked:  # keeps the run that stored it: the rows stay if this run is discarded
            run_id = store.linked_scenario(self.con, aid)[1] or run_id
            self._replacing.append(aid)
        self._pending.append(store.rows_for(rec, run_id, sig, dups))
        text = rec.article.text
        for p in rec.paragraphs:
            if p.key_hash and p.chars >= 40:
                self._add_pkey(p.key_hash, aid)
            if p.bands:
                number = self._add_bands(aid, p.idx, (p.start_char, p.end_char), p.bands)
                self._texts[number] = paragraph_key(text[p.start_char:p.end_char])
        self._add_signature(aid, sig)
        self.known.add(aid)

    def write(self) -> None:
        """Write the queued rows (inside the caller's transaction), replacing the stored rows of
        re-linked articles."""
        for aid in self._replacing:
            store.delete_article(self.con, aid)
        store.write_rows(self.con, store.merge_rows(self._pending))
        self._pending.clear()
        self._replacing.clear()
        for number, key in self._texts.items():
            self._remember(number, key)
        self._texts.clear()


LOAD_CHUNK = 2048


def band_hash(band: str) -> int:
    """A 64-bit integer standing for an LSH band key in the corpus index."""
    return int.from_bytes(hashlib.blake2b(band.encode(), digest_size=8).digest(), "little", signed=True)


def referent_key(referent: str) -> str:
    """A claim referent normalised for comparison (lower case, no articles or possessives)."""
    words = [w for w in referent.lower().replace("’s", "").replace("'s", "").split() if w not in ("the", "a", "an")]
    return " ".join(words)


def numeric_conflicts(rec: DocumentRecords, index: dict[tuple[str, str], list[tuple[str, float]]]) -> None:
    """Fill ``conflicts_with``: same quantity type and referent, values more than 5 % apart (docs/methods/evidence.md)."""
    for c in rec.claims:
        if not c.referent or c.value is None:
            continue
        key = (c.quantity_type, referent_key(c.referent))
        v = float(c.value)
        for other_id, w in index.get(key, ()):
            if other_id != c.id and abs(v - w) > CONFLICT_RELATIVE * max(abs(v), abs(w)):
                c.conflicts_with.append(other_id)
        index.setdefault(key, []).append((c.id, v))
        if c.conflicts_with:
            rec.add(FlagRow(
                id=record_id(rec.article_id, "flag", "numeric_conflict", c.start_char, c.end_char),
                article_id=rec.article_id, kind="numeric_conflict", start_char=c.start_char, end_char=c.end_char,
                paragraph=c.paragraph, detail="conflicts with claim(s) " + ", ".join(c.conflicts_with)))


def _pipeline_name() -> str:
    from accord.evidence.nlp import pipeline_version

    return pipeline_version()


def _corpus_flags(rec: DocumentRecords, index: CorpusIndex, sig: np.ndarray) -> dict[int, str]:
    """Flag paragraphs seen (exactly or nearly) in other articles and near-copies of whole articles."""
    aid = rec.article_id
    dups: dict[int, str] = {}
    text = rec.article.text
    for p in rec.paragraphs:
        other = index.first_with_key(p.key_hash) if p.key_hash and p.chars >= 40 else None
        kind, detail = "corpus_duplicate_paragraph", f"also in article {other}"
        if (not other or other == aid) and p.bands:
            other = None
            seen: set[tuple[str, int]] = set()
            pkey = paragraph_key(text[p.start_char:p.end_char])
            for b in p.bands:
                for art, idx, number in index.candidates(b):
                    if art == aid or (art, idx) in seen:
                        continue
                    seen.add((art, idx))
                    ratio = near_ratio(pkey, index.paragraph_key(number))
                    if ratio >= NEAR_RATIO:
                        other, kind = art, "corpus_near_duplicate_paragraph"
                        detail = f"near paragraph {idx} of article {art} (ratio {ratio:.2f})"
                        break
                if other:
                    break
        if other and other != aid:
            dups[p.idx] = other
            rec.add(FlagRow(id=record_id(aid, "flag", kind, p.start_char, p.end_char), article_id=aid, kind=kind,
                            start_char=p.start_char, end_char=p.end_char, paragraph=p.idx, detail=detail))
    q = rec.article.quality
    if dups:
        q["corpus_duplicate_paragraphs"] = True
    if index.sig_ids:
        sims = minhash.jaccard_many(sig, index.sigs)
        for k in np.flatnonzero(sims >= SYNDICATION_JACCARD):
            other = index.sig_ids[int(k)]
            if other == aid:
                continue
            rec.add(FlagRow(id=record_id(aid, "flag", "syndicated", other), article_id=aid, kind="syndicated",
                            start_char=0, end_char=0, paragraph=None,
                            detail=f"copy of article {other} (Jaccard {sims[k]:.2f})", score=float(sims[k])))
            q["syndicated"] = True
    if dups or q.get("syndicated"):
        q["score"] = round(quality_score({k: float(v) for k, v in q.items()
                                          if k not in ("score", "anonymous_sourcing_share")}), 4)
        rec.article.quality_score = q["score"]
    return dups
