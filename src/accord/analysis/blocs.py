"""Blocs of actors and the coalitions each issue's forecast rests on.

Distance between two actors
    ``d(a, b) = sqrt(Σ_k w_k (x_ak − x_bk)² / Σ_k w_k) / (hi − lo)`` over the issues both hold a position on,
    with ``w_k = sqrt(s_ak · s_bk)`` so that issues both care about weigh most; 0 = same positions
    everywhere, 1 = opposite ends of every scale. Two actors with no issue in common (or no salience on
    the common ones) are at distance 1.

Blocs
    Average-linkage (UPGMA) hierarchical clustering of these distances (``scipy.cluster.hierarchy``),
    cut at ``threshold`` (default 0.25: one step of a five-point scale): each resulting cluster is a bloc.

Coalition an issue's forecast rests on
    The smallest sets of actors whose removal from the issue moves the model's forecast out of its current
    band (the anchor band holding it): the actors the forecast depends on. An issue where no removal of
    fewer than all actors leaves the band rests on no small coalition. ``docs/methods/levers.md``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

from accord.analysis.levers import IssueForecaster
from accord.analysis.uncertainty import ModelRun, as_model_runs
from accord.models.bdm import with_missing_salience_as_zero
from accord.models.issue import IssueData

#: Default cut of the dendrogram: one step of a five-point (0–4) scale on 0–100.
THRESHOLD = 0.25
#: Largest coalition size searched for.
MAX_COALITION = 3


@dataclass(frozen=True)
class BlocAnalysis:
    """Distances between actors, the average-linkage tree (scipy's linkage matrix) and the blocs at the cut."""

    actors: list[str]
    distance: np.ndarray
    tree: np.ndarray
    threshold: float
    blocs: list[list[str]]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {"actors": self.actors, "distance": self.distance.tolist(), "linkage": self.tree.tolist(),
                "threshold": self.threshold, "blocs": self.blocs}


@dataclass(frozen=True)
class Coalition:
    """The smallest sets of actors whose removal moves one model's forecast of one issue out of its band."""

    issue: str
    model: str
    forecast: float
    band: tuple[float, float]
    sets: list[list[str]] = field(default_factory=list)
    moved_to: list[float] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {"issue": self.issue, "model": self.model, "forecast": self.forecast, "band": list(self.band),
                "sets": self.sets, "moved_to": self.moved_to}


def actor_distances(issues: Sequence[IssueData], actors: Sequence[str]) -> np.ndarray:
    """The salience-weighted distance of every pair of actors (see the module docstring)."""
    n = len(actors)
    index = {a: k for k, a in enumerate(actors)}
    num = np.zeros((n, n))
    den = np.zeros((n, n))
    for issue in issues:
        ids = [index[a] for a in issue.actors]
        x = (issue.x - issue.lo) / (issue.hi - issue.lo)
        s = np.nan_to_num(issue.s, nan=0.0)
        w = np.sqrt(np.outer(s, s))
        num[np.ix_(ids, ids)] += w * (x[:, None] - x[None, :]) ** 2
        den[np.ix_(ids, ids)] += w
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.where(den > 0, np.sqrt(num / np.where(den > 0, den, 1.0)), 1.0)
    np.fill_diagonal(d, 0.0)
    return d


def blocs(issues: Sequence[IssueData], actors: Sequence[str], threshold: float = THRESHOLD) -> BlocAnalysis:
    """Actors grouped by closeness of their positions over the issues (average linkage, cut at ``threshold``)."""
    actors = list(actors)
    d = actor_distances(issues, actors)
    if len(actors) < 2:
        return BlocAnalysis(actors, d, np.zeros((0, 4)), threshold, [actors])
    tree = linkage(squareform(d, checks=False), method="average")
    labels = fcluster(tree, t=threshold, criterion="distance")
    groups: dict[int, list[str]] = {}
    for a, lab in zip(actors, labels):
        groups.setdefault(int(lab), []).append(a)
    return BlocAnalysis(actors, d, tree, threshold, sorted(groups.values(), key=lambda g: (-len(g), actors.index(g[0]))))


def _band(value: float, edges: Sequence[float]) -> tuple[float, float]:
    k = int(np.searchsorted(np.asarray(edges[1:-1], dtype=float), value, side="right"))
    return float(edges[k]), float(edges[k + 1])


def coalition(run: ModelRun, issue: IssueData, edges: Sequence[float] | None = None,
              max_size: int = MAX_COALITION) -> Coalition:
    """The smallest sets of the issue's actors (at most ``max_size``, fewer than all) whose removal moves the
    forecast out of its band; ``edges`` are the band edges (default: five equal bands)."""
    issue = with_missing_salience_as_zero(issue)
    edges = list(edges) if edges else list(np.linspace(issue.lo, issue.hi, 6))
    point = IssueForecaster(run, [issue], 0).point()
    band = _band(point, edges)
    for size in range(1, min(max_size, issue.n - 1) + 1):
        sets, moved = [], []
        for removed in itertools.combinations(range(issue.n), size):
            keep = [i for i in range(issue.n) if i not in removed]
            sub = issue.with_values(actors=tuple(issue.actors[i] for i in keep), uncertainty=None,
                                    x=issue.x[keep], s=issue.s[keep], c=issue.c[keep])
            if not run.covers(sub):
                continue
            value = IssueForecaster(run, [sub], 0).point()
            if not band[0] <= value <= band[1]:
                sets.append([issue.actors[i] for i in removed])
                moved.append(value)
        if sets:
            return Coalition(issue.id, run.name, point, band, sets, moved)
    return Coalition(issue.id, run.name, point, band)


def coalitions(issues: Sequence[IssueData], models: Sequence[str | ModelRun],
               bands: Mapping[str, Sequence[float]] | None = None) -> list[Coalition]:
    """The coalition each one-issue model's forecast of each issue rests on (models that link issues are skipped)."""
    out: list[Coalition] = []
    for run in as_model_runs(models, None) if models else ():
        if run.spec.multi_issue:
            continue
        out += [coalition(run, i, (bands or {}).get(i.id)) for i in issues if run.covers(i)]
    return out
