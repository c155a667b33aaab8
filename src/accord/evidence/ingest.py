"""Ingest: read inputs, extract evidence, and write it to DuckDB in one transaction per run.

Articles are identified by the hash of their cleaned text, so ingesting the same input twice
adds nothing. An interrupted run leaves the database as it was before the run.
"""

from __future__ import annotations

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
def run_transaction(db: str | Path, report: IngestReport) -> Iterator[Any]:
    """A connection to ``db`` inside one transaction for an ingest run.

    Commits when the block ends and fills ``report.rows_added``; on any error (or a kill)
    rolls back, so nothing uncommitted of the run remains. Always closes the connection.
    A failed write (disk full, I/O error) becomes a one-line :class:`store.StoreWriteError`.
    """
    con = store.connect(db)
    try:
        before = store.counts(con)
        con.execute("BEGIN TRANSACTION")
        yield con
        con.execute("COMMIT")
        after = store.counts(con)
        report.rows_added = {t: after[t] - before[t] for t in after}
    except BaseException as exc:
        with contextlib.suppress(Exception):  # the transaction may already be gone
            con.execute("ROLLBACK")
        reason = store.write_failure(exc)
        if reason is not None:
            raise store.StoreWriteError(
                f"{db}: cannot write the evidence database ({reason}); the articles of this run not yet "
                "committed were rolled back") from None
        raise
    finally:
        with contextlib.suppress(Exception):
            con.close()


