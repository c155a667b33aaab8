"""The exchange model's single form for the model registry: forecasts per group of linked issues."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from accord.errors import ModelError
from accord.models.baselines import weighted_mean
from accord.models.exchange.describe import listed_exchanges
from accord.models.exchange.distributions import exchange_distribution
from accord.models.exchange.inputs import exchange_input, expected_outcomes
from accord.models.exchange.rounds import check_params, run_exchange
from accord.models.issue import IssueData
from accord.models.result import IssueForecast


def exchange_model(
    issues: Sequence[IssueData],
    rounds: int = 10,
    p: float = 0.0,
    repetitions: int = 1,
    seed: int = 0,
    max_listed: int = 100,
    variant: str = "published",
) -> dict[str, IssueForecast]:
    """Equal-gain exchange model over each group of linked issues (same ``IssueData.group``).

    Issues without a group form one group together. A group of a single issue cannot
    trade and gets the compromise model, flagged ``fallback``. With ``p > 0`` and several
    repetitions the forecast is the median over runs, with quantiles in ``details``.
    Realised exchanges (supplier, issue supplied, partner, gain) are listed in
    ``details["exchanges"]`` of the supplied issue, at most ``max_listed`` per issue.
    ``variant="decide"`` executes rounds as decide-exchange-model does. How the model
    works: ``docs/methods/exchange.md``.
    """
    check_params(rounds, p, repetitions)
    groups: dict[object, list[IssueData]] = {}
    for issue in issues:
        groups.setdefault(("group", issue.group) if issue.group is not None else ("none",), []).append(issue)
    params = {"rounds": rounds, "p": p, "repetitions": repetitions, "seed": seed, "variant": variant}
    out: dict[str, IssueForecast] = {}
    for members in groups.values():
        for issue in members:
            if np.any(np.nan_to_num(issue.s, nan=0.0) > 1):
                raise ModelError(f"issue {issue.id}: saliences must lie on [0, 1] for the exchange model")
        if len(members) == 1:
            issue = members[0]
            value, degenerate = weighted_mean(issue.x, np.nan_to_num(issue.s, nan=0.0) * issue.c)
            out[issue.id] = IssueForecast(
                issue.id, "exchange", value, params, {"fallback": True, "degenerate": degenerate},
                {"reason": "no linked issue to exchange with; compromise model used"},
            )
            continue
        cleaned = [m.with_values(s=np.nan_to_num(m.s, nan=0.0)) for m in members]
        inp = exchange_input(cleaned)
        rng = int(seed) if variant == "decide" else np.random.default_rng(seed)
        run = run_exchange(inp, rounds, p, rng, keep_candidates=False, variant=variant)
        dist = exchange_distribution(inp, p, repetitions, seed, rounds) if p > 0 and repetitions > 1 else None
        listed = listed_exchanges(run, max_listed)
        raw = run.raw_predictions()
        _, W = expected_outcomes(inp.x, inp.s, inp.c, inp.present)
        for d, issue in enumerate(members):
            value = float(run.prediction[d]) if dist is None else dist[issue.id].quantiles["q50"]
            details: dict[str, Any] = {
                "group": issue.group,
                "issues_in_group": len(members),
                "path": [float(run.initial_outcome[d])] + [float(r.prediction[d]) for r in run.rounds],
                "n_exchanges": sum(1 for e in run.exchanges() if d in (e.p, e.q)),
                "exchanges": listed.get(d, []),
                "ties": run.ties,
            }
            if issue.id in raw:
                details["raw_value"] = raw[issue.id]
            if dist is not None:
                details["interval"] = dist[issue.id].to_dict()
            flags = {"fallback": False, "degenerate": bool(W[d] <= 0), "randomised": p > 0}
            out[issue.id] = IssueForecast(issue.id, "exchange", value, params, flags, details)
    return out
