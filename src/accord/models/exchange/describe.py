"""Realised exchanges in words and as listed rows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from accord.models.exchange.results import Exchange, ExchangeRun


def describe_exchanges(
    run: ExchangeRun,
    actor_names: Mapping[str, str] | None = None,
    issue_titles: Mapping[str, str] | None = None,
    round_index: int | None = None,
) -> list[str]:
    """One sentence per realised exchange (all rounds, or one), e.g.

    "Ukraine moves on NATO towards the United States; the United States moves on security
    guarantees towards Ukraine (gain 1.23 each)".
    """
    names = actor_names or {}
    titles = issue_titles or {}
    out = []
    for e in run.exchanges():
        if round_index is not None and e.round != round_index:
            continue
        out.append(sentence(e, run, names, titles))
    return out


def sentence(e: Exchange, run: ExchangeRun, names: Mapping[str, str], titles: Mapping[str, str]) -> str:
    aj, ai = run.actors[e.j], run.actors[e.i]
    nj, ni = names.get(aj, aj), names.get(ai, ai)
    tp = titles.get(run.issues[e.p], run.issues[e.p])
    tq = titles.get(run.issues[e.q], run.issues[e.q])
    if abs(e.gain_i - e.gain_j) <= 1e-9 * max(1.0, abs(e.gain)):
        gain = f"gain {e.gain:.2f} each"
    else:
        gain = f"gains {e.gain_j:.2f} for {nj} and {e.gain_i:.2f} for {ni}"
    text = f"{nj} moves on {tp} towards {ni}; {ni} moves on {tq} towards {nj} ({gain})"
    return text[:1].upper() + text[1:]


def listed_exchanges(run: ExchangeRun, limit: int) -> dict[int, list[dict[str, Any]]]:
    titles = dict(zip(run.issues, run.input.titles or run.issues))
    listed: dict[int, list[dict[str, Any]]] = {}
    for e in run.exchanges():
        text = sentence(e, run, {}, titles)
        for supplier, partner, supplied, demanded, gain, frm, to in (
            (e.j, e.i, e.p, e.q, e.gain_j, e.x_jp, e.y_j),
            (e.i, e.j, e.q, e.p, e.gain_i, e.x_iq, e.y_i),
        ):
            rows = listed.setdefault(supplied, [])
            if len(rows) < limit:
                rows.append({
                    "text": text,
                    "round": e.round + 1,
                    "supplier": run.actors[supplier],
                    "issue_supplied": run.issues[supplied],
                    "partner": run.actors[partner],
                    "issue_demanded": run.issues[demanded],
                    "gain": gain,
                    "from": frm,
                    "to": to,
                })
    return listed
