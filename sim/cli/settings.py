"""Run and sweep settings checked on the composed config before any work starts and before anything is written.

A scenario's own values are checked when it is loaded; these are the command's: the seed, the number of rounds, the
sweep's replicates, workers and batches, and the places outputs go (:func:`sim.io.places.output_place`). Each setting
has one check of a value (:data:`RUN` and :data:`SWEEP`), used on the composed config and, for a sweep, on each
other value of a swept setting alone (``seed=range(0,100000)`` in a fraction of a second). Bounds (docs/users.md,
"Mistakes negsim catches"):

- ``rounds`` ≤ 10,000 (833 years of monthly rounds; 10,000 rounds of tokyo_2013 take about 5 s);
- a run's recorded confidence rows ≤ 20 million (``record.ministry_every`` thins them; ~3.6 GB in memory);
- ``sweep.replicates`` ≤ 1,000,000 a cell (the shipped experiments use 10,000);
- ``sweep.workers`` ≤ 4 × the machine's cores, as every command's workers (:func:`sim.study.limits.check_workers`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from omegaconf import DictConfig, OmegaConf
from tqdm import tqdm

from sim.cli.errors import require_extra
from sim.cli.overrides import ValueCheck, resolved
from sim.io.places import output_place
from sim.model import schema
from sim.model.errors import ScenarioError
from sim.model.scenario.specs import ScenarioSpec
from sim.study.designs import Design, sweep_design
from sim.study.limits import BACKENDS, check_seed, check_workers

MAX_ROUNDS = 10_000
MAX_REPLICATES = 1_000_000
MAX_RECORDED_ROWS = 20_000_000  # a run's confidence rows (ministry and country pairs × rounds recorded): ~3.6 GB


def _flag(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise ScenarioError(path, value, "true or false")
    return value


def _address(value: object, path: str) -> object:
    if value is not None and not isinstance(value, str):
        raise ScenarioError(path, value, "a Ray cluster address (auto, ray://head:10001) or null")
    return value


def _backend(value: object, path: str) -> str:
    backend = schema.name(value, path, BACKENDS)
    if backend == "ray":
        require_extra("ray")
    return backend


def _rounds(value: object, path: str) -> int:
    return schema.integer(value, path, 1, MAX_ROUNDS)


RUN: dict[str, ValueCheck] = {  # negsim run's settings, each with its check of one value
    "plot": _flag,
    "seed": lambda v, p: schema.integer(v, p, 0),
    "rounds": _rounds,
    "record.ministry_every": lambda v, p: schema.integer(v, p, 0),
}
SWEEP: dict[str, ValueCheck] = {  # negsim sweep's
    "plot": _flag,
    "seed": check_seed,  # a cell's seed: at most 2^64 - 1
    "rounds": _rounds,
    "sweep.replicates": lambda v, p: schema.integer(v, p, 1, MAX_REPLICATES),
    "sweep.chunk": lambda v, p: schema.integer(v, p, 1, MAX_REPLICATES),
    "sweep.workers": check_workers,
    "sweep.backend": _backend,
    "sweep.address": _address,
    "sweep.name": lambda v, p: schema.identifier(v, p),
}


def check_run(config: DictConfig) -> Path:
    """The settings of ``negsim run``; returns the output folder."""
    for key, check in RUN.items():
        check(resolved(config, key), key)
    run_dir = resolved(config, "hydra.run.dir")
    if not (isinstance(run_dir, str) and Path(run_dir).is_dir()):  # Hydra creates it (and writes nothing in it)
        output_place(run_dir, "hydra.run.dir", hydra=True)
    return output_place(resolved(config, "output_dir"), "output_dir")


def check_sweep(config: DictConfig) -> Path:
    """The settings of ``negsim sweep`` (one composed job of it); returns the sweep's folder."""
    for key, check in SWEEP.items():
        check(resolved(config, key), key)
    design_of(config)
    return output_place(resolved(config, "hydra.sweep.dir"), "hydra.sweep.dir", hydra=True)


def rounds_bar(rounds: range) -> Iterable[int]:
    """The rounds of a run, with a progress bar on a terminal once the run has taken more than two seconds."""
    return tqdm(rounds, desc="negsim: rounds", unit="round", delay=2, disable=None, leave=False)


def before_run(scenario: ScenarioSpec, rounds: int, ministry_every: int) -> None:
    """Checks that need the loaded scenario: tables that would not fit in memory are refused, and scheduled events
    after the last round get a warning (they never strike in this run)."""
    ministries = sum(len(c.ministries) for c in scenario.countries)
    rows = (rounds // ministry_every + 1 if ministry_every else 0) * ministries**2
    rows += (rounds + 1) * len(scenario.countries) ** 2
    if rows > MAX_RECORDED_ROWS:
        raise ScenarioError(
            "rounds",
            rounds,
            f"at most {MAX_RECORDED_ROWS:,} confidence rows (~180 bytes each in memory): fewer rounds, or ministry "
            "pairs recorded less often (record.ministry_every=10, or 0 for never)",
            problem=f"{rounds} rounds of {ministries} ministries would record about {rows:,} confidence rows",
        )
    late = sorted({e.round for e in scenario.events if e.round > rounds})
    if late:
        count = sum(e.round > rounds for e in scenario.events)
        shown = ", ".join(map(str, late[:5])) + (" …" if len(late) > 5 else "")
        print(
            f"negsim: warning: {count} scheduled event(s) fall after the last round ({rounds}), in round(s) {shown}: "
            f"they never strike; rounds={late[-1]} includes them",
            file=sys.stderr,
        )


def design_of(config: DictConfig) -> Design | None:
    """The checked design of a sweep's composed config (with its ``hydra`` node: a key given on the command line or
    in ``hydra.sweeper.params`` cannot be sampled too); ``None`` without a design."""
    plain = OmegaConf.to_container(config, resolve=False)
    if plain.get("design") is not None:
        plain["design"] = OmegaConf.to_container(config.design, resolve=True)
    hydra = plain.get("hydra") or {}
    given = [*((hydra.get("overrides") or {}).get("task") or []), *((hydra.get("sweeper") or {}).get("params") or {})]
    return sweep_design(plain, (o.split("=", 1)[0].lstrip("+~").split("@", 1)[0] for o in given))
