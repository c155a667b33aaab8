"""Throughput of the evidence pipeline against bare spaCy parsing, in one run.

    python benchmarks/bench_evidence.py [--n 2000] [--batch-size 32] [--chunk 100] [--ingest-docs 400] [--parse-process]
    python benchmarks/bench_evidence.py --ingest-sizes 400,3000,6000    # ingest scaling
    python benchmarks/bench_evidence.py --ingest-sizes 50000 --segment 4096   # ... in segments
    nohup python benchmarks/bench_evidence.py --ingest-sizes 50000 > ingest-scale.log 2>&1 &
    python benchmarks/bench_evidence.py --markdown-sizes 50,100,200,400  # Markdown reader, KB

Texts: PolNeAR train articles (repeated up to --n). Both passes use the same pipeline with
the same components and nlp.pipe batch size. The passes alternate chunk by chunk so that
load from other processes hits both alike. "full" = clean-up + parse + quotes, statements,
claims, flags (accord.evidence.pipeline.process_documents), without database writes. The
last lines compare the DuckDB ingest (``ingest_paths``, as ``accord ingest`` runs it) with bare
spaCy at the ingest's batch size on the first --ingest-docs distinct texts, chunk by chunk
alternating: each chunk is parsed bare and ingested into the same database (every other
chunk ingested first), so the database grows as in a real run and load from other processes
hits both alike.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRAIN = ROOT.parent / "shared" / "data" / "polnear" / "train" / "text"
SCENARIO = ROOT / "src" / "accord" / "cases" / "ukraine" / "scenario.yaml"


def _texts(n: int, source: str = "polnear") -> list[str]:
    if source == "synthetic":
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from synthetic import iter_articles

        return [a.text for a in iter_articles(n)]
    files = sorted(TRAIN.glob("*.txt"))
    if not files:
        sys.exit(f"no PolNeAR train texts under {TRAIN}")
    base = [f.read_text(encoding="utf-8") for f in files]
    return [base[i % len(base)] for i in range(n)]


def _rss_mb() -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        return next(int(line.split()[1]) // 1024 for line in f if line.startswith("VmRSS:"))


def _peak_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _hwm_mb(pid: int) -> int:
    """The peak resident memory of a running process (``VmHWM``), 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            return next(int(line.split()[1]) // 1024 for line in f if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return 0


def _children_of(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    return out


_PEAKS = {"child": 0}  # the largest child figure seen so far (a finished child's tree is not summed)


def _peaks_mb() -> tuple[int, int]:
    """The peak resident memory of this process and the largest of its children's so far
    (finished ones from the system's accounting, running ones from /proc). A running child's
    figure adds the peaks of its own children (a segment's parse process): an upper bound of
    what the two held at once."""
    import multiprocessing

    finished = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    running = max((_hwm_mb(c.pid) + sum(_hwm_mb(g) for g in _children_of(c.pid))
                   for c in multiprocessing.active_children()), default=0)
    _PEAKS["child"] = max(finished, running, _PEAKS["child"])
    return _peak_mb(), _PEAKS["child"]


BARE_SAMPLE = 1000  # synthetic articles parsed by bare spaCy before and after an ingest
FLAT_AT = 6000  # the corpus size the peak memory is compared with


def _bare_rate(texts: list[str]) -> float:
    """Articles/s of bare spaCy (the pipeline the ingest loads, ``nlp.pipe``) on ``texts``."""
    from accord.evidence.ingest import BATCH_SIZE
    from accord.evidence.nlp import get_nlp

    nlp = get_nlp()
    t = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=BATCH_SIZE):
        pass
    return len(texts) / (time.perf_counter() - t)


def bare_sample_rate(n: int) -> float:
    """:func:`_bare_rate` on the first ``n`` synthetic articles."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic import iter_articles

    return _bare_rate([a.text for a in iter_articles(n)])


def ingest_one(n: int, work: Path, segment: int = 0) -> dict:
    """Ingest ``n`` synthetic articles (benchmarks/synthetic.py) into a new database from this
    process, as ``accord ingest --segment SEGMENT`` does (0: in this process): the articles/s,
    and the peak resident memory, this process's plus the largest of its children's (a segment
    with its parse process, or the parse process), also as it stood at ``FLAT_AT`` articles. Every 1,000 articles
    a line on stderr gives the articles so far, the seconds, the articles/s over that last 1,000,
    and the peaks so far."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from accord.evidence.ingest import ingest_paths
    from accord.scenario.io import load_scenario
    from synthetic import write_corpus

    corpus = work / "corpus"
    write_corpus(corpus, n)
    scenario = load_scenario(SCENARIO)
    db = work / f"ingest-{n}.duckdb"
    db.unlink(missing_ok=True)
    t = time.perf_counter()
    marks = {"last": t, "peak at flat": None, "tail": []}

    def progress(_source: str, done: int) -> None:
        if done % 1000 == 0:
            now = time.perf_counter()
            rate = 1000 / (now - marks["last"])
            marks["last"] = now
            marks["tail"] = [*marks["tail"][-9:], rate]
            own, child = _peaks_mb()
            if done == FLAT_AT:
                marks["peak at flat"] = own + child
            print(f"  {done:>6} articles  {now - t:7.0f} s  {rate:5.1f} art/s  RSS {_rss_mb()} MB  "
                  f"peak {own} MB here + {child} MB in a child = {own + child} MB", file=sys.stderr, flush=True)

    rep = ingest_paths([corpus], db, scenario, progress=progress, segment=segment)
    seconds = time.perf_counter() - t
    own, child = _peaks_mb()
    out = {"articles": rep.articles_added, "seconds": round(seconds, 1),
           "articles/s": round(rep.articles_added / seconds, 2), "peak RSS (MB)": own + child,
           "peak RSS of this process / of the largest child with its own children (MB)": [own, child]}
    if marks["tail"]:
        out[f"last {len(marks['tail']):,}k articles: articles/s"] = round(
            len(marks["tail"]) / sum(1 / r for r in marks["tail"]), 2)
    if marks["peak at flat"] is not None:
        out[f"peak RSS at {FLAT_AT:,} articles (MB)"] = marks["peak at flat"]
        out[f"peak / peak at {FLAT_AT:,}"] = round((own + child) / marks["peak at flat"], 3)
    return out


def ingest_scaling(sizes: list[int], segment: int = 0) -> None:
    """One fresh process per corpus size, so each peak memory figure is its own; bare spaCy on
    the first ``BARE_SAMPLE`` articles is timed in a process of its own just before and just after."""
    import json
    import subprocess

    def run(*args: str) -> str:
        return subprocess.run([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True,
                              check=True).stdout.strip().splitlines()[-1]

    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            print(f"{n} articles ...", file=sys.stderr, flush=True)
            sample = str(min(n, BARE_SAMPLE))
            before = float(run("--bare-sample", sample))
            out = json.loads(run("--ingest-one", str(n), "--work", tmp, "--segment", str(segment)))
            after = float(run("--bare-sample", sample))
            bare = (before + after) / 2
            out["bare spaCy before / after (articles/s)"] = [round(before, 2), round(after, 2)]
            out["ingest / bare"] = round(out["articles/s"] / bare, 3)
            tail = next((k for k in out if k.startswith("last ")), None)
            if tail:
                rate = out.pop(tail)
                out[f"{tail}, / bare"] = [rate, round(rate / bare, 3)]
            print(json.dumps(out), flush=True)


def markdown_scaling(sizes_kb: list[int]) -> None:
    """Seconds the Markdown reader takes on pathological inputs (unclosed emphasis and links)."""
    from accord.evidence.readers import markdown_document

    for kb in sizes_kb:
        for name, unit in (("emphasis", "*a _b `c "), ("links", "[x](y [z] ("), ("prose", "Some **bold** text. ")):
            text = (unit * (kb * 1024 // len(unit) + 1))[: kb * 1024]
            t = time.perf_counter()
            markdown_document(text, "bench.md")
            print(f"{kb:>5} KB  {name:<9} {time.perf_counter() - t:8.3f} s", flush=True)


def ingest_against_bare(texts: list[str], scenario, chunk: int, parse_process: bool = False) -> dict:
    """The DuckDB ingest of ``texts`` against bare spaCy at the ingest's batch size, ``chunk``
    texts at a time, alternating: each chunk is parsed bare, then ingested into one database
    (which grows chunk by chunk). A throw-away ingest of a few texts first loads what an ingest
    imports once. ``parse_process``: the ingest parses in a second process. The articles/s of
    both, their ratio, and the ratio of each chunk."""
    from accord.evidence.ingest import BATCH_SIZE, ingest_paths
    from accord.evidence.nlp import get_nlp

    nlp = get_nlp()
    bare = ingest = 0.0
    ratios = []
    done = 0
    with tempfile.TemporaryDirectory() as tmp:
        folders = []
        for c, i in enumerate(range(0, len(texts), chunk)):
            folder = Path(tmp) / f"chunk{c:04d}"
            folder.mkdir()
            for k, x in enumerate(texts[i : i + chunk]):
                (folder / f"a{i + k:06d}.txt").write_text(x, encoding="utf-8")
            folders.append((folder, texts[i : i + chunk]))
        warm = Path(tmp) / "warm"
        warm.mkdir()
        for k, x in enumerate(texts[:4]):
            (warm / f"w{k}.txt").write_text(x, encoding="utf-8")
        ingest_paths([warm], Path(tmp) / "warm.duckdb", scenario)
        db = Path(tmp) / "bench.duckdb"
        for c, (folder, part) in enumerate(folders):
            g = 0.0
            if c % 2:  # every other chunk is ingested first: what goes first in a pair runs slower
                g = _timed_ingest(folder, db, scenario, len(part), parse_process)
            t = time.perf_counter()
            for _ in nlp.pipe(part, batch_size=BATCH_SIZE):
                pass
            b = time.perf_counter() - t
            if not c % 2:
                g = _timed_ingest(folder, db, scenario, len(part), parse_process)
            bare, ingest, done = bare + b, ingest + g, done + len(part)
            ratios.append(b / g)
            print(f"  ingest: {done:>6} docs  bare {len(part) / b:6.2f} docs/s  "
                  f"ingest {len(part) / g:6.2f} docs/s  ratio {b / g:.3f}", file=sys.stderr, flush=True)
    return {"docs": len(texts), "bare docs/s": len(texts) / bare, "ingest docs/s": len(texts) / ingest,
            "ratio": bare / ingest, "chunk ratios": ratios}


def _timed_ingest(folder: Path, db: Path, scenario, expected: int, parse_process: bool = False) -> float:
    """Seconds ``ingest_paths`` takes to ingest the texts of ``folder`` into ``db``."""
    from accord.evidence.ingest import ingest_paths

    t = time.perf_counter()
    rep = ingest_paths([folder], db, scenario, parse_process=parse_process)
    seconds = time.perf_counter() - t
    if rep.articles_added != expected:
        sys.exit(f"the ingest added {rep.articles_added} of {expected} texts in {folder.name}")
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--chunk", type=int, default=100)
    ap.add_argument("--ingest-docs", type=int, default=400,
                    help="distinct texts the DuckDB ingest is measured on (against bare spaCy)")
    ap.add_argument("--parse-process", action="store_true",
                    help="that ingest parses in a second process (as accord ingest does for more than 256 documents)")
    ap.add_argument("--texts", choices=("polnear", "synthetic"), default="polnear",
                    help="PolNeAR train articles or benchmarks/synthetic.py articles")
    ap.add_argument("--ingest-sizes", help="comma-separated corpus sizes: synthetic ingest scaling")
    ap.add_argument("--markdown-sizes", help="comma-separated sizes in KB: Markdown reader scaling")
    ap.add_argument("--segment", type=int, default=0, help="with --ingest-sizes: documents per ingest process")
    ap.add_argument("--ingest-one", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--bare-sample", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.bare_sample:
        print(bare_sample_rate(args.bare_sample))
        return
    if args.ingest_one:
        import json

        print(json.dumps(ingest_one(args.ingest_one, args.work, args.segment)))
        return
    if args.ingest_sizes:
        ingest_scaling([int(x) for x in args.ingest_sizes.split(",")], args.segment)
        return
    if args.markdown_sizes:
        markdown_scaling([int(x) for x in args.markdown_sizes.split(",")])
        return

    from accord.evidence.nlp import get_nlp
    from accord.evidence.pipeline import ScenarioRegistry, process_documents
    from accord.evidence.records import RawDocument

    scenario = None
    if SCENARIO.is_file():
        from accord.scenario.io import load_scenario

        scenario = load_scenario(SCENARIO)
    registry = ScenarioRegistry.from_scenario(scenario)
    texts = _texts(args.n, args.texts)
    nchars = sum(len(t) for t in texts)
    t0 = time.perf_counter()
    nlp = get_nlp()
    load_s = time.perf_counter() - t0
    list(nlp.pipe(texts[:4], batch_size=args.batch_size))  # warm-up
    list(process_documents([RawDocument("w", t) for t in texts[:4]], registry, batch_size=args.batch_size))

    bare = full = 0.0
    n_quotes = n_statements = n_claims = n_tokens = 0
    for i in range(0, len(texts), args.chunk):
        chunk = texts[i : i + args.chunk]
        t = time.perf_counter()
        for doc in nlp.pipe(chunk, batch_size=args.batch_size):
            n_tokens += len(doc)
        bare += time.perf_counter() - t
        t = time.perf_counter()
        for rec in process_documents((RawDocument(f"doc{i + k}", x) for k, x in enumerate(chunk)), registry,
                                     batch_size=args.batch_size):
            n_quotes += len(rec.quotes)
            n_statements += len(rec.statements)
            n_claims += len(rec.claims)
        full += time.perf_counter() - t
        done = min(i + args.chunk, len(texts))
        print(f"  {done:>6} docs  bare {done / bare:6.2f} docs/s  full {done / full:6.2f} docs/s  "
              f"ratio {bare / full:.3f}", file=sys.stderr, flush=True)

    ingest = ingest_against_bare(list(dict.fromkeys(texts))[: args.ingest_docs], scenario, args.chunk,
                                 args.parse_process)

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    n = len(texts)
    rows = [
        ("documents", f"{n:,}"),
        ("characters", f"{nchars:,}"),
        ("tokens", f"{n_tokens:,}"),
        ("model load (s)", f"{load_s:.2f}"),
        ("bare spaCy nlp.pipe (s)", f"{bare:.1f}"),
        ("bare spaCy (docs/s)", f"{n / bare:.2f}"),
        ("full pipeline (s)", f"{full:.1f}"),
        ("full pipeline (docs/s)", f"{n / full:.2f}"),
        ("full / bare speed", f"{bare / full:.3f}  (target >= 0.70)"),
        ("extraction overhead per doc (ms)", f"{1000 * (full - bare) / n:.1f}"),
        ("PolNeAR dev size at this speed (s)", f"{414_896 / (nchars / full):.1f}  (target <= 120)"),
        ("quotes / statements / claims", f"{n_quotes:,} / {n_statements:,} / {n_claims:,}"),
        (f"ingest into DuckDB, {ingest['docs']} distinct docs{', parse process' if args.parse_process else ''} "
         "(docs/s)", f"{ingest['ingest docs/s']:.2f}"),
        ("bare spaCy on those docs, ingest's batch size (docs/s)", f"{ingest['bare docs/s']:.2f}"),
        ("ingest / bare speed on those docs", f"{ingest['ratio']:.3f}  (target >= 0.70; chunks "
                                              f"{min(ingest['chunk ratios']):.3f} to {max(ingest['chunk ratios']):.3f})"),
        ("peak RSS (MB)", f"{peak_mb:.0f}  (target <= 2048)"),
    ]
    width = max(len(k) for k, _ in rows)
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  {'-' * 24}")
    for k, v in rows:
        print(f"{k:<{width}}  {v}")


if __name__ == "__main__":
    main()
