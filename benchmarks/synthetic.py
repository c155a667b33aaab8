"""Synthetic inputs for scale tests: large scenarios and news corpora made from templates.

Everything here is seeded and streams: article ``k`` of a corpus depends only on the seed and
``k``, so a corpus of any size is written without holding it in memory, and the first 5,000
articles of the 50,000 corpus are the 5,000 corpus.

Run ``python benchmarks/synthetic.py scenario OUT.yaml`` or ``... corpus DIR --articles N``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from accord.scenario.model import Actor, Anchor, Issue, Position, Scale, Scenario

DEFAULT_SEED = 20251123
ARTICLES_PER_FOLDER = 1000


# -- scenarios ---------------------------------------------------------------------------


def synthetic_scenario(
    n_actors: int = 200,
    n_issues: int = 100,
    seed: int = DEFAULT_SEED,
    participation: float = 1.0,
    date: dt.date = dt.date(2025, 1, 1),
) -> Scenario:
    """A scenario of ``n_actors`` × ``n_issues`` with random positions, saliences and capabilities.

    ``participation`` is the share of actors holding a position on each issue (at least two do).
    Positions are spread across 0–100 with a few blocs so that models disagree; every issue
    has a five-point scale and a status quo.
    """
    if n_actors < 2 or n_issues < 1:
        raise ValueError("a synthetic scenario needs at least 2 actors and 1 issue")
    rng = np.random.default_rng(seed)
    actors = [
        Actor(id=f"a{k:03d}", name=f"Actor {k}", capability=float(np.round(rng.lognormal(3.0, 0.8), 3)))
        for k in range(n_actors)
    ]
    anchors = [Anchor(value=v, label=lab) for v, lab in zip((0, 25, 50, 75, 100), "ABCDE")]
    issues = [
        Issue(
            id=f"i{j:03d}",
            title=f"Issue {j}",
            scale=Scale(anchors=anchors),
            status_quo=float(np.round(rng.uniform(0, 100), 1)),
        )
        for j in range(n_issues)
    ]
    positions: list[Position] = []
    bloc_of = rng.integers(0, 4, size=n_actors)
    for issue in issues:
        centres = rng.uniform(0, 100, size=4)
        takes_part = rng.random(n_actors) < participation
        if takes_part.sum() < 2:
            takes_part[:2] = True
        for k, actor in enumerate(actors):
            if not takes_part[k]:
                continue
            x = float(np.clip(np.round(rng.normal(centres[bloc_of[k]], 12.0), 2), 0, 100))
            s = float(np.round(rng.uniform(0.05, 1.0), 3))
            positions.append(Position(actor=actor.id, issue=issue.id, position=x, salience=s, date=date))
    return Scenario(
        id=f"synthetic-{n_actors}x{n_issues}",
        title=f"Synthetic scenario, {n_actors} actors × {n_issues} issues (seed {seed})",
        actors=actors,
        issues=issues,
        positions=positions,
    )


# -- corpora -----------------------------------------------------------------------------

# Names and issue phrases of the bundled Ukraine case (public facts), used to fill templates.
SPEAKERS: dict[str, Sequence[str]] = {
    "ukraine": ("Volodymyr Zelensky", "Ukrainian President Volodymyr Zelensky", "Andrii Sybiha", "Rustem Umerov",
                "Kyiv", "Ukrainian officials"),
    "russia": ("Vladimir Putin", "Russian President Vladimir Putin", "Dmitry Peskov", "Sergei Lavrov",
               "the Kremlin", "Yuri Ushakov"),
    "united_states": ("Donald Trump", "US President Donald Trump", "Marco Rubio", "Steve Witkoff",
                      "Washington", "US officials"),
    "europe": ("Emmanuel Macron", "Friedrich Merz", "Keir Starmer", "Kaja Kallas", "Ursula von der Leyen",
               "European leaders"),
}
COUNTRY = {"ukraine": "Ukraine", "russia": "Russia", "united_states": "the United States", "europe": "Europe"}

ISSUES: dict[str, Sequence[str]] = {
    "donbas_withdrawal": ("a withdrawal from the Donbas", "Ukrainian troops leaving Donetsk",
                          "territorial concessions in the Donbas"),
    "recognition": ("recognition of Crimea as Russian territory", "de jure recognition of the annexation"),
    "southern_line": ("freezing the front line in Kherson and Zaporizhzhia", "the current contact line"),
    "buffer_zone": ("a demilitarised buffer zone", "a monitored demilitarized zone"),
    "nato": ("Ukraine's NATO membership", "neutral status for Ukraine", "a pledge against NATO enlargement"),
    "army_cap": ("a cap on Ukraine's armed forces", "a ceiling of 600,000 troops on the army"),
    "foreign_troops": ("a European reassurance force", "foreign troops stationed in Ukraine"),
    "security_guarantees": ("legally binding security guarantees", "Article 5-like guarantees"),
    "frozen_assets": ("using frozen Russian assets", "a reparations loan from immobilised assets"),
    "sanctions_relief": ("lifting sanctions on Russia", "Russia's return to the G8"),
    "elections": ("early elections in Ukraine", "a presidential election after martial law"),
    "amnesty": ("a full amnesty for war crimes", "a waiver of claims"),
    "language_church": ("the status of the Russian language", "the Ukrainian Orthodox Church"),
    "zaporizhzhia_npp": ("control of the Zaporizhzhia nuclear plant", "IAEA monitoring at the nuclear plant"),
    "truce_sequencing": ("a 30-day ceasefire", "an energy truce", "a ceasefire before talks"),
    "prisoner_exchange": ("an all-for-all prisoner exchange", "the return of deported children"),
    "referendum": ("a referendum on the deal", "ratification by the Verkhovna Rada"),
}
CITIES = ("Kyiv", "Moscow", "Washington", "Brussels", "Geneva", "Istanbul", "Berlin", "Riyadh", "London", "Paris")
OUTLETS = ("synthetic wire", "example daily", "test gazette", "model news", "sample press")

# Sentence templates: {s} speaker, {t} another actor, {i}/{j} issue phrases, {n} a number, {c} a city.
TEMPLATES: Sequence[str] = (
    '"We will never accept {i}," {s} said on {d}.',
    '{s} said {t} must agree to {i} before any deal.',
    '{s} rejected {i}, calling the idea "unacceptable".',
    '{s} welcomed {i} and said talks in {c} had been "constructive".',
    '{s} demanded {i} as a condition for {j}.',
    '{s} proposed {i} in a {n}-point plan presented in {c}.',
    'According to {s}, {t} is ready to discuss {i}.',
    '{s} warned that without {i} there would be no {j}.',
    '"{I} is the only way forward," {s} told reporters in {c}.',
    '{s} and {t} held talks in {c} on {i} and {j}.',
    '{s} insisted that {i} was off the table, officials said.',
    '{s} signalled that {t} could accept {i} if {j} was guaranteed.',
    'Officials in {c} said {n} delegates discussed {i}.',
    '{s} criticised {t} for blocking {i}.',
    '"There can be no {j} without {i}," {s} said in a statement.',
    '{s} agreed to {i} but refused {j}.',
    '{s} called on {t} to accept {i} within {n} days.',
    'The plan, backed by {s}, would provide for {i} and {j}.',
)
CLOSERS: Sequence[str] = (
    "Talks are expected to resume in {c} next week.",
    "Neither side gave a date for the next round.",
    "The statement did not mention {j}.",
    "Analysts said the gap between the parties remained wide.",
)


@dataclass(frozen=True)
class SyntheticArticle:
    """One generated article: its relative file name and full text (header lines, then body)."""

    name: str
    text: str


def _pick_actors(rng: random.Random) -> tuple[str, str]:
    a, b = rng.sample(sorted(SPEAKERS), 2)
    return a, b


def synthetic_article(k: int, seed: int = DEFAULT_SEED) -> SyntheticArticle:
    """Article number ``k`` of the corpus with this seed (independent of every other article)."""
    rng = random.Random(f"{seed}:{k}")
    day = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(365))
    issue_ids = sorted(ISSUES)
    focus = rng.sample(issue_ids, 2)
    city = rng.choice(CITIES)
    paragraphs: list[str] = []
    lead_a, lead_b = _pick_actors(rng)
    lede = (
        f"{city.upper()}, {day:%B} {day.day} ({rng.choice(OUTLETS)}) - "
        f"{rng.choice(SPEAKERS[lead_a])} and {COUNTRY[lead_b]} remained at odds over "
        f"{rng.choice(ISSUES[focus[0]])}, report no. {k}."
    )
    paragraphs.append(lede)
    for _ in range(rng.randint(4, 8)):
        a, b = _pick_actors(rng)
        i_id = rng.choice(focus) if rng.random() < 0.7 else rng.choice(issue_ids)
        j_id = rng.choice([x for x in issue_ids if x != i_id])
        i_text = rng.choice(ISSUES[i_id])
        sentence = rng.choice(TEMPLATES).format(
            s=rng.choice(SPEAKERS[a]),
            t=COUNTRY[b],
            i=i_text,
            I=i_text[0].upper() + i_text[1:],
            j=rng.choice(ISSUES[j_id]),
            n=rng.randint(2, 90),
            c=rng.choice(CITIES),
            d=f"{day:%A}",
        )
        paragraphs.append(sentence[0].upper() + sentence[1:])
    paragraphs.append(rng.choice(CLOSERS).format(c=rng.choice(CITIES), j=rng.choice(ISSUES[focus[1]])))
    title = f"{COUNTRY[lead_a].removeprefix('the ').capitalize()} and {COUNTRY[lead_b].removeprefix('the ')} " \
            f"at odds over {rng.choice(ISSUES[focus[0]])}"
    header = (
        f"Title: {title}\n"
        f"Date: {day.isoformat()}\n"
        f"Outlet: {rng.choice(OUTLETS)}\n"
        f"Source: https://example.org/synthetic/{seed}/{k}\n\n"
    )
    folder = k // ARTICLES_PER_FOLDER
    return SyntheticArticle(name=f"{folder:04d}/{day.isoformat()}_synthetic-{k:06d}.txt",
                            text=header + "\n\n".join(paragraphs) + "\n")


def iter_articles(n: int, seed: int = DEFAULT_SEED, start: int = 0) -> Iterator[SyntheticArticle]:
    """Articles ``start`` … ``start + n - 1``, generated one at a time."""
    for k in range(start, start + n):
        yield synthetic_article(k, seed)


def write_corpus(directory: str | Path, n: int, seed: int = DEFAULT_SEED) -> int:
    """Write ``n`` articles as text files under ``directory`` (1,000 per sub-folder); return the count.

    Files already present with the same content are left alone, so a larger corpus can be
    grown from a smaller one with the same seed.
    """
    root = Path(directory)
    written = 0
    for art in iter_articles(n, seed):
        path = root / art.name
        data = art.text.encode("utf-8")
        if not (path.is_file() and path.stat().st_size == len(data)):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        written += 1
    return written


def iter_corpus_files(directory: str | Path) -> Iterator[Path]:
    """The corpus's text files in a stable order, streamed folder by folder."""
    root = Path(directory)
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        yield from sorted(folder.glob("*.txt"))


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write a synthetic scenario (YAML) or corpus (text files)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    sc = sub.add_parser("scenario", help="write a synthetic scenario as YAML")
    sc.add_argument("out", type=Path)
    sc.add_argument("--actors", type=int, default=200)
    sc.add_argument("--issues", type=int, default=100)
    sc.add_argument("--seed", type=int, default=DEFAULT_SEED)
    co = sub.add_parser("corpus", help="write a synthetic corpus of text articles")
    co.add_argument("out", type=Path)
    co.add_argument("--articles", type=int, default=50_000)
    co.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    if args.what == "scenario":
        import yaml

        scen = synthetic_scenario(args.actors, args.issues, args.seed)
        data = scen.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        args.out.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        print(f"wrote {args.out}: {len(scen.actors)} actors, {len(scen.issues)} issues, "
              f"{len(scen.positions)} positions")
    else:
        n = write_corpus(args.out, args.articles, args.seed)
        print(f"wrote {n} articles under {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
