"""Running a scenario: the Python entry point for notebooks, tests and the command line."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from sim import schema
from sim.library import load_scenario
from sim.model import NegotiationModel
from sim.recording import RunResult
from sim.scenario import Scenario

DEFAULT_SEED = 2013
DEFAULT_ROUNDS = 40


def simulate(
    scenario: Scenario | str | Path | Mapping,
    *,
    seed: int = DEFAULT_SEED,
    rounds: int = DEFAULT_ROUNDS,
    ministry_every: int = 1,
) -> RunResult:
    """Run ``scenario`` for ``rounds`` rounds from ``seed``; same scenario and seed give identical results.

    ``scenario`` is a :class:`Scenario`, a shipped name, a YAML path or a mapping. ``ministry_every`` records
    ministry-pair confidence every that many rounds (0: never); country-level confidence is recorded every round.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    seed = schema.integer(seed, "seed", 0)
    rounds = schema.integer(rounds, "rounds", 1)
    ministry_every = schema.integer(ministry_every, "record.ministry_every", 0)
    model = NegotiationModel(scenario, rng=seed, ministry_every=ministry_every)
    for _ in range(rounds):
        model.play_round()
    return model.result(seed)
