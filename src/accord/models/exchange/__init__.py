"""Stokman's equal-gain exchange model of voting positions over linked issues.

After Stokman & Van Oosten (1994), with randomised exchange rates after Dijkstra et al.
(2018). Actors on opposite sides of the expected outcome on two issues trade: each moves
on the issue it cares about less, towards the other, by amounts that give both the same
utility gain. Exchanges are realised in order of gain within a round; the voting
positions then pull the next round's positions. The model, its formulas, the choices
made where the published model leaves them open, and known differences from other
implementations: ``docs/methods/exchange.md``.

Modules, in the order a run uses them:

- :mod:`.inputs`: issues stacked into ``(n_actors, n_issues)`` matrices with a
  ``present`` mask, and the expected outcomes;
- :mod:`.gains`: the equal-gain exchange of candidate pairs, plain and randomised, as
  arrays (all candidates of a round at once);
- :mod:`.candidates`: which pairs may trade on which issue pair, and who supplies what;
- :mod:`.rounds` and :mod:`.results`: realising candidates round by round, and what a
  run produced;
- :mod:`.decide_numbers`, :mod:`.decide_round` and :mod:`.decide_run`: rounds executed as
  decide-exchange-model does, in its decimal arithmetic (``variant="decide"``);
- :mod:`.distributions`: outcome distributions over repeated randomised runs;
- :mod:`.describe`: realised exchanges in words;
- :mod:`.model`: the single form the model registry calls.
"""

from __future__ import annotations

from accord.models.exchange.candidates import Candidates, equal_gain_loop, generate_candidates, initial_candidates
from accord.models.exchange.describe import describe_exchanges
from accord.models.exchange.distributions import OutcomeDistribution, exchange_distribution, exchange_sweep
from accord.models.exchange.gains import EuMax, Shifts, equal_gain, eu_max, perturbed_gain
from accord.models.exchange.inputs import ExchangeInput, exchange_input, expected_outcomes
from accord.models.exchange.model import exchange_model
from accord.models.exchange.results import Exchange, ExchangeRun, RoundResult
from accord.models.exchange.rounds import run_exchange

__all__ = [
    "Candidates",
    "EuMax",
    "Exchange",
    "ExchangeInput",
    "ExchangeRun",
    "OutcomeDistribution",
    "RoundResult",
    "Shifts",
    "describe_exchanges",
    "equal_gain",
    "equal_gain_loop",
    "eu_max",
    "exchange_distribution",
    "exchange_input",
    "exchange_model",
    "exchange_sweep",
    "expected_outcomes",
    "generate_candidates",
    "initial_candidates",
    "perturbed_gain",
    "run_exchange",
]
