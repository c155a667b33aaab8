"""Training and cross-validation of the learned statement typer (docs/methods/statement-typing.md).

    python -m accord.evidence.train_typer                 # train on everything, write the shipped model
    python -m accord.evidence.train_typer --cv 5          # cross-validated figures, nothing written
    python -m accord.evidence.train_typer --cv 5 --train-fraction 0.5 --seed 18   # a point of the learning curve

Training data: the clauses of the statement set's ``dev.jsonl`` and ``train.jsonl`` (when present)
labelled with their gold statement type, and the PLOVER GSR dev records with their event mapped
to accord's types (non-negotiation events are OTHER). The test half is never read. Training is a
deterministic L-BFGS fit, so the same data gives the same weights.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from accord.errors import InputError
from accord.evidence.extract.statements import clause_span
from accord.evidence.learned_typer import (
    MODEL_DIR,
    VECTOR_WIDTH,
    TyperModel,
    clause_features,
    clause_vector,
    predict,
    using,
    word_rows,
)
from accord.evidence.statement_eval import gold_span, overlap
from accord.evidence.statements import TYPES, IssueIndex, classify_clause, clause_heads, clause_tokens, untyped_clause

SEED = 17  # the shuffle of the cross-validation folds
L2 = 0.003  # weight decay of the softmax regression (chosen by cross-validation)
VECTOR_WEIGHT = 0.15  # the scale of the standardised clause vector against a word's 1 (chosen by cross-validation)
PLOVER_WEIGHT = 6.0  # the weight of a PLOVER record against one of our clauses (chosen by cross-validation)
MAX_ITERATIONS = 1000
PLOVER_PRIORS = (0.0, 0.05, 0.1, 0.2, 0.3)  # the rule priors the PLOVER cross-validation reports
TRAIN_SPLITS = ("dev", "train")
PLOVER_FILE = Path("..") / "shared" / "data" / "plover" / "plover-gsr-dev.json"


@dataclass(frozen=True)
class Clause:
    """One training clause: the classifier's input words, the gold type, the group it is folded
    by (its article, or its PLOVER record), and the clause's token vectors (:func:`clause_vector`)."""

    features: tuple[str, ...]
    label: str
    group: str
    vector: tuple[float, ...] = ()
    domain: str = "news"


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
            span = gold_span(st)
            near = [(c, sp) for c, sp in clauses if overlap(span, sp)]
            if not near:
                continue
            pattern = index.patterns.get(st.get("issue") or "")
            head, tokens, typed = _pick_clause(near, span, lambda sp, p=pattern, text=art["text"]: bool(p and p.search(text, *sp)),
                                               st.get("clause_start") is not None)
            out.append(Clause(tuple(clause_features(head, tokens, typed)), st["type"], art["id"],
                              _vector(head, tokens)))
    return out


def _pick_clause(near: list[tuple[tuple, tuple[int, int]]], span: tuple[int, int], names_issue,
                 annotated: bool = False) -> tuple:
    """The clause of ``near`` a gold statement over ``span`` is about: one naming its issue, then
    one the rules type (not OTHER), then the largest overlap, then the first; for a statement whose
    clause is ``annotated`` (clause offsets), the largest overlap with it comes first."""
    def rank(item: tuple) -> tuple:
        (_, _, typed), sp = item
        key = (not names_issue(sp), typed.event_type == "OTHER", -overlap(span, sp), sp[0])
        return (key[2], *key) if annotated else key
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
                          str(rec.get("id", len(out))), _vector(sent.root, tokens), "plover"))
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
def sample_weights(clauses: Sequence[Clause]) -> np.ndarray:
    """The weight of each clause in the loss: 1 for ours; ``PLOVER_WEIGHT`` for a PLOVER record,
    shared out so that each type of the records weighs the same (few records per type there)."""
    plover = Counter(c.label for c in clauses if c.domain == "plover")
    n = sum(plover.values())
    return np.array([PLOVER_WEIGHT * n / (len(plover) * plover[c.label]) if c.domain == "plover" else 1.0
                     for c in clauses])


