"""Running a scenario from Python: one run, or an ensemble of replicates in one vectorised batch."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np

from sim.model import schema
from sim.model.engine.engine import Engine
from sim.model.errors import ScenarioError
from sim.model.plan.compiled import plan_for
from sim.model.record.result import RunResult
from sim.model.scenario.specs import ScenarioSpec

DEFAULT_SEED = 2013  # a run's seed when none is given (conf/config.yaml says the same; a test keeps them equal)
DEFAULT_ROUNDS = 40
ENGINES = ("arrays", "agents")  # simulate's engines: the vectorised engine, the Mesa agent model

ScenarioLike = ScenarioSpec | Mapping


def _scenario(scenario: ScenarioLike) -> ScenarioSpec:
    """A checked scenario from a :class:`ScenarioSpec` or a mapping as written (names, files: ``sim.load_scenario``)."""
    if isinstance(scenario, ScenarioSpec):
        return scenario
    if isinstance(scenario, Mapping):
        return ScenarioSpec.from_dict(scenario)
    raise ScenarioError(
        "scenario", scenario, "a ScenarioSpec or a mapping (load a name or a file with sim.load_scenario)"
    )


def _settings(rounds: int, ministry_every: int) -> tuple[int, int]:
    return schema.integer(rounds, "rounds", 1), schema.integer(ministry_every, "record.ministry_every", 0)


def simulate(
    scenario: ScenarioLike,
    *,
    seed: int = DEFAULT_SEED,
    rounds: int = DEFAULT_ROUNDS,
    ministry_every: int = 1,
    progress: Callable[[range], Iterable[int]] = iter,
    engine: str = "arrays",
) -> RunResult:
    """Run ``scenario`` once for ``rounds`` rounds; the same scenario and seed give identical results.

    ``scenario`` is a :class:`ScenarioSpec` (``sim.load_scenario("tokyo_2013")``) or a mapping as written in YAML.
    ``ministry_every`` records ministry-pair confidence every that many rounds (0: never); country-level confidence is
    recorded every round. ``progress`` wraps the rounds, e.g. in a progress bar (``tqdm``). ``engine`` is
    ``"arrays"`` (the vectorised engine, fast) or ``"agents"`` (the Mesa agent model,
    :class:`~sim.model.mesa_model.NegotiationModel`, whose agents decide one by one): both give the same run.
    """
    if engine not in ENGINES:
        raise ScenarioError("engine", engine, " or ".join(repr(e) for e in ENGINES))
    scenario = _scenario(scenario)
    seed = schema.integer(seed, "seed", 0)
    rounds, ministry_every = _settings(rounds, ministry_every)
    if engine == "agents":
        from sim.model.agents.mesa_model import (
            NegotiationModel,
        )  # Mesa (and SciPy, which it imports) only when asked for

        model = NegotiationModel(scenario, rng=seed, ministry_every=ministry_every)
        for _ in progress(range(rounds)):
            model.step()
        return model.result()
    arrays = Engine(plan_for(scenario), [np.random.default_rng(seed)], ministry_every)
    for _ in progress(range(rounds)):
        arrays.play_round()
    return RunResult.of(arrays.record([seed]))


def replicate_seeds(seed: int, replicates: int) -> list[int]:
    """Independent seeds for ``replicates`` replicates, spawned from ``seed`` with NumPy's SeedSequence.

    Each is a plain integer: ``simulate(…, seed=s)`` reproduces that replicate alone.
    """
    children = np.random.SeedSequence(schema.integer(seed, "seed", 0)).spawn(
        schema.integer(replicates, "replicates", 1)
    )
    return [int(c.generate_state(1, dtype=np.uint64)[0]) for c in children]


def simulate_ensemble(
    scenario: ScenarioLike, seeds: Sequence[int], *, rounds: int = DEFAULT_ROUNDS, ministry_every: int = 1
) -> RunResult:
    """Run one replicate per seed, all at once (vectorised); replicate r is identical to ``simulate(seed=seeds[r])``."""
    scenario = _scenario(scenario)
    seeds = [schema.integer(s, f"seeds[{k}]", 0) for k, s in enumerate(seeds)]
    rounds, ministry_every = _settings(rounds, ministry_every)
    # Generator(PCG64(s)) is what default_rng(s) builds (the same stream), at half the cost for a thousand seeds.
    generators = [np.random.Generator(np.random.PCG64(s)) for s in seeds]
    engine = Engine(plan_for(scenario), generators, ministry_every)
    for _ in range(rounds):
        engine.play_round()
    return RunResult.of(engine.record(seeds))
