"""Split the statement set into its dev and test halves, by article, with a fixed seed.

The articles were written in batches; each batch was split as soon as it was written, before any
extractor was tuned on it. Within a batch the articles of one scenario are sorted by id, shuffled
with a generator seeded by ``SEED``, the batch and the scenario, and dealt alternately to dev and
test (dev first). An article's half therefore depends only on its own batch and scenario group:
adding a later batch never moves an earlier article.

    python benchmarks/data/statements/split.py POOL.jsonl   # write dev.jsonl and test.jsonl
    python benchmarks/data/statements/split.py --check      # the committed halves follow the rule

Run from the repository root. The format of an article is in docs/annotation-guide.md.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

SEED = 17
HERE = Path(__file__).resolve().parent
HALVES = ("dev", "test")


def assign(articles: list[dict]) -> dict[str, str]:
    """Article id → "dev" or "test" under the rule above."""
    groups: dict[tuple[int, str], list[str]] = {}
    for a in articles:
        groups.setdefault((int(a["batch"]), a["scenario"]), []).append(a["id"])
    out: dict[str, str] = {}
    for (batch, scenario), ids in sorted(groups.items()):
        ids = sorted(ids)
        random.Random(f"{SEED}:{batch}:{scenario}").shuffle(ids)
        for k, aid in enumerate(ids):
            out[aid] = HALVES[k % 2]
    return out


def read(path: Path) -> list[dict]:
    """The articles of a JSON-lines file (blank lines skipped)."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write(articles: list[dict]) -> dict[str, int]:
    """Write both halves in id order; article counts per half."""
    half = assign(articles)
    counts = {}
    for name in HALVES:
        rows = sorted((a for a in articles if half[a["id"]] == name), key=lambda a: a["id"])
        text = "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in rows)
        (HERE / f"{name}.jsonl").write_text(text, encoding="utf-8")
        counts[name] = len(rows)
    return counts


def check() -> list[str]:
    """Problems with the committed halves: an article in the wrong half, or an id used twice."""
    found = {name: read(HERE / f"{name}.jsonl") for name in HALVES}
    every = [a for rows in found.values() for a in rows]
    ids = [a["id"] for a in every]
    problems = [f"id {i} occurs more than once" for i in sorted({i for i in ids if ids.count(i) > 1})]
    half = assign(every)
    for name, rows in found.items():
        problems += [f"{a['id']} is in {name}.jsonl but the rule puts it in {half[a['id']]}.jsonl"
                     for a in rows if half[a["id"]] != name]
    return problems


def main(argv: list[str]) -> int:
    if argv == ["--check"]:
        problems = check()
        for p in problems:
            print(p)
        print("split ok" if not problems else f"{len(problems)} problem(s)")
        return 1 if problems else 0
    if len(argv) != 1:
        print("usage: split.py POOL.jsonl | --check", file=sys.stderr)
        return 2
    counts = write(read(Path(argv[0])))
    print(", ".join(f"{name}: {n} articles" for name, n in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