def design(clauses: Sequence[Clause], vocabulary: dict[str, int], mean: np.ndarray, scale: np.ndarray):
    """The sparse input matrix of ``clauses``: one column per known word (1 where the clause has
    it), then the scaled clause vector, then a constant 1."""
    import scipy.sparse as sp

    rows, cols = [], []
    for r, c in enumerate(clauses):
        for k in word_rows(vocabulary, c.features):
            rows.append(r)
            cols.append(k)
    words = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(clauses), len(vocabulary)))
    dense = (np.array([c.vector for c in clauses], dtype=np.float64).reshape(len(clauses), -1) - mean) * scale
    return sp.hstack([words, sp.csr_matrix(dense), np.ones((len(clauses), 1))]).tocsr()


def _vector(head, tokens: list) -> tuple[float, ...]:
    """The clause vector training needs (:func:`clause_vector`); an error when the pipeline has none."""
    vector = clause_vector(head, tokens)
    if vector is None:
        raise InputError(f"the spaCy pipeline gives no token vectors {VECTOR_WIDTH} wide: the typer is trained "
                         "on en-core-web-sm's")
    return tuple(vector)


def train(clauses: Sequence[Clause], l2: float = L2) -> TyperModel:
    """A softmax regression fitted to ``clauses`` by L-BFGS (weighted cross-entropy plus ``l2``
    times half the squared weights, the bias left free): deterministic, the same clauses give the
    same weights."""
    from scipy.optimize import minimize

    vocabulary = {w: i for i, w in enumerate(sorted({w for c in clauses for w in c.features}))}
    vectors = np.array([c.vector for c in clauses], dtype=np.float64).reshape(len(clauses), -1)
    mean = vectors.mean(axis=0)
    std = vectors.std(axis=0)
    scale = np.where(std > 1e-6, VECTOR_WEIGHT / (std + 1e-6), 0.0)  # a constant dimension weighs nothing
    x = design(clauses, vocabulary, mean, scale)
    gold = np.array([TYPES.index(c.label) for c in clauses])
    onehot = np.eye(len(TYPES))[gold]
    w = sample_weights(clauses)
    w /= w.sum()
    shape = (x.shape[1], len(TYPES))

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        weights = theta.reshape(shape)
        z = x @ weights
        z -= z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        grad = np.asarray(x.T @ ((np.exp(logp) - onehot) * w[:, None]))
        grad[:-1] += l2 * weights[:-1]
        value = -(w * logp[np.arange(len(gold)), gold]).sum() + l2 / 2 * (weights[:-1] ** 2).sum()
        return float(value), grad.ravel()

    fit = minimize(loss, np.zeros(shape[0] * shape[1]), jac=True, method="L-BFGS-B",
                   options={"maxiter": MAX_ITERATIONS})
    if not fit.success:
        print(f"warning: the fit stopped before converging ({fit.message})", file=sys.stderr)
    weights = fit.x.reshape(shape).astype(np.float32).astype(np.float64)  # as shipped
    return TyperModel(vocabulary, mean, scale, weights)


# -- cross-validation -----------------------------------------------------------------------------
def folds_of(groups: Sequence[str], k: int, seed: int = SEED) -> list[set[str]]:
    """``k`` disjoint sets of group names (articles or records), dealt round a seeded shuffle."""
    names = sorted(set(groups))
    random.Random(seed).shuffle(names)
    return [set(names[f::k]) for f in range(k)]


def training_subset(names: Sequence[str], fraction: float, seed: int = SEED) -> set[str]:
    """The first ``fraction`` (rounded up) of ``names`` in a seeded shuffle: the training articles a
    point of the learning curve keeps. The shuffle does not depend on the fraction, so a smaller
    fraction's articles are among a larger one's."""
    if not 0 < fraction <= 1:
        raise ValueError(f"the training fraction must be in (0, 1], got {fraction}")
    ordered = sorted(set(names))
    random.Random(1000 + seed).shuffle(ordered)
    return set(ordered[:math.ceil(fraction * len(ordered))])


