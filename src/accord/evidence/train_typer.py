"""Training and cross-validation of the learned statement typer (docs/methods/statement-typing.md).

    python -m accord.evidence.train_typer                 # train on everything, write the shipped model
    python -m accord.evidence.train_typer --cv 5          # cross-validated figures, nothing written

Training data: the clauses of the statement set's ``dev.jsonl`` and ``train.jsonl`` (when present)
labelled with their gold statement type, and the PLOVER GSR dev records with their event mapped
to accord's types (non-negotiation events are OTHER). The test half is never read. Training is
seeded, so the same data gives the same weights.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from accord.errors import InputError
from accord.evidence.extract.statements import clause_span
from accord.evidence.learned_typer import MODEL_DIR, clause_features, predict, using
from accord.evidence.statements import TYPES, IssueIndex, classify_clause, clause_heads, clause_tokens, untyped_clause

SEED = 17
EPOCHS = 10
BATCH_SIZE = 8
NGRAM_SIZE = 2
HASH_ROWS = 2**15
TRAIN_SPLITS = ("dev", "train")
SPACY_RANGE = ">=3.7.5,<3.9"  # the range accord depends on
PLOVER_FILE = Path("..") / "shared" / "data" / "plover" / "plover-gsr-dev.json"


@dataclass(frozen=True)
class Clause:
    """One training clause: the classifier's input words, the gold type and the group it is folded
    by (its article, or its PLOVER record)."""

    features: tuple[str, ...]
    label: str
    group: str


# -- training data --------------------------------------------------------------------------------
def _typed_clauses(sent) -> list[tuple[Any, list, Any]]:
    """(head, tokens, rule type) of every clause of a sentence, as the statements extractor cuts them."""
    heads = clause_heads(sent)
    out = []
    for head in heads:
        tokens = clause_tokens(sent, head, heads)
        out.append((head, tokens, classify_clause(head, tokens) or untyped_clause(head, tokens)))
    return out


def article_clauses(articles: Sequence[dict], scenarios: dict[str, Any]) -> list[Clause]:
    """A training clause for every gold statement of the articles: the clause of its sentence that
    names its issue, else the one the rules type, else the largest overlap."""
    from accord.evidence.nlp import get_nlp, sentences

    indexes = {name: IssueIndex.from_scenario(sc) for name, sc in scenarios.items()}
    out = []
    for art, doc in zip(articles, get_nlp().pipe([a["text"] for a in articles])):
        clauses = [(c, clause_span(c[1])) for s in sentences(doc) for c in _typed_clauses(s)]
        index = indexes[art["scenario"]]
        for st in art["annotations"].get("statements", []):
            span = (st.get("clause_start") or st["sentence_start"], st.get("clause_end") or st["sentence_end"])
            near = [(c, sp) for c, sp in clauses if min(span[1], sp[1]) > max(span[0], sp[0])]
            if not near:
                continue
            pattern = index.patterns.get(st.get("issue") or "")
            head, tokens, typed = _pick_clause(near, span, lambda sp, p=pattern, text=art["text"]: bool(p and p.search(text, *sp)))
            out.append(Clause(tuple(clause_features(head, tokens, typed)), st["type"], art["id"]))
    return out


def _pick_clause(near: list[tuple[tuple, tuple[int, int]]], span: tuple[int, int], names_issue) -> tuple:
    """The clause of ``near`` a gold statement over ``span`` is about: one naming its issue, then
    one the rules type (not OTHER), then the largest overlap, then the first."""
    def rank(item: tuple) -> tuple:
        (_, _, typed), sp = item
        return (not names_issue(sp), typed.event_type == "OTHER", -(min(span[1], sp[1]) - max(span[0], sp[0])), sp[0])
    return min(near, key=rank)[0]


def plover_clauses(records: Sequence[dict]) -> list[Clause]:
    """A training clause for every PLOVER record: its longest sentence, typed as a whole (the way
    the PLOVER evaluation types it)."""
    from accord.evidence.evaluate import gold_type, record_sentence
    from accord.evidence.nlp import get_nlp

    out = []
    for rec, doc in zip(records, get_nlp().pipe([r["text"] for r in records])):
        sent = record_sentence(doc)
        tokens = list(sent)
        typed = classify_clause(sent.root, tokens) or untyped_clause(sent.root, tokens)
        out.append(Clause(tuple(clause_features(sent.root, tokens, typed, "plover")), gold_type(rec["event"]),
                          str(rec.get("id", len(out)))))
    return out


def read_statement_set(folder: Path, splits: Sequence[str] = TRAIN_SPLITS) -> tuple[list[dict], dict[str, str], dict[str, Any]]:
    """The articles of the named halves that exist under ``folder``, the half of each article id,
    and their scenarios."""
    from accord.evidence.statement_eval import load_scenarios, read_articles

    articles: list[dict] = []
    halves: dict[str, str] = {}
    for split in splits:
        if "test" in split:
            raise InputError("the test half is never used for training", field="--splits")
        path = Path(folder) / f"{split}.jsonl"
        if path.exists():
            read = read_articles(path)
            articles += read
            halves.update((a["id"], split) for a in read)
    if not articles:
        raise InputError("no training articles", file=str(folder))
    return articles, halves, load_scenarios(folder, (a["scenario"] for a in articles))


# -- training -------------------------------------------------------------------------------------
def train(clauses: Sequence[Clause], seed: int = SEED, epochs: int = EPOCHS):
    """A blank English pipeline with an exclusive bag-of-words ``textcat`` trained on ``clauses``
    (seeded: the same clauses give the same weights)."""
    import spacy
    from spacy.tokens import Doc
    from spacy.training import Example
    from spacy.util import fix_random_seed, minibatch

    fix_random_seed(seed)
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe("textcat", config={"model": {
        "@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": True, "ngram_size": NGRAM_SIZE,
        "no_output_layer": False, "length": HASH_ROWS}})
    for label in TYPES:
        textcat.add_label(label)
    examples = [Example.from_dict(Doc(nlp.vocab, words=list(c.features) or ["empty"]),
                                  {"cats": {t: float(t == c.label) for t in TYPES}}) for c in clauses]
    optimizer = nlp.initialize(lambda: examples)
    rng = random.Random(seed)
    order = list(range(len(examples)))
    for _ in range(epochs):
        rng.shuffle(order)
        for batch in minibatch([examples[i] for i in order], size=BATCH_SIZE):
            nlp.update(batch, sgd=optimizer, drop=0.0)
    return nlp


def save(nlp, out: Path) -> None:
    """Write the trained pipeline to ``out`` (a folder ``spacy.load`` reads)."""
    nlp.meta.update(name="accord_statement_typer", version="1.0.0", spacy_version=SPACY_RANGE,
                    description="accord's statement typer (docs/methods/statement-typing.md)")
    nlp.to_disk(out)


# -- cross-validation -----------------------------------------------------------------------------
def folds_of(groups: Sequence[str], k: int, seed: int = SEED) -> list[set[str]]:
    """``k`` disjoint sets of group names (articles or records), dealt round a seeded shuffle."""
    names = sorted(set(groups))
    random.Random(seed).shuffle(names)
    return [set(names[f::k]) for f in range(k)]


def statement_set_cv(articles: list[dict], halves: dict[str, str], scenarios: dict[str, Any], ours: list[Clause],
                     plover: list[Clause], k: int) -> dict[tuple[str, str], Any]:
    """The harness scores of the rules and of the learned typer on each half, keyed by (typer,
    half): every article is scored by a model trained without it (folds by article; the PLOVER
    clauses always train)."""
    from accord.evidence.statement_eval import StatementSetEval, extract, score_article

    out: dict[tuple[str, str], Any] = {}
    for fold in folds_of([a["id"] for a in articles], k):
        held = [a for a in articles if a["id"] in fold]
        model = train([c for c in ours if c.group not in fold] + list(plover))
        for name, typer in (("rules", None), ("learned", model)):
            with using(typer):
                for art, rec in zip(held, extract(held, scenarios)):
                    key = (name, halves[art["id"]])
                    score_article(out.setdefault(key, StatementSetEval(f"{key[1]}, {name}")), art, rec)
    return out


def plover_cv(plover: list[Clause], ours: list[Clause], k: int, seed: int = SEED) -> dict[str, list[Any]]:
    """Per fold of the PLOVER records: the scores of the rules, of the classifier alone and of the
    learned typer (classifier with the rule prior), trained on the other folds and the statement set."""
    from accord.evidence.evaluate import score_types

    out: dict[str, list[Any]] = {"rules": [], "classifier alone": [], "learned (with the rule prior)": []}
    for fold in folds_of([c.group for c in plover], k, seed):
        held = [c for c in plover if c.group in fold]
        model = train([c for c in plover if c.group not in fold] + list(ours))
        gold, features, rules = [c.label for c in held], [list(c.features) for c in held], [_rule_type(c) for c in held]
        out["rules"].append(score_types(gold, rules))
        out["classifier alone"].append(score_types(gold, [label for label, _ in predict(model, features)]))
        out["learned (with the rule prior)"].append(score_types(gold, [label for label, _ in predict(model, features, rules)]))
    return out


def _rule_type(clause: Clause) -> str:
    return next(f[5:].upper() for f in clause.features if f.startswith("rule_"))


# -- command line ---------------------------------------------------------------------------------
def _mean_sd(xs: Sequence[float]) -> str:
    m = sum(xs) / len(xs)
    sd = (sum((x - m) ** 2 for x in xs) / (len(xs) - 1)) ** 0.5 if len(xs) > 1 else 0.0
    return f"{m:.3f} ± {sd:.3f}"


def _print_cv(articles: list[dict], halves: dict[str, str], scenarios: dict[str, Any], ours: list[Clause],
              plover: list[Clause], k: int) -> None:
    from accord.evidence.statement_eval import present_macro_f1

    for ev in statement_set_cv(articles, halves, scenarios, ours, plover, k).values():
        print(f"statement set {ev.split} ({k} folds by article, {ev.articles} articles): "
              f"type accuracy {ev.type_right}/{ev.found} = {ev.type_right / max(ev.found, 1):.3f}")
    for name, evs in plover_cv(plover, ours, k).items():
        print(f"PLOVER {name} ({k} folds by record): accuracy {_mean_sd([e.accuracy for e in evs])}, "
              f"macro-F1 {_mean_sd([e.macro_f1 for e in evs])}, "
              f"macro-F1 over the types present {_mean_sd([present_macro_f1(e) for e in evs])}")


def main(argv: list[str] | None = None) -> int:
    """Train the shipped model, or print cross-validated figures with ``--cv K``."""
    from accord.evidence.evaluate import read_plover
    from accord.evidence.statement_eval import DEFAULT_DIR

    ap = argparse.ArgumentParser(prog="python -m accord.evidence.train_typer", description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DIR, help="the statement set folder")
    ap.add_argument("--plover", type=Path, default=PLOVER_FILE, help="the PLOVER GSR dev records")
    ap.add_argument("--out", type=Path, default=MODEL_DIR, help="where to write the model")
    ap.add_argument("--cv", type=int, default=0, metavar="K", help="print K-fold cross-validated figures instead")
    args = ap.parse_args(argv)
    try:
        articles, halves, scenarios = read_statement_set(args.data)
        plover = plover_clauses(read_plover(args.plover))
    except InputError as exc:
        print(f"error: {exc.format()}", file=sys.stderr)
        return 2
    ours = article_clauses(articles, scenarios)
    if args.cv:
        _print_cv(articles, halves, scenarios, ours, plover, args.cv)
        return 0
    save(train(ours + plover), args.out)
    print(f"trained on {len(ours)} statement-set clauses and {len(plover)} PLOVER records: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
