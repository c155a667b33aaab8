"""Code of the Ukraine case: the rules that turn the models' forecasts into probabilities of observed events.

Each rule is stated in :data:`EVENT_RULES` and read by the generic backtest
(:mod:`accord.analysis.backtest`); the case's dates live in ``case.yaml``.

* a **deal** needs a point within one anchor step (the tolerance, 25 on the 0–100 scale)
  of both belligerents' positions on every core issue (territory and security): the share
  of draws where the forecast of every core issue lies within the tolerance of both drawn
  positions;
* a **general ceasefire** needs the truce-sequencing forecast in the "ceasefire first" or
  "unconditional partial truces" bands and within the tolerance of Russia's drawn position;
  the resolved Polymarket ceasefire questions are scored with the same rule;
* **elections**, a **referendum** and **unfrozen assets** follow only a deal: the share of
  draws with a deal and the issue's forecast in the band that the event needs;
* **prisoner exchanges continue** when the prisoner-exchange forecast lies in the
  "all for all" or "batch swaps" bands.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from accord.analysis.backtest import Draws, EventRule, EventRules

CORE_ISSUES = ("donbas_withdrawal", "recognition", "nato", "security_guarantees")
BELLIGERENTS = ("ukraine", "russia")
ONE_ANCHOR_STEP = 25.0


def deal(d: Draws, model: str) -> float:
    """Share of draws in which every core issue lands within one step of both belligerents."""
    return float(d.all_near(CORE_ISSUES, model, BELLIGERENTS).mean())


def _deal_and(issue: str, lo: float, hi: float) -> Callable[[Draws, str], float]:
    def prob(d: Draws, model: str) -> float:
        agreed = d.all_near(CORE_ISSUES, model, BELLIGERENTS)
        band = d.band(issue, model, lo, hi)
        return float((agreed & band).mean() if band is not None else agreed.mean())

    return prob


def ceasefire(d: Draws, model: str) -> float:
    """Share of draws with the truce forecast at most 37.5 and within one step of Russia's drawn position."""
    f = d.forecast("truce_sequencing", model)
    russia = d.position("truce_sequencing", "russia")
    if f is None or russia is None:
        return float("nan")
    return float(((f <= 37.5) & (np.abs(f - russia) <= d.tolerance)).mean())


def _assets_frozen(d: Draws, model: str) -> float:
    band = d.band("frozen_assets", model, 62.5, 100)
    agreed = d.all_near(CORE_ISSUES, model, BELLIGERENTS)
    return float(1 - (agreed & band).mean()) if band is not None else float(1 - agreed.mean())


def _exchanges(d: Draws, model: str) -> float:
    band = d.band("prisoner_exchange", model, 0, 62.5)
    return float(band.mean()) if band is not None else float("nan")


CEASEFIRE_RULE = "truce forecast ≤ 37.5 (ceasefire first / unconditional truces) and within one step of Russia"

EVENT_RULES = EventRules(
    events=(
        EventRule("comprehensive_agreement", "Comprehensive peace agreement signed",
                  "forecast within one step of both Ukraine and Russia on every core issue", deal),
        EventRule("general_ceasefire_30d", "General ceasefire of 30+ days", CEASEFIRE_RULE, ceasefire),
        EventRule("ceasefire_before_2026_05_01", "Ceasefire agreement before 2026-05-01",
                  "same rule as the general ceasefire (the models carry no time horizon)", ceasefire),
        EventRule("elections_held", "Ukrainian national elections held",
                  "a deal and the elections forecast ≥ 62.5 (elections soon after signing)", _deal_and("elections", 62.5, 100)),
        EventRule("referendum_held", "Referendum on a deal held",
                  "a deal and the referendum forecast ≤ 37.5 (the deal goes to a vote)", _deal_and("referendum", 0, 37.5)),
        EventRule("assets_still_frozen", "Russian assets still immobilised",
                  "not (a deal and the frozen-assets forecast ≥ 62.5, assets returned or unfrozen)", _assets_frozen),
        EventRule("prisoner_exchanges_continued", "Prisoner exchanges continued",
                  "prisoner-exchange forecast ≤ 62.5 (all for all or batch swaps)", _exchanges),
    ),
    tolerance=ONE_ANCHOR_STEP,
    market_rule=EventRule("polymarket", "Resolved Polymarket ceasefire question", "same rule as the general ceasefire", ceasefire),
)