def scored_articles(articles: list[dict], halves: dict[str, str], always: frozenset[int]) -> list[dict]:
    """The articles cross-validation holds out and scores: all but the training articles of the
    batches in ``always`` (a dev article of the same batch number is scored)."""
    return [a for a in articles if not (halves[a["id"]] == "train" and a.get("batch") in always)]


def statement_set_cv(articles: list[dict], halves: dict[str, str], scenarios: dict[str, Any], ours: list[Clause],
                     plover: list[Clause], k: int, always: frozenset[int] = frozenset(), seed: int = SEED,
                     fraction: float = 1.0) -> dict[tuple[str, str, str], Any]:
    """The harness scores of the rules and of the learned typer on each half, under each statement
    matching of the harness, keyed by (typer, half, matching): every article is scored by a model
    trained without it (folds by article; the PLOVER clauses always train). The training articles of
    the batches in ``always`` are never held out nor scored: they train every fold's model, so that
    new training data is judged on the articles that were there before it. With ``fraction`` below 1,
    each fold's model trains on that share of its training articles (:func:`training_subset`; the
    PLOVER clauses and the batches in ``always`` all train): a point of the learning curve."""
    from accord.evidence.statement_eval import MATCHINGS, StatementSetEval, extract, score_article

    articles = scored_articles(articles, halves, always)
    scored = {a["id"] for a in articles}
    out: dict[tuple[str, str, str], Any] = {}
    for fold in folds_of([a["id"] for a in articles], k, seed):
        held = [a for a in articles if a["id"] in fold]
        keep = training_subset(sorted(scored - fold), fraction, seed) | {c.group for c in ours if c.group not in scored}
        model = train([c for c in ours if c.group in keep] + list(plover))
        for name, typer in (("rules", None), ("learned", model)):
            with using(typer):
                for art, rec in zip(held, extract(held, scenarios)):
                    for matching in MATCHINGS:
                        key = (name, halves[art["id"]], matching)
                        ev = out.setdefault(key, StatementSetEval(", ".join(key[1:]) + f", {name}", matching=matching))
                        score_article(ev, art, rec)
    return out


def plover_cv(plover: list[Clause], ours: list[Clause], k: int, seed: int = SEED) -> dict[str, tuple[list[Any], Any]]:
    """The PLOVER scores of the rules and of the learned typer with each rule prior of
    ``PLOVER_PRIORS`` (0: the classifier alone), each record typed by a model trained on the other
    folds and the statement set: per fold, and pooled (every record scored once, by its fold's model)."""
    from accord.evidence.evaluate import score_types

    names = ["rules", *(f"learned, rule prior {p:g}" for p in PLOVER_PRIORS)]
    folds: dict[str, list[Any]] = {n: [] for n in names}
    pooled: dict[str, tuple[list[str], list[str]]] = {n: ([], []) for n in names}
    for fold in folds_of([c.group for c in plover], k, seed):
        held = [c for c in plover if c.group in fold]
        model = train([c for c in plover if c.group not in fold] + list(ours))
        gold, rules = [c.label for c in held], [_rule_type(c) for c in held]
        typed = {"rules": rules}
        for p, name in zip(PLOVER_PRIORS, names[1:]):
            typed[name] = [label for label, _ in predict(model, [c.features for c in held], [c.vector for c in held],
                                                          rules, prior=p)]
        for name, pred in typed.items():
            folds[name].append(score_types(gold, pred))
            pooled[name][0].extend(gold)
            pooled[name][1].extend(pred)
    return {n: (folds[n], score_types(*pooled[n])) for n in names}


def _rule_type(clause: Clause) -> str:
    return next(f[5:].upper() for f in clause.features if f.startswith("rule_"))


# -- command line ---------------------------------------------------------------------------------
def _mean_sd(xs: Sequence[float]) -> str:
    m = sum(xs) / len(xs)
    sd = (sum((x - m) ** 2 for x in xs) / (len(xs) - 1)) ** 0.5 if len(xs) > 1 else 0.0
    return f"{m:.3f} ± {sd:.3f}"


_STATEMENT_ROWS = ("gold statements found", "statement type", "issue found", "direction")


