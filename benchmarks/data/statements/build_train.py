"""Build ``train.jsonl``, the training articles of the statement set, from the sources in ``train_src/``.

The training articles are written for training a statement typer; they were written after the
dev/test split and are never used for evaluation (docs/annotation-guide.md, "Training articles").
Only two layers are annotated, sentences and statements; ``annotations.layers`` lists them so
that no reader takes a missing layer (quotes, numbers, hedges, headers) for an empty one.

A source file ``train_src/batchNN.txt`` holds the articles of batch NN, in this plain format:

    ## ukraine | 2025-12-04 | The headline
    KYIV - The first sentence of the first paragraph.
    = ukraine REJECT donbas_withdrawal 0
    = ukraine+europe DEMAND truce_sequencing 0 cond @ the clause it covers
    The second sentence of the same paragraph.

    The first sentence of a new paragraph (a blank line separates paragraphs).

A ``## scenario | date | title`` line opens an article. Every other non-blank line is a sentence,
or, when it starts with ``=``, a statement of the sentence above it:
``= ACTORS TYPE ISSUE DIRECTION [hedged] [anon] [cond] [@ clause]``, where ACTORS is ``-`` or
actor ids joined with ``+``, ISSUE and DIRECTION are ``-`` for none, and the optional clause is
text of the sentence that the statement covers. Lines starting with ``#`` (one hash) are comments.
Ids are made from the scenario, the batch and the article's rank in its scenario within the file:
``trn-ua-b1-03``.

    python benchmarks/data/statements/build_train.py           # write train.jsonl
    python benchmarks/data/statements/build_train.py --check   # train.jsonl is the build of the sources

Run from the repository root. Every problem is reported on one line naming the file and line.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "train_src"
OUTPUT = HERE / "train.jsonl"
LAYERS = ["sentences", "statements"]
PREFIX = {"ukraine": "ua", "nuclear": "nu", "trade": "tr", "peace": "pe"}
FLAGS = {"hedged": "hedged", "anon": "anonymous", "cond": "conditional"}
_BATCH_FILE = re.compile(r"batch(\d+)\.txt")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class SourceError(ValueError):
    """A problem in a source file, with the file and line in its message."""


@dataclass
class Sentence:
    text: str
    line: int
    statements: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Draft:
    scenario: str
    date: str
    title: str
    line: int
    paragraphs: list[list[Sentence]] = field(default_factory=lambda: [[]])


def scenario_vocabulary(names: set[str]) -> dict[str, tuple[set[str], dict[str, set[float]]]]:
    """Actor ids and, per issue id, its anchor values, for each named scenario."""
    from accord.evidence.statement_eval import load_scenarios

    out = {}
    for name, sc in load_scenarios(HERE, names).items():
        issues = {i.id: {float(a.value) for a in i.scale.anchors} for i in sc.issues}
        out[name] = ({a.id for a in sc.actors}, issues)
    return out


def parse_file(path: Path) -> list[Draft]:
    """The article drafts of one source file, in order."""
    drafts: list[Draft] = []
    blank = False
    for no, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        where = f"{path.name}:{no}"
        if not line or (line.startswith("#") and not line.startswith("##")):
            blank = blank or not line
            continue
        if line.startswith("##"):
            drafts.append(_header(line[2:], no, where))
        elif not drafts:
            raise SourceError(f"{where}: text before the first '## scenario | date | title' line")
        elif line.startswith("="):
            last = drafts[-1].paragraphs[-1]
            if not last or blank:
                raise SourceError(f"{where}: a statement needs the sentence right above it")
            last[-1].statements.append((no, line[1:].strip()))
        else:
            if blank and drafts[-1].paragraphs[-1]:
                drafts[-1].paragraphs.append([])
            drafts[-1].paragraphs[-1].append(Sentence(line, no))
        blank = False
    return drafts


def _header(rest: str, no: int, where: str) -> Draft:
    parts = [p.strip() for p in rest.split("|")]
    if len(parts) != 3 or not all(parts):
        raise SourceError(f"{where}: expected '## scenario | date | title'")
    scenario, date, title = parts
    if scenario not in PREFIX:
        raise SourceError(f"{where}: unknown scenario {scenario!r} (one of {', '.join(PREFIX)})")
    if not _DATE.fullmatch(date):
        raise SourceError(f"{where}: date {date!r} is not YYYY-MM-DD")
    return Draft(scenario, date, title, no)


def parse_statement(spec: str, sentence: Sentence, vocab: tuple[set[str], dict[str, set[float]]],
                    where: str) -> dict:
    """One statement row (without its sentence offsets) from its source line."""
    from accord.evidence.statements import TYPES

    actors_ids, issues = vocab
    body, _, clause = spec.partition("@")
    words = body.split()
    if len(words) < 4:
        raise SourceError(f"{where}: expected '= ACTORS TYPE ISSUE DIRECTION [flags] [@ clause]'")
    actors_w, etype, issue_w, dir_w, *flags = words
    actors = [] if actors_w == "-" else actors_w.split("+")
    unknown = [a for a in actors if a not in actors_ids] + [f for f in flags if f not in FLAGS]
    if unknown:
        raise SourceError(f"{where}: unknown actor or flag {unknown[0]!r}")
    if len(set(actors)) != len(actors):
        raise SourceError(f"{where}: an actor is listed twice")
    if etype not in TYPES:
        raise SourceError(f"{where}: type {etype!r} is not one of {', '.join(TYPES)}")
    issue = None if issue_w == "-" else issue_w
    if issue is not None and issue not in issues:
        raise SourceError(f"{where}: unknown issue {issue_w!r}")
    direction = _direction(dir_w, issue, issues, where)
    row: dict = {"actors": actors, "type": etype, "issue": issue, "direction": direction}
    row.update({name: key in flags for key, name in FLAGS.items()})
    clause = clause.strip()
    if clause and sentence.text.count(clause) != 1:
        raise SourceError(f"{where}: the clause {clause!r} is not found exactly once in its sentence")
    return {"clause": clause, **row} if clause else row


def _direction(word: str, issue: str | None, issues: dict[str, set[float]], where: str) -> float | None:
    if word == "-":
        return None
    try:
        value = float(word)
    except ValueError:
        raise SourceError(f"{where}: direction {word!r} is not a number or '-'") from None
    if issue is None:
        raise SourceError(f"{where}: a direction needs an issue")
    if not 0 <= value <= 100 or value not in issues[issue]:
        anchors = ", ".join(f"{v:g}" for v in sorted(issues[issue]))
        raise SourceError(f"{where}: direction {word} is not an anchor of {issue} ({anchors})")
    return value


def assemble(draft: Draft, vocab: tuple[set[str], dict[str, set[float]]], name: str) -> tuple[str, list, list]:
    """The text, sentence spans and statement rows of one draft."""
    text, sentences, statements = "", [], []
    for p, paragraph in enumerate(draft.paragraphs):
        for s, sentence in enumerate(paragraph):
            text += ("\n\n" if p and not s else " " if s else "")
            start = len(text)
            text += sentence.text
            sentences.append({"start": start, "end": len(text)})
            for no, spec in sentence.statements:
                row = parse_statement(spec, sentence, vocab, f"{name}:{no}")
                head = {"sentence_start": start, "sentence_end": len(text)}
                clause = row.pop("clause", "")
                if clause:
                    at = start + sentence.text.index(clause)
                    head.update({"clause_start": at, "clause_end": at + len(clause)})
                statements.append({**head, **row})
    return text, sentences, statements


def build(folder: Path = SOURCES) -> list[dict]:
    """Every training article of the source files under ``folder``, in batch and file order."""
    files = sorted((p for p in folder.glob("batch*.txt")), key=lambda p: p.name)
    parsed = []
    for path in files:
        m = _BATCH_FILE.fullmatch(path.name)
        if not m:
            raise SourceError(f"{path.name}: source files are named batchNN.txt")
        parsed.append((path.name, int(m.group(1)), parse_file(path)))
    vocab = scenario_vocabulary({d.scenario for _, _, drafts in parsed for d in drafts})
    articles = []
    for name, batch, drafts in parsed:
        rank: dict[str, int] = {}
        for d in drafts:
            rank[d.scenario] = rank.get(d.scenario, 0) + 1
            text, sentences, statements = assemble(d, vocab[d.scenario], name)
            if not sentences:
                raise SourceError(f"{name}:{d.line}: the article has no sentence")
            articles.append({"id": f"trn-{PREFIX[d.scenario]}-b{batch}-{rank[d.scenario]:02d}",
                             "scenario": d.scenario, "date": d.date, "title": d.title, "batch": batch,
                             "text": text, "annotations": {"layers": LAYERS, "sentences": sentences,
                                                           "statements": statements}})
    return articles


def validate(articles: list[dict]) -> list[str]:
    """Problems with built or committed articles: ids, known actors, issues, types and anchors,
    and sentence spans that tile the text."""
    from accord.evidence.statements import TYPES

    problems = []
    ids = [a["id"] for a in articles]
    problems += [f"id {i} occurs more than once" for i in sorted({i for i in ids if ids.count(i) > 1})]
    vocab = scenario_vocabulary({a["scenario"] for a in articles})
    for a in articles:
        actors, issues = vocab[a["scenario"]]
        ann, text = a["annotations"], a["text"]
        if ann.get("layers") != LAYERS:
            problems.append(f"{a['id']}: annotations.layers must be {LAYERS}")
        spans = [(s["start"], s["end"]) for s in ann["sentences"]]
        problems += [f"{a['id']}: {p}" for p in _tiling_problems(text, spans)]
        for k, st in enumerate(ann["statements"]):
            bad = _statement_problem(st, spans, actors, issues, TYPES)
            if bad:
                problems.append(f"{a['id']}: statements[{k}] {bad}")
    return problems


def _tiling_problems(text: str, spans: list[tuple[int, int]]) -> list[str]:
    out, pos = [], 0
    for s, e in spans:
        gap = text[pos:s]
        if gap not in ("", " ", "\n\n") or (pos == 0 and gap):
            out.append(f"sentence at {s} does not follow the previous one")
        if not text[s:e].strip() or text[s:e] != text[s:e].strip():
            out.append(f"sentence at {s} is empty or has surrounding spaces")
        pos = e
    if pos != len(text):
        out.append("the sentences do not reach the end of the text")
    return out


def _statement_problem(st: dict, spans: list[tuple[int, int]], actors: set[str], issues: dict[str, set[float]],
                       types: tuple[str, ...]) -> str:
    problem = ""
    if (st["sentence_start"], st["sentence_end"]) not in spans:
        problem = "does not cover a whole sentence"
    elif "clause_start" in st and not st["sentence_start"] <= st["clause_start"] < st["clause_end"] <= st["sentence_end"]:
        problem = "has a clause outside its sentence"
    elif not set(st["actors"]) <= actors:
        problem = "names an unknown actor"
    elif st["type"] not in types:
        problem = f"has an unknown type {st['type']!r}"
    elif st["issue"] is not None and st["issue"] not in issues:
        problem = f"has an unknown issue {st['issue']!r}"
    elif st["direction"] is not None and (st["issue"] is None or st["direction"] not in issues[st["issue"]]):
        problem = "has a direction that is not an anchor of its issue"
    elif not all(isinstance(st[k], bool) for k in FLAGS.values()):
        problem = "needs true/false hedged, anonymous and conditional"
    return problem


def render(articles: list[dict]) -> str:
    """The JSON-lines text of the articles."""
    return "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles)


def main(argv: list[str]) -> int:
    if argv not in ([], ["--check"]):
        print("usage: build_train.py [--check]", file=sys.stderr)
        return 2
    try:
        articles = build()
    except SourceError as exc:
        print(f"train_src/{exc}", file=sys.stderr)
        return 2
    problems = validate(articles)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        return 2
    text = render(articles)
    if argv == ["--check"]:
        same = OUTPUT.exists() and OUTPUT.read_text(encoding="utf-8") == text
        print("train.jsonl is up to date" if same else "train.jsonl differs from the build of train_src/")
        return 0 if same else 1
    OUTPUT.write_text(text, encoding="utf-8")
    n = sum(len(a["annotations"]["statements"]) for a in articles)
    print(f"wrote {OUTPUT.name}: {len(articles)} articles, {n} statements")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
