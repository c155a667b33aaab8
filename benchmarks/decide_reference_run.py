"""Run decide-exchange-model (the reference of the exchange model) through its Python API.

Run with the Python of a separate virtual environment that has ``decide-exchange-model``
installed (its command line crashes; its Python API works); it is never a dependency of
accord. Prints JSON: per round the issue outcomes on the voting positions, the realised
exchanges (actor keys, issues, gain, voting positions), the ties met and the wall time.

    VENV/bin/python benchmarks/decide_reference_run.py FILE ROUNDS [SEED]
"""

from __future__ import annotations

import json
import random
import sys
import time

from decide.data.modelfactory import ModelFactory
from decide.data.reader import InputDataFile
from decide.model.equalgain import EqualGainModel
from decide.model.utils import ModelLoop


class Recorder:
    """Receives the model loop's events; keeps the round outcomes and the realised exchanges."""

    def __init__(self, model) -> None:
        self.model = model
        self.rounds: list[dict[str, float]] = []
        self.exchanges: list[list[tuple]] = []

    def after_loop(self, realized, iteration, repetition) -> None:
        self.exchanges.append([
            (e.i.actor.actor_id, e.j.actor.actor_id, e.p.name, e.q.name, float(e.gain), float(e.i.y), float(e.j.y)) for e in realized
        ])

    def end_loop(self, iteration, repetition) -> None:
        self.rounds.append({issue.name: float(v) for issue, v in self.model.nbs.items()})

    def __getattr__(self, name):  # every other event is ignored
        return lambda *args, **kwargs: None


def main(path: str, rounds: int, seed: int) -> None:
    random.seed(seed)  # the reference breaks ties with the random module
    t0 = time.perf_counter()
    model = ModelFactory(InputDataFile.open(path))(model_klass=EqualGainModel, randomized_value=None)
    recorder = Recorder(model)
    loop = ModelLoop(model, recorder, 0)
    for _ in range(rounds):
        loop.loop()
    print(json.dumps({"rounds": recorder.rounds, "exchanges": recorder.exchanges, "ties": model.tie_count,
                      "seconds": time.perf_counter() - t0}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 0)