def _print_cv(articles: list[dict], halves: dict[str, str], scenarios: dict[str, Any], ours: list[Clause],
              plover: list[Clause], k: int, always: frozenset[int] = frozenset(), seed: int = SEED,
              fraction: float = 1.0) -> None:
    from accord.evidence.learned_typer import RULE_PRIOR
    from accord.evidence.statement_eval import present_macro_f1, text_table

    for ev in statement_set_cv(articles, halves, scenarios, ours, plover, k, always, seed, fraction).values():
        print(f"statement set {ev.split} ({k} folds by article, {ev.articles} articles): "
              f"type accuracy {ev.type_right}/{ev.found} = {ev.type_right / max(ev.found, 1):.3f}")
        print(text_table([r for r in ev.rows() if r["measure"].startswith(_STATEMENT_ROWS)]))
    shipped = f"learned, rule prior {RULE_PRIOR:g}"
    for name, (evs, pooled) in plover_cv(plover, ours, k, seed).items():
        print(f"PLOVER {name} ({k} folds by record): accuracy {_mean_sd([e.accuracy for e in evs])}, "
              f"macro-F1 {_mean_sd([e.macro_f1 for e in evs])}, "
              f"macro-F1 over the types present {_mean_sd([present_macro_f1(e) for e in evs])}; "
              f"pooled over the folds: accuracy {pooled.accuracy:.3f}, macro-F1 {pooled.macro_f1:.3f}")
        if name == shipped:
            print("  per fold (accuracy, macro-F1): "
                  + "; ".join(f"{e.accuracy:.3f}, {e.macro_f1:.3f}" for e in evs))
            print(f"PLOVER {name}, pooled, per type:")
            print(text_table(pooled.rows()))
            print(f"PLOVER {name}, pooled confusion (rows gold, columns predicted):")
            print(text_table(pooled.confusion_rows()))


def main(argv: list[str] | None = None) -> int:
    """Train the shipped model, or print cross-validated figures with ``--cv K``."""
    from accord.evidence.evaluate import read_plover
    from accord.evidence.statement_eval import DEFAULT_DIR

    ap = argparse.ArgumentParser(prog="python -m accord.evidence.train_typer", description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DIR, help="the statement set folder")
    ap.add_argument("--plover", type=Path, default=PLOVER_FILE, help="the PLOVER GSR dev records")
    ap.add_argument("--out", type=Path, default=MODEL_DIR, help="where to write the model")
    ap.add_argument("--cv", type=int, default=None, metavar="K", help="print K-fold cross-validated figures instead")
    ap.add_argument("--always-train", type=int, action="append", default=[], metavar="BATCH",
                    help="with --cv: the training articles of this batch train every fold and are not scored")
    ap.add_argument("--seed", type=int, default=SEED, help="with --cv: the shuffle of the folds")
    ap.add_argument("--train-fraction", type=float, default=1.0, metavar="F",
                    help="with --cv: each fold trains on this share of its training articles (the learning curve)")
    args = ap.parse_args(argv)
    if not 0 < args.train_fraction <= 1:
        print(f"error: --train-fraction: must be in (0, 1], got {args.train_fraction:g}", file=sys.stderr)
        return 2
    try:
        articles, halves, scenarios = read_statement_set(args.data)
        records = read_plover(args.plover)
    except InputError as exc:
        print(f"error: {exc.format()}", file=sys.stderr)
        return 2
    most = min(len(articles), len(records))
    if args.cv is not None and not 2 <= args.cv <= most:
        print(f"error: --cv: the number of folds must be between 2 and {most}, got {args.cv}", file=sys.stderr)
        return 2
    try:
        plover = plover_clauses(records)
        ours = article_clauses(articles, scenarios)
    except InputError as exc:
        print(f"error: {exc.format()}", file=sys.stderr)
        return 2
    if args.cv is not None:
        _print_cv(articles, halves, scenarios, ours, plover, args.cv, frozenset(args.always_train), args.seed,
                  args.train_fraction)
        return 0
    train(ours + plover).save(args.out)
    print(f"trained on {len(ours)} statement-set clauses and {len(plover)} PLOVER records: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