def ingest_paths(
    paths: Iterable[str | Path],
    db: str | Path,
    scenario: Scenario | None = None,
    progress: Callable[[str, int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> IngestReport:
    """Ingest files, folders and URL lists into the evidence database ``db``.

    ``progress(source, n_done)`` is called after each new document; rows are written every
    ``WRITE_EVERY`` documents. The whole run is one transaction: on any error (or a kill)
    nothing of this run remains.
    """
    paths = [str(p) for p in paths]
    started = dt.datetime.now(dt.UTC)
    report = IngestReport(_run_id(paths, started))
    registry = ScenarioRegistry.from_scenario(scenario)
    delay = float(os.environ.get(DELAY_ENV, "0") or 0)
    t0 = time.perf_counter()
    with run_transaction(db, report) as con:
        index = CorpusIndex.load(con)
        known = index.known
        this_run: set[str] = set()

        def fresh() -> Iterator[RawDocument]:
            for item in read_inputs(paths):
                if isinstance(item, Problem):
                    report.problems.append(item)
                    continue
                report.documents_read += 1
                aid = content_hash(item.text if item.verbatim else normalise(item.text)[0])
                if aid in known and not relink(con, aid, registry, report, this_run):
                    report.articles_existing += 1
                    continue
                known.add(aid)
                this_run.add(aid)
                yield item

        pending: list[dict] = []
        for rec in process_documents(fresh(), registry, batch_size=batch_size):
            pending.append(index.add(rec, report.run_id))
            report.articles_added += 1
            if delay or len(pending) >= WRITE_EVERY:
                store.write_rows(con, store.merge_rows(pending))
                pending.clear()
                time.sleep(delay)
            if progress is not None:
                progress(rec.article.source_path, report.articles_added)
        store.write_rows(con, store.merge_rows(pending))
        report.seconds = time.perf_counter() - t0
        con.execute(store.insert_sql(RunRow), store.as_tuple(RunRow(
            report.run_id, started.replace(tzinfo=None), dt.datetime.now(dt.UTC).replace(tzinfo=None),
            EXTRACTOR_VERSION, _pipeline_name(), registry.scenario_id, json.dumps(paths),
            report.articles_added, report.articles_existing, json.dumps(report.messages()))))
    return report


def relink(con, article_id: str, registry: ScenarioRegistry, report: IngestReport, this_run: set[str]) -> bool:
    """True when an article stored before this run must be extracted again because the run links
    with another scenario than the one it was stored with; its old rows are then deleted (in the
    run's transaction) and it is counted in ``report.relinked``. ``this_run`` holds the ids the
    run already handles. Without a scenario, stored links are kept."""
    if registry.key is None or article_id in this_run:
        return False
    if store.linked_scenario(con, article_id) == registry.key:
        return False
    store.delete_article(con, article_id)
    report.relinked.add(article_id)
    this_run.add(article_id)
    return True


CONFLICT_RELATIVE = 0.05


class CorpusIndex:
    """What the merge step knows about the stored corpus: ids, paragraph keys and LSH bands,
    article MinHashes and claims. ``add(rec)`` flags a new record against it (corpus duplicates,
    near-duplicates, syndication, numeric conflicts), returns its table rows and remembers it.
    Any ingest that merges records (sequential or distributed) should go through this.

    Kept compact, since it grows with the corpus: band keys are 64-bit integers, the text of a
    paragraph key is held once however many paragraphs share it, and the article signatures
    sit in one growing uint32 matrix (512 bytes an article).
    """

    def __init__(self) -> None:
        self.known: set[str] = set()
        self.pkeys: dict[str, str] = {}
        self.bands: dict[int, list[tuple[str, int, str]]] = {}
        self.claims: dict[tuple[str, str], list[tuple[str, float]]] = {}
        self.sig_ids: list[str] = []
        self._sigs = np.empty((0, minhash.NUM_PERM), dtype=np.uint32)
        self._keys: dict[str, str] = {}

    @property
    def sigs(self) -> np.ndarray:
        """The MinHash signatures of the known articles, one row each (in ``sig_ids`` order)."""
        return self._sigs[:len(self.sig_ids)]

    def _add_signature(self, aid: str, sig: np.ndarray) -> None:
        n = len(self.sig_ids)
        if n == len(self._sigs):
            grown = np.empty((max(64, 2 * n), minhash.NUM_PERM), dtype=np.uint32)
            grown[:n] = self._sigs[:n]
            self._sigs = grown
        self._sigs[n] = sig
        self.sig_ids.append(aid)

    def _add_bands(self, aid: str, idx: int, key: str, bands: Iterable[str]) -> None:
        key = self._keys.setdefault(key, key)
        entry = (aid, idx, key)
        for b in bands:
            self.bands.setdefault(band_hash(b), []).append(entry)

    def candidates(self, band: str) -> list[tuple[str, int, str]]:
        """``(article, paragraph index, paragraph key)`` of the stored paragraphs in LSH ``band``."""
        return self.bands.get(band_hash(band), [])

    @classmethod
    def load(cls, con) -> CorpusIndex:
        """The index of everything already stored in the database behind ``con`` (read in chunks)."""
        idx = cls()
        idx.known = {r[0] for r in con.execute("SELECT id FROM articles").fetchall()}
        idx.pkeys = dict(con.execute(
            "SELECT key_hash, min(article_id) FROM paragraphs WHERE key_hash IS NOT NULL AND chars >= 40 "
            "GROUP BY key_hash").fetchall())
        cur = con.execute(
            "SELECT p.article_id, p.idx, p.start_char, p.end_char, p.bands, a.text FROM paragraphs p "
            "JOIN articles a ON a.id = p.article_id WHERE p.bands IS NOT NULL ORDER BY p.article_id, p.idx")
        while chunk := cur.fetchmany(LOAD_CHUNK):
            for art, i, s0, s1, bjson, text in chunk:
                idx._add_bands(art, i, paragraph_key(text[s0:s1]), json.loads(bjson))
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

    def add(self, rec: DocumentRecords, run_id: str) -> dict[str, list[tuple]]:
        """Flag ``rec`` against the corpus, remember it, and return its table rows."""
        sig = minhash.signature(minhash.word_shingles(rec.article.text))
        dups = _corpus_flags(rec, self, sig)
        numeric_conflicts(rec, self.claims)
        rows = store.rows_for(rec, run_id, sig, dups)
        text = rec.article.text
        for p in rec.paragraphs:
            if p.key_hash and p.chars >= 40:
                self.pkeys.setdefault(p.key_hash, rec.article_id)
            if p.bands:
                self._add_bands(rec.article_id, p.idx, paragraph_key(text[p.start_char:p.end_char]), p.bands)
        self._add_signature(rec.article_id, sig)
        self.known.add(rec.article_id)
        return rows


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
        other = index.pkeys.get(p.key_hash) if p.key_hash and p.chars >= 40 else None
        kind, detail = "corpus_duplicate_paragraph", f"also in article {other}"
        if (not other or other == aid) and p.bands:
            other = None
            seen: set[tuple[str, int]] = set()
            pkey = paragraph_key(text[p.start_char:p.end_char])
            for b in p.bands:
                for art, idx, key in index.candidates(b):
                    if art == aid or (art, idx) in seen:
                        continue
                    seen.add((art, idx))
                    ratio = near_ratio(pkey, key)
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
